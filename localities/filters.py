"""The filters of the locality list.

The parameter names are part of the interface: the staff dashboard links to
`?covered_on=`, `?red_zone_on=` and `?uncovered=1`, and the list must show the
same count as the figure that links to it.
"""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Assignment
from deployment.fields import DayFilter
from deployment.text_validators import single_line
from deployment.widgets import CachedSelect
from localities.models import Level, Locality


class LocalityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_name", label=_("Name"), max_length=120, validators=[single_line])
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), empty_label=_("All levels"))
    parent = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.filter(level__lt=Level.COMMUNE),
        label=_("Within"),
        empty_label=_("Anywhere"),
        widget=CachedSelect,
    )
    day = DayFilter(method="keep_all", label=_("Gradings and cadres on"), help_text=_("Today when left empty."))
    covered_on = DayFilter(method="filter_covered_on", label=_("With a cadre assigned on"))
    red_zone_on = DayFilter(method="filter_red_zone_on", label=_("Red zone or locked down on"))
    uncovered = django_filters.BooleanFilter(
        method="keep_all",
        label=_("Only those with nobody assigned"),
        widget=forms.CheckboxInput,
        help_text=_("On the red-zone day, or else on the day of the gradings."),
    )

    class Meta:
        model = Locality
        fields = []

    def filter_name(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def keep_all(self, queryset, name, value):
        # Read by the view or by filter_queryset, not a filter of its own.
        return queryset

    def filter_covered_on(self, queryset, name, value):
        return queryset.filter(pk__in=Assignment.objects.active_on(value).values("locality_id"))

    def filter_red_zone_on(self, queryset, name, value):
        # As on the dashboard: only localities that existed on that day.
        return queryset.filter(pk__in=Locality.objects.valid_on(value).red_zone_on(value).values("pk"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("uncovered"):
            day = self.form.cleaned_data.get("red_zone_on") or self.shown_day
            queryset = queryset.exclude(pk__in=Assignment.objects.active_on(day).values("locality_id"))
        return queryset

    @property
    def shown_day(self) -> datetime.date:
        """The day whose gradings and cadres the list shows."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return data.get("day") or data.get("red_zone_on") or data.get("covered_on") or timezone.localdate()
