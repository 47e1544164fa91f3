"""Who is where on a given day: the figures of the staff dashboard and of a campaign's page.

Every figure is counted the way the list it links to counts, so that following
a number never shows a different one (see tests/cadres/test_dashboard.py).

The figures count the `assignments`, `localities` and `campaigns` they are given:
the pages pass what the user sees (Model.objects.visible_to(user)); left out, every row.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cadres.models import Assignment, AssignmentStatus, Campaign, ProvincialUnit, Quota, places_as_they_were
from localities.models import RED_ZONE_GRADINGS, Grading, Level, Locality, as_on

ENDING_SOON_DAYS = 3
# The dashboard lists only the first few of a long list; the figure links to all of them.
UNCOVERED_SHOWN = 50
ENDING_SOON_SHOWN = 8
# A chart wider than this many days would be unreadable; a longer period is cut around the chosen day.
CHART_MAX_DAYS = 400


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as one column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _ids(queryset):
    return queryset.order_by().values("pk")


@dataclass
class DistrictRow:
    district: Locality
    grading: str | None
    wards: int
    wards_covered: int
    red_zone_wards: int
    cadres_present: int

    @property
    def is_red_zone(self) -> bool:
        return self.grading in RED_ZONE_GRADINGS

    @property
    def grading_label(self) -> str:
        return Grading(self.grading).label if self.grading else ""


@dataclass
class Coverage:
    day: datetime.date
    cadres_on_mission: int
    units_sending: int
    localities_covered: int
    red_zone_wards: int
    red_zone_wards_covered: int
    uncovered_count: int
    uncovered_red_zone_wards: list[Locality]
    ending_soon_count: int
    ending_soon: list[Assignment]
    districts: list[DistrictRow] = field(default_factory=list)
    # On mission without an arrival confirmed by the host locality (AssignmentQuerySet.arrival_missing_on).
    arrivals_unconfirmed: int = 0

    @property
    def ending_soon_days(self) -> int:
        return ENDING_SOON_DAYS


def cadres_present(assignments, day: datetime.date, *where: Q) -> Coalesce:
    """How many different cadres of `assignments` are on mission on `day` in the places `where` selects (a subquery)."""
    present = (
        assignments.active_on(day)
        .filter(*where)
        .order_by()
        .annotate(together=Value(1))
        .values("together")
        .annotate(n=Count("cadre_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(present, output_field=IntegerField()), 0)


def red_zone_wards_on(day: datetime.date, localities=None):
    """Communes and wards graded red or locked down on `day` (as the locality list counts them)."""
    localities = Locality.objects.all() if localities is None else localities
    return localities.filter(level=Level.COMMUNE, pk__in=Locality.objects.valid_on(day).red_zone_on(day).values("pk"))


def coverage_on(day: datetime.date, *, assignments=None, localities=None) -> Coverage:
    assignments = Assignment.objects.all() if assignments is None else assignments
    # A recall shortens ends_on, so the dates alone say who is there.
    active = assignments.active_on(day)
    covered = active.values("locality_id")
    red_wards = red_zone_wards_on(day, localities)
    uncovered = red_wards.exclude(pk__in=covered)
    ending = assignments.ending_within(day, ENDING_SOON_DAYS)
    red_count = red_wards.count()
    uncovered_count = uncovered.count()
    return Coverage(
        day=day,
        cadres_on_mission=active.values("cadre_id").distinct().count(),
        units_sending=active.values("cadre__unit_id").distinct().count(),
        localities_covered=active.values("locality_id").distinct().count(),
        red_zone_wards=red_count,
        red_zone_wards_covered=red_count - uncovered_count,
        uncovered_count=uncovered_count,
        uncovered_red_zone_wards=as_on(
            uncovered.select_related("parent").order_by("parent__name", "name")[:UNCOVERED_SHOWN], day
        ),
        ending_soon_count=ending.count(),
        ending_soon=places_as_they_were(
            ending.select_related("cadre", "locality__parent").order_by("ends_on", "cadre__full_name")[
                :ENDING_SOON_SHOWN
            ]
        ),
        districts=district_rows(day, assignments=assignments, localities=localities),
        arrivals_unconfirmed=assignments.arrival_missing_on(day).count(),
    )


def _per_district(queryset, district_path: str, count) -> dict[int, int]:
    """{district id: count} of `queryset` grouped by `district_path`, in one query."""
    rows = queryset.order_by().values(district_path).annotate(n=count).values_list(district_path, "n")
    return dict(rows)


def district_rows(day: datetime.date, *, assignments=None, localities=None) -> list[DistrictRow]:
    """Each district (each province since 01/07/2025: the unit above the communes of `day`) where something
    happens on `day`: red zone, red-zone wards, or cadres present.

    Five grouped queries whatever the number of districts (700 nationally): one
    pass over each table rather than a correlated subquery per district.
    """
    assignments = Assignment.objects.all() if assignments is None else assignments
    localities = Locality.objects.all() if localities is None else localities
    active = assignments.active_on(day)
    # The communes of the day, under their districts in 2021 and under their provinces since 01/07/2025:
    # a row for each unit above them.
    communes = localities.filter(level=Level.COMMUNE).valid_on(day)
    ward_counts = _per_district(communes, "parent_id", Count("pk"))
    covered_counts = _per_district(communes.filter(pk__in=active.values("locality_id")), "parent_id", Count("pk"))
    red_counts = _per_district(red_zone_wards_on(day, localities), "parent_id", Count("pk"))
    # A cadre is present in a district when assigned to it or to one of its wards.
    present = active.annotate(
        district_id=Case(
            When(locality__level__lt=Level.COMMUNE, then=F("locality_id")),
            default=F("locality__parent_id"),
        )
    )
    present_counts = _per_district(present, "district_id", Count("cadre_id", distinct=True))
    # The units above the communes the user sees, whether or not they see the unit itself: a role on Bình
    # Dương sees its former communes' wards, now in Hồ Chí Minh City, under a row for the city (their page is
    # not theirs to open: `linked` says whether it is).
    districts = (
        Locality.objects.filter(pk__in=communes.order_by().values("parent_id"))
        .with_grading_on(day)
        .annotate(linked=Exists(localities.filter(pk=OuterRef("pk"))))
        .select_related("parent")
    )
    rows = [
        DistrictRow(
            district=district,
            grading=district.grading,
            wards=ward_counts.get(district.pk, 0),
            wards_covered=covered_counts.get(district.pk, 0),
            red_zone_wards=red_counts.get(district.pk, 0),
            cadres_present=present_counts.get(district.pk, 0),
        )
        for district in as_on(districts.order_by("parent__name", "name"), day)
    ]
    return [row for row in rows if row.is_red_zone or row.red_zone_wards or row.cadres_present]


# Campaigns ----------------------------------------------------------------


def campaigns_for_chart(day: datetime.date, *, campaigns=None, assignments=None) -> list[Campaign]:
    """The campaigns whose dates the chart spans: those running on `day` (by their dates, or with a
    cadre on mission that day), the largest first; if none, the most recent one that started before it.

    Each carries `last_day`: the later of its end and its last assignment's end (an assignment may be extended).
    """
    campaigns = Campaign.objects.all() if campaigns is None else campaigns
    assignments = Assignment.objects.all() if assignments is None else assignments
    running = list(
        (campaigns.running_on(day) | campaigns.filter(pk__in=assignments.active_on(day).values("campaign_id")))
        .annotate(size=Count("assignments"), last_assignment_day=Max("assignments__ends_on"))
        .order_by("-size", "-starts_on", "name")
    )
    if not running:
        latest = (
            campaigns.filter(starts_on__lte=day)
            .annotate(last_assignment_day=Max("assignments__ends_on"))
            .order_by("-ends_on", "-starts_on")
            .first()
        )
        running = [latest] if latest else []
    for campaign in running:
        campaign.last_day = max(campaign.ends_on, campaign.last_assignment_day or campaign.ends_on)
    return running


def chart_period(campaigns: list[Campaign], day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first campaign's start to the last one's end, with `day` inside when a campaign runs on it.

    At most CHART_MAX_DAYS days, around `day`.
    """
    first = min(campaign.starts_on for campaign in campaigns)
    last = max(campaign.last_day for campaign in campaigns)
    if any(campaign.starts_on <= day <= campaign.last_day for campaign in campaigns):
        first, last = min(first, day), max(last, day)
    if (last - first).days >= CHART_MAX_DAYS:
        centre = min(max(day, first), last)
        first = max(first, centre - datetime.timedelta(days=CHART_MAX_DAYS // 2))
        last = min(last, first + datetime.timedelta(days=CHART_MAX_DAYS - 1))
    return first, last


def cadres_per_day(first: datetime.date, last: datetime.date, assignments=None) -> list[tuple[datetime.date, int]]:
    """Cadres on mission each day from `first` to `last`, every campaign together: the dashboard's
    "cadres on mission" for each of those days.

    A cadre is never in two places on one day (Assignment.clean_overlap, and the exclusion constraint on
    PostgreSQL), so the assignments of a day are its cadres. One aggregate query: assignments grouped by
    their date range (there are few distinct ranges), then the ranges are swept day by day in Python.
    """
    assignments = Assignment.objects.all() if assignments is None else assignments
    ranges = (
        assignments.overlapping(first, last)
        .order_by()
        .values("starts_on", "ends_on")
        .annotate(cadres=Count("pk"))
        .values_list("starts_on", "ends_on", "cadres")
    )
    length = (last - first).days + 1
    change = [0] * (length + 1)
    for starts_on, ends_on, cadres in ranges:
        change[max((starts_on - first).days, 0)] += cadres
        change[min((ends_on - first).days, length - 1) + 1] -= cadres
    series, running = [], 0
    for offset in range(length):
        running += change[offset]
        series.append((first + datetime.timedelta(days=offset), running))
    return series


@dataclass
class CampaignProgress:
    days_total: int
    days_elapsed: int
    planned: int
    active: int
    completed: int
    recalled: int

    @property
    def assignments(self) -> int:
        return self.planned + self.active + self.completed + self.recalled

    @property
    def percent_elapsed(self) -> int:
        return round(100 * self.days_elapsed / self.days_total) if self.days_total else 0


def campaign_progress(campaign: Campaign, day: datetime.date | None = None, *, assignments=None) -> CampaignProgress:
    """Days elapsed and the assignments (of `assignments`, default all) by status on `day`, in one aggregate query.

    The status is that of AssignmentQuerySet.with_status(), so the counts equal those
    of the assignment list filtered by status. A recalled assignment counts as recalled
    whatever the day, even on the days it was on mission (AssignmentQuerySet.active_on()).
    """
    day = day or timezone.localdate()
    assignments = Assignment.objects.all() if assignments is None else assignments
    counts = (
        assignments.filter(campaign=campaign)
        .with_status(day)
        .aggregate(**{status.value: Count("pk", filter=Q(status_on=status)) for status in AssignmentStatus})
    )
    days_total = (campaign.ends_on - campaign.starts_on).days + 1
    days_elapsed = min(max((day - campaign.starts_on).days + 1, 0), days_total)
    return CampaignProgress(days_total=days_total, days_elapsed=days_elapsed, **counts)


def campaign_span(campaign: Campaign) -> tuple[datetime.date | None, datetime.date | None]:
    span = campaign.assignments.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    return span["first"], span["last"]


@dataclass
class QuotaRow:
    unit: ProvincialUnit
    locality: Locality | None
    asked: int
    sent: int

    @property
    def missing(self) -> int:
        return max(self.asked - self.sent, 0)

    @property
    def is_met(self) -> bool:
        return self.sent >= self.asked


def _sent_by_unit(campaign_ref, unit_ref, assignments=None):
    """Assignments (of `assignments`, default all) of the campaign held by cadres of the unit or of its departments."""
    assignments = Assignment.objects.all() if assignments is None else assignments
    return assignments.filter(campaign=campaign_ref).filter(Q(cadre__unit=unit_ref) | Q(cadre__unit__parent=unit_ref))


def quota_rows(campaign: Campaign, *, quotas=None, units=None, assignments=None) -> list[QuotaRow]:
    """Asked vs. sent per unit: each quota, then the units that sent cadres without being asked.

    "Sent" counts the different cadres of the unit and its departments with an
    assignment in the campaign (recalled ones too: they went), in the quota's
    locality or beneath it when the quota names one. The page passes the quotas,
    units and assignments the user sees (Model.objects.visible_to); left out, all.
    """
    quotas = Quota.objects.all() if quotas is None else quotas
    units = ProvincialUnit.objects.all() if units is None else units
    sent = _sent_by_unit(OuterRef("campaign"), OuterRef("unit"), assignments)
    at_place = Q(locality=OuterRef("locality")) | Q(locality__parent=OuterRef("locality"))
    at_place |= Q(locality__parent__parent=OuterRef("locality"))
    quotas = (
        quotas.filter(campaign=campaign)
        .select_related("unit__parent", "locality__parent")
        .annotate(
            sent_anywhere=SubqueryCount(sent.order_by().values("cadre_id").distinct()),
            sent_there=SubqueryCount(sent.filter(at_place).order_by().values("cadre_id").distinct()),
        )
        .order_by("unit__name", "locality__name")
    )
    rows = [
        QuotaRow(
            unit=quota.unit,
            locality=quota.locality,
            asked=quota.count,
            sent=quota.sent_there if quota.locality_id else quota.sent_anywhere,
        )
        for quota in quotas
    ]
    sent_unasked = _sent_by_unit(campaign.pk, OuterRef("pk"), assignments).order_by().values("cadre_id").distinct()
    unasked = (
        units.filter(parent__isnull=True)
        .exclude(quotas__campaign=campaign)
        .select_related("parent")
        .annotate(sent=SubqueryCount(sent_unasked))
        .filter(sent__gt=0)
        .order_by("name")
    )
    rows.extend(QuotaRow(unit=unit, locality=None, asked=0, sent=unit.sent) for unit in unasked)
    return rows
