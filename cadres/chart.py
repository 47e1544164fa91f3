"""A small bar chart drawn as inline SVG by the server: no JavaScript, no library, CSP-safe.

Presentation attributes only (fill=, font-size=): the Content-Security-Policy
forbids style attributes.
"""

import datetime

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 52
BAR = "#b3261e"
BAR_SELECTED = "#1c1b1f"
AXIS = "#5f5b66"
GRID = "#d9d4dc"


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _n(value: float) -> str:
    """Coordinates with one decimal: format_html escapes its arguments, so they arrive as text."""
    return f"{value:.1f}"


def _ticks(top: int) -> list[int]:
    """Up to five round values from 0 to at least `top` for the vertical axis."""
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        step = candidate
        if top / candidate <= 4:
            break
    ticks = list(range(0, top + step, step))
    if ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def bar_chart(
    series: list[tuple[datetime.date, int]],
    *,
    title: str,
    chart_id: str,
    selected: datetime.date | None = None,
) -> SafeString:
    """Cadres per day as bars; the `selected` day is drawn darker. Empty string for an empty series."""
    if not series:
        return mark_safe("")
    ticks = _ticks(max(max(count for _day, count in series), 1))
    scale_top = ticks[-1]
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(series)
    bar_width = max(slot * 0.8, 1)

    def y_of(value: int) -> float:
        return TOP + plot_height - plot_height * value / scale_top

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _n(y_of(tick)), _n(y_of(tick)), GRID, LEFT - 6, _n(y_of(tick) + 4), AXIS, tick)
            for tick in ticks
        ),
    )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                _n(LEFT + index * slot + (slot - bar_width) / 2),
                _n(y_of(count)),
                _n(bar_width),
                _n(TOP + plot_height - y_of(count)),
                BAR_SELECTED if day == selected else BAR,
                _short(day),
                count,
            )
            for index, (day, count) in enumerate(series)
        ),
    )
    # A date label about every seventh bar, always the first and last.
    every = max(len(series) // 6, 1)
    labelled = {0, len(series) - 1} | set(range(0, len(series), every))
    if len(series) > 1 and len(series) - 1 - max(labelled - {len(series) - 1}) < every / 2:
        labelled.discard(max(labelled - {len(series) - 1}))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
        (
            (_n(LEFT + index * slot + slot / 2), TOP + plot_height + 16, AXIS, series[index][0].strftime("%d/%m"))
            for index in sorted(labelled)
        ),
    )
    peak_day, peak = max(series, key=lambda point: point[1])
    description = _("From %(first)s to %(last)s. Most cadres on mission: %(peak)s, on %(peak_day)s.") % {
        "first": _short(series[0][0]),
        "last": _short(series[-1][0]),
        "peak": peak,
        "peak_day": _short(peak_day),
    }
    on_selected = dict(series).get(selected) if selected else None
    if on_selected is not None:
        description += " " + _("On %(day)s: %(count)s.") % {"day": _short(selected), "count": on_selected}
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" font-family="inherit">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{bars}"
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{axis}" stroke-width="1"/>'
        "{labels}"
        '<text x="{mid}" y="{h_label}" text-anchor="middle" font-size="12" fill="{axis}">{x_title}</text>'
        '<text x="12" y="{mid_y}" text-anchor="middle" font-size="12" fill="{axis}" '
        'transform="rotate(-90 12 {mid_y})">{y_title}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=description,
        grid=grid,
        bars=bars,
        left=LEFT,
        right=WIDTH - RIGHT,
        base=TOP + plot_height,
        axis=AXIS,
        labels=labels,
        mid=_n(LEFT + plot_width / 2),
        h_label=HEIGHT - 10,
        x_title=_("Day"),
        mid_y=_n(TOP + plot_height / 2),
        y_title=_("Cadres on mission"),
    )
