import datetime
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from cadres import roster
from cadres.models import Cadre, RosterUpload
from tests.factories import AssignmentFactory, CadreFactory, ProvincialUnitFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
IMPORT = reverse("cadres:roster_import")
HEADERS = ["Họ và tên", "Chức vụ", "Đơn vị", "Phòng/Ban", "Điện thoại", "Email", "Đảng viên", "Mã cán bộ"]


@pytest.fixture
def youth_union():
    unit = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    ProvincialUnitFactory(name="Ban Tuyên giáo", short_name="Ban TG", parent=unit)
    return unit


def xlsx(rows, headers=HEADERS, name="danh-sach.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def csv_file(text: str, name="danh-sach.csv", bom=False) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


ROWS = [
    [
        "Nguyễn Tùng Lâm",
        "Chuyên viên",
        "Tỉnh đoàn Bình Dương",
        "Ban Tuyên giáo",
        "0912 345 678",
        "lam@example.vn",
        "có",
        "TD-002",
    ],
    ["Lâm Thái Nguyên", "Chuyên viên", "Tỉnh đoàn", "", "", "", "", "TD-003"],
]


def upload(client, file, **extra):
    return client.post(IMPORT, {"file": file}, **extra)


def preview(client, file):
    response = upload(client, file)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return client.get(response.url), response.url


def statuses(response) -> dict[int, str]:
    return {result["row"]: result["status"] for result in response.context["page"].object_list}


def confirm(client, preview_url):
    return client.post(preview_url + "confirm/")


def test_the_pages_send_anonymous_users_to_login(client):
    for page in [IMPORT, reverse("cadres:roster_template")]:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_pages_refuse_cadres(cadre_client, youth_union):
    assert cadre_client.get(IMPORT).status_code == 403
    assert cadre_client.get(reverse("cadres:roster_template")).status_code == 403
    assert upload(cadre_client, xlsx(ROWS)).status_code == 403
    assert Cadre.objects.count() == 1  # the cadre fixture only


def test_the_upload_page_opens_for_staff_and_says_the_row_limit(staff_client):
    response = staff_client.get(IMPORT)
    assert response.status_code == 200 and "10.000" in response.content.decode()


def test_the_preview_marks_new_changed_unchanged_and_error_rows(staff_client, youth_union):
    department = youth_union.departments.get()
    CadreFactory(
        code="TD-002",
        full_name="Nguyễn Tùng Lâm",
        position="Chuyên viên",
        unit=department,
        phone="0912 345 678",
        email="lam@example.vn",
        is_party_member=True,
    )
    CadreFactory(code="TD-003", full_name="Lâm Thái Nguyên", position="Cán bộ", unit=youth_union)
    rows = [
        *ROWS,
        ["Trương Đinh Ngọc Mai", "", "Tỉnh đoàn", "Ban Trường học", "", "", "x", "TD-001"],
        ["Phan Văn Mới", "", "TỈNH ĐOÀN", "ban tg", "", "", "không", "TD-010"],
    ]
    response, _ = preview(staff_client, xlsx(rows))
    assert statuses(response) == {2: "unchanged", 3: "changed", 4: "error", 5: "new"}
    results = {result["row"]: result for result in response.context["page"].object_list}
    assert results[3]["changes"] == ["position"]
    assert any("Ban Trường học" in error for error in results[4]["errors"])
    html = response.content.decode()
    assert 'data-row="4" data-status="error"' in html and "Ban Trường học" in html
    assert 'data-status="new" data-count="1"' in html


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["Tên", "", "Không có đơn vị này", "", "", "", "", "TD-020"], "Không có đơn vị này"),
        (["Tên", "", "Tỉnh đoàn", "", "0912abc", "", "", "TD-020"], "phone"),
        (["Tên", "", "Tỉnh đoàn", "", "", "not-an-email", "", "TD-020"], "email"),
        (["Tên", "", "Tỉnh đoàn", "", "", "", "có lẽ", "TD-020"], "có lẽ"),
        (["Tên", "", "Tỉnh đoàn", "", "", "", "", ""], "code"),
        (["", "", "Tỉnh đoàn", "", "", "", "", "TD-020"], "full_name"),
        (["Tên", "", "", "", "", "", "", "TD-020"], "unit"),
    ],
)
def test_each_bad_row_is_an_error_with_its_reason(youth_union, row, reason):
    check = roster.check_roster(roster.read_roster(xlsx([row])))
    [result] = check.results
    assert result.status == "error" and result.row == 2
    assert result.errors
    if reason in {"phone", "email", "code", "full_name", "unit"}:
        return
    assert any(reason in error for error in result.errors)


def test_a_code_twice_in_the_file_is_an_error_naming_the_first_row(youth_union):
    rows = [ROWS[0], [*ROWS[1][:7], "TD-002"]]
    check = roster.check_roster(roster.read_roster(xlsx(rows)))
    assert [r.status for r in check.results] == ["new", "error"]
    assert "2" in check.results[1].errors[0]


def test_confirm_writes_every_row(staff_client, youth_union):
    response, preview_url = preview(staff_client, xlsx(ROWS))
    response = confirm(staff_client, preview_url)
    assert response.status_code == 302 and response.url == reverse("cadres:cadre_list")
    lam = Cadre.objects.get(code="TD-002")
    assert lam.unit.name == "Ban Tuyên giáo" and lam.is_party_member and lam.phone == "0912 345 678"
    assert Cadre.objects.get(code="TD-003").unit == youth_union


def test_a_file_with_an_error_writes_nothing(staff_client, youth_union):
    rows = [*ROWS, ["Tên", "", "Tỉnh đoàn", "", "", "bad", "", "TD-030"]]
    response, preview_url = preview(staff_client, xlsx(rows))
    assert not response.context["can_confirm"]
    assert "roster_confirm" not in response.content.decode() and "/confirm/" not in response.content.decode()
    response = confirm(staff_client, preview_url)
    assert response.status_code == 302
    assert not Cadre.objects.exists()


def test_confirm_checks_again_and_writes_nothing_if_the_data_changed(staff_client, youth_union):
    _, preview_url = preview(staff_client, xlsx(ROWS))
    youth_union.departments.update(name="Ban Tuyên giáo cũ", short_name="")
    response = confirm(staff_client, preview_url)
    assert not Cadre.objects.exists()
    follow = staff_client.get(response.url)
    assert statuses(follow)[2] == "error"


def test_importing_the_same_file_again_changes_nothing(staff_client, youth_union):
    _, preview_url = preview(staff_client, xlsx(ROWS))
    confirm(staff_client, preview_url)
    before = list(Cadre.objects.order_by("code").values())
    response, preview_url = preview(staff_client, xlsx(ROWS))
    assert set(statuses(response).values()) == {"unchanged"}
    confirm(staff_client, preview_url)
    assert list(Cadre.objects.order_by("code").values()) == before


def test_an_exported_roster_imports_as_unchanged(staff_client, youth_union):
    _, preview_url = preview(staff_client, xlsx(ROWS))
    confirm(staff_client, preview_url)
    exported = b"".join(staff_client.get(reverse("cadres:cadre_export")).streaming_content)
    response, _ = preview(staff_client, SimpleUploadedFile("can-bo.xlsx", exported))
    assert set(statuses(response).values()) == {"unchanged"}


def test_a_confirmed_preview_cannot_be_confirmed_twice(staff_client, youth_union):
    _, preview_url = preview(staff_client, xlsx(ROWS))
    assert RosterUpload.objects.count() == 1
    confirm(staff_client, preview_url)
    assert not RosterUpload.objects.exists()
    assert confirm(staff_client, preview_url).status_code == 404


def test_another_staff_member_cannot_use_the_preview(staff_client, youth_union, client):
    _, preview_url = preview(staff_client, xlsx(ROWS))
    client.force_login(StaffUserFactory())
    assert client.get(preview_url).status_code == 404
    assert confirm(client, preview_url).status_code == 404
    assert not Cadre.objects.exists()


def test_the_uploader_confirms_from_another_session(staff_client, staff_user, youth_union, client):
    # Another server, another tab, or a session renewed between the preview and the confirmation.
    _, preview_url = preview(staff_client, xlsx(ROWS))
    client.force_login(staff_user)
    assert client.get(preview_url).status_code == 200
    assert confirm(client, preview_url).status_code == 302
    assert Cadre.objects.count() == 2


def test_the_preview_is_kept_in_the_database_not_in_the_media_folder(staff_client, youth_union, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response, _ = preview(staff_client, xlsx(ROWS))
    upload = RosterUpload.objects.get()
    assert upload.token in response.request["PATH_INFO"] and upload.filename == "danh-sach.xlsx"
    assert [row["code"] for row in upload.rows] == ["TD-002", "TD-003"]
    assert not list(tmp_path.iterdir())


def test_a_new_upload_replaces_the_uploaders_preview_and_removes_expired_ones(staff_client, staff_user, youth_union):
    check = roster.check_roster([])
    roster.store_upload(uploaded_by=StaffUserFactory(), filename="moi.csv", rows=[], check=check)
    stale = roster.store_upload(uploaded_by=StaffUserFactory(), filename="cu.csv", rows=[], check=check)
    RosterUpload.objects.filter(pk=stale.pk).update(created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    roster.store_upload(uploaded_by=staff_user, filename="truoc.csv", rows=[], check=check)
    preview(staff_client, xlsx(ROWS))
    assert set(RosterUpload.objects.values_list("filename", flat=True)) == {"moi.csv", "danh-sach.xlsx"}


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [True, False])
def test_it_reads_a_csv_file(staff_client, youth_union, delimiter, bom):
    lines = [delimiter.join(HEADERS).upper()] + [delimiter.join(row) for row in ROWS]
    response, preview_url = preview(staff_client, csv_file("\r\n".join(lines), bom=bom))
    assert statuses(response) == {2: "new", 3: "new"}
    confirm(staff_client, preview_url)
    assert Cadre.objects.get(code="TD-002").unit.name == "Ban Tuyên giáo"


def test_headers_match_without_accents_or_case(youth_union):
    headers = ["HO VA TEN", "chuc vu", "Don Vi", "phòng / ban", "Điện Thoại", "EMAIL", "dang vien", "Mã Cán Bộ"]
    [first, _] = roster.read_roster(xlsx(ROWS, headers=headers))
    assert first["department"] == "Ban Tuyên giáo" and first["code"] == "TD-002"


def test_a_file_missing_a_required_column_is_refused(staff_client, youth_union):
    response = upload(staff_client, xlsx([["Tên", "Tỉnh đoàn"]], headers=["Họ và tên", "Đơn vị"]))
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "headers")


def test_a_corrupt_spreadsheet_is_refused(staff_client, youth_union):
    response = upload(staff_client, SimpleUploadedFile("hong.xlsx", b"PK\x03\x04 this is not a workbook"))
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "corrupt")
    assert not Cadre.objects.exists()


def test_another_kind_of_file_is_refused(staff_client):
    response = upload(staff_client, SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff"))
    assert response.context["form"].has_error("file", "file_type")


def test_a_csv_that_is_not_utf8_is_refused(staff_client):
    response = upload(staff_client, SimpleUploadedFile("ds.csv", "Họ và tên".encode("utf-16")))
    assert response.context["form"].has_error("file", "encoding")


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_an_oversized_file_is_refused(staff_client, youth_union):
    big = [[f"Người {n}", "Chuyên viên", "Tỉnh đoàn", "", "", "", "", f"X-{n}"] for n in range(200)]
    response = upload(staff_client, xlsx(big))
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "too_large")
    assert not Cadre.objects.exists()


def roster_rows(count: int) -> list[list]:
    return [[f"Cán bộ {n}", "", "Tỉnh đoàn", "", "", "", "", f"R-{n:05d}"] for n in range(count)]


def test_a_file_of_more_than_ten_thousand_rows_is_refused_quickly(
    staff_client, youth_union, django_assert_max_num_queries
):
    file = xlsx(roster_rows(10_001))
    started = time.perf_counter()
    # Refused before any row is checked: no unit nor cadre is read, only the session and the user (in a savepoint),
    # and the header's unread notices (an empty cache).
    with django_assert_max_num_queries(5):
        response = upload(staff_client, file)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "too_many_rows")
    assert "10.000" in response.context["form"].errors["file"][0]
    assert not RosterUpload.objects.exists() and not Cadre.objects.exists()
    assert elapsed < 10, f"refused in {elapsed:.1f} s"


def test_a_csv_of_more_than_ten_thousand_rows_is_refused(staff_client, youth_union):
    lines = [",".join(HEADERS)] + [",".join(row) for row in roster_rows(10_001)]
    response = upload(staff_client, csv_file("\n".join(lines)))
    assert response.context["form"].has_error("file", "too_many_rows")
    assert not RosterUpload.objects.exists()


def test_the_reading_stops_at_the_first_row_over_the_limit():
    def endless_sheet():
        yield HEADERS
        n = 0
        while True:
            n += 1
            if n > roster.MAX_ROWS + 1:
                raise AssertionError("read past the first row over the limit")
            yield ["Tên", "", "Tỉnh đoàn", "", "", "", "", f"R-{n}"]

    with pytest.raises(roster.RosterFileError) as refused:
        roster._bounded(endless_sheet())
    assert refused.value.code == "too_many_rows"


def test_a_sheet_going_on_far_below_its_table_is_refused(staff_client, youth_union):
    lines = [",".join(HEADERS), ",".join(ROWS[1])] + [""] * roster.MAX_SHEET_ROWS
    response = upload(staff_client, csv_file("\n".join(lines)))
    assert response.context["form"].has_error("file", "too_many_rows")
    assert "50.000" in response.context["form"].errors["file"][0]


def test_the_template_has_the_headers_and_an_example_row(staff_client, youth_union):
    response = staff_client.get(reverse("cadres:roster_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [h.lower() for h in rows[0]] == [h.lower() for h in HEADERS]
    assert rows[1][2] == "Tỉnh đoàn Bình Dương" and len(rows) == 2


def test_the_preview_of_a_large_roster_is_paginated(staff_client, youth_union):
    rows = [[f"Người {n}", "", "Tỉnh đoàn", "", "", "", "", f"X-{n:03d}"] for n in range(120)]
    response, _ = preview(staff_client, xlsx(rows))
    assert len(response.context["page"].object_list) == 50
    assert response.context["counts"]["new"] == 120


def test_ten_thousand_rows_preview_and_import(staff_client, youth_union, capsys):
    rows = [
        [
            f"Cán bộ {n}",
            "Chuyên viên",
            "Tỉnh đoàn",
            "Ban TG" if n % 2 else "",
            f"0912 {n:06d}",
            f"cb{n}@example.vn",
            "có" if n % 3 else "",
            f"R-{n:05d}",
        ]
        for n in range(10_000)
    ]
    CadreFactory(code="R-00001", unit=youth_union)
    file = xlsx(rows)
    started = time.perf_counter()
    response, preview_url = preview(staff_client, file)
    previewed = time.perf_counter()
    confirm(staff_client, preview_url)
    imported = time.perf_counter()
    assert response.context["counts"] == {"new": 9_999, "changed": 1, "unchanged": 0, "error": 0}
    assert Cadre.objects.filter(code__startswith="R-").count() == 10_000
    assert Cadre.objects.get(code="R-00001").full_name == "Cán bộ 1"
    with capsys.disabled():
        print(
            f"\n10,000-row roster: preview {previewed - started:.1f} s, import {imported - previewed:.1f} s,"
            f" {connection.vendor}"
        )


def test_a_cadre_renamed_by_an_import_shows_at_once_on_the_assignment_list(staff_client, youth_union):
    cadre = CadreFactory(code="TD-003", full_name="Lâm Nguyên", position="Chuyên viên", unit=youth_union)
    AssignmentFactory(cadre=cadre)
    assert "Lâm Nguyên<" in staff_client.get(reverse("cadres:assignment_list")).content.decode()
    _, preview_url = preview(staff_client, xlsx(ROWS))
    confirm(staff_client, preview_url)
    page = staff_client.get(reverse("cadres:assignment_list")).content.decode()
    assert "Lâm Thái Nguyên" in page and "Lâm Nguyên<" not in page


@pytest.mark.parametrize(
    ("row", "message", "value"),
    [
        (
            ["Tên", "", "Tỉnh đoàn", "", "", "abc@", "", "TD-020"],
            "“%(value)s” is not an e-mail address (e.g. ten@example.vn).",
            "abc@",
        ),
        (
            ["Tên", "", "Tỉnh đoàn", "", "0912abc", "", "", "TD-020"],
            "“%(value)s” is not a Vietnamese phone number: write it like 0912 345 678 (+84 is accepted).",
            "0912abc",
        ),
        (
            ["Tên", "", "Tỉnh đoàn", "", "", "", "có lẽ", "TD-020"],
            "Party member (đảng viên) must be có or không, not “%(value)s”.",
            "có lẽ",
        ),
        (
            ["Tên", "", "Đoàn lạ", "", "", "", "", "TD-020"],
            "There is no unit called “%(unit)s”: write a unit's full or short name.",
            "Đoàn lạ",
        ),
    ],
)
def test_a_mistyped_value_is_quoted_and_the_expected_form_said(youth_union, row, message, value):
    with translation.override("vi"):
        check = roster.check_roster(roster.read_roster(xlsx([row])))
        expected = translation.gettext(message) % {"value": value, "unit": value}
    [result] = check.results
    assert any(error.endswith(expected) for error in result.errors), result.errors
