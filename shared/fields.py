"""The days typed in the staff's forms (a DayInput, read with parse_day()) and asked for in a query string."""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shared.widgets import DayInput, parse_day


class DayField(forms.DateField):
    widget = DayInput
    default_error_messages = {"invalid": _("This is not a day: type it as dd/mm/yyyy, e.g. 02/09/2021.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        day = parse_day(str(value))
        if day is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class DayFilter(django_filters.DateFilter):
    field_class = DayField


# Days the pages can show: the figures count weeks ahead and behind, which overflows near year 1 and 9999.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


def day_from_query(request, name: str = "day", *, report: bool = True) -> datetime.date | None:
    """The day asked for in the query string's `name`, as typed in a DayInput or written in a link.

    None without one, or for one that is not a day between EARLIEST_DAY and LATEST_DAY: the page then
    shows today and says so, unless `report` is False (a script's request, whose message would show
    on the next page instead)."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return None
    day = parse_day(raw)
    if day is not None and EARLIEST_DAY <= day <= LATEST_DAY:
        return day
    if report:
        messages.warning(request, _("“%(value)s” is not a date (dd/mm/yyyy): showing today.") % {"value": raw[:40]})
    return None


def narrow_choices(form, user) -> None:
    """Every model choice of `form` (and a shortlist it renders) narrowed to the rows `user` sees.

    Each queryset that has a `visible_to(user)` (every page model: accounts/roles.py) goes through it:
    a filter neither offers nor accepts a campaign, unit or locality outside the user's scope, and the
    cached options (shared.widgets.CachedSelect, keyed by the query) are those of that scope.
    """
    for field in form.fields.values():
        for attribute in ("queryset", "shortlist"):
            rows = getattr(field, attribute, None)
            if rows is not None and hasattr(rows, "visible_to"):
                setattr(field, attribute, rows.visible_to(user))


class ScopedChoicesMixin:
    """A FilterSet given the `request` offers and accepts only the choices its user sees (narrow_choices)."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.request is not None:
                narrow_choices(form, self.request.user)
        return self._form
