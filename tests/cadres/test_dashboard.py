import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cadres.chart import bar_chart
from cadres.coverage import cadres_per_day, coverage_on
from cadres.services import assignment_recall
from localities.models import Grading, LocalityKind
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    LocalityFactory,
    ProvincialUnitFactory,
    ZoneStatusFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
DAY = D(2021, 8, 25)


@pytest.fixture
def district_scene():
    """A red district with three wards: one covered, one red and uncovered, one orange.

    Cadres: one in ward 1 (a department's cadre), one in the district itself, one
    in ward 2 recalled on 20/08, one ending on 27/08 in the orange ward.
    """
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương")
    district = LocalityFactory(kind=LocalityKind.CITY, name="Dĩ An", parent=province)
    covered = LocalityFactory(name="An Bình", parent=district)
    gap = LocalityFactory(name="Tân Đông Hiệp", parent=district)
    orange = LocalityFactory(name="Bình An", parent=district)
    ZoneStatusFactory(locality=district, grading=Grading.RED)
    ZoneStatusFactory(locality=covered, grading=Grading.RED)
    ZoneStatusFactory(locality=gap, grading=Grading.LOCKED_DOWN)
    ZoneStatusFactory(locality=orange, grading=Grading.ORANGE)
    campaign = CampaignFactory(starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 30))
    youth_union = ProvincialUnitFactory(name="Tỉnh đoàn")
    department = ProvincialUnitFactory(name="Ban Tuyên giáo", parent=youth_union)
    health = ProvincialUnitFactory(name="Sở Y tế")
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=department), locality=covered)
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=health), locality=district)
    recalled = AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=health), locality=gap)
    assignment_recall(assignment=recalled, on=D(2021, 8, 20), reason="ốm")
    AssignmentFactory(
        campaign=campaign,
        cadre=CadreFactory(unit=department),
        locality=orange,
        starts_on=D(2021, 7, 29),
        ends_on=D(2021, 8, 27),
    )
    return {"district": district, "gap": gap, "covered": covered, "campaign": campaign}


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(reverse("cadres:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_cadres(cadre_client):
    assert cadre_client.get(reverse("cadres:dashboard")).status_code == 403


def test_it_shows_today_by_default(staff_client):
    from django.utils import timezone

    response = staff_client.get(reverse("cadres:dashboard"))
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_it_reads_the_day_in_both_formats(staff_client):
    for raw in ("2021-08-25", "25/08/2021"):
        assert staff_client.get(reverse("cadres:dashboard"), {"day": raw}).context["day"] == DAY


def test_a_bad_date_falls_back_to_today_with_a_message(staff_client):
    from django.utils import timezone

    for raw in ("31/02/2021", "hôm qua", "2021-13-01"):
        response = staff_client.get(reverse("cadres:dashboard"), {"day": raw})
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()
        assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_figures_on_known_data(district_scene):
    coverage = coverage_on(DAY)
    assert coverage.cadres_on_mission == 3
    assert coverage.units_sending == 2
    assert coverage.localities_covered == 3
    assert coverage.red_zone_wards == 2
    assert coverage.red_zone_wards_covered == 1
    assert coverage.uncovered_red_zone_wards == [district_scene["gap"]]
    assert coverage.ending_soon_count == 1


def test_a_recalled_cadre_counts_until_the_recall_day_only(district_scene):
    assert coverage_on(D(2021, 8, 20)).red_zone_wards_covered == 2
    assert coverage_on(D(2021, 8, 21)).red_zone_wards_covered == 1
    assert coverage_on(D(2021, 8, 20)).cadres_on_mission == 4
    assert coverage_on(D(2021, 8, 21)).cadres_on_mission == 3


def test_the_uncovered_red_zone_ward_is_listed_with_its_district(staff_client, district_scene):
    response = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"})
    content = response.content.decode()
    assert "Tân Đông Hiệp</a>, " in content
    section = content[content.index("Tân Đông Hiệp</a>") :][:200]
    assert "Dĩ An" in section


def test_the_district_table_counts_wards_and_cadres(district_scene):
    (row,) = coverage_on(DAY).districts
    assert row.district == district_scene["district"]
    assert row.grading == Grading.RED
    assert (row.wards, row.red_zone_wards, row.wards_covered, row.cadres_present) == (3, 2, 2, 3)


def _links(content: str) -> dict[str, str]:
    links = dict(re.findall(r'id="(figure-[a-z-]+)" href="([^"]+)"', content))
    return {key: href.replace("&amp;", "&") for key, href in links.items()}


def _count_at(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_every_figure_links_to_a_list_showing_the_same_count(staff_client, district_scene):
    response = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"})
    coverage = response.context["coverage"]
    links = _links(response.content.decode())
    expected = {
        "figure-cadres": coverage.cadres_on_mission,
        "figure-units": coverage.units_sending,
        "figure-localities": coverage.localities_covered,
        "figure-red": coverage.red_zone_wards,
        "figure-red-covered": coverage.red_zone_wards_covered,
        "figure-uncovered": coverage.uncovered_count,
        "figure-ending": coverage.ending_soon_count,
        "figure-arrivals": coverage.arrivals_unconfirmed,
    }
    assert set(links) == set(expected)
    assert {key: _count_at(staff_client, links[key]) for key in expected} == expected
    assert expected["figure-units"] == 2 and expected["figure-uncovered"] == 1


def test_every_district_figure_links_to_a_list_showing_the_same_count(staff_client, district_scene):
    response = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"})
    content = response.content.decode()
    table = content[
        content.index('class="district-table"') : content.index("</table>", content.index("district-table"))
    ]
    cells = re.findall(r'<td class="number"><a href="([^"]+)">(\d+)</a></td>', table)
    assert len(cells) == 4
    for href, figure in cells:
        assert _count_at(staff_client, href.replace("&amp;", "&")) == int(figure), href


def test_the_chart_counts_cadres_per_day(district_scene):
    series = dict(cadres_per_day(D(2021, 8, 16), D(2021, 9, 30)))
    assert series[D(2021, 8, 16)] == 1  # only the one who started in July
    assert series[D(2021, 8, 17)] == 4
    assert series[D(2021, 8, 21)] == 3  # recalled the day before
    assert series[D(2021, 8, 28)] == 2  # the July one ended on 27/08
    assert min(series) == D(2021, 8, 16) and max(series) == D(2021, 9, 30)


def _chart(content: str) -> str:
    """The chart's SVG (the area's map, above it, is another)."""
    start = content.index('<svg class="chart"')
    return content[start : content.index("</svg>", start)]


def _chart_bars(content: str) -> dict[str, int]:
    svg = _chart(content)
    return {day: int(count) for day, count in re.findall(r"<rect [^>]*><title>([\d/]+): (\d+)</title>", svg)}


def test_the_chart_counts_every_campaign_as_the_card_does(staff_client, district_scene):
    # A second, smaller campaign the same days: the card counts its cadre, and so must the chart.
    other = CampaignFactory(starts_on=D(2021, 8, 20), ends_on=D(2021, 9, 10))
    AssignmentFactory(campaign=other, locality=district_scene["covered"], starts_on=D(2021, 8, 21))
    for day in (D(2021, 8, 17), DAY, D(2021, 9, 12)):
        response = staff_client.get(reverse("cadres:dashboard"), {"day": day.isoformat()})
        content = response.content.decode()
        card = response.context["coverage"].cadres_on_mission
        assert _chart_bars(content)[day.strftime("%d/%m/%Y")] == card, day
        assert re.search(r'id="figure-cadres"[^>]*>\s*<span class="figure">(\d+)</span>', content)[1] == str(card)
    with translation.override("vi"):  # the site's language
        assert card == 3 and translation.gettext("Cadres on mission per day, all campaigns") in content


def test_the_chart_spans_the_campaigns_running_on_the_day(staff_client, district_scene):
    CampaignFactory(name="Later", starts_on=D(2021, 9, 1), ends_on=D(2021, 10, 20))
    response = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-09-05"})
    days = [datetime.datetime.strptime(day, "%d/%m/%Y").date() for day in _chart_bars(response.content.decode())]
    assert (min(days), max(days)) == (D(2021, 8, 16), D(2021, 10, 20))
    assert response.context["chart_campaigns"][0] == district_scene["campaign"]


def test_the_chart_is_accessible_svg(staff_client, district_scene):
    content = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"}).content.decode()
    svg = _chart(content)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<rect") == 46  # 16/08 to 30/09
    assert "style=" not in svg


def test_the_chart_is_empty_without_data():
    assert bar_chart([], title="x", chart_id="c") == ""


def test_it_offers_a_day_of_each_campaign(staff_client, district_scene):
    content = staff_client.get(reverse("cadres:dashboard")).content.decode()
    assert "?day=2021-09-07" in content  # the middle of 16/08-30/09


def _bigger_scene(count: int):
    campaign = CampaignFactory()
    district = LocalityFactory(kind=LocalityKind.TOWN)
    for _ in range(count):
        ward = LocalityFactory(parent=district)
        ZoneStatusFactory(locality=ward)
        AssignmentFactory(campaign=campaign, locality=ward, ends_on=DAY + datetime.timedelta(days=1))
    ZoneStatusFactory(locality=district)


# The figures, and six for the map: three for the areas offered (kept apart from the figures), three to draw one.
DASHBOARD_QUERIES = 22 + 6


def test_the_number_of_queries_does_not_grow_with_the_data(staff_client, django_assert_max_num_queries):
    _bigger_scene(2)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"}).status_code == 200
    _bigger_scene(30)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = staff_client.get(reverse("cadres:dashboard"), {"day": "2021-08-25"})
    assert response.context["coverage"].cadres_on_mission == 32
