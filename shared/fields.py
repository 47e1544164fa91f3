"""The form field and filter of the days typed in the staff's forms: a DayInput, read with parse_day()."""

import datetime

import django_filters
from django import forms
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
