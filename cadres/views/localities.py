"""Staff pages of localities: the list with the day's gradings and cadres, the detail, and a new grading."""

import datetime
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.roles import map_keeper_required, organiser_required, scope_of, staff_required
from cadres.access import get_locality_for_user, read_locality_for_user
from cadres.coverage import cadres_present
from cadres.coverage_map import coverage_map, map_area
from cadres.filters import LocalityFilter
from cadres.models import Assignment, AssignmentStatus, places_as_they_were
from localities import changes
from localities.forms import CHANGE_KIND_HELP, GradingForm, LocalityChangeForm
from localities.models import Grading, Locality, ZoneStatus, as_on, timeline
from shared.caching import RECORDS, cached_fragments
from shared.fields import day_from_query
from shared.history import HistorySource, history_entries
from shared.pagination import paginate
from shared.vietnamese import PlaceOrder

PER_PAGE = 50
# Names of the cadres present shown in a list row; the count says how many there are in all.
NAMES_PER_ROW = 5


def _with_presence(localities, day: datetime.date, assignments):
    """Gradings on `day`, the cadres there, and the cadres in the localities under it, of the `assignments` the
    user sees (Assignment.objects.visible_to)."""
    here = Q(locality=OuterRef("pk"))
    # A cadre is in one place a day, so the two levels beneath add up without counting anyone twice;
    # one OR across both joins made PostgreSQL scan every assignment for each row.
    beneath = cadres_present(assignments, day, Q(locality__parent=OuterRef("pk")))
    beneath += cadres_present(assignments, day, Q(locality__parent__parent=OuterRef("pk")))
    return (
        localities.with_grading_on(day)
        .select_related("parent")
        .annotate(cadres_here=cadres_present(assignments, day, here), cadres_beneath=beneath)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=assignments.active_on(day)
                .select_related("cadre")
                .order_by("cadre__full_name")[:NAMES_PER_ROW],
                to_attr="present",
            )
        )
    )


def _label_gradings(localities) -> list[Locality]:
    """The rows of `_with_presence()` with their grading's label and the cadres of their whole area."""
    localities = list(localities)
    for locality in localities:
        locality.grading_label = Grading(locality.grading).label if locality.grading else ""
        # At the locality itself and beneath it: a cadre is in one place a day, so the two add up.
        locality.cadres_in_area = locality.cadres_here + locality.cadres_beneath
    return localities


@staff_required
def locality_list(request):
    localities = Locality.objects.visible_to(request.user).order_by(
        "level", PlaceOrder("parent__name"), PlaceOrder("name"), "pk"
    )
    filterset = LocalityFilter(request.GET, queryset=localities, request=request)
    if not filterset.is_valid():
        messages.error(request, _("Some filters are not valid; correct them to see the list."))
        return render(request, "localities/locality_list.html", {"filter": filterset, "day": timezone.localdate()})
    day = filterset.shown_day
    localities = _with_presence(filterset.qs, day, Assignment.objects.visible_to(request.user)).prefetch_related(
        Prefetch("successors", queryset=Locality.objects.select_related("parent").order_by("name"))
    )
    page = paginate(request, localities, PER_PAGE)
    # Named as on the day; a unit found by name that did not exist then says what it became, and its links open
    # a day of its life (its units beneath, its parent's list).
    rows = as_on(_label_gradings(page), day)
    openable = _openable(request.user, [locality.parent_id for locality in rows])
    for locality in rows:
        locality.exists_then = locality.exists_on(day)
        locality.some_day = locality.within_life(day)
        locality.parent_linked = locality.parent_id in openable
    return render(
        request,
        "localities/locality_list.html",
        {
            "filter": filterset,
            "day": day,
            "page": page,
            "query": _query_without_page(request),
            "within": filterset.form.cleaned_data.get("parent"),
        },
    )


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def locality_detail(request, pk):
    day = day_from_query(request) or timezone.localdate()
    # Named as on the day shown: a 2021 page reads "Thị xã Tân Uyên", a 2024 one "Thành phố Tân Uyên".
    locality = read_locality_for_user(request, pk, day)
    compute = functools.cache(lambda: _detail_context(request, locality, day))
    # The grading form between the parts carries the user's CSRF token, which is added on each request:
    # its fields are kept with the parts.
    parts = ["localities/_locality_facts.html", "localities/_grading_fields.html", "localities/_locality_records.html"]
    facts, grading_fields, records = cached_fragments(
        request, parts, compute, topics=[RECORDS], scope=scope_of(request.user).key
    )
    return render(
        request,
        "localities/locality_detail.html",
        {"locality": locality, "facts": facts, "grading_fields": grading_fields, "records": records},
    )


def _detail_context(request, locality: Locality, day: datetime.date) -> dict:
    history = locality.zone_statuses.select_related("recorded_by").order_by("-valid_from")
    visible = Assignment.objects.visible_to(request.user)
    # The units beneath it on the day: a province's districts in 2021, its communes since 01/07/2025.
    children = (
        Locality.objects.visible_to(request.user).filter(parent=locality).valid_on(day).order_by(PlaceOrder("name"))
    )
    children = as_on(_label_gradings(_with_presence(children, day, visible)), day)
    assignments = (
        visible.filter(locality__in=Locality.objects.subtree(locality))
        .with_status(day)
        .select_related("cadre__unit", "locality", "campaign")
        .order_by("-starts_on", "cadre__full_name", "pk")
    )
    page = paginate(request, assignments, PER_PAGE)
    for assignment in places_as_they_were(page):
        assignment.status_label = AssignmentStatus(assignment.status_on).label
    current = next((status for status in history if _in_force(status, day)), None)
    history_of_unit = timeline(locality)
    # The units the page links (above it, before and after it) that the user may open: the others are named only.
    related = [*history_of_unit["predecessors"], *history_of_unit["successors"]]
    linkable = _openable(request.user, [locality.parent_id, *(unit.pk for unit in related)])
    for unit in related:
        unit.linked = unit.pk in linkable
    parent_visible = bool(locality.parent_id) and locality.parent_id in linkable
    area, highlight = map_area(locality)
    return {
        **history_of_unit,
        "namesake": _namesake(locality, day, history_of_unit),
        # The communes of the area on the day: this one's own, or its parent's with it ringed.
        "coverage_map": coverage_map(
            area, day, assignments=visible, localities=Locality.objects.visible_to(request.user), highlight=highlight
        )
        if area is not None
        else None,
        "exists_on_day": locality.exists_on(day),
        "locality": locality,
        "form": GradingForm(locality=locality, initial={"valid_from": day}),
        "parent_visible": parent_visible,
        "day": day,
        "current": current,
        "history": history,
        "children": children,
        "page": page,
        "query": _query_without_page(request),
        "history_entries": history_entries(
            HistorySource(ZoneStatus.history.filter(locality_id=locality.pk), subject=_grading_subject)
        ),
    }


def _openable(user, ids) -> set[int]:
    """Which of `ids` `user` may open: all for office staff of every campaign, else one query."""
    ids = {pk for pk in ids if pk is not None}
    if scope_of(user).everything or not ids:
        return ids
    return set(Locality.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _namesake(locality: Locality, day: datetime.date, history_of_unit: dict) -> Locality | None:
    """For a unit that did not exist on `day`: the one before or after it with its code or name that did.

    Hồ Chí Minh City kept its name and code on 01/07/2025 when Bình Dương and Bà Rịa - Vũng Tàu joined it:
    the city of today opened on a 2021 day points to the city of 2021, and the other way round.
    """
    if locality.exists_on(day):
        return None
    related = [*history_of_unit["predecessors"], *history_of_unit["successors"]]
    return next(
        (
            unit
            for unit in related
            if unit.exists_on(day) and ((locality.code and unit.code == locality.code) or unit.name == locality.name)
        ),
        None,
    )


def _grading_subject(record) -> str:
    return _("%(grading)s from %(day)s") % {
        "grading": record.get_grading_display(),
        "day": date_format(record.valid_from, "SHORT_DATE_FORMAT"),
    }


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _in_force(status: ZoneStatus, day: datetime.date) -> bool:
    return status.valid_from <= day and (status.valid_to is None or status.valid_to >= day)


@organiser_required
def locality_grade(request, pk):
    locality = get_locality_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = GradingForm(request.POST, locality=locality)
        if form.is_valid():
            status = form.record(by=request.user)
            messages.success(
                request,
                _("%(locality)s is graded %(grading)s from %(day)s.")
                % {
                    "locality": locality.display_name,
                    "grading": status.get_grading_display(),
                    "day": date_format(status.valid_from, "SHORT_DATE_FORMAT"),
                },
            )
            # Open the detail on the new grading's first day, where it shows as the one in force.
            detail = reverse("cadres:locality_detail", args=[locality.pk])
            return redirect(f"{detail}?day={status.valid_from.isoformat()}")
        messages.error(request, _("The grading was not recorded; see the messages next to the fields."))
    else:
        # The day asked (the detail's link of a unit that ended carries its last day), within the unit's life.
        form = GradingForm(locality=locality, initial={"valid_from": locality.within_life(day_from_query(request))})
    return render(request, "localities/locality_grade.html", {"locality": locality, "form": form})


@map_keeper_required
def locality_change(request, pk):
    """Record a rename, change of kind, merger or split on a date: a preview of what ends and what opens,
    then the record on confirmation. Both check the same plan (localities/changes.py)."""
    locality = get_locality_for_user(request, pk, for_change=True)
    # A unit that ended is changed on a day of its life: the form offers its last day.
    form = LocalityChangeForm(
        request.POST or None, locality=locality, initial={"effective_on": locality.within_life(None)}
    )
    plan = None
    if request.method == "POST":
        if form.is_valid():
            plan = form.plan
            if "confirm" in request.POST:
                try:
                    change = changes.apply(plan, by=request.user)
                except ValidationError as error:
                    form.add_error(None, error)
                    plan = None
                else:
                    # The page of the unit it became on the day: the unit opened (the first of a split) or the
                    # one that continues; a rename's own.
                    target = plan.continuing or change.opened.order_by("pk").first() or plan.locality
                    values = {
                        "change": change.get_kind_display(),
                        "locality": plan.title_before,
                        "day": date_format(change.effective_on, "SHORT_DATE_FORMAT"),
                        "unit": target.display_name,
                    }
                    if target.pk == locality.pk:
                        message = _("%(change)s of %(locality)s recorded from %(day)s.") % values
                    elif plan.continuing is not None:
                        message = (
                            _("%(change)s of %(locality)s recorded from %(day)s. Here is %(unit)s, which took it in.")
                            % values
                        )
                    elif plan.kind == changes.ChangeKind.SPLIT:
                        message = (
                            _("%(change)s of %(locality)s recorded from %(day)s. Here is %(unit)s, the first unit it "
                              "was split into.") % values
                        )  # fmt: skip
                    else:
                        message = (
                            _("%(change)s of %(locality)s recorded from %(day)s. Here is %(unit)s, the unit it "
                              "became.") % values
                        )  # fmt: skip
                    messages.success(request, capfirst(message))
                    detail = reverse("cadres:locality_detail", args=[target.pk])
                    return redirect(f"{detail}?day={change.effective_on.isoformat()}")
        else:
            messages.error(request, _("The change was not recorded; see the messages in the form."))
    return render(
        request,
        "localities/locality_change.html",
        {
            "locality": locality,
            "form": form,
            "plan": plan,
            "kind_help": CHANGE_KIND_HELP,
            "ended": locality.has_ended(),
        },
    )
