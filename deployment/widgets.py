"""A select for long lists of reference data (units, localities, campaigns)."""

from django import forms
from django.core.exceptions import EmptyResultSet
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from deployment.caching import cached


class CachedSelect(forms.Select):
    """A single select whose options are read once a minute, not on every page.

    Nationally a filter lists 2,000 units and 700 districts: reading and
    rendering them through Django's option templates took 150 ms a select.
    The (value, label) pairs are cached by the choices' SQL, the language and
    the data version (deployment/caching.py); each render only marks the chosen
    option, and escapes every value and label.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = "\n".join(
            f'<option value="{value_html}"{" selected" if option in chosen else ""}>{label_html}</option>'
            for option, value_html, label_html in self.options_list()
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final_attrs), mark_safe(options))

    def options_list(self) -> list[tuple[str, str, str]]:
        """(value, value as HTML, label as HTML) of each option, escaped once when read."""

        def read():
            return [(str(option), escape(str(option)), escape(str(label))) for option, label in self.choices]

        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return read()
        try:
            sql = str(queryset.query)
        except EmptyResultSet:
            return read()
        # The field's class gives the labels, its empty label the first option.
        field = getattr(self.choices, "field", None)
        empty = getattr(field, "empty_label", None)
        return cached("select", get_language(), type(field).__qualname__, empty, sql, compute=read)
