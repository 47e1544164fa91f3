"""The cadre's home page on the phone: where, until when, what is due today; and the map of their area."""

import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import cadre_required
from cadres.coverage_map import coverage_map, map_area
from localities.models import ZoneStatus, as_on, named_on
from reports.models import (
    LATE_FILING_DAYS,
    Escalation,
    EscalationStatus,
    days_open_for_filing,
    report_is_open,
    report_locks_notes,
    report_opens_on,
)
from shared.caching import NOTES, RECORDS, REPORTS, cached_fragment, scoped_topic

LAST_NOTES = 7


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@cadre_required
def my_mission(request):
    cadre = request.user.cadre
    # The cadre's own page, kept under the cadre's share of the notes' version: another cadre's note leaves it be.
    body = cached_fragment(
        request,
        "phone/_my_mission.html",
        lambda: _mission_context(cadre),
        topics=[RECORDS, REPORTS, scoped_topic(NOTES, "cadre", cadre.pk)],
        scope=f"cadre:{cadre.pk}",
    )
    return render(request, "phone/my_mission.html", {"body": body})


def _mission_context(cadre) -> dict:
    today = timezone.localdate()
    grading_today = ZoneStatus.objects.on(today).filter(locality=OuterRef("locality")).order_by("-valid_from")
    assignments = list(
        cadre.assignments.select_related("locality__parent", "campaign", "report")
        .annotate(
            grading_today=Subquery(grading_today.values("grading")[:1]),
            directive_today=Subquery(grading_today.values("directive")[:1]),
        )
        .order_by("-starts_on")
    )
    # A past mission reads its place as it was then (a 2021 ward since merged keeps its 2021 name and district);
    # the mission under way as it is today.
    current = next((a for a in assignments if a.is_active_on(today)), None)
    named_on([(a.locality, today if a is current else a.starts_on) for a in assignments])
    for assignment in assignments:
        assignment.report_open = report_is_open(assignment, today)
        assignment.report_opens_on = report_opens_on(assignment)
        assignment.saved_report = getattr(assignment, "report", None)
    context = {
        "cadre": cadre,
        "today": today,
        "current": current,
        "past": [a for a in assignments if a is not current],
        # Missed days that can still be filed, newest first (today's note has its own button).
        "missed_days": [day for day, _assignment in days_open_for_filing(assignments, today) if day != today],
        "late_filing_days": LATE_FILING_DAYS,
        # Once the report is submitted, its notes are the record: no button invites a note that would be refused.
        "notes_closed": current is not None and report_locks_notes(current),
    }
    if current is not None:
        notes = list(current.notes.order_by("-day")[:LAST_NOTES])
        grading = dict(ZoneStatus._meta.get_field("grading").choices)
        context.update(
            notes=notes,
            today_note=next((n for n in notes if n.day == today), None),
            day_number=current.day_number(today),
            grading_label=grading.get(current.grading_today, ""),
            escalations=list(
                Escalation.objects.filter(assignment=current)
                .exclude(status=EscalationStatus.RESOLVED, answer="", local_comment="")
                .order_by("status", "-created_at")[:10]
            ),
        )
    return context


@cadre_required
def outbox(request):
    """What waits on this phone: the list is the phone's own (outbox.js fills it in), the page a frame for it."""
    return render(request, "phone/outbox.html")


def mission_for_map(assignments, today: datetime.date):
    """The assignment whose area the cadre's map shows: the current one, else the last one begun, else the next
    one planned (None without any); and the day it is drawn on, today or the nearest day of that assignment."""
    assignments = list(assignments)
    current = [a for a in assignments if a.is_active_on(today)]
    begun = sorted((a for a in assignments if a.starts_on <= today), key=lambda a: (a.ends_on, a.starts_on))
    planned = sorted((a for a in assignments if a.starts_on > today), key=lambda a: a.starts_on)
    chosen = (current or begun[-1:] or planned[:1] or [None])[0]
    if chosen is None:
        return None, today
    return chosen, min(max(today, chosen.starts_on), chosen.ends_on)


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@cadre_required
def area_map(request):
    """The map of the cadre's own area (their district before 01/07/2025, their province since), their commune
    ringed. Cached for the cadre as My mission is; the service worker keeps it for a phone without network."""
    cadre = request.user.cadre
    body = cached_fragment(
        request,
        "phone/_area_map.html",
        lambda: _area_map_context(cadre),
        topics=[RECORDS],
        scope=f"cadre:{cadre.pk}",
    )
    return render(request, "phone/area_map.html", {"body": body})


def _area_map_context(cadre) -> dict:
    today = timezone.localdate()
    assignment, day = mission_for_map(cadre.assignments.select_related("locality__parent"), today)
    context = {"cadre": cadre, "today": today, "assignment": assignment, "day": day, "coverage_map": None}
    if assignment is not None:
        as_on([assignment.locality], day)
        area, highlight = map_area(assignment.locality)
        if area is not None:
            # Every commune of the area with its grading and how many cadres are there (counts, no names):
            # the marks link nowhere, as the localities' pages are the office's; its words are the cadre's.
            context["coverage_map"] = coverage_map(
                area,
                day,
                highlight=highlight,
                highlight_label=_("your commune"),
                links=False,
                map_id="area-map",
                for_cadre=True,
            )
    return context
