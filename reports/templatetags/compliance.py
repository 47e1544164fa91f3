"""The cells of the note-compliance grid, written in Python: a grid holds up to 50 rows by 31 days,
and through template tags each cell cost about 50 µs."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from reports.compliance import FILED, MISSING, OFF

register = template.Library()

MARKS = {FILED: "✓", MISSING: "✗", OFF: "·"}


@register.simple_tag
def compliance_cells(row) -> str:
    """One <td> per day of `row`: its state as class and data-state, a mark with a spoken label."""
    labels = {FILED: _("note filed"), MISSING: _("no note"), OFF: _("not on mission that day")}
    marks = {state: format_html('<span aria-label="{}">{}</span>', labels[state], MARKS[state]) for state in MARKS}
    cells = ((state, marks.get(state, "")) for _day, state in row.cells)
    return format_html_join("\n", '<td class="cell {0}" data-state="{0}">{1}</td>', cells)
