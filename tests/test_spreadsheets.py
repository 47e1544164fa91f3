"""Text typed by people is written into every Excel export as text: never run as a formula, never a 500."""

import datetime
import io
import subprocess
import tempfile
from pathlib import Path
from shutil import which

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from localities.models import LocalityKind
from shared.spreadsheets import cell_text, text_row
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    RecommendationFactory,
    StaffUserFactory,
)

FORMULA = '=HYPERLINK("http://x","y")'
# A formula, then a vertical tab (Word's line break, refused by openpyxl with IllegalCharacterError).
HOSTILE = f"{FORMULA}\x0bvà tiếp"
SHOWN = f"{FORMULA} và tiếp"
# The same for the short columns (phone, code).
SHORT = "=cmd|'/Ccalc'!A0\x0bx"
SHORT_SHOWN = "=cmd|'/Ccalc'!A0 x"


def _reopened(workbook: Workbook):
    output = io.BytesIO()
    workbook.save(output)
    return load_workbook(io.BytesIO(output.getvalue())).active


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize(
    "text",
    [FORMULA, "=1+1", "+84 912 345 678", "-2+3", "@SUM(A1:A2)", "\tcmd", "=cmd|' /C calc'!A0", "#N/A"],
)
def test_text_that_looks_like_a_formula_is_written_as_text(write_only, text):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Sheet") if write_only else workbook.active
    sheet.append(text_row(sheet, ["A", text, 1]))
    cell = _reopened(workbook)["B1"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


def test_a_carriage_return_at_the_start_is_written_as_text():
    workbook = Workbook()
    workbook.active.append(text_row(workbook.active, ["\r=1+1"]))
    cell = _reopened(workbook)["A1"]
    assert cell.data_type == "s" and cell.value.endswith("=1+1") and cell.quotePrefix


def test_numbers_dates_and_plain_text_are_written_as_they_are():
    workbook = Workbook()
    day = datetime.date(2021, 8, 20)
    workbook.active.append(text_row(workbook.active, [-5, -2.5, 0, day, "Nguyễn Văn An", None, "a-b", "x=1"]))
    sheet = _reopened(workbook)
    assert [cell.value for cell in sheet[1]][:3] == [-5, -2.5, 0]
    assert [cell.data_type for cell in sheet[1]][:3] == ["n", "n", "n"]
    assert sheet["D1"].is_date and sheet["D1"].value.date() == day
    assert [sheet["E1"].value, sheet["F1"].value, sheet["G1"].value, sheet["H1"].value] == [
        "Nguyễn Văn An",
        None,
        "a-b",
        "x=1",
    ]
    assert not sheet["E1"].quotePrefix


@pytest.mark.parametrize("write_only", [False, True])
def test_characters_a_spreadsheet_cannot_hold_become_spaces(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Sheet") if write_only else workbook.active
    sheet.append(text_row(sheet, ["a\x0bb", "a\x00b\x1fc", "a\ufffeb", "dòng 1\ndòng 2\ttab"]))
    assert [cell.value for cell in _reopened(workbook)[1]] == ["a b", "a b c", "a b", "dòng 1\ndòng 2\ttab"]


def test_cell_text_keeps_vietnamese_and_emoji():
    assert cell_text("Thủ Dầu Một 😷") == "Thủ Dầu Một 😷"


# Every export, with a row whose every free-text column holds a formula and a vertical tab.


def _hostile_assignment():
    top = ProvincialUnitFactory(name=HOSTILE, short_name=HOSTILE, document_symbol=HOSTILE)
    department = ProvincialUnitFactory(name=HOSTILE, short_name=HOSTILE, parent=top)
    campaign = CampaignFactory(name=HOSTILE, organising_unit=top)
    district = LocalityFactory(kind=LocalityKind.TOWN, name=HOSTILE)
    return AssignmentFactory(
        cadre=CadreFactory(
            full_name=HOSTILE, code=SHORT, position=HOSTILE, phone=SHORT, email=HOSTILE, unit=department
        ),
        campaign=campaign,
        decision=DecisionFactory(campaign=campaign, issuing_unit=top),
        locality=LocalityFactory(name=HOSTILE, parent=district),
        host_organisation=HOSTILE,
    )


def _hostile_recommendation():
    owner = StaffUserFactory(first_name=HOSTILE, last_name="")
    return RecommendationFactory(
        report=MissionReportFactory(assignment=_hostile_assignment()), text=HOSTILE, response=HOSTILE, owner=owner
    )


EXPORTS = {
    # url name: (what to create, the columns that hold nothing but hostile text)
    "cadres:assignment_export": (_hostile_assignment, "BCG"),
    "cadres:cadre_export": (_hostile_assignment, "ABCDEFH"),
    "cadres:roster_template": (_hostile_assignment, "CD"),
    "reports:recommendation_export": (_hostile_recommendation, "BCDGJK"),
}


def _workbook_bytes(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS)
def test_every_export_writes_hostile_text_as_text(staff_client, export):
    make, columns = EXPORTS[export]
    make()
    sheet = load_workbook(io.BytesIO(_workbook_bytes(staff_client.get(reverse(export))))).active
    assert sheet.max_row == 2
    for column in columns:
        cell = sheet[f"{column}2"]
        assert cell.value in (SHOWN, SHORT_SHOWN), cell.coordinate
        assert (cell.data_type, cell.quotePrefix) == ("s", True), cell.coordinate
    for cell in sheet[2]:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str):
            assert "\x0b" not in cell.value
            assert cell.data_type == "s"
            assert cell.quotePrefix or not cell.value.startswith("="), cell.coordinate


@pytest.mark.django_db
@pytest.mark.skipif(not which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_shows_the_text_not_a_computed_value(staff_client):
    _hostile_recommendation()
    content = _workbook_bytes(staff_client.get(reverse("reports:recommendation_export")))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "export.xlsx").write_bytes(content)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1",
                "--outdir",
                folder,
                f"{folder}/export.xlsx",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        csv = (Path(folder) / "export.csv").read_text(encoding="utf-8", errors="replace")
    assert 'HYPERLINK(""http://x"",""y"") và tiếp' in csv
