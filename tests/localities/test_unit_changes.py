"""Changes of the administrative map recorded by staff on a date, and how every page reads them."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cadres.filters import AssignmentFilter
from cadres.forms.decisions import find_locality
from localities.models import ChangeKind, Grading, Level, Locality, LocalityChange, LocalityKind, as_on, timeline
from tests.factories import AssignmentFactory, LocalityFactory, ZoneStatusFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương", code="74")
    return LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", parent=province, code="723")


@pytest.fixture
def wards(town):
    return [
        LocalityFactory(
            kind=LocalityKind.WARD, name=name, parent=town, code=code, latitude=11.0 + i / 100, longitude=106.7
        )
        for i, (name, code) in enumerate(
            [("Tân Phước Khánh", "25891"), ("Khánh Bình", "25921"), ("Uyên Hưng", "25888")]
        )
    ]


def change(client, locality, **data):
    return client.post(reverse("cadres:locality_change", args=[locality.pk]), data)


def test_a_change_of_kind_is_previewed_then_recorded_and_pages_read_each_day_as_it_was(staff_client, town):
    data = {
        "kind": "reclassify",
        "effective_on": "2023-04-10",
        "new_kind": "city",
        "basis": "Nghị quyết 725/NQ-UBTVQH15",
    }
    with translation.override("vi"):
        preview = change(staff_client, town, **data)
        assert preview.status_code == 200 and not LocalityChange.objects.exists()
        assert "Thị xã Tân Uyên" in preview.content.decode() and "Thành phố Tân Uyên" in preview.content.decode()
        recorded = change(staff_client, town, **data, confirm="1")
        assert recorded.status_code == 302
        assert recorded.url == reverse("cadres:locality_detail", args=[town.pk]) + "?day=2023-04-10"
        town.refresh_from_db()
        assert (town.kind, town.code) == (LocalityKind.CITY, "723")
        detail = reverse("cadres:locality_detail", args=[town.pk])
        page_2021 = staff_client.get(detail, {"day": "2021-08-25"}).content.decode()
        page_2024 = staff_client.get(detail, {"day": "2024-01-01"}).content.decode()
    assert "<h1>Thị xã Tân Uyên</h1>" in page_2021 and "<h1>Thành phố Tân Uyên</h1>" in page_2024
    # The timeline on both: what it was called up to 09/04/2023 and since, with the resolution.
    for page in (page_2021, page_2024):
        assert "09/04/2023" in page and "10/04/2023" in page and "725/NQ-UBTVQH15" in page


def test_a_rename_is_found_by_its_old_name_and_the_timeline_names_the_parent_of_each_day(staff_client, town, wards):
    ward = wards[1]
    assert (
        change(
            staff_client, ward, kind="rename", effective_on="2022-01-01", new_name="Khánh Bình Mới", confirm="1"
        ).status_code
        == 302
    )
    change(staff_client, town, kind="reclassify", effective_on="2023-04-10", new_kind="city", confirm="1")
    found = staff_client.get(reverse("cadres:locality_list"), {"q": "khanh binh", "day": "2021-08-25"})
    assert [locality.name for locality in found.context["page"]] == ["Khánh Bình"]  # as it was called that day
    ward.refresh_from_db()
    with translation.override("vi"):
        periods = timeline(ward)["periods"]
        assert [(period.first, period.last, period.title, period.parent_title) for period in periods] == [
            (None, D(2021, 12, 31), "Phường Khánh Bình", "Thị xã Tân Uyên"),
            (D(2022, 1, 1), D(2023, 4, 9), "Phường Khánh Bình Mới", "Thị xã Tân Uyên"),
            # The town became a city: the ward's period splits there though its own name stayed.
            (D(2023, 4, 10), None, "Phường Khánh Bình Mới", "Thành phố Tân Uyên"),
        ]
        assert [period.parent_change.kind if period.parent_change else None for period in periods] == [
            None,
            None,
            ChangeKind.RECLASSIFY,
        ]


def test_a_merger_ends_the_units_and_opens_the_new_one_linked_to_them(staff_client, staff_user, town, wards):
    first, second, _third = wards
    data = {
        "kind": "merger",
        "effective_on": "2025-07-01",
        "others": [second.pk],
        "new_name": "Tân Khánh",
        "new_kind": "ward",
        "new_code": "25891",
    }
    with translation.override("vi"):
        preview = change(staff_client, first, **data).content.decode()
    assert "30/06/2025" in preview and "Phường Tân Khánh" in preview and not LocalityChange.objects.exists()
    assert change(staff_client, first, **data, confirm="1").status_code == 302
    new = Locality.objects.get(name="Tân Khánh")
    assert (new.valid_from, new.parent, new.code, new.level) == (D(2025, 7, 1), town, "25891", Level.COMMUNE)
    assert new.latitude == pytest.approx((first.latitude + second.latitude) / 2)
    for old in (first, second):
        old.refresh_from_db()
        assert old.valid_to == D(2025, 6, 30) and list(old.successors.all()) == [new]
    record = LocalityChange.objects.get(kind=ChangeKind.MERGER)
    assert set(record.closed.all()) == {first, second} and list(record.opened.all()) == [new]
    assert record.recorded_by == staff_user
    # Lists of a day after it offer the new unit, not the old; a search by the old name says what it became.
    later = staff_client.get(reverse("cadres:locality_list"), {"parent": town.pk, "day": "2025-08-01"})
    assert {locality.name for locality in later.context["page"]} == {"Tân Khánh", "Uyên Hưng"}
    with translation.override("vi"):
        found = staff_client.get(reverse("cadres:locality_list"), {"q": "Tân Phước", "day": "2025-08-01"})
    assert "từ 01/07/2025 nhập vào" in found.content.decode() and "Phường Tân Khánh" in found.content.decode()


def test_a_merger_into_one_of_them_keeps_that_unit(staff_client, wards):
    first, second, third = wards
    response = change(
        staff_client,
        first,
        kind="merger",
        effective_on="2025-07-01",
        others=[second.pk, third.pk],
        into=third.pk,
        confirm="1",
    )
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.valid_to is None
    assert set(third.predecessors.all()) == {first, second}


def test_a_change_that_would_strand_an_assignment_is_refused_with_who_and_until_when(staff_client, wards):
    first, second, _third = wards
    AssignmentFactory(
        locality=second, starts_on=D(2025, 6, 20), ends_on=D(2025, 7, 19), cadre__full_name="Trịnh Đức Tài"
    )
    response = change(
        staff_client,
        first,
        kind="merger",
        effective_on="2025-07-01",
        others=[second.pk],
        new_name="Tân Khánh",
        confirm="1",
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Trịnh Đức Tài" in errors and "19/07/2025" in errors
    second.refresh_from_db()
    assert second.valid_to is None and not Locality.objects.filter(name="Tân Khánh").exists()
    assert not LocalityChange.objects.exists()


def test_a_split_opens_each_unit_named_with_its_kind(staff_client, wards):
    ward = wards[0]
    response = change(
        staff_client,
        ward,
        kind="split",
        effective_on="2025-07-01",
        parts="Phường Tân Khánh\n\nXã Bạch Đằng Mới\n",
        confirm="1",
    )
    assert response.status_code == 302
    ward.refresh_from_db()
    assert sorted((unit.name, unit.kind) for unit in ward.successors.all()) == [
        ("Bạch Đằng Mới", LocalityKind.COMMUNE),
        ("Tân Khánh", LocalityKind.WARD),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "rename", "effective_on": "2099-01-01", "new_name": "X"}, "ngày có hiệu lực"),
        ({"kind": "rename", "effective_on": "2022-01-01", "new_name": "Tân Phước Khánh"}, "trùng với hiện tại"),
        ({"kind": "reclassify", "effective_on": "2022-01-01", "new_kind": "city"}, "cùng cấp"),
        ({"kind": "merger", "effective_on": "2025-07-01", "new_name": "Alone"}, "Sáp nhập cần ít nhất hai"),
        ({"kind": "split", "effective_on": "2025-07-01", "parts": "Only one"}, "Chia tách ra ít nhất hai"),
    ],
)
def test_changes_that_make_no_sense_are_refused_and_change_nothing(staff_client, wards, data, message):
    response = change(staff_client, wards[0], **data, confirm="1")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert not LocalityChange.objects.exists() and Locality.objects.count() == 5


def test_changes_are_recorded_in_date_order(staff_client, wards):
    change(staff_client, wards[0], kind="rename", effective_on="2023-01-01", new_name="Mới", confirm="1")
    response = change(staff_client, wards[0], kind="rename", effective_on="2022-01-01", new_name="Cũ hơn", confirm="1")
    assert "theo thứ tự ngày" in " ".join(response.context["form"].non_field_errors())


def test_a_district_with_communes_is_not_merged_here(staff_client, town, wards):
    other = LocalityFactory(kind=LocalityKind.DISTRICT, name="Bắc Tân Uyên", parent=town.parent)
    response = change(
        staff_client, town, kind="merger", effective_on="2025-07-01", others=[other.pk], new_name="X", confirm="1"
    )
    assert "cấp xã, phường" in " ".join(response.context["form"].non_field_errors())


def test_only_organisers_record_changes(client, wards, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    response = change(client, wards[0], kind="rename", effective_on="2022-01-01", new_name="X", confirm="1")
    assert response.status_code in (403, 404)
    assert not LocalityChange.objects.exists()


def test_an_assignment_takes_a_place_only_on_the_days_it_exists(wards):
    ward = wards[0]
    assignment = AssignmentFactory(locality=ward, starts_on=D(2025, 6, 1), ends_on=D(2025, 6, 30))
    Locality.objects.filter(pk=ward.pk).update(valid_to=D(2025, 6, 30))
    assignment.refresh_from_db()
    assignment.clean_locality_period()  # within its days
    assignment.ends_on = D(2025, 7, 19)
    with pytest.raises(ValidationError) as refused:
        assignment.clean_locality_period()
    assert "30/06/2025" in str(refused.value.message_dict["locality"])


def test_as_on_names_a_unit_and_its_parent_for_each_day_asked(town, wards):
    from localities.changes import record_rename

    record_rename(town, effective_on=D(2023, 4, 10), kind=LocalityKind.CITY)
    ward = Locality.objects.select_related("parent").get(pk=wards[0].pk)
    with translation.override("vi"):
        as_on([ward], D(2021, 8, 25))
        assert ward.parent.display_name == "Thị xã Tân Uyên"
        as_on([ward], D(2024, 1, 1))
        assert ward.parent.display_name == "Thành phố Tân Uyên"


def test_the_assignment_filter_offers_districts_for_2021_and_provinces_for_2026(town, wards):
    Locality.objects.filter(pk__in=[ward.pk for ward in wards]).update(valid_to=D(2025, 6, 30))
    new_province = LocalityFactory(kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", valid_from=D(2025, 7, 1))
    LocalityFactory(name="Tân Khánh", parent=new_province, valid_from=D(2025, 7, 1))
    offered_2021 = AssignmentFilter({"day": "2021-08-25"}).form.fields["locality"].shortlist
    offered_2026 = AssignmentFilter({"day": "2026-01-05"}).form.fields["locality"].shortlist
    assert town in offered_2021 and new_province not in offered_2021
    assert new_province in offered_2026 and town not in offered_2026


def test_the_locality_page_reads_the_timeline_in_a_fixed_number_of_queries(
    staff_client, town, wards, django_assert_max_num_queries
):
    from localities.changes import record_rename

    detail = reverse("cadres:locality_detail", args=[wards[0].pk])
    with django_assert_max_num_queries(30) as few:
        staff_client.get(detail, {"day": "2021-08-25"})
    for year in (2022, 2023, 2024):
        record_rename(wards[0], effective_on=D(year, 1, 1), name=f"Tên {year}")
    wards[0].successors.add(wards[1], wards[2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(detail, {"day": "2021-08-26"})


def test_a_decision_of_a_later_day_points_from_an_old_name_to_the_unit_it_became(staff_client, wards):
    first, second, _third = wards
    change(
        staff_client,
        first,
        kind="merger",
        effective_on="2025-07-01",
        others=[second.pk],
        new_name="Tân Khánh",
        new_code="25891",
        confirm="1",
    )
    search = reverse("cadres:locality_search")
    [result] = staff_client.get(search, {"q": "tan phuoc khanh", "day": "2026-01-05"}).json()["results"]
    assert result["value"] == "25891" and "Tân Khánh" in result["label"] and "Tân Phước Khánh" in result["label"]
    assert "01/07/2025" in result["label"]
    # On a day it existed, the ward itself.
    [then] = staff_client.get(search, {"q": "tan phuoc khanh", "day": "2021-08-25"}).json()["results"]
    assert then["value"] == "25891" and "Tân Khánh" not in then["label"]
    with pytest.raises(ValidationError) as refused:
        find_locality("Tân Phước Khánh, Tân Uyên", day=D(2026, 1, 5))
    assert "Tân Khánh" in refused.value.messages[0] and "01/07/2025" in refused.value.messages[0]
    assert find_locality("25891", day=D(2026, 1, 5)).name == "Tân Khánh"
    assert find_locality("25891", day=D(2021, 8, 25)).name == "Tân Phước Khánh"


def test_an_assignment_of_2026_may_move_within_its_province_of_two_levels():
    from cadres.forms.assignments import localities_near

    province = LocalityFactory(kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", valid_from=D(2025, 7, 1))
    here, there = (
        LocalityFactory(name=name, parent=province, valid_from=D(2025, 7, 1)) for name in ("Tân Khánh", "Dĩ An")
    )
    elsewhere = LocalityFactory(name="Ba Đình", parent=LocalityFactory(kind=LocalityKind.CITY_PROVINCE, name="Hà Nội"))
    near = set(localities_near(here))
    assert {here, there} <= near and elsewhere not in near


@pytest.mark.parametrize("kind", ["rename", "split"])
def test_a_day_out_of_any_record_is_refused_not_an_error_page(staff_client, wards, kind):
    data = {"kind": kind, "effective_on": "01/01/0001", "new_name": "X", "parts": "A\nB", "confirm": "1"}
    response = change(staff_client, wards[0], **data)
    assert response.status_code == 200 and not LocalityChange.objects.exists()
    assert "02/09/1945" in " ".join(response.context["form"].non_field_errors())
    assert staff_client.get(reverse("cadres:locality_detail", args=[wards[0].pk])).status_code == 200


def test_a_split_before_2025_hands_on_what_the_commune_became_in_2025(staff_client, town, wards):
    ward = wards[0]
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=D(2021, 7, 19))
    province_2025 = LocalityFactory(kind=LocalityKind.CITY_PROVINCE, name="Hồ Chí Minh", valid_from=D(2025, 7, 1))
    ward_2025 = LocalityFactory(name="Tân Khánh", parent=province_2025, valid_from=D(2025, 7, 1))
    Locality.objects.filter(pk__in=[town.pk, *(w.pk for w in wards)]).update(valid_to=D(2025, 6, 30))
    ward.refresh_from_db()
    ward.successors.add(ward_2025)
    response = change(
        staff_client, ward, kind="split", effective_on="2024-01-01", parts="Phường Một\nPhường Hai", confirm="1"
    )
    assert response.status_code == 302
    ward.refresh_from_db()
    parts = list(ward.successors.order_by("name"))
    assert [part.name for part in parts] == ["Hai", "Một"]
    for part in parts:
        assert (part.valid_from, part.valid_to) == (D(2024, 1, 1), D(2025, 6, 30))
        assert list(part.successors.all()) == [ward_2025]
    assert ward.valid_to == D(2023, 12, 31)
    assert ward.zone_statuses.get().valid_to == D(2023, 12, 31)  # its grading ends with it


def test_a_merger_into_a_unit_that_no_longer_exists_is_refused(staff_client, wards):
    first, second, third = wards
    Locality.objects.filter(pk=third.pk).update(valid_to=D(2023, 12, 31))
    response = change(
        staff_client, first, kind="merger", effective_on="2024-06-01", others=[second.pk], into=third.pk, confirm="1"
    )
    assert response.status_code == 200 and "31/05/2024" in " ".join(response.context["form"].non_field_errors())
    first.refresh_from_db()
    assert first.valid_to is None


@pytest.mark.parametrize(
    "parts, message",
    [
        ("Phường " + "A" * 300 + "\nPhường B", "120"),
        ("Phường Trùng\nPhường Trùng", "Phường Trùng"),
        ("Phường Uyên Hưng\nPhường Mới", "Phường Uyên Hưng"),  # a sibling already has the name
        ("\n".join(f"Phường {n}" for n in range(40)), "30"),
        ("Phường\nPhường Mới", "“Phường”"),  # a kind word alone names no unit
        ("Xã\nPhường Mới", "“Xã”"),
    ],
)
def test_the_units_of_a_split_are_checked_before_anything_is_written(staff_client, wards, parts, message):
    response = change(staff_client, wards[0], kind="split", effective_on="2025-07-01", parts=parts, confirm="1")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert Locality.objects.count() == 5 and not LocalityChange.objects.exists()


def test_a_suggestion_named_as_on_the_day_holds_the_value_the_form_reads_back(staff_client, wards):
    from localities.changes import record_rename

    ward = wards[0]
    Locality.objects.filter(pk=ward.pk).update(code="")
    ward.refresh_from_db()
    record_rename(ward, effective_on=D(2022, 1, 1), name="Tân Phước Khánh Mới")
    [suggested] = staff_client.get(reverse("cadres:locality_search"), {"q": "tan phuoc", "day": "2021-08-25"}).json()[
        "results"
    ]
    assert "Tân Phước Khánh," in suggested["label"] and "Mới" not in suggested["label"]
    assert find_locality(suggested["value"], day=D(2021, 8, 25)) == ward


# What a merger or split does to gradings, and the change form as a new user reads it.


def graded(unit, grading, since=None, until=None, directive="Chỉ thị 16/CT-TTg"):
    since = since or D(2021, 7, 19)
    return ZoneStatusFactory(locality=unit, grading=grading, valid_from=since, valid_to=until, directive=directive)


def gradings_previewed(response) -> list[str]:
    assert response.status_code == 200, response.context["form"].errors
    section = response.content.decode().split('id="gradings-after"')[1].split("</ul>")[0]
    return re.findall(r'<li data-grading="(\w+)">', section)


@pytest.mark.parametrize(
    "gradings, strictest",
    [
        ([Grading.RED, Grading.ORANGE, None], Grading.RED),
        ([Grading.GREEN, Grading.YELLOW, Grading.ORANGE], Grading.ORANGE),
        ([Grading.RED, Grading.LOCKED_DOWN, Grading.GREEN], Grading.LOCKED_DOWN),
    ],
)
def test_a_new_unit_starts_with_the_strictest_grading_of_the_units_merged(
    staff_client, staff_user, wards, gradings, strictest
):
    for ward, grading in zip(wards, gradings, strict=True):
        if grading:
            graded(ward, grading)
    data = {
        "kind": "merger",
        "effective_on": "2025-07-01",
        "others": [wards[1].pk, wards[2].pk],
        "new_name": "Tân Khánh",
        "basis": "Nghị quyết 1656/NQ-UBTVQH15",
    }
    assert gradings_previewed(change(staff_client, wards[0], **data)) == [strictest]
    assert change(staff_client, wards[0], **data, confirm="1").status_code == 302
    new = Locality.objects.get(name="Tân Khánh")
    status = new.zone_statuses.get()
    assert (status.grading, status.valid_from, status.valid_to) == (strictest, D(2025, 7, 1), None)
    assert status.recorded_by == staff_user and status.directive == "Chỉ thị 16/CT-TTg"
    source = wards[gradings.index(strictest)]
    assert source.name in status.note and "01/07/2025" in status.note and "1656/NQ-UBTVQH15" in status.note
    # The units that ended keep their own gradings up to their last day.
    for ward in wards:
        assert all(old.valid_to == D(2025, 6, 30) for old in ward.zone_statuses.all())


def test_a_merger_of_units_without_grading_says_so_and_opens_a_unit_without_one(staff_client, wards):
    data = {"kind": "merger", "effective_on": "2025-07-01", "others": [wards[1].pk], "new_name": "Tân Khánh"}
    assert gradings_previewed(change(staff_client, wards[0], **data)) == ["none"]
    change(staff_client, wards[0], **data, confirm="1")
    assert not Locality.objects.get(name="Tân Khánh").zone_statuses.exists()


def test_a_grading_ended_before_the_day_is_not_carried_over(staff_client, wards):
    graded(wards[0], Grading.RED, until=D(2021, 9, 30))
    data = {"kind": "merger", "effective_on": "2025-07-01", "others": [wards[1].pk], "new_name": "Tân Khánh"}
    assert gradings_previewed(change(staff_client, wards[0], **data)) == ["none"]


def test_the_unit_that_continues_keeps_its_grading_unless_one_merged_into_it_was_stricter(staff_client, wards):
    first, second, third = wards
    graded(third, Grading.RED)
    graded(first, Grading.ORANGE)
    data = {"kind": "merger", "effective_on": "2025-07-01", "others": [second.pk], "into": third.pk}
    assert gradings_previewed(change(staff_client, first, **data)) == [Grading.RED]  # its own
    assert change(staff_client, first, **data, confirm="1").status_code == 302
    assert [(s.grading, s.valid_from, s.valid_to) for s in third.zone_statuses.all()] == [
        (Grading.RED, D(2021, 7, 19), None)
    ]


def test_a_stricter_grading_merged_in_holds_from_the_day_then_the_units_own_resumes(staff_client, wards):
    first, second, third = wards
    graded(third, Grading.YELLOW, directive="")
    graded(first, Grading.RED, until=D(2025, 9, 30))
    data = {"kind": "merger", "effective_on": "2025-07-01", "others": [second.pk], "into": third.pk}
    assert gradings_previewed(change(staff_client, first, **data)) == [Grading.RED]
    assert change(staff_client, first, **data, confirm="1").status_code == 302
    assert [(s.grading, s.valid_from, s.valid_to) for s in third.zone_statuses.order_by("valid_from")] == [
        (Grading.YELLOW, D(2021, 7, 19), D(2025, 6, 30)),
        (Grading.RED, D(2025, 7, 1), D(2025, 9, 30)),
        (Grading.YELLOW, D(2025, 10, 1), None),
    ]
    assert third.grading_on(D(2025, 7, 1)).directive == "Chỉ thị 16/CT-TTg"


def test_each_unit_of_a_split_starts_with_the_grading_of_the_unit_split(staff_client, wards):
    graded(wards[0], Grading.ORANGE)
    data = {"kind": "split", "effective_on": "2025-07-01", "parts": "Phường Một\nPhường Hai"}
    assert gradings_previewed(change(staff_client, wards[0], **data)) == [Grading.ORANGE, Grading.ORANGE]
    change(staff_client, wards[0], **data, confirm="1")
    for part in Locality.objects.filter(name__in=["Một", "Hai"]):
        assert part.grading_on(D(2025, 7, 1)).grading == Grading.ORANGE


def test_a_unit_graded_after_its_would_be_last_day_is_not_merged(staff_client, wards):
    graded(wards[0], Grading.GREEN, since=D(2025, 8, 1))
    response = change(
        staff_client, wards[0], kind="merger", effective_on="2025-07-01", others=[wards[1].pk], new_name="Tân Khánh"
    )
    errors = " ".join(response.context["form"].non_field_errors())
    assert "01/08/2025" in errors and "30/06/2025" in errors
    assert not change(
        staff_client,
        wards[0],
        kind="merger",
        effective_on="2025-07-01",
        others=[wards[1].pk],
        new_name="Tân Khánh",
        confirm="1",
    ).has_header("Location")
    assert not LocalityChange.objects.exists()


@pytest.mark.parametrize(
    "typed, word, name",
    [
        ("Phường Tân Khánh", "Phường", "Tân Khánh"),
        ("  phường   Tân  Khánh ", "phường", "Tân Khánh"),
        ("PHƯỜNG Tân Khánh", "PHƯỜNG", "Tân Khánh"),
        ("phuong Tan Khanh", "phuong", "Tan Khanh"),
        ("Thị xã Tân Uyên", "Thị xã", "Tân Uyên"),
        ("thanh pho Thủ Dầu Một", "thanh pho", "Thủ Dầu Một"),
        ("Đặc khu Côn Đảo", "Đặc khu", "Côn Đảo"),
        # Names that only look like a kind word keep it.
        ("Phương Liệt", "", "Phương Liệt"),
        ("Tịnh Biên", "", "Tịnh Biên"),
        ("Xà Bang", "", "Xà Bang"),
        ("Xãi", "", "Xãi"),
    ],
)
def test_a_kind_word_before_a_typed_name_is_read_as_the_kind(typed, word, name):
    from localities.changes import split_kind_word

    assert split_kind_word(typed)[0::2] == (word, name)


def test_a_name_typed_with_its_kind_word_is_not_doubled(staff_client, wards):
    first, second, _third = wards
    change(staff_client, first, kind="rename", effective_on="2022-01-01", new_name="phường Tân Phước", confirm="1")
    first.refresh_from_db()
    assert (first.name, first.kind) == ("Tân Phước", LocalityKind.WARD)
    with translation.override("vi"):
        preview = change(
            staff_client, first, kind="merger", effective_on="2025-07-01", others=[second.pk], new_name="Xã Tân Khánh"
        ).content.decode()
    assert "Xã Tân Khánh" in preview and "Xã Xã" not in preview and "Phường Xã" not in preview
    change(
        staff_client,
        first,
        kind="merger",
        effective_on="2025-07-01",
        others=[second.pk],
        new_name="Xã Tân Khánh",
        confirm="1",
    )
    assert Locality.objects.filter(name="Tân Khánh", kind=LocalityKind.COMMUNE).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "rename", "effective_on": "2022-01-01", "new_name": "Xã Tân Phước"},  # a ward stays a ward
        {"kind": "merger", "effective_on": "2025-07-01", "new_name": "Xã Tân Khánh", "new_kind": "ward"},
        {"kind": "rename", "effective_on": "2022-01-01", "new_name": "Phường"},
    ],
)
def test_a_kind_word_that_contradicts_the_kind_is_refused(staff_client, wards, data):
    response = change(staff_client, wards[0], **data, others=[wards[1].pk], confirm="1")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "“Xã" in errors or "“Phường”" in errors
    assert not LocalityChange.objects.exists() and Locality.objects.count() == 5


def test_a_name_typed_for_a_merger_into_a_unit_that_continues_is_refused_not_dropped(staff_client, wards):
    first, second, third = wards
    response = change(
        staff_client,
        first,
        kind="merger",
        effective_on="2025-07-01",
        others=[second.pk],
        into=third.pk,
        new_name="Tân Khánh",
        confirm="1",
    )
    assert response.status_code == 200
    assert "Uyên Hưng" in " ".join(response.context["form"].non_field_errors())
    third.refresh_from_db()
    assert third.name == "Uyên Hưng" and not LocalityChange.objects.exists()


def test_after_a_merger_or_split_the_page_of_the_unit_it_became_opens(staff_client, wards):
    first, second, third = wards
    merged = change(
        staff_client, first, kind="merger", effective_on="2025-07-01", others=[second.pk], into=third.pk, confirm="1"
    )
    assert merged.url == reverse("cadres:locality_detail", args=[third.pk]) + "?day=2025-07-01"
    followed = staff_client.get(merged.url)
    [message] = [str(m) for m in followed.context["messages"]]
    assert "Tân Phước Khánh" in message and "Uyên Hưng" in message
    split = change(
        staff_client, third, kind="split", effective_on="2025-08-01", parts="Phường Một\nPhường Hai", confirm="1"
    )
    one = Locality.objects.get(name="Một")
    assert split.url == reverse("cadres:locality_detail", args=[one.pk]) + "?day=2025-08-01"
    merged_new = change(
        staff_client, one, kind="merger", effective_on="2025-09-01", others=[Locality.objects.get(name="Hai").pk],
        new_name="Ba", confirm="1",
    )  # fmt: skip
    assert merged_new.url == reverse("cadres:locality_detail", args=[Locality.objects.get(name="Ba").pk]) + (
        "?day=2025-09-01"
    )


def test_the_confirm_button_follows_the_preview_and_sends_the_form(staff_client, wards):
    data = {"kind": "merger", "effective_on": "2025-07-01", "others": [wards[1].pk], "new_name": "Tân Khánh"}
    page = change(staff_client, wards[0], **data).content.decode()
    preview_end = page.index("</section>", page.index('id="change-preview"'))
    confirm = re.search(r'<button type="submit" name="confirm" form="change-form"[^>]*>', page)
    assert confirm and page.index('id="change-preview"') < confirm.start() < preview_end
    assert confirm.start() < page.index('name="new_name"') and 'id="change-form"' in page
    # Enter in a field presses the first button of the form in the page: "Preview again", not "Confirm".
    again = re.search(r'<button type="submit" name="preview" form="change-form"', page)
    assert again and again.start() < confirm.start()
    assert page.count('name="confirm"') == 1


def test_each_field_says_which_kinds_of_change_it_is_for_and_a_script_shows_only_those(staff_client, wards):
    page = staff_client.get(reverse("cadres:locality_change", args=[wards[0].pk])).content.decode()
    for name, kinds in [
        ("new_name", "rename merger"),
        ("parts", "split"),
        ("others", "merger"),
        ("new_kind", "reclassify merger"),
    ]:
        tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'data-change-kinds="{kinds}"' in tag
    assert re.search(r'<script src="[^"]*js/change_form\.js" defer>', page)
    kind = re.search(r'<input[^>]*name="kind"[^>]*>', page).group(0)
    assert "data-change-kinds" not in kind


def test_the_units_to_merge_are_listed_in_vietnamese_order(staff_client, town, wards):
    for name in ["Bình Chuẩn", "Ân Phú", "An Thạnh", "Đông Hòa", "Dĩ An"]:
        LocalityFactory(kind=LocalityKind.WARD, name=name, parent=town)
    with translation.override("vi"):
        page = change(staff_client, wards[0], kind="merger", effective_on="x").content.decode()
    # As rendered: the widget keeps the choices it was given when the queryset was set.
    others = page[page.index('name="others"') - 400 : page.index('name="into"')]
    listed = re.findall(r"(Phường [^<\n]+?)\s*</label>", others)
    into = [label.strip() for label in re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)]
    expected = ["An Thạnh", "Ân Phú", "Bình Chuẩn", "Dĩ An", "Đông Hòa", "Khánh Bình", "Uyên Hưng"]
    assert listed == [f"Phường {name}" for name in expected]
    assert into == [f"Phường {name}" for name in [*expected[:6], "Tân Phước Khánh", "Uyên Hưng"]]
