"""load_admin_units: Vietnam's official units before and after 01/07/2025, read from the vietnamadminunits data."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from localities import official
from localities.models import Level, Locality, LocalityKind

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def dataset():
    return official.read_dataset()


def test_the_dataset_has_both_structures_and_the_links_between_them(dataset):
    provinces = [unit for unit in dataset.values() if unit.level == Level.PROVINCE]
    before = [unit for unit in provinces if unit.era in (official.OLD, official.BOTH)]
    after = [unit for unit in provinces if unit.era in (official.NEW, official.BOTH)]
    assert (len(before), len(after)) == (63, 34)
    assert sum(1 for unit in dataset.values() if unit.level == Level.DISTRICT) == 696
    old_communes = [unit for unit in dataset.values() if unit.level == Level.COMMUNE and unit.era == official.OLD]
    new_communes = [unit for unit in dataset.values() if unit.level == Level.COMMUNE and unit.era == official.NEW]
    assert len(old_communes) > 10_000 and len(new_communes) == 3_321
    # Every old commune became at least one new one; hundreds were split between several.
    assert all(unit.successor_keys for unit in old_communes)
    assert sum(1 for unit in old_communes if len(unit.successor_keys) > 1) > 300
    # New communes hang from their province directly: the district level is gone.
    assert all(dataset[unit.parent_key].level == Level.PROVINCE for unit in new_communes)


def test_one_province_loads_with_codes_coordinates_and_the_units_it_became():
    out = io.StringIO()
    call_command("load_admin_units", province=["Bình Dương"], stdout=out)
    assert "Done in" in out.getvalue()
    province = Locality.objects.get(level=Level.PROVINCE, code="74")
    assert (province.name, province.kind, province.valid_to) == ("Bình Dương", LocalityKind.PROVINCE, D(2025, 6, 30))
    districts = province.children.order_by("code")
    assert [district.code for district in districts] == [str(code) for code in range(718, 727)]
    tdm = districts.get(code="718")
    assert (tdm.name, tdm.kind) == ("Thủ Dầu Một", LocalityKind.CITY)
    phu_cuong = tdm.children.get(name="Phú Cường")
    assert phu_cuong.code == "25747" and phu_cuong.kind == LocalityKind.WARD
    assert 10.9 < phu_cuong.latitude < 11.1 and 106.6 < phu_cuong.longitude < 106.7
    south, west, north, east = phu_cuong.bounds
    assert south < phu_cuong.latitude < north and west < phu_cuong.longitude < east
    # What it became on 01/07/2025: a ward of Hồ Chí Minh City, under the province directly.
    [now] = phu_cuong.successors.all()
    assert (now.name, now.valid_from, now.valid_to) == ("Thủ Dầu Một", D(2025, 7, 1), None)
    assert (now.parent.code, now.parent.name, now.parent.parent) == ("79", "Hồ Chí Minh", None)
    assert province.successors.get() == now.parent
    # Chánh Nghĩa merged into the same new ward: predecessors are many.
    assert now.predecessors.filter(name="Chánh Nghĩa").exists()


def test_loading_twice_changes_nothing_and_keeps_a_recorded_rename():
    call_command("load_admin_units", province=["74"], stdout=io.StringIO())
    rows = sorted(Locality.objects.values_list("pk", "name", "kind", "parent_id", "valid_from", "valid_to"))
    links = Locality.successors.through.objects.count()
    ward = Locality.objects.get(code="25747", valid_to__isnull=False)
    Locality.objects.filter(pk=ward.pk).update(name="Phú Cường (renamed)")
    out = io.StringIO()
    call_command("load_admin_units", province=["74"], stdout=out)
    assert "0 units created, 0 updated" in out.getvalue()
    assert Locality.successors.through.objects.count() == links
    ward.refresh_from_db()
    assert ward.name == "Phú Cường (renamed)"  # a name changed since the load is the unit's, not the dataset's
    Locality.objects.filter(pk=ward.pk).update(name="Phú Cường")
    assert sorted(Locality.objects.values_list("pk", "name", "kind", "parent_id", "valid_from", "valid_to")) == rows


def test_a_province_that_went_through_unchanged_is_one_unit_across_the_date():
    call_command("load_admin_units", province=["Hà Nội"], stdout=io.StringIO())
    [hanoi] = Locality.objects.filter(level=Level.PROVINCE, code="01")
    assert (hanoi.valid_from, hanoi.valid_to) == (None, None)
    day_2021, day_2026 = D(2021, 8, 25), D(2026, 1, 5)
    assert Locality.objects.filter(parent=hanoi).valid_on(day_2021).filter(level=Level.DISTRICT).count() == 30
    assert not Locality.objects.filter(parent=hanoi).valid_on(day_2026).filter(level=Level.DISTRICT).exists()
    assert Locality.objects.filter(parent=hanoi, level=Level.COMMUNE).valid_on(day_2026).count() == 126


def test_a_new_province_loads_with_the_communes_it_came_from():
    call_command("load_admin_units", province=["79"], stdout=io.StringIO())
    new = Locality.objects.get(level=Level.PROVINCE, code="79", valid_from=D(2025, 7, 1))
    assert new.children.count() == 168
    old_names = set(
        Locality.objects.filter(level=Level.PROVINCE, valid_to=D(2025, 6, 30)).values_list("name", flat=True)
    )
    assert old_names == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    assert all(commune.predecessors.exists() for commune in new.children.all())


def test_an_unknown_province_is_refused_with_a_message():
    with pytest.raises(CommandError, match="No province matches"):
        call_command("load_admin_units", province=["Atlantis"], stdout=io.StringIO())
    assert not Locality.objects.exists()


def test_the_type_word_in_the_name_decides_the_kind():
    assert official._kind(official.COMMUNE_KINDS, "Thị Trấn Prao") == (LocalityKind.TOWNSHIP, "Prao")
    assert official._kind(official.COMMUNE_KINDS, "Phường Việt Hòa", "Xã") == (LocalityKind.WARD, "Việt Hòa")
    assert official._kind(official.PROVINCE_KINDS, "Thành phố Hồ Chí Minh") == (
        LocalityKind.CITY_PROVINCE,
        "Hồ Chí Minh",
    )
    assert official._bounds("21.05,105.87 – 20.99,105.79") == [20.99, 105.79, 21.05, 105.87]


def test_a_load_adopts_a_unit_typed_in_by_hand_and_keeps_dates_recorded_since():
    province = Locality.objects.create(name="Bình Dương", kind=LocalityKind.PROVINCE, code="74")
    district = Locality.objects.create(name="Thủ Dầu Một", kind=LocalityKind.CITY, code="718", parent=province)
    typed = Locality.objects.create(name="Phú Cường", kind=LocalityKind.WARD, parent=district)
    opened_later = Locality.objects.create(
        name="Hiệp Thành", kind=LocalityKind.WARD, parent=district, code="25741", valid_from=D(2024, 1, 1)
    )
    call_command("load_admin_units", province=["74"], stdout=io.StringIO())
    typed.refresh_from_db()
    opened_later.refresh_from_db()
    assert typed.code == "25747" and Locality.objects.filter(name="Phú Cường", parent=district).count() == 1
    assert (opened_later.valid_from, opened_later.valid_to) == (D(2024, 1, 1), D(2025, 6, 30))


def test_a_load_names_the_units_it_ends_that_still_have_assignments_after():
    from tests.factories import AssignmentFactory

    province = Locality.objects.create(name="Bình Dương", kind=LocalityKind.PROVINCE, code="74")
    district = Locality.objects.create(name="Tân Uyên", kind=LocalityKind.CITY, code="723", parent=province)
    ward = Locality.objects.create(name="Tân Phước Khánh", kind=LocalityKind.WARD, code="25891", parent=district)
    AssignmentFactory(locality=ward, starts_on=D(2025, 6, 20), ends_on=D(2025, 7, 19))
    out = io.StringIO()
    call_command("load_admin_units", province=["74"], stdout=out)
    assert "Tân Phước Khánh (25891)" in out.getvalue()
