"""The staff lists as spreadsheets: recommendations (for the year-end ranking of local organisations),
daily notes, escalations and end-of-mission reports."""

import datetime
import tempfile

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.roles import cadre_of
from cadres.exports import date_cell, new_sheet, unit_and_department
from cadres.models import ProvincialUnit
from localities.models import ChangeKind, Locality, LocalityChange, title_on
from reports.models import (
    Activity,
    DailyNote,
    Escalation,
    EscalationCategory,
    EscalationStatus,
    Health,
    LocalAssessment,
    LocalOutcome,
    MissionReport,
    Rating,
    ReportStatus,
    Urgency,
    written_late,
)
from shared.spreadsheets import text_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _locality_label(locality) -> str:
    if locality.parent_id:
        return f"{locality.display_name}, {locality.parent.display_name}"
    return locality.display_name


def recommendations_workbook(recommendations: QuerySet) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Recommendations")[:31]
    headers = [
        (_("No."), 6),
        (_("Campaign"), 30),
        (_("Cadre"), 24),
        (_("Unit"), 22),
        (_("Locality"), 30),
        (_("Report submitted on"), 14),
        (_("Recommendation"), 60),
        (_("Addressed to"), 18),
        (_("Status"), 14),
        (_("Owner"), 20),
        (_("The province's response"), 50),
        (_("Updated on"), 14),
    ]
    sheet.append(text_row(sheet, [title for title, _width in headers]))
    for column, (_title, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.cell(row=1, column=column).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for number, recommendation in enumerate(recommendations, start=1):
        report = recommendation.report
        assignment = report.assignment
        owner = recommendation.owner
        sheet.append(
            text_row(
                sheet,
                [
                    number,
                    assignment.campaign.name,
                    assignment.cadre.full_name,
                    str(assignment.cadre.unit),
                    _locality_label(assignment.locality),
                    timezone.localdate(report.submitted_at) if report.submitted_at else None,
                    recommendation.text,
                    recommendation.get_addressed_to_display(),
                    recommendation.get_status_display(),
                    (owner.get_full_name() or owner.username) if owner else "",
                    recommendation.response,
                    timezone.localdate(recommendation.updated_at),
                ],
            )
        )
        row = sheet.max_row
        for column in (6, 12):
            sheet.cell(row=row, column=column).number_format = "DD/MM/YYYY"
        for column in (7, 11):
            sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    return workbook


def recommendations_workbook_response(recommendations: QuerySet) -> HttpResponse:
    response = HttpResponse(content_type=XLSX_TYPE)
    filename = f"de-xuat-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    recommendations_workbook(recommendations).save(response)
    return response


# The daily notes, escalations and end-of-mission reports as an office files them: Vietnamese headers and labels
# whatever the reader's language, real dates, one row a record. Written as cadres/exports.py writes the assignments
# (openpyxl's write-only mode, the rows read as tuples from a streamed queryset, each unit and place named once),
# so that the query count is the same for ten rows and for a million, and memory stays small.

MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
CHUNK = 2000

NOTE_COLUMNS = [
    ("STT", 6),
    ("Ngày", 12),
    ("Họ và tên", 26),
    ("Mã cán bộ", 14),
    ("Đơn vị", 30),
    ("Địa bàn", 32),
    ("Đợt công tác", 24),
    ("Công việc đã làm", 40),
    ("Công việc khác", 40),
    ("Tình hình ghi nhận", 50),
    ("Khó khăn", 40),
    ("Nhu cầu, đề xuất", 40),
    ("Sức khỏe", 14),
    ("Ảnh", 8),
    ("Gửi lúc", 17),
    ("Nộp muộn", 10),
]

ESCALATION_COLUMNS = [
    ("STT", 6),
    ("Thời điểm phản ánh", 17),
    ("Họ và tên", 26),
    ("Mã cán bộ", 14),
    ("Đơn vị", 30),
    ("Địa bàn", 32),
    ("Đợt công tác", 24),
    ("Tiêu đề", 36),
    ("Nội dung", 50),
    ("Lĩnh vực", 22),
    ("Mức độ", 10),
    ("Trạng thái", 14),
    ("Địa phương xử lý", 20),
    ("Ý kiến của địa phương", 40),
    ("Địa phương xử lý lúc", 17),
    ("Người xử lý", 22),
    ("Trả lời của tỉnh", 50),
    ("Tỉnh trả lời lúc", 17),
    ("Hoàn thành lúc", 17),
]

REPORT_COLUMNS = [
    ("STT", 6),
    ("Họ và tên", 26),
    ("Mã cán bộ", 14),
    ("Đơn vị", 30),
    ("Địa bàn", 32),
    ("Đợt công tác", 24),
    ("Từ ngày", 12),
    ("Đến ngày", 12),
    ("Ngày nộp", 12),
    ("Trạng thái", 16),
    ("Xếp loại của Ban tổ chức", 28),
    ("Nhận xét của Ban tổ chức", 40),
    ("Người duyệt", 22),
    ("Ngày duyệt", 12),
    ("Xếp loại của địa phương", 28),
    ("Nhận xét của địa phương", 40),
    ("Số kiến nghị", 10),
]


def _moment(sheet, value: datetime.datetime | None):
    """A time of the province's clock, as Excel holds it: without a time zone."""
    cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None) if value else None)
    cell.number_format = MOMENT_FORMAT
    return cell


def _local_day(sheet, value: datetime.datetime | None):
    return date_cell(sheet, timezone.localdate(value) if value else None)


def _respond(workbook: Workbook, stem: str) -> FileResponse:
    # A temporary file rather than memory: the response streams it and it disappears when closed.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _person(first_name: str | None, last_name: str | None, username: str | None) -> str:
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""


def _unit_names(rows: QuerySet, path: str) -> dict[int, str]:
    """The cadres' units of `rows` (`path`: to the unit's id), as the rosters name them: "Phòng, Sở" (one query)."""
    units = {}
    for unit in ProvincialUnit.objects.filter(pk__in=rows.values(path)).select_related("parent"):
        top, department = unit_and_department(unit)
        units[unit.pk] = f"{department}, {top}" if department else top
    return units


class _Places:
    """The places of `rows` (`path`: to the locality's id) with their district or province, each named as
    it was on a given day (localities.models.named_on's rule: the earliest later rename or change of kind
    gives the name and kind then borne). Two queries whatever the number of rows."""

    def __init__(self, rows: QuerySet, path: str):
        ids = rows.values(path)
        self.localities = {
            locality.pk: locality for locality in Locality.objects.filter(pk__in=ids).select_related("parent")
        }
        parents = Locality.objects.filter(pk__in=ids).values("parent_id")
        self.changes: dict[int, list[LocalityChange]] = {}
        later = (
            LocalityChange.objects.filter(Q(locality__in=ids) | Q(locality__in=parents))
            .filter(kind__in=[ChangeKind.RENAME, ChangeKind.RECLASSIFY])
            .order_by("effective_on")
            .only("locality_id", "name_before", "kind_before", "effective_on")
        )
        for change in later:
            self.changes.setdefault(change.locality_id, []).append(change)

    def _title(self, unit: Locality, day: datetime.date | None) -> str:
        return title_on(unit, self.changes.get(unit.pk, []), day)

    def name(self, locality_id: int, day: datetime.date | None) -> str:
        locality = self.localities[locality_id]
        name = self._title(locality, day)
        return f"{name}, {self._title(locality.parent, day)}" if locality.parent_id else name


def _labels(choices) -> dict[str, str]:
    return {choice.value: str(choice.label) for choice in choices}


def notes_workbook_response(notes: QuerySet[DailyNote]) -> FileResponse:
    """`notes`: the staff list's, filtered; one row a note, its place named as on the note's day."""
    with translation.override("vi"):
        workbook, sheet = new_sheet("Nhật ký", NOTE_COLUMNS)
        units = _unit_names(notes.order_by(), "assignment__cadre__unit_id")
        places = _Places(notes.order_by(), "assignment__locality_id")
        activities, health = _labels(Activity), _labels(Health)
        rows = notes.values_list(
            "day",
            "assignment__cadre__full_name",
            "assignment__cadre__code",
            "assignment__cadre__unit_id",
            "assignment__locality_id",
            "assignment__campaign__name",
            "activities",
            "other_activities",
            "situation",
            "difficulties",
            "needs",
            "health",
            "photo",
            "written_at",
            "created_at",
        ).iterator(chunk_size=CHUNK)
        for number, row in enumerate(rows, start=1):
            day, name, code, unit_id, locality_id, campaign, done, other, situation, difficulties, needs = row[:11]
            health_code, photo, written_at, created_at = row[11:]
            sheet.append(
                text_row(
                    sheet,
                    [
                        number,
                        date_cell(sheet, day),
                        name,
                        code,
                        units[unit_id],
                        places.name(locality_id, day),
                        campaign,
                        "; ".join(activities.get(activity, activity) for activity in done or []),
                        other,
                        situation,
                        difficulties,
                        needs,
                        health.get(health_code, health_code),
                        "có" if photo else "không",
                        _moment(sheet, created_at),
                        "có" if written_late(day, written_at or created_at) else "không",
                    ],
                )
            )
    return _respond(workbook, "nhat-ky")


def _resolved_at() -> Subquery:
    """When a resolved escalation was last resolved, from its history: the first record saying resolved after
    the last one saying otherwise (it may have been reopened). None while it is open."""
    records = Escalation.history.model.objects
    last_unresolved = (
        records.filter(id=OuterRef(OuterRef("pk")))
        .exclude(status=EscalationStatus.RESOLVED)
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    since = Coalesce(Subquery(last_unresolved), Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)))
    resolved = (
        records.filter(id=OuterRef("pk"), status=EscalationStatus.RESOLVED, history_date__gt=since)
        .order_by("history_date")
        .values("history_date")[:1]
    )
    return Subquery(resolved)


def escalations_workbook_response(escalations: QuerySet[Escalation]) -> FileResponse:
    """`escalations`: the staff list's, filtered; places named as on the day each was raised."""
    with translation.override("vi"):
        workbook, sheet = new_sheet("Phản ánh, kiến nghị", ESCALATION_COLUMNS)
        units = _unit_names(escalations.order_by(), "assignment__cadre__unit_id")
        places = _Places(escalations.order_by(), "assignment__locality_id")
        categories, urgencies = _labels(EscalationCategory), _labels(Urgency)
        statuses, outcomes = _labels(EscalationStatus), _labels(LocalOutcome)
        rows = (
            escalations.annotate(resolved_at=_resolved_at())
            .values_list(
                "created_at",
                "assignment__cadre__full_name",
                "assignment__cadre__code",
                "assignment__cadre__unit_id",
                "assignment__locality_id",
                "assignment__campaign__name",
                "subject",
                "description",
                "category",
                "urgency",
                "status",
                "local_outcome",
                "local_comment",
                "local_at",
                "assigned_to__first_name",
                "assigned_to__last_name",
                "assigned_to__username",
                "answer",
                "answered_at",
                "resolved_at",
            )
            .iterator(chunk_size=CHUNK)
        )
        for number, row in enumerate(rows, start=1):
            raised_at, name, code, unit_id, locality_id, campaign, subject, description, category = row[:9]
            urgency, status, outcome, local_comment, local_at, first, last, username = row[9:17]
            answer, answered_at, resolved_at = row[17:]
            sheet.append(
                text_row(
                    sheet,
                    [
                        number,
                        _moment(sheet, raised_at),
                        name,
                        code,
                        units[unit_id],
                        places.name(locality_id, timezone.localdate(raised_at)),
                        campaign,
                        subject,
                        description,
                        categories.get(category, category),
                        urgencies.get(urgency, urgency),
                        statuses.get(status, status),
                        outcomes.get(outcome, outcome),
                        local_comment,
                        _moment(sheet, local_at),
                        _person(first, last, username),
                        answer,
                        _moment(sheet, answered_at),
                        _moment(sheet, resolved_at if status == EscalationStatus.RESOLVED else None),
                    ],
                )
            )
    return _respond(workbook, "phan-anh")


def reports_workbook_response(reports: QuerySet[MissionReport], user) -> FileResponse:
    """`reports`: the staff list's, filtered and annotated with `recommendation_count`; places named as on the
    mission's first day (as its decision names them). The host locality's assessment is shown as the report's
    page shows it: to all who read the report but its own cadre."""
    own = cadre_of(user)
    assessments = LocalAssessment.objects.filter(assignment=OuterRef("assignment")).order_by()
    with translation.override("vi"):
        workbook, sheet = new_sheet("Báo cáo kết thúc", REPORT_COLUMNS)
        units = _unit_names(reports.order_by(), "assignment__cadre__unit_id")
        places = _Places(reports.order_by(), "assignment__locality_id")
        statuses, ratings = _labels(ReportStatus), _labels(Rating)
        rows = (
            reports.annotate(
                local_rating=Subquery(assessments.values("rating")[:1]),
                local_text=Subquery(assessments.values("text")[:1]),
            )
            .values_list(
                "assignment__cadre_id",
                "assignment__cadre__full_name",
                "assignment__cadre__code",
                "assignment__cadre__unit_id",
                "assignment__locality_id",
                "assignment__campaign__name",
                "assignment__starts_on",
                "assignment__ends_on",
                "submitted_at",
                "status",
                "rating",
                "review_comment",
                "reviewed_by__first_name",
                "reviewed_by__last_name",
                "reviewed_by__username",
                "reviewed_at",
                "local_rating",
                "local_text",
                "recommendation_count",
            )
            .iterator(chunk_size=CHUNK)
        )
        for number, row in enumerate(rows, start=1):
            cadre_id, name, code, unit_id, locality_id, campaign, starts_on, ends_on, submitted_at = row[:9]
            status, rating, comment, first, last, username, reviewed_at, local_rating, local_text = row[9:18]
            recommendation_count = row[18]
            if own is not None and cadre_id == own.pk:
                local_rating, local_text = None, None
            sheet.append(
                text_row(
                    sheet,
                    [
                        number,
                        name,
                        code,
                        units[unit_id],
                        places.name(locality_id, starts_on),
                        campaign,
                        date_cell(sheet, starts_on),
                        date_cell(sheet, ends_on),
                        _local_day(sheet, submitted_at),
                        statuses.get(status, status),
                        ratings.get(rating, rating),
                        comment,
                        _person(first, last, username),
                        _local_day(sheet, reviewed_at),
                        ratings.get(local_rating, local_rating or ""),
                        local_text or "",
                        recommendation_count,
                    ],
                )
            )
    return _respond(workbook, "bao-cao-ket-thuc")


# The year-end summary (reports/summary.py): the page's two tables, a sheet each, with the totals.
SUMMARY_FIGURE_WIDTH = 12


def _summary_columns(first: list[tuple[str, int]], counts: list[str], *, ratings=(), local=(), statuses=()) -> list:
    figures = counts + [f"Xếp loại: {label}" for label in ratings]
    figures += [f"Địa phương xếp loại: {label}" for label in local]
    figures += [f"Đề xuất: {label}" for label in statuses]
    return first + [(text, SUMMARY_FIGURE_WIDTH) for text in figures]


def _summary_figures(row, *, places: bool) -> list[int]:
    return [count for _name, count, _url in (row.place_cells if places else row.unit_cells)]


def year_summary_workbook_response(summary) -> FileResponse:
    """`summary`: reports.summary.year_summary()'s, the figures the page shows, in the same order."""
    from reports.models import RecommendationStatus

    with translation.override("vi"):
        ratings = list(_labels(Rating).values())
        statuses = list(_labels(RecommendationStatus).values())
        period = f"{summary.period.starts_on:%d/%m/%Y} – {summary.period.ends_on:%d/%m/%Y}"
        place_columns = _summary_columns(
            [("STT", 6), ("Địa bàn", 30), ("Trực thuộc", 26)],
            ["Số cán bộ", "Số lượt phân công", "Số ngày công tác", "Kiến nghị đã nêu", "Kiến nghị đã giải quyết"]
            + ["Báo cáo đã nộp"],
            ratings=ratings,
            local=ratings,
            statuses=["tổng số", *statuses],
        )
        workbook, sheet = new_sheet("Địa phương nơi đến", place_columns)
        for number, row in enumerate(summary.localities, start=1):
            parent = row.locality.parent.display_name if row.locality.parent_id else ""
            sheet.append(
                text_row(sheet, [number, row.locality.display_name, parent, *_summary_figures(row, places=True)])
            )
        sheet.append(text_row(sheet, ["", "Tổng cộng", period, *_summary_figures(summary.total, places=True)]))

        unit_columns = _summary_columns(
            [("STT", 6), ("Đơn vị cử cán bộ", 40)],
            ["Số cán bộ", "Số lượt phân công", "Số ngày công tác", "Báo cáo đã nộp"],
            ratings=ratings,
        )
        units = workbook.create_sheet("Đơn vị cử cán bộ")
        units.freeze_panes = "A2"
        for index, (_header, width) in enumerate(unit_columns, start=1):
            units.column_dimensions[get_column_letter(index)].width = width
        header = [WriteOnlyCell(units, value=text) for text, _width in unit_columns]
        for cell in header:
            cell.font = Font(bold=True)
        units.append(text_row(units, header))
        for number, row in enumerate(summary.units, start=1):
            units.append(text_row(units, [number, row.unit.name, *_summary_figures(row, places=False)]))
        units.append(text_row(units, ["", f"Tổng cộng ({period})", *_summary_figures(summary.total, places=False)]))
    stem = f"tong-ket-{summary.period.starts_on:%Y%m%d}-{summary.period.ends_on:%Y%m%d}"
    return _respond(workbook, stem)
