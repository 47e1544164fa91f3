"""A cadre raises an issue beyond local authority and follows the province's answer."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import cadre_required
from reports.access import can_handle_escalation, can_handle_locally, get_escalation_for_user, get_note_for_user
from reports.forms.escalations import EscalationForm
from reports.models import LATE_FILING_DAYS, Escalation
from reports.outbox import first_error, outbox_write, refusal, saved, wants_json
from reports.services import ESCALATION_FIELDS, escalation_raise
from shared.history import history_entries


def _note_asked_for(request):
    """The note in `?note=`, if any. str.isdigit() is not enough: it accepts "²", and int() refuses
    more than 4300 digits; either reached the primary key lookup and answered 500."""
    try:
        note_id = int(request.GET.get("note", ""))
    except ValueError:
        return None
    return get_note_for_user(request, note_id)


def _assignment_to_raise_from(cadre, today):
    """The current assignment; just after the end, the one that ended (an issue written on its last days
    may reach the server a little later)."""
    recent = cadre.assignments.overlapping(today - datetime.timedelta(LATE_FILING_DAYS), today)
    return recent.select_related("locality").order_by("-starts_on").first()


@cadre_required
@outbox_write
def escalation_create(request):
    cadre = request.user.cadre
    note = _note_asked_for(request)
    assignment = note.assignment if note is not None else _assignment_to_raise_from(cadre, timezone.localdate())
    if request.method == "POST":
        form = EscalationForm(request.POST)
        form.is_valid()
        client_key = form.cleaned_data.get("client_key")
        done = Escalation.objects.filter(assignment__cadre=cadre, client_key=client_key).first() if client_key else None
        if done is not None:
            # A retry: answered with what was stored. The same key with other words is a change, which is refused.
            if form.is_valid() and any(getattr(done, f) != form.cleaned_data[f] for f in ESCALATION_FIELDS):
                form.add_error(
                    None,
                    ValidationError(
                        _("This issue has already been sent and cannot be changed; raise a new one to add to it."),
                        code="sent",
                    ),
                )
                return _invalid(request, form, note, assignment)
            return saved(request, _detail(done), message=_("Your issue has been sent to the province."))
        if assignment is None:
            form.add_error(
                None, ValidationError(_("You have no current assignment to raise an issue from."), code="no_assignment")
            )
        elif form.is_valid():
            try:
                escalation, _created = escalation_raise(
                    assignment=assignment,
                    note=note,
                    data={field: form.cleaned_data[field] for field in ESCALATION_FIELDS},
                    client_key=client_key,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return saved(request, _detail(escalation), message=_("Your issue has been sent to the province."))
        return _invalid(request, form, note, assignment)
    if assignment is None:
        messages.warning(request, _("You have no current assignment to raise an issue from."))
        return redirect("phone:my_mission")
    return _form_page(request, EscalationForm(), note, assignment)


def _detail(escalation: Escalation) -> str:
    return reverse("reports:escalation_detail", args=[escalation.pk])


def _form_page(request, form, note, assignment, status: int = 200):
    context = {"form": form, "note": note, "assignment": assignment}
    return render(request, "reports/escalation_form.html", context, status=status)


def _invalid(request, form, note, assignment):
    if wants_json(request):
        return refusal(form.errors, message=first_error(form.errors, _("The issue was not sent.")))
    return _form_page(request, form, note, assignment, status=200 if assignment else 400)


@login_required
def escalation_detail(request, pk):
    escalation = get_escalation_for_user(request, pk)
    return render(
        request,
        "reports/escalation_detail.html",
        {
            "escalation": escalation,
            "can_handle": can_handle_escalation(request.user, escalation),
            "can_handle_locally": can_handle_locally(request.user, escalation),
            "history_entries": history_entries(escalation.history.all()),
        },
    )
