"""What is worth telling whom: each collector reads the database and yields the notices due.

A notice's key names its event, so that collecting again finds the same keys and
writes nothing new (notices.sending). An event is looked for in the two days up
to the run (new assignments, reports returned, escalations answered), so that a
run missed or failed is made up by the next one, and a first run does not tell
of every event of the past.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cadres.models import Assignment, Cadre
from notices.models import Kind
from reports.forms.review import staff_users
from reports.models import (
    HANDED_IN_STATUSES,
    REPORT_WINDOW_DAYS,
    Escalation,
    LocalOutcome,
    MissionReport,
    ReportStatus,
    Urgency,
    report_opens_on,
)

DAYS_BEFORE_END = 3
# How far back a run looks for events; twice the gap between two runs would do, two days forgives an outage.
LOOK_BACK = datetime.timedelta(days=2)
LOOK_BACK_DAYS = datetime.timedelta(days=LOOK_BACK.days)


@dataclass
class Due:
    """A notice to write: to a cadre (with their account if they have one) or to a staff member."""

    kind: str
    key: str
    title: str
    url: str
    cadre: Cadre | None = None
    user_id: int | None = None
    # What the text of notices/text/<kind>.txt says, rendered only for a notice not yet written.
    context: dict = field(default_factory=dict)

    @property
    def recipient_id(self) -> tuple[str, int]:
        return ("cadre", self.cadre.pk) if self.cadre else ("user", self.user_id)

    def body(self) -> str:
        return render_to_string(f"notices/text/{self.kind}.txt", self.context).strip()


def _place(assignment: Assignment) -> str:
    locality = assignment.locality
    return f"{locality.display_name}, {locality.parent.display_name}" if locality.parent_id else locality.display_name


def _assignments():
    return Assignment.objects.filter(recalled_on__isnull=True, cadre__is_active=True).select_related(
        "cadre", "locality__parent", "campaign"
    )


def _for_cadre(kind: str, key: str, assignment: Assignment, title: str, url: str, **context) -> Due:
    return Due(
        kind=kind,
        key=key,
        title=title,
        url=url,
        cadre=assignment.cadre,
        context={"assignment": assignment, "place": _place(assignment), **context},
        user_id=assignment.cadre.user_id,
    )


def _window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    return now - LOOK_BACK, now


def assigned(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Assignments made lately that are not over (an old campaign entered today is nobody's news)."""
    since, until = _window(now)
    mission = reverse("phone:my_mission")
    today = timezone.localdate(now)
    for assignment in _assignments().filter(created_at__gte=since, created_at__lte=until, ends_on__gte=today):
        title = _("You are assigned to %(place)s") % {"place": _place(assignment)}
        yield _for_cadre(Kind.ASSIGNED, f"assignment:{assignment.pk}", assignment, title, mission)


def no_note(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Missions under way on `day` with no note that day: once per day, in the evening (notices.sending)."""
    note_form = reverse("reports:note_create")
    shown = date_format(day, "SHORT_DATE_FORMAT")
    for assignment in _assignments().active_on(day).exclude(notes__day=day):
        title = _("No daily note yet for %(day)s") % {"day": shown}
        key = f"assignment:{assignment.pk}@{day.isoformat()}"
        yield _for_cadre(Kind.NO_NOTE, key, assignment, title, note_form, day=day)


def ending_soon(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Missions ending within DAYS_BEFORE_END days: on the day it is three days away, or at once for a mission
    made or shortened to end sooner, or after runs were missed."""
    mission = reverse("phone:my_mission")
    ending = _assignments().filter(ends_on__gte=day, ends_on__lte=day + datetime.timedelta(days=DAYS_BEFORE_END))
    for assignment in ending:
        title = _("Your mission ends on %(day)s") % {"day": date_format(assignment.ends_on, "SHORT_DATE_FORMAT")}
        yield _for_cadre(Kind.ENDING_SOON, f"assignment:{assignment.pk}", assignment, title, mission)


def report_due(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """From the day the end-of-mission report opens (or the first run after it), unless it is handed in."""
    candidates = (
        _assignments()
        .filter(ends_on__gte=day, ends_on__lte=day + datetime.timedelta(days=REPORT_WINDOW_DAYS))
        .exclude(report__status__in=HANDED_IN_STATUSES)
    )
    for assignment in candidates:
        if day - LOOK_BACK_DAYS <= report_opens_on(assignment) <= day:
            url = reverse("reports:report_edit", args=[assignment.pk])
            title = _("Your end-of-mission report is due")
            yield _for_cadre(Kind.REPORT_DUE, f"assignment:{assignment.pk}", assignment, title, url)


def report_returned(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Reports returned for revision lately, each return told once (a second return is a new event)."""
    since, until = _window(now)
    reports = MissionReport.objects.filter(
        status=ReportStatus.RETURNED,
        reviewed_at__gte=since,
        reviewed_at__lte=until,
        assignment__cadre__is_active=True,
    ).select_related("assignment__cadre", "assignment__locality__parent", "assignment__campaign")
    for report in reports:
        assignment = report.assignment
        url = reverse("reports:report_edit", args=[assignment.pk])
        title = _("Your end-of-mission report was returned for revision")
        key = f"report:{report.pk}@{report.reviewed_at:%Y%m%d%H%M%S}"
        yield _for_cadre(Kind.REPORT_RETURNED, key, assignment, title, url, report=report)


def escalations_answered(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Escalations the province answered, or the host locality answered, lately: each answer told once (a new
    answer of the province, after a reopening, is told again)."""
    since, until = _window(now)
    escalations = (
        Escalation.objects.filter(assignment__cadre__is_active=True)
        .filter(
            Q(answered_at__gte=since, answered_at__lte=until)
            | Q(local_outcome=LocalOutcome.ANSWERED, local_at__gte=since, local_at__lte=until)
        )
        .select_related("assignment__cadre", "assignment__locality__parent", "assignment__campaign")
    )
    for escalation in escalations:
        url = reverse("reports:escalation_detail", args=[escalation.pk])
        title = _("Your escalation “%(subject)s” has an answer") % {"subject": escalation.subject}
        answers = []
        if escalation.local_outcome == LocalOutcome.ANSWERED and escalation.local_at and escalation.local_at >= since:
            answers.append(("locality", escalation.local_comment, escalation.local_at))
        if escalation.answered_at and escalation.answered_at >= since and escalation.answer:
            answers.append(("province", escalation.answer, escalation.answered_at))
        for by, answer, at in answers:
            yield _for_cadre(
                Kind.ESCALATION_ANSWERED,
                f"escalation:{escalation.pk}@{by}:{at:%Y%m%d%H%M%S}",
                escalation.assignment,
                title,
                url,
                escalation=escalation,
                answer=answer,
                by_locality=by == "locality",
            )


def urgent_escalations(now: datetime.datetime, day: datetime.date) -> Iterator[Due]:
    """Each open urgent escalation, told once to every staff member who handles its campaign."""
    escalations = (
        Escalation.objects.open()
        .filter(urgency=Urgency.URGENT)
        .select_related("assignment__cadre", "assignment__locality__parent", "assignment__campaign")
        .order_by("created_at")
    )
    staff = {}  # organising unit -> who handles its campaigns
    for escalation in escalations:
        assignment = escalation.assignment
        unit = assignment.campaign.organising_unit_id
        if unit not in staff:
            staff[unit] = list(staff_users([unit]).values_list("pk", flat=True))
        context = {"escalation": escalation, "assignment": assignment, "place": _place(assignment)}
        for user_id in staff[unit]:
            yield Due(
                kind=Kind.URGENT_ESCALATION,
                key=f"escalation:{escalation.pk}",
                title=_("Urgent escalation: %(subject)s") % {"subject": escalation.subject},
                url=reverse("reports:escalation_manage", args=[escalation.pk]),
                user_id=user_id,
                context=context,
            )


COLLECTORS = {
    Kind.ASSIGNED: assigned,
    Kind.NO_NOTE: no_note,
    Kind.ENDING_SOON: ending_soon,
    Kind.REPORT_DUE: report_due,
    Kind.REPORT_RETURNED: report_returned,
    Kind.ESCALATION_ANSWERED: escalations_answered,
    Kind.URGENT_ESCALATION: urgent_escalations,
}


def due(now: datetime.datetime, day: datetime.date, kinds) -> Iterator[Due]:
    for kind in kinds:
        yield from COLLECTORS[kind](now, day)
