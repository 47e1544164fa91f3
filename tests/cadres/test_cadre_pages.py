import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadres.models import Cadre
from tests.factories import AssignmentFactory, CadreFactory, DecisionFactory, LocalityFactory, ProvincialUnitFactory

D = datetime.date
pytestmark = pytest.mark.django_db
LIST = reverse("cadres:cadre_list")


def shown_count(response) -> int:
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


def listed(response) -> set[str]:
    return {cadre.code for cadre in response.context["page"].object_list}


def page_urls(cadre):
    return [
        LIST,
        reverse("cadres:cadre_create"),
        reverse("cadres:cadre_detail", args=[cadre.pk]),
        reverse("cadres:cadre_edit", args=[cadre.pk]),
    ]


def test_the_pages_send_anonymous_users_to_login(client):
    for page in page_urls(CadreFactory()):
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), page


def test_the_pages_refuse_cadres(cadre_client, cadre):
    for page in page_urls(cadre):
        assert cadre_client.get(page).status_code == 403, page
    assert cadre_client.post(reverse("cadres:cadre_create"), {"code": "X"}).status_code == 403


def test_the_pages_open_for_staff(staff_client):
    cadre = CadreFactory()
    for page in page_urls(cadre):
        assert staff_client.get(page).status_code == 200, page


def test_the_list_shows_every_cadre_and_the_count(staff_client):
    CadreFactory.create_batch(3)
    response = staff_client.get(LIST)
    assert shown_count(response) == 3 == len(response.context["page"].object_list)


def test_the_list_filters_by_unit_with_its_departments(staff_client):
    unit = ProvincialUnitFactory()
    CadreFactory(code="A", unit=unit)
    CadreFactory(code="B", unit=ProvincialUnitFactory(parent=unit))
    CadreFactory(code="C")
    response = staff_client.get(LIST, {"unit": unit.pk})
    assert listed(response) == {"A", "B"} and shown_count(response) == 2


def test_the_list_filters_by_party_membership_and_activity(staff_client):
    CadreFactory(code="A", is_party_member=True)
    CadreFactory(code="B", is_party_member=False, is_active=False)
    assert listed(staff_client.get(LIST, {"is_party_member": "true"})) == {"A"}
    assert listed(staff_client.get(LIST, {"is_party_member": "false"})) == {"B"}
    assert listed(staff_client.get(LIST, {"is_active": "false"})) == {"B"}
    assert shown_count(staff_client.get(LIST, {"is_active": "true"})) == 1


def test_the_list_searches_name_code_and_phone(staff_client):
    CadreFactory(code="TD-001", full_name="Trương Đinh Ngọc Mai", phone="0912 345 678")
    CadreFactory(code="TD-002", full_name="Nguyễn Tùng Lâm")
    assert listed(staff_client.get(LIST, {"q": "ngọc mai"})) == {"TD-001"}
    assert listed(staff_client.get(LIST, {"q": "TD-002"})) == {"TD-002"}
    assert listed(staff_client.get(LIST, {"q": "345 678"})) == {"TD-001"}


@pytest.mark.parametrize("typed", ["0912345678", "+84 912.345.678", "0912-345-678"])
def test_a_whole_phone_number_is_found_however_it_is_typed(staff_client, typed):
    CadreFactory(code="TD-001", phone="0912 345 678")
    CadreFactory(code="TD-002", phone="0912 345 679")
    assert listed(staff_client.get(LIST, {"q": typed})) == {"TD-001"}


def test_a_bad_filter_value_is_an_error_not_a_crash(staff_client):
    CadreFactory()
    response = staff_client.get(LIST, {"unit": "x", "is_active": "maybe"})
    assert response.status_code == 200
    assert {"unit", "is_active"} <= set(response.context["filter"].form.errors)
    assert shown_count(response) == 0


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_needs_the_same_queries_whatever_the_rows(staff_client, django_assert_max_num_queries, rows):
    department = ProvincialUnitFactory(parent=ProvincialUnitFactory())
    CadreFactory.create_batch(rows, unit=department)
    with django_assert_max_num_queries(10):
        response = staff_client.get(LIST)
    assert shown_count(response) == rows


def test_the_detail_shows_the_assignment_history(staff_client):
    cadre = CadreFactory()
    decision = DecisionFactory()
    AssignmentFactory(
        cadre=cadre, campaign=decision.campaign, decision=decision, locality=LocalityFactory(name="Bình Chuẩn")
    )
    AssignmentFactory(cadre=cadre, locality=LocalityFactory(name="Thuận Giao"), starts_on=D(2021, 10, 1))
    html = staff_client.get(reverse("cadres:cadre_detail", args=[cadre.pk])).content.decode()
    assert "Bình Chuẩn" in html and "Thuận Giao" in html
    assert "17/08/2021" in html and "15/09/2021" in html
    assert decision.reference in html


def form_data(unit, **changes):
    data = {
        "code": "TD-100",
        "full_name": "Lê Thị  Hồng",
        "position": "Chuyên viên",
        "unit": unit.pk,
        "phone": "+84 912 345 678",
        "email": "hong@example.vn",
        "is_party_member": "on",
        "is_active": "on",
    }
    return {**data, **changes}


def test_create_saves_the_cadre_and_redirects(staff_client):
    unit = ProvincialUnitFactory()
    response = staff_client.post(reverse("cadres:cadre_create"), form_data(unit))
    cadre = Cadre.objects.get(code="TD-100")
    assert response.status_code == 302 and response.url == reverse("cadres:cadre_detail", args=[cadre.pk])
    assert cadre.full_name == "Lê Thị Hồng" and cadre.is_party_member and cadre.unit == unit


def test_create_refuses_a_duplicate_code_with_a_clear_message(staff_client):
    CadreFactory(code="TD-100")
    staff_client.cookies["django_language"] = "en"  # the language switch's choice
    response = staff_client.post(reverse("cadres:cadre_create"), form_data(ProvincialUnitFactory()))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Another cadre already has this code."]
    assert Cadre.objects.count() == 1


@pytest.mark.parametrize("phone", ["09123abc45", "+1 202 555 0100", "12", "0912 345 67", "912 345 678"])
def test_it_refuses_a_bad_phone_number(staff_client, phone):
    response = staff_client.post(reverse("cadres:cadre_create"), form_data(ProvincialUnitFactory(), phone=phone))
    assert response.context["form"].has_error("phone", "invalid_phone")
    assert not Cadre.objects.exists()


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("0912345678", "0912 345 678"),
        ("0912 345 678", "0912 345 678"),
        ("+84 912 345 678", "0912 345 678"),
        ("0912.345.678", "0912 345 678"),
        ("0912-345-678", "0912 345 678"),
        ("02743822123", "0274 3822 123"),
        ("", ""),
    ],
)
def test_it_accepts_a_good_phone_number_and_writes_it_the_vietnamese_way(staff_client, phone, stored):
    response = staff_client.post(reverse("cadres:cadre_create"), form_data(ProvincialUnitFactory(), phone=phone))
    assert response.status_code == 302
    assert Cadre.objects.get().phone == stored


def test_it_refuses_a_bad_email(staff_client):
    response = staff_client.post(reverse("cadres:cadre_create"), form_data(ProvincialUnitFactory(), email="hong@"))
    assert response.context["form"].has_error("email", "invalid")
    assert not Cadre.objects.exists()


def test_the_model_tidies_and_checks_what_was_typed_without_a_form():
    unit = ProvincialUnitFactory()
    cadre = Cadre(
        code=" TD-9 ", full_name=" Lê  Thị   Hồng ", phone="+84 912.345.678", email=" Hong@Example.VN ", unit=unit
    )
    cadre.full_clean()
    assert (cadre.code, cadre.full_name, cadre.phone, cadre.email) == (
        "TD-9",
        "Lê Thị Hồng",
        "0912 345 678",
        "hong@example.vn",
    )
    with pytest.raises(ValidationError) as refused:
        Cadre(code=" ", full_name="Hồng", phone="12", email="HONG@", unit=unit).full_clean()
    codes = {name: [error.code for error in errors] for name, errors in refused.value.error_dict.items()}
    # In the order of the fields, as the roster import lists them; the address quoted as typed.
    assert list(codes.items()) == [("code", ["blank"]), ("phone", ["invalid_phone"]), ("email", ["invalid"])]
    assert refused.value.error_dict["email"][0].params == {"value": "HONG@"}


def test_edit_saves_the_changes(staff_client):
    cadre = CadreFactory(code="TD-100")
    response = staff_client.post(
        reverse("cadres:cadre_edit", args=[cadre.pk]), form_data(cadre.unit, position="Phó Trưởng ban")
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.position == "Phó Trưởng ban"


def test_edit_refuses_another_cadres_code(staff_client):
    CadreFactory(code="TD-200")
    cadre = CadreFactory(code="TD-100")
    response = staff_client.post(reverse("cadres:cadre_edit", args=[cadre.pk]), form_data(cadre.unit, code="TD-200"))
    assert response.context["form"].has_error("code", "unique")
    cadre.refresh_from_db()
    assert cadre.code == "TD-100"
