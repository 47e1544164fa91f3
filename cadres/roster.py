"""Roster import: read a spreadsheet, compare it with the cadres on record, then write it all or nothing.

Rows are matched on the cadre code. Every row is checked by the cadre model
(Cadre.clean_fields, as the cadre form is); units and existing cadres are loaded
once for the whole file, so a roster of 10,000 rows costs a handful of queries.
"""

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.accounts import cadre_accounts_create, taken_usernames, tidy_username
from cadres.models import Cadre, ProvincialUnit, RosterUpload
from shared.caching import RECORDS, bump_after_commit

# Normalised header -> row key. Headers are matched without case, accents or extra spaces.
HEADERS = {
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "chuc vu": "position",
    "don vi": "unit",
    "phong/ban": "department",
    "phong ban": "department",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "email": "email",
    "dang vien": "is_party_member",
    "ma can bo": "code",
    "ma cb": "code",
    # Optional: the username of the account made with the cadre (else the code, tidied).
    "ten dang nhap": "username",
}
REQUIRED = {"full_name": "họ và tên", "unit": "đơn vị", "code": "mã cán bộ"}
KEYS = ["full_name", "position", "unit", "department", "phone", "email", "is_party_member", "code", "username"]
# Compared with the cadre on record to tell "changed" from "unchanged".
COMPARED = ["full_name", "position", "unit_id", "phone", "email", "is_party_member"]

YES = {"co", "x", "1", "yes", "true", "dang vien"}
NO = {"khong", "0", "no", "false", ""}

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"

# Rows of cadres in one file: the preview of 10,000 takes about 5 s, and a request must end well
# within gunicorn's timeout. A larger roster is imported in several files.
MAX_ROWS = 10_000
# Empty rows are skipped, but still read: a sheet formatted far below its table is refused, not read for minutes.
MAX_SHEET_ROWS = 5 * MAX_ROWS


class RosterFileError(Exception):
    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def normalise(text) -> str:
    """Lower case, no accents, single spaces: 'Phòng / Ban' -> 'phong/ban'."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = " ".join(text.split())
    return re.sub(r"\s*/\s*", "/", text)


def _name_key(text: str) -> str:
    """Unit names keep their accents (two units may differ only by them) but not case or spacing."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Codes and phone numbers typed as numbers come back from Excel as floats.
        return str(int(value))
    return str(value).strip()


# Reading the file


def read_roster(upload) -> list[dict]:
    """The file's data rows as dicts of text, each with its spreadsheet row number under 'row'."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(upload)
    elif name.endswith(".csv"):
        table = _csv_rows(upload)
    else:
        raise RosterFileError(_("Upload an .xlsx or .csv file."), code="file_type")
    return _rows_under_header(table)


def _xlsx_rows(upload) -> list[Sequence]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        try:
            return _bounded(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except RosterFileError:
        raise
    except Exception:  # a damaged file can fail in zipfile, the XML parser or openpyxl itself
        raise RosterFileError(
            _("This file cannot be read as an Excel workbook. Save it again as .xlsx and retry."), code="corrupt"
        ) from None


def _csv_rows(upload) -> list[Sequence]:
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(_("The CSV file must be saved as UTF-8."), code="encoding") from None
    if "\x00" in text:
        # A UTF-16 file ("Unicode text" in Excel) reads as UTF-8 with a NUL after each letter,
        # and PostgreSQL refuses NUL in a query: a 500 when the codes were looked up.
        raise RosterFileError(_("The CSV file must be saved as UTF-8."), code="encoding")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise RosterFileError(_("This CSV file cannot be read."), code="corrupt") from None


def _bounded(table: Iterable[Sequence]) -> list[Sequence]:
    """The sheet's rows, read no further than it takes to tell that there are too many."""
    rows = []
    filled = 0
    for row in table:
        rows.append(row)
        if any(_cell_text(value) for value in row):
            filled += 1
            if filled > MAX_ROWS + 1:  # the header and MAX_ROWS rows of cadres
                limit = number_format(MAX_ROWS, force_grouping=True)
                raise RosterFileError(
                    _("The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows.")
                    % {"limit": limit},
                    code="too_many_rows",
                )
        if len(rows) > MAX_SHEET_ROWS:
            raise RosterFileError(
                _("The sheet goes on past row %(limit)s. Delete the empty rows under the table and retry.")
                % {"limit": number_format(MAX_SHEET_ROWS, force_grouping=True)},
                code="too_many_rows",
            )
    return rows


def _rows_under_header(table: list[Sequence]) -> list[dict]:
    header_at = next((i for i, row in enumerate(table) if any(_cell_text(v) for v in row)), None)
    if header_at is None:
        raise RosterFileError(_("The file is empty."), code="empty")
    columns = {}
    for index, header in enumerate(table[header_at]):
        key = HEADERS.get(normalise(header))
        if key and key not in columns:
            columns[key] = index
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        raise RosterFileError(
            _("The first row must hold the column headers; missing: %(columns)s.") % {"columns": ", ".join(missing)},
            code="headers",
        )
    rows = []
    for offset, values in enumerate(table[header_at + 1 :], start=header_at + 2):
        texts = {key: _cell_text(values[index]) if index < len(values) else "" for key, index in columns.items()}
        if not any(texts.values()):
            continue
        rows.append({"row": offset, **{key: texts.get(key, "") for key in KEYS}})
    if not rows:
        raise RosterFileError(_("The file has headers but no rows."), code="empty")
    return rows


# Comparing with the cadres on record


@dataclass
class RowResult:
    row: int
    code: str
    full_name: str
    status: str
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    # The account to be made with the cadre (when accounts are asked for and the cadre has none).
    username: str = ""


@dataclass
class RosterCheck:
    results: list[RowResult]
    # The accounts the import made (roster_import with accounts).
    accounts: list = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def has_errors(self) -> bool:
        return any(result.status == ERROR for result in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(result.status for result in self.results)
        return {status: counted.get(status, 0) for status in (NEW, CHANGED, UNCHANGED, ERROR)}


class UnitIndex:
    """Every unit, loaded once, found by name or short name."""

    def __init__(self):
        self.top: dict[str, list[ProvincialUnit]] = {}
        self.departments: dict[tuple[int, str], list[ProvincialUnit]] = {}
        for unit in ProvincialUnit.objects.all():
            keys = {_name_key(unit.name), _name_key(unit.short_name)} - {""}
            for key in keys:
                if unit.parent_id:
                    self.departments.setdefault((unit.parent_id, key), []).append(unit)
                else:
                    self.top.setdefault(key, []).append(unit)

    def resolve(self, unit_name: str, department_name: str) -> tuple[ProvincialUnit | None, str]:
        if not unit_name:
            return None, _("The unit (đơn vị) is required.")
        units = self.top.get(_name_key(unit_name), [])
        if not units:
            return None, _("There is no unit called “%(unit)s”: write a unit's full or short name.") % {
                "unit": unit_name
            }
        if len(units) > 1:
            return None, _("Several units are called “%(unit)s”: use the full name.") % {"unit": unit_name}
        unit = units[0]
        if not department_name:
            return unit, ""
        departments = self.departments.get((unit.pk, _name_key(department_name)), [])
        if len(departments) != 1:
            return None, _("“%(unit)s” has no department called “%(department)s”.") % {
                "unit": unit_name,
                "department": department_name,
            }
        return departments[0], ""


def _existing_by_code(codes: list[str]) -> dict[str, Cadre]:
    found = {}
    codes = sorted(set(filter(None, codes)))
    # Chunked so that SQLite's limit on query parameters is never reached.
    for start in range(0, len(codes), 5000):
        for cadre in Cadre.objects.filter(code__in=codes[start : start + 5000]):
            found[cadre.code] = cadre
    return found


def _party_member(text: str) -> bool | None:
    word = normalise(text)
    if word in YES:
        return True
    if word in NO:
        return False
    return None


# The cadre's fields a row gives. The unit is resolved for the whole file (UnitIndex) and the codes
# looked up in one query, so neither is checked row by row.
ROW_FIELDS = ["code", "full_name", "position", "phone", "email", "is_party_member"]
NOT_IN_ROW = [field.name for field in Cadre._meta.fields if field.name not in ROW_FIELDS]


def field_label(name: str) -> str:
    """A cadre field's name as the cadre form labels it."""
    return capfirst(Cadre._meta.get_field(name).verbose_name)


def _model_check(row: dict, party_member: bool) -> tuple[dict, list[str]]:
    """The cadre model's verdict on a row: its values as they would be stored, or "Label: message" errors."""
    cadre = Cadre(**{name: row[name] for name in ROW_FIELDS if name != "is_party_member"}, is_party_member=party_member)
    try:
        cadre.full_clean(exclude=NOT_IN_ROW, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return {}, [
            message if name == NON_FIELD_ERRORS else f"{field_label(name)}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return {name: getattr(cadre, name) for name in ROW_FIELDS}, []


def check_roster(
    rows: list[dict], *, form_checked: dict[int, dict] | None = None, accounts: bool = False
) -> RosterCheck:
    """Validate every row and say what importing it would do; writes nothing.

    With `accounts`, each cadre without an account gets the username of the account the import will make
    (_propose_usernames): a username already taken is an error of its row.

    `form_checked` maps row numbers to the values the cadre model checked in an
    earlier check of these same stored rows: its verdict depends only on the
    row, so the confirmation reuses it and checks again only what depends on
    the database (units, codes on record).
    """
    form_checked = form_checked or {}
    units = UnitIndex()
    existing = _existing_by_code([row["code"].strip() for row in rows])
    seen_at = {}
    results = []
    for row in rows:
        code = row["code"].strip()
        result = RowResult(row=row["row"], code=code, full_name=row["full_name"], status=ERROR)
        results.append(result)
        unit, unit_error = units.resolve(row["unit"], row["department"])
        if unit_error:
            result.errors.append(unit_error)
        party_member = _party_member(row["is_party_member"])
        if party_member is None:
            result.errors.append(
                _("Party member (đảng viên) must be có or không, not “%(value)s”.") % {"value": row["is_party_member"]}
            )
        if code and code in seen_at:
            result.errors.append(
                _("The code %(code)s is already used in row %(row)s.") % {"code": code, "row": seen_at[code]}
            )
        seen_at.setdefault(code, row["row"])
        cleaned = form_checked.get(row["row"])
        if cleaned is None:
            cleaned, model_errors = _model_check(row, bool(party_member))
            result.errors.extend(model_errors)
        result.cleaned = cleaned
        if result.errors:
            continue
        result.full_name = cleaned["full_name"]
        result.values = {**cleaned, "unit_id": unit.pk}
        cadre = existing.get(code)
        if cadre is None:
            result.status = NEW
            continue
        result.changes = [name for name in COMPARED if result.values[name] != getattr(cadre, name)]
        result.status = CHANGED if result.changes else UNCHANGED
    if accounts:
        _propose_usernames(rows, results, existing)
    return RosterCheck(results=results)


def _propose_usernames(rows: list[dict], results: list[RowResult], existing: dict[str, Cadre]) -> None:
    """A username for each valid row whose cadre has no account: the row's own, else the code, tidied
    (cadres.accounts.tidy_username). Refused when taken by an account or by another row."""
    wanted = []
    for row, result in zip(rows, results, strict=True):
        cadre = existing.get(result.code)
        if result.status == ERROR or (cadre is not None and cadre.user_id):
            continue
        username = tidy_username(row.get("username", "") or result.code)
        if not username:
            result.errors.append(_("Write a username with letters or digits in the column “tên đăng nhập”."))
            result.status = ERROR
            continue
        result.username = username
        wanted.append(result)
    taken = taken_usernames(result.username for result in wanted)
    seen_at = {}
    for result in wanted:
        if result.username in taken:
            result.errors.append(
                _("The username “%(username)s” is already taken: write another in the column “tên đăng nhập”.")
                % {"username": result.username}
            )
        elif result.username in seen_at:
            result.errors.append(
                _("The username “%(username)s” is already that of row %(row)s.")
                % {"username": result.username, "row": seen_at[result.username]}
            )
        seen_at.setdefault(result.username, result.row)
        if result.errors:
            result.status = ERROR


# Writing


class RosterRefused(Exception):
    def __init__(self, check: RosterCheck):
        super().__init__("roster has errors")
        self.check = check


@transaction.atomic
def roster_import(
    *, rows: list[dict], form_checked: dict[int, dict] | None = None, by=None, accounts: bool = False
) -> RosterCheck:
    """Create the new cadres and update the changed ones, or write nothing if any row has an error.

    The rows are checked again here: units and cadres on record may have changed since the preview.
    With `accounts`, the cadres without an account get one (cadres.accounts.cadre_accounts_create), in
    the same transaction: a username taken meanwhile refuses the whole import.
    """
    check = check_roster(rows, form_checked=form_checked, accounts=accounts)
    if check.has_errors:
        raise RosterRefused(check)
    new = [Cadre(**result.values) for result in check.results if result.status == NEW]
    # With their history, as an edit on a page would have it: who imported them, and when.
    bulk_create_with_history(new, Cadre, batch_size=1000, default_user=by)
    changed = [result for result in check.results if result.status == CHANGED]
    if changed:
        now = timezone.now()
        by_code = _existing_by_code([result.code for result in changed])
        cadres = []
        for result in changed:
            cadre = by_code[result.code]
            for name in COMPARED:
                setattr(cadre, name, result.values[name])
            cadre.updated_at = now
            cadres.append(cadre)
        bulk_update_with_history(cadres, Cadre, [*COMPARED, "updated_at"], batch_size=500, default_user=by)
    named = {result.code: result.username for result in check.results if result.username}
    if named:
        by_code = _existing_by_code(list(named))
        check.accounts = cadre_accounts_create({named[code]: by_code[code] for code in named}, by=by)
    bump_after_commit(RECORDS)  # Bulk writes send no signal.
    return check


# Keeping an upload between the preview and the confirmation


def store_upload(*, uploaded_by: AbstractBaseUser, filename: str, rows: list[dict], check: RosterCheck) -> RosterUpload:
    """Keep the parsed rows in the database under a random token; the browser only gets the token.

    The uploader's previous preview goes, and so does every preview older than RosterUpload.KEPT_FOR.
    """
    (RosterUpload.objects.filter(uploaded_by=uploaded_by) | RosterUpload.objects.expired()).delete()
    upload = RosterUpload(uploaded_by=uploaded_by, filename=filename[:255], rows=rows)
    keep_check(upload, check)
    upload.save()
    return upload


def keep_check(upload: RosterUpload, check: RosterCheck) -> None:
    """Put the verdict of each row on `upload`, as the preview shows it and the confirmation reuses it."""
    # Written out rather than dataclasses.asdict(), which deep-copies: a second for 10,000 rows.
    upload.results = [
        {
            "row": result.row,
            "code": result.code,
            "full_name": result.full_name,
            "status": result.status,
            "changes": result.changes,
            "errors": result.errors,
            "username": result.username,
        }
        for result in check.results
    ]
    upload.form_checked = {str(result.row): result.cleaned for result in check.results if result.cleaned}


def form_checked(upload: RosterUpload) -> dict[int, dict]:
    """The values the cadre model checked, by row number (JSON keys are text)."""
    return {int(row): values for row, values in upload.form_checked.items()}
