"""A select for long lists of reference data (units, localities, campaigns)."""

from django import forms
from django.core.exceptions import EmptyResultSet
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from deployment.caching import FRAGMENT_TIMEOUT, cached


class CachedSelect(forms.Select):
    """A single select whose options are read once, not on every page.

    Nationally a filter lists 2,000 units and 700 districts: reading and
    rendering them through Django's option templates took 150 ms a select.
    The options' HTML, every value and label escaped, is cached by the choices'
    SQL, the language and the records' version (deployment/caching.py); each render
    only marks the chosen option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        options = self.options_html()
        for chosen in self.format_value(value):
            option = f'<option value="{escape(chosen)}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final_attrs), mark_safe(options))

    def options_html(self) -> str:
        """Every option, escaped, none selected: one string read from the cache."""

        def render_options():
            return "\n".join(
                f'<option value="{escape(str(option))}">{escape(str(label))}</option>' for option, label in self.choices
            )

        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return render_options()
        try:
            sql = str(queryset.query)
        except EmptyResultSet:
            return render_options()
        # The field's class gives the labels, its empty label the first option.
        field = getattr(self.choices, "field", None)
        empty = getattr(field, "empty_label", None)
        parts = ("select", get_language(), type(field).__qualname__, empty, sql)
        return cached(*parts, compute=render_options, timeout=FRAGMENT_TIMEOUT)
