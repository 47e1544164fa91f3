import datetime
import re

import pytest
from django.urls import reverse

from cadres.services import assignment_recall
from localities.models import LocalityKind
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    LocalityFactory,
    ProvincialUnitFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
LIST = reverse("cadres:assignment_list")


def shown_count(response) -> int:
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


def listed_pks(response) -> set[int]:
    return {assignment.pk for assignment in response.context["page"].object_list}


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_cadres(cadre_client):
    assert cadre_client.get(LIST).status_code == 403


def test_it_lists_every_assignment_for_staff(staff_client):
    assignments = AssignmentFactory.create_batch(3)
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert shown_count(response) == 3
    assert listed_pks(response) == {a.pk for a in assignments}
    assert assignments[0].cadre.full_name in response.content.decode()


def test_it_filters_by_campaign(staff_client):
    chosen = AssignmentFactory()
    AssignmentFactory()
    response = staff_client.get(LIST, {"campaign": chosen.campaign.pk})
    assert shown_count(response) == 1 and listed_pks(response) == {chosen.pk}


def test_it_filters_by_unit_including_its_departments(staff_client):
    unit = ProvincialUnitFactory()
    department = ProvincialUnitFactory(parent=unit)
    in_unit = AssignmentFactory(cadre=CadreFactory(unit=unit))
    in_department = AssignmentFactory(cadre=CadreFactory(unit=department))
    AssignmentFactory()
    response = staff_client.get(LIST, {"unit": unit.pk})
    assert shown_count(response) == 2
    assert listed_pks(response) == {in_unit.pk, in_department.pk}


def test_it_filters_by_locality_including_its_wards(staff_client):
    district = LocalityFactory(kind=LocalityKind.CITY, name="Thuận An")
    in_ward = AssignmentFactory(locality=LocalityFactory(parent=district))
    in_district = AssignmentFactory(locality=district)
    AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory(kind=LocalityKind.TOWN)))
    response = staff_client.get(LIST, {"locality": district.pk})
    assert shown_count(response) == 2
    assert listed_pks(response) == {in_ward.pk, in_district.pk}


def test_it_filters_by_a_ward_linked_from_the_dashboard(staff_client):
    ward = LocalityFactory(parent=LocalityFactory(kind=LocalityKind.CITY))
    chosen = AssignmentFactory(locality=ward)
    AssignmentFactory(locality=LocalityFactory(parent=ward.parent))
    response = staff_client.get(LIST, {"locality": ward.pk})
    assert listed_pks(response) == {chosen.pk} and shown_count(response) == 1
    # The ward is offered in the select although only districts are otherwise.
    assert f'<option value="{ward.pk}" selected>' in response.content.decode()


def test_the_locality_select_offers_districts_not_every_ward(staff_client):
    district = LocalityFactory(kind=LocalityKind.CITY)
    ward = LocalityFactory(parent=district)
    html = staff_client.get(LIST).content.decode()
    assert f'<option value="{district.pk}">' in html
    assert f'<option value="{ward.pk}">' not in html


def test_it_filters_by_status_on_a_given_day(staff_client):
    planned = AssignmentFactory(starts_on=D(2021, 9, 1))
    active = AssignmentFactory(starts_on=D(2021, 8, 17))
    completed = AssignmentFactory(starts_on=D(2021, 7, 1), ends_on=D(2021, 7, 30))
    recalled = AssignmentFactory(starts_on=D(2021, 8, 10))
    assignment_recall(assignment=recalled, on=D(2021, 8, 15))
    expected = {"planned": planned, "active": active, "completed": completed, "recalled": recalled}
    for status, assignment in expected.items():
        response = staff_client.get(LIST, {"status": status, "day": "2021-08-20"})
        assert listed_pks(response) == {assignment.pk}, status
        assert shown_count(response) == 1
        assert f'class="badge {status}"' in response.content.decode()


def test_it_filters_those_present_on_a_day(staff_client):
    present = AssignmentFactory(starts_on=D(2021, 8, 17))
    AssignmentFactory(starts_on=D(2021, 9, 20))
    ends_that_day = AssignmentFactory(starts_on=D(2021, 7, 22), ends_on=D(2021, 8, 20))
    response = staff_client.get(LIST, {"active_on": "2021-08-20"})
    assert listed_pks(response) == {present.pk, ends_that_day.pk}
    assert shown_count(response) == 2


def test_it_filters_those_ending_within_n_days(staff_client):
    ending = AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 22))
    ending_on_the_day = AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 20))
    AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 24))
    AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 19))
    recalled = AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 30))
    assignment_recall(assignment=recalled, on=D(2021, 8, 21))
    response = staff_client.get(LIST, {"ending_from": "2021-08-20", "ending_within": "3"})
    assert listed_pks(response) == {ending.pk, ending_on_the_day.pk}
    assert shown_count(response) == 2


def test_ending_within_counts_from_the_day_when_no_start_is_given(staff_client):
    ending = AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 22))
    AssignmentFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 8, 30))
    response = staff_client.get(LIST, {"day": "2021-08-20", "ending_within": "3"})
    assert listed_pks(response) == {ending.pk} and shown_count(response) == 1


def test_it_searches_by_name_or_code(staff_client):
    chosen = AssignmentFactory(cadre=CadreFactory(full_name="Trương Đinh Ngọc Mai", code="TD-001"))
    AssignmentFactory()
    assert listed_pks(staff_client.get(LIST, {"q": "Ngọc Mai"})) == {chosen.pk}
    assert listed_pks(staff_client.get(LIST, {"q": "td-001"})) == {chosen.pk}


def test_the_filters_combine(staff_client):
    campaign = CampaignFactory()
    chosen = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 17))
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 9, 20))
    AssignmentFactory(starts_on=D(2021, 8, 17))
    response = staff_client.get(LIST, {"campaign": campaign.pk, "status": "active", "day": "2021-08-20"})
    assert listed_pks(response) == {chosen.pk} and shown_count(response) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "2021-13-45", "status": "active"}, "day"),
        ({"active_on": "yesterday"}, "active_on"),
        ({"ending_within": "three"}, "ending_within"),
        ({"ending_within": "-2"}, "ending_within"),
        ({"campaign": "999999"}, "campaign"),
        ({"unit": "abc"}, "unit"),
        ({"locality": "999999"}, "locality"),
        ({"status": "lost"}, "status"),
    ],
)
def test_a_bad_filter_value_is_an_error_message_not_a_crash(staff_client, params, field):
    AssignmentFactory()
    response = staff_client.get(LIST, params)
    assert response.status_code == 200
    assert field in response.context["filter"].form.errors
    assert 'class="error"' in response.content.decode()
    assert shown_count(response) == 0


def test_it_paginates_fifty_to_a_page(staff_client):
    campaign = CampaignFactory()
    for day in range(51):
        AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 1) + datetime.timedelta(days=day))
    first = staff_client.get(LIST)
    assert shown_count(first) == 51 and len(first.context["page"].object_list) == 50
    second = staff_client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_needs_the_same_queries_whatever_the_rows(staff_client, django_assert_max_num_queries, rows):
    department = ProvincialUnitFactory(parent=ProvincialUnitFactory())
    district = LocalityFactory(kind=LocalityKind.CITY)
    for _ in range(rows):
        AssignmentFactory(cadre=CadreFactory(unit=department), locality=LocalityFactory(parent=district))
    with django_assert_max_num_queries(14):
        response = staff_client.get(LIST, {"status": "active", "day": "2021-08-20", "locality": district.pk})
    assert shown_count(response) == rows
