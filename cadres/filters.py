"""The filters of the assignment and cadre lists, shared by the pages and their Excel exports.

The query parameters are part of the interface: the dashboard links to
`/assignments/?status=active&day=...` and expects the list to show the same count;
the locality list's `?covered_on=`, `?red_zone_on=` and `?uncovered=1` likewise.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.forms.cadres import UnitChoiceField, unit_choices
from cadres.models import Assignment, AssignmentStatus, Cadre, Campaign
from localities.models import Level, Locality
from shared.fields import DayFilter, ScopedChoicesMixin
from shared.text_validators import single_line
from shared.vietnamese import PlaceOrder
from shared.widgets import CachedSelect

ARRIVAL_MISSING, ARRIVAL_CONFIRMED = "missing", "confirmed"
# The largest primary key (BigAutoField); a longer number would overflow the database's integer.
LARGEST_PK = 2**63 - 1


def chosen_pk(value) -> int | None:
    """The primary key a query-string value names, or None: it may be any text.

    `str.isdigit()` is not the test: it accepts "²" and "①", which int() refuses, and int() refuses more
    than 4300 digits; either reached a primary key lookup as it was and answered 500.
    """
    try:
        return forms.IntegerField(min_value=1, max_value=LARGEST_PK).clean(value)
    except ValidationError:
        return None


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CachedSelect)
        super().__init__(*args, **kwargs)


class ShortlistIterator(ModelChoiceIterator):
    """Offer only the field's shortlist as options; any row of the queryset still validates."""

    @property
    def queryset(self):
        return self.field.shortlist

    @queryset.setter
    def queryset(self, value):
        # The field's full queryset validates; only the shortlist is rendered.
        pass


class LocalityChoiceField(forms.ModelChoiceField):
    """A province holds hundreds of wards and the country thousands: the select offers the
    districts (and whatever locality a link already chose), while any locality's pk is accepted."""

    iterator = ShortlistIterator
    widget = CachedSelect

    def __init__(self, *args, **kwargs):
        self.shortlist = Locality.objects.none()
        super().__init__(*args, **kwargs)

    def label_from_instance(self, locality):
        return locality.display_name


class LocalityFilter(django_filters.ModelChoiceFilter):
    field_class = LocalityChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(locality__in=Locality.objects.subtree(value))


class WithinFilter(django_filters.ModelChoiceFilter):
    """The locality list's parent: a shortlist offered, any province or district accepted."""

    field_class = LocalityChoiceField


class AssignmentFilter(ScopedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_search", validators=[single_line])
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.all(), widget=CachedSelect
    )
    unit = UnitFilter(label=_("Unit"), queryset=unit_choices(), method="filter_unit")
    locality = LocalityFilter(label=_("Locality"), queryset=Locality.objects.all())
    # The locality list's "at the locality itself" figure links here with it.
    locality_itself = django_filters.BooleanFilter(
        label=_("Only the locality itself, not those under it"),
        method="filter_locality_itself",
        widget=forms.CheckboxInput,
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AssignmentStatus.choices, field_name="status_on")
    day = DayFilter(label=_("Status on"), method="filter_nothing")
    active_on = DayFilter(label=_("Present on"), method="filter_active_on")
    # The year-end summary's figures link here with its period: the assignments sharing a day with it.
    active_from = DayFilter(label=_("On mission from"), field_name="ends_on", lookup_expr="gte")
    active_to = DayFilter(label=_("On mission until"), field_name="starts_on", lookup_expr="lte")
    ending_from = DayFilter(label=_("Ending from"), method="filter_nothing")
    ending_within = IntegerFilter(label=_("Ending within (days)"), method="filter_nothing", min_value=0, max_value=3660)
    # The dashboard's "without an arrival confirmed" figure links here with it.
    arrival = django_filters.ChoiceFilter(
        label=_("Arrival at the locality"),
        choices=[(ARRIVAL_MISSING, _("not confirmed")), (ARRIVAL_CONFIRMED, _("confirmed"))],
        method="filter_arrival",
    )

    class Meta:
        model = Assignment
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locality_field = self.form.fields["locality"]
        # The units above the communes of the status day: districts in 2021, provinces since 01/07/2025.
        above = Locality.objects.valid_on(self._asked_day()).communes().values("parent_id")
        shortlist = Q(level__lt=Level.COMMUNE, pk__in=above)
        chosen = chosen_pk(self.data.get("locality") if self.data else None)
        if chosen is not None:
            shortlist |= Q(pk=chosen)
        locality_field.shortlist = Locality.objects.filter(shortlist).order_by("level", PlaceOrder("name"))
        if self.request is not None:  # Set after the form's choices were narrowed (ScopedChoicesMixin).
            locality_field.shortlist = locality_field.shortlist.visible_to(self.request.user)

    def _asked_day(self) -> datetime.date:
        """The status day the query string asks for, read before the form is validated; today if none."""
        try:
            day = self.form.fields["day"].clean(self.data.get("day") if self.data else None)
        except ValidationError:
            day = None
        return day or timezone.localdate()

    @property
    def status_day(self) -> datetime.date:
        """The day the status is evaluated on: `day=` or today."""
        if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("day"):
            return self.form.cleaned_data["day"]
        return timezone.localdate()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset.with_status(self.status_day))
        within = self.form.cleaned_data.get("ending_within")
        if within is not None:
            # Without `ending_from`, "ending within N days" counts from the day the list is for.
            start = self.form.cleaned_data.get("ending_from") or self.status_day
            queryset = queryset.ending_within(start, within)
        return queryset

    @property
    def qs(self):
        if not self.is_bound:
            return self.queryset.with_status(timezone.localdate())
        if not self.form.is_valid():
            # A half-applied filter would show a misleading count: show the error and nothing else.
            return self.queryset.with_status(timezone.localdate()).none()
        return super().qs

    def filter_nothing(self, queryset, name, value):
        # Read together in filter_queryset(): `day` drives the status, `ending_from` goes with `ending_within`.
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(cadre__in=Cadre.objects.search(value))

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(Q(cadre__unit=unit) | Q(cadre__unit__parent=unit))

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_arrival(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(arrived_on__isnull=value == ARRIVAL_MISSING)

    def filter_locality_itself(self, queryset, name, value):
        locality = self.form.cleaned_data.get("locality")
        return queryset.filter(locality=locality) if value and locality else queryset


YES_NO = [("true", _("Yes")), ("false", _("No"))]


class CadreFilter(ScopedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, code or phone"), method="filter_search", validators=[single_line])
    unit = UnitFilter(label=_("Unit"), queryset=unit_choices(), method="filter_unit")
    is_party_member = django_filters.TypedChoiceFilter(
        label=_("Party member"), choices=YES_NO, coerce=lambda value: value == "true"
    )
    is_active = django_filters.TypedChoiceFilter(
        label=_("Active"), choices=YES_NO, coerce=lambda value: value == "true"
    )

    class Meta:
        model = Cadre
        fields = []

    @property
    def qs(self):
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        return super().qs

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(Q(unit=unit) | Q(unit__parent=unit))


class LocalityFilter(ScopedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_name", label=_("Name"), max_length=120, validators=[single_line])
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), empty_label=_("All levels"))
    parent = WithinFilter(
        queryset=Locality.objects.filter(level__lt=Level.COMMUNE), label=_("Within"), empty_label=_("Anywhere")
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered: the provinces and districts of the day shown (no district since 01/07/2025), and the one a
        # link chose; any may be asked for.
        parent = self.form.fields["parent"]
        shortlist = Q(level__lt=Level.COMMUNE, pk__in=Locality.objects.valid_on(self._asked_day()).values("pk"))
        chosen = chosen_pk(self.data.get("parent") if self.data else None)
        if chosen is not None:
            shortlist |= Q(pk=chosen)
        parent.shortlist = Locality.objects.filter(shortlist).order_by("level", PlaceOrder("name"))
        if self.request is not None:
            parent.shortlist = parent.shortlist.visible_to(self.request.user)

    def _asked_day(self) -> datetime.date:
        """The day the query string asks for, read before the form is validated; today if none or not a day."""
        for name in ("day", "red_zone_on", "covered_on"):
            try:
                day = self.form.fields[name].clean(self.data.get(name) if self.data else None)
            except ValidationError:
                day = None
            if day:
                return day
        return timezone.localdate()

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
        if not self.form.cleaned_data.get("q", "").strip():
            # The units of the day shown (three levels in 2021, two since 01/07/2025); a search by name also
            # finds those that ended or began on another day, and the list says what became of them.
            queryset = queryset.valid_on(self.shown_day)
        if self.form.cleaned_data.get("uncovered"):
            day = self.form.cleaned_data.get("red_zone_on") or self.shown_day
            queryset = queryset.exclude(pk__in=Assignment.objects.active_on(day).values("locality_id"))
        return queryset

    @property
    def shown_day(self) -> datetime.date:
        """The day whose gradings and cadres the list shows."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return data.get("day") or data.get("red_zone_on") or data.get("covered_on") or timezone.localdate()
