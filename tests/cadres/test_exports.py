import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadres.services import assignment_recall
from localities.models import LocalityKind
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    DecisionFactory,
    LocalityFactory,
    ProvincialUnitFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
ASSIGNMENTS = reverse("cadres:assignment_export")
CADRES = reverse("cadres:cadre_export")
ASSIGNMENT_HEADERS = [
    "STT",
    "Họ và tên",
    "Mã cán bộ",
    "Đơn vị",
    "Địa bàn",
    "Huyện/Thị xã/Thành phố",
    "Cơ quan tiếp nhận",
    "Từ ngày",
    "Đến ngày",
    "Trạng thái",
    "Quyết định",
]


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.mark.parametrize("export", [ASSIGNMENTS, CADRES])
def test_exports_send_anonymous_users_to_login(client, export):
    response = client.get(export)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("export", [ASSIGNMENTS, CADRES])
def test_exports_refuse_cadres(cadre_client, export):
    assert cadre_client.get(export).status_code == 403


def test_the_assignment_export_has_vietnamese_headers_and_real_dates(staff_client):
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên")
    unit = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương")
    decision = DecisionFactory(number=12)
    AssignmentFactory(
        cadre=CadreFactory(
            full_name="Nguyễn Tùng Lâm", code="TD-002", unit=ProvincialUnitFactory(name="Ban Tuyên giáo", parent=unit)
        ),
        campaign=decision.campaign,
        decision=decision,
        locality=LocalityFactory(name="Tân Phước Khánh", parent=district),
        host_organisation="Thị đoàn Tân Uyên",
        starts_on=D(2021, 8, 17),
    )
    sheet = sheet_of(staff_client.get(ASSIGNMENTS))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ASSIGNMENT_HEADERS
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 20
    number, name, code, unit_name, locality, district_name, host, start, end, status, reference = rows[1]
    assert (number, name, code) == (1, "Nguyễn Tùng Lâm", "TD-002")
    assert unit_name == "Ban Tuyên giáo, Tỉnh đoàn Bình Dương"
    assert "Tân Phước Khánh" in locality and "Tân Uyên" in district_name and host == "Thị đoàn Tân Uyên"
    assert isinstance(start, datetime.datetime) and start.date() == D(2021, 8, 17)
    assert end.date() == D(2021, 9, 15)
    assert sheet["H2"].number_format == "dd/mm/yyyy" and sheet["H2"].is_date
    assert status and reference == decision.reference
    assert len(rows) == 2


def test_the_assignment_export_applies_the_filter_in_force(staff_client):
    district = LocalityFactory(kind=LocalityKind.CITY)
    AssignmentFactory(cadre=CadreFactory(code="IN-1"), locality=LocalityFactory(parent=district))
    recalled = AssignmentFactory(cadre=CadreFactory(code="IN-2"), locality=district)
    assignment_recall(assignment=recalled, on=D(2021, 8, 20))
    AssignmentFactory(cadre=CadreFactory(code="OUT"))
    sheet = sheet_of(staff_client.get(ASSIGNMENTS, {"locality": district.pk}))
    assert sorted(row[2] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["IN-1", "IN-2"]
    sheet = sheet_of(staff_client.get(ASSIGNMENTS, {"locality": district.pk, "status": "recalled"}))
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["IN-2"]


def test_the_list_links_to_the_export_with_its_filter(staff_client):
    district = LocalityFactory(kind=LocalityKind.CITY)
    html = staff_client.get(reverse("cadres:assignment_list"), {"locality": district.pk}).content.decode()
    assert f"{ASSIGNMENTS}?locality={district.pk}" in html


def test_the_cadre_export_has_the_roster_headers_and_applies_the_filter(staff_client):
    unit = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương")
    CadreFactory(
        code="TD-002",
        full_name="Nguyễn Tùng Lâm",
        position="Chuyên viên",
        unit=ProvincialUnitFactory(name="Ban Tuyên giáo", parent=unit),
        phone="0912 345 678",
        email="lam@example.vn",
        is_party_member=True,
    )
    CadreFactory(code="OTHER")
    sheet = sheet_of(staff_client.get(CADRES, {"unit": unit.pk}))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:8]) == [
        "Họ và tên",
        "Chức vụ",
        "Đơn vị",
        "Phòng/Ban",
        "Điện thoại",
        "Email",
        "Đảng viên",
        "Mã cán bộ",
    ]
    assert list(rows[1][:8]) == [
        "Nguyễn Tùng Lâm",
        "Chuyên viên",
        "Tỉnh đoàn Bình Dương",
        "Ban Tuyên giáo",
        "0912 345 678",
        "lam@example.vn",
        "có",
        "TD-002",
    ]
    assert isinstance(rows[1][8], datetime.datetime) and sheet["I2"].number_format == "dd/mm/yyyy"
    assert len(rows) == 2


def test_an_export_with_a_bad_filter_is_empty_not_a_crash(staff_client):
    AssignmentFactory()
    sheet = sheet_of(staff_client.get(ASSIGNMENTS, {"active_on": "hôm qua"}))
    assert sheet.max_row == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_exports_need_the_same_queries_whatever_the_rows(staff_client, django_assert_max_num_queries, rows):
    department = ProvincialUnitFactory(parent=ProvincialUnitFactory())
    decision = DecisionFactory()
    district = LocalityFactory(kind=LocalityKind.CITY)
    for _ in range(rows):
        AssignmentFactory(
            cadre=CadreFactory(unit=department),
            campaign=decision.campaign,
            decision=decision,
            locality=LocalityFactory(parent=district),
        )
    with django_assert_max_num_queries(10):
        assert sheet_of(staff_client.get(ASSIGNMENTS)).max_row == rows + 1
    with django_assert_max_num_queries(10):
        assert sheet_of(staff_client.get(CADRES)).max_row == rows + 1
