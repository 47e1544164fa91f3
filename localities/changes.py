"""Changes of the administrative map on a date: a rename or change of kind, a merger, a split.

Each change is first planned (`plan_*`): the plan says which units it ends the day before, which
it opens, and what stops it. The staff page shows the plan as a preview; `apply()` records it
in one transaction after checking it again. A change is refused when it would leave an
assignment pointing at a unit that no longer exists on its dates.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from localities.models import (
    LEVEL_OF_KIND,
    ChangeKind,
    Level,
    Locality,
    LocalityChange,
    LocalityKind,
    ZoneStatus,
    ended_message,
    split_kind_word,
    strictness,
    title,
)
from shared.vietnamese import fold

# Changes are recorded from the founding of the state's administration; far later dates are typing mistakes.
EARLIEST_CHANGE = datetime.date(1945, 9, 2)
LATEST_CHANGE = datetime.date(2100, 12, 31)


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@dataclass
class NewUnit:
    name: str
    kind: str
    code: str = ""


@dataclass
class Plan:
    kind: str
    effective_on: datetime.date
    locality: Locality
    basis: str = ""
    # Rename or change of kind: the unit's title before and after.
    name_after: str = ""
    kind_after: str = ""
    # Merger or split: the units that end the day before, the unit that absorbs the others (a merger into
    # an existing unit), and the units opened on the day.
    closing: list[Locality] = field(default_factory=list)
    continuing: Locality | None = None
    opening: list[NewUnit] = field(default_factory=list)
    # The strictest grading in force on the effective day on the units that end (None: none had one), which
    # the units opened start with; and the grading the unit that continues has of its own that day.
    carried: ZoneStatus | None = None
    own: ZoneStatus | None = None
    problems: list = field(default_factory=list)  # Messages, or ValidationErrors carrying a link.

    @property
    def last_day(self) -> datetime.date:
        return self.effective_on - datetime.timedelta(days=1)

    @property
    def title_before(self) -> str:
        return self.locality.display_name

    @property
    def title_after(self) -> str:
        return title(self.kind_after, self.name_after)

    @property
    def opening_titles(self) -> list[str]:
        return [title(unit.kind, unit.name) for unit in self.opening]

    @property
    def continuing_takes_carried(self) -> bool:
        """The unit that continues keeps its own grading unless one of the units that end had a stricter one."""
        return self.carried is not None and (
            self.own is None or strictness(self.carried.grading) > strictness(self.own.grading)
        )

    @property
    def gradings_after(self) -> list["GradingAfter"]:
        """The grading of each unit opened, or of the one that continues, from the effective day."""
        if self.continuing is not None:
            if self.continuing_takes_carried:
                return [GradingAfter(self.continuing.display_name, self.carried, carried=True)]
            return [GradingAfter(self.continuing.display_name, self.own, carried=False)]
        return [GradingAfter(name, self.carried, carried=True) for name in self.opening_titles]


@dataclass
class GradingAfter:
    """What the preview says of a unit's grading from the day: `status` is carried over from a unit that ends
    (`carried`), or the unit's own that stays, or None: no grading."""

    unit: str
    status: ZoneStatus | None
    carried: bool


def _kind_of_word(kinds: list[str]) -> str:
    """The kind a unit opened takes from the word before its name: a commune's, where the word names several."""
    return next((kind for kind in kinds if LEVEL_OF_KIND[kind] == Level.COMMUNE), kinds[0] if kinds else "")


def _typed_name(text: str, kind: str, problems: list[str]) -> tuple[str, str]:
    """The name typed without the kind word before it ("Phường Tân Khánh" is named "Tân Khánh"), and the kind:
    `kind`, or the word's when `kind` is empty. A word of another kind than `kind` is refused, not dropped."""
    typed, kinds, name = split_kind_word(text)
    if not typed:
        return name, kind
    if not name:
        problems.append(_("“%(typed)s” is a kind, not a name: type the name.") % {"typed": typed})
        return "", kind
    if kind and kind not in kinds:
        problems.append(
            _("“%(typed)s” starts with “%(word)s”, but the unit will be a %(kind)s: type the name alone.")
            % {"typed": text.strip(), "word": typed, "kind": LocalityKind(kind).label}
        )
    return name, kind or _kind_of_word(kinds)


def parse_units(text: str, default_kind: str) -> list[NewUnit]:
    """The communes written one per line, "Phường Tân Khánh" or "Tân Khánh" (then of `default_kind`).

    The kind is read from the official word (Phường, Xã, Thị trấn, Đặc khu) or the interface's own (Ward...).
    """
    units = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        typed, kinds, name = split_kind_word(line)
        if typed and name:
            units.append(NewUnit(name=name, kind=_kind_of_word(kinds)))
        elif typed:
            # A kind word alone names nothing: without a kind, _check_plan() refuses it.
            units.append(NewUnit(name=line, kind=""))
        else:
            units.append(NewUnit(name=line, kind=default_kind))
    return units


def _check_exists(locality: Locality, day: datetime.date, problems: list[str]) -> None:
    if locality.valid_to and day > locality.valid_to:
        # A unit that ended is changed on a day of its life: the message says when it ended and what it became.
        problems.append(ended_message(locality, day))
    elif not locality.exists_on(day):
        problems.append(_("%(unit)s does not exist on %(day)s.") % {"unit": locality.display_name, "day": _day(day)})


def _check_closing(plan: Plan) -> None:
    """The units ended must exist on both sides of the date, have no unit beneath them from the date on, and
    no assignment running past their last day."""
    for unit in plan.closing:
        _check_exists(unit, plan.last_day, plan.problems)
        _check_exists(unit, plan.effective_on, plan.problems)
        if Locality.objects.filter(parent=unit).valid_on(plan.effective_on).exists():
            plan.problems.append(
                _("Units beneath %(unit)s still exist on %(day)s: record their changes first.")
                % {"unit": unit.display_name, "day": _day(plan.effective_on)}
            )
        for assignment in unit.open_assignments_after(plan.last_day).select_related("cadre").order_by("starts_on"):
            problem = _(
                "%(cadre)s is assigned to %(unit)s until %(end)s: end, move or recall that assignment before "
                "the unit ends on %(day)s."
            ) % {
                "cadre": assignment.cadre.full_name,
                "unit": unit.display_name,
                "end": _day(assignment.ends_on),
                "day": _day(plan.last_day),
            }
            # The form's error links the assignment (templates/_error.html); the text is final, hence the %%.
            plan.problems.append(
                ValidationError(problem.replace("%", "%%"), params={"assignment_url": assignment.get_absolute_url()})
            )
        # A grading starts within its unit's life (ZoneStatus.clean): none may start after the last day.
        for status in unit.zone_statuses.filter(valid_from__gt=plan.last_day).order_by("valid_from"):
            plan.problems.append(
                _(
                    "%(unit)s is graded %(grading)s from %(day)s, after its last day %(end)s: record the change from "
                    "a later day, or have that grading removed first."
                )
                % {
                    "unit": unit.display_name,
                    "grading": status.get_grading_display(),
                    "day": _day(status.valid_from),
                    "end": _day(plan.last_day),
                }
            )


def plan_rename(
    locality: Locality, *, effective_on: datetime.date, name: str = "", kind: str = "", basis: str = ""
) -> Plan:
    """The unit keeps its code and its records; from `effective_on` it bears `name` and `kind`."""
    problems = []
    if name:
        name, _kind = _typed_name(name, kind or locality.kind, problems)
    plan = Plan(
        kind=ChangeKind.RECLASSIFY if kind and kind != locality.kind else ChangeKind.RENAME,
        effective_on=effective_on,
        locality=locality,
        basis=basis,
        name_after=name or locality.name,
        kind_after=kind or locality.kind,
        problems=problems,
    )
    if problems:
        return plan
    if not EARLIEST_CHANGE <= effective_on <= LATEST_CHANGE:
        plan.problems.append(
            _("A change is recorded between %(first)s and %(last)s.")
            % {"first": _day(EARLIEST_CHANGE), "last": _day(LATEST_CHANGE)}
        )
        return plan
    if not name and not kind:
        plan.problems.append(_("Type the new name, or choose the new kind."))
    elif plan.name_after == locality.name and plan.kind_after == locality.kind:
        plan.problems.append(_("The name and the kind are those the unit already has."))
    try:
        Locality._meta.get_field("name").clean(plan.name_after, None)
    except ValidationError as error:
        plan.problems.extend(error.messages)
    if LEVEL_OF_KIND[plan.kind_after] != locality.level:
        plan.problems.append(
            _("A %(kind)s is not at the level of %(unit)s: a unit changes its kind within its level.")
            % {"kind": LocalityKind(plan.kind_after).label, "unit": locality.display_name}
        )
    if effective_on > timezone.localdate():
        plan.problems.append(_("Record a rename or change of kind from the day it takes effect, not before."))
    _check_exists(locality, effective_on, plan.problems)
    if locality.valid_from and effective_on <= locality.valid_from:
        plan.problems.append(
            _("%(unit)s starts on %(day)s: a change is recorded after its first day.")
            % {"unit": locality.display_name, "day": _day(locality.valid_from)}
        )
    later = locality.changes.filter(
        effective_on__gte=effective_on, kind__in=[ChangeKind.RENAME, ChangeKind.RECLASSIFY]
    ).first()
    if later:
        plan.problems.append(
            _("A change from %(day)s is already recorded: record changes in the order of their dates.")
            % {"day": _day(later.effective_on)}
        )
    return plan


def plan_merger(
    locality: Locality,
    others: list[Locality],
    *,
    effective_on: datetime.date,
    into: Locality | None = None,
    new_unit: NewUnit | None = None,
    basis: str = "",
) -> Plan:
    """`locality` and `others` become one unit: `into` (one of them, or a sibling named as the unit they
    join, which continues with its own name: a name, kind or code typed for a new unit is refused with it) or
    a new unit, whose kind is `new_unit.kind`, or the word typed before its name, or `locality`'s."""
    merged = _distinct([locality, *others, *([into] if into else [])])
    plan = Plan(kind=ChangeKind.MERGER, effective_on=effective_on, locality=locality, basis=basis)
    if len(merged) < 2:
        plan.problems.append(_("A merger joins at least two units: choose the others."))
    if into is not None:
        plan.continuing = into
        plan.closing = [unit for unit in merged if unit.pk != into.pk]
        if new_unit is not None and (new_unit.name or new_unit.kind or new_unit.code):
            plan.problems.append(
                _(
                    "%(unit)s continues with its own name, kind and code: leave the new unit's fields empty, or "
                    "choose a new unit. A rename of %(unit)s is recorded on its own page."
                )
                % {"unit": into.display_name}
            )
    else:
        plan.closing = merged
        name, kind = _typed_name(new_unit.name, new_unit.kind, plan.problems) if new_unit else ("", "")
        if not name:
            if not plan.problems:
                plan.problems.append(_("Name the unit they become, or choose the one that absorbs the others."))
        else:
            plan.opening = [NewUnit(name, kind or locality.kind, new_unit.code)]
    _check_level(plan, merged)
    _check_plan(plan)
    return plan


def plan_split(locality: Locality, parts: list[NewUnit], *, effective_on: datetime.date, basis: str = "") -> Plan:
    """`locality` ends the day before; `parts` open on `effective_on`, each a successor."""
    plan = Plan(kind=ChangeKind.SPLIT, effective_on=effective_on, locality=locality, basis=basis)
    plan.closing = [locality]
    plan.opening = parts
    if len(parts) < 2:
        plan.problems.append(_("A split gives at least two units: name each on a line."))
    if len(parts) > MAX_PARTS:
        plan.problems.append(_("A split gives at most %(count)s units.") % {"count": MAX_PARTS})
    _check_level(plan, [locality])
    _check_plan(plan)
    return plan


def _plan_gradings(plan: Plan) -> None:
    """The strictest grading in force on the effective day on the units that end, which the units opened
    start with (and the unit that continues, if stricter than its own): red beats orange, orange yellow."""
    order = {unit.pk: index for index, unit in enumerate(plan.closing)}
    statuses = sorted(
        ZoneStatus.objects.on(plan.effective_on).filter(locality__in=list(order)).select_related("locality"),
        key=lambda status: (-strictness(status.grading), order[status.locality_id], -status.valid_from.toordinal()),
    )
    plan.carried = statuses[0] if statuses else None
    plan.own = plan.continuing.grading_on(plan.effective_on) if plan.continuing is not None else None


# More units than any split of a commune has given; a longer list is a mistake, not a reorganisation.
MAX_PARTS = 30


def _distinct(units: list[Locality]) -> list[Locality]:
    return list({unit.pk: unit for unit in units}.values())


def _check_plan(plan: Plan) -> None:
    """The dates can be computed, the unit that continues exists on both sides, the units opened are named
    as a unit may be and not as another unit of the place that day."""
    if not EARLIEST_CHANGE <= plan.effective_on <= LATEST_CHANGE:
        plan.problems.append(
            _("A change is recorded between %(first)s and %(last)s.")
            % {"first": _day(EARLIEST_CHANGE), "last": _day(LATEST_CHANGE)}
        )
        return
    if plan.continuing is not None:
        _check_exists(plan.continuing, plan.last_day, plan.problems)
        _check_exists(plan.continuing, plan.effective_on, plan.problems)
    _check_closing(plan)
    _plan_gradings(plan)
    name_field = Locality._meta.get_field("name")
    taken = {
        fold(name)
        for name in Locality.objects.filter(parent_id=plan.locality.parent_id, level=plan.locality.level)
        .valid_on(plan.effective_on)
        .exclude(pk__in=[unit.pk for unit in plan.closing])
        .values_list("name", flat=True)
    }
    seen = set()
    for unit in plan.opening:
        if not unit.kind:  # parse_units(): a kind word alone on its line.
            plan.problems.append(_("“%(typed)s” is a kind, not a name: type the name.") % {"typed": unit.name})
            continue
        try:
            name_field.clean(unit.name, None)
        except ValidationError as error:
            plan.problems.extend(f"{unit.name[:60]}: {message}" for message in error.messages)
            continue
        if fold(unit.name) in taken or fold(unit.name) in seen:
            plan.problems.append(
                _("%(unit)s would exist twice in the same place on %(day)s.")
                % {"unit": title(unit.kind, unit.name), "day": _day(plan.effective_on)}
            )
        seen.add(fold(unit.name))


def _check_level(plan: Plan, units: list[Locality]) -> None:
    if any(unit.level != Level.COMMUNE for unit in units):
        plan.problems.append(
            _("Mergers and splits are recorded here for communes and wards; those of districts and provinces in "
              "administration.")
        )  # fmt: skip
    for unit in plan.opening:
        if LEVEL_OF_KIND.get(unit.kind) != Level.COMMUNE:
            plan.problems.append(_("The units opened are communes, wards, townships or special zones."))
            break


@transaction.atomic
def apply(plan: Plan, *, by=None) -> LocalityChange:
    """Record `plan`, checked again under a lock of the units it changes; ValidationError if it no longer holds."""
    involved = [plan.locality, *plan.closing, *([plan.continuing] if plan.continuing else [])]
    fresh = {unit.pk: unit for unit in Locality.objects.select_for_update().filter(pk__in=[u.pk for u in involved])}
    plan.locality = fresh[plan.locality.pk]
    plan.closing = [fresh[unit.pk] for unit in plan.closing]
    plan.continuing = fresh[plan.continuing.pk] if plan.continuing else None
    if plan.kind in (ChangeKind.RENAME, ChangeKind.RECLASSIFY):
        plan.problems = plan_rename(
            plan.locality,
            effective_on=plan.effective_on,
            name=plan.name_after,
            kind=plan.kind_after,
            basis=plan.basis,
        ).problems
    else:
        plan.problems = []
        _check_plan(plan)
    if plan.problems:
        raise ValidationError(plan.problems)
    if plan.kind in (ChangeKind.RENAME, ChangeKind.RECLASSIFY):
        return record_rename(
            plan.locality,
            effective_on=plan.effective_on,
            name=plan.name_after,
            kind=plan.kind_after,
            basis=plan.basis,
            by=by,
        )
    return _record_merger_or_split(plan, by)


def _record_merger_or_split(plan: Plan, by) -> LocalityChange:
    """The units closed end the day before; the units opened (or the one that continues) succeed them, and
    take over what the closed units became later (the reorganisation of 01/07/2025): the opened units end
    when the closed ones were to end."""
    change = LocalityChange.objects.create(
        kind=plan.kind, effective_on=plan.effective_on, locality=plan.locality, basis=plan.basis, recorded_by=by
    )
    ends = [unit.valid_to for unit in plan.closing]
    valid_to = min(ends) if ends and all(ends) else None
    opened = []
    for unit in plan.opening:
        new = Locality(
            name=unit.name,
            kind=unit.kind,
            code=unit.code,
            parent=plan.locality.parent,
            valid_from=plan.effective_on,
            valid_to=valid_to,
            **_centre([*plan.closing, *([plan.continuing] if plan.continuing else [])]),
        )
        new.full_clean(exclude=["parent", "successors"])
        new.save()
        opened.append(new)
    successors = opened or [plan.continuing]
    for unit in plan.closing:
        later = list(unit.successors.filter(valid_from__gt=plan.effective_on))
        if later:
            unit.successors.remove(*later)
            for successor in successors:
                if successor.valid_to is not None or successor in opened:
                    successor.successors.add(*later)
        unit.valid_to = plan.last_day
        unit.save(update_fields=["valid_to"])
        unit.successors.add(*successors)
        # Its gradings end with it.
        unit.zone_statuses.filter(valid_from__lte=plan.last_day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=plan.last_day)
        ).update(valid_to=plan.last_day)
    if plan.carried is not None:
        for unit in opened:
            _carry_grading(unit, plan, by)
        if plan.continuing is not None and plan.continuing_takes_carried:
            _carry_grading(plan.continuing, plan, by, own=plan.own)
    change.closed.set(plan.closing)
    change.opened.set(opened)
    return change


def _carry_grading(unit: Locality, plan: Plan, by, own: ZoneStatus | None = None) -> ZoneStatus:
    """`unit` graded from the effective day as `plan.carried` was (until that grading was to end, within the
    unit's life), noted as carried over. `own`, the grading it had of its own that day, gives way; if the
    carried grading ends first, it resumes the day after, until it was to end."""
    source = plan.carried
    end = min((day for day in (source.valid_to, unit.valid_to) if day is not None), default=None)
    values = {
        "unit": source.locality.display_name,
        "change": ChangeKind(plan.kind).label,
        "day": _day(plan.effective_on),
    }
    if plan.basis:
        note = _("Carried over from %(unit)s by the %(change)s in force from %(day)s (%(basis)s).") % {
            **values,
            "basis": plan.basis,
        }
    else:
        note = _("Carried over from %(unit)s by the %(change)s in force from %(day)s.") % values
    own_values = (own.grading, own.directive, own.note, own.valid_to) if own is not None else None
    if own is not None and own.valid_from == plan.effective_on:
        # Its own grading of that very day becomes the stricter one.
        own.grading, own.directive, own.note, own.recorded_by = source.grading, source.directive, note, by
        status = own
    else:
        status = unit.record_grading(
            grading=source.grading, valid_from=plan.effective_on, directive=source.directive, note=note, by=by
        )
    if end is not None and (status.valid_to is None or status.valid_to > end):
        status.valid_to = end
    status.save()
    if own_values is not None and status.valid_to is not None:
        grading, directive, own_note, own_end = own_values
        if own_end is None or own_end > status.valid_to:
            ZoneStatus.objects.create(
                locality=unit,
                grading=grading,
                directive=directive,
                note=own_note,
                valid_from=status.valid_to + datetime.timedelta(days=1),
                valid_to=own_end,
                recorded_by=by,
            )
    return status


def _centre(units: list[Locality]) -> dict:
    """The mean of the units' coordinates: where the coverage map places a unit made of them."""
    placed = [unit for unit in units if unit.latitude is not None and unit.longitude is not None]
    if not placed:
        return {}
    return {
        "latitude": sum(unit.latitude for unit in placed) / len(placed),
        "longitude": sum(unit.longitude for unit in placed) / len(placed),
    }


def record_rename(
    locality: Locality,
    *,
    effective_on: datetime.date,
    name: str = "",
    kind: str = "",
    basis: str = "",
    by=None,
    kind_before: str = "",
    name_before: str = "",
) -> LocalityChange:
    """From `effective_on` the unit bears `name` and `kind`; what it bore before is kept on the change.

    `kind_before` and `name_before` record a change the unit already shows (the official dataset gives a
    unit as it stood in 2025: the demo records that it was a town in 2021).
    """
    change = LocalityChange(
        kind=ChangeKind.RECLASSIFY if (kind_before or locality.kind) != (kind or locality.kind) else ChangeKind.RENAME,
        effective_on=effective_on,
        locality=locality,
        basis=basis,
        name_before=name_before or locality.name,
        kind_before=kind_before or locality.kind,
        name_after=name or locality.name,
        kind_after=kind or locality.kind,
        recorded_by=by,
    )
    change.full_clean(exclude=["locality", "recorded_by"])
    change.save()
    if (locality.name, locality.kind) != (change.name_after, change.kind_after):
        locality.name, locality.kind = change.name_after, change.kind_after
        locality.save(update_fields=["name", "kind", "level"])
    return change
