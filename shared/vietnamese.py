"""Vietnamese as its users write it: accent-insensitive search and dictionary order of names.

Two functions, each written once as a character table and used three ways: in
Python, as SQL functions created on PostgreSQL (migration
localities/0002) and as Python functions registered on every SQLite
connection. Because the same tables drive all three, a search or a sort gives
the same result on both databases. Place names (PlaceOrder, place_key) sort
by ICU's Vietnamese collation on PostgreSQL instead, much cheaper than a SQL
function over thousands of rows; both give Vietnamese dictionary order and may
differ only on digits and punctuation.

- fold("Thủ Dầu Một") == "thu dau mot"; "Đặng" folds to "dang" (đ/Đ to d,
  which Unicode decomposition alone does not do).
- name_key("Trương Đinh Ngọc Mai") sorts by the given name (the last word) as a
  word, then by the rest, in Vietnamese alphabetical order
  (a < ă < â < b < c < d < đ < e < ê < ...), the tone deciding between words
  spelt alike (none < huyền < hỏi < ngã < sắc < nặng), as office rosters do.
"""

import datetime
import unicodedata

from django.db import models

# Vietnamese alphabet, with the Latin letters foreign names use in their Latin places.
ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ"]
ALPHABET += ["p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
# Tone marks as combining characters, in dictionary order (no mark first).
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def _letter_forms() -> list[tuple[str, str, int]]:
    """Every lowercase and uppercase letter form: (form, base letter, tone rank)."""
    forms = []
    for letter in ALPHABET:
        tones = TONES if letter in VOWELS else [""]
        for rank, mark in enumerate(tones):
            lower = unicodedata.normalize("NFC", letter + mark)
            forms.append((lower, letter, rank))
            forms.append((lower.upper(), letter, rank))
    return forms


_FORMS = _letter_forms()
_ASCII_BASE = {"ă": "a", "â": "a", "đ": "d", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}

FOLD_FROM = "".join(form for form, _letter, _rank in _FORMS)
FOLD_TO = "".join(_ASCII_BASE.get(letter, letter) for _form, letter, _rank in _FORMS)
# Primary key characters: the letter's place in the alphabet as an increasing code point.
PRIMARY_TO = "".join(chr(0x41 + ALPHABET.index(letter)) for _form, letter, _rank in _FORMS)
TONE_TO = "".join(str(rank) for _form, _letter, rank in _FORMS)

_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)
_PRIMARY_TABLE = str.maketrans(FOLD_FROM, PRIMARY_TO)
_TONE_TABLE = str.maketrans(FOLD_FROM, TONE_TO)
SEPARATOR = "\x01"


def fold(text: str | None) -> str:
    """Lowercase without diacritics: what a search compares."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).lower()


def name_key(full_name: str | None) -> str:
    """A key whose plain (binary) order is the Vietnamese order of people's names."""
    if full_name is None:
        return ""
    words = unicodedata.normalize("NFC", full_name).strip(" ").split(" ")
    given, rest = words[-1], " ".join(words[:-1])
    return SEPARATOR.join(
        [
            given.translate(_PRIMARY_TABLE),
            given.translate(_TONE_TABLE),
            rest.translate(_PRIMARY_TABLE),
            rest.translate(_TONE_TABLE),
        ]
    )


def place_key(name: str | None) -> str:
    """A key whose plain order is the Vietnamese dictionary order of place names: the whole name is one word,
    its spaces before any letter ("An Khánh" < "An Phú" < "Ân Thi" < "Anh Sơn")."""
    return name_key((name or "").replace(" ", "\x02"))


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def postgresql_functions_sql() -> list[str]:
    """CREATE FUNCTION statements equal to fold() and name_key() above."""
    fold_from, fold_to = _sql_literal(FOLD_FROM), _sql_literal(FOLD_TO)
    primary, tone = _sql_literal(PRIMARY_TO), _sql_literal(TONE_TO)
    return [
        f"""CREATE OR REPLACE FUNCTION dh_fold(value text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN lower(translate(normalize(value, NFC), {fold_from}, {fold_to}))""",
        f"""CREATE OR REPLACE FUNCTION dh_name_key(value text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN (
              WITH parts AS (
                SELECT regexp_replace(btrim(normalize(value, NFC), ' '), '^.* ', '') AS given,
                       coalesce(substring(btrim(normalize(value, NFC), ' ') from '^(.*) [^ ]*$'), '') AS rest
              )
              SELECT translate(given, {fold_from}, {primary})
                     || chr(1) || translate(given, {fold_from}, {tone})
                     || chr(1) || translate(rest, {fold_from}, {primary})
                     || chr(1) || translate(rest, {fold_from}, {tone})
              FROM parts
            )""",
    ]


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: the same functions on every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("dh_fold", 1, fold, deterministic=True)
        connection.connection.create_function("dh_name_key", 1, name_key, deterministic=True)
        connection.connection.create_function("dh_place_key", 1, place_key, deterministic=True)


class Fold(models.Func):
    """The folded form of a text column, for accent- and case-insensitive search."""

    function = "dh_fold"
    output_field = models.TextField()


class NameKey(models.Func):
    """Vietnamese name order; compared byte by byte (COLLATE "C") on PostgreSQL."""

    function = "dh_name_key"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f'({sql} COLLATE "C")', params


class PlaceOrder(models.Func):
    """Vietnamese dictionary order of a place name: ICU's Vietnamese collation on PostgreSQL (shipped with
    the standard packages and images), place_key() registered on SQLite."""

    function = "dh_place_key"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f'({sql} COLLATE "vi-x-icu")', params


# A search box holds a few words; thousands (a pasted text) made SQLite refuse the query
# ("Expression tree is too large"), a 503.
MAX_SEARCH_WORDS = 12


def search_filter(query: str, *fields: str) -> models.Q:
    """A Q matching `query` inside any of `fields`, ignoring accents and case.

    Each word must appear in one of the fields: "mai truong" finds "Trương Đinh Ngọc Mai".
    """
    condition = models.Q()
    for word in fold(query).split()[:MAX_SEARCH_WORDS]:
        word_condition = models.Q()
        for field in fields:
            word_condition |= models.Q(**{f"{field}__dh_folded_contains": word})
        condition &= word_condition
    return condition


@models.Field.register_lookup
class FoldedContains(models.Lookup):
    """`field__dh_folded_contains=word`: dh_fold(field) contains the already folded word."""

    lookup_name = "dh_folded_contains"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        pattern = "%" + str(rhs_params[0]).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return f"dh_fold({lhs}) LIKE %s ESCAPE '\\'", [*lhs_params, pattern]


def phone_number(text: str) -> str | None:
    """A Vietnamese phone number in the usual written form, or None if it is not one.

    Accepts spaces, dots and hyphens, and +84 or 84 for the leading 0:
    "+84 912.345.678" -> "0912 345 678" (mobile, 10 digits);
    "02743822123" -> "0274 3822 123" (landline with its area code, 11 digits).
    """
    compact = "".join(text.split()).replace(".", "").replace("-", "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    if not compact.isascii() or not compact.isdigit() or not compact.startswith("0") or len(compact) not in (10, 11):
        return None
    if len(compact) == 10:
        return f"{compact[:4]} {compact[4:7]} {compact[7:]}"
    return f"{compact[:4]} {compact[4:8]} {compact[8:]}"


def place_and_date(place: str, day: datetime.date) -> str:
    """'Bình Dương, ngày 16 tháng 8 năm 2021': days below 10 and months below 3 take a leading zero."""
    day_part = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_part = f"{day.month:02d}" if day.month < 3 else str(day.month)
    prefix = f"{place}, " if place else ""
    return f"{prefix}ngày {day_part} tháng {month_part} năm {day.year}"
