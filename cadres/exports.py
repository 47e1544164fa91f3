"""Excel files of the assignment and cadre lists, with Vietnamese headers and real dates.

Workbooks are written in openpyxl's write-only mode from a streamed queryset, so
a list of 200,000 assignments never sits in memory as cell objects.
"""

import datetime
import tempfile
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cadres.models import Assignment, AssignmentStatus, Cadre, Decision, ProvincialUnit
from localities.models import Level, Locality
from shared.spreadsheets import text_row

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"

ASSIGNMENT_COLUMNS = [
    ("STT", 6),
    ("Họ và tên", 28),
    ("Mã cán bộ", 14),
    ("Đơn vị", 32),
    ("Địa bàn", 26),
    ("Huyện/Thị xã/Thành phố", 26),
    ("Cơ quan tiếp nhận", 28),
    ("Từ ngày", 12),
    ("Đến ngày", 12),
    ("Trạng thái", 14),
    ("Quyết định", 18),
]

# The import template's headers first, so that an exported roster can be imported again.
ROSTER_HEADERS = ["Họ và tên", "Chức vụ", "Đơn vị", "Phòng/Ban", "Điện thoại", "Email", "Đảng viên", "Mã cán bộ"]
ROSTER_WIDTHS = [28, 22, 32, 28, 16, 28, 10, 14]
CADRE_COLUMNS = [*zip(ROSTER_HEADERS, ROSTER_WIDTHS, strict=True), ("Ngày tạo", 12), ("Ngày cập nhật", 14)]


def new_sheet(title: str, columns: Sequence[tuple[str, int]]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title_text, _width in columns:
        cell = WriteOnlyCell(sheet, value=title_text)
        cell.font = bold
        header.append(cell)
    sheet.append(text_row(sheet, header))
    return workbook, sheet


def date_cell(sheet, value: datetime.date | None):
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _respond(workbook: Workbook, filename: str) -> FileResponse:
    # A temporary file rather than memory: the response streams it and it disappears when closed.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def unit_and_department(unit: ProvincialUnit) -> tuple[str, str]:
    """The roster's 'đơn vị' and 'phòng/ban' columns for a cadre's unit."""
    if unit.parent_id:
        return unit.parent.name, unit.name
    return unit.name, ""


def _unit_label(unit: ProvincialUnit) -> str:
    top, department = unit_and_department(unit)
    return f"{department}, {top}" if department else top


def _district_name(locality: Locality) -> str:
    if locality.level == Level.DISTRICT:
        return locality.display_name
    if locality.level == Level.COMMUNE and locality.parent_id:
        return locality.parent.display_name
    return ""


def write_assignments(assignments: QuerySet[Assignment], filename: str) -> FileResponse:
    """`assignments` must be annotated by with_status(): the status column is the one the list shows.

    Rows are read as plain tuples; the few units, localities and decisions they
    point to are named once each, which keeps 200,000 rows to seconds, not minutes.
    """
    workbook, sheet = new_sheet("Phân công", ASSIGNMENT_COLUMNS)
    ids = assignments.order_by()
    units = {
        unit.pk: _unit_label(unit)
        for unit in ProvincialUnit.objects.filter(pk__in=ids.values("cadre__unit_id")).select_related("parent")
    }
    localities = {
        locality.pk: (locality.display_name, _district_name(locality))
        for locality in Locality.objects.filter(pk__in=ids.values("locality_id")).select_related("parent")
    }
    decisions = {
        decision.pk: decision.reference
        for decision in Decision.objects.filter(pk__in=ids.values("decision_id")).select_related("issuing_unit")
    }
    with translation.override("vi"):
        labels = {status.value: str(status.label) for status in AssignmentStatus}
    rows = assignments.values_list(
        "cadre__full_name",
        "cadre__code",
        "cadre__unit_id",
        "locality_id",
        "host_organisation",
        "starts_on",
        "ends_on",
        "status_on",
        "decision_id",
    ).iterator(chunk_size=2000)
    for number, (name, code, unit_id, locality_id, host, starts_on, ends_on, status, decision_id) in enumerate(
        rows, start=1
    ):
        locality, district = localities[locality_id]
        sheet.append(
            text_row(
                sheet,
                [
                    number,
                    name,
                    code,
                    units[unit_id],
                    locality,
                    district,
                    host,
                    date_cell(sheet, starts_on),
                    date_cell(sheet, ends_on),
                    labels[status],
                    decisions.get(decision_id, ""),
                ],
            )
        )
    return _respond(workbook, filename)


def party_member_text(is_party_member: bool) -> str:
    return "có" if is_party_member else "không"


def write_cadres(cadres: QuerySet[Cadre], filename: str) -> FileResponse:
    workbook, sheet = new_sheet("Cán bộ", CADRE_COLUMNS)
    units = {
        unit.pk: unit_and_department(unit)
        for unit in ProvincialUnit.objects.filter(pk__in=cadres.order_by().values("unit_id")).select_related("parent")
    }
    rows = cadres.values_list(
        "full_name", "position", "unit_id", "phone", "email", "is_party_member", "code", "created_at", "updated_at"
    ).iterator(chunk_size=2000)
    for full_name, position, unit_id, phone, email, is_party_member, code, created_at, updated_at in rows:
        top, department = units[unit_id]
        sheet.append(
            text_row(
                sheet,
                [
                    full_name,
                    position,
                    top,
                    department,
                    phone,
                    email,
                    party_member_text(is_party_member),
                    code,
                    date_cell(sheet, timezone_date(created_at)),
                    date_cell(sheet, timezone_date(updated_at)),
                ],
            )
        )
    return _respond(workbook, filename)


def write_roster_template(example: Iterable) -> FileResponse:
    workbook, sheet = new_sheet("Danh sách cán bộ", list(zip(ROSTER_HEADERS, ROSTER_WIDTHS, strict=True)))
    sheet.append(text_row(sheet, example))
    return _respond(workbook, "mau-danh-sach-can-bo.xlsx")


def timezone_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None
