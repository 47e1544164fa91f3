"""A 2021 mission read as it was on every page, and roles held on units that ended since 01/07/2025.

Bình Dương in small: the town of Tân Uyên (a city from 10/04/2023) and its ward Tân Phước Khánh,
which on 01/07/2025 became Phường Tân Khánh of Hồ Chí Minh City together with a ward from elsewhere.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import RoleKind
from cadres.models import Assignment
from localities.changes import record_rename
from localities.models import REORGANISATION_2025, Locality, LocalityKind
from tests.conftest import _client_for
from tests.factories import AssignmentFactory, CadreUserFactory, LocalityFactory, RoleFactory, ZoneStatusFactory

D = datetime.date
LAST_OLD_DAY = REORGANISATION_2025 - datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def old_map():
    """The 2021 units, ended on 30/06/2025, and the units of today they became."""
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương", code="74", valid_to=LAST_OLD_DAY)
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", code="723", parent=province, valid_to=LAST_OLD_DAY)
    ward = LocalityFactory(
        kind=LocalityKind.WARD, name="Tân Phước Khánh", code="25891", parent=town, valid_to=LAST_OLD_DAY
    )
    elsewhere = LocalityFactory(kind=LocalityKind.WARD, name="Bình Chuẩn", code="25900", valid_to=LAST_OLD_DAY)
    city = LocalityFactory(
        kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", code="79", valid_from=REORGANISATION_2025
    )
    new_ward = LocalityFactory(
        kind=LocalityKind.WARD, name="Tân Khánh", code="25891", parent=city, valid_from=REORGANISATION_2025
    )
    other_new_ward = LocalityFactory(
        kind=LocalityKind.WARD, name="Thuận An", code="25960", parent=city, valid_from=REORGANISATION_2025
    )
    ward.successors.add(new_ward)
    elsewhere.successors.add(other_new_ward)
    province.successors.add(city)
    record_rename(town, effective_on=D(2023, 4, 10), kind=LocalityKind.CITY, kind_before=LocalityKind.TOWN)
    return {"province": province, "town": town, "ward": ward, "city": city, "now": new_ward, "other": other_new_ward}


def _role_client(kind, locality):
    role = RoleFactory(kind=kind, locality=locality)
    client = _client_for(role.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client, role.user


def test_a_host_role_on_a_ward_that_ended_reaches_the_ward_it_became_and_nothing_else(old_map):
    client, user = _role_client(RoleKind.LOCALITY, old_map["ward"])
    today = timezone.localdate()
    here = AssignmentFactory(locality=old_map["now"], starts_on=today - datetime.timedelta(days=3))
    there = AssignmentFactory(locality=old_map["other"], starts_on=today - datetime.timedelta(days=3))
    visible = set(Locality.objects.visible_to(user).values_list("pk", flat=True))
    assert old_map["now"].pk in visible and old_map["ward"].pk in visible
    # Not the city it is part of, nor a ward of it that came from elsewhere.
    assert old_map["city"].pk not in visible and old_map["other"].pk not in visible
    assert list(Assignment.objects.visible_to(user)) == [here]
    assert client.get(reverse("cadres:assignment_detail", args=[here.pk])).status_code == 200
    assert client.get(reverse("cadres:assignment_detail", args=[there.pk])).status_code == 404


def test_a_supervisor_of_a_province_that_ended_sees_its_wards_of_today_on_the_dashboard(old_map):
    client, _user = _role_client(RoleKind.SUPERVISOR, old_map["province"])
    today = timezone.localdate()
    AssignmentFactory(locality=old_map["now"], starts_on=today - datetime.timedelta(days=3))
    ZoneStatusFactory(locality=old_map["now"], valid_from=today - datetime.timedelta(days=5))
    page = client.get(reverse("cadres:dashboard"))
    html = page.content.decode()
    # The city is offered as the map's area, drawn with the supervisor's ward only.
    assert page.context["area_id"] == old_map["city"].pk
    assert "Tân Khánh" in html and "Thuận An" not in html
    # The table's row is the city's (named, not linked: its page is not theirs), under "By province".
    rows = page.context["figures"]
    assert "By province" in rows and "Hồ Chí Minh" in rows
    assert reverse("cadres:locality_detail", args=[old_map["city"].pk]) not in rows
    # The uncovered list does not claim every red-zone ward has a cadre: it has one.
    assert "every red-zone ward has a cadre" in rows


def test_with_no_red_zone_in_scope_the_dashboard_does_not_claim_every_one_is_covered(old_map):
    client, _user = _role_client(RoleKind.LOCALITY, old_map["ward"])
    html = client.get(reverse("cadres:dashboard")).content.decode()
    assert "every red-zone ward has a cadre" not in html
    assert "No ward you follow is graded red zone on this day." in html


def test_a_2021_mission_reads_its_place_as_it_was_on_every_list(old_map, staff_client):
    cadre = CadreUserFactory()
    mission = AssignmentFactory(cadre=cadre, locality=old_map["ward"], starts_on=D(2021, 8, 17))
    pages = [
        reverse("cadres:assignment_list"),
        reverse("cadres:cadre_detail", args=[cadre.pk]),
        reverse("cadres:campaign_detail", args=[mission.campaign_id]),
        reverse("cadres:locality_detail", args=[old_map["ward"].pk]) + "?day=2021-08-25",
    ]
    with translation.override("vi"):
        for url in pages:
            html = staff_client.get(url).content.decode()
            # The ward under the town it was in, not under today's name of that town.
            assert "Thị xã Tân Uyên" in html, url
        mine = _client_for(cadre.user).get(reverse("phone:my_mission")).content.decode()
    assert "Thị xã Tân Uyên" in mine and "Thành phố Tân Uyên" not in mine


def test_the_timeline_links_the_parent_of_a_period_without_a_known_start_on_its_last_day(old_map, staff_client):
    with translation.override("vi"):
        html = staff_client.get(reverse("cadres:locality_detail", args=[old_map["ward"].pk])).content.decode()
    town = reverse("cadres:locality_detail", args=[old_map["town"].pk])
    # Until 09/04/2023 under the town, then the city: each links the parent's page on a day of the period.
    assert f'{town}?day=2023-04-09">Thị xã Tân Uyên' in html
    assert f'{town}?day=2023-04-10">Thành phố Tân Uyên' in html


def test_a_decision_for_a_unit_unknown_on_its_day_names_the_day(old_map):
    from django.core.exceptions import ValidationError

    from cadres.forms.decisions import find_locality

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        find_locality("Nowhere", day=D(2026, 1, 5))
    assert "05/01/2026" in refused.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as ended:
        find_locality("Tân Phước Khánh", day=D(2026, 1, 5))
    assert "05/01/2026" in ended.value.messages[0] and "Tân Khánh" in ended.value.messages[0]


def test_the_locality_list_and_its_choices_follow_vietnamese_order(staff_client):
    district = LocalityFactory(kind=LocalityKind.DISTRICT, name="Ân Thi")
    for name in ["Đông Hòa", "Anh Sơn", "Ân Phú", "An Phú", "Bình An"]:
        LocalityFactory(kind=LocalityKind.COMMUNE, name=name, parent=district)
    LocalityFactory(kind=LocalityKind.DISTRICT, name="An Lão")
    LocalityFactory(kind=LocalityKind.DISTRICT, name="Bến Cát")
    page = staff_client.get(reverse("cadres:locality_list"), {"level": 3}).context["page"]
    # Code point order put "Ân" and "Đ" after "Z"; a reader looks for them after "An" and "D".
    assert [locality.name for locality in page] == ["An Phú", "Anh Sơn", "Ân Phú", "Bình An", "Đông Hòa"]
    within = staff_client.get(reverse("cadres:locality_list")).context["filter"].form.fields["parent"]
    assert [locality.name for locality in within.shortlist] == ["An Lão", "Ân Thi", "Bến Cát"]


def test_a_map_area_that_did_not_exist_on_the_day_is_replaced_and_the_page_says_so(old_map, staff_client):
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    # The 2021 town asked for on a 2026 day: the city's map shows, with a word why.
    page = staff_client.get(reverse("cadres:dashboard"), {"day": "2026-01-05", "area": old_map["town"].pk})
    assert page.context["area_id"] == old_map["city"].pk
    assert "has no map on 05/01/2026" in page.content.decode()
    same = staff_client.get(reverse("cadres:dashboard"), {"day": "2026-01-05", "area": old_map["city"].pk})
    assert "has no map" not in same.content.decode()


def test_a_unit_that_kept_its_name_and_code_points_to_its_namesake_of_the_day(staff_client):
    old_city = LocalityFactory(kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", code="79", valid_to=LAST_OLD_DAY)
    city = LocalityFactory(
        kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", code="79", valid_from=REORGANISATION_2025
    )
    old_city.successors.add(city)
    today_on_2021 = staff_client.get(reverse("cadres:locality_detail", args=[city.pk]), {"day": "2021-08-25"})
    assert f'{reverse("cadres:locality_detail", args=[old_city.pk])}?day=2021-08-25"' in today_on_2021.content.decode()
    old_on_2026 = staff_client.get(reverse("cadres:locality_detail", args=[old_city.pk]), {"day": "2026-01-05"})
    assert f'{reverse("cadres:locality_detail", args=[city.pk])}?day=2026-01-05"' in old_on_2026.content.decode()
    # On a day it existed, no pointer.
    assert old_on_2026.context["namesake"] is not None
    assert staff_client.get(reverse("cadres:locality_detail", args=[city.pk])).context["namesake"] is None


def test_a_change_refused_for_an_assignment_in_its_way_links_that_assignment(staff_client):
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", code="723")
    first, second = (
        LocalityFactory(kind=LocalityKind.WARD, name=name, parent=town) for name in ("Uyên Hưng", "Hội Nghĩa")
    )
    mission = AssignmentFactory(locality=first, starts_on=D(2024, 12, 20))
    data = {"kind": "merger", "effective_on": "2025-01-01", "others": [second.pk], "new_name": "Uyên Hưng Mới"}
    response = staff_client.post(reverse("cadres:locality_change", args=[first.pk]), {**data, "new_kind": "ward"})
    assert response.status_code == 200 and not first.changes.exists()
    assert f'href="{mission.get_absolute_url()}"' in response.content.decode()


def test_the_host_of_a_ward_that_ended_reads_what_it_became_but_acts_only_where_the_role_is(old_map):
    client, user = _role_client(RoleKind.LOCALITY, old_map["ward"])
    today = timezone.localdate()
    here = AssignmentFactory(locality=old_map["now"], starts_on=today - datetime.timedelta(days=3))
    assert here in Assignment.objects.visible_to(user)
    assert not here.is_hosted_by(user) and not Assignment.objects.hosted_by(user).exists()
    # The list of cadres to confirm says why it is empty and what to ask for.
    html = client.get(reverse("cadres:host_list")).content.decode()
    assert "Tân Phước Khánh" in html and "30/06/2025" in html


def test_a_ward_merged_into_one_that_continues_does_not_hand_over_that_wards_past(db):
    from localities.changes import apply, plan_merger

    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên")
    absorbed, continuing = (
        LocalityFactory(kind=LocalityKind.WARD, name=n, parent=town) for n in ("Khánh Bình", "Uyên Hưng")
    )
    _client, user = _role_client(RoleKind.LOCALITY, absorbed)
    past = AssignmentFactory(locality=continuing, starts_on=D(2021, 8, 17))
    apply(plan_merger(absorbed, [], into=continuing, effective_on=D(2024, 1, 1)), by=None)
    user = type(user).objects.get(pk=user.pk)  # The scope is read again with the records' version.
    assert past not in Assignment.objects.visible_to(user)
    assert continuing.pk not in set(Locality.objects.visible_to(user).values_list("pk", flat=True))


def test_a_scoped_page_names_without_linking_the_units_the_user_cannot_open(old_map):
    client, _user = _role_client(RoleKind.LOCALITY, old_map["ward"])
    Locality.objects.get(name="Bình Chuẩn").successors.add(old_map["now"])
    html = client.get(reverse("cadres:locality_detail", args=[old_map["now"].pk])).content.decode()
    city, elsewhere = old_map["city"], Locality.objects.get(name="Bình Chuẩn")
    assert "Bình Chuẩn" in html and "Hồ Chí Minh" in html
    for unit in (city, elsewhere):
        assert reverse("cadres:locality_detail", args=[unit.pk]) + "?" not in html
        assert f'href="{reverse("cadres:locality_detail", args=[unit.pk])}"' not in html
    # Its own former ward is theirs: linked.
    assert reverse("cadres:locality_detail", args=[old_map["ward"].pk]) in html
    # The dashboard's row for the city counts without linking lists it cannot filter on.
    supervisor, _user = _role_client(RoleKind.SUPERVISOR, old_map["province"])
    figures = supervisor.get(reverse("cadres:dashboard")).context["figures"]
    assert f"parent={city.pk}" not in figures and f"locality={city.pk}" not in figures


def test_an_area_that_is_no_number_shows_the_default_map_without_a_warning(old_map, staff_client):
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = staff_client.get(reverse("cadres:dashboard"), {"day": "2026-01-05", "area": "abc"}).content.decode()
    assert "has no map" not in html


# What the second walk found.


def test_the_list_links_a_parent_only_where_the_user_may_filter_on_it_and_on_a_day_of_the_units_life(
    old_map, staff_client
):
    client, _user = _role_client(RoleKind.LOCALITY, old_map["ward"])
    html = client.get(reverse("cadres:locality_list"), {"q": "tan khanh"}).content.decode()
    assert "Tân Khánh" in html and f"?parent={old_map['city'].pk}" not in html
    # Office staff searching today for a 2021 town: its links open a day of its life.
    found = staff_client.get(reverse("cadres:locality_list"), {"q": "tan uyen"}).content.decode()
    assert f"?parent={old_map['town'].pk}&amp;day=2025-06-30" in found


def test_a_grading_left_open_ends_with_its_unit_and_a_new_one_is_capped(old_map, staff_user):
    ward = old_map["ward"]
    ZoneStatusFactory(locality=ward, valid_from=D(2021, 10, 1), valid_to=None)
    assert ward.grading_on(D(2025, 6, 30)) is not None and ward.grading_on(D(2026, 1, 5)) is None
    listed = Locality.objects.filter(pk=ward.pk).with_grading_on(D(2026, 1, 5)).get()
    assert listed.grading is None
    status = ward.record_grading(grading="orange", valid_from=D(2025, 6, 1), by=staff_user)
    assert status.valid_to == LAST_OLD_DAY


def test_a_rename_without_a_name_or_kind_asks_for_one(old_map, staff_client):
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = staff_client.post(
        reverse("cadres:locality_change", args=[old_map["now"].pk]), {"kind": "rename", "effective_on": "2026-01-05"}
    )
    assert "Type the new name, or choose the new kind." in response.content.decode()


def test_a_unit_that_took_others_in_says_so_rather_than_formed_from_them(staff_client):
    from localities.changes import apply, plan_merger

    town = LocalityFactory(kind=LocalityKind.TOWN, name="Cần Giờ")
    continuing = LocalityFactory(kind=LocalityKind.COMMUNE, name="Cần Giờ", parent=town, valid_from=D(2025, 7, 1))
    absorbed = LocalityFactory(kind=LocalityKind.COMMUNE, name="Bình Khánh", parent=town, valid_from=D(2025, 7, 1))
    apply(plan_merger(absorbed, [], into=continuing, effective_on=D(2026, 1, 5)), by=None)
    context = staff_client.get(reverse("cadres:locality_detail", args=[continuing.pk])).context
    assert [unit.name for unit in context["took_in"]] == ["Bình Khánh"] and context["formed_from"] == []


def test_a_search_with_the_kind_word_finds_the_unit(old_map, staff_client):
    page = staff_client.get(reverse("cadres:locality_list"), {"q": "Phường Tân Khánh"}).context["page"]
    # Before, "Phường" was one more word to find in the name: nothing matched.
    assert "Tân Khánh" in [locality.name for locality in page]
