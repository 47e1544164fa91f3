"""The coverage map: the communes and wards of an area on a day, drawn as inline SVG by the server.

Each commune is a mark placed by its official coordinates (Locality.latitude, longitude), filled
with the colour of its grading on the day (the badges' colours of site.css), with a dot when a
cadre is there, and a thick ring when it is a red zone with nobody assigned. No tiles, nothing
from another host, no script: presentation attributes only (fill=, stroke=), as the
Content-Security-Policy forbids style attributes (cadres/chart.py draws the same way).

The projection is equirectangular: longitudes are scaled by the cosine of the mean latitude, and
the whole is fitted, in proportion, into a fixed viewBox that the page stretches to its width.
A commune without coordinates is not drawn; the caption says how many and names them.

On a phone (360 px wide, the map some 294 px, about 2 units of the viewBox to a CSS pixel) a mark is a small
circle: each link holds, beneath it, an invisible target of HIT_RADIUS cut where it would reach a closer
mark's (the marks' Voronoi cells within that radius), so that every mark can be tapped and the one nearest
the finger answers. A map of at most NAMES_MAX communes names them beside their marks, where a name
covers no other mark nor name; a larger one names only the highlighted commune and its nearest neighbours,
and every mark keeps its <title>. A name never leaves the frame: near an edge it ends at its mark
(text-anchor="end") rather than starting there, its width estimated for a wide bold font (DejaVu Sans).

A cadre's own map (for_cadre=True) speaks to the cadre in plain words: its legend, caption and tooltips. Since
01/07/2025 a cadre's area is a whole province, some 100 communes or more spread over hundreds of kilometres (an
island among them): a cadre's map of more than NAMES_MAX communes frames the cadre's commune and its NEIGHBOURHOOD
nearest instead, draws only the communes that fall within that frame, names them where there is room, and says
how many of the province's it shows (caption and table). The staff's maps always show the whole area.

A map costs two queries whatever the size of the area: the communes with their grading and the
cadres present (subqueries of one statement), then the names they bore on the day (as_on()).
"""

import copy
import datetime
import math
import unicodedata
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
from shared.vietnamese import place_key

# The viewBox: the page stretches it to its width (site.css caps its height on a wide screen).
WIDTH = 600
HEIGHT = 600
PAD = 30  # Room around the marks for the rings and the highlight's label.
BOTTOM = 40  # Room under the marks for the scale bar.
# A mark's radius: half the distance between close neighbours (the first quartile), within these bounds.
MIN_RADIUS, MAX_RADIUS = 6, 16
TEXT_SIZE = 20  # The scale bar's and the north's: readable on a phone.
HIGHLIGHT_SIZE = 24  # The highlighted commune's name, in bold: some 12 CSS px on a phone.
NAME_SIZE = 21  # The other communes' names.
LABEL_SIZE = 18  # The districts' names.
NAMES_MAX = 40  # A map of this many communes or fewer names them all, where there is room.
NEIGHBOURS_NAMED = 8  # On a larger map, the highlighted commune's nearest neighbours named, where there is room.
# A cadre's map of more than NAMES_MAX communes is framed on their commune and this many of its nearest; the
# communes within the frame, and up to FRAME_MARGIN beyond it (not below: the scale bar), are drawn.
NEIGHBOURHOOD = 30
FRAME_MARGIN = PAD / 2
EDGE = 4  # A name keeps this far inside the frame.
# A mark's target for a finger: 50 units across, 24.5 CSS px on a 360 px phone; less where marks are closer.
HIT_RADIUS = 25
HIT_SIDES = 16  # A target cut by its neighbours is a polygon of these many sides, before the cuts.
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
    for_cadre: bool = False  # Plain words, for the cadre on their own map.

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
    def grading_text(self) -> str:
        return self.grading_label or _not_graded(self.for_cadre)

    @property
    def colours(self) -> tuple[str, str, str]:
        return GRADING_COLOURS.get(self.grading, NOT_GRADED)

    @property
    def summary(self) -> str:
        """What the mark says, for its tooltip and the screen reader's name of its link."""
        parts = [self.name, self.grading_text]
        parts.append(
            ngettext("%(count)s cadre present", "%(count)s cadres present", self.cadres_present)
            % {"count": self.cadres_present}
        )
        if self.uncovered_red:
            parts.append(_uncovered_red(self.for_cadre))
        if self.highlighted:
            parts.append(self.highlight_label)
        return ", ".join(str(part) for part in parts)


def _not_graded(for_cadre: bool) -> str:
    return _("no level announced yet") if for_cadre else _("not graded")


def _uncovered_red(for_cadre: bool) -> str:
    return _("red zone with no cadre yet") if for_cadre else _("red zone with nobody assigned")


@dataclass
class DistrictLabel:
    """A district's name, under the marks of a province's map before 01/07/2025."""

    name: str
    x: float
    y: float


@dataclass
class Name:
    """A commune's name beside its mark: `x` is where the text starts, ends or is centred (`anchor`)."""

    text: str
    x: float
    y: float
    anchor: str
    size: float
    bold: bool = False

    @property
    def width(self) -> float:
        return _text_width(self.text, self.size, bold=self.bold)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Left, top, right, bottom in the viewBox, accents included."""
        left = {"start": self.x, "middle": self.x - self.width / 2, "end": self.x - self.width}[self.anchor]
        return (left, self.y - self.size * 0.95, left + self.width, self.y + self.size * 0.3)


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
    for_cadre: bool = False
    # A cadre's map of a large area (see NEIGHBOURHOOD): `marks` are those around the highlighted commune only, of
    # `communes` communes and wards that the area has on the day (drawn or not).
    framed: bool = False
    communes: int = 0
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
        if self.for_cadre:
            return self._plain_description
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
    def _plain_description(self) -> str:
        if self.framed:
            text = ngettext(
                "Around your commune or ward: %(count)s of the %(total)s commune or ward of %(area)s.",
                "Around your commune or ward: %(count)s of the %(total)s communes and wards of %(area)s.",
                self.communes,
            ) % {"count": len(self.marks), "total": self.communes, "area": self.area.display_name}
        else:
            text = ngettext(
                "Your area has %(count)s commune or ward on the map.",
                "Your area has %(count)s communes and wards on the map.",
                len(self.marks),
            ) % {"count": len(self.marks)}
        text += " " + _("Red zones: %(red)s, with no cadre yet: %(uncovered)s. With a cadre: %(covered)s.") % {
            "red": self.red_zone,
            "uncovered": self.uncovered_red,
            "covered": self.covered,
        }
        if self.unplaced:
            text += " " + self.unplaced_text
        return text

    @property
    def table_summary(self) -> str:
        """The summary of a framed map's table (the template says it for a whole one)."""
        return ngettext(
            "The map as a table (%(count)s of the %(total)s commune or ward of %(area)s)",
            "The map as a table (%(count)s of the %(total)s communes and wards of %(area)s)",
            self.communes,
        ) % {"count": len(self.marks), "total": self.communes, "area": self.area.display_name}

    @property
    def unplaced_text(self) -> str:
        return ngettext(
            "%(count)s commune or ward has no coordinates and is not drawn.",
            "%(count)s communes and wards have no coordinates and are not drawn.",
            len(self.unplaced),
        ) % {"count": len(self.unplaced)}

    @property
    def legend(self) -> list[LegendItem]:
        """The gradings drawn, then what the dot and the ring say (even when no mark has them).

        A cadre's own map begins with their commune, then what calls for a cadre, then the colours, each
        in plain words with a capital (the template's capfirst)."""
        gradings = [(grading, grading.label) for grading in Grading] + [(None, _not_graded(self.for_cadre))]
        counts = {grading: sum(mark.grading == grading for mark in self.marks) for grading, _label in gradings}
        colours = [
            LegendItem(_key(GRADING_COLOURS.get(grading, NOT_GRADED)), label, counts[grading])
            for grading, label in gradings
            if counts[grading]
        ]
        covered = LegendItem(_key(NOT_GRADED, covered=True), _("a cadre is there"), self.covered)
        uncovered = LegendItem(
            _key(GRADING_COLOURS[Grading.RED], uncovered=True), _uncovered_red(self.for_cadre), self.uncovered_red
        )
        highlighted = [
            LegendItem(_key(NOT_GRADED, highlighted=True), self.highlight_label, 1)
            for mark in self.marks
            if mark.highlighted
        ][:1]
        if self.for_cadre:
            return [*highlighted, uncovered, covered, *colours]
        return [*colours, covered, uncovered, *highlighted]

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
    for_cadre: bool = False,
) -> CoverageMap:
    """The communes of `area` (a province or a district) that existed on `day`, placed on the map.

    Its communes are its children's children before 01/07/2025 and its children since: both are asked,
    each kept only if valid on `day`. The marks are those of `localities` (default: all) and the
    cadres present those of `assignments` (default: all); pages pass what the user sees
    (Model.objects.visible_to(user)). `highlight`: a commune's id, ringed and named on the map and marked
    in the table with `highlight_label` (default "this commune or ward"). `links`: each mark links to its
    locality page on `day` (staff pages; a cadre's map has none). `map_id`: unique on the page. `for_cadre`: the
    map of a cadre's own area, its legend, caption and tooltips in plain words; with more than NAMES_MAX communes
    and a highlighted commune with coordinates, framed on that commune's neighbourhood. Two queries.
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
        key=lambda unit: (place_key(unit.parent.name) if unit.parent_id != area.pk else "", place_key(unit.name))
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
                for_cadre=for_cadre,
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
        for_cadre=for_cadre,
        communes=len(communes),
    )
    _place(result)
    return result


def _place(result: CoverageMap) -> None:
    """x and y of each mark in the viewBox, the marks' radius, the districts' labels, and the scale bar.

    The marks fitted into the frame are all of them, or on a framed map the highlighted commune's neighbourhood
    (_neighbourhood); there, only the marks that fall within the frame are kept."""
    marks = result.marks
    if not marks:
        return
    fitted = _neighbourhood(result)
    mean_latitude = sum(mark.locality.latitude for mark in fitted) / len(fitted)
    cosine = math.cos(math.radians(mean_latitude))
    xs = [mark.locality.longitude * cosine for mark in fitted]
    ys = [-mark.locality.latitude for mark in fitted]
    span_x, span_y = max(max(xs) - min(xs), MIN_SPAN), max(max(ys) - min(ys), MIN_SPAN)
    inner_width, inner_height = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - BOTTOM
    scale = min(inner_width / span_x, inner_height / span_y)
    # Centred: the unused width or height is shared on both sides.
    left = PAD + (inner_width - scale * (max(xs) - min(xs))) / 2
    top = PAD + (inner_height - scale * (max(ys) - min(ys))) / 2
    for mark in marks:
        mark.x = left + (mark.locality.longitude * cosine - min(xs)) * scale
        mark.y = top + (-mark.locality.latitude - min(ys)) * scale
    if fitted is not marks:
        # Within the frame, or up to FRAME_MARGIN beyond it at the sides and the top; not below it, where the scale
        # bar is (a hair's tolerance keeps the fitted marks on the frame's edge despite floating point).
        low, right, bottom = FRAME_MARGIN - 0.01, WIDTH - FRAME_MARGIN + 0.01, HEIGHT - PAD - BOTTOM + 0.01
        result.marks = [mark for mark in marks if low <= mark.x <= right and low <= mark.y <= bottom]
        result.framed = True
        marks = result.marks
    result.radius = _radius([(mark.x, mark.y) for mark in marks])
    result.districts = _district_labels(result)
    pixels_per_km = scale / KM_PER_DEGREE
    fitting = [km for km in SCALE_STEPS_KM if km * pixels_per_km <= WIDTH / 4]
    result.scale_km = fitting[-1] if fitting else SCALE_STEPS_KM[0]
    result.scale_length = result.scale_km * pixels_per_km


def _neighbourhood(result: CoverageMap) -> list[Mark]:
    """The marks the frame is fitted to: on a cadre's map of more than NAMES_MAX communes, the highlighted commune
    and its NEIGHBOURHOOD nearest (by distance in degrees, longitude scaled by the cosine of its latitude); else
    all the marks (the very list: a map without a highlighted commune, or a staff's map, shows the whole area)."""
    marks = result.marks
    if not result.for_cadre or len(marks) <= NAMES_MAX:
        return marks
    centre = next((mark for mark in marks if mark.locality.pk == result.highlight), None)
    if centre is None:
        return marks
    latitude, longitude = centre.locality.latitude, centre.locality.longitude
    cosine = math.cos(math.radians(latitude))
    return sorted(
        marks,
        key=lambda mark: (
            math.hypot((mark.locality.longitude - longitude) * cosine, mark.locality.latitude - latitude),
            mark is not centre,  # First, even beside a commune at the very same place.
        ),
    )[: NEIGHBOURHOOD + 1]


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


# The advance of each letter in DejaVu Sans Bold, in thousandths of the font's size: one of the widest fonts a
# phone may draw with (Roboto, Arial, Segoe UI are narrower), so that a name estimated to fit does fit.
_WIDTHS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ().,-/",
        (
            675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478,
            712, 652, 924, 645, 652, 582,
            774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682,
            812, 774, 1103, 771, 724, 725,
            *[696] * 10, 348, 457, 457, 380, 380, 415, 365,
        ),
        strict=True,
    )
)  # fmt: skip
_WIDTHS.update({"đ": 716, "Đ": 838})
REGULAR = 0.94  # The regular weight is narrower than the bold, by 0.89 on average (0.93 for an m).


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The estimated width of `text` at `size`, never less than DejaVu Sans draws it (accents and the horn of
    ư, ơ included): a name placed by it stays inside the frame."""
    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)
        width = _WIDTHS.get(base[0], 1000)
        if "\u031b" in base:  # The horn of ư, ơ, wider on a capital Ư, Ơ.
            width += 130 if base[0].isupper() else 40
        total += width
    return total / 1000 * size * (1 if bold else REGULAR)


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


def _mark(mark: Mark, radius: float, target: SafeString) -> SafeString:
    """The mark, its target for a finger beneath it, and its tooltip (the name, on a larger map the only one)."""
    if mark.url:
        # Out of the tab order: the table below carries the same links for the keyboard.
        return format_html(
            '<a href="{}" tabindex="-1" aria-label="{}"><title>{}</title>{}{}</a>',
            mark.url,
            mark.summary,
            mark.summary,
            target,
            _glyph(mark, radius),
        )
    return format_html("<g><title>{}</title>{}{}</g>", mark.summary, target, _glyph(mark, radius))


# Marks closer than this (viewBox units) are at one point (units split on a day, given their parent's centre):
# neither cuts the other's target.
MIN_APART = 1e-6


def _targets(marks: list[Mark]) -> dict[int, SafeString]:
    """Each mark's target (by the mark's id()): a disc of HIT_RADIUS, cut along the middle line between it and
    each mark near enough to share a point, so that no target covers another's and a tap goes to the nearest
    mark (the Voronoi cell within the disc). Invisible, it catches the pointer (pointer-events="all") and
    prints nothing; drawn first in its link, beneath the mark."""
    # A cut target is a polygon whose sides touch the disc: its corners reach this far.
    corner = HIT_RADIUS / math.cos(math.pi / HIT_SIDES)
    reach = 2 * corner
    grid = {}
    for mark in marks:
        grid.setdefault((int(mark.x // reach), int(mark.y // reach)), []).append(mark)
    targets = {}
    for mark in marks:
        column, row = int(mark.x // reach), int(mark.y // reach)
        near = [
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in grid.get((column + dx, row + dy), ())
            if other is not mark and MIN_APART < math.dist((mark.x, mark.y), (other.x, other.y)) < reach
        ]
        if not near:
            r = HIT_RADIUS
            d = f"M{_n(mark.x - r)} {_n(mark.y)}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0z"
        else:
            polygon = [
                (mark.x + corner * math.cos(angle), mark.y + corner * math.sin(angle))
                for angle in (2 * math.pi * (i + 0.5) / HIT_SIDES for i in range(HIT_SIDES))
            ]
            for other in near:
                # The points closer to `mark` than to `other`: (p - m)·(o - m) <= |o - m|² / 2.
                ax, ay = other.x - mark.x, other.y - mark.y
                polygon = _clip(polygon, ax, ay, ax * mark.x + ay * mark.y + (ax * ax + ay * ay) / 2)
            d = "M" + " ".join(f"{_n(x)} {_n(y)}" for x, y in polygon) + "z"  # Lines implied after the first point.
        targets[id(mark)] = format_html('<path class="map-target" d="{}" fill="none" pointer-events="all"/>', d)
    return targets


def _clip(polygon: list[tuple[float, float]], ax: float, ay: float, bound: float) -> list[tuple[float, float]]:
    """The part of a convex polygon where ax·x + ay·y <= bound (Sutherland and Hodgman)."""
    kept = []
    for index, (px, py) in enumerate(polygon):
        qx, qy = polygon[index - 1]
        p_in, q_in = ax * px + ay * py <= bound, ax * qx + ay * qy <= bound
        along = ax * (px - qx) + ay * (py - qy)
        # An edge along the line (two marks at a hair's distance: the rounding decides which side) has no crossing.
        if p_in != q_in and along:
            t = (bound - ax * qx - ay * qy) / along
            kept.append((qx + t * (px - qx), qy + t * (py - qy)))
        if p_in:
            kept.append((px, py))
    return kept


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


def _outer_radius(mark: Mark, radius: float) -> float:
    """How far from its centre a mark is drawn: its circle, the red ring, the highlight's dashed ring."""
    if mark.highlighted:
        return radius + 10.5
    if mark.uncovered_red:
        return radius + 6
    return radius + 1


def _named(coverage_map: CoverageMap, highlighted: Mark | None) -> list[Mark]:
    """The marks to name, the most wanted first: the highlighted commune, then its neighbours nearest first (all
    of them on a map of NAMES_MAX communes or fewer, or framed on the neighbourhood; the NEIGHBOURS_NAMED nearest
    on a larger one); without a highlight, a small map's communes the most pressing first, a larger map's none."""
    marks = coverage_map.marks
    others = [mark for mark in marks if mark is not highlighted]
    if highlighted is not None:
        others.sort(key=lambda mark: math.dist((mark.x, mark.y), (highlighted.x, highlighted.y)))
        every = len(marks) <= NAMES_MAX or coverage_map.framed
        return [highlighted, *(others if every else others[:NEIGHBOURS_NAMED])]
    if len(marks) > NAMES_MAX:
        return []
    return sorted(others, key=lambda mark: (-mark.uncovered_red, -DRAWING_ORDER.index(mark.grading)))


def _candidates(mark: Mark, text: str, size: float, bold: bool, gap: float) -> list[Name]:
    """Where a name may go around its mark, in order of preference: right, left, above, below, then the corners.
    A name beside its mark starts (or ends) there; above or below, it is centred, moved sideways into the frame."""
    width = _text_width(text, size, bold=bold)
    x, y, side = mark.x, mark.y, gap * 0.7
    centred_x = min(max(x, EDGE + width / 2), WIDTH - EDGE - width / 2)
    places = [
        ("start", x + gap, y + size * 0.35),
        ("end", x - gap, y + size * 0.35),
        ("middle", centred_x, y - gap - size * 0.3),
        ("middle", centred_x, y + gap + size * 0.95),
        ("start", x + side, y - side - size * 0.3),
        ("start", x + side, y + side + size * 0.95),
        ("end", x - side, y - side - size * 0.3),
        ("end", x - side, y + side + size * 0.95),
    ]
    return [Name(text, tx, ty, anchor, size, bold) for anchor, tx, ty in places]


def _inside(box) -> bool:
    return box[0] >= EDGE and box[2] <= WIDTH - EDGE and box[1] >= EDGE and box[3] <= HEIGHT - EDGE


def _names(coverage_map: CoverageMap, highlighted: Mark | None) -> list[Name]:
    """The names drawn beside the marks, the highlighted commune's first (it is always drawn, inside the frame).

    Another is drawn only where it stays inside the frame and covers no mark, no other name, no district's
    name and neither the scale bar nor the north; else its mark keeps only its tooltip."""
    radius = coverage_map.radius
    scale_right = PAD + coverage_map.scale_length + 8 + _text_width(f"{coverage_map.scale_km:g} km", TEXT_SIZE)
    taken = [
        (PAD - 4, HEIGHT - 14 - TEXT_SIZE, scale_right, HEIGHT - 6),  # The scale bar.
        (WIDTH - PAD - 12, HEIGHT - 54, WIDTH - PAD + 12, HEIGHT - 6),  # The north.
    ]
    for label in coverage_map.districts:
        width = _text_width(label.name, LABEL_SIZE)
        taken.append(
            (label.x - width / 2, label.y - LABEL_SIZE * 0.95, label.x + width / 2, label.y + LABEL_SIZE * 0.3)
        )
    names = []
    for mark in _named(coverage_map, highlighted):
        is_highlighted = mark is highlighted
        text = mark.name if is_highlighted else mark.locality.name
        size = HIGHLIGHT_SIZE if is_highlighted else NAME_SIZE
        full = _text_width(text, size, bold=is_highlighted)
        if full > WIDTH - 2 * EDGE:  # A name longer than the map is: smaller, to fit.
            size *= (WIDTH - 2 * EDGE) / full
        candidates = [
            name
            for name in _candidates(mark, text, size, is_highlighted, _outer_radius(mark, radius) + 3)
            if _inside(name.box)
        ]
        best = None
        for order, name in enumerate(candidates):
            box = name.box
            covered = sum(
                _touches(box, other.x, other.y, _outer_radius(other, radius))
                for other in coverage_map.marks
                if other is not mark and box[0] - 2 * MAX_RADIUS < other.x < box[2] + 2 * MAX_RADIUS
            )
            crossed = sum(_overlap(box, other) for other in taken)
            score = (covered + 10 * crossed, order)
            if best is None or score < best[0]:
                best = (score, name)
            if score[0] == 0:
                break
        if best is None and is_highlighted:  # No room anywhere (never on a map drawn by _place): centred under it.
            best = (
                (0, 0),
                Name(text, WIDTH / 2, min(mark.y + 2 * size, HEIGHT - EDGE - size * 0.3), "middle", size, True),
            )
        if best is None or (best[0][0] and not is_highlighted):
            continue
        names.append(best[1])
        taken.append(best[1].box)
    return names


def _name(name: Name) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}"{} fill="{}" stroke="{}" stroke-width="{}" '
        'paint-order="stroke">{}</text>',
        _n(name.x),
        _n(name.y),
        name.anchor,
        _n(name.size),
        mark_safe(' font-weight="700"') if name.bold else "",
        INK,
        PAPER,
        5 if name.bold else 4,
        name.text,
    )


def _highlight(mark: Mark, radius: float, name: Name) -> SafeString:
    """A dashed ring around the commune, and its name beside it, on top of every other mark."""
    return format_html(
        '<g class="map-highlight" pointer-events="none"><circle cx="{x}" cy="{y}" r="{r}" fill="none" '
        'stroke="{ink}" stroke-width="3" stroke-dasharray="6 3"/>{name}</g>',
        x=_n(mark.x),
        y=_n(mark.y),
        r=_n(radius + 9),
        ink=INK,
        name=_name(name),
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
    targets = _targets(marks)
    # The most pressing on top, and the highlighted commune above them all: a cadre's own is never hidden.
    ordered = sorted(marks, key=lambda mark: (mark.highlighted, mark.uncovered_red, DRAWING_ORDER.index(mark.grading)))
    drawn = mark_safe("".join(_mark(mark, radius, targets[id(mark)]) for mark in ordered))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}" stroke="{}" stroke-width="4" '
        'paint-order="stroke">{}</text>',
        ((_n(label.x), _n(label.y), LABEL_SIZE, MUTED, PAPER, label.name) for label in coverage_map.districts),
    )
    highlighted = next((mark for mark in marks if mark.highlighted), None)
    names = _names(coverage_map, highlighted)
    highlight_name = names.pop(0) if highlighted else None
    bar_left, bar_y = PAD, HEIGHT - 14
    return format_html(
        '<svg class="coverage-map-svg" viewBox="0 0 {w} {h}" width="100%" role="group" '
        'aria-labelledby="{id}-title" aria-describedby="{id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="inherit">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<rect x="0.5" y="0.5" width="{w1}" height="{h1}" fill="{paper}" stroke="{line}"/>'
        '{marks}<g class="map-labels" aria-hidden="true" pointer-events="none">{labels}</g>'
        '<g class="map-names" aria-hidden="true" pointer-events="none">{names}</g>{highlight}'
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
        names=mark_safe("".join(_name(name) for name in names)),
        highlight=_highlight(highlighted, radius, highlight_name) if highlighted else "",
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

    def refused(self, raw: str | None) -> bool:
        """Whether `raw` names an area (a number) that is not offered: a map another than asked shows."""
        try:
            return int(raw or "") not in self.ids
        except ValueError:
            return False

    def name_of(self, pk: int | None) -> str | None:
        return next((name for _label, options in self.groups for option, name in options if option == pk), None)


def map_areas(day: datetime.date, *, localities=None, preferred=frozenset()) -> AreaChoices:
    """Provinces and, before 01/07/2025, districts of `localities` (default: all) that existed on `day`.

    The default is the one with the most red-zone communes on `day` (a province before its districts);
    with none, the first of `preferred` (ids: the user's own area) offered; else the first province.
    Three queries: the areas, their names on the day, the red-zone communes counted by district.
    """
    localities = Locality.objects.all() if localities is None else localities
    levels = [Level.PROVINCE] if day >= REORGANISATION_2025 else [Level.PROVINCE, Level.DISTRICT]
    areas = as_on(localities.valid_on(day).filter(level__in=levels).select_related("parent").order_by(), day)
    provinces = sorted((area for area in areas if area.level == Level.PROVINCE), key=lambda area: place_key(area.name))
    districts = {}
    for area in areas:
        if area.level == Level.DISTRICT:
            parent = area.parent.display_name if area.parent_id else _("Other districts")
            districts.setdefault(parent, []).append(area)
    groups = []
    if provinces:
        groups.append((_("Provinces"), [(area.pk, area.display_name) for area in provinces]))
    for parent in sorted(districts, key=place_key):
        units = sorted(districts[parent], key=lambda area: place_key(area.name))
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
