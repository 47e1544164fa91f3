"""The decision as a Word document, for offices to edit the draft before it is signed.

It names Times New Roman, which every office has; Word lays it out there. Two borderless tables hold
the letterhead's columns and the closing (recipients beside the signature), as offices draw them.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from cadres.documents.layout import (
    ANNEX_WIDTHS_MM,
    BODY_PT,
    HEADING_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    RECIPIENTS_PT,
    RECIPIENTS_TITLE_PT,
    TABLE_PT,
    DecisionLayout,
)

FONT = "Times New Roman"
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


def _set_font(element, size: float) -> None:
    """Times New Roman for every script slot, so Word does not fall back to a theme font for any letter."""
    element.font.name = FONT
    element.font.size = Pt(size)
    fonts = element.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _paragraph(container, text: str = "", *, align=CENTER, size: float = BODY_PT, bold=False, italic=False):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _rule(cell, width_mm: float) -> None:
    """The short line under the issuer's name (a third of the column), drawn as a paragraph's bottom border."""
    paragraph = _paragraph(cell, size=6)
    paragraph.paragraph_format.left_indent = Mm(width_mm / 3)
    paragraph.paragraph_format.right_indent = Mm(width_mm / 3)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell_margins(table, side_mm: float) -> None:
    """The left and right padding of every cell (Word's default, 1.9 mm, wraps a date in the annex)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), str(round(side_mm * 1440 / 25.4)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def _columns(document, widths_mm: list[float]):
    table = document.add_table(rows=1, cols=len(widths_mm))
    table.autofit = False
    _cell_margins(table, 0)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, width in zip(table.rows[0].cells, widths_mm, strict=True):
        cell.width = Mm(width)
        # A new cell holds one empty paragraph: drop it, the content adds its own.
        cell._tc.remove(cell.paragraphs[0]._p)
    return table.rows[0].cells


def _letterhead(document, layout: DecisionLayout) -> None:
    issuer_mm = TEXT_WIDTH_MM * layout.issuer_share
    motto_mm = TEXT_WIDTH_MM - issuer_mm
    issuer, motto = _columns(document, [issuer_mm, motto_mm])
    letterhead = layout.letterhead
    for index, line in enumerate(letterhead.issuer_lines):
        _paragraph(issuer, line, size=HEADING_PT, bold=index == len(letterhead.issuer_lines) - 1)
    if letterhead.issuer_mark:
        _paragraph(issuer, letterhead.issuer_mark, size=HEADING_PT)
    else:
        _rule(issuer, issuer_mm)
    _paragraph(issuer, layout.number_line, size=HEADING_PT).paragraph_format.space_before = Pt(4)
    for index, line in enumerate(letterhead.motto_lines):
        last = index == len(letterhead.motto_lines) - 1
        run = _paragraph(motto, line, size=BODY_PT if last else HEADING_PT, bold=True).runs[0]
        run.underline = last
    _paragraph(motto, layout.place_and_date, italic=True).paragraph_format.space_before = Pt(8)


def _body(document, layout: DecisionLayout) -> None:
    for line in layout.annulled:
        _paragraph(document, line, bold=True).paragraph_format.space_before = Pt(6)
    _paragraph(document, layout.title, bold=True).paragraph_format.space_before = Pt(18)
    _paragraph(document, layout.summary, bold=True)
    authority = _paragraph(document, layout.authority_line, bold=True)
    authority.paragraph_format.space_before, authority.paragraph_format.space_after = Pt(14), Pt(10)
    for line in layout.legal_bases:
        _body_paragraph(document).add_run(line).italic = True
    decides = _paragraph(document, layout.decides, bold=True)
    decides.paragraph_format.space_before, decides.paragraph_format.space_after = Pt(10), Pt(10)
    for article in layout.articles:
        paragraph = _body_paragraph(document)
        paragraph.add_run(article.label).bold = True
        paragraph.add_run(f" {article.text}")


def _body_paragraph(document):
    paragraph = _paragraph(document, align=JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def _closing(document, layout: DecisionLayout) -> None:
    _paragraph(document).paragraph_format.space_after = Pt(6)
    recipients, signature = _columns(document, [TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2])
    _paragraph(recipients, layout.recipients_title, align=None, size=RECIPIENTS_TITLE_PT, bold=True, italic=True)
    for line in layout.recipients:
        _paragraph(recipients, line, align=None, size=RECIPIENTS_PT)
    if layout.signing_authority:
        _paragraph(signature, layout.signing_authority, bold=True)
    _paragraph(signature, layout.signer_position, bold=True)
    # Room for the signature and the seal.
    _paragraph(signature, layout.signer_name, bold=True).paragraph_format.space_before = Mm(28)


def _repeat_as_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _annex(document, layout: DecisionLayout) -> None:
    if not layout.annex_rows:
        return
    title = _paragraph(document, layout.annex_title, bold=True)
    title.paragraph_format.page_break_before = True
    _paragraph(document, layout.annex_subtitle, italic=True).paragraph_format.space_after = Pt(10)
    table = document.add_table(rows=1, cols=len(layout.annex_header))
    table.style = "Table Grid"
    table.autofit = False
    _cell_margins(table, 1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_as_header(table.rows[0])
    rows = [(layout.annex_header, True)] + [(row.cells, False) for row in layout.annex_rows]
    for index, (cells, is_header) in enumerate(rows):
        row = table.rows[0] if index == 0 else table.add_row()
        for column, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = Mm(ANNEX_WIDTHS_MM[column])
            paragraph = cell.paragraphs[0]
            paragraph.alignment = CENTER if is_header or column in (0, 5, 6) else WD_ALIGN_PARAGRAPH.LEFT
            name, _newline, position = text.partition("\n")
            run = paragraph.add_run(name)
            run.bold, run.font.size = is_header, Pt(TABLE_PT)
            if position:
                paragraph.add_run("\n")
                detail = paragraph.add_run(position)
                detail.italic, detail.font.size = True, Pt(RECIPIENTS_PT)


def render_docx(layout: DecisionLayout) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    _set_font(document.styles["Normal"], BODY_PT)
    document.core_properties.title = f"{layout.title} {layout.number_line}"
    document.core_properties.language = "vi-VN"
    _letterhead(document, layout)
    _body(document, layout)
    _closing(document, layout)
    _annex(document, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
