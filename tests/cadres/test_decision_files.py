"""The assignment decision as files: a Word draft (.docx) and a PDF, in the layout of the issuer's kind.

The files are opened as an office would: the Word file with python-docx; the PDF from its bytes, with no
PDF reader installed. Its text is written as glyph numbers of an embedded font subset, so it is read
back as any viewer copies it: through each font's ToUnicode map (`pdf_text`). Text found that way is in
the file in a decodable form, not only drawn.
"""

import io
import re
import zlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.shared import Pt
from fontTools.ttLib import TTFont

from accounts.roles import RoleKind
from cadres.models import AmendmentKind, Decision, UnitKind
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    ProvincialUnitFactory,
    RoleFactory,
    StaffUserFactory,
)

FONTS = Path(__file__).resolve().parents[2] / "cadres" / "documents" / "fonts"
VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
NATIONAL_MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
YOUTH_UNION = "ĐOÀN TNCS HỒ CHÍ MINH"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, name: str, decision):
    return client.get(reverse(f"cadres:{name}", args=[decision.pk]))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo's 2021 Youth Union decision (No. 125) as both files, made once: seed_demo takes seconds.

    Everything is written in a transaction rolled back at once, so the module leaves the database as it
    found it; the tests only read the files.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        decision = Decision.objects.select_related("issuing_unit").get(
            issuing_unit__name="Tỉnh đoàn Bình Dương", year=2021, number=125
        )
        client = _client(StaffUserFactory())
        files = {
            "docx": _get(client, "decision_docx", decision),
            "pdf": _get(client, "decision_pdf", decision),
            "reference": decision.reference,
            "names": list(decision.assignments.values_list("cadre__full_name", flat=True)),
        }
        transaction.set_rollback(True)
    return files


def _docx(content: bytes):
    return Document(io.BytesIO(content))


def docx_text(document) -> str:
    """The body's paragraphs and the tables' cells, in the order Word shows them."""
    parts = []
    for block in document.element.body.iterchildren():
        parts.extend(text.text or "" for text in block.iter("{*}t"))
        parts.append("\n")
    return "".join(parts)


# A PDF object; in a content stream, a font chosen, the graphics state saved or restored (the font is part
# of it), and a string shown.
OBJECT = re.compile(rb"(?m)^(\d+) 0 obj\b")
SHOWN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|(?<!\S)([qQ])(?!\S)|\(((?:\\[0-7]{1,3}|\\.|[^\\)])*)\)", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, bytes]:
    starts = [(int(match[1]), match.start()) for match in OBJECT.finditer(pdf)]
    ends = [start for _number, start in starts[1:]] + [len(pdf)]
    return {number: pdf[start:end] for (number, start), end in zip(starts, ends, strict=True)}


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream\n")
    data = rest[: int(re.search(rb"/Length (\d+)", head)[1])]
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def _unescape(literal: bytes) -> bytes:
    def one(match):
        escaped = match[1]
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: glyph code -> text."""
    codes = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            codes[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            start = int(text, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                codes[code] = chr(start + offset)
    return codes


def pdf_text(pdf: bytes) -> str:
    """The text of every page, each string decoded by the map of the font it is shown in."""
    objects = _objects(pdf)
    maps = {
        number: _to_unicode(_stream(objects[int(re.search(rb"/ToUnicode (\d+) 0 R", body)[1])]))
        for number, body in objects.items()
        if b"/ToUnicode" in body
    }
    font_of = {}
    for body in objects.values():
        for fonts in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            font_of.update({name.decode(): maps[int(ref)] for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", fonts)})
    pages = [
        int(ref)
        for body in objects.values()
        if b"/Type /Page\n" in body
        for ref in re.findall(rb"/Contents (\d+) 0 R", body)
    ]
    shown, codes, saved = [], {}, []
    for page in pages:
        for match in SHOWN.finditer(_stream(objects[page])):
            if match[1]:
                codes = font_of[match[1].decode()]
                continue
            if match[2]:
                if match[2] == b"q":
                    saved.append(codes)
                else:
                    codes = saved.pop()
                continue
            raw = _unescape(match[3])
            shown.append("".join(codes[int.from_bytes(raw[i : i + 2], "big")] for i in range(0, len(raw), 2)))
    return " ".join(shown)


def _squeezed(text: str) -> str:
    """Without white space: a line may wrap anywhere, and justified words are shown one by one."""
    return "".join(text.split())


def _in_pdf(phrase: str, text: str) -> bool:
    return _squeezed(phrase) in _squeezed(text)


# The font.
@pytest.mark.parametrize("style", ["Regular", "Bold", "Italic", "BoldItalic"])
def test_the_pdf_font_has_a_glyph_for_every_vietnamese_letter(style):
    cmap = TTFont(FONTS / f"LiberationSerif-{style}.ttf").getBestCmap()
    sample = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "Quyết định Nguyễn Đoàn ỹ ự “”"
    assert [letter for letter in sample if not letter.isspace() and ord(letter) not in cmap] == []
    assert (FONTS / "LICENSE").read_text().count("SIL Open Font License") >= 1


# The Word file.
def test_the_word_file_is_a4_with_the_official_margins(demo):
    section = _docx(demo["docx"].content).sections[0]
    assert abs(section.page_width.mm - 210) <= 1 and abs(section.page_height.mm - 297) <= 1
    # Word stores twentieths of a point: 15 mm reads back as 14.99.
    top, bottom, left, right = (
        round(margin.mm, 1)
        for margin in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    )
    assert 20 <= top <= 25 and 20 <= bottom <= 25 and 30 <= left <= 35 and 15 <= right <= 20


def test_the_word_file_is_set_in_times_new_roman_13_and_14(demo):
    document = _docx(demo["docx"].content)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    runs += [run for table in document.tables for cell in table._cells for p in cell.paragraphs for run in p.runs]
    assert all(run.font.name in (None, "Times New Roman") for run in runs)
    issuer = next(run for run in runs if run.text == "BCH ĐOÀN TỈNH BÌNH DƯƠNG")
    title = next(run for run in runs if run.text == "QUYẾT ĐỊNH")
    assert issuer.font.size == Pt(13) and issuer.bold and title.font.size in (None, Pt(14)) and title.bold


def test_the_word_file_reads_as_the_youth_union_decision(demo):
    text = docx_text(_docx(demo["docx"].content))
    assert YOUTH_UNION in text and NATIONAL_MOTTO not in text
    parts = [
        "BCH ĐOÀN TỈNH BÌNH DƯƠNG",
        "***",
        f"Số: {demo['reference']}",
        "Bình Dương, ngày 16 tháng 8 năm 2021",
        "QUYẾT ĐỊNH",
        "Về việc phân công cán bộ Tỉnh đoàn hỗ trợ cơ sở phòng, chống dịch bệnh Covid-19",
        "BAN THƯỜNG VỤ TỈNH ĐOÀN BÌNH DƯƠNG",
        "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;",
        "Điều 1. Phân công 6 đồng chí",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "- Trung ương Đoàn (b/c);",
        "TM. BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nguyễn Thanh Tâm",
        "DANH SÁCH CÁN BỘ ĐƯỢC PHÂN CÔNG",
        "Họ và tên",
    ]
    positions = [text.find(part) for part in parts]
    assert -1 not in positions, [part for part, at in zip(parts, positions, strict=True) if at == -1]
    assert positions == sorted(positions)


def test_the_word_file_annexes_the_cadres_in_a_table(demo):
    annex = _docx(demo["docx"].content).tables[-1]
    assert [cell.text for cell in annex.rows[0].cells][:2] == ["STT", "Họ và tên"]
    names = [row.cells[1].text.split("\n")[0] for row in annex.rows[1:]]
    assert sorted(names) == sorted(demo["names"]) and len(names) == 6
    assert annex.rows[1].cells[5].text == "17/08/2021"


def test_the_downloads_are_named_in_ascii_as_word_and_pdf(demo):
    assert demo["docx"]["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert demo["docx"]["Content-Disposition"] == 'attachment; filename="quyet-dinh-125-2021.docx"'
    assert demo["pdf"]["Content-Type"] == "application/pdf"
    assert demo["pdf"]["Content-Disposition"] == 'attachment; filename="quyet-dinh-125-2021.pdf"'


# The PDF.
def test_the_pdf_is_a4_and_embeds_liberation_serif(demo):
    pdf = demo["pdf"].content
    assert pdf.startswith(b"%PDF-") and b"/MediaBox [0 0 595.28 841.89]" in pdf
    fonts = re.findall(rb"/BaseFont /([A-Z]{6}\+[\w-]+)", pdf)
    assert fonts and all(b"+LiberationSerif" in font for font in fonts)
    # Every font is a subset embedded as TrueType: none is left for the reader's machine to substitute.
    assert pdf.count(b"/FontFile2 ") == pdf.count(b"/Type /FontDescriptor") >= 2
    assert b"/Helvetica" not in pdf and b"/Times-Roman" not in pdf


def test_the_pdf_text_reads_back_in_vietnamese(demo):
    text = pdf_text(demo["pdf"].content)
    for phrase in (
        YOUTH_UNION,
        "BCH ĐOÀN TỈNH BÌNH DƯƠNG",
        f"Số: {demo['reference']}",
        "Bình Dương, ngày 16 tháng 8 năm 2021",
        "QUYẾT ĐỊNH",
        "Căn cứ Chương trình “30 ngày đồng hành cùng cơ sở - Chung tay phòng, chống dịch bệnh Covid-19”;",
        "Điều 1. Phân công 6 đồng chí",
        "Điều 3.",
        "Nơi nhận:",
        "TM. BAN THƯỜNG VỤ",
        "Nguyễn Thanh Tâm",
        "DANH SÁCH CÁN BỘ ĐƯỢC PHÂN CÔNG",
        *demo["names"],
    ):
        assert _in_pdf(phrase, text), phrase
    assert not _in_pdf(NATIONAL_MOTTO, text)
    squeezed = _squeezed(text)
    assert squeezed.index("Điều1.") < squeezed.index("Nơinhận:") < squeezed.index("DANHSÁCH")


# Other kinds of issuer, amendments and annulments (factories).
def _decision(kind=UnitKind.YOUTH_UNION, **fields) -> Decision:
    unit = ProvincialUnitFactory(
        kind=kind,
        name="Ủy ban nhân dân tỉnh Bình Dương",
        issuing_body="ỦY BAN NHÂN DÂN TỈNH BÌNH DƯƠNG",
        document_symbol="QĐ-UBND" if kind == UnitKind.STATE else "QĐ/TĐTN-BTC",
    )
    decision = DecisionFactory(
        campaign=CampaignFactory(organising_unit=unit), signing_authority="TM. ỦY BAN NHÂN DÂN", **fields
    )
    AssignmentFactory(
        campaign=decision.campaign, decision=decision, cadre=CadreFactory(full_name="Trương Đinh Ngọc Mai")
    )
    return decision


def _files(client, decision) -> tuple[str, str]:
    docx = _get(client, "decision_docx", decision)
    pdf = _get(client, "decision_pdf", decision)
    assert docx.status_code == pdf.status_code == 200
    return docx_text(_docx(docx.content)), pdf_text(pdf.content)


@pytest.mark.django_db
def test_a_state_body_heads_both_files_with_the_national_motto(staff_client):
    decision = _decision(UnitKind.STATE, number=123)
    word, pdf = _files(staff_client, decision)
    for phrase in (NATIONAL_MOTTO, "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN TỈNH BÌNH DƯƠNG", "Số: 123/QĐ-UBND"):
        assert phrase in word and _in_pdf(phrase, pdf), phrase
    assert YOUTH_UNION not in word and not _in_pdf(YOUTH_UNION, pdf)


@pytest.mark.django_db
def test_both_files_of_an_annulled_decision_say_so_and_the_annulment_names_what_it_annuls(staff_client):
    annulled = _decision(number=12)
    annulment = DecisionFactory(
        campaign=annulled.campaign, number=13, amends=annulled, amendment_kind=AmendmentKind.ANNUL
    )
    # An annulment takes effect once issued: its signed scan is stored.
    Decision.objects.filter(pk=annulment.pk).update(signed_scan="decisions/2021/bai-bo.pdf")
    for text in _files(staff_client, annulled):
        assert _in_pdf(f"ĐÃ BỊ BÃI BỎ theo Quyết định số {annulment.reference}", text)
    for text in _files(staff_client, annulment):
        assert _in_pdf(f"Điều 1. Bãi bỏ Quyết định số {annulled.reference} ngày 16/08/2021", text)
        assert not _in_pdf("ĐÃ BỊ BÃI BỎ", text) and not _in_pdf("DANH SÁCH CÁN BỘ", text)


@pytest.mark.django_db
def test_an_amending_decision_says_which_decision_it_amends(staff_client):
    amended = _decision(number=12)
    amending = DecisionFactory(campaign=amended.campaign, number=14, amends=amended, amendment_kind=AmendmentKind.AMEND)
    AssignmentFactory(campaign=amending.campaign, decision=amending, cadre=CadreFactory(full_name="Lê Thị Thu Hà"))
    for text in _files(staff_client, amending):
        assert _in_pdf(f"Điều 1. Sửa đổi, bổ sung Quyết định số {amended.reference}", text)
        assert _in_pdf("phân công bổ sung 1 đồng chí", text) and _in_pdf("Lê Thị Thu Hà", text)


# Access: as the print page.
@pytest.mark.django_db
@pytest.mark.parametrize("name", ["decision_docx", "decision_pdf"])
def test_the_files_are_404_outside_the_readers_scope_and_send_anonymous_users_to_login(client, name):
    decision = _decision()
    outsider = RoleFactory(kind=RoleKind.ORGANISER).user
    assert _get(_client(outsider), name, decision).status_code == 404
    response = _get(client, name, decision)
    assert response.status_code == 302 and "login" in response.url
    organiser = RoleFactory(kind=RoleKind.ORGANISER, unit=decision.campaign.organising_unit).user
    assert _get(_client(organiser), name, decision).status_code == 200


@pytest.mark.django_db
def test_the_decision_page_links_both_files_beside_the_print_link(staff_client):
    decision = _decision()
    page = _get(staff_client, "decision_detail", decision).content.decode()
    print_link = page.index(reverse("cadres:decision_print", args=[decision.pk]))
    docx_link = page.index(reverse("cadres:decision_docx", args=[decision.pk]))
    pdf_link = page.index(reverse("cadres:decision_pdf", args=[decision.pk]))
    assert print_link < docx_link < pdf_link and "Word (.docx)" in page
