"""Who filed a daily note on which day: the grid staff watch during a campaign.

The grid is computed from two queries whatever its size: the assignments of
the page, then the (assignment, day) pairs that have a note in the range, with
when each note was written, to tell the notes filed late.

The page passes the campaigns and assignments the user sees (Model.objects.visible_to(user));
left out, every row.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cadres.models import Assignment, Campaign
from localities.models import Locality
from reports.filters import within_locality
from reports.models import DailyNote, written_late

MAX_DAYS = 31
DEFAULT_DAYS = 14

FILED = "filed"
LATE = "late"  # filed, but written on a later day (see LATE_FILING_DAYS)
MISSING = "missing"
OFF = "off"  # not on mission that day
UPCOMING = "upcoming"  # a day that has not come yet


@dataclass
class ComplianceRow:
    assignment: Assignment
    cells: list[tuple[datetime.date, str]]
    # When each note filed late was written, by day: the cell shows it.
    late_written_at: dict[datetime.date, datetime.datetime] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return sum(1 for _day, state in self.cells if state == MISSING)

    @property
    def filed(self) -> int:
        return sum(1 for _day, state in self.cells if state in (FILED, LATE))


def default_campaign(today: datetime.date, campaigns=None) -> Campaign | None:
    """The campaign running today, else the one that started last."""
    campaigns = Campaign.objects.all() if campaigns is None else campaigns
    running = campaigns.running_on(today).order_by("-starts_on", "-pk").first()
    return running or campaigns.order_by("-starts_on", "-pk").first()


def default_range(campaign: Campaign | None, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 14 days up to today; for a campaign that is over, its last 14 days."""
    end = today
    if campaign is not None and campaign.ends_on < today:
        end = campaign.ends_on
    start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if campaign is not None and campaign.starts_on <= end:
        start = max(start, campaign.starts_on)
    return start, end


def days_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)]


def grid_assignments(
    *,
    campaign: Campaign,
    start: datetime.date,
    end: datetime.date,
    locality: Locality | None = None,
    assignments: QuerySet | None = None,
) -> QuerySet:
    """Assignments of the campaign that are on mission for at least one day of the range."""
    assignments = Assignment.objects.all() if assignments is None else assignments
    assignments = (
        assignments.filter(campaign=campaign)
        .overlapping(start, end)
        .select_related("cadre__unit", "locality__parent")
        .order_by("locality__parent__name", "locality__name", "cadre__full_name", "pk")
    )
    return within_locality(assignments, "locality", locality)


def compliance_rows(
    assignments, *, start: datetime.date, end: datetime.date, today: datetime.date
) -> list[ComplianceRow]:
    assignments = list(assignments)
    notes = DailyNote.objects.filter(assignment__in=[a.pk for a in assignments], day__range=(start, end)).values_list(
        "assignment_id", "day", "written_at", "created_at"
    )
    # As DailyNote.written: notes from before the phone's time was recorded count as written when they arrived.
    written = {(assignment_id, day): written_at or created_at for assignment_id, day, written_at, created_at in notes}
    days = days_between(start, end)
    rows = []
    for assignment in assignments:
        cells = []
        late = {}
        for day in days:
            if not assignment.is_active_on(day):
                state = OFF
            elif (assignment.pk, day) in written:
                state = FILED
                if written_late(day, written[assignment.pk, day]):
                    state = LATE
                    late[day] = written[assignment.pk, day]
            elif day > today:
                state = UPCOMING
            else:
                state = MISSING
            cells.append((day, state))
        rows.append(ComplianceRow(assignment=assignment, cells=cells, late_written_at=late))
    return rows


def not_filed_on(
    *, campaign: Campaign, day: datetime.date, locality: Locality | None = None, assignments: QuerySet | None = None
) -> QuerySet:
    """Assignments on mission on `day` with no note for that day."""
    assignments = Assignment.objects.all() if assignments is None else assignments
    assignments = (
        assignments.filter(campaign=campaign)
        .active_on(day)
        .exclude(notes__day=day)
        .select_related("cadre", "locality__parent")
        # A list of names to call: only what it shows (hundreds of rows in a province).
        .only(
            "cadre__full_name",
            "cadre__phone",
            "locality__kind",
            "locality__name",
            "locality__parent__kind",
            "locality__parent__name",
        )
        .order_by("locality__parent__name", "locality__name", "cadre__full_name")
    )
    return within_locality(assignments, "locality", locality)
