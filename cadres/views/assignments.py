"""Staff pages for assignments: the filterable list and its export, one assignment and its actions."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import organiser_required, scope_of, staff_required
from cadres import services
from cadres.access import get_assignment_for_user
from cadres.exports import write_assignments
from cadres.filters import AssignmentFilter
from cadres.forms.assignments import AssignmentForm, ExtendForm, RecallForm, ReplaceForm, default_day
from cadres.models import AmendmentKind, Assignment, Decision, places_as_they_were
from localities.models import as_on
from shared.caching import RECORDS, cached_fragment
from shared.concurrency import CONFLICT_CODES, conflict_status
from shared.history import history_entries
from shared.pagination import paginate

PAGE_SIZE = 50


def _filtered(request) -> AssignmentFilter:
    queryset = (
        Assignment.objects.visible_to(request.user)
        .select_related("cadre__unit__parent", "locality__parent", "campaign", "decision__issuing_unit")
        .order_by("-starts_on", "cadre__full_name", "pk")
    )
    return AssignmentFilter(request.GET, queryset=queryset, request=request)


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
@require_GET
def assignment_list(request):
    body = cached_fragment(
        request,
        "cadres/_assignment_list.html",
        lambda: _list_context(request),
        topics=[RECORDS],
        scope=scope_of(request.user).key,
    )
    return render(request, "cadres/assignment_list.html", {"body": body})


def _list_context(request) -> dict:
    filterset = _filtered(request)
    query = request.GET.copy()
    query.pop("page", None)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    # Each place as it was when the cadre went there (a 2021 mission in "Thị xã Tân Uyên").
    places_as_they_were(page)
    return {
        "filter": filterset,
        "page": page,
        "status_day": filterset.status_day,
        "query": query.urlencode(),
    }


@staff_required
@require_GET
def assignment_export(request):
    filterset = _filtered(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return write_assignments(filterset.qs, f"phan-cong-{stamp}.xlsx")


@staff_required
@require_GET
def assignment_detail(request, pk):
    assignment = get_assignment_for_user(request, pk)
    # Its place named as on its first day, as its decision names it.
    as_on([assignment.locality], assignment.starts_on)
    today = timezone.localdate()
    return render(
        request,
        "cadres/assignment_detail.html",
        {
            "assignment": assignment,
            "status": assignment.status_on(today),
            "replaces": _predecessor(assignment),
            "can_edit": assignment.campaign.is_managed_by(request.user),
            "can_confirm": assignment.campaign.is_managed_by(request.user) or assignment.is_hosted_by(request.user),
            "confirm_day": today,
            "can_change": assignment.campaign.is_managed_by(request.user) and not assignment.recalled_on,
            "history_entries": history_entries(assignment.history.all()),
        },
    )


def _predecessor(assignment: Assignment) -> Assignment | None:
    try:
        return assignment.replaces
    except Assignment.DoesNotExist:
        return None


def _action_page(request, assignment, form, title: str, button: str, **extra):
    return render(
        request,
        "cadres/assignment_action.html",
        {"assignment": assignment, "form": form, "title": title, "button": button, **extra},
        status=conflict_status(form),
    )


def _locked(form, pk) -> Assignment:
    """The assignment as stored, locked until the request's transaction ends; refused if the form is stale."""
    return form.lock_and_check(Assignment.objects, pk=pk)


def _add_service_error(form, error: ValidationError, *, field: str | None, overlap_field: str | None = None) -> None:
    """Put a service's refusal next to the field it is about.

    Errors from the model's full_clean() come as a dict; its non-field entry is
    the overlap rule, which belongs next to `overlap_field` (what caused it).
    An error about a field the form has not (the decision) and a stale form are
    about the whole form.
    """
    if getattr(error, "code", None) in CONFLICT_CODES:
        form.add_error(None, error)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(field, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(overlap_field if name == NON_FIELD_ERRORS else None, errors)


@organiser_required
def assignment_edit(request, pk):
    assignment = get_assignment_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = AssignmentForm(request.POST, instance=assignment)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.assignment_update(assignment=_locked(form, pk), **form.cleaned_data)
            except ValidationError as error:
                _add_service_error(form, error, field=None)
            else:
                messages.success(request, _("The assignment was saved."))
                return redirect("cadres:assignment_detail", pk=pk)
    else:
        form = AssignmentForm(instance=assignment)
    return _action_page(
        request, get_assignment_for_user(request, pk, for_change=True), form, _("Edit the assignment"), _("Save")
    )


@organiser_required
def assignment_extend(request, pk):
    assignment = get_assignment_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = ExtendForm(request.POST, versioned=assignment)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.assignment_extend(assignment=_locked(form, pk), to=form.cleaned_data["ends_on"])
            except ValidationError as error:
                _add_service_error(form, error, field="ends_on", overlap_field="ends_on")
            else:
                messages.success(request, _("The assignment was extended."))
                return redirect("cadres:assignment_detail", pk=pk)
    else:
        form = ExtendForm(initial={"ends_on": assignment.ends_on}, versioned=assignment)
    return _action_page(
        request, get_assignment_for_user(request, pk, for_change=True), form, _("Extend the assignment"), _("Extend")
    )


@organiser_required
def assignment_recall(request, pk):
    assignment = get_assignment_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = RecallForm(request.POST, versioned=assignment)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.assignment_recall(
                        assignment=_locked(form, pk), on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
                    )
            except ValidationError as error:
                _add_service_error(form, error, field="on")
            else:
                messages.success(request, _("The cadre was recalled."))
                return redirect("cadres:assignment_detail", pk=pk)
    else:
        form = RecallForm(initial={"on": default_day(assignment)}, versioned=assignment)
    return _action_page(
        request, get_assignment_for_user(request, pk, for_change=True), form, _("Recall early"), _("Recall")
    )


@organiser_required
def assignment_replace(request, pk):
    assignment = get_assignment_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = ReplaceForm(request.POST, assignment=assignment)
        if form.is_valid():
            try:
                with transaction.atomic():
                    successor = services.assignment_replace(
                        assignment=_locked(form, pk),
                        replacement=form.cleaned_data["replacement"],
                        on=form.cleaned_data["on"],
                        reason=form.cleaned_data["reason"],
                    )
            except ValidationError as error:
                _add_service_error(form, error, field="on", overlap_field="replacement")
            else:
                messages.success(
                    request,
                    _("%(name)s replaces %(old)s from %(day)s.")
                    % {
                        "name": successor.cadre.full_name,
                        "old": assignment.cadre.full_name,
                        "day": date_format(successor.starts_on, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("cadres:assignment_detail", pk=successor.pk)
    else:
        form = ReplaceForm(assignment=assignment, initial={"on": default_day(assignment)})
    # Reloaded: a refused replacement has changed the object in memory, not in the database.
    assignment = get_assignment_for_user(request, pk, for_change=True)
    return _action_page(
        request, assignment, form, _("Replace the cadre"), _("Replace"), amend_url=_amend_url(assignment.decision)
    )


def _amend_url(decision: Decision | None) -> str:
    """Where a replacement on an issued decision goes instead (Assignment.clean_decision_list): a new decision
    amending it, which this page cannot choose; empty while the decision may still be corrected."""
    if decision is None or not decision.is_issued:
        return ""
    query = urlencode({"amends": decision.pk, "kind": AmendmentKind.AMEND})
    return f"{reverse('cadres:decision_create', args=[decision.campaign_id])}?{query}"
