import datetime

import pytest

from localities.models import Grading, Locality, LocalityKind
from tests.factories import LocalityFactory, ZoneStatusFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    ward = LocalityFactory(name="Tân Phước Khánh")
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=D(2021, 7, 19), valid_to=D(2021, 8, 22))
    ZoneStatusFactory(locality=ward, grading=Grading.LOCKED_DOWN, valid_from=D(2021, 8, 23), valid_to=D(2021, 9, 15))
    ZoneStatusFactory(locality=ward, grading=Grading.YELLOW, valid_from=D(2021, 10, 1))
    return ward


def test_the_grading_on_a_day_is_the_one_in_force(ward):
    assert ward.grading_on(D(2021, 8, 1)).grading == Grading.RED
    assert ward.grading_on(D(2021, 8, 23)).grading == Grading.LOCKED_DOWN
    assert ward.grading_on(D(2021, 9, 20)) is None
    assert ward.grading_on(D(2026, 1, 1)).grading == Grading.YELLOW


def test_gradings_of_many_localities_take_one_query(ward, django_assert_num_queries):
    LocalityFactory.create_batch(5)
    with django_assert_num_queries(1):
        gradings = {loc.name: loc.grading for loc in Locality.objects.with_grading_on(D(2021, 9, 1))}
    assert gradings["Tân Phước Khánh"] == Grading.LOCKED_DOWN
    assert len(gradings) == 6


def test_recording_a_grading_closes_the_previous_one():
    ward = LocalityFactory()
    first = ward.record_grading(grading=Grading.RED, valid_from=D(2021, 7, 19), directive="Chỉ thị 16/CT-TTg")
    second = ward.record_grading(grading=Grading.ORANGE, valid_from=D(2021, 10, 1))
    first.refresh_from_db()
    assert first.valid_to == D(2021, 9, 30)
    assert second.valid_to is None
    assert ward.grading_on(D(2021, 10, 5)) == second


def test_recording_a_grading_between_two_keeps_the_later_one(ward):
    inserted = ward.record_grading(grading=Grading.ORANGE, valid_from=D(2021, 9, 16))
    assert inserted.valid_to == D(2021, 9, 30)
    assert ward.grading_on(D(2021, 10, 2)).grading == Grading.YELLOW


def test_red_zone_wards_on_a_day(ward):
    green = LocalityFactory()
    ZoneStatusFactory(locality=green, grading=Grading.GREEN)
    assert list(Locality.objects.red_zone_on(D(2021, 9, 1))) == [ward]
    assert list(Locality.objects.red_zone_on(D(2021, 10, 5))) == []


def test_a_merged_ward_keeps_its_history():
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên")
    old = LocalityFactory(parent=district, name="Khánh Bình", valid_to=D(2025, 6, 30))
    new = LocalityFactory(parent=district, name="Tân Khánh", valid_from=D(2025, 7, 1))
    old.successors.add(new)
    assert list(new.predecessors.all()) == [old]
    assert list(Locality.objects.communes().valid_on(D(2021, 8, 16))) == [old]
    assert list(Locality.objects.communes().valid_on(D(2025, 7, 1))) == [new]
    assert district.level == 2 and old.level == 3
