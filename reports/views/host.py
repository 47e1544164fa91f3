"""The host locality's part: answering or forwarding what is raised in its area, and assessing each cadre.

Only its officials open these pages (accounts.roles.host_required), on objects of their own area
(Model.objects.hosted_by); anything else answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import host_required
from cadres.models import Assignment
from reports.forms.host import LocalAssessmentForm, LocalHandlingForm
from reports.models import Escalation, LocalAssessment, LocalOutcome


@host_required
@require_http_methods(["GET", "POST"])
def escalation_local(request, pk):
    queryset = Escalation.objects.hosted_by(request.user).select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "note"
    )
    escalation = get_object_or_404(queryset, pk=pk)
    if not escalation.is_open_to_the_locality():
        # Answered, forwarded or resolved: the escalation's page says which, and by whom.
        messages.info(request, _("This escalation is no longer for the locality to handle."))
        return redirect("reports:escalation_detail", pk=escalation.pk)
    form = LocalHandlingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                current = Escalation.objects.select_for_update().get(pk=escalation.pk)
                current.handle_locally(
                    outcome=form.cleaned_data["outcome"],
                    comment=form.cleaned_data["local_comment"],
                    by=request.user,
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            done = (
                _("The answer is sent to the cadre; the escalation is resolved.")
                if current.local_outcome == LocalOutcome.ANSWERED
                else _("The escalation is forwarded to the province with your comment.")
            )
            messages.success(request, done)
            return redirect("reports:escalation_detail", pk=escalation.pk)
    return render(request, "reports/escalation_local.html", {"escalation": escalation, "form": form})


@host_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    """The locality's assessment of the cadre of assignment `pk`, written or changed."""
    queryset = Assignment.objects.hosted_by(request.user).select_related("cadre__unit", "locality__parent", "campaign")
    assignment = get_object_or_404(queryset, pk=pk)
    assessment = LocalAssessment.objects.filter(assignment=assignment).first() or LocalAssessment(assignment=assignment)
    try:
        assessment.clean()  # Not before the end of the mission: say so before anything is typed.
    except ValidationError as error:
        context = {"assignment": assignment, "form": None, "closed": error.messages[0], "assessment": assessment}
        return render(request, "reports/assessment_form.html", context)
    form = LocalAssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        form.instance.written_by = request.user
        form.save()
        messages.success(request, _("The locality's assessment of %(cadre)s is saved.") % {"cadre": assignment.cadre})
        # Back to the cadres of the area on a day of the mission, where the cadre is listed.
        day = min(assignment.ends_on, timezone.localdate())
        return redirect(reverse("cadres:host_list") + f"?day={day.isoformat()}")
    return render(
        request, "reports/assessment_form.html", {"assignment": assignment, "form": form, "assessment": assessment}
    )
