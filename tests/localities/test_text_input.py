"""A grading's directive is one line, its note free text without control characters, at most 2,000 characters."""

import datetime

import pytest
from django.urls import reverse

from localities.models import Grading
from tests.factories import LocalityFactory, ZoneStatusFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    ward = LocalityFactory(name="Thuận Giao")
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=datetime.date(2021, 7, 19))
    return ward


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("directive", "Chỉ thị 16\r\nCT-TTg", "not_single_line"),
        ("note", "Khóa chặt\x01", "control_character"),
        ("note", "x" * 2_001, "max_length"),
    ],
)
def test_a_grading_with_hostile_text_saves_nothing(staff_client, ward, field, value, code):
    data = {"grading": Grading.GREEN, "valid_from": "2021-09-01", "directive": "", "note": "", field: value}
    response = staff_client.post(reverse("cadres:locality_grade", args=[ward.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert ward.zone_statuses.count() == 1


def test_a_grading_note_keeps_its_lines(staff_client, ward):
    data = {"grading": Grading.GREEN, "valid_from": "2021-09-01", "directive": "", "note": "Một\r\nHai"}
    staff_client.post(reverse("cadres:locality_grade", args=[ward.pk]), data)
    assert ward.zone_statuses.get(valid_from=datetime.date(2021, 9, 1)).note == "Một\r\nHai"
