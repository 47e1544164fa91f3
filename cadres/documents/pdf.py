"""The decision as a PDF, to file beside the signed scan or print as it is.

fpdf2 is pure Python (no Pango or Cairo on the server, unlike WeasyPrint) and embeds a subset of the
TrueType font with a ToUnicode map: the diacritics print the same on any machine and the text can be
searched and copied. The font is Liberation Serif 2 (SIL Open Font License, fonts/LICENSE), metric-compatible
with Times New Roman, so lines break where they would in Word; its first version lacked ơ, ư and the letters
with a dot below or a hook above.
"""

import logging
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from cadres.documents.layout import (
    ANNEX_WIDTHS_MM,
    BODY_PT,
    HEADING_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    RECIPIENTS_PT,
    RECIPIENTS_TITLE_PT,
    TABLE_PT,
    DecisionLayout,
)

FONT = "LiberationSerif"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
LINE = 1.3  # line height, as a multiple of the font size
ANNEX_ALIGN = ("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER", "CENTER")
SIGNATURE_SPACE_MM = 28
# fontTools reports every table it subsets at INFO: a line per table in the server's log for each PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def _mm(points: float) -> float:
    return points * 25.4 / 72


class DecisionPDF(FPDF):
    def __init__(self, layout: DecisionLayout):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.layout = layout
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, FONT_DIR / f"LiberationSerif-{name}.ttf")
        self.set_margins(MARGIN_LEFT_MM, MARGIN_TOP_MM, MARGIN_RIGHT_MM)
        self.set_auto_page_break(True, margin=MARGIN_BOTTOM_MM)
        self.set_title(f"{layout.title} {layout.number_line}")
        self.set_lang("vi-VN")
        self.set_creator("Đồng hành")

    def line_of(self, text: str, *, size: float = BODY_PT, style: str = "", align=Align.C, width: float = 0) -> None:
        """One centred (or aligned) line, wrapped if long, the cursor left under it at the same x."""
        self.set_font(FONT, style, size)
        self.multi_cell(width, _mm(size) * LINE, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def column(self, x: float, y: float, width: float, draw) -> float:
        """Draw a column of the letterhead or the closing from (x, y); returns where it ends."""
        self.set_xy(x, y)
        draw(width)
        return self.get_y()

    def letterhead(self) -> None:
        layout, letterhead = self.layout, self.layout.letterhead
        left, top, width = self.l_margin, self.get_y(), self.epw
        issuer_width = width * layout.issuer_share

        def issuer(w):
            for index, line in enumerate(letterhead.issuer_lines):
                bold = index == len(letterhead.issuer_lines) - 1
                self.line_of(line, size=HEADING_PT, style="B" if bold else "", width=w)
            if letterhead.issuer_mark:
                self.line_of(letterhead.issuer_mark, size=HEADING_PT, width=w)
            else:
                y = self.get_y() + 1
                self.line(left + w / 3, y, left + 2 * w / 3, y)
                self.set_y(y + 2)
                self.set_x(left)
            self.set_y(self.get_y() + 1)
            self.set_x(left)
            self.line_of(layout.number_line, size=HEADING_PT, width=w)

        def motto(w):
            for index, line in enumerate(letterhead.motto_lines):
                last = index == len(letterhead.motto_lines) - 1
                self.line_of(line, size=BODY_PT if last else HEADING_PT, style="BU" if last else "B", width=w)
            self.set_y(self.get_y() + 3)
            self.set_x(left + issuer_width)
            self.line_of(layout.place_and_date, style="I", width=w)

        # No padding in the columns: the national motto's first line takes 96 mm of the 99 mm it has.
        padding, self.c_margin = self.c_margin, 0
        bottom = max(
            self.column(left, top, issuer_width, issuer),
            self.column(left + issuer_width, top, width - issuer_width, motto),
        )
        self.c_margin = padding
        self.set_xy(left, bottom)

    def body(self) -> None:
        layout = self.layout
        for line in layout.annulled:
            self.ln(2)
            self.line_of(line, style="B")
        self.ln(6)
        self.line_of(layout.title, style="B")
        self.line_of(layout.summary, style="B")
        self.ln(5)
        self.line_of(layout.authority_line, style="B")
        self.ln(3)
        with self.text_columns(text_align=Align.J, line_height=LINE) as text:
            for line in layout.legal_bases:
                with text.paragraph(first_line_indent=12.7, bottom_margin=2) as paragraph:
                    self.set_font(FONT, "I", BODY_PT)
                    paragraph.write(line)
        self.ln(3)
        self.line_of(layout.decides, style="B")
        self.ln(3)
        with self.text_columns(text_align=Align.J, line_height=LINE) as text:
            for article in layout.articles:
                with text.paragraph(first_line_indent=12.7, bottom_margin=2) as paragraph:
                    self.set_font(FONT, "B", BODY_PT)
                    paragraph.write(article.label)
                    self.set_font(FONT, "", BODY_PT)
                    paragraph.write(f" {article.text}")

    def closing(self) -> None:
        layout = self.layout
        half = self.epw / 2
        signature_lines = 2 + bool(layout.signing_authority)
        height = max(
            _mm(RECIPIENTS_TITLE_PT) * LINE + len(layout.recipients) * _mm(RECIPIENTS_PT) * LINE,
            signature_lines * _mm(BODY_PT) * LINE + SIGNATURE_SPACE_MM,
        )
        # Kept on one page, as print.css keeps it: a signature alone at the top of a page is refused.
        if self.get_y() + 4 + height > self.page_break_trigger:
            self.add_page()
        else:
            self.ln(4)
        left, top = self.l_margin, self.get_y()

        def recipients(w):
            self.line_of(layout.recipients_title, size=RECIPIENTS_TITLE_PT, style="BI", align=Align.L, width=w)
            for line in layout.recipients:
                self.line_of(line, size=RECIPIENTS_PT, align=Align.L, width=w)

        def signature(w):
            if layout.signing_authority:
                self.line_of(layout.signing_authority, style="B", width=w)
            self.line_of(layout.signer_position, style="B", width=w)
            self.set_y(self.get_y() + SIGNATURE_SPACE_MM)
            self.set_x(left + half)
            self.line_of(layout.signer_name, style="B", width=w)

        bottom = max(self.column(left, top, half, recipients), self.column(left + half, top, half, signature))
        self.set_xy(left, bottom)

    def annex(self) -> None:
        layout = self.layout
        if not layout.annex_rows:
            return
        self.add_page()
        self.line_of(layout.annex_title, style="B")
        self.line_of(layout.annex_subtitle, style="I")
        self.ln(3)
        self.set_font(FONT, "", TABLE_PT)
        with self.table(
            width=sum(ANNEX_WIDTHS_MM),
            col_widths=ANNEX_WIDTHS_MM,
            text_align=ANNEX_ALIGN,
            line_height=_mm(TABLE_PT) * 1.2,
            padding=(0.8, 0.8),
            headings_style=FontFace(emphasis="BOLD"),
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for text in layout.annex_header:
                heading.cell(text, align=Align.C)
            for annex_row in layout.annex_rows:
                row = table.row()
                for text in annex_row.cells:
                    row.cell(text)


def render_pdf(layout: DecisionLayout) -> bytes:
    pdf = DecisionPDF(layout)
    pdf.add_page()
    pdf.letterhead()
    pdf.body()
    pdf.closing()
    pdf.annex()
    return bytes(pdf.output())
