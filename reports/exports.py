"""The recommendations as a spreadsheet, for the year-end ranking of local organisations."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

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
