"""The cadre's daily note: file it, change it the same day, read it back.

The note form goes through the phone's outbox (reports/outbox.py, static/js/outbox.js),
or is posted as a plain form without JavaScript; both reach the same views and the
same idempotent services. A post whose key is already stored is the same note: a
retry, answered with what is stored, or the phone's later edit of it.
"""

import mimetypes
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.roles import cadre_required
from cadres.access import is_own_assignment
from reports.access import can_edit_note, get_note_for_user
from reports.forms.notes import DailyNoteForm
from reports.models import DailyNote, days_open_for_filing
from reports.outbox import first_error, outbox_write, refusal, saved, wants_json
from reports.services import NOTE_FIELDS, note_submit, note_update
from shared.fields import day_from_query
from shared.history import HistorySource, history_entries
from shared.widgets import parse_day


def _parse_key(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _fields(form) -> dict:
    return {field: form.cleaned_data[field] for field in NOTE_FIELDS}


def _invalid(request, form, context: dict, *, status: int = 400):
    if wants_json(request):
        return refusal(form.errors, message=first_error(form.errors, _("The note was not saved.")), status=status)
    return render(request, "reports/note_form.html", {**context, "form": form})


# Its one write, the note, is a transaction of its own (note_submit): no savepoint inside a request's.
@transaction.non_atomic_requests
@cadre_required
@outbox_write
def note_create(request):
    cadre = request.user.cadre
    today = timezone.localdate()
    assignments = list(cadre.assignments.select_related("report").order_by("-starts_on"))
    if request.method == "POST":
        # A key already stored is the same note: a retry, or the phone's later edit of what it sent. It is
        # looked for only when filing fails, so that a new note costs one INSERT (the unique key refuses a copy).
        form = DailyNoteForm(request.POST, request.FILES, assignments=assignments, today=today)
        client_key = _parse_key(request.POST.get("client_key"))
        if form.is_valid():
            try:
                note, created = note_submit(
                    assignment=form.assignment,
                    day=form.cleaned_data["day"],
                    data=_fields(form),
                    photo=form.cleaned_data.get("photo") or None,
                    client_key=client_key,
                    written_at=form.cleaned_data["written_at"],
                )
            except ValidationError as error:
                stored = _stored_submission(cadre, client_key)
                if stored is not None:
                    return _save_change(request, stored)
                form.add_error(None, error)
            else:
                if created:
                    return saved(request, _detail(note), message=_("The note has been saved."))
                # This key's note, stored by an earlier send: a retry, or the phone's later edit of it.
                return _save_change(request, note)
        else:
            stored = _stored_submission(cadre, client_key)
            if stored is not None:
                return _save_change(request, stored)
        if not wants_json(request):
            form.offer_days([open_day for open_day, _assignment in days_open_for_filing(assignments, today)], today)
        day = parse_day(request.POST.get("day")) or today
        return _invalid(request, form, _form_context(request, form, day))

    open_days = days_open_for_filing(assignments, today)
    day = day_from_query(request) or today
    assignment = next((a for a in assignments if a.is_active_on(day)), None)
    if assignment is not None and day <= today:
        existing = assignment.notes.filter(day=day).first()
        if existing is not None:
            if existing.is_editable():
                return redirect("reports:note_edit", existing.pk)
            return redirect("reports:note_detail", existing.pk)
    if not any(open_day == day for open_day, _assignment in open_days):
        messages.warning(request, _why_not_open(assignments, day))
        return redirect("phone:my_mission")
    last = assignment.notes.order_by("-day").only("health").first()
    initial = {"day": day, "health": last.health if last else None}
    form = DailyNoteForm(
        initial={k: v for k, v in initial.items() if v},
        assignments=assignments,
        today=today,
        days=[open_day for open_day, _assignment in open_days],
    )
    return render(request, "reports/note_form.html", _form_context(request, form, day, assignment=assignment))


def _why_not_open(assignments, day) -> str:
    """Why `day` cannot be filed now, in the words of the filing rules (DailyNote.check_filing)."""
    covering = next((a for a in assignments if a.is_active_on(day)), None)
    if covering is None:
        return _("You have no assignment on %(day)s.") % {"day": date_format(day, "SHORT_DATE_FORMAT")}
    try:
        DailyNote(assignment=covering, day=day, written_at=timezone.now()).check_filing()
    except ValidationError as error:
        return error.messages[0]
    return _("You have no assignment on %(day)s.") % {"day": date_format(day, "SHORT_DATE_FORMAT")}


def _save_change(request, note: DailyNote):
    """Change `note` with the posted form (the edit page, or the phone's edit of a note it sent).

    A post naming another day with the key of this note (the phone changed the day after a send whose
    answer it lost) is refused: its text must not land in another day's note."""
    posted_day = parse_day(request.POST.get("day"))
    if posted_day is not None and posted_day != note.day and request.resolver_match.url_name == "note_create":
        form = DailyNoteForm(request.POST, assignments=[note.assignment], today=note.day, instance=note)
        message = _("This text was already filed as the note of %(day)s: open that note to change it.") % {
            "day": date_format(note.day, "SHORT_DATE_FORMAT")
        }
        form.add_error(None, ValidationError(message, code="other_day"))
        return _invalid(request, form, _form_context(request, form, note.day, note=note), status=409)
    form = DailyNoteForm(request.POST, request.FILES, instance=note, assignments=[note.assignment], today=note.day)
    context = _form_context(request, form, note.day, note=note)
    if not form.is_valid():
        return _invalid(request, form, context)
    try:
        note = note_update(
            note=note,
            data=_fields(form),
            photo=form.cleaned_data.get("photo"),
            written_at=form.cleaned_data["written_at"],
        )
    except ValidationError as error:
        if not wants_json(request):
            messages.warning(request, error.messages[0])
            return redirect("reports:note_detail", note.pk)
        form.add_error(None, error)
        return _invalid(request, form, context)
    return saved(request, _detail(note), message=_("The note has been updated."))


def _detail(note: DailyNote) -> str:
    return reverse("reports:note_detail", args=[note.pk])


def _stored_submission(cadre, client_key: uuid.UUID | None) -> DailyNote | None:
    if client_key is None:
        return None
    queryset = DailyNote.objects.for_cadre(cadre).select_related("assignment__report")
    return queryset.filter(client_key=client_key).first()


@cadre_required
@outbox_write
def note_edit(request, pk):
    note = get_note_for_user(request, pk)
    if request.method == "POST":
        return _save_change(request, note)
    try:
        note.check_change(timezone.now())
    except ValidationError as error:
        messages.warning(request, error.messages[0])
        return redirect("reports:note_detail", note.pk)
    form = DailyNoteForm(instance=note, assignments=[note.assignment], today=note.day)
    return render(request, "reports/note_form.html", _form_context(request, form, note.day, note=note))


def _form_context(request, form, day, *, note=None, assignment=None) -> dict:
    return {
        "form": form,
        "note": note,
        "day": day,
        "assignment": assignment or (note.assignment if note else form.assignment),
        "today": timezone.localdate(),
    }


@login_required
def note_detail(request, pk):
    note = get_note_for_user(request, pk)
    own = is_own_assignment(request.user, note.assignment)
    return render(
        request,
        "reports/note_detail.html",
        {
            "note": note,
            "own": own,
            "editable": can_edit_note(request.user, note),
            "escalations": note.escalations.order_by("-created_at"),
            "history_entries": history_entries(HistorySource(note.history.all(), fields=[*NOTE_FIELDS, "photo"])),
        },
    )


@login_required
def note_photo(request, pk):
    """Photos are served only through here, to the cadre who took them and to staff."""
    note = get_note_for_user(request, pk)
    if not note.photo:
        raise Http404
    try:
        handle = note.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(note.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response
