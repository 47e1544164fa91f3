import datetime

import pytest
from django.urls import reverse

from localities.models import Grading, ZoneStatus
from tests.factories import LocalityFactory, ZoneStatusFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    ward = LocalityFactory(name="Thuận Giao", valid_from=D(2010, 1, 1))
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=D(2021, 7, 19))
    return ward


def grade(client, ward, **data):
    return client.post(reverse("cadres:locality_grade", args=[ward.pk]), data)


def test_it_records_a_grading_and_closes_the_previous_one(staff_client, staff_user, ward):
    response = grade(
        staff_client, ward, grading=Grading.LOCKED_DOWN, valid_from="2021-08-23", directive="Khóa chặt", note="Ổ dịch"
    )
    assert response.status_code == 302
    assert response.url == reverse("cadres:locality_detail", args=[ward.pk]) + "?day=2021-08-23"
    previous, new = ward.zone_statuses.order_by("valid_from")
    assert previous.valid_to == D(2021, 8, 22)
    assert (new.grading, new.valid_from, new.valid_to) == (Grading.LOCKED_DOWN, D(2021, 8, 23), None)
    assert (new.directive, new.note, new.recorded_by) == ("Khóa chặt", "Ổ dịch", staff_user)
    assert ward.grading_on(D(2021, 8, 22)).grading == Grading.RED
    followed = staff_client.get(response.url)
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]
    assert followed.context["current"] == new


def test_the_detail_page_carries_the_form(staff_client, ward):
    page = staff_client.get(reverse("cadres:locality_detail", args=[ward.pk])).content.decode()
    assert f'action="{reverse("cadres:locality_grade", args=[ward.pk])}"' in page
    assert 'name="valid_from"' in page and 'name="grading"' in page


def test_it_refuses_a_second_grading_on_the_same_day(staff_client, ward):
    response = grade(staff_client, ward, grading=Grading.GREEN, valid_from="2021-07-19")
    assert response.status_code == 200
    assert response.context["form"].has_error("valid_from", "same_day")
    assert ward.zone_statuses.get().grading == Grading.RED
    assert ward.zone_statuses.get().valid_to is None


def test_it_refuses_a_day_before_the_locality_existed(staff_client, ward):
    response = grade(staff_client, ward, grading=Grading.GREEN, valid_from="2009-12-31")
    assert response.context["form"].has_error("valid_from", "before_locality")
    assert ward.zone_statuses.count() == 1


def test_it_refuses_a_day_after_the_locality_ceased(staff_client):
    merged = LocalityFactory(valid_to=D(2025, 6, 30))
    response = grade(staff_client, merged, grading=Grading.GREEN, valid_from="2025-07-01")
    assert response.context["form"].has_error("valid_from", "after_locality")
    assert not ZoneStatus.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"grading": "purple", "valid_from": "2021-09-01"},
        {"grading": "", "valid_from": "2021-09-01"},
        {"grading": Grading.GREEN, "valid_from": ""},
        {"grading": Grading.GREEN, "valid_from": "2021-02-30"},
        {"grading": Grading.GREEN, "valid_from": "0001-01-01"},
        {"grading": Grading.GREEN, "valid_from": "2021-09-01", "directive": "x" * 121},
    ],
)
def test_invalid_input_saves_nothing(staff_client, ward, data):
    response = grade(staff_client, ward, **data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    status = ward.zone_statuses.get()
    assert status.valid_to is None


def test_the_grade_page_shows_the_form(staff_client, ward):
    response = staff_client.get(reverse("cadres:locality_grade", args=[ward.pk]))
    assert response.status_code == 200
    assert 'name="valid_from"' in response.content.decode()


def test_grading_an_unknown_locality_answers_404(staff_client):
    response = staff_client.post(
        reverse("cadres:locality_grade", args=[999999]), {"grading": "red", "valid_from": "2021-09-01"}
    )
    assert response.status_code == 404
