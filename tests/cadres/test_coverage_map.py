"""The coverage map (cadres/coverage_map.py): marks by grading, covered and uncovered red zones, links, both
eras of the administrative map, the table as text, the queries, the dashboard's area, and the cadre's own map."""

import datetime
import json
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

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
    """Each mark's name (its tooltip's first part) and the fill of its circle."""
    found = re.findall(r'<title>([^<,]+), [^<]*</title><circle cx="[\d.]+" cy="[\d.]+" r="[\d.]+" fill="(#\w+)"', svg)
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
