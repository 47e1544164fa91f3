"""What text typed by people may hold: the validators of single-line fields and of free texts.

They are attached to the model fields, so that ModelForms, the admin and full_clean() apply them;
the forms without a model (filters' search boxes, decision rows, staff answers) list them too.

- A single-line field (a name, a subject, a title) holds no line break and no control character:
  a subject on two lines became two lines of an email's headers, and a name with an escape
  sequence reaches terminals and spreadsheets.
- A free text keeps its line breaks (a browser sends CR LF) and tabs, and holds no other control
  character. It is refused rather than cleaned: what is stored is what the person sent, and the
  message says what to remove.
- Neither holds what a spreadsheet (the XML of an .xlsx file) cannot: the C0 controls other than
  tab and line breaks, U+FFFE, U+FFFF and lone surrogates. Exports would fail on them.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL and C1 controls (NEL U+0085 among them); what XML 1.0 cannot hold.
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_NOT_IN_XML = r"\ud800-\udfff\ufffe\uffff"

# Also the Unicode line and paragraph separators: str.splitlines() and mail clients break lines there.
NOT_ON_ONE_LINE = re.compile(rf"[{_CONTROLS}\u2028\u2029{_NOT_IN_XML}]")
# Tab, line feed and carriage return are text; the other controls are not.
NOT_IN_PLAIN_TEXT = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_NOT_IN_XML}]")


def single_line(value: str) -> None:
    if NOT_ON_ONE_LINE.search(value):
        raise ValidationError(_("Write this on one line, without control characters."), code="not_single_line")


def plain_text(value: str) -> None:
    if NOT_IN_PLAIN_TEXT.search(value):
        raise ValidationError(
            _("Remove the invisible control characters from this text (they often come with pasted text)."),
            code="control_character",
        )
