"""A cadre raises an issue beyond local authority and follows the province's answer."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import cadre_required
from deployment.history import history_entries
from reports.access import get_escalation_for_user, get_note_for_user
from reports.forms.escalations import EscalationForm
from reports.models import Escalation
from reports.services import ESCALATION_FIELDS, escalation_raise


def _note_asked_for(request):
    """The note in `?note=`, if any. str.isdigit() is not enough: it accepts "²", and int() refuses
    more than 4300 digits; either reached the primary key lookup and answered 500."""
    try:
        note_id = int(request.GET.get("note", ""))
    except ValueError:
        return None
    return get_note_for_user(request, note_id)


@cadre_required
def escalation_create(request):
    cadre = request.user.cadre
    note = _note_asked_for(request)
    if note is not None:
        assignment = note.assignment
    else:
        assignment = cadre.assignments.active_on(timezone.localdate()).select_related("locality").first()
    if assignment is None:
        messages.warning(request, _("You have no current assignment to raise an issue from."))
        return redirect("reports:my_mission")

    if request.method == "POST":
        try:
            client_key = uuid.UUID(request.POST.get("client_key", ""))
        except ValueError:
            client_key = None
        done = Escalation.objects.filter(assignment__cadre=cadre, client_key=client_key).first() if client_key else None
        if done is not None:
            messages.success(request, _("Your issue has been sent to the province."))
            return redirect("reports:escalation_detail", done.pk)
        form = EscalationForm(request.POST)
        if form.is_valid():
            try:
                escalation, _created = escalation_raise(
                    assignment=assignment,
                    note=note,
                    data={field: form.cleaned_data[field] for field in ESCALATION_FIELDS},
                    client_key=form.cleaned_data.get("client_key"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your issue has been sent to the province."))
                return redirect("reports:escalation_detail", escalation.pk)
    else:
        form = EscalationForm()
    return render(request, "reports/escalation_form.html", {"form": form, "note": note, "assignment": assignment})


@login_required
def escalation_detail(request, pk):
    escalation = get_escalation_for_user(request, pk)
    return render(
        request,
        "reports/escalation_detail.html",
        {"escalation": escalation, "history_entries": history_entries(escalation.history.all())},
    )
