"""Filters of the staff lists: notes, escalations, reports, recommendations.

A locality filter matches the locality and everything under it, so that
choosing a district shows the notes of all its wards.
"""

from django import forms
from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter, CharFilter, ChoiceFilter, FilterSet, ModelChoiceFilter

from cadres.filters import LocalityChoiceField as ShortlistLocalityField
from cadres.filters import chosen_pk
from cadres.models import Campaign, ProvincialUnit
from localities.models import Level, Locality
from reports.models import (
    Addressee,
    DailyNote,
    Escalation,
    EscalationCategory,
    EscalationStatus,
    Health,
    MissionReport,
    Rating,
    Recommendation,
    RecommendationStatus,
    ReportStatus,
    Urgency,
)
from shared.fields import DayFilter, ScopedChoicesMixin
from shared.pagination import paginate as bounded_paginate
from shared.text_validators import single_line
from shared.vietnamese import search_filter
from shared.widgets import CachedSelect

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE, **options) -> Page:
    return bounded_paginate(request, queryset, per_page, **options)


def within_locality(queryset: QuerySet, path: str, locality: Locality | None) -> QuerySet:
    """Rows whose locality at `path` is `locality` or lies under it (three levels at most)."""
    if locality is None:
        return queryset
    return queryset.filter(**{f"{path}__in": Locality.objects.subtree(locality)})


class LocalityChoiceField(ShortlistLocalityField):
    def label_from_instance(self, obj: Locality) -> str:
        if obj.parent_id and obj.parent.parent_id:
            return f"{obj.display_name} ({obj.parent.display_name})"
        return obj.display_name


def locality_choices() -> QuerySet:
    return Locality.objects.select_related("parent").order_by("level", "parent__name", "name")


def campaign_choices() -> QuerySet:
    return Campaign.objects.order_by("-starts_on", "name")


class LocalityFilter(ModelChoiceFilter):
    field_class = LocalityChoiceField

    def __init__(self, *args, path: str, **kwargs):
        self.path = path
        kwargs.setdefault("label", _("Locality"))
        kwargs.setdefault("queryset", locality_choices())
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        # Offer provinces and districts (and the locality a link chose), not every ward of the country.
        field = super().field
        shortlist = Q(level__lte=Level.DISTRICT)
        chosen = self.parent.data.get(self.field_name) if getattr(self, "parent", None) and self.parent.data else None
        chosen = chosen_pk(chosen)
        if chosen is not None:
            shortlist |= Q(pk=chosen)
        field.shortlist = locality_choices().filter(shortlist)
        return field

    def filter(self, qs, value):
        return within_locality(qs, self.path, value)


def _search(*fields: str):
    """A filter method: every word of the query in one of `fields`, ignoring accents and case."""

    def method(self, queryset, name, value):
        value = " ".join(value.replace("\x00", "").split())
        return queryset.filter(search_filter(value, *fields)) if value else queryset

    return method


def _locality_itself(path: str):
    """A filter method: with the `locality` chosen, only the rows of that place itself, not of those under it."""

    def method(self, queryset, name, value):
        locality = self.form.cleaned_data.get("locality")
        return queryset.filter(**{path: locality}) if value and locality else queryset

    return method


def locality_itself_filter() -> BooleanFilter:
    # The year-end summary counts each place apart: its figures link here with it.
    return BooleanFilter(
        label=_("Only the locality itself, not those under it"),
        method="filter_locality_itself",
        widget=forms.CheckboxInput,
    )


def unit_filter() -> ModelChoiceFilter:
    return ModelChoiceFilter(
        queryset=ProvincialUnit.objects.order_by("name"),
        label=_("Unit"),
        method="filter_unit",
        empty_label=_("All"),
        widget=CachedSelect,
    )


def _of_unit(path: str):
    """A filter method: the rows of the unit's cadres, those of its departments included."""

    def method(self, queryset, name, value):
        return queryset.filter(Q(**{path: value}) | Q(**{f"{path}__parent": value}))

    return method


# Folding accents costs the database a few microseconds a row and field: a text search of the
# national tables (3 million notes) would read every row, so it reads the most recent ones only.
SEARCH_WINDOW = 5_000


class RecentSearchMixin:
    """`q` searches `search_fields` among the SEARCH_WINDOW most recent rows the other filters keep."""

    search_fields: tuple[str, ...] = ()
    recent_order: tuple[str, ...] = ()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        value = " ".join(self.form.cleaned_data.get("q", "").replace("\x00", "").split())
        if not value:
            return queryset
        recent = queryset.order_by(*self.recent_order).values("pk")[:SEARCH_WINDOW]
        return queryset.filter(pk__in=recent).filter(search_filter(value, *self.search_fields))

    def search_later(self, queryset, name, value):
        # Done last, in filter_queryset(), on the rows the other filters keep.
        return queryset


class NoteFilter(ScopedChoicesMixin, RecentSearchMixin, FilterSet):
    q = CharFilter(
        method="search_later",
        label=_("Search"),
        # The number is SEARCH_WINDOW.
        help_text=_("Looks through the 5,000 most recent notes that match the other filters."),
        validators=[single_line],
    )
    campaign = ModelChoiceFilter(
        field_name="assignment__campaign",
        queryset=campaign_choices(),
        label=_("Campaign"),
        empty_label=_("All"),
        widget=CachedSelect,
    )
    locality = LocalityFilter(path="assignment__locality", empty_label=_("All"))
    unit = ModelChoiceFilter(
        queryset=ProvincialUnit.objects.order_by("name"),
        label=_("Unit"),
        method="filter_unit",
        empty_label=_("All"),
        widget=CachedSelect,
    )
    date_from = DayFilter(field_name="day", lookup_expr="gte", label=_("From"))
    date_to = DayFilter(field_name="day", lookup_expr="lte", label=_("To"))
    health = ChoiceFilter(choices=Health.choices, label=_("Health"), empty_label=_("All"))

    class Meta:
        model = DailyNote
        fields = []

    search_fields = ("assignment__cadre__full_name", "situation", "difficulties", "needs", "other_activities")
    recent_order = ("-day", "-created_at", "-id")

    def filter_unit(self, queryset, name, value):
        # A unit's cadres include those of its departments.
        return queryset.filter(Q(assignment__cadre__unit=value) | Q(assignment__cadre__unit__parent=value))


class EscalationFilter(ScopedChoicesMixin, RecentSearchMixin, FilterSet):
    q = CharFilter(
        method="search_later",
        label=_("Search"),
        # The number is SEARCH_WINDOW.
        help_text=_("Looks through the 5,000 most recent escalations that match the other filters."),
        validators=[single_line],
    )
    status = ChoiceFilter(choices=EscalationStatus.choices, label=_("Status"), empty_label=_("All"))
    urgency = ChoiceFilter(choices=Urgency.choices, label=_("Urgency"), empty_label=_("All"))
    category = ChoiceFilter(choices=EscalationCategory.choices, label=_("Category"), empty_label=_("All"))
    locality = LocalityFilter(path="assignment__locality", empty_label=_("All"))
    locality_itself = locality_itself_filter()
    campaign = ModelChoiceFilter(
        field_name="assignment__campaign",
        queryset=campaign_choices(),
        label=_("Campaign"),
        empty_label=_("All"),
        widget=CachedSelect,
    )
    # The local day it was raised on, as the year-end summary counts it.
    raised_from = DayFilter(field_name="created_at", lookup_expr="date__gte", label=_("Raised from"))
    raised_to = DayFilter(field_name="created_at", lookup_expr="date__lte", label=_("Raised until"))

    class Meta:
        model = Escalation
        fields = []

    filter_locality_itself = _locality_itself("assignment__locality")

    search_fields = ("subject", "description", "assignment__cadre__full_name")
    recent_order = ("-created_at", "-id")


REVIEWABLE_STATUSES = [ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED]


class ReportFilter(ScopedChoicesMixin, FilterSet):
    status = ChoiceFilter(
        choices=[(status.value, status.label) for status in REVIEWABLE_STATUSES],
        label=_("Status"),
        empty_label=_("All"),
    )
    campaign = ModelChoiceFilter(
        field_name="assignment__campaign",
        queryset=campaign_choices(),
        label=_("Campaign"),
        empty_label=_("All"),
        widget=CachedSelect,
    )
    locality = LocalityFilter(path="assignment__locality", empty_label=_("All"))
    locality_itself = locality_itself_filter()
    unit = unit_filter()
    cadre = CharFilter(method="filter_cadre", label=_("Cadre"), validators=[single_line])
    # The local day it was submitted on, and the ratings, as the year-end summary counts them.
    submitted_from = DayFilter(field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted from"))
    submitted_to = DayFilter(field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted until"))
    rating = ChoiceFilter(choices=Rating.choices, label=_("Rating"), empty_label=_("All"))
    local_rating = ChoiceFilter(
        field_name="assignment__local_assessment__rating",
        choices=Rating.choices,
        label=_("The locality's rating"),
        empty_label=_("All"),
    )

    class Meta:
        model = MissionReport
        fields = []

    filter_cadre = _search("assignment__cadre__full_name")
    filter_locality_itself = _locality_itself("assignment__locality")
    filter_unit = _of_unit("assignment__cadre__unit")


class RecommendationFilter(ScopedChoicesMixin, FilterSet):
    campaign = ModelChoiceFilter(
        field_name="report__assignment__campaign",
        queryset=campaign_choices(),
        label=_("Campaign"),
        empty_label=_("All"),
        widget=CachedSelect,
    )
    locality = LocalityFilter(path="report__assignment__locality", empty_label=_("All"))
    locality_itself = locality_itself_filter()
    status = ChoiceFilter(choices=RecommendationStatus.choices, label=_("Status"), empty_label=_("All"))
    addressed_to = ChoiceFilter(choices=Addressee.choices, label=_("Addressed to"), empty_label=_("All"))
    submitted_from = DayFilter(
        field_name="report__submitted_at", lookup_expr="date__gte", label=_("Report submitted from")
    )
    submitted_to = DayFilter(
        field_name="report__submitted_at", lookup_expr="date__lte", label=_("Report submitted until")
    )

    class Meta:
        model = Recommendation
        fields = []

    filter_locality_itself = _locality_itself("report__assignment__locality")
