"""Demo notes, escalations and end-of-mission reports for the scenario's cadres.

The content paraphrases what the two source articles tell of the 2021 missions:
door-to-door outreach, testing, propaganda in boarding houses and companies,
"4 tại chỗ", ward staff infected so the cadres filled the gaps, equipment from
the local leaders. Everything is chosen from fixed lists by the day and the
cadre's position, and looked up by its natural key first (a note by assignment
and day, an escalation by assignment and subject, a report by assignment), so
loading twice changes nothing.
"""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cadres.models import Assignment
from demo.records import YOUTH_CADRES
from reports.models import (
    Activity,
    Addressee,
    DailyNote,
    Escalation,
    EscalationCategory,
    EscalationStatus,
    Health,
    LocalOutcome,
    MissionReport,
    Rating,
    Recommendation,
    RecommendationStatus,
    ReportStatus,
    Urgency,
)

D = datetime.date
CURRENT_CAMPAIGN = "Đồng hành cùng cơ sở - đợt thực hành (dữ liệu minh họa)"
YOUTH_CODES = [code for code, *_rest in YOUTH_CADRES]
TAI = "HDND-001"

# (activities, situation) — {ward} is replaced by the place of the mission.
DAYS = [
    (
        [Activity.DOOR_TO_DOOR, Activity.LOCAL_WORK],
        "Cùng Đoàn phường đi từng ngõ, gõ cửa từng nhà ở {ward}, vận động người dân ở yên tại chỗ, "
        "khai báo y tế và báo ngay cho tổ COVID cộng đồng khi có triệu chứng.",
    ),
    (
        [Activity.TESTING],
        "Hỗ trợ tổ lấy mẫu xét nghiệm nhanh tại các khu phố của {ward}: hướng dẫn người dân xếp hàng giãn cách, "
        "nhập thông tin và trả kết quả. Nhiều cán bộ phường mắc Covid-19 phải cách ly nên tổ công tác "
        "trực tiếp đảm nhận phần nhập liệu.",
    ),
    (
        [Activity.PROPAGANDA, Activity.DOOR_TO_DOOR],
        "Tuyên truyền tại các khu nhà trọ và công ty trên địa bàn {ward} về thực hiện nghiêm Chỉ thị 16, "
        "phương án “3 tại chỗ” của doanh nghiệp; phát tờ rơi, nhắc chủ nhà trọ theo dõi người ở trọ.",
    ),
    (
        [Activity.SUPPLIES],
        "Phối hợp Mặt trận phường phát túi an sinh, gạo và rau củ cho công nhân ở trọ mất việc tại {ward}; "
        "lập danh sách hộ khó khăn chưa được hỗ trợ.",
    ),
    (
        [Activity.VACCINATION, Activity.PROPAGANDA],
        "Hỗ trợ điểm tiêm vắc xin của {ward}: hướng dẫn khai báo, giữ giãn cách, vận động người cao tuổi "
        "và người có bệnh nền đi tiêm.",
    ),
    (
        [Activity.CHECKPOINTS],
        "Trực chốt kiểm soát ra vào khu phong tỏa cùng dân quân và tổ COVID cộng đồng {ward}; "
        "nhận, chuyển hàng hóa thiết yếu cho các hộ bên trong.",
    ),
    (
        [Activity.LOCAL_WORK, Activity.TESTING],
        "Làm việc với Thường trực Đoàn phường {ward} về sinh hoạt chi đoàn trong thời gian giãn cách, "
        "đội hình thanh niên tình nguyện tham gia lấy mẫu và việc theo dõi đoàn viên F0 điều trị tại nhà.",
    ),
]

DIFFICULTIES = [
    "",
    "Nhiều cán bộ phường mắc Covid-19 phải cách ly, lực lượng tại chỗ mỏng, áp lực công việc lớn.",
    "Thiếu bộ xét nghiệm nhanh và đồ bảo hộ cho tình nguyện viên.",
    "",
    "Công nhân ở trọ mất việc, thiếu lương thực; một số chủ nhà trọ chưa giảm tiền thuê.",
    "Trời mưa, lấy mẫu ngoài trời kéo dài đến tối.",
]

NEEDS = [
    "",
    "Cần bổ sung đồ bảo hộ và bộ xét nghiệm nhanh cho tổ lấy mẫu.",
    "",
    "Đề nghị hỗ trợ thêm túi an sinh cho các khu nhà trọ đông công nhân.",
]

OTHER_ACTIVITIES = [
    "",
    "Lãnh đạo phường bố trí chỗ ở, bữa ăn và cấp máy đo SpO2, đồ bảo hộ cho tổ công tác theo phương châm “4 tại chỗ”.",
    "",
    "",
    "Báo cáo nhanh tình hình trong ngày cho Thường trực Tỉnh đoàn.",
]


def _skip(index: int, day_number: int) -> bool:
    """A few missing days per cadre, at different places for each."""
    return (day_number * 7 + index * 5) % 13 == 0


def _health(code: str, day_number: int) -> str:
    # One Youth Union cadre was a close contact and worked from quarantine for a week.
    if code == "TD-006" and 10 <= day_number <= 16:
        return Health.QUARANTINED
    return Health.WELL


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# Demo content is Vietnamese data, not interface text: the kinds are spelled out here.
KIND_IN_TEXT = {
    "city": "thành phố",
    "town": "thị xã",
    "district": "huyện",
    "ward": "phường",
    "commune": "xã",
    "township": "thị trấn",
}


def _ward(assignment: Assignment) -> str:
    locality = assignment.locality
    return f"{KIND_IN_TEXT.get(locality.kind, '')} {locality.name}".strip()


def _notes_for(assignment: Assignment, index: int, last_day: datetime.date) -> None:
    existing = set(assignment.notes.values_list("day", flat=True))
    day = assignment.starts_on
    while day <= min(assignment.ends_on, last_day):
        number = assignment.day_number(day)
        if day not in existing and not _skip(index, number):
            activities, situation = DAYS[(number + index) % len(DAYS)]
            note = DailyNote.objects.create(
                assignment=assignment,
                day=day,
                activities=list(activities),
                situation=situation.format(ward=_ward(assignment)),
                difficulties=DIFFICULTIES[(number + 2 * index) % len(DIFFICULTIES)],
                needs=NEEDS[(number + index) % len(NEEDS)],
                other_activities=OTHER_ACTIVITIES[(number + 3 * index) % len(OTHER_ACTIVITIES)],
                health=_health(assignment.cadre.code, number),
            )
            # Filed in the evening of its day, as a cadre would.
            at = _at(day, 20, 15 + index)
            DailyNote.objects.filter(pk=note.pk).update(created_at=at, written_at=at)
        day += datetime.timedelta(days=1)


def demo_assignments() -> tuple[list[Assignment], list[Assignment]]:
    """(the 2021 missions of the Youth Union cadres and Trịnh Đức Tài, the missions of today's campaign)."""
    related = ("cadre", "locality__parent", "campaign")
    in_2021 = list(
        Assignment.objects.filter(cadre__code__in=[*YOUTH_CODES, TAI], starts_on__year=2021)
        .select_related(*related)
        .order_by("cadre__code")
    )
    current = list(Assignment.objects.filter(campaign__name=CURRENT_CAMPAIGN).select_related(*related).order_by("pk"))
    return in_2021, current


def _note(assignment: Assignment, day: datetime.date) -> DailyNote | None:
    return assignment.notes.filter(day=day).first()


def _escalation(assignment: Assignment, subject: str, *, on: datetime.date, **fields) -> Escalation:
    escalation = Escalation.objects.filter(assignment=assignment, subject=subject).first()
    if escalation is None:
        escalation = Escalation.objects.create(
            assignment=assignment, subject=subject, note=_note(assignment, on), **fields
        )
        Escalation.objects.filter(pk=escalation.pk).update(created_at=_at(on, 20, 40))
    return escalation


def load_escalations(in_2021: list[Assignment], current: list[Assignment], staff: User | None) -> None:
    by_code = {assignment.cadre.code: assignment for assignment in in_2021}
    tai = by_code.get(TAI)
    if tai:
        _escalation(
            tai,
            "Cán bộ phường mắc Covid-19, thiếu nhân lực lấy mẫu xét nghiệm",
            on=D(2021, 8, 24),
            description=(
                "Phường Tân Phước Khánh đang khóa chặt, đông cứng; 9 cán bộ, công chức phường mắc Covid-19 "
                "đang điều trị. Tổ lấy mẫu chỉ còn 4 người trong khi phải xét nghiệm toàn bộ người dân. "
                "Đề nghị tỉnh tăng cường nhân viên y tế và tình nguyện viên."
            ),
            category=EscalationCategory.STAFFING,
            urgency=Urgency.URGENT,
            status=EscalationStatus.RESOLVED,
            assigned_to=staff,
            answer=(
                "Ban Chỉ đạo tỉnh đã điều động 10 nhân viên y tế của Sở Y tế và 20 đoàn viên tình nguyện "
                "về hỗ trợ phường từ ngày 26/8/2021; Thị đoàn Tân Uyên bố trí nơi ở cho lực lượng tăng cường."
            ),
            answered_at=_at(D(2021, 8, 25), 10, 30),
            # The ward forwarded it the same evening: beyond its authority.
            local_outcome=LocalOutcome.FORWARDED,
            local_comment=(
                "Vượt khả năng của phường: phường đã huy động toàn bộ cán bộ còn khỏe và 12 đoàn viên, "
                "vẫn thiếu người lấy mẫu. Đề nghị tỉnh hỗ trợ nhân viên y tế."
            ),
            local_by=User.objects.filter(username="tanphuockhanh").first(),
            local_at=_at(D(2021, 8, 24), 21, 15),
        )
    lam = by_code.get("TD-002")
    if lam:
        _escalation(
            lam,
            "Thiếu máy đo SpO2 và bình oxy cho tổ chăm sóc F0 tại nhà",
            on=D(2021, 8, 29),
            description=(
                "Các tổ COVID cộng đồng của thành phố Dĩ An theo dõi hơn 300 F0 điều trị tại nhà nhưng chỉ có "
                "25 máy đo SpO2, chưa có bình oxy dự phòng. Đề nghị tỉnh hỗ trợ thiết bị."
            ),
            category=EscalationCategory.EQUIPMENT,
            urgency=Urgency.NORMAL,
            status=EscalationStatus.IN_PROGRESS,
            assigned_to=staff,
        )
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    current_by_code = {assignment.cadre.code: assignment for assignment in current}
    tai_now = current_by_code.get(TAI)
    if tai_now and tai_now.starts_on <= yesterday:
        _escalation(
            tai_now,
            "Khu nhà trọ đông công nhân mất việc, thiếu lương thực",
            on=yesterday,
            description=(
                "Ba khu nhà trọ ở khu phố Tân Phước (khoảng 450 công nhân) mất việc do doanh nghiệp tạm dừng "
                "sản xuất; nhiều phòng đã hết gạo. Ngân sách phường không đủ để hỗ trợ. Đề nghị tỉnh hỗ trợ "
                "khẩn cấp lương thực trong tuần này."
            ),
            category=EscalationCategory.SOCIAL,
            urgency=Urgency.URGENT,
        )
    nguyen_now = current_by_code.get("TD-003")
    if nguyen_now and nguyen_now.starts_on <= yesterday:
        _escalation(
            nguyen_now,
            "Đề nghị hướng dẫn kiện toàn Ban Chấp hành Đoàn phường",
            on=max(nguyen_now.starts_on, yesterday - datetime.timedelta(days=3)),
            description=(
                "Hai ủy viên Ban Chấp hành Đoàn phường đã chuyển công tác; phường đề nghị hướng dẫn quy trình "
                "kiện toàn, bổ sung ủy viên trong năm."
            ),
            category=EscalationCategory.OTHER,
        )


REPORTS = {
    "TD-001": {
        "status": ReportStatus.ACCEPTED,
        "rating": Rating.EXCELLENT,
        "submitted": D(2021, 9, 15),
        "reviewed": D(2021, 9, 20),
        "comment": "Báo cáo đầy đủ, số liệu cụ thể; đề xuất sát thực tế cơ sở.",
        "results": (
            "Trong 30 ngày cùng ở, cùng làm việc tại Thành đoàn Thủ Dầu Một, tôi đã cùng đoàn viên, thanh niên đi "
            "từng ngõ, gõ cửa từng nhà vận động người dân thực hiện Chỉ thị 16; hỗ trợ 14 đợt lấy mẫu xét "
            "nghiệm; tuyên truyền tại 36 khu nhà trọ và 12 công ty; phối hợp trao hơn 1.200 túi an sinh."
        ),
        "local_work": (
            "Thành đoàn duy trì tốt các đội hình thanh niên tình nguyện; sinh hoạt chi đoàn chuyển sang hình thức "
            "trực tuyến. Một số cơ sở Đoàn khu phố còn lúng túng khi đoàn viên nòng cốt là F0."
        ),
        "difficulties": "Nhiều cán bộ phường mắc Covid-19; thiếu đồ bảo hộ cho tình nguyện viên trong tuần đầu.",
        "recommendations": [
            (
                "Tỉnh đoàn sớm ban hành hướng dẫn đánh giá, xếp loại cơ sở Đoàn năm 2021 có tính đến kết quả "
                "tham gia phòng, chống dịch.",
                Addressee.PROVINCE,
                RecommendationStatus.IN_PROGRESS,
                "Ban Tổ chức - Kiểm tra đang dự thảo hướng dẫn, trình Ban Thường vụ trong tháng 11.",
            ),
            (
                "Dự trữ đồ bảo hộ, bộ xét nghiệm nhanh cho đội hình thanh niên tình nguyện theo phương châm "
                "“4 tại chỗ”.",
                Addressee.PROVINCE,
                RecommendationStatus.DONE,
                "Đã phân bổ 2.000 bộ đồ bảo hộ cho các Thành đoàn, Thị đoàn.",
            ),
            (
                "Thành đoàn kiện toàn ngay các chi đoàn khu phố có bí thư là F0.",
                Addressee.LOCAL,
                RecommendationStatus.ACCEPTED,
                "",
            ),
        ],
    },
    "TD-002": {
        "status": ReportStatus.SUBMITTED,
        "submitted": D(2021, 9, 15),
        "results": (
            "Tôi đã hỗ trợ Thành đoàn Dĩ An tuyên truyền tại các khu nhà trọ, công ty, xí nghiệp; tham gia trực "
            "chốt, lấy mẫu xét nghiệm tại phường An Bình trong thời gian khóa chặt, đông cứng; tổng hợp nhu cầu "
            "thiết bị của các tổ COVID cộng đồng để báo cáo tỉnh."
        ),
        "local_work": "Thành đoàn chủ động, phối hợp tốt với Mặt trận và Hội Liên hiệp Phụ nữ thành phố.",
        "difficulties": "Thiếu máy đo SpO2 và bình oxy cho tổ chăm sóc F0 tại nhà.",
        "recommendations": [
            (
                "Tỉnh hỗ trợ máy đo SpO2, bình oxy cho các tổ COVID cộng đồng của thành phố Dĩ An.",
                Addressee.PROVINCE,
                RecommendationStatus.NEW,
                "",
            ),
            (
                "Thành đoàn duy trì đội hình tuyên truyền tại khu nhà trọ sau khi nới lỏng giãn cách.",
                Addressee.LOCAL,
                RecommendationStatus.NEW,
                "",
            ),
        ],
    },
    # Waiting for review: the reviewer reads Tân Phước Khánh ward's assessment beside it.
    TAI: {
        "status": ReportStatus.SUBMITTED,
        "submitted": D(2021, 9, 3),
        "results": (
            "Trực tiếp cùng Đảng ủy phường Tân Phước Khánh chỉ đạo các tổ lấy mẫu xét nghiệm toàn dân trong "
            "thời gian khóa chặt, đông cứng; kiến nghị kịp thời với Ban Chỉ đạo tỉnh tăng cường nhân viên y tế."
        ),
        "local_work": "Đảng ủy, chính quyền phường vào cuộc quyết liệt dù 9 cán bộ, công chức mắc Covid-19.",
        "difficulties": "Thiếu nhân lực lấy mẫu và nơi ở cho lực lượng tăng cường.",
        "recommendations": [
            (
                "Tỉnh sớm có cơ chế điều động nhân viên y tế về các phường khóa chặt khi cán bộ cơ sở mắc bệnh.",
                Addressee.PROVINCE,
                RecommendationStatus.NEW,
                "",
            ),
        ],
    },
    "TD-003": {
        "status": ReportStatus.RETURNED,
        "submitted": D(2021, 9, 14),
        "reviewed": D(2021, 9, 17),
        "comment": (
            "Đề nghị bổ sung số liệu cụ thể (số hộ đã vận động, số mẫu xét nghiệm đã hỗ trợ) và đánh giá "
            "xếp loại các cơ sở Đoàn trực thuộc Thành đoàn Thuận An."
        ),
        "results": "Hỗ trợ Thành đoàn Thuận An trong công tác phòng, chống dịch tại các phường vùng đỏ.",
        "local_work": "Các cơ sở Đoàn hoạt động tích cực.",
        "difficulties": "",
        "recommendations": [
            (
                "Tăng cường cán bộ Tỉnh đoàn về hỗ trợ các phường Thuận Giao, Bình Chuẩn.",
                Addressee.PROVINCE,
                RecommendationStatus.NEW,
                "",
            ),
        ],
    },
}


def load_reports(in_2021: list[Assignment], staff: User | None) -> None:
    by_code = {assignment.cadre.code: assignment for assignment in in_2021}
    for code, spec in REPORTS.items():
        assignment = by_code.get(code)
        if assignment is None or MissionReport.objects.filter(assignment=assignment).exists():
            continue
        reviewed = spec.get("reviewed")
        report = MissionReport.objects.create(
            assignment=assignment,
            results=spec["results"],
            local_work=spec["local_work"],
            difficulties=spec["difficulties"],
            status=spec["status"],
            submitted_at=_at(spec["submitted"], 17),
            review_comment=spec.get("comment", ""),
            rating=spec.get("rating", ""),
            reviewed_by=staff if reviewed else None,
            reviewed_at=_at(reviewed, 9) if reviewed else None,
        )
        for text, addressee, status, response in spec["recommendations"]:
            Recommendation.objects.create(
                report=report,
                text=text,
                addressed_to=addressee,
                status=status,
                response=response,
                owner=staff if status != RecommendationStatus.NEW else None,
            )


def load_demo_notes() -> None:
    """Notes, escalations and reports; call after demo.records.load_demo()."""
    in_2021, current = demo_assignments()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for index, assignment in enumerate(in_2021):
        _notes_for(assignment, index, assignment.ends_on)
    for index, assignment in enumerate(current):
        _notes_for(assignment, index + len(in_2021), yesterday)
    staff = User.objects.filter(username="vanphong").first()
    load_escalations(in_2021, current, staff)
    load_reports(in_2021, staff)
