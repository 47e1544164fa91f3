"""The cadre's daily note: file it, change it the same day, read it back.

The note form is sent by note_form.js with `Accept: application/json` (so a
failed send can stay queued on the phone) or as a plain form without
JavaScript; both go through the same view and the same idempotent service.
"""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.roles import cadre_required, is_cadre
from reports.access import get_note_for_user
from reports.forms.notes import DailyNoteForm
from reports.models import DailyNote
from reports.services import NOTE_FIELDS, note_is_editable, note_submit, note_update


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_key(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _saved(request, note: DailyNote, *, message: str):
    url = reverse("reports:note_detail", args=[note.pk])
    messages.success(request, message)
    if wants_json(request):
        return JsonResponse({"ok": True, "note": url})
    return redirect(url)


def _invalid(request, form, template: str, context: dict):
    if wants_json(request):
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    return render(request, template, {**context, "form": form})


def _stored_submission(cadre, client_key: uuid.UUID | None) -> DailyNote | None:
    if client_key is None:
        return None
    return DailyNote.objects.for_cadre(cadre).filter(client_key=client_key).first()


def _refused(request, note: DailyNote):
    message = _("Notes of earlier days can no longer be changed.")
    if wants_json(request):
        return JsonResponse({"ok": False, "errors": {"__all__": [{"message": message, "code": "locked"}]}}, status=400)
    messages.warning(request, message)
    return redirect("reports:note_detail", note.pk)


# Its one write, the note, is a transaction of its own (note_submit): no savepoint inside a request's.
@transaction.non_atomic_requests
@cadre_required
def note_create(request):
    cadre = request.user.cadre
    today = timezone.localdate()
    assignments = list(cadre.assignments.order_by("-starts_on"))
    if request.method == "POST":
        client_key = _parse_key(request.POST.get("client_key"))
        form = DailyNoteForm(request.POST, request.FILES, assignments=assignments, today=today)
        if not form.is_valid():
            # A retry of a submission already stored (its day is taken now): answer as the first time did.
            done = _stored_submission(cadre, client_key)
            if done is not None:
                return _saved(request, done, message=_("The note has been saved."))
        else:
            client_key = form.cleaned_data.get("client_key")
            try:
                note, created = note_submit(
                    assignment=form.assignment,
                    day=form.cleaned_data["day"],
                    data={field: form.cleaned_data[field] for field in NOTE_FIELDS},
                    photo=form.cleaned_data.get("photo") or None,
                    client_key=client_key,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created or (client_key is not None and note.client_key == client_key):
                    return _saved(request, note, message=_("The note has been saved."))
                # Another submission filed the day in the meantime: keep this one's text on the phone.
                form.add_error("day", ValidationError(_("There is already a note for this day."), code="exists"))
        day = _parse_day(request.POST.get("day")) or today
        return _invalid(request, form, "reports/note_form.html", _form_context(request, form, day))

    day = _parse_day(request.GET.get("day")) or today
    assignment = next((a for a in assignments if a.starts_on <= day <= a.ends_on), None)
    if assignment is None or day > today:
        messages.warning(request, _("You have no assignment on that day."))
        return redirect("reports:my_mission")
    existing = assignment.notes.filter(day=day).first()
    if existing is not None:
        if note_is_editable(existing, today):
            return redirect("reports:note_edit", existing.pk)
        return redirect("reports:note_detail", existing.pk)
    last = assignment.notes.order_by("-day").only("health").first()
    initial = {"day": day, "health": last.health if last else None}
    form = DailyNoteForm(initial={k: v for k, v in initial.items() if v}, assignments=assignments, today=today)
    return render(request, "reports/note_form.html", _form_context(request, form, day, assignment=assignment))


@cadre_required
def note_edit(request, pk):
    note = get_note_for_user(request, pk)
    today = timezone.localdate()
    if not note_is_editable(note, today):
        return _refused(request, note)
    if request.method == "POST":
        form = DailyNoteForm(request.POST, request.FILES, instance=note, assignments=[note.assignment], today=today)
        if form.is_valid():
            note_update(
                note=note,
                data={field: form.cleaned_data[field] for field in NOTE_FIELDS},
                photo=form.cleaned_data.get("photo"),
            )
            return _saved(request, note, message=_("The note has been updated."))
        return _invalid(request, form, "reports/note_form.html", _form_context(request, form, note.day, note=note))
    form = DailyNoteForm(instance=note, assignments=[note.assignment], today=today)
    return render(request, "reports/note_form.html", _form_context(request, form, note.day, note=note))


def _form_context(request, form, day, *, note=None, assignment=None) -> dict:
    return {
        "form": form,
        "note": note,
        "day": day,
        "assignment": assignment or (note.assignment if note else form.assignment),
        "today": timezone.localdate(),
        # note_form.js keeps the draft under draft_prefix + day and the unsent submissions under queue_key.
        "draft_prefix": f"donghanh:draft:{request.user.pk}:",
        "queue_key": f"donghanh:queue:{request.user.pk}",
    }


@login_required
def note_detail(request, pk):
    note = get_note_for_user(request, pk)
    own = (
        is_cadre(request.user) and hasattr(request.user, "cadre") and note.assignment.cadre_id == request.user.cadre.pk
    )
    return render(
        request,
        "reports/note_detail.html",
        {
            "note": note,
            "own": own,
            "editable": own and note_is_editable(note),
            "escalations": note.escalations.order_by("-created_at"),
        },
    )
