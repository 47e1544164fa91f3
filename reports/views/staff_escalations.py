from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cadres.roles import staff_required
from reports.access import get_escalation_for_user
from reports.filters import EscalationFilter, paginate
from reports.forms.review import EscalationAnswerForm, EscalationAssignForm
from reports.models import Escalation
from reports.review import escalation_answer, escalation_assign, escalation_reopen, escalation_resolve


@staff_required
def escalation_inbox(request):
    escalations = Escalation.objects.inbox_order().select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "assigned_to"
    )
    escalation_filter = EscalationFilter(request.GET, queryset=escalations)
    page = paginate(request, escalation_filter.qs)
    return render(request, "reports/staff_escalations.html", {"filter": escalation_filter, "page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def escalation_manage(request, pk):
    escalation = get_escalation_for_user(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = EscalationAssignForm(
        request.POST if action == "assign" else None, initial={"assigned_to": escalation.assigned_to_id}
    )
    answer_form = EscalationAnswerForm(
        request.POST if action == "answer" else None, initial={"answer": escalation.answer}
    )
    if action == "assign" and assign_form.is_valid():
        escalation_assign(escalation=escalation, to=assign_form.cleaned_data["assigned_to"])
        messages.success(request, _("The escalation is now handled by %(name)s.") % {"name": _name(escalation)})
        return redirect("reports:escalation_manage", pk=escalation.pk)
    if action == "answer" and answer_form.is_valid():
        escalation_answer(
            escalation=escalation,
            answer=answer_form.cleaned_data["answer"],
            by=request.user,
            resolve=answer_form.cleaned_data["resolve"],
        )
        messages.success(request, _("The answer is saved; the cadre can read it."))
        return redirect("reports:escalation_manage", pk=escalation.pk)
    if action in ("resolve", "reopen"):
        try:
            if action == "resolve":
                escalation_resolve(escalation=escalation, by=request.user)
                messages.success(request, _("The escalation is resolved."))
            else:
                escalation_reopen(escalation=escalation)
                messages.success(request, _("The escalation is open again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reports:escalation_manage", pk=escalation.pk)
    return render(
        request,
        "reports/staff_escalation_manage.html",
        {"escalation": escalation, "assign_form": assign_form, "answer_form": answer_form},
    )


def _name(escalation: Escalation) -> str:
    user = escalation.assigned_to
    return user.get_full_name() or user.username
