import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cadres.coverage import coverage_on
from localities.models import Grading, LocalityKind
from tests.factories import AssignmentFactory, CadreFactory, LocalityFactory, ZoneStatusFactory

D = datetime.date
DAY = D(2021, 8, 20)
pytestmark = pytest.mark.django_db

LIST = reverse("cadres:locality_list")


def count_on(response) -> int:
    assert response.status_code == 200
    match = re.search(r'data-count="(\d+)"', response.content.decode())
    assert match, "the list shows no count"
    return int(match.group(1))


def names_in(response) -> list[str]:
    return [locality.name for locality in response.context["page"].object_list]


@pytest.fixture
def area():
    """A province, a red-zone town with three wards: one covered red ward, one uncovered locked-down, one green."""
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương")
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", parent=province)
    covered = LocalityFactory(name="Tân Phước Khánh", parent=town)
    uncovered = LocalityFactory(name="Khánh Bình", parent=town)
    green = LocalityFactory(name="Uyên Hưng", parent=town)
    other_town = LocalityFactory(kind=LocalityKind.TOWN, name="Bến Cát", parent=province)
    ZoneStatusFactory(locality=town, grading=Grading.RED, valid_from=D(2021, 7, 19))
    ZoneStatusFactory(locality=covered, grading=Grading.RED, valid_from=D(2021, 7, 19))
    ZoneStatusFactory(locality=uncovered, grading=Grading.LOCKED_DOWN, valid_from=D(2021, 8, 1))
    ZoneStatusFactory(locality=green, grading=Grading.GREEN, valid_from=D(2021, 7, 19))
    AssignmentFactory(locality=covered, cadre=CadreFactory(full_name="Lê Thị Hoa"), starts_on=D(2021, 8, 17))
    AssignmentFactory(locality=covered, cadre=CadreFactory(full_name="Trần Văn Nam"), starts_on=D(2021, 8, 17))
    AssignmentFactory(locality=other_town, starts_on=D(2021, 8, 17))
    # Over before DAY: counts in the history, not on the day.
    AssignmentFactory(locality=green, starts_on=D(2021, 7, 1), ends_on=D(2021, 7, 30))
    return {"province": province, "town": town, "covered": covered, "uncovered": uncovered, "green": green}


# Access


def test_anonymous_users_are_sent_to_login(client, area):
    for url in (
        LIST,
        reverse("cadres:locality_detail", args=[area["town"].pk]),
        reverse("cadres:locality_grade", args=[area["town"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_cadres_are_refused(cadre_client, area):
    for url in (
        LIST,
        reverse("cadres:locality_detail", args=[area["town"].pk]),
        reverse("cadres:locality_grade", args=[area["town"].pk]),
    ):
        assert cadre_client.get(url).status_code == 403
    response = cadre_client.post(
        reverse("cadres:locality_grade", args=[area["town"].pk]),
        {"grading": Grading.GREEN, "valid_from": "2021-10-01"},
    )
    assert response.status_code == 403
    assert area["town"].zone_statuses.count() == 1


def test_staff_see_every_page(staff_client, area):
    assert staff_client.get(LIST).status_code == 200
    assert staff_client.get(reverse("cadres:locality_detail", args=[area["town"].pk])).status_code == 200
    assert staff_client.get(reverse("cadres:locality_grade", args=[area["town"].pk])).status_code == 200


def test_an_unknown_locality_answers_404(staff_client):
    assert staff_client.get(reverse("cadres:locality_detail", args=[999999])).status_code == 404


def test_staff_have_the_link_in_the_menu(staff_client, cadre_client):
    assert f'href="{LIST}"' in staff_client.get(reverse("cadres:dashboard")).content.decode()
    assert f'href="{LIST}"' not in cadre_client.get(reverse("phone:my_mission")).content.decode()


# The list and its filters


def test_the_list_shows_gradings_and_cadres_on_the_day(staff_client, area):
    response = staff_client.get(LIST, {"day": "2021-08-20"})
    assert count_on(response) == 6
    rows = {locality.name: locality for locality in response.context["page"].object_list}
    assert rows["Tân Phước Khánh"].grading == Grading.RED
    assert rows["Khánh Bình"].grading == Grading.LOCKED_DOWN
    assert rows["Tân Phước Khánh"].cadres_here == 2
    assert sorted(a.cadre.full_name for a in rows["Tân Phước Khánh"].present) == ["Lê Thị Hoa", "Trần Văn Nam"]
    assert rows["Uyên Hưng"].cadres_here == 0
    assert rows["Tân Uyên"].cadres_beneath == 2
    assert rows["Bình Dương"].cadres_beneath == 3
    assert "Lê Thị Hoa" in response.content.decode()


def test_the_whole_area_counts_the_locality_itself_and_the_localities_under_it(staff_client, area):
    rows = {row.name: row for row in staff_client.get(LIST, {"day": "2021-08-20"}).context["page"].object_list}
    # Bến Cát's cadre is at the town itself, none in a ward (Dĩ An in the demo): 1 and 1, not 1 and 0.
    assert (rows["Bến Cát"].cadres_here, rows["Bến Cát"].cadres_in_area) == (1, 1)
    assert (rows["Tân Uyên"].cadres_here, rows["Tân Uyên"].cadres_in_area) == (0, 2)
    assert (rows["Bình Dương"].cadres_here, rows["Bình Dương"].cadres_in_area) == (0, 3)
    assert (rows["Tân Phước Khánh"].cadres_here, rows["Tân Phước Khánh"].cadres_in_area) == (2, 2)
    assert all(row.cadres_in_area >= row.cadres_here for row in rows.values())


def test_the_two_columns_say_what_they_count(staff_client, area):
    content = staff_client.get(LIST, {"day": "2021-08-20"}).content.decode()
    with translation.override("vi"):  # the site's language
        assert translation.gettext("Cadres at the locality itself") in content
        assert translation.gettext("Cadres in the whole area, with the localities under it") in content


def test_each_cadre_figure_links_to_the_assignments_it_counts(staff_client, area):
    AssignmentFactory(locality=area["town"], starts_on=D(2021, 8, 17))  # at the town itself, beside its wards' two
    response = staff_client.get(LIST, {"day": "2021-08-20"})
    links = re.findall(r'<a class="(cadres-here|cadres-in-area)" href="([^"]+)">(\d+)</a>', response.content.decode())
    assert len(links) == 2 * count_on(response)
    figures = {}
    for kind, href, figure in links:
        assert count_on(staff_client.get(href.replace("&amp;", "&"))) == int(figure), href
        figures.setdefault(kind, []).append(int(figure))
    assert sorted(figures["cadres-here"]) == [0, 0, 0, 1, 1, 2]
    assert sorted(figures["cadres-in-area"]) == [0, 0, 1, 2, 3, 4]


def test_the_day_defaults_to_today(staff_client, area):
    response = staff_client.get(LIST)
    rows = {locality.name: locality for locality in response.context["page"].object_list}
    # The 2021 assignments are over; the gradings opened in 2021 are still in force.
    assert rows["Tân Phước Khánh"].cadres_here == 0
    assert rows["Uyên Hưng"].grading == Grading.GREEN


def test_covered_on_lists_localities_with_someone_assigned(staff_client, area):
    response = staff_client.get(LIST, {"covered_on": "2021-08-20"})
    assert sorted(names_in(response)) == ["Bến Cát", "Tân Phước Khánh"]
    assert count_on(response) == coverage_on(DAY).localities_covered == 2


def test_red_zone_on_lists_red_and_locked_down_localities(staff_client, area):
    response = staff_client.get(LIST, {"red_zone_on": "2021-08-20"})
    assert sorted(names_in(response)) == ["Khánh Bình", "Tân Phước Khánh", "Tân Uyên"]
    assert count_on(response) == 3
    # Before Khánh Bình was locked down.
    assert count_on(staff_client.get(LIST, {"red_zone_on": "2021-07-25"})) == 2


def test_red_zone_wards_match_the_dashboard(staff_client, area):
    coverage = coverage_on(DAY)
    wards = staff_client.get(LIST, {"red_zone_on": "2021-08-20", "level": "3"})
    gap = staff_client.get(LIST, {"red_zone_on": "2021-08-20", "level": "3", "uncovered": "1"})
    assert count_on(wards) == coverage.red_zone_wards == 2
    assert count_on(gap) == len(coverage.uncovered_red_zone_wards) == 1
    assert names_in(gap) == ["Khánh Bình"]


def test_uncovered_alone_uses_the_day_shown(staff_client, area):
    response = staff_client.get(LIST, {"uncovered": "1", "day": "2021-08-20", "level": "3"})
    assert sorted(names_in(response)) == ["Khánh Bình", "Uyên Hưng"]


def test_level_parent_and_name_filters(staff_client, area):
    assert count_on(staff_client.get(LIST, {"level": "2"})) == 2
    assert sorted(names_in(staff_client.get(LIST, {"parent": area["town"].pk}))) == [
        "Khánh Bình",
        "Tân Phước Khánh",
        "Uyên Hưng",
    ]
    assert names_in(staff_client.get(LIST, {"q": "khánh b"})) == ["Khánh Bình"]
    assert count_on(staff_client.get(LIST, {"q": "phước", "level": "2"})) == 0


@pytest.mark.parametrize(
    "params",
    [
        {"covered_on": "2021-02-30"},
        {"red_zone_on": "tomorrow"},
        {"day": "99999-01-01"},
        {"level": "9"},
        {"parent": "999999"},
        {"parent": "x"},
        {"uncovered": "perhaps", "red_zone_on": "2021-13-01"},
    ],
)
def test_bad_parameters_get_a_message_not_an_error(staff_client, area, params):
    response = staff_client.get(LIST, params)
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert "data-count" not in response.content.decode()


def test_a_page_number_out_of_range_shows_the_last_page(staff_client, area):
    response = staff_client.get(LIST, {"page": "99"})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def _many_localities(count: int, parent):
    for n in range(count):
        ward = LocalityFactory(parent=parent, name=f"Phường thử {n}")
        ZoneStatusFactory(locality=ward, grading=Grading.RED)
        AssignmentFactory(locality=ward, starts_on=D(2021, 8, 17))
        AssignmentFactory(locality=ward, starts_on=D(2021, 8, 18))


def test_the_list_takes_the_same_number_of_queries_whatever_its_length(
    staff_client, area, django_assert_max_num_queries
):
    params = {"day": "2021-08-20", "red_zone_on": "2021-08-20"}
    staff_client.get(LIST, params)  # warm the session and the user's groups
    _many_localities(3, area["town"])
    with django_assert_max_num_queries(11) as small:
        assert count_on(staff_client.get(LIST, params)) == 6
    _many_localities(60, area["town"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(LIST, params)
    assert count_on(response) == 66
    assert len(response.context["page"].object_list) == 50


# The detail


def test_the_detail_shows_the_grading_history_newest_first(staff_client, area, staff_user):
    ward = area["uncovered"]
    ward.record_grading(grading=Grading.ORANGE, valid_from=D(2021, 9, 16), note="Nới lỏng", by=staff_user)
    response = staff_client.get(reverse("cadres:locality_detail", args=[ward.pk]), {"day": "2021-08-20"})
    history = list(response.context["history"])
    assert [status.grading for status in history] == [Grading.ORANGE, Grading.LOCKED_DOWN]
    assert history[1].valid_to == D(2021, 9, 15)
    assert response.context["current"].grading == Grading.LOCKED_DOWN
    page = response.content.decode()
    assert "Nới lỏng" in page and staff_user.username in page and "16/09/2021" in page


def test_the_detail_shows_the_wards_and_the_people_assigned_over_time(staff_client, area):
    response = staff_client.get(reverse("cadres:locality_detail", args=[area["town"].pk]), {"day": "2021-08-20"})
    children = {child.name: child for child in response.context["children"]}
    assert children["Tân Phước Khánh"].grading == Grading.RED and children["Tân Phước Khánh"].cadres_here == 2
    assert children["Uyên Hưng"].cadres_here == 0
    assignments = list(response.context["page"].object_list)
    # Two in a ward now, and one that ended in July, newest first; none of Bến Cát's.
    assert [a.locality.name for a in assignments] == ["Tân Phước Khánh", "Tân Phước Khánh", "Uyên Hưng"]
    assert [a.status_on for a in assignments] == ["active", "active", "completed"]
    assert "Lê Thị Hoa" in response.content.decode()


def test_a_bad_day_on_the_detail_falls_back_to_today_with_a_message(staff_client, area):
    response = staff_client.get(reverse("cadres:locality_detail", args=[area["town"].pk]), {"day": "2021-02-31"})
    assert response.status_code == 200
    # The warning of every page that reads a day from its query string (shared.fields.day_from_query).
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_the_detail_takes_the_same_number_of_queries_whatever_its_length(
    staff_client, area, django_assert_max_num_queries
):
    url = reverse("cadres:locality_detail", args=[area["town"].pk])
    staff_client.get(url)
    _many_localities(3, area["town"])
    # 12, 2 for the history of changes (shared/history.py), 2 to name the unit and the units beneath it as on
    # the day (localities.models.as_on) and 3 for its timeline (renames, predecessors and successors, and the
    # mergers or splits that opened or ended it), 2 for the coverage map of its area (cadres/coverage_map.py),
    # 1 to name the assignments' places as on their first days (cadres.models.places_as_they_were).
    with django_assert_max_num_queries(22) as small:
        staff_client.get(url, {"day": "2021-08-20"})
    _many_localities(40, area["town"])
    for day in range(10):
        area["town"].record_grading(grading=Grading.ORANGE, valid_from=D(2021, 10, 1) + datetime.timedelta(days=day))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(url, {"day": "2021-08-20"})
    assert len(response.context["page"].object_list) == 50
    assert len(response.context["children"]) == 46
