import datetime

import pytest
from django.urls import reverse

from accounts.roles import RoleKind
from cadres.coverage import coverage_on
from cadres.models import ProvincialUnit
from tests.conftest import _client_for
from tests.factories import AssignmentFactory, CadreFactory, CampaignFactory, ProvincialUnitFactory, RoleFactory

D = datetime.date
pytestmark = pytest.mark.django_db
URL = reverse("cadres:unit_list")


@pytest.fixture
def youth_union_scene():
    """Two departments of the Youth Union and one state body send cadres; one unit sends nobody."""
    youth_union = ProvincialUnitFactory(name="Tỉnh đoàn")
    propaganda = ProvincialUnitFactory(name="Ban Tuyên giáo", parent=youth_union)
    organisation = ProvincialUnitFactory(name="Ban Tổ chức", parent=youth_union)
    health = ProvincialUnitFactory(name="Sở Y tế")
    ProvincialUnitFactory(name="Sở Tài chính")
    campaign = CampaignFactory(organising_unit=youth_union)
    for unit in (propaganda, organisation, organisation, health):
        AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=unit))
    return {"youth_union": youth_union, "propaganda": propaganda, "organisation": organisation, "health": health}


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_cadres(cadre_client):
    assert cadre_client.get(URL).status_code == 403


def test_it_lists_every_unit_without_a_day(staff_client, youth_union_scene):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5


def test_with_a_day_it_lists_the_units_whose_own_cadres_are_on_mission(staff_client, youth_union_scene):
    response = staff_client.get(URL, {"active_on": "2021-08-25"})
    units = {unit.name: unit for unit in response.context["page"]}
    assert set(units) == {"Ban Tuyên giáo", "Ban Tổ chức", "Sở Y tế"}
    assert units["Ban Tổ chức"].on_mission == 2
    assert units["Ban Tổ chức"].parent == youth_union_scene["youth_union"]
    assert response.context["page"].paginator.count == coverage_on(D(2021, 8, 25)).units_sending


def test_a_unit_with_departments_shows_them_together_too(staff_client, youth_union_scene):
    response = staff_client.get(URL)
    youth_union = next(unit for unit in response.context["page"] if unit.name == "Tỉnh đoàn")
    assert (youth_union.on_mission, youth_union.on_mission_with_departments) == (0, 0)
    response = staff_client.get(URL, {"active_on": "2021-09-01"})
    assert response.context["page"].paginator.count == 3


def test_a_day_when_nobody_is_out_lists_no_unit(staff_client, youth_union_scene):
    assert staff_client.get(URL, {"active_on": "2021-12-01"}).context["page"].paginator.count == 0


def test_a_bad_day_shows_every_unit_with_a_message(staff_client, youth_union_scene):
    response = staff_client.get(URL, {"active_on": "31/02/2021"})
    assert response.status_code == 200
    assert response.context["filtered"] is False
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_the_number_of_queries_does_not_grow_with_the_data(staff_client, django_assert_max_num_queries):
    for _ in range(2):
        AssignmentFactory()
    with django_assert_max_num_queries(8):
        staff_client.get(URL, {"active_on": "2021-08-25"})
    for _ in range(30):
        AssignmentFactory(cadre=CadreFactory(unit=ProvincialUnitFactory(parent=ProvincialUnitFactory())))
    with django_assert_max_num_queries(8):
        response = staff_client.get(URL, {"active_on": "2021-08-25"})
    assert response.context["page"].paginator.count == 32


# Adding and editing units without Django admin (issue 19, item 10).

UNIT_FIELDS = {"name": "Sở Khoa học và Công nghệ", "short_name": "Sở KHCN", "kind": "state", "place": "Bình Dương"}


def test_office_staff_add_a_unit_and_a_department(staff_client):
    assert staff_client.post(reverse("cadres:unit_create"), UNIT_FIELDS).status_code == 302
    unit = ProvincialUnit.objects.get(name="Sở Khoa học và Công nghệ")
    department = {**UNIT_FIELDS, "name": "Văn phòng Sở", "short_name": "VP", "parent": unit.pk}
    assert staff_client.post(reverse("cadres:unit_create"), department).status_code == 302
    assert ProvincialUnit.objects.get(name="Văn phòng Sở").parent == unit


def test_a_department_of_a_department_is_refused_and_nothing_changes(staff_client, youth_union_scene):
    propaganda = youth_union_scene["propaganda"]
    response = staff_client.post(reverse("cadres:unit_create"), {**UNIT_FIELDS, "parent": propaganda.pk})
    assert response.status_code == 200 and response.context["form"].errors["parent"]
    # A unit with departments does not become one.
    youth_union, health = youth_union_scene["youth_union"], youth_union_scene["health"]
    edit = reverse("cadres:unit_edit", args=[youth_union.pk])
    response = staff_client.post(edit, {**UNIT_FIELDS, "name": youth_union.name, "parent": health.pk})
    assert response.status_code == 200 and response.context["form"].errors["parent"]
    youth_union.refresh_from_db()
    assert youth_union.parent is None and not ProvincialUnit.objects.filter(name=UNIT_FIELDS["name"]).exists()


def test_an_organiser_edits_a_unit_and_a_sending_unit_cannot(youth_union_scene):
    health = youth_union_scene["health"]
    edit = reverse("cadres:unit_edit", args=[health.pk])
    organiser = _client_for(RoleFactory(kind=RoleKind.ORGANISER, unit=youth_union_scene["youth_union"]).user)
    assert organiser.post(edit, {**UNIT_FIELDS, "name": "Sở Y tế tỉnh"}).status_code == 302
    focal_point = _client_for(RoleFactory(kind=RoleKind.UNIT, unit=health).user)
    assert focal_point.post(edit, {**UNIT_FIELDS, "name": "Đổi tên"}).status_code == 403
    health.refresh_from_db()
    assert health.name == "Sở Y tế tỉnh"
