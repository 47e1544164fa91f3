"""A national-scale data set on Vietnam's official map: every province sending cadres at once, for a year.

`generate_scale_data` (the management command) is a thin wrapper around
`generate()`. The places are real: Vietnam's official administrative units,
loaded with localities.official (idempotently, as `load_admin_units` does) in
both structures and linked, so that the map before 01/07/2025 exists beside
today's. Everything else is synthetic (units, cadres, campaigns, decisions,
assignments, notes, escalations, reports, accounts), built as tuples with
explicit primary keys, so that children can point at parents without reading
anything back, then written with COPY on PostgreSQL (minutes instead of hours at
3 million notes) and with bulk_create on SQLite (small counts, as in the tests).
The localities' pks are read back once, in one query, after they are loaded.

The year of campaigns ends a month after `today` and lies on today's map
(`today` is 31/05/2026 or later): the 34 provinces since 01/07/2025 and their
3,321 communes directly under them, two levels, no district. `--provinces N`
keeps the first N of the 34 by official code (01 Hà Nội, 04 Cao Bằng, 08 Tuyên
Quang, ...), with all their communes, and the units of 2021 those came from.
Every grading, assignment, note, escalation, report and host-locality account
is on those units, which exist all year: never on one that ended on 30/06/2025.

Everything is drawn from one seeded random generator: the same seed and the
same counts on an empty database give the same rows.

Accounts with scoped roles (accounts/roles.py), one per anchor, each named by
its anchor's primary key so that a benchmark finds the one it wants:

- `sc-organiser-<unit pk>`: organiser staff of each province's organising unit
  (the province's first unit, which runs its campaigns);
- `sc-supervisor-<locality pk>`: supervisor of each province;
- `sc-unit-<unit pk>`: focal point of every sending unit with a cadre (departments
  included, each on its own unit);
- `sc-province-<locality pk>`: host-locality official (RoleKind.LOCALITY) of each
  province whose communes received an assignment: it sees the province's whole
  subtree, as a district's official did before 2025 (there are no more
  `sc-district-` accounts: districts ended on 30/06/2025);
- `sc-commune-<locality pk>`: official of every commune-level locality (xã,
  phường, đặc khu) that received at least one assignment.

At the default counts, on an empty database: localities 1-34 are today's
provinces (1-11 the 11 that went through 01/07/2025 unchanged, undated, then the
23 new ones, each group by code), 35-86 the provinces that ended on 30/06/2025,
87-782 their 696 districts, 783-4,103 today's communes and 4,104-14,138 the
10,035 communes before; 10,654 links from the old units to the new. 9,963
gradings (three per commune of today). Units 1-2,000, unit i of the ((i - 1) %
34 + 1)th province by code, units 1-34 the organisers; 5,423 accounts in all
(34 organisers, 34 supervisors, 2,000 units, 34 provinces, 3,321 communes).
They share one unusable password hash (hashing thousands of passwords would take
an hour): bench/run.py gives the few it signs in as its own password, and
sessions. Their pks follow the existing ones, so `--force` adds the accounts of
the new units; the localities are found loaded already, and their accounts too.
"""

import datetime
import functools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import RoleKind
from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit, Role, UnitKind
from demo import records
from localities import official
from localities.models import REORGANISATION_2025, Grading, Level, Locality, LocalityKind, ZoneStatus
from reports.models import (
    Activity,
    Addressee,
    DailyNote,
    Escalation,
    EscalationCategory,
    EscalationStatus,
    Health,
    MissionReport,
    Rating,
    Recommendation,
    RecommendationStatus,
    ReportStatus,
    Urgency,
)
from shared.caching import TOPICS, bump_after_commit

# Every generated cadre's code starts with this, so a later run can tell a
# previous scale data set from real data.
CODE_PREFIX = "SC-"
# Every generated account's username starts with this (the module docstring lists them).
USERNAME_PREFIX = "sc-"
SUPPORTED_VENDORS = {"postgresql", "sqlite"}
# One year of campaigns, ending a month from today: most missions are over,
# a slice is running today and a few are still planned.
WINDOW_DAYS = 365
WINDOW_AFTER_TODAY = 30
ASSIGNMENT_DAYS = 30
DIRECTIVE_16 = "Chỉ thị 16/CT-TTg"
# Today's map (localities/official.py): the provinces since 01/07/2025, communes directly under them.
PROVINCES_TODAY = 34
# The first day the data set may be built around: its year then starts on 01/07/2025.
FIRST_TODAY = REORGANISATION_2025 + datetime.timedelta(days=WINDOW_DAYS - WINDOW_AFTER_TODAY - 1)


def window_start(today: datetime.date) -> datetime.date:
    """The first day of the data set's year of campaigns."""
    return today + datetime.timedelta(days=WINDOW_AFTER_TODAY - WINDOW_DAYS + 1)


@dataclass(frozen=True)
class Counts:
    provinces: int = field(
        default=PROVINCES_TODAY,
        metadata={"help": f"the first N of today's {PROVINCES_TODAY} provinces by official code, with all their "
                  "communes (and the map before 01/07/2025 they came from)"},
    )  # fmt: skip
    units: int = 2_000
    cadres: int = 100_000
    assignments: int = 200_000
    notes: int = 3_000_000
    escalations: int = 50_000
    reports: int = 150_000
    recommendations_per_report: int = 3
    campaigns_per_province: int = 4

    def problems(self) -> list[str]:
        found = []
        if min(getattr(self, f.name) for f in fields(self) if f.name != "recommendations_per_report") < 1:
            found.append("every count except recommendations must be at least 1")
        if self.provinces > PROVINCES_TODAY:
            found.append(f"there are {PROVINCES_TODAY} provinces since 01/07/2025: at most {PROVINCES_TODAY}")
        if self.units < self.provinces:
            found.append("every province needs at least one provincial unit")
        if self.cadres < self.provinces:
            found.append("every province needs at least one cadre")
        if self.assignments > self.cadres * (WINDOW_DAYS // 2):
            found.append("too many assignments per cadre to fit without overlap in one year")
        if self.reports > self.assignments:
            found.append("a report belongs to one assignment: reports cannot outnumber assignments")
        return found


# --- Names ---------------------------------------------------------------

FAMILY_NAMES = [
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Vũ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lý",
    "Đinh",
    "Lâm",
    "Mai",
    "Tô",
    "Cao",
    "Lương",
    "Hà",
    "Tạ",
    "Châu",
]
MIDDLE_NAMES = [
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Quốc",
    "Thu",
    "Hoàng",
    "Đức",
    "Thị",
    "Văn",
    "Kim",
    "Xuân",
    "Gia",
    "Bảo",
    "Anh",
    "Công",
    "Thành",
    "Mỹ",
]
# The demo's given names, then more, so that a hundred thousand people are not all called alike.
GIVEN_NAMES = records.GIVEN_NAMES + [
    "Bảo",
    "Cường",
    "Duy",
    "Hà",
    "Hiếu",
    "Hòa",
    "Huy",
    "Hương",
    "Khoa",
    "Lan",
    "Mai",
    "Minh",
    "Nga",
    "Ngân",
    "Nhân",
    "Phong",
    "Phương",
    "Quang",
    "Quyên",
    "Tài",
    "Thắng",
    "Thịnh",
    "Thủy",
    "Tiến",
    "Trinh",
    "Trung",
    "Tú",
    "Uyên",
    "Việt",
    "Xuân",
]
POSITIONS = [
    "Chuyên viên",
    "Chuyên viên chính",
    "Phó Trưởng phòng",
    "Trưởng phòng",
    "Phó Chánh Văn phòng",
    "Cán sự",
    "Phó Giám đốc",
    "Ủy viên Ban Thường vụ",
]

# (name pattern, short name, kind, document symbol); the first one organises the province's campaigns.
UNIT_TEMPLATES = [
    ("Ban Tổ chức Tỉnh ủy {p}", "Ban Tổ chức TU", UnitKind.PARTY, "QĐ/TU"),
    ("Ủy ban nhân dân {region}", "UBND", UnitKind.STATE, "QĐ-UBND"),
    ("Sở Y tế {region}", "Sở Y tế", UnitKind.STATE, "QĐ-SYT"),
    ("Sở Nội vụ {region}", "Sở Nội vụ", UnitKind.STATE, "QĐ-SNV"),
    ("Sở Lao động - Thương binh và Xã hội {region}", "Sở LĐTBXH", UnitKind.STATE, "QĐ-SLĐTBXH"),
    ("Sở Giáo dục và Đào tạo {region}", "Sở GDĐT", UnitKind.STATE, "QĐ-SGDĐT"),
    ("Sở Tài chính {region}", "Sở Tài chính", UnitKind.STATE, "QĐ-STC"),
    ("Sở Công Thương {region}", "Sở Công Thương", UnitKind.STATE, "QĐ-SCT"),
    ("Sở Xây dựng {region}", "Sở Xây dựng", UnitKind.STATE, "QĐ-SXD"),
    ("Sở Tư pháp {region}", "Sở Tư pháp", UnitKind.STATE, "QĐ-STP"),
    ("Sở Giao thông vận tải {region}", "Sở GTVT", UnitKind.STATE, "QĐ-SGTVT"),
    ("Sở Tài nguyên và Môi trường {region}", "Sở TNMT", UnitKind.STATE, "QĐ-STNMT"),
    ("Sở Thông tin và Truyền thông {region}", "Sở TTTT", UnitKind.STATE, "QĐ-STTTT"),
    ("Sở Văn hóa, Thể thao và Du lịch {region}", "Sở VHTTDL", UnitKind.STATE, "QĐ-SVHTTDL"),
    ("Ban Dân vận Tỉnh ủy {p}", "Ban Dân vận TU", UnitKind.PARTY, "QĐ/BDVTU"),
    ("Ban Tuyên giáo Tỉnh ủy {p}", "Ban Tuyên giáo TU", UnitKind.PARTY, "QĐ/BTGTU"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam {region}", "UBMTTQ", UnitKind.MASS, "QĐ/MTTQ-BTT"),
    ("Tỉnh đoàn {p}", "Tỉnh đoàn", UnitKind.YOUTH_UNION, "QĐ/TĐTN-BTC"),
    ("Hội Liên hiệp Phụ nữ {region}", "Hội LHPN", UnitKind.MASS, "QĐ/HPN"),
    ("Hội Nông dân {region}", "Hội ND", UnitKind.MASS, "QĐ/HND"),
    ("Hội Cựu chiến binh {region}", "Hội CCB", UnitKind.MASS, "QĐ/HCCB"),
    ("Liên đoàn Lao động {region}", "LĐLĐ", UnitKind.MASS, "QĐ/LĐLĐ"),
]
DEPARTMENT_NAMES = ["Văn phòng", "Phòng Tổ chức", "Phòng Nghiệp vụ", "Phòng Tổng hợp", "Thanh tra"]

SITUATIONS = [
    "Cùng tổ Covid cộng đồng đi từng nhà rà soát người chưa tiêm vắc xin.",
    "Hỗ trợ lấy mẫu xét nghiệm diện rộng tại khu nhà trọ công nhân.",
    "Phát túi an sinh cho các hộ khó khăn trong khu phong tỏa.",
    "Tuyên truyền 5K tại các công ty đang sản xuất ba tại chỗ.",
    "Trực chốt kiểm soát ra vào khu vực cách ly.",
    "Làm việc với Đoàn cơ sở về tình hình tổ chức và hoạt động.",
    "Số ca F0 trong ngày giảm, người dân chấp hành tốt giãn cách.",
    "Phát hiện thêm ổ dịch mới trong khu dân cư, đã báo cáo Ban Chỉ đạo.",
    "Hỗ trợ điều phối tiêm vắc xin mũi 2 cho người cao tuổi.",
    "Cùng cán bộ phường cập nhật danh sách F0 điều trị tại nhà.",
]
DIFFICULTIES = [
    "",
    "",
    "Thiếu nhân lực vì nhiều cán bộ phường là F0.",
    "Thiếu que test nhanh.",
    "Nhiều người lao động mất việc, thiếu lương thực.",
    "Mưa lớn, đường vào khu phong tỏa ngập.",
]
NEEDS = ["", "", "Cần bổ sung que test nhanh.", "Cần thêm gạo và nhu yếu phẩm.", "Cần thêm tình nguyện viên y tế."]
ESCALATION_SUBJECTS = [
    ("Thiếu que test nhanh cho khu phong tỏa", EscalationCategory.MEDICAL),
    ("Cần gạo cho hộ nghèo trong khu cách ly", EscalationCategory.SUPPLIES),
    ("Trạm y tế phường thiếu nhân lực", EscalationCategory.STAFFING),
    ("Cần máy tạo oxy cho F0 tại nhà", EscalationCategory.EQUIPMENT),
    ("Người lao động ngoại tỉnh không có chỗ ở", EscalationCategory.SOCIAL),
    ("Tụ tập đông người tại chợ tự phát", EscalationCategory.ORDER),
    ("Đề nghị hướng dẫn thủ tục hỗ trợ", EscalationCategory.OTHER),
]
RECOMMENDATIONS = [
    "Kiện toàn Ban Chấp hành Đoàn cơ sở sau đợt dịch.",
    "Tăng cường tập huấn nghiệp vụ cho cán bộ Đoàn phường.",
    "Duy trì tổ Covid cộng đồng sau khi nới lỏng giãn cách.",
    "Bổ sung kinh phí hoạt động cho tổ chức cơ sở.",
    "Xây dựng quy chế phối hợp giữa phường và doanh nghiệp trên địa bàn.",
    "Biểu dương các tình nguyện viên tiêu biểu.",
]
ACTIVITY_CODES = [choice for choice, _label in Activity.choices]
COMMUNE_WORD = {
    LocalityKind.WARD: "phường",
    LocalityKind.COMMUNE: "xã",
    LocalityKind.TOWNSHIP: "thị trấn",
    LocalityKind.SPECIAL_ZONE: "đặc khu",
}


# --- Writing -------------------------------------------------------------


class Loader:
    """Writes rows of one table at a time, with COPY on PostgreSQL and bulk_create elsewhere."""

    def __init__(self, write: Callable[[str], None], batch_size: int = 2_000):
        self.write = write
        self.batch_size = batch_size
        self.totals: dict[str, int] = {}

    def load(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple], expected: int) -> int:
        label = model._meta.db_table
        started = time.monotonic()
        report_every = max(50_000, expected // 10)
        written = 0

        def counted(source: Iterable[tuple]) -> Iterator[tuple]:
            nonlocal written
            for row in source:
                yield row
                written += 1
                if written % report_every == 0:
                    self._progress(label, written, expected, started)

        if connection.vendor == "postgresql":
            self._copy(model, columns, counted(rows))
        else:
            self._bulk_create(model, columns, counted(rows))
        self.report(label, written, expected, started)
        return written

    def report(self, label: str, written: int, expected: int, started: float) -> None:
        """Rows of `label` written (by load() or by another writer) since `started`."""
        self._progress(label, written, expected, started, done=True)
        self.totals[label] = written

    def _progress(self, label: str, written: int, expected: int, started: float, done: bool = False) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        end = f" in {elapsed:.1f} s" if done else ""
        self.write(f"  {label:<28} {written:>10,} / {expected:,} rows, {written / elapsed:>10,.0f} rows/s{end}")

    def _copy(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
        from psycopg import sql

        # A field the data set does not fill (added since) takes its default as bulk_create gives it ("" for
        # text): COPY would leave it NULL, which a NOT NULL column refuses. Defaults computed per row are not given.
        defaults = {
            field.name: field.get_default()
            for field in model._meta.concrete_fields
            if field.name not in columns and not field.null and not (field.has_default() and callable(field.default))
        }
        defaults = {name: value for name, value in defaults.items() if value is not None}
        if defaults:
            columns = [*columns, *defaults]
            rows = ((*row, *defaults.values()) for row in rows)
        json_positions = [
            index
            for index, name in enumerate(columns)
            if model._meta.get_field(name).get_internal_type() == "JSONField"
        ]
        statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
            table=sql.Identifier(model._meta.db_table),
            columns=sql.SQL(", ").join(sql.Identifier(model._meta.get_field(name).column) for name in columns),
        )
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for index in json_positions:
                        row[index] = json.dumps(row[index], ensure_ascii=False)
                copy.write_row(row)

    def _bulk_create(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
        attnames = [model._meta.get_field(name).attname for name in columns]
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(attnames, row, strict=True))))
            if len(batch) >= self.batch_size:
                model.objects.bulk_create(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)


# --- The guard -----------------------------------------------------------


class RefusedError(Exception):
    pass


def check_database_may_be_filled(*, force: bool) -> None:
    """Refuse a database that holds cadres, assignments or notes, unless forced.

    Forcing never deletes anything: the scale data set is added beside what is there.
    """
    occupied = [model for model in (Cadre, Assignment, DailyNote) if model.objects.exists()]
    if not occupied:
        return
    names = ", ".join(str(model._meta.verbose_name_plural) for model in occupied)
    previous_run_only = not Cadre.objects.exclude(code__startswith=CODE_PREFIX).exists()
    if not force:
        what = "a previous scale data set" if previous_run_only else "real data"
        raise RefusedError(
            f"This database already holds {names} ({what}). Use an empty database "
            "(e.g. drop and recreate it, then migrate), or pass --force to add the scale data beside it."
        )
    if connection.vendor not in SUPPORTED_VENDORS:
        raise RefusedError(
            f"--force on a database that holds {names} is only supported on PostgreSQL and SQLite, "
            f"not on {connection.vendor}."
        )


# --- Generation ----------------------------------------------------------


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


@functools.cache
def _national_units() -> dict[str, official.Unit]:
    """The dataset's units of both maps, read once per process (half a second: the tests generate often)."""
    return official.read_dataset()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class AssignmentRow:
    id: int
    cadre_id: int
    province: int
    starts_on: datetime.date
    ends_on: datetime.date


class ScaleDataSet:
    def __init__(self, counts: Counts, *, seed: int, today: datetime.date, loader: Loader):
        self.counts = counts
        self.rng = random.Random(seed)
        self.today = today
        self.now = min(timezone.now(), _at(today, 23, 59))
        self.window_start = window_start(today)
        self.window_end = self.window_start + datetime.timedelta(days=WINDOW_DAYS - 1)
        self.loader = loader

    # Localities: the official units of both maps, then gradings of today's communes over the year.
    def localities(self) -> None:
        """Today's first `provinces` provinces by code, their communes and the map before 01/07/2025 they came
        from, loaded with localities.official (idempotent: a forced second run finds them there), then read back
        by their codes: the units that exist throughout the year, on which everything else happens."""
        try:
            units = _national_units()
        except official.DatasetMissing as missing:
            raise RefusedError(str(missing)) from None
        today = sorted(
            (unit for unit in units.values() if unit.level == Level.PROVINCE and unit.era != official.OLD),
            key=lambda unit: unit.code,
        )
        if len(today) < self.counts.provinces:
            raise RefusedError(
                f"The dataset holds {len(today)} provinces after 01/07/2025, not {self.counts.provinces}."
            )
        chosen = today[: self.counts.provinces]
        if len(chosen) < len(today):
            units = official.select(units, [province.code for province in chosen])
        label, links = Locality._meta.db_table, Locality.successors.through._meta.db_table
        started = time.monotonic()
        result = official.load(units)
        self.loader.report(label, result.created, len(units), started)
        self.loader.write(f"  {links:<28} {result.links:>10,} links of the units before 01/07/2025 to those after")
        self.loader.totals[links] = result.links
        self._read_back(units, chosen)
        self._zone_statuses()

    def _read_back(self, units: dict[str, official.Unit], chosen: list[official.Unit]) -> None:
        """The pks of the chosen provinces and of their communes that exist all year, in one query."""
        codes = [province.code for province in chosen]
        keys = {province.key: province.code for province in chosen}
        # Today's communes as the dataset gives them: a commune of this database without a code is not one.
        commune_codes = {
            (keys[unit.parent_key], unit.code)
            for unit in units.values()
            if unit.level == Level.COMMUNE and unit.era == official.NEW and unit.parent_key in keys
        }
        rows = list(
            Locality.objects.valid_on(self.window_start)
            .valid_on(self.window_end)
            .filter(
                Q(level=Level.PROVINCE, parent=None, code__in=codes)
                | Q(level=Level.COMMUNE, parent__level=Level.PROVINCE, parent__code__in=codes)
            )
            .order_by("pk")
            .values_list("pk", "level", "code", "parent_id", "name", "kind", "valid_from")
        )
        province_pk: dict[str, int] = {}
        for pk, level, code, *_rest in rows:
            if level == Level.PROVINCE:
                province_pk.setdefault(code, pk)  # The first by pk, as localities.official matches them.
        missing = [f"{province.name} ({province.code})" for province in chosen if province.code not in province_pk]
        if missing:
            raise RefusedError(
                f"Not on the map from {self.window_start:%d/%m/%Y} to {self.window_end:%d/%m/%Y} in this database: "
                + ", ".join(missing)
            )
        self.province_ids = [province_pk[code] for code in codes]
        index_of = {pk: index for index, pk in enumerate(self.province_ids)}
        # Names of the provinces and communes, by pk, for the accounts of their officials.
        self.locality_names: dict[int, str] = {}
        kinds: dict[int, str] = {}
        found: list[dict[str, tuple]] = [{} for _ in codes]
        for pk, level, code, parent, name, kind, valid_from in rows:
            if level == Level.PROVINCE and pk in index_of:
                self.locality_names[pk], kinds[pk] = name, kind
            elif level == Level.COMMUNE and parent in index_of and (codes[index_of[parent]], code) in commune_codes:
                found[index_of[parent]].setdefault(code, (pk, kind, name, valid_from))
        self.province_names = [self.locality_names[pk] for pk in self.province_ids]
        self.province_kinds = [kinds[pk] for pk in self.province_ids]
        # By code: the same draws whatever order the units were stored in.
        self.communes_of_province: list[list[tuple[int, str, str]]] = []
        self.communes: list[tuple[int, datetime.date | None]] = []  # (pk, valid from), for the gradings.
        self.province_of_commune: dict[int, int] = {}
        for index, communes in enumerate(found):
            if not communes:
                raise RefusedError(f"{self.province_names[index]} has no commune from {self.window_start:%d/%m/%Y}.")
            ordered = [communes[code] for code in sorted(communes)]
            self.communes_of_province.append([(pk, kind, name) for pk, kind, name, _from in ordered])
            for pk, _kind, name, valid_from in ordered:
                self.communes.append((pk, valid_from))
                self.locality_names[pk] = name
                self.province_of_commune[pk] = self.province_ids[index]

    def _zone_statuses(self) -> None:
        """Three gradings per commune: a red period, a harder or softer one, then the all-clear.

        Communes graded already (by a previous run, or by staff) are left as they are.
        """
        rng, start = self.rng, self.window_start
        first = _next_id(ZoneStatus)
        graded = set(
            ZoneStatus.objects.filter(locality__parent__in=self.province_ids, locality__level=Level.COMMUNE)
            .values_list("locality_id", flat=True)
            .distinct()
        )
        communes = [(pk, valid_from) for pk, valid_from in self.communes if pk not in graded]

        def rows() -> Iterator[tuple]:
            pk = first
            for locality, exists_from in communes:
                turn = start + datetime.timedelta(days=rng.randrange(60, 160))
                clear = turn + datetime.timedelta(days=rng.randrange(20, 120))
                red_from = start - datetime.timedelta(days=30)
                periods = [
                    (rng.choice([Grading.RED, Grading.ORANGE]), max(red_from, exists_from or red_from), turn),
                    (
                        rng.choice([Grading.LOCKED_DOWN, Grading.RED, Grading.ORANGE]),
                        turn + datetime.timedelta(days=1),
                        clear,
                    ),
                    (rng.choice([Grading.YELLOW, Grading.GREEN]), clear + datetime.timedelta(days=1), None),
                ]
                for grading, valid_from, valid_to in periods:
                    directive = DIRECTIVE_16 if grading in (Grading.RED, Grading.LOCKED_DOWN) else ""
                    yield (pk, locality, grading, directive, valid_from, valid_to, "", _at(valid_from, 8))
                    pk += 1

        columns = ["id", "locality", "grading", "directive", "valid_from", "valid_to", "note", "recorded_at"]
        self.loader.load(ZoneStatus, columns, rows(), len(communes) * 3)

    def units(self) -> None:
        counts = self.counts
        first = _next_id(ProvincialUnit)
        self.unit_province = [index % counts.provinces for index in range(counts.units)]
        self.organiser_of_province = [first + index for index in range(counts.provinces)]
        self.unit_first = first
        self.unit_names: list[str] = []

        def rows() -> Iterator[tuple]:
            for index in range(counts.units):
                province = self.unit_province[index]
                place = self.province_names[province]
                region = (
                    "thành phố " if self.province_kinds[province] == LocalityKind.CITY_PROVINCE else "tỉnh "
                ) + place
                rank = index // counts.provinces
                template = UNIT_TEMPLATES[rank % len(UNIT_TEMPLATES)]
                name_pattern, short_name, kind, symbol = template
                parent = None
                if rank >= len(UNIT_TEMPLATES):
                    # More units than kinds of body: departments of the bodies above.
                    parent_rank = 1 + rank % (len(UNIT_TEMPLATES) - 1)
                    parent = first + parent_rank * counts.provinces + province
                    department = DEPARTMENT_NAMES[rank % len(DEPARTMENT_NAMES)]
                    name = f"{department} {rank} - {name_pattern.format(p=place, region=region)}"
                    short_name, symbol = f"{department} {rank}", ""
                else:
                    name = name_pattern.format(p=place, region=region)
                issuing_body = name.upper() if parent is None else ""
                self.unit_names.append(name)
                yield (first + index, name, short_name, parent, kind, issuing_body, symbol, place)

        columns = ["id", "name", "short_name", "parent", "kind", "issuing_body", "document_symbol", "place"]
        self.loader.load(ProvincialUnit, columns, rows(), counts.units)

    def cadres(self) -> None:
        counts, rng = self.counts, self.rng
        first = _next_id(Cadre)
        unit_first = self.organiser_of_province[0]
        self.cadre_first = first
        created = _at(self.window_start - datetime.timedelta(days=60), 9)

        def rows() -> Iterator[tuple]:
            for index in range(counts.cadres):
                pk = first + index
                family, middle, given = rng.choice(FAMILY_NAMES), rng.choice(MIDDLE_NAMES), rng.choice(GIVEN_NAMES)
                phone = f"09{rng.randrange(10**8):08d}"
                unit = unit_first + index % counts.units
                party = rng.random() < 0.7
                code, full_name = f"{CODE_PREFIX}{pk:07d}", f"{family} {middle} {given}"
                yield (
                    pk,
                    code,
                    full_name,
                    rng.choice(POSITIONS),
                    unit,
                    phone,
                    "",
                    party,
                    True,
                    Cadre(full_name=full_name, code=code, phone=phone).searchable_text(),
                    created,
                    created,
                )

        columns = [
            "id",
            "code",
            "full_name",
            "position",
            "unit",
            "phone",
            "email",
            "is_party_member",
            "is_active",
            "search_text",
            "created_at",
            "updated_at",
        ]
        self.loader.load(Cadre, columns, rows(), counts.cadres)

    def campaigns(self) -> None:
        """Each province runs a few campaigns one after another over the year, each with its decision."""
        counts = self.counts
        first, decision_first = _next_id(Campaign), _next_id(Decision)
        per = counts.campaigns_per_province
        span = WINDOW_DAYS // per
        self.campaign_span = span
        self.campaign_of = lambda province, wave: first + province * per + wave  # noqa: E731
        self.decision_of = lambda province, wave: decision_first + province * per + wave  # noqa: E731
        waves = []
        for province in range(counts.provinces):
            for wave in range(per):
                starts_on = self.window_start + datetime.timedelta(days=wave * span)
                ends_on = (
                    self.window_start + datetime.timedelta(days=WINDOW_DAYS - 1)
                    if wave == per - 1
                    else starts_on + datetime.timedelta(days=span - 1)
                )
                waves.append((province, wave, starts_on, ends_on))

        def campaign_rows() -> Iterator[tuple]:
            for province, wave, starts_on, ends_on in waves:
                place = self.province_names[province]
                yield (
                    self.campaign_of(province, wave),
                    f"Đợt {wave + 1}/{starts_on.year}: cán bộ cấp tỉnh {place} về cơ sở hỗ trợ phòng, chống dịch",
                    self.organiser_of_province[province],
                    "Huy động cán bộ, đảng viên các đơn vị cấp tỉnh về hỗ trợ xã, phường, thị trấn vùng đỏ.",
                    ASSIGNMENT_DAYS,
                    starts_on,
                    ends_on,
                    _at(starts_on - datetime.timedelta(days=3), 9),
                )

        def decision_rows() -> Iterator[tuple]:
            for province, wave, starts_on, _ends_on in waves:
                signed_on = starts_on - datetime.timedelta(days=1)
                yield (
                    self.decision_of(province, wave),
                    self.campaign_of(province, wave),
                    self.organiser_of_province[province],
                    # Numbers restart each year; waves are far enough apart to stay unique.
                    100 + wave,
                    signed_on.year,
                    signed_on,
                    "Về việc phân công cán bộ, công chức cấp tỉnh hỗ trợ cơ sở phòng, chống dịch Covid-19",
                    "Căn cứ Quy định làm việc của Ban Chấp hành Đảng bộ tỉnh;",
                    "T/M BAN THƯỜNG VỤ",
                    "PHÓ BÍ THƯ THƯỜNG TRỰC",
                    f"{rng_name(self.rng)}",
                    "- Ban Thường vụ Tỉnh ủy (b/c);\n- Các đơn vị có cán bộ được phân công;\n- Lưu VPTU.",
                    _at(signed_on, 10),
                )

        columns = ["id", "name", "organising_unit", "purpose", "assignment_days", "starts_on", "ends_on", "created_at"]
        self.loader.load(Campaign, columns, campaign_rows(), len(waves))
        decision_columns = [
            "id",
            "campaign",
            "issuing_unit",
            "number",
            "year",
            "signed_on",
            "summary",
            "legal_bases",
            "signing_authority",
            "signer_position",
            "signer_name",
            "recipients",
            "created_at",
        ]
        self.loader.load(Decision, decision_columns, decision_rows(), len(waves))

    def assignments(self) -> None:
        """Each cadre's missions, in separate slices of the year so that none overlaps another."""
        counts, rng, today = self.counts, self.rng, self.today
        first = _next_id(Assignment)
        tasks = Assignment._meta.get_field("tasks").get_default()
        self.assignment_rows: list[AssignmentRow] = []
        self.hosts: set[int] = set()  # The communes that received a cadre.
        per_cadre, extra = divmod(counts.assignments, counts.cadres)

        def rows() -> Iterator[tuple]:
            pk = first
            for index in range(counts.cadres):
                missions = per_cadre + (1 if index < extra else 0)
                if not missions:
                    continue
                cadre_id = self.cadre_first + index
                province = self.unit_province[index % counts.units]
                communes = self.communes_of_province[province]
                slot = WINDOW_DAYS // missions
                length = min(ASSIGNMENT_DAYS, slot)
                for mission in range(missions):
                    offset = mission * slot + rng.randrange(slot - length + 1)
                    starts_on = self.window_start + datetime.timedelta(days=offset)
                    ends_on = starts_on + datetime.timedelta(days=length - 1)
                    recalled_on, reason = None, ""
                    if starts_on < today and rng.random() < 0.02:
                        served = min((today - starts_on).days, length - 1)
                        recalled_on = starts_on + datetime.timedelta(days=rng.randrange(served + 1))
                        ends_on, reason = recalled_on, "Cán bộ mắc Covid-19, điều trị tại nhà"
                    locality, kind, name = rng.choice(communes)
                    wave = min(offset // self.campaign_span, counts.campaigns_per_province - 1)
                    created = _at(starts_on - datetime.timedelta(days=2), 10)
                    self.assignment_rows.append(AssignmentRow(pk, cadre_id, province, starts_on, ends_on))
                    self.hosts.add(locality)
                    yield (
                        pk,
                        cadre_id,
                        self.campaign_of(province, wave),
                        self.decision_of(province, wave),
                        locality,
                        f"UBND {COMMUNE_WORD[kind]} {name}",
                        starts_on,
                        ends_on,
                        tasks,
                        recalled_on,
                        reason,
                        created,
                        created,
                    )
                    pk += 1

        columns = [
            "id",
            "cadre",
            "campaign",
            "decision",
            "locality",
            "host_organisation",
            "starts_on",
            "ends_on",
            "tasks",
            "recalled_on",
            "recall_reason",
            "created_at",
            "updated_at",
        ]
        self.loader.load(Assignment, columns, rows(), counts.assignments)

    def notes(self) -> None:
        """At most one note per assignment per day, within its dates, never after today.

        The notes are spread over the days that have been served in proportion,
        so the target is met exactly unless there are fewer days served than notes.
        """
        counts, rng, today = self.counts, self.rng, self.today
        first = _next_id(DailyNote)
        served = [
            max(0, (min(row.ends_on, today) - row.starts_on).days + 1) if row.starts_on <= today else 0
            for row in self.assignment_rows
        ]
        total_served = sum(served)
        target = min(counts.notes, total_served)
        bodies = [
            (
                sorted(rng.sample(ACTIVITY_CODES, rng.randint(1, 3))),
                rng.choice(SITUATIONS),
                rng.choice(DIFFICULTIES),
                rng.choice(NEEDS),
                rng.choices([Health.WELL, Health.QUARANTINED, Health.INFECTED], weights=[94, 4, 2])[0],
            )
            for _ in range(997)
        ]
        # For escalations raised from a note: the first note's id and the days filed, per assignment.
        self.notes_of: list[tuple[int, bytes]] = []

        def rows() -> Iterator[tuple]:
            pk = first
            before = 0
            for row, days in zip(self.assignment_rows, served, strict=True):
                after = before + days
                wanted = after * target // total_served - before * target // total_served if total_served else 0
                before = after
                offsets = sorted(rng.sample(range(days), wanted)) if wanted < days else list(range(days))
                self.notes_of.append((pk, bytes(offsets)))
                for offset in offsets:
                    day = row.starts_on + datetime.timedelta(days=offset)
                    activities, situation, difficulties, needs, health = bodies[pk % 997]
                    created = _at(day, 17 + pk % 5, pk % 60)
                    key = uuid.UUID(int=(pk << 64) | rng.getrandbits(64))
                    yield (
                        pk,
                        row.id,
                        day,
                        activities,
                        "",
                        situation,
                        difficulties,
                        needs,
                        health,
                        "",
                        key,
                        created,
                        created,
                    )
                    pk += 1

        columns = [
            "id",
            "assignment",
            "day",
            "activities",
            "other_activities",
            "situation",
            "difficulties",
            "needs",
            "health",
            "photo",
            "client_key",
            "created_at",
            "updated_at",
        ]
        self.loader.load(DailyNote, columns, rows(), target)

    def escalations(self) -> None:
        counts, rng, today = self.counts, self.rng, self.today
        first = _next_id(Escalation)
        started = [index for index, row in enumerate(self.assignment_rows) if row.starts_on <= today]
        if not started:
            return

        def rows() -> Iterator[tuple]:
            for number in range(counts.escalations):
                index = rng.choice(started)
                row = self.assignment_rows[index]
                first_note, offsets = self.notes_of[index]
                note = None
                if offsets and rng.random() < 0.7:
                    position = rng.randrange(len(offsets))
                    note, day = first_note + position, row.starts_on + datetime.timedelta(days=offsets[position])
                else:
                    last = min(row.ends_on, today)
                    day = row.starts_on + datetime.timedelta(days=rng.randrange((last - row.starts_on).days + 1))
                created = min(_at(day, 18, number % 60), self.now)
                subject, category = rng.choice(ESCALATION_SUBJECTS)
                status = rng.choices(
                    [EscalationStatus.RESOLVED, EscalationStatus.IN_PROGRESS, EscalationStatus.OPEN],
                    weights=[6, 2, 2] if day < today - datetime.timedelta(days=7) else [1, 2, 7],
                )[0]
                answer, answered = "", None
                if status == EscalationStatus.RESOLVED:
                    answer = "Ban Chỉ đạo tỉnh đã chỉ đạo Sở liên quan hỗ trợ."
                    answered = min(created + datetime.timedelta(hours=rng.randrange(2, 72)), self.now)
                key = uuid.UUID(int=((first + number) << 64) | rng.getrandbits(64)) if rng.random() < 0.8 else None
                urgency = Urgency.URGENT if rng.random() < 0.2 else Urgency.NORMAL
                yield (
                    first + number,
                    row.id,
                    note,
                    subject,
                    f"{subject}. Đề nghị tỉnh xem xét, hỗ trợ kịp thời.",
                    category,
                    urgency,
                    status,
                    answer,
                    answered,
                    key,
                    created,
                    answered or created,
                )

        columns = [
            "id",
            "assignment",
            "note",
            "subject",
            "description",
            "category",
            "urgency",
            "status",
            "answer",
            "answered_at",
            "client_key",
            "created_at",
            "updated_at",
        ]
        self.loader.load(Escalation, columns, rows(), counts.escalations)

    def reports(self) -> None:
        """End-of-mission reports, mostly for missions that are over, and a few recommendations each."""
        counts, rng, today = self.counts, self.rng, self.today
        first, recommendation_first = _next_id(MissionReport), _next_id(Recommendation)
        ended = [row for row in self.assignment_rows if row.ends_on < today]
        running = [row for row in self.assignment_rows if row.starts_on <= today <= row.ends_on]
        chosen = rng.sample(ended, min(counts.reports, len(ended)))
        chosen += rng.sample(running, min(counts.reports - len(chosen), len(running)))
        chosen.sort(key=lambda row: row.id)
        self.report_statuses: list[str] = []

        def rows() -> Iterator[tuple]:
            for number, row in enumerate(chosen):
                created = _at(min(row.ends_on, today) - datetime.timedelta(days=2), 20)
                status = ReportStatus.DRAFT
                if row.ends_on < today:
                    status = rng.choices(
                        [ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.DRAFT],
                        weights=[70, 15, 5, 10],
                    )[0]
                submitted = reviewed = None
                rating = comment = ""
                if status != ReportStatus.DRAFT:
                    submitted = min(_at(row.ends_on + datetime.timedelta(days=rng.randrange(1, 5)), 9), self.now)
                if status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
                    reviewed = min(submitted + datetime.timedelta(days=rng.randrange(1, 7)), self.now)
                    comment = "Đề nghị bổ sung số liệu." if status == ReportStatus.RETURNED else "Đạt yêu cầu."
                if status == ReportStatus.ACCEPTED:
                    rating = rng.choices(
                        [Rating.EXCELLENT, Rating.GOOD, Rating.COMPLETED, Rating.NOT_COMPLETED], weights=[30, 50, 18, 2]
                    )[0]
                self.report_statuses.append(status)
                yield (
                    first + number,
                    row.id,
                    "Hoàn thành các nhiệm vụ được phân công, hỗ trợ địa phương phòng, chống dịch.",
                    "Tổ chức cơ sở hoạt động ổn định, cần kiện toàn nhân sự.",
                    rng.choice(DIFFICULTIES),
                    status,
                    submitted,
                    comment,
                    reviewed,
                    rating,
                    created,
                    reviewed or submitted or created,
                )

        columns = [
            "id",
            "assignment",
            "results",
            "local_work",
            "difficulties",
            "status",
            "submitted_at",
            "review_comment",
            "reviewed_at",
            "rating",
            "created_at",
            "updated_at",
        ]
        self.loader.load(MissionReport, columns, rows(), len(chosen))

        per = counts.recommendations_per_report
        if per < 1:
            return

        def recommendation_rows() -> Iterator[tuple]:
            pk = recommendation_first
            for number, status in enumerate(self.report_statuses):
                for _ in range(rng.randint(1, 2 * per - 1)):
                    state = (
                        rng.choice([RecommendationStatus.ACCEPTED, RecommendationStatus.DONE, RecommendationStatus.NEW])
                        if status == ReportStatus.ACCEPTED
                        else RecommendationStatus.NEW
                    )
                    addressed = Addressee.PROVINCE if rng.random() < 0.6 else Addressee.LOCAL
                    yield (pk, first + number, rng.choice(RECOMMENDATIONS), addressed, state, "", self.now)
                    pk += 1

        columns = ["id", "report", "text", "addressed_to", "status", "response", "updated_at"]
        self.loader.load(Recommendation, columns, recommendation_rows(), len(chosen) * per)

    def roles(self) -> None:
        """The accounts of the scoped roles, one per anchor, named as the module docstring says."""
        counts = self.counts
        User = get_user_model()
        user_first, role_first = _next_id(User), _next_id(Role)
        # The province of every commune that received a cadre gets an official too (a district's, before 2025).
        provinces = sorted({self.province_of_commune[pk] for pk in self.hosts})
        units = range(self.unit_first, self.unit_first + min(counts.units, counts.cadres))  # Those with a cadre.
        unit_name = {self.unit_first + index: name for index, name in enumerate(self.unit_names)}
        wanted = []  # (username without the prefix, first name, last name, kind, unit, locality)
        for index, (province, unit) in enumerate(zip(self.province_ids, self.organiser_of_province, strict=True)):
            wanted.append((f"organiser-{unit}", "Tổ chức", unit_name[unit], RoleKind.ORGANISER, unit, None))
            wanted.append(
                (f"supervisor-{province}", "Giám sát", self.province_names[index], RoleKind.SUPERVISOR, None, province)
            )
        for unit in units:
            wanted.append((f"unit-{unit}", "Đầu mối", unit_name[unit], RoleKind.UNIT, unit, None))
        for kind, localities in (("province", provinces), ("commune", sorted(self.hosts))):
            for pk in localities:
                wanted.append((f"{kind}-{pk}", "Địa phương", self.locality_names[pk], RoleKind.LOCALITY, None, pk))
        # Units are new on every run, so their accounts too; the localities are the same official ones, so a
        # forced second run finds their accounts made already and leaves them (and a person's own) alone.
        taken = set(User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True))
        wanted = [row for row in wanted if USERNAME_PREFIX + row[0] not in taken]
        # One hash for all, and an unusable one: these accounts are signed in as by sessions (bench/run.py).
        password = make_password(None)

        def user_rows() -> Iterator[tuple]:
            for number, (name, first_name, last_name, *_role) in enumerate(wanted):
                username = USERNAME_PREFIX + name
                row = (user_first + number, password, username, first_name, last_name[:150], "", False, False)
                yield (*row, True, self.now)

        def role_rows() -> Iterator[tuple]:
            for number, (*_names, kind, unit, locality) in enumerate(wanted):
                yield (role_first + number, user_first + number, kind, unit, locality, self.now)

        columns = ["id", "password", "username", "first_name", "last_name", "email", "is_staff", "is_superuser"]
        columns += ["is_active", "date_joined"]
        self.loader.load(User, columns, user_rows(), len(wanted))
        self.loader.load(Role, ["id", "user", "kind", "unit", "locality", "created_at"], role_rows(), len(wanted))


def rng_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


LOADED_MODELS = [
    Locality,
    Locality.successors.through,
    ZoneStatus,
    ProvincialUnit,
    Cadre,
    Campaign,
    Decision,
    Assignment,
    DailyNote,
    Escalation,
    MissionReport,
    Recommendation,
    get_user_model(),
    Role,
]


def _after_load_on_postgresql(write: Callable[[str], None]) -> None:
    """Move the sequences past the explicit ids and give the planner fresh statistics."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), LOADED_MODELS):
            cursor.execute(statement)
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in LOADED_MODELS)
        # VACUUM as well when we may: it sets the visibility map, which index-only
        # scans need. It cannot run inside a transaction (as in the tests).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{command} {tables}")
    write(f"  sequences reset, {command} done in {time.monotonic() - started:.1f} s")


def generate(
    counts: Counts,
    *,
    seed: int,
    force: bool = False,
    today: datetime.date | None = None,
    write: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill the database with a national-scale data set; returns rows written per table."""
    problems = counts.problems()
    today = today or timezone.localdate()
    if today < FIRST_TODAY:
        problems.append(
            f"the year of campaigns ({window_start(today):%d/%m/%Y} to {WINDOW_AFTER_TODAY} days after "
            f"{today:%d/%m/%Y}) must lie on today's map, from 01/07/2025: build it around {FIRST_TODAY} or later"
        )
    if problems:
        raise RefusedError("; ".join(problems))
    check_database_may_be_filled(force=force)
    loader = Loader(write)
    data = ScaleDataSet(counts, seed=seed, today=today, loader=loader)
    started = time.monotonic()
    with transaction.atomic():
        data.localities()
        data.units()
        data.cadres()
        data.campaigns()
        data.assignments()
        data.notes()
        data.escalations()
        data.reports()
        data.roles()
    for topic in TOPICS:  # COPY sends no signal: outdate whatever a running server has cached.
        bump_after_commit(topic)
    if connection.vendor == "postgresql":
        _after_load_on_postgresql(write)
    write(f"Done in {time.monotonic() - started:.1f} s.")
    return loader.totals
