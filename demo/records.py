"""The 2021 Bình Dương deployment, as the two source articles describe it.

Names of the province, its five red-zone districts, their wards, the provincial
Youth Union's departments and the named cadres come from the articles; the
other cadres, the decision numbers and the exact zone dates are plausible
demo data. Every row is looked up by a natural key first, so loading twice
changes nothing.
"""

import datetime

from django.contrib.auth.models import Group, User
from django.db.models import F, Q
from django.utils import timezone

from accounts.roles import CADRE_GROUP, STAFF_GROUP, RoleKind
from cadres.models import (
    Assignment,
    Cadre,
    Campaign,
    Decision,
    Nomination,
    NominationStatus,
    ProvincialUnit,
    Quota,
    Role,
    UnitKind,
)
from cadres.services import assignment_create, assignment_replace
from localities import official
from localities.changes import record_rename
from localities.models import Grading, Level, Locality, LocalityKind, ZoneStatus
from reports.models import LocalAssessment, Rating
from shared.caching import RECORDS, bump_after_commit

D = datetime.date
DEMO_PASSWORD = "dong-hanh-2021"
DIRECTIVE_16 = "Chỉ thị 16/CT-TTg"

# District-level localities under Directive 16 in August 2021, with their wards.
# (name, official code, host organisation of the Youth Union there, wards)
DISTRICTS = [
    (
        "Thủ Dầu Một",
        "718",
        "Thành đoàn Thủ Dầu Một",
        ["Phú Cường", "Hiệp Thành", "Chánh Nghĩa", "Phú Thọ", "Phú Hòa", "Phú Lợi", "Hiệp An", "Định Hòa", "Tân An"],
    ),
    (
        "Dĩ An",
        "724",
        "Thành đoàn Dĩ An",
        ["Dĩ An", "An Bình", "Bình An", "Bình Thắng", "Đông Hòa", "Tân Bình", "Tân Đông Hiệp"],
    ),
    (
        "Thuận An",
        "725",
        "Thành đoàn Thuận An",
        ["Lái Thiêu", "An Phú", "Bình Chuẩn", "Bình Hòa", "Bình Nhâm", "Hưng Định", "Thuận Giao", "Vĩnh Phú"],
    ),
    (
        "Tân Uyên",
        "723",
        "Thị đoàn Tân Uyên",
        ["Uyên Hưng", "Tân Phước Khánh", "Thái Hòa", "Thạnh Phước", "Tân Hiệp", "Khánh Bình", "Tân Vĩnh Hiệp"],
    ),
    (
        "Bến Cát",
        "721",
        "Thị đoàn Bến Cát",
        ["Mỹ Phước", "Chánh Phú Hòa", "Hòa Lợi", "Tân Định", "Thới Hòa", "An Điền"],
    ),
]

# The 2021 map as it was: on 10/04/2023 the towns of Tân Uyên and Bến Cát became cities and six of their
# communes wards (Resolution 725/NQ-UBTVQH15). The official dataset gives the units as they stood
# on 30/06/2025; the demo records these changes, so a 2021 page reads "Thị xã Tân Uyên".
# (district code, commune name or None for the district itself, kind before, kind after)
CHANGES_2023 = [
    ("723", None, LocalityKind.TOWN, LocalityKind.CITY),
    ("721", None, LocalityKind.TOWN, LocalityKind.CITY),
    ("723", "Tân Vĩnh Hiệp", LocalityKind.COMMUNE, LocalityKind.WARD),
    ("723", "Vĩnh Tân", LocalityKind.COMMUNE, LocalityKind.WARD),
    ("723", "Hội Nghĩa", LocalityKind.COMMUNE, LocalityKind.WARD),
    ("723", "Phú Chánh", LocalityKind.COMMUNE, LocalityKind.WARD),
    ("721", "An Điền", LocalityKind.COMMUNE, LocalityKind.WARD),
    ("721", "An Tây", LocalityKind.COMMUNE, LocalityKind.WARD),
]
CHANGES_2023_DAY = D(2023, 4, 10)
CHANGES_2023_BASIS = "Nghị quyết 725/NQ-UBTVQH15"
PROVINCE_CODE = "74"
# Bình Dương and Hồ Chí Minh City, which it joined on 01/07/2025: both maps of both, so that the city reads as
# it was in 2021 (its own districts) and today (the 168 wards of three former provinces).
LOADED_PROVINCES = [PROVINCE_CODE, "79"]
# Trịnh Đức Tài's ward in 2021; today's campaign sends him to the ward it became (Phường Tân Khánh).
TAI_WARD = "Tân Uyên/Tân Phước Khánh"

# Wards "locked down" (khóa chặt, đông cứng) for part of the red-zone period.
LOCKED_DOWN_WARDS = {"Tân Phước Khánh", "Thuận Giao", "Bình Chuẩn", "An Bình", "Phú Hòa"}

YOUTH_UNION_DEPARTMENTS = [
    ("Ban Thanh thiếu nhi Trường học", "Ban TTNTH"),
    ("Ban Tuyên giáo", "Ban TG"),
    ("Ban Tổ chức - Kiểm tra", "Ban TC-KT"),
    ("Ban Phong trào", "Ban PT"),
    ("Văn phòng Tỉnh đoàn", "VP Tỉnh đoàn"),
]

# The six Youth Union cadres of the decision of 16/08/2021.
# (code, name, position, department, district, host organisation override)
YOUTH_CADRES = [
    ("TD-001", "Trương Đinh Ngọc Mai", "Chuyên viên", "Ban Thanh thiếu nhi Trường học", "Thủ Dầu Một"),
    ("TD-002", "Nguyễn Tùng Lâm", "Chuyên viên", "Ban Tuyên giáo", "Dĩ An"),
    ("TD-003", "Lâm Thái Nguyên", "Chuyên viên", "Ban Tổ chức - Kiểm tra", "Thuận An"),
    ("TD-004", "Phạm Minh Khoa", "Chuyên viên", "Ban Phong trào", "Tân Uyên"),
    ("TD-005", "Lê Thị Thu Hà", "Chuyên viên", "Ban Tổ chức - Kiểm tra", "Bến Cát"),
    ("TD-006", "Võ Thành Đạt", "Chuyên viên", "Văn phòng Tỉnh đoàn", "Thủ Dầu Một"),
]

# Youth Union cadres the demo never assigns: free on every day, for the decision the walk-through
# issues (for the coming campaign, or for the 2021 dates) and for a replacement.
# (code, name, position, department)
FREE_CADRES = [
    ("TD-007", "Đặng Hoàng Yến", "Chuyên viên", "Ban Phong trào"),
    ("TD-008", "Huỳnh Quốc Bảo", "Chuyên viên", "Ban Tuyên giáo"),
    ("TD-009", "Bùi Thị Kim Ngân", "Chuyên viên", "Ban Thanh thiếu nhi Trường học"),
    ("TD-010", "Ngô Minh Trí", "Chuyên viên", "Văn phòng Tỉnh đoàn"),
    ("TD-011", "Dương Thanh Hương", "Chuyên viên", "Ban Tổ chức - Kiểm tra"),
    ("TD-012", "Hồ Văn Phát", "Phó Trưởng ban", "Ban Phong trào"),
]
COMING_CAMPAIGN = "Đồng hành cùng cơ sở - đợt 2 (dữ liệu minh họa)"
# The coming campaign starts this many days after the demo is loaded.
COMING_CAMPAIGN_IN_DAYS = 7

# Further provincial units of the province-wide mobilisation (92 in reality).
PROVINCIAL_UNITS = [
    ("Hội đồng nhân dân tỉnh Bình Dương", "HĐND tỉnh", UnitKind.STATE, "QĐ-HĐND"),
    ("Ủy ban nhân dân tỉnh Bình Dương", "UBND tỉnh", UnitKind.STATE, "QĐ-UBND"),
    ("Sở Y tế", "Sở Y tế", UnitKind.STATE, "QĐ-SYT"),
    ("Sở Nội vụ", "Sở Nội vụ", UnitKind.STATE, "QĐ-SNV"),
    ("Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH", UnitKind.STATE, "QĐ-SLĐTBXH"),
    ("Sở Giáo dục và Đào tạo", "Sở GDĐT", UnitKind.STATE, "QĐ-SGDĐT"),
    ("Sở Tài chính", "Sở Tài chính", UnitKind.STATE, "QĐ-STC"),
    ("Ban Dân vận Tỉnh ủy", "Ban Dân vận TU", UnitKind.PARTY, "QĐ/BDVTU"),
    ("Ban Tuyên giáo Tỉnh ủy", "Ban Tuyên giáo TU", UnitKind.PARTY, "QĐ/BTGTU"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "UBMTTQ tỉnh", UnitKind.MASS, "QĐ/MTTQ-BTT"),
    ("Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh", UnitKind.MASS, "QĐ/HPN"),
]

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Thu", "Hoàng", "Đức"]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hải",
    "Hạnh",
    "Hùng",
    "Khánh",
    "Linh",
    "Long",
    "My",
    "Nam",
    "Nhung",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
    "Ánh",
]

PROVINCE_CAMPAIGN_START = D(2021, 8, 1)
YOUTH_CAMPAIGN_START = D(2021, 8, 16)


def _put(model, lookup: dict, values: dict):
    """The row found by `lookup`, created with `values` or brought up to them.

    Unlike update_or_create(), a row that already holds `values` is not saved: loading the demo again
    writes nothing, so it adds no history entry and moves no `updated_at` or data version.
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = False
    for name, value in values.items():
        field = model._meta.get_field(name)
        stored = getattr(row, field.attname)
        wanted = value.pk if field.is_relation and value is not None else value
        if stored != wanted:
            setattr(row, name, value)
            changed = True
    if changed:
        row.save()
    return row


def _zone(locality: Locality, grading: str, valid_from: datetime.date, valid_to: datetime.date | None, note=""):
    directive = DIRECTIVE_16 if grading in (Grading.RED, Grading.LOCKED_DOWN) else ""
    if valid_to is None:
        # A grading recorded after it (today's campaign records one) has closed it: it stays closed.
        later = locality.zone_statuses.filter(valid_from__gt=valid_from).order_by("valid_from").first()
        valid_to = later.valid_from - datetime.timedelta(days=1) if later else None
    _put(
        ZoneStatus,
        {"locality": locality, "valid_from": valid_from},
        {"grading": grading, "directive": directive, "valid_to": valid_to, "note": note},
    )


def load_localities() -> dict[str, Locality]:
    """Bình Dương's and Hồ Chí Minh City's official units (load_admin_units), the 2023 changes, and gradings
    over 2021 of Bình Dương's five red-zone districts and their wards.

    Keys: "Bình Dương", a district's name, "district/ward"; and "now/district/ward" for the ward of today
    (since 01/07/2025, in Hồ Chí Minh City) that a demo ward became.
    """
    official.load(official.select(official.read_dataset(), LOADED_PROVINCES))
    province = Locality.objects.get(level=Level.PROVINCE, code=PROVINCE_CODE, valid_to=official.LAST_OLD_DAY)
    places = {"Bình Dương": province}
    for code, commune, kind_before, kind_after in CHANGES_2023:
        district = province.children.get(code=code)
        unit = district.children.get(name=commune) if commune else district
        if not unit.changes.filter(effective_on=CHANGES_2023_DAY).exists():
            record_rename(
                unit, effective_on=CHANGES_2023_DAY, kind=kind_after, basis=CHANGES_2023_BASIS, kind_before=kind_before
            )
    for name, code, _host, wards in DISTRICTS:
        district = province.children.get(code=code)
        places[name] = district
        _zone(district, Grading.RED, D(2021, 7, 19), D(2021, 9, 30))
        _zone(district, Grading.ORANGE, D(2021, 10, 1), D(2021, 10, 19))
        _zone(district, Grading.YELLOW, D(2021, 10, 20), None)
        for index, ward_name in enumerate(wards):
            ward = district.children.get(name=ward_name)
            places[f"{name}/{ward_name}"] = ward
            places[f"now/{name}/{ward_name}"] = ward.successors.order_by("pk").first()
            # The last ward of each district left the red zone early: the demo
            # then has non-red wards beside the red ones.
            if index == len(wards) - 1:
                _zone(ward, Grading.RED, D(2021, 7, 19), D(2021, 8, 22))
                _zone(ward, Grading.ORANGE, D(2021, 8, 23), D(2021, 9, 30))
            elif ward_name in LOCKED_DOWN_WARDS:
                _zone(ward, Grading.RED, D(2021, 7, 19), D(2021, 8, 22))
                _zone(ward, Grading.LOCKED_DOWN, D(2021, 8, 23), D(2021, 9, 15), "Khóa chặt, đông cứng")
                _zone(ward, Grading.RED, D(2021, 9, 16), D(2021, 9, 30))
            else:
                _zone(ward, Grading.RED, D(2021, 7, 19), D(2021, 9, 30))
            _zone(ward, Grading.YELLOW, D(2021, 10, 1), None)
    return places


def _unit(name, short_name, kind, symbol, parent=None, issuing_body="") -> ProvincialUnit:
    return _put(
        ProvincialUnit,
        {"name": name, "parent": parent},
        {
            "short_name": short_name,
            "kind": kind,
            "document_symbol": symbol,
            "place": "Bình Dương",
            "issuing_body": issuing_body,
        },
    )


def load_units() -> dict[str, ProvincialUnit]:
    youth_union = _unit(
        "Tỉnh đoàn Bình Dương",
        "Tỉnh đoàn",
        UnitKind.YOUTH_UNION,
        "QĐ/TĐTN-BTC",
        issuing_body="BCH ĐOÀN TỈNH BÌNH DƯƠNG",
    )
    units = {"Tỉnh đoàn": youth_union}
    for name, short_name in YOUTH_UNION_DEPARTMENTS:
        units[name] = _unit(name, short_name, UnitKind.YOUTH_UNION, "", parent=youth_union)
    units["Tỉnh ủy"] = _unit(
        "Ban Tổ chức Tỉnh ủy Bình Dương", "Ban Tổ chức TU", UnitKind.PARTY, "QĐ/TU", issuing_body="TỈNH ỦY BÌNH DƯƠNG"
    )
    for name, short_name, kind, symbol in PROVINCIAL_UNITS:
        units[short_name] = _unit(name, short_name, kind, symbol, issuing_body=name.upper())
    return units


def _cadre(code, full_name, position, unit, *, party_member=True, phone="") -> Cadre:
    return _put(
        Cadre,
        {"code": code},
        {"full_name": full_name, "position": position, "unit": unit, "is_party_member": party_member, "phone": phone},
    )


def _assign(cadre, campaign, decision, locality, starts_on, host) -> Assignment:
    existing = Assignment.objects.filter(cadre=cadre, campaign=campaign).order_by("starts_on").first()
    if existing:
        return existing
    return assignment_create(
        cadre=cadre,
        campaign=campaign,
        decision=decision,
        locality=locality,
        starts_on=starts_on,
        host_organisation=host,
    )


def load_youth_union_campaign(units, places) -> Campaign:
    youth_union = units["Tỉnh đoàn"]
    campaign = _put(
        Campaign,
        {"name": "30 ngày đồng hành cùng cơ sở - Chung tay phòng, chống dịch bệnh Covid-19"},
        {
            "organising_unit": youth_union,
            "purpose": (
                "Cán bộ Tỉnh đoàn về các địa phương vùng đỏ, vùng khóa chặt, đông cứng, cùng ở, cùng làm việc "
                "30 ngày: trực tiếp hỗ trợ cơ sở phòng, chống dịch Covid-19; nắm bắt tình hình công tác Đoàn, "
                "kết quả thực hiện nhiệm vụ tại đơn vị và kịp thời đưa ra khuyến nghị."
            ),
            "assignment_days": 30,
            "starts_on": YOUTH_CAMPAIGN_START,
            "ends_on": D(2021, 9, 15),
        },
    )
    decision = _put(
        Decision,
        {"issuing_unit": youth_union, "year": 2021, "number": 125},
        {
            "campaign": campaign,
            "signed_on": YOUTH_CAMPAIGN_START,
            "summary": "Về việc phân công cán bộ Tỉnh đoàn hỗ trợ cơ sở phòng, chống dịch bệnh Covid-19",
            "legal_bases": (
                "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;\n"
                "Căn cứ Chương trình “30 ngày đồng hành cùng cơ sở - Chung tay phòng, chống dịch bệnh Covid-19”;\n"
                "Xét đề nghị của Ban Tổ chức - Kiểm tra Tỉnh đoàn."
            ),
            "signing_authority": "TM. BAN THƯỜNG VỤ",
            "signer_position": "BÍ THƯ",
            "signer_name": "Nguyễn Thanh Tâm",
            "recipients": "- Như Điều 3;\n- Thường trực Tỉnh ủy (b/c);\n- Trung ương Đoàn (b/c);\n- Lưu VP, BTC.",
        },
    )
    host_of = {name: host for name, _code, host, _wards in DISTRICTS}
    for code, name, position, department, district in YOUTH_CADRES:
        cadre = _cadre(code, name, position, units[department])
        _assign(cadre, campaign, decision, places[district], D(2021, 8, 17), host_of[district])
    return campaign


def load_province_campaign(units, places) -> Campaign:
    organiser = units["Tỉnh ủy"]
    campaign = _put(
        Campaign,
        {"name": "Cán bộ, công chức cấp tỉnh về cơ sở hỗ trợ phòng, chống dịch Covid-19 - quý III/2021"},
        {
            "organising_unit": organiser,
            "purpose": (
                "Huy động cán bộ, đảng viên của các đơn vị cấp tỉnh về hỗ trợ các xã, phường, thị trấn "
                "vùng đỏ; kịp thời báo cáo Ban Chỉ đạo tỉnh các vấn đề vượt thẩm quyền."
            ),
            "assignment_days": 30,
            "starts_on": PROVINCE_CAMPAIGN_START,
            "ends_on": D(2021, 9, 30),
        },
    )
    decision = _put(
        Decision,
        {"issuing_unit": organiser, "year": 2021, "number": 45},
        {
            "campaign": campaign,
            "signed_on": D(2021, 8, 2),
            "summary": "Về việc phân công cán bộ, công chức cấp tỉnh hỗ trợ cơ sở phòng, chống dịch Covid-19",
            "legal_bases": (
                "Căn cứ Quy định làm việc của Ban Chấp hành Đảng bộ tỉnh khóa XI, nhiệm kỳ 2020 - 2025;\n"
                "Căn cứ Kế hoạch của Ban Thường vụ Tỉnh ủy về tăng cường cán bộ hỗ trợ cơ sở phòng, chống dịch."
            ),
            "signing_authority": "T/M BAN THƯỜNG VỤ",
            "signer_position": "PHÓ BÍ THƯ THƯỜNG TRỰC",
            "signer_name": "Trần Văn Nam",
            "recipients": "- Ban Thường vụ Tỉnh ủy (b/c);\n- Các đơn vị có cán bộ được phân công;\n- Lưu VPTU.",
        },
    )
    head = _cadre(
        "HDND-001", "Trịnh Đức Tài", "Trưởng ban Văn hóa - Xã hội, HĐND tỉnh", units["HĐND tỉnh"], phone="0903 123 456"
    )
    _assign(
        head, campaign, decision, places["Tân Uyên/Tân Phước Khánh"], D(2021, 8, 3), "Đảng ủy phường Tân Phước Khánh"
    )

    # Three dozen further cadres from eleven units, one per ward, leaving a
    # few red-zone wards uncovered so that the dashboard shows a gap.
    wards = [key for key in places if "/" in key and not key.startswith("now/") and key != TAI_WARD]
    unit_names = [short for _name, short, _kind, _symbol in PROVINCIAL_UNITS]
    for index, ward_key in enumerate(wards[:-4]):
        number = index + 1
        name = (
            f"{FAMILY_NAMES[index % len(FAMILY_NAMES)]} {MIDDLE_NAMES[index % len(MIDDLE_NAMES)]} "
            f"{GIVEN_NAMES[index % len(GIVEN_NAMES)]}"
        )
        unit = units[unit_names[index % len(unit_names)]]
        cadre = _cadre(f"CB-{number:03d}", name, "Chuyên viên", unit, party_member=index % 3 != 0)
        starts_on = D(2021, 8, 3) if index % 2 == 0 else D(2021, 8, 20)
        _assign(cadre, campaign, decision, places[ward_key], starts_on, f"UBND phường {ward_key.split('/')[1]}")

    # One cadre fell ill and was replaced mid-mission; both stay in the history.
    sick = Assignment.objects.get(cadre__code="CB-002", campaign=campaign)
    if sick.replaced_by_id is None:
        stand_in = _cadre("CB-099", "Đỗ Hữu Phúc", "Phó Chánh Văn phòng", units["Sở Nội vụ"])
        assignment_replace(
            assignment=sick, replacement=stand_in, on=D(2021, 9, 1), reason="Cán bộ mắc Covid-19, điều trị tại nhà"
        )

    for unit_name, count in [("Sở Y tế", 6), ("Sở Nội vụ", 4), ("Ban Dân vận TU", 3), ("UBMTTQ tỉnh", 3)]:
        _put(Quota, {"campaign": campaign, "unit": units[unit_name], "locality": None}, {"count": count})
    return campaign


def _account(username, *, group=None, superuser=False, cadre=None, first_name="", last_name="") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # example.org is reserved for examples: reminders to demo accounts reach nobody.
        user = User(username=username, first_name=first_name, last_name=last_name, email=f"{username}@example.org")
        user.set_password(DEMO_PASSWORD)
    if user.pk is None or user.is_superuser != superuser or user.is_staff != superuser:
        user.is_superuser = user.is_staff = superuser
        user.save()
    if group:
        user.groups.add(group)
    if cadre and cadre.user_id != user.pk:
        cadre.user = user
        cadre.email = cadre.email or user.email
        cadre.save(update_fields=["user", "email"])
    return user


def load_accounts() -> list[tuple[str, str]]:
    """Demo accounts: (username, what it is for). All share DEMO_PASSWORD."""
    staff_group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    cadre_group, _ = Group.objects.get_or_create(name=CADRE_GROUP)
    accounts = [
        ("admin", "quản trị viên (superuser)"),
        ("vanphong", "cán bộ văn phòng Ban Thường vụ"),
    ]
    _account("admin", superuser=True, first_name="Quản trị")
    _account("vanphong", group=staff_group, first_name="Văn phòng", last_name="Tỉnh đoàn")
    for username, code in [("mai", "TD-001"), ("lam", "TD-002"), ("nguyen", "TD-003"), ("tai", "HDND-001")]:
        cadre = Cadre.objects.get(code=code)
        _account(username, group=cadre_group, cadre=cadre, first_name=cadre.full_name)
        accounts.append((username, f"cán bộ {cadre.full_name}"))
    return accounts + load_role_accounts()


# Accounts of the scoped roles (accounts/roles.py): (username, first name, role, unit, locality, what it is for).
ROLE_ACCOUNTS = [
    ("tinhdoan", "Ban Tổ chức Tỉnh đoàn", RoleKind.ORGANISER, "Tỉnh đoàn", None,
     "cán bộ tổ chức của Tỉnh đoàn: các đợt của Tỉnh đoàn"),
    ("bantochuc", "Ban Tổ chức Tỉnh ủy", RoleKind.ORGANISER, "Tỉnh ủy", None,
     "cán bộ tổ chức của Ban Tổ chức Tỉnh ủy: đợt cấp tỉnh quý III/2021"),
    ("giamsat", "Giám sát tỉnh", RoleKind.SUPERVISOR, None, "Bình Dương",
     "giám sát toàn tỉnh Bình Dương: xem tất cả, không sửa"),
    ("soyte", "Sở Y tế", RoleKind.UNIT, "Sở Y tế", None, "đầu mối đơn vị cử cán bộ: cán bộ của Sở Y tế"),
    ("tanuyen", "Thị xã Tân Uyên", RoleKind.LOCALITY, None, "Tân Uyên",
     "địa phương nơi đến: thị xã Tân Uyên và các phường"),
    ("tanphuockhanh", "Phường Tân Phước Khánh", RoleKind.LOCALITY, None, "Tân Uyên/Tân Phước Khánh",
     "địa phương nơi đến: phường Tân Phước Khánh"),
]  # fmt: skip


def load_role_accounts() -> list[tuple[str, str]]:
    """The organisers' staff, a supervisor, a sending unit and two host localities; run again, nothing changes."""
    units = {unit.short_name: unit for unit in ProvincialUnit.objects.filter(parent__isnull=True)}
    units["Tỉnh ủy"] = ProvincialUnit.objects.get(name="Ban Tổ chức Tỉnh ủy Bình Dương")
    province = Locality.objects.get(level=Level.PROVINCE, code=PROVINCE_CODE, valid_to=official.LAST_OLD_DAY)
    places = {"Bình Dương": province, "Tân Uyên": province.children.get(name="Tân Uyên")}
    places["Tân Uyên/Tân Phước Khánh"] = places["Tân Uyên"].children.get(name="Tân Phước Khánh")
    accounts = []
    for username, first_name, kind, unit, place, purpose in ROLE_ACCOUNTS:
        user = _account(username, first_name=first_name)
        Role.objects.get_or_create(
            user=user, kind=kind, unit=units[unit] if unit else None, locality=places[place] if place else None
        )
        accounts.append((username, purpose))
    # The ward's people carry on in the ward it became on 01/07/2025: they host today's campaign there.
    successor = places[TAI_WARD].successors.order_by("pk").first()
    Role.objects.get_or_create(
        user=User.objects.get(username="tanphuockhanh"), kind=RoleKind.LOCALITY, locality=successor
    )
    return accounts


def load_current_campaign(units, places) -> Campaign:
    """A campaign running now, so that the demo cadres can file today's note on `make run`.

    Its dates follow the day the demo is loaded; once loaded it is not moved.
    """
    today = timezone.localdate()
    youth_union = units["Tỉnh đoàn"]
    starts_on = today - datetime.timedelta(days=12)
    campaign, created = Campaign.objects.get_or_create(
        name="Đồng hành cùng cơ sở - đợt thực hành (dữ liệu minh họa)",
        defaults={
            "organising_unit": youth_union,
            "purpose": "Đợt minh họa đang diễn ra: cán bộ Tỉnh đoàn về cơ sở nắm tình hình và hỗ trợ địa phương.",
            "assignment_days": 30,
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=44),
        },
    )
    if not created:
        return campaign
    decision = Decision.objects.create(
        campaign=campaign,
        issuing_unit=youth_union,
        number=Decision.objects.filter(issuing_unit=youth_union, year=starts_on.year).count() + 300,
        signed_on=starts_on - datetime.timedelta(days=1),
        summary="Về việc phân công cán bộ Tỉnh đoàn về cơ sở",
        signing_authority="TM. BAN THƯỜNG VỤ",
        signer_position="BÍ THƯ",
        signer_name="Nguyễn Thanh Tâm",
        recipients="- Như Điều 3;\n- Lưu VP, BTC.",
    )
    # Today's units: the wards of Hồ Chí Minh City that the 2021 wards became on 01/07/2025.
    today_wards = [("TD-001", "Thủ Dầu Một/Phú Cường"), ("TD-002", "Dĩ An/Dĩ An"), ("TD-003", "Thuận An/Lái Thiêu")]
    for code, ward in today_wards:
        now = places[f"now/{ward}"]
        _assign(Cadre.objects.get(code=code), campaign, decision, now, starts_on, f"UBND phường {now.name}")
    tai = Cadre.objects.get(code="HDND-001")
    # His mission ends in three days: the demo shows the end-of-mission report opening.
    _assign(tai, campaign, decision, places[f"now/{TAI_WARD}"], today - datetime.timedelta(days=26), "")
    for ward in {ward.pk: ward for key, ward in places.items() if key.startswith("now/")}.values():
        ward.record_grading(grading=Grading.ORANGE, valid_from=starts_on - datetime.timedelta(days=5))
    return campaign


def load_free_cadres(units) -> list[Cadre]:
    return [_cadre(code, name, position, units[department]) for code, name, position, department in FREE_CADRES]


def load_coming_campaign(units) -> Campaign:
    """A campaign that starts in a week, with no decision yet: the one the walk-through issues a decision for.

    Its dates follow the day the demo is loaded; once loaded it is not moved.
    """
    youth_union = units["Tỉnh đoàn"]
    starts_on = timezone.localdate() + datetime.timedelta(days=COMING_CAMPAIGN_IN_DAYS)
    campaign, _created = Campaign.objects.get_or_create(
        name=COMING_CAMPAIGN,
        defaults={
            "organising_unit": youth_union,
            "purpose": "Đợt minh họa sắp diễn ra: cán bộ Tỉnh đoàn về cơ sở hỗ trợ địa phương trong 30 ngày.",
            "assignment_days": 30,
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=44),
        },
    )
    _put(Quota, {"campaign": campaign, "unit": youth_union, "locality": None}, {"count": len(FREE_CADRES)})
    return campaign


def load_host_locality_part() -> None:
    """Arrivals and departures confirmed, the localities' assessments and a unit's proposals, so that each
    role's pages show something. Run again, it writes nothing (history and data versions included)."""
    today = timezone.localdate()
    users = {user.username: user for user in User.objects.filter(username__in=["vanphong", "tanuyen", "soyte"])}
    in_tan_uyen = Q(locality__name="Tân Uyên") | Q(locality__parent__name="Tân Uyên")
    # Every mission of 2021 confirmed, but Bến Cát's: the organisers' dashboard shows arrivals missing.
    arrived = Assignment.objects.filter(starts_on__year=2021, arrived_on__isnull=True).exclude(
        locality__parent__name="Bến Cát"
    )
    changed = arrived.filter(in_tan_uyen).update(arrived_on=F("starts_on"), arrival_confirmed_by=users["tanuyen"])
    changed += arrived.update(arrived_on=F("starts_on"), arrival_confirmed_by=users["vanphong"])
    left = Assignment.objects.filter(arrived_on__isnull=False, left_on__isnull=True, ends_on__lt=today)
    changed += left.filter(in_tan_uyen).update(left_on=F("ends_on"), departure_confirmed_by=users["tanuyen"])
    changed += left.update(left_on=F("ends_on"), departure_confirmed_by=users["vanphong"])
    if changed:
        bump_after_commit(RECORDS)
    for code, rating, text in LOCAL_ASSESSMENTS:
        assignment = Assignment.objects.filter(cadre__code=code, starts_on__year=2021).first()
        if assignment and not LocalAssessment.objects.filter(assignment=assignment).exists():
            LocalAssessment.objects.create(assignment=assignment, rating=rating, text=text, written_by=users["tanuyen"])
    coming = Campaign.objects.get(name=COMING_CAMPAIGN)
    health = ProvincialUnit.objects.get(short_name="Sở Y tế", parent__isnull=True)
    _put(Quota, {"campaign": coming, "unit": health, "locality": None}, {"count": 2})
    for code, status, reason in HEALTH_PROPOSALS:
        cadre = Cadre.objects.get(code=code)
        if not Nomination.objects.filter(campaign=coming, cadre=cadre).exists():
            Nomination.objects.create(
                campaign=coming,
                unit=health,
                cadre=cadre,
                note="Có kinh nghiệm hỗ trợ cơ sở năm 2021",
                status=status,
                decline_reason=reason,
                proposed_by=users["soyte"],
                decided_at=timezone.now() if reason else None,
            )


# The localities' assessments of three 2021 missions in Tân Uyên: (cadre code, rating, text).
LOCAL_ASSESSMENTS = [
    (
        "HDND-001",
        Rating.EXCELLENT,
        "Đồng chí sâu sát cơ sở trong những ngày phường khóa chặt, đông cứng; trực tiếp cùng tổ lấy mẫu "
        "và kiến nghị kịp thời với tỉnh về nhân lực y tế.",
    ),
    ("TD-004", Rating.GOOD, "Nhiệt tình, phối hợp tốt với Đoàn phường; nắm chắc tình hình các khu phố."),
]
# The Department of Health's proposals for the coming campaign: one waiting, one declined with a reason.
HEALTH_PROPOSALS = [
    ("CB-014", NominationStatus.PROPOSED, ""),
    ("CB-025", NominationStatus.DECLINED, "Đồng chí đang được điều động về Bệnh viện dã chiến số 3."),
]


def load_demo() -> list[tuple[str, str]]:
    places = load_localities()
    units = load_units()
    load_youth_union_campaign(units, places)
    load_province_campaign(units, places)
    load_current_campaign(units, places)
    load_free_cadres(units)
    load_coming_campaign(units)
    accounts = load_accounts()
    load_host_locality_part()
    return accounts
