import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import cadre_of, hosted, hosts, managed, scoped
from cadres.models import Assignment
from shared.history import HistorySource, history_entries
from shared.models import done_by
from shared.text_validators import plain_text, single_line


class Activity(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("door-to-door outreach")
    TESTING = "testing", _("testing support")
    VACCINATION = "vaccination", _("vaccination support")
    SUPPLIES = "supplies", _("food and supplies")
    PROPAGANDA = "propaganda", _("propaganda in boarding houses and companies")
    CHECKPOINTS = "checkpoints", _("checkpoints and patrols")
    LOCAL_WORK = "local_work", _("assessing the local organisation's work")


class Health(models.TextChoices):
    WELL = "well", _("well")
    QUARANTINED = "quarantined", _("in quarantine")
    INFECTED = "infected", _("infected")


def note_photo_path(note: "DailyNote", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"notes/{note.day:%Y/%m}/{uuid.uuid4().hex}.{extension}"


# A missed day can be filed up to this many days after it (from My mission); such a note is marked late.
LATE_FILING_DAYS = 3
# How long the phone's own time of writing is believed: a note kept offline longer counts as written this long ago.
OUTBOX_MAX_DELAY = datetime.timedelta(days=7)


def written_time(phone_millis: int | None, now: datetime.datetime | None = None) -> datetime.datetime:
    """When the cadre saved the form on the phone (milliseconds since 1970), never later than now
    nor earlier than OUTBOX_MAX_DELAY ago; now when the phone did not say (a form sent without JavaScript)."""
    now = now or timezone.now()
    if phone_millis is None:
        return now
    try:
        phone = datetime.datetime.fromtimestamp(phone_millis / 1000, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return min(now, max(phone, now - OUTBOX_MAX_DELAY))


def written_late(day: datetime.date, written: datetime.datetime | None) -> bool:
    """A note is late when it was written on a later local day than the day it tells about."""
    return written is not None and timezone.localdate(written) > day


def report_locks_notes(assignment: Assignment) -> bool:
    """Once the end-of-mission report is handed in, its notes are the record it was judged on."""
    try:
        report = assignment.report
    except MissionReport.DoesNotExist:
        return False
    return report.is_handed_in


def days_open_for_filing(assignments: list[Assignment], today: datetime.date) -> list[tuple[datetime.date, Assignment]]:
    """The days a cadre can file a note for now, newest first, each with its assignment: today and the
    missed days of the last LATE_FILING_DAYS that the filing rules accept (DailyNote.check_filing_on)
    and that have no note yet (ONE_NOTE_A_DAY). One query; pass the assignments with select_related("report")."""
    days = [today - datetime.timedelta(days=offset) for offset in range(LATE_FILING_DAYS + 1)]
    open_days = [
        (day, assignment)
        for day in days
        for assignment in assignments
        if DailyNote(assignment=assignment, day=day).can_be_filed_on(today)
    ]
    if not open_days:
        return []
    open_assignments = list({assignment.pk: assignment for _day, assignment in open_days}.values())
    noted = set(
        DailyNote.objects.filter(assignment__in=open_assignments, day__gte=days[-1]).values_list("assignment_id", "day")
    )
    return [(day, assignment) for day, assignment in open_days if (assignment.pk, day) not in noted]


# The most characters a free text holds: a section of a note (also an escalation's description and answer,
# a reviewer's comment), a section of the end-of-mission report, a recommendation and the province's response.
NOTE_SECTION_LENGTH = 5_000
REPORT_SECTION_LENGTH = 10_000
SHORT_TEXT_LENGTH = 2_000


# One note a day for each assignment. The database holds the rule: it refuses a second INSERT, even one racing
# the first. Django's validation asks it in the same words (full_clean in the admin, DailyNote.check_day_free
# once the database has refused a note), so that whoever meets the rule reads its one message.
ONE_NOTE_A_DAY = models.UniqueConstraint(
    fields=["assignment", "day"],
    name="one_note_per_assignment_per_day",
    violation_error_message=_("There is already a note for this day."),
)


def _through_assignment(path: str = "assignment__", *, host: bool = False) -> dict:
    """How each role reaches a row of a cadre's assignment at `path` (accounts/roles.py), for scoped().

    A note or a report is the cadre's word to the organisers, their unit and the supervisors;
    the host locality reads only what is raised with it (`host`: escalations).
    """
    return {
        "organiser": f"{path}campaign__organising_unit",
        "supervisor": f"{path}locality",
        "unit": f"{path}cadre__unit",
        "locality": f"{path}locality" if host else None,
        "own": lambda cadre: models.Q(**{f"{path}cadre": cadre}),
    }


class DailyNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A cadre the notes of their own assignments; organisers, supervisors and sending units those of
        the assignments they see; host localities none (accounts/roles.py)."""
        return scoped(self, user, **_through_assignment())

    def for_cadre(self, cadre):
        return self.filter(assignment__cadre=cadre)


class DailyNote(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="notes"
    )
    day = models.DateField(_("day"))
    activities = models.JSONField(_("activities"), default=list, blank=True)
    other_activities = models.TextField(
        _("other activities"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    situation = models.TextField(
        _("situation observed"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    difficulties = models.TextField(
        _("difficulties"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    needs = models.TextField(_("needs"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text])
    health = models.CharField(_("my health"), max_length=12, choices=Health.choices, default=Health.WELL)
    photo = models.ImageField(_("photo"), upload_to=note_photo_path, blank=True)
    client_key = models.UUIDField(
        _("submission key"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("Made on the phone, so that a retried submission creates one note."),
    )
    written_at = models.DateTimeField(
        _("written at"),
        null=True,
        blank=True,
        help_text=_("When the cadre saved the note on the phone; it may reach the server later."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DailyNoteQuerySet.as_manager()
    # The cadre's edits of the note; the phone's submission key and clock only say how it arrived.
    history = HistoricalRecords(excluded_fields=["updated_at", "client_key", "written_at"])

    class Meta:
        verbose_name = _("daily note")
        verbose_name_plural = _("daily notes")
        ordering = ["-day", "-created_at"]
        indexes = [
            # The staff inbox's order: its first page reads 50 index entries of 3 million notes.
            models.Index(fields=["-day", "-created_at", "-id"], name="note_inbox_order"),
            models.Index(fields=["-created_at"]),
        ]
        constraints = [ONE_NOTE_A_DAY]

    def __str__(self):
        return f"{self.assignment.cadre} – {self.day:%d/%m/%Y}"

    @classmethod
    def from_db(cls, db, field_names, values):
        note = super().from_db(db, field_names, values)
        note._loaded_assignment_id = note.__dict__.get("assignment_id")
        return note

    def cache_shares(self) -> list[tuple[str, int]]:
        """The shares of the notes' data this note belongs to (shared/caching.py): its campaign's, which the
        compliance grid shows, and its cadre's, which My mission shows; a note moved to another assignment
        (in admin) belonged to the old one's too."""
        owners = set()
        if DailyNote.assignment.is_cached(self) and self.assignment is not None:
            owners.add((self.assignment.campaign_id, self.assignment.cadre_id))
        loaded = getattr(self, "_loaded_assignment_id", None)
        unread = {self.assignment_id, loaded} - {None} - ({self.assignment_id} if owners else set())
        if unread:
            owners.update(Assignment.objects.filter(pk__in=unread).values_list("campaign_id", "cadre_id"))
        # An assignment deleted with its notes moves the records' version, which those pages hold too.
        return [share for campaign, cadre in owners for share in (("campaign", campaign), ("cadre", cadre))]

    def get_activities_display(self) -> list[str]:
        labels = dict(Activity.choices)
        return [str(labels.get(code, code)) for code in self.activities]

    @property
    def written(self) -> datetime.datetime | None:
        """Notes filed before the phone's time was recorded count as written when they arrived."""
        return self.written_at or self.created_at

    @property
    def filed_late(self) -> bool:
        return written_late(self.day, self.written)

    def check_filing(self) -> None:
        """The rules for filing a new note, whoever files it: raise a ValidationError naming the first broken one.

        `written_at` is set (see written_time()): lateness counts from when the cadre wrote the note,
        so a note kept on the phone without network is not late for arriving late. One note a day is
        the database's to refuse at the INSERT (see check_day_free()).
        """
        self.check_filing_on(timezone.localdate(self.written_at or timezone.now()))

    def check_filing_on(self, written_on: datetime.date) -> None:
        """The rules of check_filing() for a note written on the local day `written_on`."""
        if self.day > written_on:
            raise ValidationError(
                {"day": ValidationError(_("A note cannot be written for a day in the future."), code="future")}
            )
        if not self.assignment.is_active_on(self.day):
            raise ValidationError(
                {"day": ValidationError(_("This day is outside your assignment."), code="outside_assignment")}
            )
        if (written_on - self.day).days > LATE_FILING_DAYS:
            raise ValidationError(
                {
                    "day": ValidationError(
                        _(
                            "A missed day can be filed up to %(days)d days late; %(day)s is too far back: "
                            "write about it in today's note."
                        )
                        % {"days": LATE_FILING_DAYS, "day": date_format(self.day, "SHORT_DATE_FORMAT")},
                        code="too_late",
                    )
                }
            )
        self.check_report_open()

    def can_be_filed_on(self, written_on: datetime.date) -> bool:
        """Whether a note written on `written_on` may be filed for this day (check_filing_on())."""
        try:
            self.check_filing_on(written_on)
        except ValidationError:
            return False
        return True

    def check_day_free(self) -> None:
        """One note a day (ONE_NOTE_A_DAY): raise the constraint's message, on the day, if the day has its note.

        The code "exists" tells the phone's outbox that the day was filed by another device."""
        try:
            ONE_NOTE_A_DAY.validate(DailyNote, self)
        except ValidationError as error:
            raise ValidationError({"day": ValidationError(error.messages[0], code="exists")}) from None

    def check_report_open(self) -> None:
        if report_locks_notes(self.assignment):
            raise ValidationError(
                _(
                    "The end-of-mission report of this assignment has been submitted: "
                    "its notes can no longer be added or changed."
                ),
                code="report_submitted",
            )

    def check_change(self, written_at: datetime.datetime) -> None:
        """A note can be changed on the day it was written (by the phone's clock, as for filing), never after."""
        if timezone.localdate(written_at) != timezone.localdate(self.written):
            raise ValidationError(_("Notes of earlier days can no longer be changed."), code="locked")
        self.check_report_open()

    def is_editable(self, now: datetime.datetime | None = None) -> bool:
        """Whether the cadre may still change the note (check_change())."""
        try:
            self.check_change(now or timezone.now())
        except ValidationError:
            return False
        return True


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class EscalationCategory(models.TextChoices):
    MEDICAL = "medical", _("medical care and testing")
    SUPPLIES = "supplies", _("food and supplies")
    STAFFING = "staffing", _("staffing")
    EQUIPMENT = "equipment", _("equipment")
    SOCIAL = "social", _("social security")
    ORDER = "order", _("security and order")
    OTHER = "other", _("other")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")


class LocalOutcome(models.TextChoices):
    """What the host locality did with an escalation raised in its area."""

    ANSWERED = "answered", _("answered by the locality")
    FORWARDED = "forwarded", _("forwarded to the province")


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those of the assignments the user sees, host localities included: raised with them
        (Assignment.objects.visible_to)."""
        return scoped(self, user, **_through_assignment(host=True))

    def managed_by(self, user):
        """The escalations the province handles: those of the user's organisers' campaigns."""
        return managed(self, user, "assignment__campaign__organising_unit")

    def hosted_by(self, user):
        """The escalations raised in the user's area, which they answer or forward as the host locality."""
        return hosted(self, user, "assignment__locality")

    def open(self):
        return self.exclude(status=EscalationStatus.RESOLVED)

    def inbox_order(self):
        """Open before resolved, urgent before normal, oldest first."""
        return self.annotate(
            is_resolved=models.Case(
                models.When(status=EscalationStatus.RESOLVED, then=1),
                default=0,
                output_field=models.IntegerField(),
            ),
            is_normal=models.Case(
                models.When(urgency=Urgency.URGENT, then=0), default=1, output_field=models.IntegerField()
            ),
        ).order_by("is_resolved", "is_normal", "created_at")


class Escalation(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="escalations"
    )
    note = models.ForeignKey(
        DailyNote,
        verbose_name=_("daily note"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    subject = models.CharField(_("subject"), max_length=200, validators=[single_line])
    description = models.TextField(_("description"), max_length=NOTE_SECTION_LENGTH, validators=[plain_text])
    category = models.CharField(_("category"), max_length=20, choices=EscalationCategory.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(
        _("status"), max_length=12, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_handled",
    )
    answer = models.TextField(
        _("the province's answer"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The host locality's part: it answers what is within its authority, or forwards with its comment.
    local_outcome = models.CharField(_("at the locality"), max_length=10, choices=LocalOutcome.choices, blank=True)
    local_comment = models.TextField(
        _("the locality's answer or comment"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    local_by = done_by(_("handled at the locality by"))
    local_at = models.DateTimeField(_("handled at the locality at"), null=True, blank=True)
    client_key = models.UUIDField(_("submission key"), unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EscalationQuerySet.as_manager()
    # updated_at changes on every save and says nothing of its own.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "urgency", "created_at"])]

    def __str__(self):
        return self.subject

    def check_local_handling(self, outcome: str, comment: str) -> None:
        """The host locality answers or forwards an escalation still open, once, and says something.

        Forwarded, it is the province's: the locality does not take it back by answering it afterwards.
        """
        if self.status == EscalationStatus.RESOLVED:
            raise ValidationError(_("This escalation is already resolved."), code="resolved")
        if self.local_outcome == LocalOutcome.ANSWERED:
            raise ValidationError(_("The locality has already answered this escalation."), code="answered")
        if self.local_outcome == LocalOutcome.FORWARDED:
            raise ValidationError(
                _("The locality has already forwarded this escalation to the province."), code="forwarded"
            )
        if outcome not in LocalOutcome.values:
            raise ValidationError(_("Choose to answer or to forward."), code="outcome")
        if not comment.strip():
            message = (
                _("Write the locality's answer.")
                if outcome == LocalOutcome.ANSWERED
                else _("Say why the province is needed and what the locality already did.")
            )
            raise ValidationError({"local_comment": message}, code="required")

    def is_open_to_the_locality(self) -> bool:
        """Whether the host locality may still answer or forward it (check_local_handling())."""
        return self.status != EscalationStatus.RESOLVED and not self.local_outcome

    def handle_locally(self, *, outcome: str, comment: str, by) -> None:
        """Answered by the locality: resolved, the cadre reads the answer. Forwarded: the province handles it,
        with the locality's comment beside the cadre's words."""
        self.check_local_handling(outcome, comment)
        self.local_outcome, self.local_comment = outcome, comment.strip()
        self.local_by, self.local_at = by, timezone.now()
        if outcome == LocalOutcome.ANSWERED:
            self.status = EscalationStatus.RESOLVED
        self.full_clean(exclude=["assignment", "note", "assigned_to", "local_by"])
        self.save()

    def is_hosted_by(self, user) -> bool:
        return hosts(user, self.assignment.locality_id)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for revision")
    ACCEPTED = "accepted", _("accepted")


# Submitted or accepted, the report is in the province's hands: the cadre changes neither it nor its notes.
HANDED_IN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
# The report can be written in the last days of the mission and at any time after it.
REPORT_WINDOW_DAYS = 5


def report_opens_on(assignment: Assignment) -> datetime.date:
    return assignment.ends_on - datetime.timedelta(days=REPORT_WINDOW_DAYS - 1)


def report_is_open(assignment: Assignment, today: datetime.date | None = None) -> bool:
    """Whether the end-of-mission report can be written (check_report_window())."""
    return (today or timezone.localdate()) >= report_opens_on(assignment)


def check_report_window(assignment: Assignment, today: datetime.date | None = None) -> None:
    """The report is written from the day it opens (report_opens_on()), never before."""
    if not report_is_open(assignment, today):
        day = date_format(report_opens_on(assignment), "SHORT_DATE_FORMAT")
        raise ValidationError(_("The end-of-mission report opens on %(day)s.") % {"day": day}, code="closed")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("completed the task excellently")
    GOOD = "good", _("completed the task well")
    COMPLETED = "completed", _("completed the task")
    NOT_COMPLETED = "not_completed", _("did not complete the task")


def _reports_visible_to(queryset, user, path: str = ""):
    """`queryset` (of reports, or of rows of the report at `path`) as `user` may read it.

    Those of the assignments the user sees, host localities aside (Assignment.objects.visible_to);
    a draft is its cadre's alone until submitted; a returned report was submitted once, and the
    province keeps it.
    """
    rows = scoped(queryset, user, **_through_assignment(f"{path}assignment__"))
    submitted = ~models.Q(**{f"{path}status": ReportStatus.DRAFT})
    cadre = cadre_of(user)
    return rows.filter(submitted | models.Q(**{f"{path}assignment__cadre": cadre}) if cadre else submitted)


class MissionReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A cadre their own, drafts too; the others the reports handed in of the assignments they see."""
        return _reports_visible_to(self, user)

    def managed_by(self, user):
        """The reports the user reviews: handed in, of their organisers' campaigns."""
        return managed(self, user, "assignment__campaign__organising_unit").exclude(status=ReportStatus.DRAFT)


class MissionReport(models.Model):
    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="report"
    )
    results = models.TextField(_("results"), blank=True, max_length=REPORT_SECTION_LENGTH, validators=[plain_text])
    local_work = models.TextField(
        _("state of the local organisation's work"),
        blank=True,
        max_length=REPORT_SECTION_LENGTH,
        validators=[plain_text],
    )
    difficulties = models.TextField(
        _("difficulties"), blank=True, max_length=REPORT_SECTION_LENGTH, validators=[plain_text]
    )
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_comment = models.TextField(
        _("reviewer's comment"), blank=True, max_length=NOTE_SECTION_LENGTH, validators=[plain_text]
    )
    reviewed_by = done_by(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rating = models.CharField(_("completion rating"), max_length=16, choices=Rating.choices, blank=True)
    client_key = models.UUIDField(
        _("last submission key"),
        null=True,
        blank=True,
        help_text=_("The key the phone gave the last save, so that a retried save is answered, not refused."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MissionReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "client_key"])

    class Meta:
        verbose_name = _("end-of-mission report")
        verbose_name_plural = _("end-of-mission reports")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return str(_("Report of %(cadre)s") % {"cadre": self.assignment.cadre})

    @property
    def is_handed_in(self) -> bool:
        """Submitted or accepted (HANDED_IN_STATUSES); a draft or a returned report is still the cadre's."""
        return self.status in HANDED_IN_STATUSES

    def check_editable(self) -> None:
        """The cadre changes a draft or a returned report, never one handed in."""
        if self.is_handed_in:
            raise ValidationError(_("This report has been submitted and can no longer be changed."), code="locked")

    @property
    def is_reviewable(self) -> bool:
        """Only a submitted report awaits its review: accepted or returned, it has had it."""
        return self.status == ReportStatus.SUBMITTED

    def change_history(self, *, tracking: bool) -> list:
        """The report's changes and its recommendations'; with `tracking`, the province's status, owner and response."""
        return history_entries(
            self.history.all(),
            HistorySource(
                Recommendation.history.filter(report_id=self.pk),
                subject=_recommendation_subject,
                fields=None if tracking else ["text", "addressed_to"],
            ),
        )

    def check_reviewable(self) -> None:
        if not self.is_reviewable:
            raise ValidationError(_("Only a submitted report can be reviewed."), code="not_submitted")


class Addressee(models.TextChoices):
    PROVINCE = "province", _("the province")
    LOCAL = "local", _("the local organisation")


class RecommendationStatus(models.TextChoices):
    NEW = "new", _("new")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DECLINED = "declined", _("declined")


class RecommendationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those of the reports `user` sees (MissionReport.objects.visible_to): a draft's are its cadre's alone."""
        return _reports_visible_to(self, user, "report__")

    def managed_by(self, user):
        """Those the user's organisers track and answer."""
        return managed(self, user, "report__assignment__campaign__organising_unit")

    def tracked(self):
        """Recommendations of the reports the province tracks: handed in (submitted or accepted), not sent back."""
        return self.filter(report__status__in=HANDED_IN_STATUSES)


class Recommendation(models.Model):
    report = models.ForeignKey(
        MissionReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"), max_length=SHORT_TEXT_LENGTH, validators=[plain_text])
    addressed_to = models.CharField(
        _("addressed to"), max_length=10, choices=Addressee.choices, default=Addressee.PROVINCE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RecommendationStatus.choices, default=RecommendationStatus.NEW
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations_owned",
    )
    response = models.TextField(
        _("the province's response"), blank=True, max_length=SHORT_TEXT_LENGTH, validators=[plain_text]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["report", "pk"]

    def __str__(self):
        return self.text[:80]


def _recommendation_subject(record) -> str:
    return _("recommendation “%(text)s”") % {"text": Truncator(record.text).chars(60)}


class LocalAssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those of the assignments the user sees, host localities included: the assessment is theirs."""
        return scoped(self, user, **_through_assignment(host=True))

    def hosted_by(self, user):
        return hosted(self, user, "assignment__locality")


class LocalAssessment(models.Model):
    """The host locality's assessment of a cadre at the end of the mission (nhận xét của địa phương nơi đến),
    on the same four-grade scale as the reviewer's rating, which the reviewer sees beside the report."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="local_assessment"
    )
    rating = models.CharField(_("the locality's rating"), max_length=20, choices=Rating.choices)
    text = models.TextField(_("the locality's assessment"), max_length=SHORT_TEXT_LENGTH, validators=[plain_text])
    written_by = done_by(_("written by"))
    written_at = models.DateTimeField(_("written at"), auto_now=True)

    objects = LocalAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("local assessment")
        verbose_name_plural = _("local assessments")

    def __str__(self):
        return f"{self.assignment.cadre}: {self.get_rating_display()}"

    def clean(self):
        """Written at the end of the mission: from the day the end-of-mission report opens."""
        if self.assignment_id:
            try:
                check_report_window(self.assignment)
            except ValidationError:
                day = date_format(report_opens_on(self.assignment), "SHORT_DATE_FORMAT")
                raise ValidationError(
                    _("The locality writes its assessment at the end of the mission, from %(day)s.") % {"day": day},
                    code="too_early",
                ) from None


def local_assessment_of(assignment: Assignment) -> "LocalAssessment | None":
    """The host locality's assessment beside a report, with who wrote it (one query)."""
    return LocalAssessment.objects.filter(assignment=assignment).select_related("written_by").first()
