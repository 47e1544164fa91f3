import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import EVERY_ROW, managed, scoped
from shared.text_validators import plain_text, single_line
from shared.vietnamese import fold, search_filter


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    DISTRICT = 2, _("District")
    COMMUNE = 3, _("Commune")


class LocalityKind(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY_PROVINCE = "central_city", _("centrally-run city")
    CITY = "city", _("city")
    TOWN = "town", _("town")
    URBAN_DISTRICT = "urban_district", _("urban district")
    DISTRICT = "district", _("district")
    WARD = "ward", _("ward")
    COMMUNE = "commune", _("commune")
    TOWNSHIP = "township", _("township")
    SPECIAL_ZONE = "special_zone", _("special zone")


# The official unit types, by level (the dataset's types too): the word before the name in the official title.
PROVINCE_KINDS = {"Tỉnh": LocalityKind.PROVINCE, "Thành phố": LocalityKind.CITY_PROVINCE}
DISTRICT_KINDS = {
    "Quận": LocalityKind.URBAN_DISTRICT,
    "Huyện": LocalityKind.DISTRICT,
    "Thị xã": LocalityKind.TOWN,
    "Thành phố": LocalityKind.CITY,
}
COMMUNE_KINDS = {
    "Phường": LocalityKind.WARD,
    "Xã": LocalityKind.COMMUNE,
    "Thị trấn": LocalityKind.TOWNSHIP,
    "Đặc khu": LocalityKind.SPECIAL_ZONE,
}

LEVEL_OF_KIND = {
    LocalityKind.PROVINCE: Level.PROVINCE,
    LocalityKind.CITY_PROVINCE: Level.PROVINCE,
    LocalityKind.CITY: Level.DISTRICT,
    LocalityKind.TOWN: Level.DISTRICT,
    LocalityKind.URBAN_DISTRICT: Level.DISTRICT,
    LocalityKind.DISTRICT: Level.DISTRICT,
    LocalityKind.WARD: Level.COMMUNE,
    LocalityKind.COMMUNE: Level.COMMUNE,
    LocalityKind.TOWNSHIP: Level.COMMUNE,
    LocalityKind.SPECIAL_ZONE: Level.COMMUNE,
}

# The word before a unit's name in its official title, where it is not the kind itself:
# a centrally-run city is "Thành phố Hồ Chí Minh".
TITLE_OF_KIND = {LocalityKind.CITY_PROVINCE: LocalityKind.CITY.label}

# The day the district level was abolished and 63 provinces became 34 (Resolution 202/2025/QH15):
# the units of the official dataset before it end the day before.
REORGANISATION_2025 = datetime.date(2025, 7, 1)


def _kind_words() -> dict[str, list[str]]:
    """The words a unit's title starts with, lowercase, and the kinds each names: the official ones ("phường",
    "thành phố", a city or a centrally-run city) and the interface's own ("ward" in English)."""
    words: dict[str, list[str]] = {}
    official = [*COMMUNE_KINDS.items(), *DISTRICT_KINDS.items(), *PROVINCE_KINDS.items()]
    interface = [(str(TITLE_OF_KIND.get(kind, kind.label)), kind) for kind in LocalityKind]
    for word, kind in [*official, *interface]:
        kinds = words.setdefault(word.lower(), [])
        if kind not in kinds:
            kinds.append(kind)
    return words


def split_kind_word(text: str) -> tuple[str, list[str], str]:
    """The kind word `text` starts with as typed, the kinds it names, and the name after it:
    "phường  Tân Khánh" gives ("phường", [ward], "Tân Khánh"); a text without one gives ("", [], text).

    Case does not matter, nor accents left out ("PHUONG Tan Khanh"); a name that only looks like a kind keeps
    its first word ("Phương Liệt", "Tịnh Biên", "Xà Bang"): a word typed with accents must be the kind's own.
    """
    text = " ".join(unicodedata.normalize("NFC", text).split())
    for word, kinds in sorted(_kind_words().items(), key=lambda item: -len(item[0])):
        head = text[: len(word)].lower()
        if len(text) > len(word) and text[len(word)] != " ":
            continue
        if head == word or (head.isascii() and head == fold(word)):
            return text[: len(word)], kinds, text[len(word) + 1 :]
    return "", [], text


def title(kind: str, name: str) -> str:
    """The unit's official title: "Phường Phú Cường", "Thành phố Hồ Chí Minh"."""
    return f"{str(TITLE_OF_KIND.get(kind, LocalityKind(kind).label)).capitalize()} {name}"


class Grading(models.TextChoices):
    RED = "red", _("red zone")
    LOCKED_DOWN = "locked_down", _("locked down")
    ORANGE = "orange", _("orange zone")
    YELLOW = "yellow", _("yellow zone")
    GREEN = "green", _("green zone")


# Gradings under which a locality needs cadres: the "red zones" of 2021.
RED_ZONE_GRADINGS = [Grading.RED, Grading.LOCKED_DOWN]
# From the mildest to the strictest, as the coverage map draws them one over another: a unit formed of
# others starts with the strictest grading in force on them (localities/changes.py).
GRADINGS_BY_STRICTNESS = [Grading.GREEN, Grading.YELLOW, Grading.ORANGE, Grading.RED, Grading.LOCKED_DOWN]


def strictness(grading: str) -> int:
    return GRADINGS_BY_STRICTNESS.index(grading)


class LocalityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisers plan on every locality; supervisors and host localities see their subtree; a sending
        unit the places its cadres are or were sent to; a cadre their own (accounts/roles.py)."""
        # Subqueries, not joins: a cadre sent twice to one place would make it a duplicate row.
        return scoped(
            self,
            user,
            organiser=EVERY_ROW,
            supervisor="pk",
            locality="pk",
            unit=lambda units: Q(pk__in=Locality.objects.filter(assignments__cadre__unit__in=units).values("pk")),
            own=lambda cadre: Q(pk__in=cadre.assignments.values("locality_id")),
        )

    def managed_by(self, user):
        """Organisers grade every locality they may send cadres to."""
        return managed(self, user, EVERY_ROW)

    def valid_on(self, day: datetime.date):
        """Localities that existed on `day` (before a merger or renaming)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def search(self, text: str):
        """By name, today's or an earlier one, ignoring accents and case ("thu dau mot" finds "Thủ Dầu Một"); a
        kind word typed before the name is left out ("Phường Tân Khánh"): a unit's kind may have changed since."""
        typed, _kinds, name = split_kind_word(text)
        if typed and name:
            text = name
        renamed = LocalityChange.objects.filter(search_filter(text, "name_before")).values("locality_id")
        return self.filter(search_filter(text, "name") | Q(pk__in=renamed))

    def subtree(self, locality: "Locality") -> list[int]:
        """Ids of `locality` and every locality under it (three levels at most), a level per query while any.

        Filtering `locality__in=` a list of ids lets the database use the locality index with a
        true row estimate: as a subquery the planner guessed a few hundred rows of a province's
        thousands and joined every assignment first. Each level is an index lookup on the parent
        of a list of ids: nested in one query (a UNION with a subquery for the grandchildren), the
        grandchildren were found by a hash join over every locality (4.3 ms for a district
        nationally, 1.8 ms read level by level); a ward, which has none below, costs one lookup.
        """
        unordered = self.order_by()
        ids = level = [locality.pk]
        for _depth in range(2):
            level = list(unordered.filter(parent__in=level).values_list("pk", flat=True))
            if not level:
                break
            ids = [*ids, *level]
        return ids

    def became(self, ids) -> list[int]:
        """Ids of the communes and wards opened in place of the units `ids` when they ended, and of those
        opened in their place in turn: what a 2021 ward or district is on today's map.

        Only units opened by the change are followed (formed the day after the unit ended): a ward merged into
        one that continues does not hand over that ward's own past. Only communes: the province Bình Dương
        became is the whole of Hồ Chí Minh City, most of it never Bình Dương's. A change of the map moves the
        records' version, so roles read through this are read again.
        """
        reached, level, found = set(ids), list(ids), []
        links = Locality.successors.through.objects.order_by()
        # A few rounds at most: 2021's units became 2023's, then 2025's.
        for _round in range(5):
            rows = links.filter(from_locality_id__in=level, to_locality__level=Level.COMMUNE).values_list(
                "to_locality_id", "to_locality__valid_from", "from_locality__valid_to"
            )
            level = sorted(
                {
                    pk
                    for pk, opened, ended in rows
                    if pk not in reached and opened and ended and opened == ended + datetime.timedelta(days=1)
                }
            )
            if not level:
                break
            reached.update(level)
            found.extend(level)
        return found

    def districts(self):
        return self.filter(level=Level.DISTRICT)

    def communes(self):
        return self.filter(level=Level.COMMUNE)

    def with_grading_on(self, day: datetime.date):
        """Annotate `grading` and `directive` in force on `day` (one query)."""
        current = ZoneStatus.objects.on(day).filter(locality=OuterRef("pk")).order_by("-valid_from")
        return self.annotate(
            grading=Subquery(current.values("grading")[:1]),
            directive=Subquery(current.values("directive")[:1]),
        )

    def red_zone_on(self, day: datetime.date):
        return self.filter(
            zone_statuses__in=ZoneStatus.objects.on(day).filter(grading__in=RED_ZONE_GRADINGS)
        ).distinct()


class Locality(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=LocalityKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent locality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("official code"), max_length=10, blank=True, validators=[single_line])
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Last day before the unit was merged, split or renamed."),
    )
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("succeeded by"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        help_text=_("The units it became: one after a merger or a renaming into a new unit, several after a split."),
    )
    # Official coordinates (WGS 84) of the unit's centre and its bounding box [south, west, north, east],
    # from the dataset of load_admin_units: the coverage map places each commune by them.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    bounds = models.JSONField(_("bounding box"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    objects = LocalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["parent", "level"]), models.Index(fields=["code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="locality_valid_period",
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # The level is a function of the kind; stored so it can be indexed.
        self.level = LEVEL_OF_KIND[self.kind]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        # The enum's label, not get_kind_display(): that rebuilds the choices on every call,
        # and a list page shows a hundred names.
        return title(self.kind, self.name)

    @property
    def ended_after(self) -> datetime.date | None:
        """The first day it no longer exists: since then it is part of its successors."""
        return (
            self.valid_to + datetime.timedelta(days=1) if self.valid_to and self.valid_to < datetime.date.max else None
        )

    def has_ended(self) -> bool:
        """Ended before today: graded no more, changed only on a day of its life (templates ask it too)."""
        return bool(self.valid_to and self.valid_to < timezone.localdate())

    def within_life(self, day: datetime.date | None) -> datetime.date:
        """`day` (today if None), or the unit's first or last day if it falls outside its life."""
        day = day or timezone.localdate()
        if self.valid_to and day > self.valid_to:
            return self.valid_to
        if self.valid_from and day < self.valid_from:
            return self.valid_from
        return day

    def exists_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def open_assignments_after(self, day: datetime.date):
        """Assignments here still running after `day` (a recall shortens ends_on): a unit that ends on `day`
        would leave them pointing at a place that no longer exists on their dates."""
        return self.assignments.filter(ends_on__gt=day)

    def grading_on(self, day: datetime.date) -> "ZoneStatus | None":
        return self.zone_statuses.on(day).order_by("-valid_from").first()

    @transaction.atomic
    def record_grading(
        self,
        *,
        grading: str,
        valid_from: datetime.date,
        directive: str = "",
        note: str = "",
        by=None,
    ) -> "ZoneStatus":
        """Start a new grading on `valid_from`, closing the one in force the day before."""
        new = ZoneStatus(
            locality=self, grading=grading, directive=directive, valid_from=valid_from, note=note, recorded_by=by
        )
        new.clean()  # Within the unit's life.
        day_before = valid_from - datetime.timedelta(days=1)
        open_statuses = self.zone_statuses.select_for_update().filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from), valid_from__lt=valid_from
        )
        for status in open_statuses:
            status.valid_to = day_before
            status.save(update_fields=["valid_to"])
        later = self.zone_statuses.filter(valid_from__gt=valid_from).order_by("valid_from").first()
        # Until the next one, or the unit's end.
        new.valid_to = later.valid_from - datetime.timedelta(days=1) if later else self.valid_to
        new.save()
        return new


def recorded_by() -> models.ForeignKey:
    """Who recorded a grading or a change of the map; kept if their account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def ended_message(locality: Locality, day: datetime.date) -> str:
    """Why nothing is recorded for `locality` on `day`, after its last day: when it ended and what it became."""
    values = {
        "unit": locality.display_name,
        "day": date_format(day, "SHORT_DATE_FORMAT"),
        "end": date_format(locality.valid_to, "SHORT_DATE_FORMAT"),
        "successors": ", ".join(unit.display_name for unit in locality.successors.order_by("name")),
    }
    if values["successors"]:
        return _("%(unit)s no longer exists on %(day)s: it ended on %(end)s and became %(successors)s.") % values
    return _("%(unit)s no longer exists on %(day)s: it ended on %(end)s.") % values


class ZoneStatusQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """In force on `day`: begun, not ended, and its unit still there (a grading left open when its unit
        ended, on 30/06/2025 for every 2021 ward, ends with it)."""
        return (
            self.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .filter(Q(locality__valid_to__isnull=True) | Q(locality__valid_to__gte=day))
        )


class ZoneStatus(models.Model):
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality"), on_delete=models.CASCADE, related_name="zone_statuses"
    )
    grading = models.CharField(_("grading"), max_length=20, choices=Grading.choices)
    directive = models.CharField(
        _("directive in force"),
        max_length=120,
        blank=True,
        help_text=_("e.g. Directive 16/CT-TTg"),
        validators=[single_line],
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2_000, validators=[plain_text])
    recorded_by = recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ZoneStatusQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone status")
        verbose_name_plural = _("zone statuses")
        ordering = ["locality", "-valid_from"]
        indexes = [models.Index(fields=["locality", "valid_from", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="zone_status_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.locality}: {self.get_grading_display()} ({self.valid_from:%d/%m/%Y})"

    @property
    def is_red_zone(self) -> bool:
        return self.grading in RED_ZONE_GRADINGS

    def clean(self):
        """A grading starts on a day of its unit's life: not before it was formed, nor after it ended."""
        super().clean()
        if self.locality_id is None or self.valid_from is None:
            return
        locality = self.locality
        if locality.valid_from and self.valid_from < locality.valid_from:
            message = _("%(locality)s only exists from %(day)s.") % {
                "locality": locality.display_name,
                "day": date_format(locality.valid_from, "SHORT_DATE_FORMAT"),
            }
            raise ValidationError({"valid_from": ValidationError(message, code="before_locality")})
        if locality.valid_to and self.valid_from > locality.valid_to:
            message = ended_message(locality, self.valid_from)
            raise ValidationError({"valid_from": ValidationError(message, code="after_locality")})


class ChangeKind(models.TextChoices):
    RENAME = "rename", _("rename")
    RECLASSIFY = "reclassify", _("change of kind")
    MERGER = "merger", _("merger")
    SPLIT = "split", _("split")


class LocalityChange(models.Model):
    """A dated change of the administrative map that the official dataset does not carry.

    A rename or a change of kind ("Thị xã" to "Thành phố") keeps the unit and its code: the row
    says what the unit was called before `effective_on`, and the unit holds its name since (the
    latest change is the unit's state). A merger or a split ends units the day before and opens
    others, linked as predecessors and successors; the row records which (localities/changes.py).
    """

    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    effective_on = models.DateField(_("in force from"))
    basis = models.CharField(
        _("legal basis"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Nghị quyết 725/NQ-UBTVQH15"),
        validators=[single_line],
    )
    locality = models.ForeignKey(Locality, verbose_name=_("locality"), on_delete=models.CASCADE, related_name="changes")
    name_before = models.CharField(_("name before"), max_length=120, blank=True, validators=[single_line])
    kind_before = models.CharField(_("kind before"), max_length=20, choices=LocalityKind.choices, blank=True)
    name_after = models.CharField(_("name after"), max_length=120, blank=True, validators=[single_line])
    kind_after = models.CharField(_("kind after"), max_length=20, choices=LocalityKind.choices, blank=True)
    closed = models.ManyToManyField(Locality, verbose_name=_("units ended"), blank=True, related_name="+")
    opened = models.ManyToManyField(Locality, verbose_name=_("units opened"), blank=True, related_name="+")
    recorded_by = recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of administrative unit")
        verbose_name_plural = _("changes of administrative units")
        ordering = ["locality", "effective_on"]
        indexes = [models.Index(fields=["locality", "effective_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "effective_on"],
                condition=Q(kind__in=["rename", "reclassify"]),
                name="one_rename_per_unit_and_day",
            ),
        ]

    def __str__(self):
        return f"{self.locality}: {self.get_kind_display()} ({self.effective_on:%d/%m/%Y})"

    @property
    def title_before(self) -> str:
        return title(self.kind_before, self.name_before) if self.kind_before else ""

    @property
    def title_after(self) -> str:
        return title(self.kind_after, self.name_after) if self.kind_after else ""


def as_on(localities, day: datetime.date) -> list[Locality]:
    """`localities` (and their parents, when read with them) named as they were on `day`, in one query.

    A rename or change of kind recorded after `day` means the unit then bore the name and kind
    before it: the earliest such change gives them. The objects are changed in memory only, for
    the page that shows them; none is saved.
    """
    localities = list(localities)
    named_on([(locality, day) for locality in localities])
    return localities


def named_on(places) -> None:
    """Each (locality, day) of `places` named as it was on its own day, parent included, in one query: a list
    of 2021 and 2026 assignments reads each place as it was when the cadre went there (as_on())."""
    every = {}
    for locality, day in places:
        parent = locality.parent if locality.parent_id and Locality.parent.is_cached(locality) else None
        for unit in (locality, parent):
            if unit is not None:
                every.setdefault(unit.pk, []).append((unit, day))
    if not every:
        return
    first_day = min(day for units in every.values() for _unit, day in units)
    later = LocalityChange.objects.filter(
        locality_id__in=list(every), effective_on__gt=first_day, kind__in=[ChangeKind.RENAME, ChangeKind.RECLASSIFY]
    ).order_by("effective_on")
    changes_of = {}
    for change in later.only("locality_id", "name_before", "kind_before", "effective_on"):
        changes_of.setdefault(change.locality_id, []).append(change)
    for pk, units in every.items():
        for unit, day in units:
            # Asked again for another day, a unit starts from the state it was read in.
            current = unit.__dict__.setdefault("_current", (unit.name, unit.kind))
            # The earliest change after the day gives the name and kind borne on it.
            change = next((change for change in changes_of.get(pk, ()) if change.effective_on > day), None)
            unit.name, unit.kind = (change.name_before, change.kind_before) if change else current


@dataclass
class Period:
    """What a unit was called and what it belonged to from `first` to `last` (None: open)."""

    first: datetime.date | None
    last: datetime.date | None
    title: str
    parent: "Locality | None"
    change: LocalityChange | None = None  # The unit's own change that began the period.
    parent_change: LocalityChange | None = None  # Or the rename of the unit above it that did.
    parent_title: str = ""

    @property
    def some_day(self) -> datetime.date | None:
        """A day within the period, to open pages on it (its first, or its last when it has no known start)."""
        return self.first or self.last


def _day_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=1) if day > datetime.date.min else day


def title_on(unit: Locality, changes: list[LocalityChange], day: datetime.date | None) -> str:
    """`unit`'s title on `day` (None: its first day), from its renames and changes of kind in date order."""
    later = next((change for change in changes if day is None or change.effective_on > day), None)
    # The state the unit was read in, even after as_on() named it for another day.
    name, kind = unit.__dict__.get("_current", (unit.name, unit.kind))
    return later.title_before if later else title(kind, name)


def timeline(locality: Locality) -> dict:
    """The unit's periods (renames and changes of kind), its predecessors and successors, and the recorded
    changes that opened and ended it, in a fixed number of queries.

    Each period names the parent as it was called on the period's first day.
    """
    renames = [ChangeKind.RENAME, ChangeKind.RECLASSIFY]
    both = LocalityChange.objects.filter(locality_id__in=[locality.pk, locality.parent_id], kind__in=renames)
    both = list(both.order_by("effective_on"))
    changes = [change for change in both if change.locality_id == locality.pk]
    # The parent renamed during the unit's life starts a period too: "Thị xã Tân Uyên" until 09/04/2023,
    # "Thành phố Tân Uyên" from 10/04/2023, for a commune that kept its own name.
    parent_changes = [change for change in both if change.locality_id == locality.parent_id]
    within = [
        change.effective_on
        for change in parent_changes
        if locality.exists_on(change.effective_on) and change.effective_on != locality.valid_from
    ]
    starts = sorted({*(change.effective_on for change in changes), *within})
    periods = []
    for index, first in enumerate([locality.valid_from, *starts]):
        last = _day_before(starts[index]) if index < len(starts) else locality.valid_to
        periods.append(
            Period(
                first=first,
                last=last,
                title=title_on(locality, changes, first or datetime.date.min),
                parent=locality.parent,
                change=next((change for change in changes if index and change.effective_on == first), None),
                parent_change=next(
                    (change for change in parent_changes if index and change.effective_on == first and first in within),
                    None,
                ),
                parent_title=title_on(locality.parent, parent_changes, first or datetime.date.min)
                if locality.parent_id
                else "",
            )
        )
    links = Locality.successors.through.objects.filter(from_locality_id=locality.pk, to_locality_id=OuterRef("pk"))
    related = list(
        Locality.objects.filter(Q(successors=locality) | Q(predecessors=locality))
        .annotate(is_successor=Exists(links))
        .select_related("parent")
        .order_by("valid_from", "name")
        .distinct()
    )
    ends = LocalityChange.closed.through.objects.filter(localitychange_id=OuterRef("pk"), locality_id=locality.pk)
    recorded = list(
        LocalityChange.objects.filter(Q(opened=locality) | Q(closed=locality)).annotate(ends=Exists(ends)).distinct()
    )
    predecessors = [unit for unit in related if not unit.is_successor]
    return {
        "periods": periods,
        "predecessors": predecessors,
        # Formed from them (they ended the day before it began), or took them in later while it went on.
        "formed_from": [
            unit for unit in predecessors if locality.valid_from and unit.ended_after == locality.valid_from
        ],
        "took_in": [
            unit for unit in predecessors if not (locality.valid_from and unit.ended_after == locality.valid_from)
        ],
        "successors": [unit for unit in related if unit.is_successor],
        "opened_by": next((change for change in recorded if not change.ends), None),
        "ended_by": next((change for change in recorded if change.ends), None),
    }
