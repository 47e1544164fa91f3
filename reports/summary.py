"""The year-end summary: for a period, what each host locality received and what each sending unit sent.

The figures feed the year-end ranking of local organisations (the source articles: the cadres'
reports and recommendations "fed the year-end evaluation"). Every count is counted the way the
list it links to counts, with that list's own query parameters (list_links()), so that
following a number shows the same number:

- assignments: those sharing a day with the period (AssignmentQuerySet.overlapping), the list's
  `active_from` / `active_to`; the days on mission are each one's days within the period, up to the
  departure confirmed by the host locality when it came earlier;
- escalations: raised within the period (the local day of `created_at`), the inbox's `raised_from` /
  `raised_to`; resolved: of those, the ones resolved now;
- reports: handed to the province (not drafts) with their submission's local day within the period, the
  report list's `submitted_from` / `submitted_to`; by the reviewer's rating and by the host locality's;
- recommendations: those the province tracks (RecommendationQuerySet.tracked) of the reports submitted
  within the period, by status.

Each table is a handful of grouped queries whatever the number of rows: one pass over each table,
grouped by the assignment's locality or by the cadre's unit, departments folded into their unit.
Every query starts from Model.objects.visible_to(user): a role sees the figures of what it reaches.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Count, DateField, DurationField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse

from cadres.models import Assignment, ProvincialUnit
from localities.models import Locality, as_on
from reports.models import (
    Escalation,
    EscalationStatus,
    MissionReport,
    Rating,
    Recommendation,
    RecommendationStatus,
    ReportStatus,
)
from shared.vietnamese import place_key

RATINGS = list(Rating.values)
COUNTS = ("cadres", "assignments", "days", "escalations", "escalations_resolved", "reports", "recommendations")
STATUSES = list(RecommendationStatus.values)


@dataclass(frozen=True)
class Period:
    starts_on: datetime.date
    ends_on: datetime.date

    @classmethod
    def year_of(cls, day: datetime.date) -> "Period":
        return cls(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))


@dataclass
class Figures:
    """What one row counts; a table's rows and its total are each one of these."""

    cadres: int = 0
    assignments: int = 0
    days: int = 0
    escalations: int = 0
    escalations_resolved: int = 0
    reports: int = 0
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    local_ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    recommendations: int = 0
    recommendation_statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


@dataclass(frozen=True)
class Links:
    """The lists each figure of a row counts, filtered as the figure is (see the module's docstring)."""

    assignments: str
    escalations: str
    escalations_resolved: str
    reports: str
    ratings: dict[str, str]
    local_ratings: dict[str, str]
    recommendations: str
    recommendation_statuses: dict[str, str]


def _url(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode({key: value for key, value in query.items() if value is not None})}"


def list_links(period: Period, *, locality: Locality | None = None, unit: ProvincialUnit | None = None) -> Links:
    """The links of a row of one locality (that place itself, not the wards under it), of one sending unit
    (its departments included), or of the totals (neither)."""
    place = {"locality": locality.pk, "locality_itself": "on"} if locality is not None else {}
    sender = {"unit": unit.pk} if unit is not None else {}
    present = {"active_from": period.starts_on.isoformat(), "active_to": period.ends_on.isoformat()}
    raised = {"raised_from": period.starts_on.isoformat(), "raised_to": period.ends_on.isoformat()}
    submitted = {"submitted_from": period.starts_on.isoformat(), "submitted_to": period.ends_on.isoformat()}
    reports = {**place, **sender, **submitted}
    recommendations = {**place, **submitted}
    return Links(
        assignments=_url("cadres:assignment_list", **place, **sender, **present),
        escalations=_url("reports:escalation_inbox", **place, **raised),
        escalations_resolved=_url("reports:escalation_inbox", **place, **raised, status=EscalationStatus.RESOLVED),
        reports=_url("reports:report_list", **reports),
        ratings={rating: _url("reports:report_list", **reports, rating=rating) for rating in RATINGS},
        local_ratings={rating: _url("reports:report_list", **reports, local_rating=rating) for rating in RATINGS},
        recommendations=_url("reports:recommendation_list", **recommendations),
        recommendation_statuses={
            status: _url("reports:recommendation_list", **recommendations, status=status) for status in STATUSES
        },
    )


@dataclass
class Row:
    figures: Figures
    links: Links | None  # None: the user's lists cannot be filtered by what the row is about.

    def _cell(self, name: str, count: int, link: str | None = None, key: str | None = None) -> tuple:
        """(figure's name, count, link or None): the days and the distinct cadres are counted by no list."""
        url = None
        if self.links is not None and link is not None:
            url = getattr(self.links, link)
            url = url[key] if key is not None else url
        return (name if key is None else f"{name}:{key}", count, url)

    def _head_cells(self) -> list[tuple]:
        figures = self.figures
        return [
            self._cell("cadres", figures.cadres),
            self._cell("assignments", figures.assignments, "assignments"),
            self._cell("days", figures.days),
        ]

    def _rating_cells(self, name: str, counts: dict) -> list[tuple]:
        return [self._cell(name, count, name, key) for key, count in counts.items()]

    @property
    def place_cells(self) -> list[tuple]:
        """A host locality's figures, in the columns of the page and of the workbook."""
        figures = self.figures
        return [
            *self._head_cells(),
            self._cell("escalations", figures.escalations, "escalations"),
            self._cell("escalations_resolved", figures.escalations_resolved, "escalations_resolved"),
            self._cell("reports", figures.reports, "reports"),
            *self._rating_cells("ratings", figures.ratings),
            *self._rating_cells("local_ratings", figures.local_ratings),
            self._cell("recommendations", figures.recommendations, "recommendations"),
            *self._rating_cells("recommendation_statuses", figures.recommendation_statuses),
        ]

    @property
    def unit_cells(self) -> list[tuple]:
        """A sending unit's figures, in the columns of the page and of the workbook."""
        figures = self.figures
        return [
            *self._head_cells(),
            self._cell("reports", figures.reports, "reports"),
            *self._rating_cells("ratings", figures.ratings),
        ]


@dataclass
class LocalityRow(Row):
    locality: Locality | None = None


@dataclass
class UnitRow(Row):
    unit: ProvincialUnit | None = None


@dataclass
class Summary:
    period: Period
    localities: list[LocalityRow]
    units: list[UnitRow]
    total: Row


def _day(value: datetime.date) -> Value:
    return Value(value, output_field=DateField())


def days_within(period: Period) -> Case:
    """An assignment's days on mission within `period`: from its first day (or the period's) to its last, its
    confirmed departure if earlier, or the period's; none when it left before the period began."""
    first = Greatest("starts_on", _day(period.starts_on))
    last = Least("ends_on", Coalesce("left_on", "ends_on"), _day(period.ends_on))
    return Case(
        When(GreaterThanOrEqual(last, first), then=last - first + Value(datetime.timedelta(days=1))),
        default=Value(datetime.timedelta(0)),
        output_field=DurationField(),
    )


def _as_days(duration) -> int:
    # Summed as a duration (an interval on PostgreSQL, microseconds on SQLite).
    if duration is None:
        return 0
    return duration.days if isinstance(duration, datetime.timedelta) else int(duration) // 86_400_000_000


def _top_unit(path: str) -> Coalesce:
    """The cadre's unit at `path`, a department folded into the unit above it."""
    return Coalesce(f"{path}__parent_id", f"{path}_id")


def _rated(path: str, values: list[str], prefix: str) -> dict:
    return {f"{prefix}{value}": Count("pk", filter=Q(**{path: value})) for value in values}


def _grouped(queryset, key, **counts) -> dict:
    """{key: {name: count}} of `queryset` grouped by the expression `key`, in one query."""
    rows = queryset.order_by().annotate(group=key).values("group").annotate(**counts)
    return {row.pop("group"): row for row in rows}


def _assignment_counts(period: Period) -> dict:
    return {
        "cadres": Count("cadre_id", distinct=True),
        "assignments": Count("pk"),
        "days": Sum(days_within(period)),
    }


def _report_counts() -> dict:
    return {
        "reports": Count("pk"),
        **_rated("rating", RATINGS, "rating_"),
        **_rated("assignment__local_assessment__rating", RATINGS, "local_"),
    }


def _fill(figures: Figures, counts: dict) -> Figures:
    for name, value in counts.items():
        if name.startswith("rating_"):
            figures.ratings[name.removeprefix("rating_")] = value
        elif name.startswith("local_"):
            figures.local_ratings[name.removeprefix("local_")] = value
        elif name.startswith("status_"):
            figures.recommendation_statuses[name.removeprefix("status_")] = value
        elif name == "days":
            figures.days = _as_days(value)
        else:
            setattr(figures, name, value or 0)
    return figures


def in_period(queryset, path: str, period: Period):
    """Rows whose moment at `path` falls on a local day of `period`."""
    return queryset.filter(**{f"{path}__date__gte": period.starts_on, f"{path}__date__lte": period.ends_on})


def summary_querysets(user, period: Period) -> dict:
    """What the summary counts, as `user` sees it: the same rows the linked lists show."""
    return {
        "assignments": Assignment.objects.visible_to(user).overlapping(period.starts_on, period.ends_on),
        "escalations": in_period(Escalation.objects.visible_to(user), "created_at", period),
        "reports": in_period(
            MissionReport.objects.visible_to(user).exclude(status=ReportStatus.DRAFT), "submitted_at", period
        ),
        "recommendations": in_period(Recommendation.objects.visible_to(user).tracked(), "report__submitted_at", period),
    }


def year_summary(user, period: Period) -> Summary:
    """The summary of `period` as `user` sees it, in twelve queries whatever the number of rows."""
    rows = summary_querysets(user, period)
    assignment_counts = _assignment_counts(period)
    escalation_counts = {
        "escalations": Count("pk"),
        "escalations_resolved": Count("pk", filter=Q(status=EscalationStatus.RESOLVED)),
    }
    status_counts = {"recommendations": Count("pk"), **_rated("status", STATUSES, "status_")}
    by_place = [
        _grouped(rows["assignments"], F("locality_id"), **assignment_counts),
        _grouped(rows["escalations"], F("assignment__locality_id"), **escalation_counts),
        _grouped(rows["reports"], F("assignment__locality_id"), **_report_counts()),
        _grouped(rows["recommendations"], F("report__assignment__locality_id"), **status_counts),
    ]
    by_unit = [
        _grouped(rows["assignments"], _top_unit("cadre__unit"), **assignment_counts),
        _grouped(rows["reports"], _top_unit("assignment__cadre__unit"), **_report_counts()),
    ]

    place_ids = set().union(*by_place)
    # Named as they were at the end of the period, as that year's decisions and reports named them.
    places = as_on(Locality.objects.filter(pk__in=place_ids).select_related("parent"), period.ends_on)
    linked_places = set(Locality.objects.visible_to(user).filter(pk__in=place_ids).values_list("pk", flat=True))
    locality_rows = [
        LocalityRow(
            _figures(place.pk, by_place),
            list_links(period, locality=place) if place.pk in linked_places else None,
            locality=place,
        )
        for place in places
    ]
    locality_rows.sort(key=lambda row: (place_key(_parent_name(row.locality)), place_key(row.locality.name)))

    unit_ids = set().union(*by_unit)
    units = ProvincialUnit.objects.filter(pk__in=unit_ids).order_by("name", "pk")
    linked_units = set(ProvincialUnit.objects.visible_to(user).filter(pk__in=unit_ids).values_list("pk", flat=True))
    unit_rows = [
        UnitRow(
            _figures(unit.pk, by_unit), list_links(period, unit=unit) if unit.pk in linked_units else None, unit=unit
        )
        for unit in units
    ]

    total = _sum(row.figures for row in locality_rows)
    # A cadre sent to two places is one cadre.
    total.cadres = rows["assignments"].aggregate(n=Count("cadre_id", distinct=True))["n"]
    return Summary(period=period, localities=locality_rows, units=unit_rows, total=Row(total, list_links(period)))


def _figures(key, grouped: list[dict]) -> Figures:
    figures = Figures()
    for counted in grouped:
        _fill(figures, counted.get(key, {}))
    return figures


def _sum(all_figures) -> Figures:
    total = Figures()
    for figures in all_figures:
        for name in (
            "cadres",
            "assignments",
            "days",
            "escalations",
            "escalations_resolved",
            "reports",
            "recommendations",
        ):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
        for name in ("ratings", "local_ratings", "recommendation_statuses"):
            counts = getattr(total, name)
            for key, value in getattr(figures, name).items():
                counts[key] += value
    return total


def _parent_name(locality: Locality) -> str:
    return locality.parent.name if locality.parent_id else ""
