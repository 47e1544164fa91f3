"""Story 5: the office imports a roster spreadsheet through the preview, and exports the assignment list."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from cadres.models import Cadre
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD, AssignmentFactory, CadreFactory, LocalityFactory, ProvincialUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The headers of the import template (cadres/exports.py ROSTER_HEADERS), as a person would keep them.
HEADERS = ["Họ và tên", "Chức vụ", "Đơn vị", "Phòng/Ban", "Điện thoại", "Email", "Đảng viên", "Mã cán bộ"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_staff_import_a_roster_through_the_preview(live_server, desktop, staff_account):
    union = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    ProvincialUnitFactory(name="Ban Tuyên giáo", short_name="", parent=union)
    known = CadreFactory(code="TD-001", full_name="Phạm Minh Khoa", position="Chuyên viên", unit=union)
    upload = roster_xlsx(
        [
            [
                "Nguyễn Thị Mai",
                "Chuyên viên",
                "Tỉnh đoàn Bình Dương",
                "Ban Tuyên giáo",
                "0912345678",
                "",
                "x",
                "TD-101",
            ],
            ["Lê Văn Bình", "Phó Ban", "Tỉnh đoàn Bình Dương", "", "", "binh@example.org", "", "TD-102"],
            ["Phạm Minh Khoa", "Phó Chánh Văn phòng", "Tỉnh đoàn Bình Dương", "", "", "", "", "TD-001"],
        ]
    )

    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    open_page(desktop, live_server, "/cadres/import/")
    desktop.set_input_files("main input[name=file]", {"name": "danh-sach.xlsx", "mimeType": XLSX, "buffer": upload})
    desktop.click("main form button[type=submit].primary")
    desktop.wait_for_url(re.compile(r"/cadres/import/[^/]+/$"))

    # The preview says what will change; nothing is written yet.
    expect(desktop.locator("main .roster-counts [data-status=new]")).to_have_attribute("data-count", "2")
    expect(desktop.locator("main .roster-counts [data-status=changed]")).to_have_attribute("data-count", "1")
    expect(desktop.locator("main .roster-counts [data-status=error]")).to_have_attribute("data-count", "0")
    expect(desktop.locator("main tr[data-status=new]")).to_have_count(2)
    assert Cadre.objects.count() == 1
    screenshot(desktop, "roster-preview-desktop")

    desktop.click("main form.roster-confirm button[type=submit]")
    desktop.wait_for_url(re.compile(r"/cadres/$"))
    expect(desktop.locator("main .messages .success")).to_be_visible()
    mai = Cadre.objects.get(code="TD-101")
    assert (mai.full_name, mai.unit.name, mai.unit.parent, mai.is_party_member, mai.phone) == (
        "Nguyễn Thị Mai",
        "Ban Tuyên giáo",
        union,
        True,
        "0912 345 678",  # written the Vietnamese way on import
    )
    assert Cadre.objects.get(code="TD-102").email == "binh@example.org"
    known.refresh_from_db()
    assert known.position == "Phó Chánh Văn phòng"
    assert Cadre.objects.count() == 3


def test_staff_export_the_assignment_list_and_the_file_opens(live_server, desktop, staff_account, tmp_path):
    today = timezone.localdate()
    district = LocalityFactory(name="Thuận An", kind="city")
    ward = LocalityFactory(name="Lái Thiêu", parent=district)
    assignment = AssignmentFactory(
        cadre__full_name="Nguyễn Thị Mai",
        cadre__code="TD-101",
        locality=ward,
        host_organisation="Thành đoàn Thuận An",
        starts_on=today - datetime.timedelta(days=3),
    )

    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    open_page(desktop, live_server, "/assignments/")
    expect(desktop.locator("main .list-count")).to_have_attribute("data-count", "1")
    with desktop.expect_download() as download_info:
        desktop.click("main a[href^='/assignments/export.xlsx']")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")

    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["STT", "Họ và tên", "Mã cán bộ"]
    assert len(rows) == 2
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert (row["Họ và tên"], row["Mã cán bộ"], row["Cơ quan tiếp nhận"]) == (
        "Nguyễn Thị Mai",
        "TD-101",
        "Thành đoàn Thuận An",
    )
    assert row["Từ ngày"].date() == assignment.starts_on
    assert row["Đến ngày"].date() == assignment.ends_on
