"""The coverage map: the communes and wards of an area on a day, drawn as inline SVG by the server.

Each commune is a mark placed by its official coordinates (Locality.latitude, longitude), filled
with the colour of its grading on the day (the badges' colours of site.css), with a dot when a
cadre is there, and a thick ring when it is a red zone with nobody assigned. No tiles, nothing
from another host, no script: presentation attributes only (fill=, stroke=), as the
Content-Security-Policy forbids style attributes (cadres/chart.py draws the same way).

The projection is equirectangular: longitudes are scaled by the cosine of the mean latitude, and
the whole is fitted, in proportion, into a fixed viewBox that the page stretches to its width.
A commune without coordinates is not drawn; the caption says how many and names them.

A map costs two queries whatever the size of the area: the communes with their grading and the
cadres present (subqueries of one statement), then the names they bore on the day (as_on()).
"""

import copy
import datetime
import math
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadres.coverage import cadres_present, red_zone_wards_on
from cadres.models import Assignment
from localities.models import RED_ZONE_GRADINGS, REORGANISATION_2025, Grading, Level, Locality, as_on
from shared.vietnamese import name_key

# The viewBox: the page stretches it to its width (site.css caps its height on a wide screen).
WIDTH = 600
HEIGHT = 600
PAD = 30  # Room around the marks for the rings and the highlight's label.
BOTTOM = 40  # Room under the marks for the scale bar.
# A mark's radius: half the distance between close neighbours (the first quartile), within these bounds.
MIN_RADIUS, MAX_RADIUS = 6, 16
TEXT_SIZE = 20  # The scale bar's, the north's and the highlighted commune's name: readable on a phone.
LABEL_SIZE = 18  # The districts' names.
# Two communes a few hundred metres apart would otherwise fill the whole map: at least this many degrees.
MIN_SPAN = 0.03
KM_PER_DEGREE = 111.32  # Of latitude; of longitude once scaled by the cosine.

PAPER = "#ffffff"
LINE = "#d9d4dc"
INK = "#1c1b1f"
MUTED = "#5f5b66"
ALERT = "#b3261e"  # --red: the ring of a red zone with nobody assigned.
# (fill, stroke, the dot's colour on that fill): the badges of site.css (.badge.red, .orange, ...), their
# background as the fill and their text colour as the stroke. A locked-down commune, stricter than a red
# one, takes the site's red (--red) as its fill.
GRADING_COLOURS = {
    Grading.RED: ("#fbd3cf", "#7a120b", INK),
    Grading.LOCKED_DOWN: ("#b3261e", "#7a120b", "#ffffff"),
    Grading.ORANGE: ("#ffe0b8", "#6b3a00", INK),
    Grading.YELLOW: ("#fff3b0", "#5b4a00", INK),
    Grading.GREEN: ("#d3efdc", "#1b6e3a", INK),
}
NOT_GRADED = ("#ffffff", "#8a8591", INK)
# Drawn in this order, the most pressing last (on top).
DRAWING_ORDER = [None, Grading.GREEN, Grading.YELLOW, Grading.ORANGE, Grading.RED, Grading.LOCKED_DOWN]
SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def _n(value: float) -> str:
    """Coordinates with one decimal: format_html escapes its arguments, so they arrive as text."""
    return f"{value:.1f}"


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _in_order(name: str) -> str:
    """A key of Vietnamese dictionary order for a place's name (name_key orders people by their given name:
    here the whole name is one word)."""
    return name_key(name.replace(" ", "\x00"))


@dataclass
class Mark:
    """One commune on the map, named as it was on the day."""

    locality: Locality
    grading: str | None
    cadres_present: int
    url: str = ""  # Its locality page on the day; empty where the reader may not open it.
    x: float | None = None
    y: float | None = None
    highlighted: bool = False
    highlight_label: str = ""  # What the ring around a highlighted mark says: "your commune".

    @property
    def name(self) -> str:
        return self.locality.display_name

    @property
    def covered(self) -> bool:
        return self.cadres_present > 0

    @property
    def is_red_zone(self) -> bool:
        return self.grading in RED_ZONE_GRADINGS

    @property
    def uncovered_red(self) -> bool:
        return self.is_red_zone and not self.covered

    @property
    def grading_label(self) -> str:
        return Grading(self.grading).label if self.grading else ""

    @property
    def colours(self) -> tuple[str, str, str]:
        return GRADING_COLOURS.get(self.grading, NOT_GRADED)

    @property
    def summary(self) -> str:
        """What the mark says, for its tooltip and the screen reader's name of its link."""
        parts = [self.name, self.grading_label or _("not graded")]
        parts.append(
            ngettext("%(count)s cadre present", "%(count)s cadres present", self.cadres_present)
            % {"count": self.cadres_present}
        )
        if self.uncovered_red:
            parts.append(_("red zone with nobody assigned"))
        if self.highlighted:
            parts.append(self.highlight_label)
        return ", ".join(str(part) for part in parts)


@dataclass
class DistrictLabel:
    """A district's name, under the marks of a province's map before 01/07/2025."""

    name: str
    x: float
    y: float


@dataclass
class LegendItem:
    key: SafeString  # A small SVG of the mark, hidden from screen readers: the label says it.
    label: str
    count: int


@dataclass
class CoverageMap:
    area: Locality
    day: datetime.date
    marks: list[Mark]  # The communes drawn, in the table's order (district, then name).
    unplaced: list[Locality] = field(default_factory=list)  # Communes without coordinates: not drawn.
    districts: list[DistrictLabel] = field(default_factory=list)
    scale_km: float = 0
    scale_length: float = 0
    radius: float = MAX_RADIUS
    highlight: int | None = None
    highlight_label: str = ""
    links: bool = True
    map_id: str = "coverage-map"
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def red_zone(self) -> int:
        return sum(mark.is_red_zone for mark in self.marks)

    @property
    def covered(self) -> int:
        return sum(mark.covered for mark in self.marks)

    @property
    def uncovered_red(self) -> int:
        return sum(mark.uncovered_red for mark in self.marks)

    @property
    def by_district(self) -> bool:
        """Whether the table names each commune's district: a province's map before 01/07/2025."""
        return any(mark.locality.parent_id != self.area.pk for mark in self.marks)

    @property
    def title(self) -> str:
        return _("Communes and wards of %(area)s on %(day)s") % {
            "area": self.area.display_name,
            "day": _short(self.day),
        }

    @property
    def description(self) -> str:
        text = ngettext(
            "%(count)s commune or ward drawn by its coordinates",
            "%(count)s communes and wards drawn by their coordinates",
            len(self.marks),
        ) % {"count": len(self.marks)}
        text += ": " + _(
            "%(red)s in the red zone or locked down, %(uncovered)s of them with nobody assigned; "
            "%(covered)s with a cadre present."
        ) % {"red": self.red_zone, "uncovered": self.uncovered_red, "covered": self.covered}
        if self.unplaced:
            text += " " + self.unplaced_text
        return text

    @property
    def unplaced_text(self) -> str:
        return ngettext(
            "%(count)s commune or ward has no coordinates and is not drawn.",
            "%(count)s communes and wards have no coordinates and are not drawn.",
            len(self.unplaced),
        ) % {"count": len(self.unplaced)}

    @property
    def legend(self) -> list[LegendItem]:
        """The gradings drawn, then what the dot and the ring say (even when no mark has them)."""
        gradings = [(grading, grading.label) for grading in Grading] + [(None, _("not graded"))]
        counts = {grading: sum(mark.grading == grading for mark in self.marks) for grading, _label in gradings}
        items = [
            LegendItem(_key(GRADING_COLOURS.get(grading, NOT_GRADED)), label, counts[grading])
            for grading, label in gradings
            if counts[grading]
        ]
        items.append(LegendItem(_key(NOT_GRADED, covered=True), _("a cadre is there"), self.covered))
        items.append(
            LegendItem(
                _key(GRADING_COLOURS[Grading.RED], uncovered=True),
                _("red zone with nobody assigned"),
                self.uncovered_red,
            )
        )
        if any(mark.highlighted for mark in self.marks):
            items.append(LegendItem(_key(NOT_GRADED, highlighted=True), self.highlight_label, 1))
        return items

    @cached_property
    def svg(self) -> SafeString:
        return render_map(self)


def map_area(locality: Locality) -> tuple[Locality | None, int | None]:
    """The area whose map shows `locality`, and the commune to highlight in it.

    A province's or a district's own map; a commune is shown in its parent's (its district before
    01/07/2025, its province since), highlighted. Read `locality` with its parent (select_related).
    """
    if locality.level == Level.COMMUNE:
        return locality.parent, locality.pk
    return locality, None


def coverage_map(
    area: Locality,
    day: datetime.date,
    *,
    assignments=None,
    localities=None,
    highlight: int | None = None,
    highlight_label: str = "",
    links: bool = True,
    map_id: str = "coverage-map",
) -> CoverageMap:
    """The communes of `area` (a province or a district) that existed on `day`, placed on the map.

    Its communes are its children's children before 01/07/2025 and its children since: both are asked,
    each kept only if valid on `day`. The marks are those of `localities` (default: all) and the
    cadres present those of `assignments` (default: all); pages pass what the user sees
    (Model.objects.visible_to(user)). `highlight`: a commune's id, ringed and named on the map and marked
    in the table with `highlight_label` (default "this commune or ward"). `links`: each mark links to its
    locality page on `day` (staff pages; a cadre's map has none). `map_id`: unique on the page. Two queries.
    """
    highlight_label = highlight_label or _("this commune or ward")
    assignments = Assignment.objects.all() if assignments is None else assignments
    localities = Locality.objects.all() if localities is None else localities
    communes = list(
        localities.communes()
        .valid_on(day)
        # The communes under it and under its districts, by the index on the parent (a join on the parent's
        # parent would read every locality).
        .filter(Q(parent=area) | Q(parent__in=Locality.objects.filter(parent=area).order_by().values("pk")))
        .with_grading_on(day)
        .annotate(cadres_present=cadres_present(assignments, day, Q(locality=OuterRef("pk"))))
        .select_related("parent")
        .order_by()
    )
    # The area's own object is the caller's: it is renamed for the day on a copy, without its parent.
    area = copy.copy(area)
    area._state.fields_cache.pop("parent", None)
    as_on([area, *communes], day)
    communes.sort(
        key=lambda unit: (_in_order(unit.parent.name) if unit.parent_id != area.pk else "", _in_order(unit.name))
    )
    marks, unplaced = [], []
    for commune in communes:
        if commune.latitude is None or commune.longitude is None:
            unplaced.append(commune)
            continue
        url = f"{reverse('cadres:locality_detail', args=[commune.pk])}?day={day.isoformat()}" if links else ""
        marks.append(
            Mark(
                locality=commune,
                grading=commune.grading,
                cadres_present=commune.cadres_present,
                url=url,
                highlighted=commune.pk == highlight,
                highlight_label=highlight_label,
            )
        )
    result = CoverageMap(
        area=area,
        day=day,
        marks=marks,
        unplaced=unplaced,
        highlight=highlight,
        highlight_label=highlight_label,
        links=links,
        map_id=map_id,
    )
    _place(result)
    return result


def _place(result: CoverageMap) -> None:
    """x and y of each mark in the viewBox, the marks' radius, the districts' labels, and the scale bar."""
    marks = result.marks
    if not marks:
        return
    mean_latitude = sum(mark.locality.latitude for mark in marks) / len(marks)
    cosine = math.cos(math.radians(mean_latitude))
    points = [(mark.locality.longitude * cosine, -mark.locality.latitude) for mark in marks]
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    span_x, span_y = max(max(xs) - min(xs), MIN_SPAN), max(max(ys) - min(ys), MIN_SPAN)
    inner_width, inner_height = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - BOTTOM
    scale = min(inner_width / span_x, inner_height / span_y)
    # Centred: the unused width or height is shared on both sides.
    left = PAD + (inner_width - scale * (max(xs) - min(xs))) / 2
    top = PAD + (inner_height - scale * (max(ys) - min(ys))) / 2
    for mark, (x, y) in zip(marks, points, strict=True):
        mark.x, mark.y = left + (x - min(xs)) * scale, top + (y - min(ys)) * scale
    result.radius = _radius([(mark.x, mark.y) for mark in marks])
    result.districts = _district_labels(result)
    pixels_per_km = scale / KM_PER_DEGREE
    fitting = [km for km in SCALE_STEPS_KM if km * pixels_per_km <= WIDTH / 4]
    result.scale_km = fitting[-1] if fitting else SCALE_STEPS_KM[0]
    result.scale_length = result.scale_km * pixels_per_km


def _radius(points: list[tuple[float, float]]) -> float:
    """Half the distance from a mark to its nearest neighbour, for the closest quarter of the marks: the
    sparse map of a district gets large marks, a province's dense towns small ones that barely touch."""
    if len(points) < 2:
        return MAX_RADIUS
    order = sorted(points)
    nearest = []
    for index, (x, y) in enumerate(order):
        best = math.inf
        # Swept by x both ways, stopping where x alone is farther than the nearest found.
        for step in (1, -1):
            other = index + step
            while 0 <= other < len(order) and abs(order[other][0] - x) < best:
                best = min(best, math.dist((x, y), order[other]))
                other += step
        nearest.append(best)
    nearest.sort()
    quartile = nearest[len(nearest) // 4]
    return min(max(quartile / 2, MIN_RADIUS), MAX_RADIUS)


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.55


def _district_labels(result: CoverageMap) -> list[DistrictLabel]:
    """A province's districts before 01/07/2025: each name near the middle of its communes, where it covers
    the fewest marks and no other name."""
    groups = {}
    for mark in result.marks:
        if mark.locality.parent_id != result.area.pk:
            groups.setdefault(mark.locality.parent_id, []).append(mark)
    if len(groups) < 2:
        return []
    labels, taken = [], []
    radius = result.radius + 2
    for group in groups.values():
        name = group[0].locality.parent.display_name
        width, height = _text_width(name, LABEL_SIZE), LABEL_SIZE
        centre_x = sum(mark.x for mark in group) / len(group)
        centre_y = sum(mark.y for mark in group) / len(group)
        near = [
            mark
            for mark in result.marks
            if abs(mark.x - centre_x) < width + radius and abs(mark.y - centre_y) < 5 * height + radius
        ]
        candidates = sorted(
            ((dx * width / 2, dy * height) for dx in (0, -1, 1, -2, 2) for dy in range(-4, 5)),
            key=lambda offset: math.hypot(*offset),
        )
        best = None
        for dx, dy in candidates:
            # Kept inside the frame, above the scale bar.
            x = min(max(centre_x + dx, PAD / 2 + width / 2), WIDTH - PAD / 2 - width / 2)
            y = min(max(centre_y + dy, PAD / 2 + height), HEIGHT - BOTTOM)
            box = (x - width / 2, y - height * 0.8, x + width / 2, y + height * 0.25)
            covered = sum(_touches(box, mark.x, mark.y, radius) for mark in near)
            score = covered + 10 * sum(_overlap(box, other) for other in taken)
            if best is None or score < best[0]:
                best = (score, x, y, box)
            if score == 0:
                break
        _score, x, y, box = best
        taken.append(box)
        labels.append(DistrictLabel(name=name, x=x, y=y))
    return labels


def _touches(box, x: float, y: float, radius: float) -> bool:
    nearest_x, nearest_y = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return math.hypot(x - nearest_x, y - nearest_y) < radius


def _overlap(box, other) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def _glyph(mark: Mark, radius: float) -> SafeString:
    fill, stroke, dot = mark.colours
    x, y = _n(mark.x), _n(mark.y)
    parts = [
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1.5"/>', x, y, _n(radius), fill, stroke
        )
    ]
    if mark.covered:
        parts.append(format_html('<circle cx="{}" cy="{}" r="{}" fill="{}"/>', x, y, _n(radius * 0.4), dot))
    if mark.uncovered_red:
        parts.append(
            format_html(
                '<circle class="map-gap" cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="3"/>',
                x,
                y,
                _n(radius + 4.5),
                ALERT,
            )
        )
    return mark_safe("".join(parts))


def _mark(mark: Mark, radius: float) -> SafeString:
    if mark.url:
        # Out of the tab order: the table below carries the same links for the keyboard.
        return format_html(
            '<a href="{}" tabindex="-1" aria-label="{}"><title>{}</title>{}</a>',
            mark.url,
            mark.summary,
            mark.summary,
            _glyph(mark, radius),
        )
    return format_html("<g><title>{}</title>{}</g>", mark.summary, _glyph(mark, radius))


def _key(colours, *, covered=False, uncovered=False, highlighted=False) -> SafeString:
    """A legend's sample of a mark, 24 px square."""
    fill, stroke, dot = colours
    inner = format_html('<circle cx="12" cy="12" r="6" fill="{}" stroke="{}" stroke-width="1.5"/>', fill, stroke)
    if covered:
        inner += format_html('<circle cx="12" cy="12" r="2.4" fill="{}"/>', dot)
    if uncovered:
        inner += format_html('<circle cx="12" cy="12" r="9.5" fill="none" stroke="{}" stroke-width="2.5"/>', ALERT)
    if highlighted:
        inner += format_html(
            '<circle cx="12" cy="12" r="10" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="4 2"/>', INK
        )
    return format_html(
        '<svg class="map-key" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        inner,
    )


def _highlight(mark: Mark, radius: float) -> SafeString:
    """A dashed ring around the commune, and its name beside it, on top of every other mark."""
    ring = radius + 9
    width = _text_width(mark.name, TEXT_SIZE)
    # Beside the ring, on the side with room for the name.
    anchor, x = ("start", mark.x + ring + 4) if mark.x + ring + 4 + width <= WIDTH - 4 else ("end", mark.x - ring - 4)
    return format_html(
        '<g class="map-highlight"><circle cx="{x}" cy="{y}" r="{r}" fill="none" stroke="{ink}" stroke-width="3" '
        'stroke-dasharray="6 3"/>'
        '<text x="{tx}" y="{ty}" text-anchor="{anchor}" font-size="{size}" font-weight="700" fill="{ink}" '
        'stroke="{paper}" stroke-width="5" paint-order="stroke">{name}</text></g>',
        x=_n(mark.x),
        y=_n(mark.y),
        r=_n(ring),
        ink=INK,
        tx=_n(x),
        ty=_n(mark.y + TEXT_SIZE * 0.35),
        anchor=anchor,
        size=TEXT_SIZE,
        paper=PAPER,
        name=mark.name,
    )


def render_map(coverage_map: CoverageMap, *, highlight: int | None = None) -> SafeString:
    """The map as an inline SVG, `highlight` (a commune's id, default the map's own) ringed and named.

    A labelled group, not an image: its marks are links, each named by what it shows; the table of
    the template (localities/_coverage_map.html) is the same as text. Empty without a mark.
    """
    highlight = coverage_map.highlight if highlight is None else highlight
    marks = coverage_map.marks
    if not marks:
        return mark_safe("")
    for mark in marks:
        mark.highlighted = mark.locality.pk == highlight
    radius = coverage_map.radius
    ordered = sorted(marks, key=lambda mark: (mark.uncovered_red, DRAWING_ORDER.index(mark.grading)))
    drawn = mark_safe("".join(_mark(mark, radius) for mark in ordered))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}" stroke="{}" stroke-width="4" '
        'paint-order="stroke">{}</text>',
        ((_n(label.x), _n(label.y), LABEL_SIZE, MUTED, PAPER, label.name) for label in coverage_map.districts),
    )
    highlighted = next((mark for mark in marks if mark.highlighted), None)
    bar_left, bar_y = PAD, HEIGHT - 14
    return format_html(
        '<svg class="coverage-map-svg" viewBox="0 0 {w} {h}" width="100%" role="group" '
        'aria-labelledby="{id}-title" aria-describedby="{id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="inherit">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<rect x="0.5" y="0.5" width="{w1}" height="{h1}" fill="{paper}" stroke="{line}"/>'
        '{marks}<g class="map-labels" aria-hidden="true">{labels}</g>{highlight}'
        '<g class="map-scale" aria-hidden="true">'
        '<path d="M{bx} {by_top} V{by} H{bx2} V{by_top}" fill="none" stroke="{muted}" stroke-width="2.5"/>'
        '<text x="{bx_text}" y="{by}" font-size="{size}" fill="{muted}">{scale}</text>'
        '<path d="M{nx} {ny_top} l-7 12 h14 z" fill="{muted}"/>'
        '<text x="{nx}" y="{by}" text-anchor="middle" font-size="{size}" font-weight="700" fill="{muted}">'
        "{north}</text>"
        "</g></svg>",
        w=WIDTH,
        h=HEIGHT,
        w1=WIDTH - 1,
        h1=HEIGHT - 1,
        id=coverage_map.map_id,
        title=coverage_map.title,
        desc=coverage_map.description,
        paper=PAPER,
        line=LINE,
        marks=drawn,
        labels=labels,
        highlight=_highlight(highlighted, radius) if highlighted else "",
        muted=MUTED,
        size=TEXT_SIZE,
        bx=bar_left,
        bx2=_n(bar_left + coverage_map.scale_length),
        by=bar_y,
        by_top=bar_y - 8,
        bx_text=_n(bar_left + coverage_map.scale_length + 8),
        scale=_("%(km)s km") % {"km": f"{coverage_map.scale_km:g}"},
        nx=WIDTH - PAD,
        ny_top=bar_y - 36,
        north=_("N"),
    )


# The areas a map is drawn for ---------------------------------------------


@dataclass
class AreaChoices:
    """The areas offered on a day: (group label, [(id, name), ...]) for a select's optgroups, and the default.

    Plain values only: kept in the cache (cadres/views/dashboard.py).
    """

    groups: list[tuple[str, list[tuple[int, str]]]]
    default: int | None

    @cached_property
    def ids(self) -> set[int]:
        return {pk for _label, options in self.groups for pk, _name in options}

    def choose(self, raw: str | None) -> int | None:
        """The area asked for in a query string, if offered; else the default (a bad value is no error)."""
        try:
            pk = int(raw or "")
        except ValueError:
            return self.default
        return pk if pk in self.ids else self.default


def map_areas(day: datetime.date, *, localities=None, preferred=frozenset()) -> AreaChoices:
    """Provinces and, before 01/07/2025, districts of `localities` (default: all) that existed on `day`.

    The default is the one with the most red-zone communes on `day` (a province before its districts);
    with none, the first of `preferred` (ids: the user's own area) offered; else the first province.
    Three queries: the areas, their names on the day, the red-zone communes counted by district.
    """
    localities = Locality.objects.all() if localities is None else localities
    levels = [Level.PROVINCE] if day >= REORGANISATION_2025 else [Level.PROVINCE, Level.DISTRICT]
    areas = as_on(localities.valid_on(day).filter(level__in=levels).select_related("parent").order_by(), day)
    provinces = sorted((area for area in areas if area.level == Level.PROVINCE), key=lambda area: _in_order(area.name))
    districts = {}
    for area in areas:
        if area.level == Level.DISTRICT:
            parent = area.parent.display_name if area.parent_id else _("Other districts")
            districts.setdefault(parent, []).append(area)
    groups = []
    if provinces:
        groups.append((_("Provinces"), [(area.pk, area.display_name) for area in provinces]))
    for parent in sorted(districts, key=_in_order):
        units = sorted(districts[parent], key=lambda area: _in_order(area.name))
        groups.append((str(parent), [(area.pk, area.display_name) for area in units]))
    choices = AreaChoices(groups=[(str(label), options) for label, options in groups], default=None)
    if not choices.ids:
        return choices
    red = {}
    counted = red_zone_wards_on(day, localities).order_by().values_list("parent_id", "parent__parent_id")
    for parent_id, grandparent_id, count in counted.annotate(n=Count("pk")):
        for pk in (parent_id, grandparent_id):
            if pk is not None:
                red[pk] = red.get(pk, 0) + count
    ordered = [pk for _label, options in choices.groups for pk, _name in options]
    most = max(ordered, key=lambda pk: red.get(pk, 0))
    own = [pk for pk in ordered if pk in preferred]
    choices.default = most if red.get(most) else (own[0] if own else ordered[0])
    return choices
