"""The cells of the note-compliance grid, written in Python: a grid holds up to 50 rows by 31 days,
and through template tags each cell cost about 50 µs."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.compliance import FILED, LATE, MISSING, OFF, UPCOMING

register = template.Library()

# A late note is still a note: the check stays, the star sends to the legend (and the colour differs).
MARKS = {FILED: "✓", LATE: "✓*", MISSING: "✗", OFF: "·"}
CELL = '<td class="cell {0}" data-state="{0}">{1}</td>'


@register.simple_tag
def compliance_cells(row) -> str:
    """One <td> per day of `row`: its state as class and data-state, a mark with a spoken label;
    a note filed late also says when it was written, in a title."""
    labels = {FILED: _("note filed"), MISSING: _("no note"), OFF: _("not on mission that day")}
    marks = {state: format_html('<span aria-label="{}">{}</span>', labels[state], MARKS[state]) for state in labels}
    # The same few cells over and over: each is built once; only a late one, with its own time, is built per day.
    cells = {state: format_html(CELL, state, marks.get(state, "")) for state in (FILED, MISSING, OFF, UPCOMING)}
    late_label = _("note filed late")
    return mark_safe(  # every piece comes from format_html
        "\n".join(
            _late_cell(late_label, row.late_written_at[day]) if state == LATE else cells[state]
            for day, state in row.cells
        )
    )


def _late_cell(label: str, written) -> str:
    written_on = date_format(timezone.localtime(written), "SHORT_DATETIME_FORMAT")
    return format_html(
        '<td class="cell {0}" data-state="{0}"><span aria-label="{1}" title="{2}">{3}</span></td>',
        LATE,
        label,
        _("written on %(written)s") % {"written": written_on},
        MARKS[LATE],
    )
