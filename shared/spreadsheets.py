"""Rows for the Excel exports, with every text written as text.

What cadres and staff type (a recommendation, a host organisation, a name from
a roster file) ends up in the exports. openpyxl writes a string starting with
"=" as a formula, which Excel runs when the file is opened (`=HYPERLINK(...)`,
`=cmd|...`), and Excel or LibreOffice turn a cell starting with "+", "-", "@",
a tab or a carriage return into a formula when it is edited. And one control
character makes openpyxl raise IllegalCharacterError, so one row would stop
the export for everybody. Every export writes its rows through `text_row()`;
the exports write no formula of their own.
"""

import re
from collections.abc import Iterable

from openpyxl.cell.cell import ERROR_CODES, Cell, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Everything XML 1.0 cannot hold, which is what an .xlsx cell cannot hold: the control characters
# but tab and line breaks (openpyxl's ILLEGAL_CHARACTERS_RE), lone surrogates, U+FFFE and U+FFFF.
NOT_IN_A_CELL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def cell_text(text: str) -> str:
    """`text` with each character a cell cannot hold replaced by a space (a vertical tab is Word's line break)."""
    return NOT_IN_A_CELL.sub(" ", text)


def text_row(sheet, values: Iterable) -> list:
    """`values` ready for `sheet.append()`: each string shown as typed, never run, never refused.

    Numbers, dates and None are kept as they are (a negative number stays a number).
    A string that a spreadsheet would read as a formula or an error (#N/A) becomes a
    cell of type text with Excel's quote prefix, the "'" typed before such text, which
    keeps it text when the cell is edited. Works for normal and write-only sheets.
    """
    return [_as_text(sheet, value) for value in values]


def _as_text(sheet, value):
    if isinstance(value, str):
        value = cell_text(value)
        if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
            return value  # openpyxl writes it as a string
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, Cell) and isinstance(value.value, str):
        cell = value  # a styled cell (a header): its text was set by openpyxl's checks already
        if not cell.value.startswith(FORMULA_STARTS) and cell.data_type == "s":
            return cell
    else:
        return value
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
