"""The shared widgets: a select for long lists of reference data (units, localities, campaigns), and the day input."""

import datetime
import re

from django import forms
from django.core.exceptions import EmptyResultSet
from django.forms.utils import flatatt
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shared.caching import FRAGMENT_TIMEOUT, cached


class CachedSelect(forms.Select):
    """A single select whose options are read once, not on every page.

    Nationally a filter lists 2,000 units and 700 districts: reading and
    rendering them through Django's option templates took 150 ms a select.
    The options, every value and label escaped, are cached by the choices' SQL,
    the language and the records' version (shared/caching.py); each render
    writes them out with the chosen ones marked.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {escape(value) for value in self.format_value(value)}
        options = "\n".join(
            f'<option value="{value}"{" selected" if value in chosen else ""}>{label}</option>'
            for value, label in self.escaped_options()
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final_attrs), mark_safe(options))

    def escaped_options(self) -> list[tuple[str, str]]:
        """Every option's value and label, escaped: one list read from the cache."""

        def read_options():
            return [(escape(str(option)), escape(str(label))) for option, label in self.choices]

        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return read_options()
        try:
            sql = str(queryset.query)
        except EmptyResultSet:
            return read_options()
        # The field's class gives the labels, its empty label the first option.
        field = getattr(self.choices, "field", None)
        empty = getattr(field, "empty_label", None)
        parts = ("select", get_language(), type(field).__qualname__, empty, sql)
        return cached(*parts, compute=read_options, timeout=FRAGMENT_TIMEOUT)


# What parse_day() reads, for the browser to check before sending: d/m/yyyy with "/", "-" or "." between
# (DATE_INPUT_FORMATS in deployment/formats/vi/formats.py), yyyy-mm-dd (the app's links), and ddmmyyyy
# (Android's numeric keyboard has no "/").
DAY_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{8}"


def parse_day(value: str | None) -> datetime.date | None:
    """The day typed in `value` (dd/mm/yyyy and the other forms of DAY_PATTERN); None if it is not one."""
    text = (value or "").strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:2]}/{text[2:4]}/{text[4:]}"
    for pattern in get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class DayInput(forms.DateInput):
    """A day typed as dd/mm/yyyy, whatever the browser's language.

    <input type="date"> shows the browser's order: mm/dd/yyyy in an English one, where 02/09 and 09/02 are
    easily mixed up on an official decision. static/js/day_input.js adds the slashes as digits are typed;
    shared/fields.py's DayField reads what was typed with parse_day().
    """

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": "dd/mm/yyyy",
            "title": _("A day as dd/mm/yyyy, e.g. 02/09/2021."),
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": DAY_PATTERN,
            "maxlength": 10,
            "data-day-input": True,
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")

    def format_value(self, value):
        # A bound form shows what was typed; a day it understands (a link's yyyy-mm-dd) reads dd/mm/yyyy.
        if isinstance(value, str):
            value = parse_day(value) or value
        return super().format_value(value)
