import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import EVERY_ROW, STAFF_GROUP, RoleKind, Scope, hosted, hosts, managed, manages, scope_of, scoped
from localities.models import Locality, named_on
from shared.models import done_by
from shared.saving import CheckedSaveMixin
from shared.text_validators import plain_text, single_line
from shared.vietnamese import MAX_SEARCH_WORDS, NameKey, fold, phone_number


class UnitKind(models.TextChoices):
    STATE = "state", _("state body")
    PARTY = "party", _("Party body")
    YOUTH_UNION = "youth_union", _("Youth Union")
    MASS = "mass", _("other mass organisation")


@dataclass(frozen=True)
class Letterhead:
    """The top of a Vietnamese official document, which depends on who issues it.

    State bodies (and the Fatherland Front, Women's Union...) follow Decree
    30/2020/NĐ-CP, Party bodies the Party's guidance, the Youth Union its own
    (29-HD/TWĐTN-VP). The text is Vietnamese whatever the interface language.
    """

    issuer_lines: list[str]
    issuer_mark: str
    motto_lines: list[str]
    number_prefix: str


NATIONAL_MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
HEADING_OF_KIND = {
    UnitKind.PARTY: ("*", ["ĐẢNG CỘNG SẢN VIỆT NAM"], "Số"),
    UnitKind.YOUTH_UNION: ("***", ["ĐOÀN TNCS HỒ CHÍ MINH"], "Số:"),
}


class ProvincialUnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers and supervisors see every unit; a sending unit itself and its departments; a host
        locality the units of the cadres sent to it; a cadre the unit they belong to (accounts/roles.py)."""
        return scoped(
            self,
            user,
            organiser=EVERY_ROW,
            supervisor=EVERY_ROW,
            unit="pk",
            locality=lambda area: Q(pk__in=_assigned_in(area).values("cadre__unit_id")),
            own=lambda cadre: Q(pk=cadre.unit_id),
        )

    def managed_by(self, user):
        return managed(self, user, EVERY_ROW)

    def organised_by(self, user):
        """The units whose campaigns `user` runs: those a campaign they plan may be organised by."""
        return managed(self, user, "pk")


class ProvincialUnit(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    short_name = models.CharField(_("short name"), max_length=60, blank=True, validators=[single_line])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices, default=UnitKind.STATE)
    issuing_body = models.CharField(
        _("issuing body as printed"),
        max_length=200,
        blank=True,
        help_text=_("Top-left line of its documents, e.g. BCH ĐOÀN TỈNH BÌNH DƯƠNG."),
        validators=[single_line],
    )
    document_symbol = models.CharField(
        _("document symbol"),
        max_length=40,
        blank=True,
        help_text=_("e.g. QĐ/TĐTN-BTC or QĐ-UBND"),
        validators=[single_line],
    )
    place = models.CharField(
        _("place name on documents"),
        max_length=60,
        blank=True,
        help_text=_("e.g. Bình Dương"),
        validators=[single_line],
    )

    objects = ProvincialUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("provincial unit")
        verbose_name_plural = _("provincial units")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        """Two levels: a unit, or a department of a unit that is not itself a department."""
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")}, code="own_parent")
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("A department belongs to a unit, not to another department.")}, code="too_deep"
            )
        if self.pk and self.departments.exists():
            raise ValidationError(
                {"parent": _("This unit has departments of its own: it cannot become a department.")},
                code="has_departments",
            )

    @property
    def top_unit(self) -> "ProvincialUnit":
        return self.parent or self

    @property
    def letterhead(self) -> Letterhead:
        issuer = [(self.issuing_body or self.name).upper()]
        if self.parent_id and not self.issuing_body:
            issuer.insert(0, (self.parent.issuing_body or self.parent.name).upper())
        mark, motto, prefix = HEADING_OF_KIND.get(self.kind, ("", NATIONAL_MOTTO, "Số:"))
        return Letterhead(issuer, mark, motto, prefix)

    @property
    def number_separator(self) -> str:
        """'123/QĐ-UBND' for state bodies, '45-QĐ/TU' for the Party and the Youth Union."""
        return "-" if self.kind in (UnitKind.PARTY, UnitKind.YOUTH_UNION) else "/"


def _all_words_in_search_text(text: str) -> models.Q:
    condition = models.Q()
    for word in fold(text).split()[:MAX_SEARCH_WORDS]:
        condition &= models.Q(search_text__contains=word)
    return condition


# What the cadre search looks in; Cadre.search_text keeps them folded.
SEARCHED_FIELDS = ("full_name", "code", "phone")


class CadreQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers and supervisors see the whole roster they plan from; a sending unit its own cadres;
        a host locality the cadres sent to it; a cadre their own record (accounts/roles.py)."""
        return scoped(
            self,
            user,
            organiser=EVERY_ROW,
            supervisor=EVERY_ROW,
            unit="unit",
            locality=lambda area: Q(pk__in=_assigned_in(area).values("cadre_id")),
            own=lambda cadre: Q(pk=cadre.pk),
        )

    def managed_by(self, user):
        """Organisers keep the roster they plan from."""
        return managed(self, user, EVERY_ROW)

    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        """By name, code or phone, ignoring accents and case ("dang" finds "Đặng").

        Every word must appear in one of them. A whole phone number is found
        however it is typed: "0912345678" and "+84 912.345.678" find the stored
        "0912 345 678".
        """
        condition = _all_words_in_search_text(text)
        phone = phone_number(text)
        if phone:
            condition |= _all_words_in_search_text(phone)
        return self.filter(condition)

    # Bulk writes skip save(): they fill search_text here.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for cadre in objs:
            cadre.search_text = cadre.searchable_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) & set(SEARCHED_FIELDS):
            for cadre in objs:
                cadre.search_text = cadre.searchable_text()
            fields = [*fields, "search_text"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def in_name_order(self):
        """As office rosters list people: by given name, then the rest, in Vietnamese order."""
        return self.order_by(NameKey("full_name"), "pk")


# An empty required field is refused in the words of a form's own check (Django translates them):
# the roster import checks its rows with the model alone.
REQUIRED = _("This field is required.")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _written_phone(text: str) -> str:
    """The number in its usual written form (shared.vietnamese.phone_number); no number stays empty."""
    if not text:
        return text
    formatted = phone_number(text)
    if formatted is None:
        raise ValidationError(
            _("“%(value)s” is not a Vietnamese phone number: write it like 0912 345 678 (+84 is accepted)."),
            code="invalid_phone",
            params={"value": text},
        )
    return formatted


# The fields a person types (the cadre form, a roster row), in their order; the spaces around them go.
TYPED_FIELDS = ("code", "full_name", "position", "phone", "email")
# Put in their stored form before the fields are checked.
TIDIED_BEFORE_CHECKS = {"full_name": _one_line, "phone": _written_phone}


class Cadre(models.Model):
    code = models.CharField(
        _("cadre code"),
        max_length=30,
        unique=True,
        help_text=_("Stable identifier used to match rows when a roster is imported again."),
        validators=[single_line],
        error_messages={"blank": REQUIRED, "unique": _("Another cadre already has this code.")},
    )
    full_name = models.CharField(
        _("full name"), max_length=120, validators=[single_line], error_messages={"blank": REQUIRED}
    )
    position = models.CharField(_("position"), max_length=160, blank=True, validators=[single_line])
    unit = models.ForeignKey(
        ProvincialUnit, verbose_name=_("unit or department"), on_delete=models.PROTECT, related_name="cadres"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[single_line])
    email = models.EmailField(
        _("email"),
        blank=True,
        # Quoting the value: the roster import shows this far from the cell that was mistyped.
        error_messages={"invalid": _("“%(value)s” is not an e-mail address (e.g. ten@example.vn).")},
    )
    is_party_member = models.BooleanField(_("party member"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Name, code and phone folded (shared.vietnamese.fold), kept by save() and the bulk writes:
    # the search compares plain text, indexed by trigrams on PostgreSQL (migration 0006),
    # instead of folding 100,000 names per query. Blank until saved: full_clean() has nothing to check in it.
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CadreQuerySet.as_manager()
    # Who changed what and when; updated_at and the folded search_text follow the other fields.
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["unit", "full_name"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = self.searchable_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def searchable_text(self) -> str:
        return fold(" ".join(getattr(self, name) or "" for name in SEARCHED_FIELDS))

    def clean_fields(self, exclude=None):
        """Tidy what a person typed, then check every field: the cadre form and the roster import rely on it.

        The spaces around a value go, as a form's do; the name keeps single spaces and the phone
        number takes its usual written form before the fields are checked. The e-mail address is
        lower-cased once found valid, so that a refusal quotes it as typed.
        """
        exclude = set(exclude or ())
        errors = self._tidy_typed(exclude)
        try:
            super().clean_fields(exclude | errors.keys())
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            # In the order of the fields, as a form lists them.
            raise ValidationError(
                {field.name: errors[field.name] for field in self._meta.fields if field.name in errors}
            )
        if "email" not in exclude and self.email:
            self.email = self.email.lower()

    def _tidy_typed(self, exclude: set[str]) -> dict[str, list[ValidationError]]:
        errors = {}
        for name in TYPED_FIELDS:
            value = getattr(self, name)
            if name in exclude or not isinstance(value, str):
                continue
            value = value.strip()
            tidy = TIDIED_BEFORE_CHECKS.get(name)
            # A value too long as typed stays as typed, for the length check to refuse it as a form does.
            if tidy and len(value) <= self._meta.get_field(name).max_length:
                try:
                    value = tidy(value)
                except ValidationError as error:
                    errors[name] = error.error_list
            setattr(self, name, value)
        return errors


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers see the campaigns their unit organises; the others those that sent cadres into
        their reach, a sending unit also those asking it for cadres (accounts/roles.py)."""
        # Subqueries, not joins: two assignments in one campaign would make it a duplicate row.
        return scoped(
            self,
            user,
            organiser="organising_unit",
            supervisor=lambda area: (
                Q(pk__in=_assigned_in(area).values("campaign_id"))
                | Q(pk__in=Quota.objects.filter(locality__in=area).values("campaign_id"))
            ),
            unit=lambda units: (
                Q(pk__in=_assigned_from(units).values("campaign_id"))
                | Q(pk__in=Quota.objects.filter(unit__in=units).values("campaign_id"))
            ),
            locality=lambda area: Q(pk__in=_assigned_in(area).values("campaign_id")),
            own=lambda cadre: Q(pk__in=cadre.assignments.values("campaign_id")),
        )

    def managed_by(self, user):
        """The campaigns the user's organising units run."""
        return managed(self, user, "organising_unit")

    def running_on(self, day: datetime.date):
        """Campaigns whose dates hold `day` (Campaign.runs_on for one campaign)."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    organising_unit = models.ForeignKey(
        ProvincialUnit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="campaigns"
    )
    purpose = models.TextField(_("purpose"), blank=True, max_length=5_000, validators=[plain_text])
    assignment_days = models.PositiveSmallIntegerField(_("assignment length (days)"), default=30)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_in_order"),
            models.CheckConstraint(condition=Q(assignment_days__gte=1), name="campaign_assignment_days_positive"),
        ]

    def __str__(self):
        return self.name

    def is_managed_by(self, user) -> bool:
        """Whether `user` changes this campaign and its rows, as CampaignQuerySet.managed_by() selects."""
        return manages(user, self.organising_unit_id)

    def runs_on(self, day: datetime.date) -> bool:
        """Whether the campaign's dates hold `day` (CampaignQuerySet.running_on for a query)."""
        return self.starts_on <= day <= self.ends_on

    def showcase_day(self, today: datetime.date) -> datetime.date:
        """The day a page about the campaign opens on: today while it runs, else its middle."""
        return today if self.runs_on(today) else self.starts_on + (self.ends_on - self.starts_on) / 2

    def default_end(self, starts_on: datetime.date) -> datetime.date:
        """An assignment starting on `starts_on` ends `assignment_days` days later, inclusive."""
        return starts_on + datetime.timedelta(days=self.assignment_days - 1)

    def assignment_end(self, starts_on: datetime.date, *, past_campaign_end: bool = False) -> datetime.date:
        """The last day of an assignment starting on `starts_on`.

        Cut at the campaign's last day, since a decision follows its campaign; the full
        length past it only when staff chose so.
        """
        full = self.default_end(starts_on)
        return full if past_campaign_end else min(full, self.ends_on)


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers see their campaigns' decisions; the others the decisions that sent a cadre into
        their reach, each sent to them as a whole document (accounts/roles.py)."""
        # Subqueries, not joins: a decision may assign a cadre twice (one row each).
        return scoped(
            self,
            user,
            organiser="campaign__organising_unit",
            supervisor=lambda area: Q(pk__in=_assigned_in(area).values("decision_id")),
            unit=lambda units: Q(pk__in=_assigned_from(units).values("decision_id")),
            locality=lambda area: Q(pk__in=_assigned_in(area).values("decision_id")),
            own=lambda cadre: Q(pk__in=cadre.assignments.values("decision_id")),
        )

    def managed_by(self, user):
        return managed(self, user, "campaign__organising_unit")

    def issued(self):
        """Those whose signed scan is stored (Decision.is_issued)."""
        return self.exclude(signed_scan="")


# Numbers restart every year: the year is stored (Decision.save()) so that the database can enforce it.
DECISION_NUMBER_UNIQUE = models.UniqueConstraint(
    fields=["issuing_unit", "year", "number"],
    name="decision_number_unique_per_unit_and_year",
    violation_error_message=_("This unit already has a decision with this number this year."),
)


# The signed and stamped decision, recognised by its first bytes, never by its name: (extension, content type).
SCAN_SIGNATURES = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
SCAN_CONTENT_TYPES = dict(SCAN_SIGNATURES.values())


def scan_kind(file) -> str | None:
    """The extension of what `file` is (pdf, jpg, png) by its first bytes, or None for anything else."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return next((extension for magic, (extension, _type) in SCAN_SIGNATURES.items() if head.startswith(magic)), None)


def validate_signed_scan(value) -> None:
    """A new scan is a PDF, JPEG or PNG by its content, of at most MAX_UPLOAD_BYTES (as a note's photo).

    A scan already stored passed this check when it came: it is not read again on every clean.
    """
    if getattr(value, "_committed", True):
        return
    if value.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(value.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
        )
    if scan_kind(value.file) is None:
        raise ValidationError(
            _("The signed scan must be a PDF, JPEG or PNG file; this file is none of them, whatever its name."),
            code="scan_type",
        )


def signed_scan_path(decision: "Decision", filename: str) -> str:
    """A name nobody guesses, its extension from the content: the scan is served only through the decision's view."""
    extension = scan_kind(decision.signed_scan.file) or "bin"
    return f"decisions/{decision.signed_on:%Y}/{secrets.token_hex(16)}.{extension}"


class AmendmentKind(models.TextChoices):
    AMEND = "amend", _("amendment (sửa đổi, bổ sung)")
    ANNUL = "annul", _("annulment (bãi bỏ)")


# What a decision says: once it is issued, none of it changes (Decision.check_unchanged_once_issued).
DECISION_CONTENT = (
    "campaign",
    "issuing_unit",
    "number",
    "signed_on",
    "summary",
    "legal_bases",
    "signing_authority",
    "signer_position",
    "signer_name",
    "recipients",
    "amends",
    "amendment_kind",
)
DECISION_ANNULLED_ONCE = models.UniqueConstraint(
    fields=["amends"],
    condition=Q(amendment_kind=AmendmentKind.ANNUL),
    name="decision_annulled_once",
    violation_error_message=_("This decision is already annulled."),
)


class Decision(CheckedSaveMixin, models.Model):
    """A numbered assignment decision.

    It is *issued* once its signed and stamped scan is stored, not once its date has passed: staff
    enter a decision while it goes to be signed, and many after the fact with a past date, and correct
    it until the signed paper comes back. From then on the record must say what the paper says: its
    content is changed only by a new decision that amends or annuls it (`amends`), never edited.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="decisions"
    )
    issuing_unit = models.ForeignKey(
        ProvincialUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    signed_on = models.DateField(_("date signed"))
    summary = models.CharField(
        _("summary"),
        max_length=300,
        default="Về việc phân công cán bộ về hỗ trợ cơ sở phòng, chống dịch Covid-19",
        validators=[single_line],
    )
    legal_bases = models.TextField(
        _("legal bases"),
        blank=True,
        max_length=5_000,
        help_text=_("One 'Căn cứ ...' per line."),
        validators=[plain_text],
    )
    signing_authority = models.CharField(
        _("signing authority"),
        max_length=120,
        blank=True,
        help_text=_("e.g. TM. BAN THƯỜNG VỤ"),
        validators=[single_line],
    )
    signer_position = models.CharField(_("signer's position"), max_length=120, validators=[single_line])
    signer_name = models.CharField(_("signer's name"), max_length=120, validators=[single_line])
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        max_length=2_000,
        help_text=_("One recipient per line."),
        validators=[plain_text],
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends or annuls"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    amendment_kind = models.CharField(
        _("amendment kind"), max_length=8, choices=AmendmentKind.choices, blank=True, default=""
    )
    # A replaced scan stays in the storage, named by the history's earlier versions.
    signed_scan = models.FileField(
        _("signed scan"),
        upload_to=signed_scan_path,
        max_length=200,
        blank=True,
        validators=[validate_signed_scan],
        help_text=_("The signed and stamped decision: PDF, JPEG or PNG, at most 10 MB."),
    )
    scan_size = models.PositiveIntegerField(_("scan size"), null=True, blank=True, editable=False)
    scan_uploaded_at = models.DateTimeField(_("scan uploaded at"), null=True, blank=True, editable=False)
    scan_uploaded_by = done_by(_("scan uploaded by"))
    created_by = done_by(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()
    # The year follows the date signed (save()).
    history = HistoricalRecords(excluded_fields=["year"])

    class Meta:
        verbose_name = _("assignment decision")
        verbose_name_plural = _("assignment decisions")
        ordering = ["-signed_on", "-number"]
        constraints = [
            DECISION_NUMBER_UNIQUE,
            DECISION_ANNULLED_ONCE,
            models.CheckConstraint(
                condition=Q(amends__isnull=True, amendment_kind="")
                | Q(amends__isnull=False, amendment_kind__in=AmendmentKind.values),
                name="decision_amendment_names_its_kind",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # Not a side effect but a guard: no path (shell, admin, a script) rewrites an issued decision.
        self.check_unchanged_once_issued()
        # Numbers restart every year; the year is stored so the database can enforce it.
        self.year = self.signed_on.year
        super().save(*args, **kwargs)

    def clean(self):
        self.check_unchanged_once_issued()
        self.clean_amendment()

    @property
    def is_issued(self) -> bool:
        return bool(self.signed_scan)

    def check_deletable(self) -> None:
        """Only a draft is deleted: not issued, with nobody on its list (an amendment or annulment typed by
        mistake, say). An issued decision is changed by another; a list is emptied first."""
        if self.is_issued:
            raise ValidationError(
                _("Decision %(reference)s is issued: it is not deleted, a new decision amends or annuls it."),
                code="issued",
                params={"reference": self.reference},
            )
        if self.assignments.exists():
            raise ValidationError(
                _("Decision %(reference)s has cadres on its list: it is not deleted while they are."),
                code="has_assignments",
                params={"reference": self.reference},
            )

    def delete(self, *args, **kwargs):
        # A guard, as save(): no path (admin, the shell) deletes what was signed.
        self.check_deletable()
        return super().delete(*args, **kwargs)

    def _stored(self) -> dict | None:
        """The row as stored, for what an edit may change; None for a decision not stored yet."""
        if self.pk is None:
            return None
        names = [self._meta.get_field(name).attname for name in DECISION_CONTENT]
        return Decision.objects.filter(pk=self.pk).values(*names, "signed_scan").first()

    def check_unchanged_once_issued(self) -> None:
        """Refuse any change of an issued decision's content; its scan may be replaced, not removed."""
        stored = self._stored()
        if not stored or not stored["signed_scan"]:
            return
        if not self.signed_scan:
            raise ValidationError(
                _("The signed scan of an issued decision can be replaced, not removed."), code="scan_removed"
            )
        changed = [
            str(self._meta.get_field(name).verbose_name)
            for name in DECISION_CONTENT
            if getattr(self, self._meta.get_field(name).attname) != stored[self._meta.get_field(name).attname]
        ]
        if changed:
            raise ValidationError(
                _(
                    "This decision is issued (its signed scan is stored): %(fields)s can no longer be changed. "
                    "Issue a new decision that amends or annuls it."
                ),
                code="issued",
                params={"fields": ", ".join(changed)},
            )

    def clean_amendment(self, today: datetime.date | None = None) -> None:
        """A decision amends or annuls an issued, earlier decision of its campaign that is not annulled.

        Annulling does not end its assignments: each one still in force (not recalled, its last day today
        or later) is recalled first through the assignment's own recall action, which records the date
        and the reason. Missions already over stay as they happened. Checked when the link is made.
        """
        stored = self._stored()
        if stored and (stored["amends_id"], stored["amendment_kind"]) == (self.amends_id, self.amendment_kind):
            return
        if not self.amends_id and not self.amendment_kind:
            return
        if not self.amends_id or not self.amendment_kind:
            raise ValidationError(
                _("Name both the decision amended or annulled and the kind of change."), code="amendment_incomplete"
            )
        target = self.amends
        params = {"reference": target.reference}
        if target.pk == self.pk:
            raise ValidationError(_("A decision cannot amend or annul itself."), code="amends_itself")
        if target.campaign_id != self.campaign_id:
            raise ValidationError(
                _("Decision %(reference)s belongs to another campaign."), code="amends_other_campaign", params=params
            )
        if not target.is_issued:
            raise ValidationError(
                _("Decision %(reference)s is not issued yet (no signed scan): correct it rather than amend it."),
                code="amends_draft",
                params=params,
            )
        if self.signed_on and self.signed_on < target.signed_on:
            raise ValidationError(
                _("Decision %(reference)s was signed on %(day)s, after this one."),
                code="amends_later",
                params={**params, "day": date_format(target.signed_on, "SHORT_DATE_FORMAT")},
            )
        annulment = (
            target.amendments.filter(amendment_kind=AmendmentKind.ANNUL)
            .exclude(pk=self.pk)
            .select_related("issuing_unit")
            .first()
        )
        if annulment:
            raise ValidationError(
                _("Decision %(reference)s is already annulled by decision %(annulment)s."),
                code="already_annulled",
                params={**params, "annulment": annulment.reference},
            )
        if self.amendment_kind == AmendmentKind.ANNUL:
            today = today or timezone.localdate()
            in_force = target.assignments.filter(recalled_on__isnull=True, ends_on__gte=today).count()
            if in_force:
                raise ValidationError(
                    _(
                        "Decision %(reference)s still has %(count)s assignments in force: recall them first "
                        "(the Recall action of each assignment), then annul the decision."
                    ),
                    code="assignments_in_force",
                    params={**params, "count": in_force},
                )

    def attach_scan(self, scan, *, by) -> None:
        """Store the signed and stamped document uploaded by `by`, or replace the one stored."""
        self.signed_scan = scan
        self.scan_size = scan.size
        self.scan_uploaded_at = timezone.now()
        self.scan_uploaded_by = by
        self.full_clean()
        self.save(update_fields=["signed_scan", "scan_size", "scan_uploaded_at", "scan_uploaded_by"])

    @property
    def scan_content_type(self) -> str:
        return SCAN_CONTENT_TYPES.get(self.scan_extension, "application/octet-stream")

    @property
    def scan_extension(self) -> str:
        return self.signed_scan.name.rsplit(".", 1)[-1].lower() if self.signed_scan else ""

    def validate_constraints(self, exclude=None):
        """Django's check of the constraints, the number's following the date signed and reported on the number.

        That constraint is on the stored year, which no form edits, so Django would leave it out
        of a form's check: it is checked whenever the unit, the number and the date signed are.
        """
        exclude = set(exclude or ())
        if self.signed_on:
            self.year = self.signed_on.year
        errors = {}
        try:
            super().validate_constraints(exclude | {"year"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not exclude & {"issuing_unit", "number", "signed_on"}:
            try:
                DECISION_NUMBER_UNIQUE.validate(Decision, self, exclude=exclude - {"year"})
            except ValidationError as error:
                errors.setdefault("number", []).append(ValidationError(error.message, code="unique"))
        if errors:
            raise ValidationError(errors)

    @property
    def reference(self) -> str:
        """The number and symbol as printed, e.g. '12-QĐ/TĐTN-BTC' or '123/QĐ-UBND'."""
        symbol = self.issuing_unit.document_symbol or "QĐ"
        return f"{self.number}{self.issuing_unit.number_separator}{symbol}"

    @property
    def number_line(self) -> str:
        return f"{self.issuing_unit.letterhead.number_prefix} {self.reference}"


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("on mission")
    COMPLETED = "completed", _("completed")
    RECALLED = "recalled", _("recalled")


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers see their campaigns' assignments; supervisors and host localities those in their
        subtree; a sending unit its cadres'; a cadre their own (accounts/roles.py)."""
        return scoped(
            self,
            user,
            organiser="campaign__organising_unit",
            supervisor="locality",
            unit="cadre__unit",
            locality="locality",
            own=lambda cadre: Q(cadre=cadre),
        )

    def managed_by(self, user):
        return managed(self, user, "campaign__organising_unit")

    def hosted_by(self, user):
        """The assignments whose arrival and departure `user` confirms as their host locality."""
        return hosted(self, user, "locality")

    def confirmable_by(self, user):
        """Arrival and departure are confirmed by the host locality, or recorded by the campaign's organisers."""
        return self.hosted_by(user) | self.managed_by(user)

    def arrival_missing_on(self, day: datetime.date):
        """On mission on `day` without an arrival confirmed: what the organisers' dashboard shows."""
        return self.active_on(day).filter(arrived_on__isnull=True)

    def active_on(self, day: datetime.date):
        """On mission on `day`, as Assignment.is_active_on() says of one.

        By the dates alone: a recall moves the last day to the recall date (assignment_recall),
        so a recalled cadre is on mission up to and including it. The status (with_status())
        is another matter: it says "recalled" of every day once recalled.
        """
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def overlapping(self, starts_on: datetime.date, ends_on: datetime.date):
        """Sharing at least one day with the period, as Assignment.overlaps() says of one."""
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)

    def ending_within(self, day: datetime.date, days: int):
        return self.filter(recalled_on__isnull=True, ends_on__gte=day, ends_on__lte=day + datetime.timedelta(days=days))

    def with_status(self, day: datetime.date | None = None):
        """Annotate `status_on`: the status on `day`, derived from the dates and the recall."""
        day = day or timezone.localdate()
        return self.annotate(
            status_on=Case(
                When(recalled_on__isnull=False, then=Value(AssignmentStatus.RECALLED)),
                When(starts_on__gt=day, then=Value(AssignmentStatus.PLANNED)),
                When(ends_on__lt=day, then=Value(AssignmentStatus.COMPLETED)),
                default=Value(AssignmentStatus.ACTIVE),
                output_field=models.CharField(),
            )
        )

    def with_status_filter(self, status: str, day: datetime.date | None = None):
        return self.with_status(day).filter(status_on=status)


class Assignment(CheckedSaveMixin, models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assignments")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="assignments"
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), on_delete=models.PROTECT, related_name="assignments"
    )
    host_organisation = models.CharField(
        _("host organisation"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Thành đoàn Thủ Dầu Một"),
        validators=[single_line],
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    tasks = models.TextField(
        _("tasks"),
        blank=True,
        max_length=2_000,
        validators=[plain_text],
        default=(
            "Trực tiếp hỗ trợ cơ sở trong công tác phòng, chống dịch Covid-19; "
            "nắm bắt tình hình, đánh giá kết quả thực hiện nhiệm vụ tại đơn vị và đưa ra khuyến nghị."
        ),
    )
    recalled_on = models.DateField(
        _("recalled on"), null=True, blank=True, help_text=_("Last day served when recalled early.")
    )
    recall_reason = models.CharField(_("reason for recall"), max_length=300, blank=True, validators=[single_line])
    # Confirmed by the host locality (or recorded by the organisers): beside the planned dates, never instead.
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    arrival_confirmed_by = done_by(_("arrival confirmed by"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    departure_confirmed_by = done_by(_("departure confirmed by"))
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()
    # Who changed what and when; updated_at changes on every save and says nothing of its own.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-starts_on", "cadre__full_name"]
        indexes = [
            models.Index(fields=["cadre", "starts_on"]),
            models.Index(fields=["locality", "starts_on"]),
            models.Index(fields=["campaign", "starts_on"]),
            models.Index(fields=["ends_on"]),
        ]
        # A cadre in two places at once is refused by clean_overlap() everywhere and by an
        # exclusion constraint on PostgreSQL (migration 0002); save_checked() words a refusal
        # by the constraint as clean_overlap() does.
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="assignment_dates_in_order"),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.locality} ({self.period})"

    def get_absolute_url(self) -> str:
        return reverse("cadres:assignment_detail", args=[self.pk])

    @property
    def period(self) -> str:
        return f"{date_format(self.starts_on, 'SHORT_DATE_FORMAT')} – {date_format(self.ends_on, 'SHORT_DATE_FORMAT')}"

    @property
    def length_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def is_active_on(self, day: datetime.date) -> bool:
        """On mission on `day`, as AssignmentQuerySet.active_on() selects (recalled: up to the recall date)."""
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, starts_on: datetime.date, ends_on: datetime.date) -> bool:
        """Shares at least one day with the period, as AssignmentQuerySet.overlapping() selects."""
        return self.starts_on <= ends_on and starts_on <= self.ends_on

    def status_on(self, day: datetime.date | None = None) -> str:
        day = day or timezone.localdate()
        if self.recalled_on:
            return AssignmentStatus.RECALLED
        if self.starts_on > day:
            return AssignmentStatus.PLANNED
        if self.ends_on < day:
            return AssignmentStatus.COMPLETED
        return AssignmentStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return AssignmentStatus(self.status).label

    def day_number(self, day: datetime.date | None = None) -> int:
        """Day N of the mission on `day` (1 on the first day)."""
        day = day or timezone.localdate()
        return (day - self.starts_on).days + 1

    def conflicts(self):
        """Other assignments of the same cadre whose dates overlap this one's."""
        if not (self.cadre_id and self.starts_on and self.ends_on):
            return Assignment.objects.none()
        return (
            Assignment.objects.filter(cadre_id=self.cadre_id)
            .overlapping(self.starts_on, self.ends_on)
            .exclude(pk=self.pk)
            .select_related("cadre", "locality", "campaign", "decision__issuing_unit")
        )

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        if self.recalled_on and self.ends_on and self.ends_on != self.recalled_on:
            raise ValidationError(
                {"ends_on": ValidationError(_("A recalled assignment ends on its recall date."), code="recalled_end")}
            )
        if self.decision_id and self.campaign_id and self.decision.campaign_id != self.campaign_id:
            raise ValidationError({"decision": _("The decision belongs to another campaign.")})
        self.clean_decision_list()
        self.clean_locality_period()
        self.clean_presence()
        self.clean_overlap()

    def clean_decision_list(self) -> None:
        """No assignment joins or leaves the list of an issued decision: it stays what the signed paper says.

        Checked when the assignment is created or moved to another decision (or to none). A cadre is added
        by a new decision that amends it; recalling or extending an assignment changes its dates, which the
        Recall and Extend actions record, not the list.
        """
        stored = None
        if self.pk is not None:
            stored = Assignment.objects.filter(pk=self.pk).values("decision_id", *LISTED_FIELDS).first()
        if stored and stored["decision_id"] == self.decision_id:
            changed = [name for name in LISTED_FIELDS if stored[name] != getattr(self, name)]
            if not changed or not self.decision_id:
                return
            # Its line on the list: who goes where from when. The end moves by Extend and Recall.
            issued = Decision.objects.issued().filter(pk=self.decision_id).select_related("issuing_unit").first()
            if issued:
                raise ValidationError({name.removesuffix("_id"): decision_line_closed(issued) for name in changed})
            return
        if stored is None:  # a new line: its decision is at hand (a new decision's rows cost no query)
            if self.decision_id and self.decision.is_issued:
                raise ValidationError({"decision": decision_list_closed(self.decision)})
            return
        touched = {stored["decision_id"], self.decision_id} - {None}
        issued = Decision.objects.issued().filter(pk__in=touched).select_related("issuing_unit").first()
        if issued:
            raise ValidationError({"decision": decision_list_closed(issued)})

    def check_edit_of_issued_line(self, **values) -> None:
        """The Edit action's rule (services.assignment_update): on an issued decision, the end and the host
        organisation of a line are changed by a new decision too. The end moves by Extend or Recall, which
        record what happened in the field; Edit would rewrite what was signed."""
        if not self.decision_id or not self.decision.is_issued:
            return
        changed = [name for name in EDITED_BY_AMENDMENT if name in values and values[name] != getattr(self, name)]
        if changed:
            raise ValidationError({name: decision_line_closed(self.decision) for name in changed})

    def check_deletable(self) -> None:
        """An assignment of an issued decision is never deleted (clean_decision_list()): a cadre leaves early by a
        recall, which keeps the row."""
        if self.decision_id and self.decision.is_issued:
            raise decision_list_closed(self.decision)

    def delete(self, *args, **kwargs):
        # Not a side effect but a guard, as Decision.save(): no path (admin, the shell) shortens an issued list.
        self.check_deletable()
        return super().delete(*args, **kwargs)

    def clean_locality_period(self):
        """The place exists on every day of the assignment: a ward merged on 01/07/2025 takes no mission after
        30/06/2025 (its successor does), and one opened that day none before."""
        if not (self.locality_id and self.starts_on and self.ends_on):
            return
        locality = self.locality
        if (locality.valid_from and self.starts_on < locality.valid_from) or (
            locality.valid_to and self.ends_on > locality.valid_to
        ):
            first = date_format(locality.valid_from, "SHORT_DATE_FORMAT") if locality.valid_from else "…"
            last = date_format(locality.valid_to, "SHORT_DATE_FORMAT") if locality.valid_to else "…"
            raise ValidationError(
                {
                    "locality": ValidationError(
                        _("%(locality)s exists from %(first)s to %(last)s, not on all the assignment's days."),
                        code="locality_period",
                        params={"locality": locality.display_name, "first": first, "last": last},
                    )
                }
            )

    def clean_presence(self, today: datetime.date | None = None):
        """The confirmed arrival falls within the assignment and the departure after it, neither in the future.

        A cadre leaves at the latest the day after the assignment ends (the journey home).
        """
        today = today or timezone.localdate()
        errors = {}
        if self.arrived_on:
            if self.arrived_on > today:
                errors["arrived_on"] = _("An arrival cannot be confirmed for a day still to come.")
            elif self.starts_on and self.ends_on and not self.starts_on <= self.arrived_on <= self.ends_on:
                errors["arrived_on"] = _("The cadre arrives between %(start)s and %(end)s, the assignment's dates.") % {
                    "start": date_format(self.starts_on, "SHORT_DATE_FORMAT"),
                    "end": date_format(self.ends_on, "SHORT_DATE_FORMAT"),
                }
        if self.left_on:
            if not self.arrived_on:
                errors["left_on"] = _("Confirm the arrival first.")
            elif self.left_on > today:
                errors["left_on"] = _("A departure cannot be confirmed for a day still to come.")
            elif self.left_on < self.arrived_on:
                errors["left_on"] = _("The cadre cannot leave before arriving (%(day)s).") % {
                    "day": date_format(self.arrived_on, "SHORT_DATE_FORMAT")
                }
            elif self.ends_on and self.left_on > self.ends_on + datetime.timedelta(days=1):
                errors["left_on"] = _("The cadre leaves by %(day)s, the day after the assignment ends.") % {
                    "day": date_format(self.ends_on + datetime.timedelta(days=1), "SHORT_DATE_FORMAT")
                }
        if errors:
            raise ValidationError(errors, code="presence")

    def is_hosted_by(self, user) -> bool:
        """Whether `user` confirms this assignment's arrival as its host locality (AssignmentQuerySet.hosted_by)."""
        return hosts(user, self.locality_id)

    def confirm(self, *, arrived_on=None, left_on=None, by) -> None:
        """Record the arrival or the departure confirmed by `by`; refused by clean_presence() as a whole.

        Confirmed once: a page opened before someone else confirmed does not overwrite their day (a
        wrong day is corrected by the organisers, on the assignment's edit page).
        """
        fields = []
        already = (
            (arrived_on, self.arrived_on, _("The arrival is already confirmed, on %(day)s.")),
            (left_on, self.left_on, _("The departure is already confirmed, on %(day)s.")),
        )
        for day, stored, message in already:
            if day is not None and stored is not None:
                confirmed = date_format(stored, "SHORT_DATE_FORMAT")
                raise ValidationError(message % {"day": confirmed}, code="already_confirmed")
        if arrived_on is not None:
            self.arrived_on, self.arrival_confirmed_by = arrived_on, by
            fields += ["arrived_on", "arrival_confirmed_by"]
        if left_on is not None:
            self.left_on, self.departure_confirmed_by = left_on, by
            fields += ["left_on", "departure_confirmed_by"]
        self.clean_presence()
        self.save(update_fields=[*fields, "updated_at"])

    def clean_overlap(self):
        """A cadre is in one place at a time: refuse dates that overlap another of their assignments."""
        conflict = self.conflicts().first()
        if conflict:
            raise overlap_error(conflict)


def places_as_they_were(assignments) -> list["Assignment"]:
    """`assignments` (read with their locality, and its parent if wanted) with each place named as it was on the
    assignment's first day, as its decision names it: a 2021 mission reads "Thị xã Tân Uyên", not today's
    "Thành phố Tân Uyên". One query whatever their number."""
    assignments = list(assignments)
    named_on([(assignment.locality, assignment.starts_on) for assignment in assignments])
    return assignments


def _assigned_in(area) -> AssignmentQuerySet:
    """Assignments to the localities of `area` (ids, subtrees included), for the scopes of accounts/roles.py."""
    return Assignment.objects.filter(locality__in=area).order_by()


def _assigned_from(units) -> AssignmentQuerySet:
    """Assignments of the cadres of `units` (ids, departments included)."""
    return Assignment.objects.filter(cadre__unit__in=units).order_by()


def overlapping_pairs(assignments: list[Assignment]) -> list[tuple[int, int]]:
    """The rule of clean_overlap() among assignments not yet stored (the rows of one decision).

    Every pair (i, j), i < j, of positions in `assignments` of one cadre on overlapping dates.
    """
    return [
        (i, j)
        for i, first in enumerate(assignments)
        for j, second in enumerate(assignments[i + 1 :], start=i + 1)
        if first.cadre_id == second.cadre_id and first.overlaps(second.starts_on, second.ends_on)
    ]


# An issued decision's line for an assignment: the cadre, the place and the first day (Assignment.clean_decision_list).
LISTED_FIELDS = ("cadre_id", "locality_id", "starts_on")
# What else the signed decision says of the line, which the Edit action does not change once it is issued.
EDITED_BY_AMENDMENT = ("ends_on", "host_organisation")


def _issued_refusal(decision: Decision, message: str) -> ValidationError:
    """A refusal about an issued decision. The params carry the link to the decision, whose page offers to
    amend it (templates/_error.html)."""
    return ValidationError(
        message,
        code="decision_issued",
        params={
            "reference": decision.reference,
            "decision_url": reverse("cadres:decision_detail", args=[decision.pk]),
        },
    )


def decision_line_closed(decision: Decision) -> ValidationError:
    """The refusal of an edit of an issued decision's line (its cadre, place, dates, host organisation)."""
    return _issued_refusal(
        decision,
        _(
            "Decision %(reference)s is issued (its signed scan is stored): what it says of this cadre (the place, "
            "the dates, the host organisation) is changed by a new decision that amends it. The end moves by "
            "Extend or Recall."
        ),
    )


def decision_list_closed(decision: Decision) -> ValidationError:
    """The refusal of a cadre added to, or taken off, an issued decision's list (Assignment.clean_decision_list)."""
    return _issued_refusal(
        decision,
        _(
            "Decision %(reference)s is issued (its signed scan is stored): no cadre is added to its list or taken "
            "off it. Assign by a new decision that amends it."
        ),
    )


def overlap_error(conflict: Assignment) -> ValidationError:
    """The refusal of a cadre already elsewhere, naming the decision (or campaign) that sent them.

    The params carry the link to that decision or campaign, for the pages that show the error
    (templates/_error.html); the message itself stays plain text.
    """
    params = {
        "cadre": conflict.cadre.full_name,
        "locality": conflict.locality.display_name,
        "start": date_format(conflict.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(conflict.ends_on, "SHORT_DATE_FORMAT"),
    }
    if conflict.decision_id:
        message = _("%(cadre)s is already assigned to %(locality)s from %(start)s to %(end)s by decision %(decision)s.")
        params["decision"] = conflict.decision.reference
        params["decision_url"] = reverse("cadres:decision_detail", args=[conflict.decision_id])
    else:
        message = _(
            "%(cadre)s is already assigned to %(locality)s from %(start)s to %(end)s in the campaign “%(campaign)s”."
        )
        params["campaign"] = conflict.campaign.name
        params["campaign_url"] = reverse("cadres:campaign_detail", args=[conflict.campaign_id])
    return ValidationError(message, code="overlap", params=params)


class QuotaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers see their campaigns' quotas, supervisors those of the campaigns they read, a sending
        unit what it is asked for; a cadre none: it is the planners' business (accounts/roles.py)."""
        return scoped(
            self,
            user,
            organiser="campaign__organising_unit",
            supervisor=lambda area: Q(locality__in=area) | Q(campaign__in=_assigned_in(area).values("campaign_id")),
            unit="unit",
        )

    def managed_by(self, user):
        return managed(self, user, "campaign__organising_unit")


class Quota(models.Model):
    """How many cadres a unit is asked to send to a locality in a campaign."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(ProvincialUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quotas")
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotas",
        help_text=_("Leave empty when the unit may send its cadres anywhere."),
    )
    count = models.PositiveSmallIntegerField(_("cadres asked for"))

    objects = QuotaQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["campaign", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "locality"], name="quota_unique_per_place"),
            models.CheckConstraint(condition=Q(count__gte=1), name="quota_count_positive"),
        ]

    def __str__(self):
        return f"{self.unit}: {self.count}"


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted into a decision")
    DECLINED = "declined", _("declined")


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers see their campaigns' nominations, a sending unit its own, supervisors those of the
        campaigns they read; host localities and cadres none (accounts/roles.py)."""
        return scoped(
            self,
            user,
            organiser="campaign__organising_unit",
            supervisor=lambda area: (
                Q(campaign__in=_assigned_in(area).values("campaign_id"))
                | Q(campaign__in=Quota.objects.filter(locality__in=area).values("campaign_id"))
            ),
            unit="unit",
        )

    def managed_by(self, user):
        """The nominations the user's organisers decide on."""
        return managed(self, user, "campaign__organising_unit")

    def proposed(self):
        return self.filter(status=NominationStatus.PROPOSED)

    def left_to_propose(self, campaign, unit_id) -> int:
        """How many more cadres the unit may propose in the campaign: what its quotas ask, less its proposals
        not declined (these rows, so that Nomination.clean() leaves out the one it checks)."""
        asked = campaign.quotas.filter(unit_id=unit_id).aggregate(total=models.Sum("count"))["total"] or 0
        taken = self.filter(campaign=campaign, unit_id=unit_id).exclude(status=NominationStatus.DECLINED)
        return asked - taken.count()

    def accept_into(self, decision: "Decision", *, by) -> int:
        """The proposed nominations of the decision's cadres, accepted with the assignment each became."""
        accepted = 0
        for assignment in decision.assignments.all():
            accepted += (
                self.proposed()
                .filter(campaign_id=decision.campaign_id, cadre_id=assignment.cadre_id)
                .update(
                    status=NominationStatus.ACCEPTED, assignment=assignment, decided_by=by, decided_at=timezone.now()
                )
            )
        return accepted


class Nomination(models.Model):
    """A sending unit proposes one of its cadres against its quota in a campaign; the organisers accept
    the cadre into a decision or decline with a reason, both of which the unit reads."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="nominations"
    )
    unit = models.ForeignKey(
        ProvincialUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="nominations"
    )
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="nominations")
    note = models.CharField(_("why this cadre"), max_length=300, blank=True, validators=[single_line])
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True, validators=[single_line])
    assignment = models.OneToOneField(
        "Assignment",
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination",
    )
    proposed_by = done_by(_("proposed by"))
    decided_by = done_by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = NominationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["campaign", "unit__name", "created_at"]
        constraints = [
            # Declined, the cadre may be proposed again (once the reason is dealt with).
            models.UniqueConstraint(
                fields=["campaign", "cadre"],
                condition=~Q(status="declined"),
                name="one_nomination_per_cadre_and_campaign",
                violation_error_message=_("This cadre is already proposed for this campaign."),
            ),
        ]

    def __str__(self):
        return f"{self.cadre} ({self.unit})"

    def clean(self):
        """A unit proposes its own active cadres, against its quota, while the campaign has not ended."""
        if not (self.campaign_id and self.unit_id and self.cadre_id) or self.status != NominationStatus.PROPOSED:
            return
        if self.cadre.unit_id != self.unit_id and self.cadre.unit.parent_id != self.unit_id:
            raise ValidationError({"cadre": _("Propose a cadre of your own unit or of its departments.")})
        if not self.cadre.is_active:
            raise ValidationError({"cadre": _("This cadre is no longer active.")})
        if self.campaign.ends_on < timezone.localdate():
            raise ValidationError(_("The campaign has ended."), code="ended")
        if self.campaign.assignments.filter(cadre_id=self.cadre_id).exists():
            raise ValidationError({"cadre": _("This cadre is already assigned in this campaign.")})
        asked = self.campaign.quotas.filter(unit_id=self.unit_id).aggregate(total=models.Sum("count"))["total"]
        if not asked:
            raise ValidationError(_("The campaign asks your unit for no cadre."), code="no_quota")
        if Nomination.objects.exclude(pk=self.pk).left_to_propose(self.campaign, self.unit_id) <= 0:
            raise ValidationError(
                _("Your unit is asked for %(asked)s cadres and has proposed them all.") % {"asked": asked},
                code="quota_full",
            )

    def decline(self, *, reason: str, by) -> None:
        if self.status != NominationStatus.PROPOSED:
            raise ValidationError(_("Only a proposal waiting for a decision can be declined."), code="decided")
        if not reason.strip():
            raise ValidationError({"decline_reason": _("Say why, for the unit to read.")}, code="required")
        self.status, self.decline_reason = NominationStatus.DECLINED, reason.strip()
        self.decided_by, self.decided_at = by, timezone.now()
        self.full_clean(exclude=["campaign", "unit", "cadre", "assignment", "proposed_by", "decided_by"])
        self.save()


class RosterUploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A roster preview is its uploader's alone (on any server, in any session), whatever their role."""
        return self.filter(uploaded_by=user) if user.is_authenticated else self.none()

    def expired(self, now: datetime.datetime | None = None) -> "RosterUploadQuerySet":
        return self.filter(created_at__lt=(now or timezone.now()) - RosterUpload.KEPT_FOR)


def _roster_token() -> str:
    return secrets.token_urlsafe(24)


class RosterUpload(models.Model):
    """A roster file read and checked, kept from its preview until it is confirmed.

    In the database rather than on a server's disk, so that whichever server the
    load balancer picks shows the preview and confirms it. Only its uploader opens it.
    """

    # A preview never confirmed: a day is long enough to decide.
    KEPT_FOR = datetime.timedelta(days=1)

    token = models.CharField(max_length=64, unique=True, default=_roster_token, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("Roster file"), max_length=255)
    # The file's rows as read; each row's verdict as the preview shows it; the values the
    # cadre model checked, by row number, which the confirmation reuses.
    rows = models.JSONField(default=list, editable=False)
    results = models.JSONField(default=list, editable=False)
    form_checked = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = RosterUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster preview")
        verbose_name_plural = _("roster previews")

    def __str__(self):
        return self.filename


class RoleQuerySet(models.QuerySet):
    def reach(self) -> Scope:
        """What these roles (one person's) reach, as accounts.roles.scope_of() keeps it (with the person's cadre
        record, which it adds).

        Subtrees are read here, once: a host locality reaches its wards, and reads what they became since (a role
        on a unit that ended keeps its ground in view), a sending unit its departments.
        """
        organisers, supervised, units, area, followed = set(), set(), set(), set(), set()
        reads_all = False
        roles = sorted(self.values_list("pk", "kind", "unit_id", "locality_id"))
        for _pk, kind, unit_id, locality_id in roles:
            if kind == RoleKind.ORGANISER:
                organisers.add(unit_id)
            elif kind == RoleKind.SUPERVISOR and locality_id is None:
                reads_all = True
            elif kind == RoleKind.SUPERVISOR:
                subtree = Locality.objects.subtree(Locality(pk=locality_id))
                supervised.update(subtree, Locality.objects.became(subtree))
            elif kind == RoleKind.UNIT:
                units.add(unit_id)
            elif kind == RoleKind.LOCALITY:
                subtree = Locality.objects.subtree(Locality(pk=locality_id))
                area.update(subtree)
                followed.update(Locality.objects.became(subtree))
        if units:
            departments = ProvincialUnit.objects.filter(parent__in=units).values_list("pk", flat=True)
            units.update(departments)
        anchors = ",".join(f"{kind}{unit_id or ''}.{locality_id or ''}" for _pk, kind, unit_id, locality_id in roles)
        return Scope(
            organisers=frozenset(organisers),
            reads_all=reads_all,
            supervised=frozenset(supervised),
            units=frozenset(units),
            area=frozenset(area),
            # Read only: acting as the host of a unit opened in place of theirs needs a role moved onto it.
            followed=frozenset(followed - area),
            key=f"{anchors}|c",
        )


# What each kind of role is held on.
ROLE_ANCHORS = {
    RoleKind.ORGANISER: ("unit",),
    RoleKind.SUPERVISOR: ("locality",),
    RoleKind.UNIT: ("unit",),
    RoleKind.LOCALITY: ("locality",),
}


class Role(models.Model):
    """A person's part in the campaigns beyond their own mission: organiser staff of an organising unit,
    supervisor of a province (or of everything), focal point of a sending unit, official of a host
    locality. One person may hold several (accounts/roles.py reads them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=12, choices=RoleKind.choices)
    unit = models.ForeignKey(
        ProvincialUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
        help_text=_("The organising unit of organiser staff, the sending unit of a focal point."),
    )
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
        help_text=_("The host district or ward of a locality official; a supervisor's province (empty: everything)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleQuerySet.as_manager()
    # Who gave whom which role, and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["user", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[RoleKind.ORGANISER, RoleKind.UNIT], unit__isnull=False, locality__isnull=True)
                    | Q(kind=RoleKind.LOCALITY, unit__isnull=True, locality__isnull=False)
                    | Q(kind=RoleKind.SUPERVISOR, unit__isnull=True)
                ),
                name="role_held_on_its_anchor",
                violation_error_message=_(
                    "Organiser staff and unit focal points are held on a unit, "
                    "locality officials on a locality, supervisors on a province or nothing."
                ),
            ),
        ]

    def __str__(self):
        anchor = self.unit or self.locality
        return f"{self.user}: {self.get_kind_display()}" + (f" – {anchor}" if anchor else "")

    def clean(self):
        anchors = ROLE_ANCHORS.get(self.kind, ())
        errors = {}
        for name in ("unit", "locality"):
            held = getattr(self, f"{name}_id") is not None
            # A supervisor without a locality reads the whole deployment.
            if name in anchors and not held and self.kind != RoleKind.SUPERVISOR:
                anchor = self._meta.get_field(name).verbose_name
                errors[name] = ValidationError(
                    _("This role is held on a %(anchor)s: choose one.") % {"anchor": anchor}, code="required"
                )
            elif name not in anchors and held:
                errors[name] = ValidationError(_("Leave this empty for this role."), code="not_for_role")
        if errors:
            raise ValidationError(errors)
        duplicate = Role.objects.filter(
            user_id=self.user_id, kind=self.kind, unit_id=self.unit_id, locality_id=self.locality_id
        ).exclude(pk=self.pk)
        if self.user_id and duplicate.exists():
            raise ValidationError(_("This person already holds this role."), code="duplicate")


# Accounts handled by organisers on the account pages (cadres/views/accounts.py), without Django admin: the roles
# they give and the accounts they create, deactivate and reset. Superusers and office staff stay with Django admin.


def role_kinds_granted_by(user) -> list[str]:
    """The kinds of role `user` gives: every organiser gives unit focal points, locality officials and organiser
    staff (of their own organising units only: check_role_granted_by()); only office staff give supervisors."""
    scope = scope_of(user)
    if scope.everything:
        return list(RoleKind.values)
    if scope.organisers:
        return [RoleKind.ORGANISER, RoleKind.UNIT, RoleKind.LOCALITY]
    return []


def check_role_granted_by(role: Role, user) -> None:
    """Refuse a role `user` may not give, as accounts_managed_by() selects the accounts holding one."""
    if role.kind not in role_kinds_granted_by(user):
        raise ValidationError(
            {"kind": ValidationError(_("You cannot give this role: ask the provincial office."), code="not_granted")}
        )
    # Without a unit, Role.clean() says what is missing.
    if role.kind == RoleKind.ORGANISER and role.unit_id is not None and not manages(user, role.unit_id):
        message = _("You give organiser staff roles only on the units whose campaigns you run.")
        raise ValidationError({"unit": ValidationError(message, code="not_granted")})


def accounts_managed_by(user) -> models.QuerySet:
    """The accounts `user` handles on the account pages: those of cadres and of the people holding roles, when
    every role held is one `user` gives (role_kinds_granted_by(), organiser staff of their own units only).

    Never a superuser, office staff of every campaign, an account with neither a cadre record nor a role, nor
    the user's own (their password page is theirs). Anything else answers 404 to the account pages.
    """
    User = get_user_model()
    scope = scope_of(user)
    if not scope.changes:
        return User.objects.none()
    roles = Role.objects.filter(user=OuterRef("pk"))
    accounts = (
        User.objects.filter(Q(cadre__isnull=False) | Exists(roles))
        .exclude(is_superuser=True)
        .exclude(Exists(Group.objects.filter(name=STAFF_GROUP, user=OuterRef("pk"))))
        .exclude(pk=user.pk)
    )
    if scope.everything:
        return accounts
    # The roles an organiser gives (role_kinds_granted_by(), check_role_granted_by()), as a condition on Role rows.
    given = Q(kind__in=[RoleKind.UNIT, RoleKind.LOCALITY]) | Q(
        kind=RoleKind.ORGANISER, unit__in=ProvincialUnit.objects.organised_by(user).values("pk")
    )
    return accounts.exclude(Exists(roles.exclude(given)))
