"""The coverage map (cadres/coverage_map.py): marks by grading, covered and uncovered red zones, links, both
eras of the administrative map, the table as text, the queries, the dashboard's area, and the cadre's own map."""

import datetime
import json
import math
import re
import unicodedata

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from cadres.coverage import coverage_on
from cadres.coverage_map import GRADING_COLOURS, NOT_GRADED, coverage_map, map_area, map_areas, render_map
from cadres.services import assignment_recall
from localities.changes import record_rename
from localities.models import Grading, LocalityKind, title
from tests.cadres.test_dashboard import DASHBOARD_QUERIES
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    LocalityFactory,
    RoleFactory,
    UserFactory,
    ZoneStatusFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
DAY = D(2021, 8, 25)
NOW = D(2026, 3, 2)
LAST_OLD_DAY = D(2025, 6, 30)
FIRST_NEW_DAY = D(2025, 7, 1)
DASHBOARD = reverse("cadres:dashboard")
AREA_MAP = reverse("phone:area_map")


def _commune(parent, name, latitude, longitude, *, grading=None, era="old", **fields):
    """A ward at those coordinates, of the units before 01/07/2025 ("old") or since ("new")."""
    dates = {"valid_to": LAST_OLD_DAY} if era == "old" else {"valid_from": FIRST_NEW_DAY}
    ward = LocalityFactory(name=name, parent=parent, latitude=latitude, longitude=longitude, **{**dates, **fields})
    if grading:
        ZoneStatusFactory(locality=ward, grading=grading, valid_from=D(2021, 7, 19) if era == "old" else NOW)
    return ward


@pytest.fixture
def binh_duong():
    """Bình Dương before 01/07/2025: Tân Uyên (a town in 2021, a city since 2023) with a ward of each grading,
    Dĩ An with two; and Hồ Chí Minh City since, its wards directly under it."""
    old = {"valid_to": LAST_OLD_DAY}
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương", latitude=11.1, longitude=106.6, **old)
    tan_uyen = LocalityFactory(kind=LocalityKind.CITY, name="Tân Uyên", parent=province, **old)
    record_rename(tan_uyen, effective_on=D(2023, 4, 10), kind_before=LocalityKind.TOWN)
    di_an = LocalityFactory(kind=LocalityKind.CITY, name="Dĩ An", parent=province, **old)
    wards = {
        "covered": _commune(tan_uyen, "Uyên Hưng", 11.07, 106.80, grading=Grading.RED),
        "gap": _commune(tan_uyen, "Tân Phước Khánh", 11.01, 106.72, grading=Grading.LOCKED_DOWN),
        "recalled": _commune(tan_uyen, "Thái Hòa", 11.03, 106.71, grading=Grading.RED),
        "orange": _commune(tan_uyen, "Khánh Bình", 11.06, 106.75, grading=Grading.ORANGE),
        "yellow": _commune(tan_uyen, "Tân Hiệp", 11.09, 106.74, grading=Grading.YELLOW),
        "green": _commune(tan_uyen, "Hội Nghĩa", 11.10, 106.77, grading=Grading.GREEN),
        "ungraded": _commune(tan_uyen, "Bạch Đằng", 11.04, 106.80),
        "unplaced": _commune(tan_uyen, "Tân Vĩnh Hiệp", None, None, grading=Grading.RED),
        "di_an": _commune(di_an, "Dĩ An", 10.90, 106.76, grading=Grading.RED),
        "dong_hoa": _commune(di_an, "Đông Hòa", 10.88, 106.78, grading=Grading.RED),
    }
    # Ended before the day: not on the map of 25/08/2021.
    _commune(tan_uyen, "Phường đã nhập", 11.05, 106.73, valid_from=D(2019, 1, 1), valid_to=D(2020, 12, 31))
    campaign = CampaignFactory(starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 30))
    AssignmentFactory(campaign=campaign, locality=wards["covered"])
    AssignmentFactory(campaign=campaign, locality=wards["covered"])
    AssignmentFactory(campaign=campaign, locality=wards["orange"])
    AssignmentFactory(campaign=campaign, locality=wards["di_an"])
    recalled = AssignmentFactory(campaign=campaign, locality=wards["recalled"])
    assignment_recall(assignment=recalled, on=D(2021, 8, 20), reason="ốm")
    # A cadre at the district itself: on no commune's mark.
    AssignmentFactory(campaign=campaign, locality=tan_uyen)

    city = LocalityFactory(
        kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", latitude=10.99, longitude=106.64, valid_from=FIRST_NEW_DAY
    )
    now = {
        "thu_dau_mot": _commune(city, "Thủ Dầu Một", 10.98, 106.65, grading=Grading.ORANGE, era="new"),
        "di_an": _commune(city, "Dĩ An", 10.90, 106.76, era="new"),
        "ben_thanh": _commune(city, "Bến Thành", 10.77, 106.70, era="new"),
    }
    return {"province": province, "tan_uyen": tan_uyen, "di_an": di_an, "city": city, "wards": wards, "now": now}


def _marks(result) -> dict[str, object]:
    return {mark.locality.name: mark for mark in result.marks}


def _fills(svg: str) -> dict[str, str]:
    """Each mark's name (its tooltip's first part) and the fill of its circle (after its target for a finger)."""
    found = re.findall(
        r'<title>([^<,]+), [^<]*</title>(?:<path class="map-target"[^>]*>)?<circle cx="[\d.]+" cy="[\d.]+" '
        r'r="[\d.]+" fill="(#\w+)"',
        svg,
    )
    return {name.split(" ", 1)[1]: fill for name, fill in found}


# The marks -----------------------------------------------------------------


def test_each_grading_has_its_colour(binh_duong):
    result = coverage_map(binh_duong["tan_uyen"], DAY)
    fills = _fills(result.svg)
    expected = {
        "Uyên Hưng": GRADING_COLOURS[Grading.RED][0],
        "Tân Phước Khánh": GRADING_COLOURS[Grading.LOCKED_DOWN][0],
        "Khánh Bình": GRADING_COLOURS[Grading.ORANGE][0],
        "Tân Hiệp": GRADING_COLOURS[Grading.YELLOW][0],
        "Hội Nghĩa": GRADING_COLOURS[Grading.GREEN][0],
        "Bạch Đằng": NOT_GRADED[0],
    }
    assert {name: fills[name] for name in expected} == expected
    assert len(set(expected.values())) == len(expected)
    # The colours are the badges' of site.css, where each grading has its own.
    with open("static/css/site.css", encoding="utf-8") as css:
        stylesheet = css.read().lower()
    for grading in (Grading.RED, Grading.ORANGE, Grading.YELLOW, Grading.GREEN):
        assert GRADING_COLOURS[grading][0] in stylesheet
    assert "style=" not in result.svg and "<script" not in result.svg
    legend = {str(item.label): item.count for item in result.legend}
    assert legend[str(Grading.RED.label)] == 2 and legend[str(Grading.GREEN.label)] == 1


def test_covered_and_uncovered_red_zones(binh_duong):
    marks = _marks(coverage_map(binh_duong["tan_uyen"], DAY))
    assert (marks["Uyên Hưng"].cadres_present, marks["Uyên Hưng"].covered) == (2, True)
    assert marks["Uyên Hưng"].uncovered_red is False
    # Locked down with nobody; red with a cadre recalled on 20/08; orange with a cadre.
    assert marks["Tân Phước Khánh"].uncovered_red and marks["Thái Hòa"].uncovered_red
    assert marks["Khánh Bình"].covered and not marks["Khánh Bình"].uncovered_red
    assert not marks["Bạch Đằng"].covered and not marks["Bạch Đằng"].uncovered_red
    # On the day of the recall the cadre was still there.
    assert _marks(coverage_map(binh_duong["tan_uyen"], D(2021, 8, 20)))["Thái Hòa"].covered


def test_the_uncovered_red_zones_stand_out(binh_duong):
    svg = coverage_map(binh_duong["tan_uyen"], DAY).svg
    marks = re.findall(r"<a [^>]*>(.*?)</a>", svg)
    ringed = {re.search(r"<title>[^ ]+ ([^,<]+)", mark)[1] for mark in marks if 'class="map-gap"' in mark}
    assert ringed == {"Tân Phước Khánh", "Thái Hòa"}
    # Drawn last, on top of the others.
    assert all('class="map-gap"' in mark for mark in marks[-2:])
    dotted = [mark for mark in marks if mark.count("<circle") >= 2 and 'class="map-gap"' not in mark]
    assert len(dotted) == 2  # Uyên Hưng and Khánh Bình have a cadre


def test_the_map_agrees_with_the_dashboard_figures(binh_duong):
    result = coverage_map(binh_duong["province"], DAY)
    coverage = coverage_on(DAY)
    # Every red-zone ward of the data is on this map but the one without coordinates (red, nobody there).
    assert result.uncovered_red + 1 == coverage.uncovered_count
    assert result.red_zone + 1 == coverage.red_zone_wards


def test_each_mark_links_to_its_locality_page_on_the_day(binh_duong, staff_client):
    result = coverage_map(binh_duong["tan_uyen"], DAY)
    hrefs = re.findall(r'<a href="([^"]+)"', result.svg)
    expected = [f"/localities/{mark.locality.pk}/?day=2021-08-25" for mark in result.marks]
    assert sorted(hrefs) == sorted(expected)
    assert all(mark.url in hrefs for mark in result.marks)
    assert staff_client.get(hrefs[0]).status_code == 200
    # Out of the tab order (the table has the same links), each named by what it shows.
    assert all('tabindex="-1" aria-label="' in tag for tag in re.findall(r"<a [^>]+>", result.svg))


def test_a_map_without_links(binh_duong):
    result = coverage_map(binh_duong["tan_uyen"], DAY, links=False)
    html = render_to_string("localities/_coverage_map.html", {"coverage_map": result})
    assert "<a " not in result.svg and "href=" not in html


# The two eras ----------------------------------------------------------------


def test_a_district_map_of_2021_names_its_units_as_on_the_day(binh_duong):
    result = coverage_map(binh_duong["tan_uyen"], DAY)
    names = [mark.locality.name for mark in result.marks]
    assert set(names) == {
        "Uyên Hưng",
        "Tân Phước Khánh",
        "Thái Hòa",
        "Khánh Bình",
        "Tân Hiệp",
        "Hội Nghĩa",
        "Bạch Đằng",
    }
    assert [unit.name for unit in result.unplaced] == ["Tân Vĩnh Hiệp"]
    # A town in 2021, a city since 2023; the object passed in is left as it was.
    assert title(LocalityKind.TOWN, "Tân Uyên") in result.title
    assert binh_duong["tan_uyen"].kind == LocalityKind.CITY
    assert (
        title(LocalityKind.CITY, "Tân Uyên")
        in coverage_map(binh_duong["tan_uyen"], NOW - datetime.timedelta(days=1000)).title
    )
    assert not result.by_district and not result.districts
    # Vietnamese dictionary order: Bạch before Hội before Khánh ...; Tân Hiệp before Tân Phước Khánh.
    assert names == ["Bạch Đằng", "Hội Nghĩa", "Khánh Bình", "Tân Hiệp", "Tân Phước Khánh", "Thái Hòa", "Uyên Hưng"]


def test_a_province_map_of_2021_draws_the_communes_of_its_districts(binh_duong):
    result = coverage_map(binh_duong["province"], DAY)
    assert len(result.marks) == 9 and result.by_district
    assert {label.name for label in result.districts} == {
        title(LocalityKind.TOWN, "Tân Uyên"),
        title(LocalityKind.CITY, "Dĩ An"),
    }
    assert "Dĩ An" in result.svg and title(LocalityKind.TOWN, "Tân Uyên") in result.svg
    # The units of 2026 are not on the map of 2021, nor those of 2021 on the map of 2026.
    assert not {mark.locality.pk for mark in result.marks} & {ward.pk for ward in binh_duong["now"].values()}
    assert coverage_map(binh_duong["province"], NOW).marks == []


def test_a_province_map_of_2026_draws_the_communes_directly_under_it(binh_duong):
    result = coverage_map(binh_duong["city"], NOW)
    assert sorted(mark.locality.name for mark in result.marks) == ["Bến Thành", "Dĩ An", "Thủ Dầu Một"]
    assert not result.by_district and not result.districts
    assert _marks(result)["Thủ Dầu Một"].grading == Grading.ORANGE
    assert coverage_map(binh_duong["city"], DAY).marks == []


def test_the_projection_keeps_proportions_inside_the_view_box(binh_duong):
    result = coverage_map(binh_duong["province"], DAY)
    xs = [mark.x for mark in result.marks]
    ys = [mark.y for mark in result.marks]
    assert 0 < min(xs) < max(xs) < result.width and 0 < min(ys) < max(ys) < result.height
    marks = _marks(result)
    north, south = marks["Hội Nghĩa"], marks["Đông Hòa"]  # 11.10 and 10.88
    assert north.y < south.y
    east, west = marks["Uyên Hưng"], marks["Thái Hòa"]  # 106.80 and 106.71
    assert east.x > west.x
    # One degree of longitude is cos(latitude) of a degree of latitude.
    scale_x = (east.x - west.x) / (106.80 - 106.71)
    scale_y = (marks["Thái Hòa"].y - marks["Uyên Hưng"].y) / (11.07 - 11.03)
    assert scale_x / scale_y == pytest.approx(0.982, abs=0.01)
    assert 'viewBox="0 0 600 600" width="100%"' in result.svg
    assert result.scale_km > 0


def test_one_commune_alone_is_drawn_in_the_middle():
    district = LocalityFactory(kind=LocalityKind.DISTRICT, name="Côn Đảo")
    LocalityFactory(name="Côn Sơn", parent=district, latitude=8.68, longitude=106.61)
    (mark,) = coverage_map(district, DAY).marks
    assert 250 < mark.x < 350 and 200 < mark.y < 350


# The table, the text alternative ----------------------------------------------


def test_the_table_has_the_same_rows_as_the_marks(binh_duong):
    result = coverage_map(binh_duong["province"], DAY)
    html = render_to_string("localities/_coverage_map.html", {"coverage_map": result})
    rows = [int(pk) for pk in re.findall(r'<tr class="map-row[^"]*" data-locality="(\d+)"', html)]
    assert rows == [mark.locality.pk for mark in result.marks]
    links = re.findall(r'<th scope="row"><a href="([^"]+)">', html)
    assert links == [mark.url for mark in result.marks]
    assert html.count('class="map-row map-gap-row"') == result.uncovered_red == 3
    # The district column of a province's map; the one without coordinates named in the caption.
    assert "<details" in html and "<summary>" in html
    assert html.count("<td>" + title(LocalityKind.CITY, "Dĩ An") + "</td>") == 2
    assert "Tân Vĩnh Hiệp" in html and "Tân Vĩnh Hiệp" not in result.svg
    assert 'role="group" aria-labelledby="coverage-map-title" aria-describedby="coverage-map-desc"' in html


def test_the_template_says_when_nothing_can_be_drawn(binh_duong):
    empty = render_to_string("localities/_coverage_map.html", {"coverage_map": coverage_map(binh_duong["city"], DAY)})
    assert "<svg" not in empty and "<table" not in empty
    assert render_to_string("localities/_coverage_map.html", {}).strip() == ""


def test_a_highlighted_commune(binh_duong):
    ward = binh_duong["wards"]["gap"]
    area, highlight = map_area(ward)
    assert (area, highlight) == (binh_duong["tan_uyen"], ward.pk)
    assert map_area(binh_duong["tan_uyen"]) == (binh_duong["tan_uyen"], None)
    result = coverage_map(area, DAY, highlight=highlight)
    assert result.svg.count('class="map-highlight"') == 1
    assert "Tân Phước Khánh</text>" in result.svg
    html = render_to_string("localities/_coverage_map.html", {"coverage_map": result})
    assert html.count("map-highlight-row") == 1
    assert f"<strong>({result.highlight_label})</strong>" in html and result.highlight_label in result.svg
    other = binh_duong["wards"]["orange"]
    assert "Khánh Bình</text>" in render_map(result, highlight=other.pk)


# On a phone: targets for a finger, names beside the marks, none cut by the frame ------------------

# 24 CSS px across on a 360 px phone, where the 600 units of the viewBox are some 294 px wide.
FINGER = 24 * 600 / 294 / 2  # A target's radius, in the viewBox's units.
MARK = re.compile(
    r'<(?:a|g)[^>]*><title>([^<,]+), [^<]*</title><path class="map-target" d="([^"]+)" fill="none" '
    r'pointer-events="all"/><circle cx="([\d.]+)" cy="([\d.]+)"'
)


def _targets(svg: str) -> dict[str, tuple[tuple[float, float], object]]:
    """Each mark's name, centre and target (a circle or a polygon), the target drawn before the mark's circle."""
    targets = {}
    for name, path, x, y in MARK.findall(svg):
        circle = re.fullmatch(r"M([\d.]+) ([\d.]+)a([\d.]+) \3 0 1 0 [\d.]+ 0a\3 \3 0 1 0 -[\d.]+ 0z", path)
        if circle:
            radius = float(circle[3])
            shape = ("circle", (float(circle[1]) + radius, float(circle[2])), radius)
        else:
            shape = ("polygon", [(float(a), float(b)) for a, b in re.findall(r"([\d.]+) ([\d.]+)", path)])
        targets[name.split(" ", 1)[1]] = ((float(x), float(y)), shape)
    return targets


def _inside(shape, point, margin=0.3) -> bool:
    """Whether `point` is in the shape, `margin` units from its edge (rounding to one decimal)."""
    if shape[0] == "circle":
        return math.dist(point, shape[1]) <= shape[2] - margin
    polygon, x, y = shape[1], *point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        length = math.dist((x1, y1), (x2, y2)) or 1
        if abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length < margin:
            return False
    return inside


def _around(centre, radius, steps=32):
    return [
        (centre[0] + radius * math.cos(2 * math.pi * i / steps), centre[1] + radius * math.sin(2 * math.pi * i / steps))
        for i in range(steps)
    ]


def test_each_mark_has_a_target_a_finger_can_tap_beneath_it(binh_duong):
    result = coverage_map(binh_duong["tan_uyen"], DAY)
    targets = _targets(result.svg)
    assert set(targets) == {mark.locality.name for mark in result.marks}
    for centre, shape in targets.values():
        nearest = min(math.dist(centre, other) for other, _shape in targets.values() if other != centre)
        # 24 CSS px across, or all the room up to halfway to the nearest mark.
        reach = min(FINGER, nearest / 2 - 0.5)
        assert all(_inside(shape, point) for point in _around(centre, reach)), centre
    # The cadre's map, without links, has the same targets.
    assert len(_targets(coverage_map(binh_duong["tan_uyen"], DAY, links=False).svg)) == len(result.marks)


def test_on_a_crowded_map_a_tap_goes_to_the_nearest_mark(django_assert_max_num_queries):
    district = _district_with(40, CampaignFactory())
    with django_assert_max_num_queries(2):
        svg = coverage_map(district, DAY).svg
    targets = list(_targets(svg).values())
    assert len(targets) == 40
    assert any(shape[0] == "polygon" for _centre, shape in targets)  # Neighbours closer than a finger.
    for y in range(0, 600, 4):
        for x in range(0, 600, 4):
            hit = [centre for centre, shape in targets if _inside(shape, (x, y))]
            assert len(hit) <= 1, (x, y)  # No target over another's ...
            if hit:  # ... and the one tapped is the nearest mark.
                nearest = min(math.dist((x, y), centre) for centre, _shape in targets)
                assert math.dist((x, y), hit[0]) == pytest.approx(nearest, abs=0.5)
    for centre, shape in targets:
        assert _inside(shape, centre)


def _names(svg: str) -> list[str]:
    names = re.search(r'<g class="map-names"[^>]*>(.*?)</g>', svg)[1]
    return re.findall(r">([^<>]+)</text>", names)


def test_a_small_map_names_its_communes_around_the_cadres(binh_duong):
    ward = binh_duong["wards"]["gap"]
    result = coverage_map(binh_duong["tan_uyen"], DAY, highlight=ward.pk, links=False, for_cadre=True)
    named = _names(result.svg)
    # The cadre's own in full, in the highlight; the others by their names, the nearest at least.
    assert f'stroke-width="5" paint-order="stroke">{ward.display_name}</text></g>' in result.svg
    assert "Tân Phước Khánh" not in named and len(named) >= 4
    assert {"Thái Hòa", "Bạch Đằng"} <= set(named)  # The two nearest.
    assert len(_titles(result.svg)) == len(result.marks)
    # A staff map of the district names them too.
    assert len(_names(coverage_map(binh_duong["tan_uyen"], DAY).svg)) >= 5


def test_names_on_the_map_are_escaped_and_let_a_tap_through():
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Ấp")
    LocalityFactory(parent=district, name='<b onclick="x()">Ấp 1</b> & 2', latitude=11.0, longitude=106.6)
    LocalityFactory(parent=district, name="Ấp 3", latitude=11.05, longitude=106.65)
    svg = coverage_map(district, DAY).svg
    assert "&lt;b onclick=&quot;x()&quot;&gt;Ấp 1&lt;/b&gt; &amp; 2</text>" in svg and "<b " not in svg
    assert "style=" not in svg and "<script" not in svg
    # The names lie over the targets: a tap on one goes through to the mark beneath.
    assert '<g class="map-names" aria-hidden="true" pointer-events="none">' in svg


def _titles(svg: str) -> list[str]:
    return re.findall(r"<(?:a|g)[^>]*><title>([^<]+)</title>", svg)


def test_a_larger_map_keeps_names_to_the_tooltips_but_the_highlighted_communes_neighbours(
    django_assert_max_num_queries,
):
    district = _district_with(45, CampaignFactory())
    with django_assert_max_num_queries(2):
        result = coverage_map(district, DAY)
        svg = result.svg
    assert _names(svg) == [] and len(_titles(svg)) == 45
    titles = _titles(svg)  # Each mark says its name on hover or a long press.
    assert all(any(title.startswith(f"{mark.name}, ") for title in titles) for mark in result.marks)
    highlighted = result.marks[20]
    named = _names(render_map(result, highlight=highlighted.locality.pk))
    assert 1 <= len(named) <= 8
    by_distance = sorted(
        result.marks[:20] + result.marks[21:],
        key=lambda mark: math.dist((mark.x, mark.y), (highlighted.x, highlighted.y)),
    )
    assert set(named) <= {mark.locality.name for mark in by_distance[:8]}


# The widths of DejaVu Sans and DejaVu Sans Bold (one of the widest fonts a phone draws with), in thousandths of
# the font's size, measured with Pillow; the horn of a capital Ư or Ơ adds 126 and 23.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 đĐ"
DEJAVU = {
    False: "613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 592 592 525 "
    "684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 "
    "636 636 636 636 636 636 636 636 636 636 318 635 775",
    True: "675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 645 652 582 "
    "774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 774 1103 771 724 725 "
    "696 696 696 696 696 696 696 696 696 696 348 716 838",
}


def _dejavu_width(text: str, size: float, bold: bool) -> float:
    widths = dict(zip(LETTERS, map(int, DEJAVU[bold].split()), strict=True))
    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)
        total += widths[base[0]] + ((23 if bold else 126) if "\u031b" in base and base[0].isupper() else 0)
    return total * size / 1000


def _texts(svg: str) -> list[tuple[float, float, str, float, bool, str]]:
    """Each commune's name: x, y, anchor, size, bold, text."""
    found = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)" font-size="([\d.]+)"( font-weight="700")? '
        r'fill="[^"]+" stroke="[^"]+" stroke-width="\d" paint-order="stroke">([^<]+)</text>',
        svg,
    )
    return [(float(x), float(y), anchor, float(size), bool(bold), text) for x, y, anchor, size, bold, text in found]


def test_a_name_near_the_edge_is_not_cut_off():
    """The cadre's ward, east of the middle with a long name: "Phường Tân Khánh" was drawn from its mark
    rightwards and lost its last letter to the frame. It must end at its mark (text-anchor="end")."""
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Bắc Tân Uyên")
    LocalityFactory(parent=district, name="Tây", latitude=11.0, longitude=106.60)
    ward = LocalityFactory(parent=district, name="Tân Khánh", latitude=11.0, longitude=106.663)
    LocalityFactory(parent=district, name="Đông", latitude=11.0, longitude=106.70)
    for highlight in (ward.pk, None):
        result = coverage_map(district, DAY, highlight=highlight, links=False, for_cadre=True)
        texts = _texts(result.svg)
        assert {text for *_place, text in texts} == ({ward.display_name} if highlight else {"Tân Khánh"}) | {
            "Tây",
            "Đông",
        }
        for x, y, anchor, size, bold, text in texts:
            width = _dejavu_width(text, size, bold)
            left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            assert left >= 0 and left + width <= result.width, (text, anchor, x)
            assert size <= y <= result.height
    # The staff's map of the locality draws it the same way: ending at the mark, left of it.
    result = coverage_map(district, DAY, highlight=ward.pk)
    (own,) = [text for text in _texts(result.svg) if text[5] == ward.display_name]
    assert own[2] == "end" and own[0] < _marks(result)["Tân Khánh"].x


# A cadre's map of a whole province: their neighbourhood -------------------------------------------------

GRID = 10  # A province of GRID × GRID wards 0.05° apart (some 5.5 km), and an island far to the south.


@pytest.fixture
def big_city():
    """A city of 100 wards on a grid, one red every seventh, an island 250 km to the south (as Côn Đảo is), and a
    ward without coordinates; since 01/07/2025, its wards directly under it."""
    city = LocalityFactory(
        kind=LocalityKind.CITY_PROVINCE, name="Lưới", latitude=10.8, longitude=106.7, valid_from=FIRST_NEW_DAY
    )
    grid = {}
    for row in range(GRID):
        for column in range(GRID):
            grading = Grading.RED if (row * GRID + column) % 7 == 0 else None
            grid[row, column] = _commune(
                city, f"Ô {row}{column}", 11.0 - 0.05 * row, 106.5 + 0.05 * column, grading=grading, era="new"
            )
    island = _commune(city, "Đảo Xa", 8.68, 106.61, era="new")
    unplaced = _commune(city, "Chưa Đo", None, None, era="new")
    return {"city": city, "grid": grid, "island": island, "unplaced": unplaced}


def _degrees(one, other) -> float:
    cosine = math.cos(math.radians(one.latitude))
    return math.hypot((one.longitude - other.longitude) * cosine, one.latitude - other.latitude)


def test_a_cadres_map_of_a_large_area_frames_their_neighbourhood(big_city, django_assert_max_num_queries):
    city, ward = big_city["city"], big_city["grid"][4, 5]
    with django_assert_max_num_queries(2):
        result = coverage_map(city, NOW, highlight=ward.pk, links=False, for_cadre=True)
        svg = result.svg
        html = render_to_string("localities/_coverage_map.html", {"coverage_map": result})
    drawn = {mark.locality.pk for mark in result.marks}
    # Some 30 marks around the cadre's ward, the 30 nearest among them; not the island, 250 km away.
    assert result.framed and 30 < len(drawn) <= 50 and ward.pk in drawn
    others = sorted((w for w in big_city["grid"].values() if w != ward), key=lambda w: _degrees(ward, w))
    assert {w.pk for w in others[:30]} <= drawn
    assert big_city["island"].pk not in drawn and "Đảo Xa" not in html
    assert max(_degrees(ward, mark.locality) for mark in result.marks) < 0.3  # Within some 33 km.
    # Each drawn inside the frame, above the scale bar; a finger's room around each (no other within 50 units).
    for mark in result.marks:
        assert 15 <= mark.x <= 585 and 15 <= mark.y <= 530, mark.name
    targets = _targets(svg)
    assert set(targets) == {mark.locality.name for mark in result.marks}
    assert all(shape[0] == "circle" for _centre, shape in targets.values())
    # The scale bar measures the frame: a ward's neighbour to the south is 0.05° of latitude away (5.566 km), to the
    # east 0.05° of longitude (by the cosine of the latitude).
    marks, per_km = _marks(result), result.scale_length / result.scale_km
    assert marks["Ô 55"].y - marks["Ô 45"].y == pytest.approx(0.05 * 111.32 * per_km)
    east = marks["Ô 46"].x - marks["Ô 45"].x
    assert east == pytest.approx(0.05 * math.cos(math.radians(ward.latitude)) * 111.32 * per_km, rel=0.005)
    assert f'<path d="M30 578 V586 H{30 + result.scale_length:.1f} V578"' in svg
    assert f">{result.scale_km:g} km</text>" in svg
    whole = coverage_map(city, NOW)
    assert per_km > 4 * whole.scale_length / whole.scale_km  # Zoomed in on the neighbourhood.
    # Named where there is room, inside the frame and clear of each other: the cadre's in full, most neighbours.
    texts = _texts(svg)
    assert ward.display_name in [text[5] for text in texts] and len(texts) > 20
    boxes = []
    for x, y, anchor, size, bold, text in texts:
        width = _dejavu_width(text, size, bold)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        assert left >= 0 and left + width <= result.width and size <= y <= result.height, text
        boxes.append((left, y - size, left + width, y + size * 0.3))
    for index, one in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1]
    assert len(_titles(svg)) == len(drawn)
    # The caption and the table say how many of the city's 102 communes and wards are drawn; the table lists them.
    caption = re.search(r'<p class="coverage-map-title">.*?</p>\s*<p>([^<]+)</p>', html, re.S)[1]
    assert re.findall(r"\d+", caption)[:2] == [str(len(drawn)), "102"] and city.display_name in caption
    summary = re.search(r"<summary>([^<]+)</summary>", html)[1]
    assert re.findall(r"\d+", summary) == [str(len(drawn)), "102"] and city.display_name in summary
    rows = {int(pk) for pk in re.findall(r'<tr class="map-row[^"]*" data-locality="(\d+)"', html)}
    assert rows == drawn
    legend = {str(item.label): item.count for item in result.legend}
    assert legend[str(Grading.RED.label)] == result.red_zone == sum(m.grading == Grading.RED for m in result.marks)
    # The staff's map of the same city, on the dashboard or the ward's page, still draws it whole.
    for highlight in (None, ward.pk):
        with django_assert_max_num_queries(2):
            whole = coverage_map(city, NOW, highlight=highlight)
            html = render_to_string("localities/_coverage_map.html", {"coverage_map": whole})
        assert len(whole.marks) == 101 and not whole.framed and "Đảo Xa" in whole.svg
        assert len(re.findall(r'<tr class="map-row', html)) == 101


def test_a_cadres_map_is_framed_only_around_a_commune_with_coordinates_in_a_large_area(big_city):
    city, ward = big_city["city"], big_city["grid"][0, 0]
    # At the corner of the city, its neighbourhood reaches inwards: some 30 marks, the island not among them.
    framed = coverage_map(city, NOW, highlight=ward.pk, links=False, for_cadre=True)
    assert framed.framed and 30 < len(framed.marks) <= 50 and "Đảo Xa" not in framed.svg
    assert all(_degrees(ward, mark.locality) < 0.4 for mark in framed.marks)
    # Without a commune of theirs with coordinates to frame, the whole city, as before.
    for highlight in (None, big_city["unplaced"].pk):
        result = coverage_map(city, NOW, highlight=highlight, links=False, for_cadre=True)
        assert len(result.marks) == 101 and not result.framed and "Đảo Xa" in result.svg
    # A cadre's map of 40 communes or fewer is whole.
    district = _district_with(40, CampaignFactory())
    result = coverage_map(district, DAY, highlight=district.children.first().pk, for_cadre=True)
    assert len(result.marks) == 40 and not result.framed


# Queries --------------------------------------------------------------------


def _district_with(count: int, campaign):
    district = LocalityFactory(kind=LocalityKind.TOWN, name=f"Huyện {count}")
    for index in range(count):
        ward = LocalityFactory(parent=district, latitude=11 + index / 100, longitude=106.6 + (index % 7) / 50)
        ZoneStatusFactory(locality=ward, grading=Grading.RED if index % 2 else Grading.ORANGE)
        if index % 3:
            AssignmentFactory(campaign=campaign, locality=ward)
    ZoneStatusFactory(locality=district)
    return district


def test_a_map_takes_two_queries_whatever_its_size(django_assert_num_queries):
    campaign = CampaignFactory()
    small, big = _district_with(3, campaign), _district_with(40, campaign)
    for district, marks in ((small, 3), (big, 40)):
        with django_assert_num_queries(2):
            result = coverage_map(district, DAY)
            result.svg  # noqa: B018 (drawn with no query)
            render_to_string("localities/_coverage_map.html", {"coverage_map": result})
        assert len(result.marks) == marks


def test_the_dashboard_with_a_map_takes_as_many_queries_whatever_the_area(staff_client, django_assert_max_num_queries):
    campaign = CampaignFactory()
    small, big = _district_with(3, campaign), _district_with(40, campaign)
    for district in (small, big):
        with django_assert_max_num_queries(DASHBOARD_QUERIES):
            response = staff_client.get(DASHBOARD, {"day": "2021-08-25", "area": district.pk})
        assert response.context["area_id"] == district.pk
        assert f"/localities/{district.children.first().pk}/?day=2021-08-25" in response.content.decode()


def test_the_areas_offered_take_three_queries(binh_duong, django_assert_num_queries):
    with django_assert_num_queries(3):
        map_areas(DAY)


# The dashboard's area -------------------------------------------------------------


def _options(content: str) -> list[tuple[str, bool]]:
    select = content[content.index('<select name="area"') : content.index("</select>")]
    return [(pk, bool(selected)) for pk, selected in re.findall(r'<option value="(\d+)"( selected)?>', select)]


def test_the_dashboard_offers_provinces_and_districts_of_the_day(binh_duong, staff_client):
    content = staff_client.get(DASHBOARD, {"day": "2021-08-25"}).content.decode()
    offered = [int(pk) for pk, _selected in _options(content)]
    province, tan_uyen, di_an = binh_duong["province"], binh_duong["tan_uyen"], binh_duong["di_an"]
    assert offered == [province.pk, di_an.pk, tan_uyen.pk]
    assert '<optgroup label="' + title(LocalityKind.PROVINCE, "Bình Dương") + '">' in content
    # Since 01/07/2025: provinces only, those of the day.
    content = staff_client.get(DASHBOARD, {"day": NOW.isoformat()}).content.decode()
    assert [int(pk) for pk, _selected in _options(content)] == [binh_duong["city"].pk]


def test_the_dashboard_shows_first_the_area_with_the_most_red_zones(binh_duong, staff_client):
    # Another province, first in the alphabet, with fewer red-zone wards.
    an_giang = LocalityFactory(kind=LocalityKind.PROVINCE, name="An Giang", valid_to=LAST_OLD_DAY)
    _commune(an_giang, "Long Xuyên", 10.38, 105.43, grading=Grading.RED)
    response = staff_client.get(DASHBOARD, {"day": "2021-08-25"})
    assert response.context["area_id"] == binh_duong["province"].pk
    assert (str(binh_duong["province"].pk), True) in _options(response.content.decode())
    assert "Uyên Hưng" in response.content.decode()


def test_without_red_zones_the_users_own_area_then_the_first_province(binh_duong):
    an_giang = LocalityFactory(kind=LocalityKind.PROVINCE, name="An Giang", valid_to=LAST_OLD_DAY)
    day = D(2021, 1, 1)  # No grading yet: no red zone.
    assert map_areas(day).default == an_giang.pk
    assert map_areas(day, preferred=frozenset({binh_duong["tan_uyen"].pk, 999})).default == binh_duong["tan_uyen"].pk
    # A supervisor of Tân Uyên who also plans, as an organiser, from every locality.
    user = RoleFactory(kind="supervisor", locality=binh_duong["tan_uyen"]).user
    RoleFactory(kind="organiser", user=user)
    client = _client(user)
    assert client.get(DASHBOARD, {"day": day.isoformat()}).context["area_id"] == binh_duong["tan_uyen"].pk


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("raw", ["abc", "99999", "²", "-1", "", "1e9999", "\x00"])
def test_an_area_not_offered_falls_back_without_an_error(binh_duong, staff_client, raw):
    response = staff_client.get(DASHBOARD, {"day": "2021-08-25", "area": raw})
    assert response.status_code == 200
    assert response.context["area_id"] == binh_duong["province"].pk
    assert not list(response.context["messages"])


def test_a_district_on_a_day_after_the_reorganisation_or_a_commune_is_not_an_area(binh_duong, staff_client):
    city = binh_duong["city"].pk
    for day, area in ((NOW, binh_duong["tan_uyen"].pk), (NOW, binh_duong["now"]["di_an"].pk)):
        assert staff_client.get(DASHBOARD, {"day": day.isoformat(), "area": area}).context["area_id"] == city


def test_an_area_the_user_does_not_see_is_not_offered(binh_duong):
    official = RoleFactory(kind="locality", unit=None, locality=binh_duong["di_an"]).user
    client = _client(official)
    response = client.get(DASHBOARD, {"day": "2021-08-25", "area": binh_duong["tan_uyen"].pk})
    assert response.status_code == 200
    assert response.context["area_id"] == binh_duong["di_an"].pk
    assert [int(pk) for pk, _selected in _options(response.content.decode())] == [binh_duong["di_an"].pk]
    content = response.content.decode()
    assert "Uyên Hưng" not in content and "Đông Hòa" in _map_of(content)


def _map_of(content: str) -> str:
    start = content.index('id="dashboard-map"')
    return content[start : content.index("</details>", start)]


def test_the_chosen_area_is_shown_and_kept_apart_in_the_cache(binh_duong, staff_client):
    tan_uyen, di_an = binh_duong["tan_uyen"].pk, binh_duong["di_an"].pk
    first = staff_client.get(DASHBOARD, {"day": "2021-08-25", "area": tan_uyen}).content.decode()
    second = staff_client.get(DASHBOARD, {"day": "2021-08-25", "area": di_an}).content.decode()
    assert "Uyên Hưng" in _map_of(first) and "Đông Hòa" not in _map_of(first)
    assert "Đông Hòa" in _map_of(second) and "Uyên Hưng" not in _map_of(second)
    assert (str(di_an), True) in _options(second)
    # The map sits with the figures, before the chart.
    assert second.index('id="dashboard-map"') < second.index('<svg class="chart"')


# The cadre's map -------------------------------------------------------------------


def _on_mission(cadre, locality, starts_on, days=30):
    ends_on = starts_on + datetime.timedelta(days=days - 1)
    return AssignmentFactory(cadre=cadre, locality=locality, starts_on=starts_on, ends_on=ends_on)


def test_a_cadre_sees_the_map_of_their_own_area_with_their_commune(binh_duong, cadre, cadre_client):
    today = timezone.localdate()
    ward = binh_duong["now"]["thu_dau_mot"]
    _on_mission(cadre, ward, today - datetime.timedelta(days=3))
    response = cadre_client.get(AREA_MAP)
    content = response.content.decode()
    assert response.status_code == 200
    assert title(LocalityKind.CITY_PROVINCE, "Hồ Chí Minh") in content
    assert content.count('class="map-highlight"') == 1 and "Thủ Dầu Một</text>" in content
    assert content.count("map-highlight-row") == 1
    with translation.override("vi"):  # the site's language
        assert f"<strong>({translation.gettext('your commune')})</strong>" in content
    # The office's locality pages are not the cadre's: no link to them.
    assert "/localities/" not in content
    assert 'rel="manifest"' in content


def test_the_cadres_map_speaks_plainly_and_the_staffs_keeps_its_words(binh_duong, cadre, cadre_client, staff_client):
    _on_mission(cadre, binh_duong["wards"]["gap"], D(2021, 8, 17))
    mine = cadre_client.get(AREA_MAP).content.decode()
    office = staff_client.get(DASHBOARD, {"day": "2021-08-25", "area": binh_duong["tan_uyen"].pk}).content.decode()
    with translation.override("vi"):  # the site's language
        staff_words = [translation.gettext(text) for text in ("red zone with nobody assigned", "not graded")]
        plain_words = [translation.gettext(text) for text in ("red zone with no cadre yet", "no level announced yet")]
        your_commune = translation.gettext("your commune")
    legend = mine[mine.index('<ul class="map-legend"') : mine.index("</ul>", mine.index('<ul class="map-legend"'))]
    # The cadre's legend begins with their commune, then the red zones still waiting for a cadre.
    items = re.findall(r'</svg><span>([^<]+) <span class="muted">\((\d+)\)', legend)
    assert items[:2] == [(capfirst(your_commune), "1"), (capfirst(plain_words[0]), "1")]  # Thái Hòa
    assert (capfirst(plain_words[1]), "1") in items  # Bạch Đằng
    # Nowhere the office's words: legend, caption, tooltips, table; on the dashboard, only those.
    assert not any(words in mine for words in staff_words)
    assert all(words in office for words in staff_words) and not any(words in office for words in plain_words)
    # The caption counts in plain words too: 7 communes drawn, 3 red zones, 1 with no cadre yet, 3 with a cadre,
    # 1 not drawn; in other words than the office's.
    caption = re.search(r'<p class="coverage-map-title">.*?</p>\s*<p>([^<]+)</p>', mine, re.S)[1]
    assert re.findall(r"\d+", caption) == ["7", "3", "1", "3", "1"]
    assert caption not in office


def test_each_cadre_sees_their_own_area_only(binh_duong, cadre, cadre_client, other_cadre, other_cadre_client):
    _on_mission(cadre, binh_duong["wards"]["gap"], D(2021, 8, 17))
    _on_mission(other_cadre, binh_duong["wards"]["dong_hoa"], D(2021, 8, 17))
    mine = cadre_client.get(AREA_MAP).content.decode()
    theirs = other_cadre_client.get(AREA_MAP).content.decode()
    assert title(LocalityKind.TOWN, "Tân Uyên") in mine and "Đông Hòa" not in mine
    assert title(LocalityKind.CITY, "Dĩ An") in theirs and "Tân Phước Khánh" not in theirs
    # A mission of 2021, long over: the district's map on its last day.
    assert "15/09/2021" in mine


def test_the_map_of_the_current_mission_comes_before_older_ones(binh_duong, cadre, cadre_client):
    today = timezone.localdate()
    _on_mission(cadre, binh_duong["wards"]["gap"], D(2021, 8, 17))
    _on_mission(cadre, binh_duong["now"]["ben_thanh"], today - datetime.timedelta(days=1))
    _on_mission(cadre, binh_duong["now"]["di_an"], today + datetime.timedelta(days=60))
    content = cadre_client.get(AREA_MAP).content.decode()
    assert "Bến Thành</text>" in content


def test_a_cadre_without_an_assignment_is_told_so(cadre_client):
    response = cadre_client.get(AREA_MAP)
    assert response.status_code == 200
    assert response.context["body"] and "<svg" not in response.content.decode()


def test_only_cadres_open_the_cadre_map(client, staff_client):
    assert staff_client.get(AREA_MAP).status_code == 403
    anonymous = client.get(AREA_MAP)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    no_role = _client(UserFactory())
    assert no_role.get(AREA_MAP).status_code == 403


def test_my_mission_links_to_the_map(cadre, cadre_client, current_mission):
    assert f'href="{AREA_MAP}"' in cadre_client.get(reverse("phone:my_mission")).content.decode()


def test_the_map_is_kept_on_the_phone_for_offline_use(client):
    body = client.get("/sw.js").content.decode()
    shell = json.loads(body.split("const SHELL_URLS = ", 1)[1].split(";\n", 1)[0])
    assert AREA_MAP in shell and AREA_MAP == "/me/map/"


def test_a_cadre_map_is_cached_for_the_cadre(binh_duong, cadre, cadre_client, django_assert_max_num_queries):
    def main(response) -> str:
        content = response.content.decode()
        return content[content.index("<main") : content.index("</main>")]

    _on_mission(cadre, binh_duong["wards"]["gap"], D(2021, 8, 17))
    first = main(cadre_client.get(AREA_MAP))
    with django_assert_max_num_queries(2):
        second = main(cadre_client.get(AREA_MAP))
    assert second == first
    # A new grading shows at once.
    binh_duong["wards"]["ungraded"].record_grading(grading=Grading.RED, valid_from=D(2021, 8, 1))
    assert main(cadre_client.get(AREA_MAP)) != first


def test_a_cadre_in_a_large_city_sees_their_neighbourhood(big_city, cadre, cadre_client):
    ward = big_city["grid"][4, 5]
    _on_mission(cadre, ward, timezone.localdate() - datetime.timedelta(days=3))
    content = cadre_client.get(AREA_MAP).content.decode()
    rows = content.count('<tr class="map-row')
    assert 30 < rows <= 50 and "Đảo Xa" not in content and "Ô 45</text>" in content
    summary = re.search(r"<summary>([^<]+)</summary>", content)[1]
    assert re.findall(r"\d+", summary) == [str(rows), "102"]


def test_communes_at_one_point_or_a_hairs_breadth_apart_still_draw(db):
    """A split gives its units the centre of the commune split: the map of their area must still draw."""
    from cadres.coverage_map import Mark, _targets
    from localities.models import Locality

    def mark(x, y):
        return Mark(locality=Locality(name="X"), grading=None, cadres_present=0, x=x, y=y)

    for marks in (
        [mark(100.0, 100.0), mark(100.0, 100.0)],
        # A third mark beside two at one point is cut twice along the same line.
        [mark(100.0, 100.0), mark(100.0, 100.0), mark(110.0, 100.0)],
        [mark(100.0, 100.0), mark(100.0, 100.0), mark(107.3, 103.1)],
        # Hồ Chí Minh City after Bà Điểm was split in two: a neighbour cut twice along one line divided by zero.
        [
            mark(x, y)
            for x, y in [
                (248.14096694339722, 156.855110853079),
                (242.08183593335033, 141.5969374795892),
                (226.39937920145528, 138.36750244929067),
                (226.39937920145528, 138.36750244929067),
                (244.04214302483496, 100.15856888856652),
                (231.5674615335551, 100.50328386371059),
                (212.32081008987169, 119.02717805435614),
            ]
        ],
        [mark(100.0, 100.0), mark(100.0 + 1e-13, 100.0)],
        [mark(100.0, 100.0), mark(100.0, 100.0 + 1e-9), mark(110.0, 100.0)],
    ):
        targets = _targets(marks)
        assert len(targets) == len(marks) and all("nan" not in str(path) for path in targets.values())
    # A crowded map where some units share their point, as after splits: every mark gets a target.
    import random

    spread = random.Random(16)
    points = [(spread.uniform(0, 600), spread.uniform(0, 600)) for _ in range(400)]
    marks = [mark(x, y) for x, y in points] + [mark(x, y) for x, y in points[:80]]
    assert len(_targets(marks)) == len(marks)
