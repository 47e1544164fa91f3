from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import organiser_required, scope_of, staff_required
from reports.access import get_escalation_for_user
from reports.exports import escalations_workbook_response
from reports.filters import EscalationFilter, paginate
from reports.forms.review import EscalationAnswerForm, EscalationAssignForm, EscalationStatusForm
from reports.models import Escalation
from reports.review import escalation_answer, escalation_assign, escalation_reopen, escalation_resolve
from shared.caching import RECORDS, REPORTS, cached_fragment
from shared.concurrency import CONFLICT_CODES, conflict_status
from shared.history import history_entries


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def escalation_inbox(request):
    # The rows say which the user handles (campaign|changed_by:user): the scope's key holds it.
    body = cached_fragment(
        request,
        "reports/_staff_escalations.html",
        lambda: _inbox_context(request),
        topics=[RECORDS, REPORTS],
        scope=scope_of(request.user).key,
    )
    return render(request, "reports/staff_escalations.html", {"body": body})


def _inbox_filter(request) -> EscalationFilter:
    escalations = (
        Escalation.objects.visible_to(request.user)
        .inbox_order()
        .select_related(
            "assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign", "assigned_to"
        )
    )
    return EscalationFilter(request.GET, queryset=escalations, request=request)


def _inbox_context(request) -> dict:
    escalation_filter = _inbox_filter(request)
    return {"filter": escalation_filter, "page": paginate(request, escalation_filter.qs)}


@transaction.non_atomic_requests
@staff_required
@require_GET
def escalation_export(request):
    """The escalations the inbox shows (its filters, the user's scope), all of them, as a spreadsheet."""
    return escalations_workbook_response(_inbox_filter(request).qs)


@organiser_required
@require_http_methods(["GET", "POST"])
def escalation_manage(request, pk):
    escalation = get_escalation_for_user(request, pk, for_change=True)
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = EscalationAssignForm(
        request.POST if action == "assign" else None,
        initial={"assigned_to": escalation.assigned_to_id},
        escalation=escalation,
    )
    answer_form = EscalationAnswerForm(
        request.POST if action == "answer" else None, initial={"answer": escalation.answer}, versioned=escalation
    )
    status_form = EscalationStatusForm(request.POST if action in ("resolve", "reopen") else None, versioned=escalation)
    posted = {"assign": assign_form, "answer": answer_form, "resolve": status_form, "reopen": status_form}.get(action)
    if posted is not None and posted.is_valid():
        try:
            with transaction.atomic():
                current = posted.lock_and_check(Escalation.objects, pk=escalation.pk)
                done = _act(request, action, current, posted.cleaned_data)
        except ValidationError as error:
            if posted is status_form and error.code not in CONFLICT_CODES:
                # The resolve and reopen buttons have no field to show a refusal next to.
                messages.error(request, " ".join(error.messages))
                return redirect("reports:escalation_manage", pk=escalation.pk)
            posted.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("reports:escalation_manage", pk=escalation.pk)
    return render(
        request,
        "reports/staff_escalation_manage.html",
        {
            "escalation": escalation,
            "assign_form": assign_form,
            "answer_form": answer_form,
            "status_form": status_form,
            "history_entries": history_entries(escalation.history.all()),
        },
        status=conflict_status(assign_form, answer_form, status_form),
    )


def _act(request, action: str, escalation: Escalation, data: dict) -> str:
    """Do what the button asks; return the message that says it is done."""
    if action == "assign":
        escalation_assign(escalation=escalation, to=data["assigned_to"])
        return _("The escalation is now handled by %(name)s.") % {"name": _name(escalation)}
    if action == "answer":
        escalation_answer(escalation=escalation, answer=data["answer"], by=request.user, resolve=data["resolve"])
        return _("The answer is saved; the cadre can read it.")
    if action == "resolve":
        escalation_resolve(escalation=escalation, by=request.user)
        return _("The escalation is resolved.")
    escalation_reopen(escalation=escalation)
    return _("The escalation is open again.")


def _name(escalation: Escalation) -> str:
    user = escalation.assigned_to
    return user.get_full_name() or user.username
