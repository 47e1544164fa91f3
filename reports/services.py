"""What a cadre writes from the field: daily notes, escalations, the end-of-mission report.

A phone on a patchy network may send the same submission twice (a double tap,
a retry after a lost response, the offline queue). Each submission carries a
`client_key` made on the phone; the database refuses a second row with the
same key, and the services answer such a retry with the row already stored.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Assignment
from reports.models import (
    DailyNote,
    Escalation,
    MissionReport,
    Recommendation,
    ReportStatus,
    check_report_window,
)

NOTE_FIELDS = ("activities", "other_activities", "situation", "difficulties", "needs", "health")
ESCALATION_FIELDS = ("subject", "description", "category", "urgency")
REPORT_FIELDS = ("results", "local_work", "difficulties")

# What reports/access.py reads until it asks the models (MissionReport.is_handed_in, DailyNote.is_editable()).


def _note_with_key(client_key: uuid.UUID | None) -> DailyNote | None:
    if client_key is None:
        return None
    return DailyNote.objects.select_related("assignment").filter(client_key=client_key).first()


def _check_key_owner(existing, assignment: Assignment) -> None:
    # UUIDs from two phones do not collide; a key reused across cadres is a forged request.
    if existing.assignment.cadre_id != assignment.cadre_id:
        message = _("This submission key has already been used.")
        raise ValidationError({"client_key": ValidationError(message, code="key_taken")})


def note_submit(
    *,
    assignment: Assignment,
    day: datetime.date,
    data: dict,
    photo: UploadedFile | None = None,
    client_key: uuid.UUID | None = None,
    written_at: datetime.datetime | None = None,
) -> tuple[DailyNote, bool]:
    """File the note for `day`; return (note, created). A ValidationError says which filing rule it breaks.

    A submission whose key is already stored (a retry, or a concurrent copy of it)
    returns the stored note instead of a second note. The unique key and the
    one-note-a-day constraint refuse the INSERT, which is a transaction of its own
    (or a savepoint); the stored note is read then. A day filed meanwhile under
    another key is refused in the constraint's words (DailyNote.check_day_free).
    """
    note = DailyNote(assignment=assignment, day=day, client_key=client_key, written_at=written_at or timezone.now())
    for field in NOTE_FIELDS:
        if field in data:
            setattr(note, field, data[field])
    note.check_filing()
    if photo:
        note.photo = photo
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:
        if note.photo:
            # The file was written before the INSERT failed: do not leave it behind.
            note.photo.delete(save=False)
        existing = _note_with_key(client_key)
        if existing is None:
            note.check_day_free()
            raise
        _check_key_owner(existing, assignment)
        return existing, False
    return note, True


def note_changes(note: DailyNote, data: dict, photo: UploadedFile | None | bool) -> bool:
    """Whether saving `data` and `photo` would change a note that can no longer be changed.

    A retry of what is stored changes nothing; it sends the photo again, so a photo counts as a change
    only where the note has none (or removes it)."""
    if any(field in data and getattr(note, field) != data[field] for field in NOTE_FIELDS):
        return True
    # A retry sends the photo again; a photo added to a note that had none is a change.
    return (photo is False and bool(note.photo)) or (isinstance(photo, UploadedFile) and not note.photo)


@transaction.atomic
def note_update(
    *,
    note: DailyNote,
    data: dict,
    photo: UploadedFile | None | bool = None,
    written_at: datetime.datetime | None = None,
) -> DailyNote:
    """Change a note; return it as stored. `photo` is a new file, False to remove the photo, or None to keep it.

    The note is read again, locked: a form has already written its values on the instance it was given.
    The same text sent again (a retry) is answered with the note as stored, even once it is locked.
    """
    note = DailyNote.objects.select_for_update(of=("self",)).select_related("assignment__report").get(pk=note.pk)
    try:
        note.check_change(written_at or timezone.now())
    except ValidationError:
        if note_changes(note, data, photo):
            raise
        return note
    for field in NOTE_FIELDS:
        if field in data:
            setattr(note, field, data[field])
    old_photo = note.photo.name if note.photo else ""
    if photo is False:
        note.photo = None
    elif isinstance(photo, UploadedFile):
        note.photo = photo
    note.save()
    new_photo = note.photo.name if note.photo else ""
    if old_photo and old_photo != new_photo:
        storage = note.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return note


def _escalation_with_key(client_key: uuid.UUID | None) -> Escalation | None:
    if client_key is None:
        return None
    return Escalation.objects.select_related("assignment").filter(client_key=client_key).first()


@transaction.atomic
def escalation_raise(
    *,
    assignment: Assignment,
    data: dict,
    note: DailyNote | None = None,
    client_key: uuid.UUID | None = None,
) -> tuple[Escalation, bool]:
    """Raise an issue beyond local authority to the province; return (escalation, created)."""
    if note is not None and note.assignment_id != assignment.pk:
        raise ValidationError(_("The note belongs to another assignment."))
    existing = _escalation_with_key(client_key)
    if existing is not None:
        _check_key_owner(existing, assignment)
        return existing, False
    escalation = Escalation(assignment=assignment, note=note, client_key=client_key)
    for field in ESCALATION_FIELDS:
        setattr(escalation, field, data[field])
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError:
        existing = _escalation_with_key(client_key)
        if existing is None:
            raise
        _check_key_owner(existing, assignment)
        return existing, False
    return escalation, True


@dataclass
class RecommendationItem:
    """One row of the recommendations formset: `pk` is None for a new row."""

    text: str
    addressed_to: str
    pk: int | None = None


def _save_report(
    *,
    assignment: Assignment,
    stored: MissionReport | None,
    fields: dict,
    recommendations: list[RecommendationItem],
    client_key: uuid.UUID | None = None,
) -> MissionReport:
    report = stored
    if report is None:
        # The first save. If another device's first save came in meanwhile, the INSERT raises IntegrityError.
        report = MissionReport(assignment=assignment)
    else:
        report.check_editable()
    for field in REPORT_FIELDS:
        setattr(report, field, fields.get(field, ""))
    report.client_key = client_key
    report.save()
    # Rows keep their identity across revisions, so that staff tracking a
    # recommendation (status, owner, response) do not lose it on resubmission.
    stored = {rec.pk: rec for rec in report.recommendations.all()}
    kept = set()
    for item in recommendations:
        if item.pk in stored:
            rec = stored[item.pk]
            kept.add(rec.pk)
            if (rec.text, rec.addressed_to) != (item.text, item.addressed_to):
                rec.text, rec.addressed_to = item.text, item.addressed_to
                rec.save(update_fields=["text", "addressed_to", "updated_at"])
        else:
            Recommendation.objects.create(report=report, text=item.text, addressed_to=item.addressed_to)
    report.recommendations.exclude(pk__in=kept).filter(pk__in=stored.keys()).delete()
    return report


@transaction.atomic
def report_save_draft(
    *,
    assignment: Assignment,
    stored: MissionReport | None,
    fields: dict,
    recommendations: list[RecommendationItem],
    client_key: uuid.UUID | None = None,
) -> MissionReport:
    """Keep the report as written so far; a returned report stays returned until submitted again.

    `stored` is the assignment's report as the caller locked it (select_for_update), None before the first save.
    """
    check_report_window(assignment)
    return _save_report(
        assignment=assignment, stored=stored, fields=fields, recommendations=recommendations, client_key=client_key
    )


@transaction.atomic
def report_submit(
    *,
    assignment: Assignment,
    stored: MissionReport | None,
    fields: dict,
    recommendations: list[RecommendationItem],
    client_key: uuid.UUID | None = None,
) -> MissionReport:
    """Send the report to the standing committee (a draft or a returned report); `stored` as for a draft."""
    check_report_window(assignment)
    if not recommendations:
        raise ValidationError(_("Give at least one recommendation."), code="no_recommendation")
    report = _save_report(
        assignment=assignment, stored=stored, fields=fields, recommendations=recommendations, client_key=client_key
    )
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    return report
