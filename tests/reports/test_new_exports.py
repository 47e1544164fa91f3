"""The Excel files of the daily notes, the escalations and the end-of-mission reports (reports/exports.py).

Each follows its list: the same filters, the same scope (a sending unit its cadres, a host locality the
escalations of its area), every row rather than a page. Headers are the office's Vietnamese words whatever the
reader's language, dates are real dates, what people typed is never run as a formula, and the query count does
not grow with the rows.
"""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.roles import RoleKind
from localities.models import ChangeKind, LocalityChange, LocalityKind
from reports.models import (
    Activity,
    EscalationStatus,
    Health,
    LocalAssessment,
    LocalOutcome,
    Rating,
    ReportStatus,
    Urgency,
)
from reports.review import escalation_answer, escalation_resolve
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DailyNoteFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    RecommendationFactory,
    RoleFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

NOTES = reverse("reports:notes_export")
ESCALATIONS = reverse("reports:escalation_export")
REPORTS = reverse("reports:report_export")
HOSTILE = '=HYPERLINK("http://x","y")'


def _rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows())


def _values(response) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in _rows(response)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _vi(label) -> str:
    with translation.override("vi"):
        return str(label)


def _mission(name: str = "Nguyễn Thị Lan", **fields):
    """An assignment in a ward of a town, of a cadre of a department of a provincial unit."""
    unit = ProvincialUnitFactory(name="Sở Y tế")
    district = LocalityFactory(name="Tân Uyên", kind=LocalityKind.TOWN)
    return AssignmentFactory(
        cadre=CadreFactory(full_name=name, unit=ProvincialUnitFactory(name="Phòng Nghiệp vụ", parent=unit)),
        locality=LocalityFactory(name="Uyên Hưng", kind=LocalityKind.WARD, parent=district),
        campaign=CampaignFactory(name="Đợt 2 năm 2021"),
        **fields,
    )


# Daily notes.


def test_the_notes_export_writes_a_row_a_note_with_real_dates(staff_client):
    note = DailyNoteFactory(
        assignment=_mission(),
        day=datetime.date(2021, 8, 20),
        activities=[Activity.DOOR_TO_DOOR, Activity.TESTING],
        other_activities="Phát túi an sinh.",
        situation="Ổn định.",
        difficulties="Thiếu kit test.",
        needs="Bổ sung 500 kit.",
        health=Health.QUARANTINED,
        photo="notes/2021/08/a.jpg",
    )
    rows = _rows(staff_client.get(NOTES))
    headers = [cell.value for cell in rows[0]]
    assert headers[:7] == ["STT", "Ngày", "Họ và tên", "Mã cán bộ", "Đơn vị", "Địa bàn", "Đợt công tác"]
    assert len(rows) == 2
    row = dict(zip(headers, rows[1], strict=True))
    assert row["Ngày"].value == datetime.datetime(2021, 8, 20)
    assert row["Ngày"].number_format == "dd/mm/yyyy"
    assert row["Họ và tên"].value == "Nguyễn Thị Lan"
    assert row["Mã cán bộ"].value == note.assignment.cadre.code
    assert row["Đơn vị"].value == "Phòng Nghiệp vụ, Sở Y tế"
    assert row["Địa bàn"].value == "Phường Uyên Hưng, Thị xã Tân Uyên"
    assert row["Đợt công tác"].value == "Đợt 2 năm 2021"
    assert row["Công việc đã làm"].value == f"{_vi(Activity.DOOR_TO_DOOR.label)}; {_vi(Activity.TESTING.label)}"
    texts = [row[h].value for h in ("Công việc khác", "Tình hình ghi nhận", "Khó khăn", "Nhu cầu, đề xuất")]
    assert texts == ["Phát túi an sinh.", "Ổn định.", "Thiếu kit test.", "Bổ sung 500 kit."]
    assert row["Sức khỏe"].value == _vi(Health.QUARANTINED.label)
    assert row["Ảnh"].value == "có"
    received = timezone.localtime(note.created_at).replace(tzinfo=None, microsecond=0)
    assert row["Gửi lúc"].value.replace(microsecond=0) == received
    assert row["Gửi lúc"].number_format.startswith("dd/mm/yyyy")
    assert row["Nộp muộn"].value == "không"


def test_the_notes_export_names_the_place_as_on_the_notes_day(staff_client):
    assignment = _mission()
    DailyNoteFactory(assignment=assignment, day=datetime.date(2021, 8, 20))
    LocalityChange.objects.create(
        locality=assignment.locality.parent,
        kind=ChangeKind.RECLASSIFY,
        effective_on=datetime.date(2023, 4, 10),
        name_before="Tân Uyên",
        kind_before=LocalityKind.TOWN,
    )
    district = assignment.locality.parent
    district.kind = LocalityKind.CITY
    district.save()
    rows = _values(staff_client.get(NOTES))
    assert rows[1][5] == "Phường Uyên Hưng, Thị xã Tân Uyên"


def test_the_notes_export_applies_the_lists_filters(staff_client):
    quarantined = DailyNoteFactory(health=Health.QUARANTINED)
    DailyNoteFactory(health=Health.WELL)
    DailyNoteFactory(health=Health.QUARANTINED, assignment__starts_on=datetime.date(2021, 8, 30))
    rows = _values(staff_client.get(NOTES, {"health": Health.QUARANTINED, "date_to": "2021-08-20"}))
    assert [row[3] for row in rows[1:]] == [quarantined.assignment.cadre.code]


def test_a_sending_unit_exports_the_notes_of_its_cadres_only_and_a_host_locality_none():
    own = DailyNoteFactory(assignment=_mission())
    DailyNoteFactory()
    unit = RoleFactory(kind=RoleKind.UNIT, unit=own.assignment.cadre.unit).user
    rows = _values(_client(unit).get(NOTES))
    assert [row[3] for row in rows[1:]] == [own.assignment.cadre.code]
    host = RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=own.assignment.locality.parent).user
    assert len(_values(_client(host).get(NOTES))) == 1


# Escalations.


def test_the_escalations_export_writes_the_hosts_and_the_provinces_handling(staff_client):
    escalation = EscalationFactory(
        assignment=_mission(), subject="Thiếu nhân lực", urgency=Urgency.URGENT, category="staffing"
    )
    official = StaffUserFactory()
    escalation.handle_locally(outcome=LocalOutcome.FORWARDED, comment="Phường đã điều động dân quân.", by=official)
    organiser = StaffUserFactory(first_name="Trần", last_name="Bình")
    escalation_answer(escalation=escalation, answer="Tỉnh tăng cường 5 y sĩ.", by=organiser)
    escalation_resolve(escalation=escalation, by=organiser)
    escalation.refresh_from_db()
    rows = _rows(staff_client.get(ESCALATIONS))
    headers = [cell.value for cell in rows[0]]
    assert headers[:3] == ["STT", "Thời điểm phản ánh", "Họ và tên"]
    assert len(rows) == 2
    row = dict(zip(headers, rows[1], strict=True))
    raised = timezone.localtime(escalation.created_at).replace(tzinfo=None, microsecond=0)
    assert row["Thời điểm phản ánh"].value.replace(microsecond=0) == raised
    assert row["Thời điểm phản ánh"].number_format.startswith("dd/mm/yyyy")
    assert row["Họ và tên"].value == "Nguyễn Thị Lan"
    assert row["Địa bàn"].value == "Phường Uyên Hưng, Thị xã Tân Uyên"
    assert row["Tiêu đề"].value == "Thiếu nhân lực"
    assert row["Nội dung"].value == escalation.description
    assert row["Mức độ"].value == _vi(Urgency.URGENT.label)
    assert row["Trạng thái"].value == _vi(EscalationStatus.RESOLVED.label)
    assert row["Địa phương xử lý"].value == _vi(LocalOutcome.FORWARDED.label)
    assert row["Ý kiến của địa phương"].value == "Phường đã điều động dân quân."
    assert isinstance(row["Địa phương xử lý lúc"].value, datetime.datetime)
    assert row["Người xử lý"].value == "Trần Bình"
    assert row["Trả lời của tỉnh"].value == "Tỉnh tăng cường 5 y sĩ."
    resolved = escalation.history.filter(status=EscalationStatus.RESOLVED).earliest("history_date").history_date
    assert row["Hoàn thành lúc"].value.replace(microsecond=0) == timezone.localtime(resolved).replace(
        tzinfo=None, microsecond=0
    )


def test_a_reopened_escalation_is_not_resolved_and_a_resolved_again_one_counts_from_the_last_time(staff_client):
    escalation = EscalationFactory(answer="Đã xử lý.", status=EscalationStatus.RESOLVED)
    escalation.status = EscalationStatus.IN_PROGRESS
    escalation.save()
    assert _values(staff_client.get(ESCALATIONS))[1][-1] is None
    escalation.status = EscalationStatus.RESOLVED
    escalation.save()
    last = escalation.history.latest("history_date").history_date
    value = _values(staff_client.get(ESCALATIONS))[1][-1]
    assert value.replace(microsecond=0) == timezone.localtime(last).replace(tzinfo=None, microsecond=0)


def test_the_escalations_export_applies_the_lists_filters(staff_client):
    urgent = EscalationFactory(urgency=Urgency.URGENT)
    EscalationFactory(urgency=Urgency.NORMAL)
    EscalationFactory(urgency=Urgency.URGENT, status=EscalationStatus.RESOLVED)
    rows = _values(staff_client.get(ESCALATIONS, {"urgency": Urgency.URGENT, "status": EscalationStatus.OPEN}))
    assert [row[3] for row in rows[1:]] == [urgent.assignment.cadre.code]


def test_a_sending_unit_and_a_host_locality_export_the_escalations_they_see():
    own = EscalationFactory(assignment=_mission())
    elsewhere = EscalationFactory()
    unit = RoleFactory(kind=RoleKind.UNIT, unit=own.assignment.cadre.unit).user
    assert [row[3] for row in _values(_client(unit).get(ESCALATIONS))[1:]] == [own.assignment.cadre.code]
    host = RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=own.assignment.locality.parent).user
    assert [row[3] for row in _values(_client(host).get(ESCALATIONS))[1:]] == [own.assignment.cadre.code]
    other_unit = RoleFactory(kind=RoleKind.UNIT, unit=elsewhere.assignment.cadre.unit).user
    assert [row[3] for row in _values(_client(other_unit).get(ESCALATIONS))[1:]] == [elsewhere.assignment.cadre.code]


# End-of-mission reports.


def test_the_reports_export_writes_the_ratings_and_the_hosts_assessment(staff_client):
    assignment = _mission()
    reviewer = StaffUserFactory(first_name="Lê", last_name="Hoa")
    report = MissionReportFactory(
        assignment=assignment,
        status=ReportStatus.ACCEPTED,
        rating=Rating.GOOD,
        review_comment="Báo cáo đầy đủ.",
        reviewed_by=reviewer,
        reviewed_at=datetime.datetime(2021, 9, 20, 2, 0, tzinfo=datetime.UTC),
    )
    RecommendationFactory.create_batch(3, report=report)
    LocalAssessment.objects.create(assignment=assignment, rating=Rating.EXCELLENT, text="Nhiệt tình, trách nhiệm.")
    MissionReportFactory(status=ReportStatus.DRAFT)  # Nobody's but its cadre's.
    rows = _rows(staff_client.get(REPORTS))
    headers = [cell.value for cell in rows[0]]
    assert headers[:6] == ["STT", "Họ và tên", "Mã cán bộ", "Đơn vị", "Địa bàn", "Đợt công tác"]
    assert len(rows) == 2
    row = dict(zip(headers, rows[1], strict=True))
    assert row["Họ và tên"].value == "Nguyễn Thị Lan"
    assert row["Đơn vị"].value == "Phòng Nghiệp vụ, Sở Y tế"
    assert row["Địa bàn"].value == "Phường Uyên Hưng, Thị xã Tân Uyên"
    assert row["Đợt công tác"].value == "Đợt 2 năm 2021"
    for header, day in [
        ("Từ ngày", datetime.datetime(2021, 8, 17)),
        ("Đến ngày", datetime.datetime(2021, 9, 15)),
        ("Ngày nộp", datetime.datetime(2021, 9, 15)),
        ("Ngày duyệt", datetime.datetime(2021, 9, 20)),
    ]:
        assert (row[header].value, row[header].number_format) == (day, "dd/mm/yyyy"), header
    assert row["Trạng thái"].value == _vi(ReportStatus.ACCEPTED.label)
    assert row["Xếp loại của Ban tổ chức"].value == _vi(Rating.GOOD.label)
    assert row["Nhận xét của Ban tổ chức"].value == "Báo cáo đầy đủ."
    assert row["Người duyệt"].value == "Lê Hoa"
    assert row["Xếp loại của địa phương"].value == _vi(Rating.EXCELLENT.label)
    assert row["Nhận xét của địa phương"].value == "Nhiệt tình, trách nhiệm."
    assert row["Số kiến nghị"].value == 3


def test_the_reports_export_applies_the_lists_filters(staff_client):
    accepted = MissionReportFactory(status=ReportStatus.ACCEPTED, rating=Rating.GOOD)
    MissionReportFactory(status=ReportStatus.SUBMITTED)
    MissionReportFactory(status=ReportStatus.ACCEPTED, rating=Rating.GOOD, assignment__campaign=CampaignFactory())
    rows = _values(staff_client.get(REPORTS, {"status": "accepted", "campaign": accepted.assignment.campaign_id}))
    assert [row[2] for row in rows[1:]] == [accepted.assignment.cadre.code]


def test_a_sending_unit_exports_the_reports_of_its_cadres_only_and_a_host_locality_none():
    own = MissionReportFactory(assignment=_mission())
    MissionReportFactory()
    unit = RoleFactory(kind=RoleKind.UNIT, unit=own.assignment.cadre.unit).user
    assert [row[2] for row in _values(_client(unit).get(REPORTS))[1:]] == [own.assignment.cadre.code]
    host = RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=own.assignment.locality.parent).user
    assert len(_values(_client(host).get(REPORTS))) == 1


# All three.


def _hostile_note():
    return DailyNoteFactory(
        assignment=AssignmentFactory(cadre=CadreFactory(full_name=HOSTILE)),
        other_activities=HOSTILE,
        situation=HOSTILE,
        difficulties=HOSTILE,
        needs=HOSTILE,
    )


def _hostile_escalation():
    return EscalationFactory(
        assignment=AssignmentFactory(cadre=CadreFactory(full_name=HOSTILE)),
        subject=HOSTILE,
        description=HOSTILE,
        local_comment=HOSTILE,
        answer=HOSTILE,
    )


def _hostile_report():
    return MissionReportFactory(
        assignment=AssignmentFactory(cadre=CadreFactory(full_name=HOSTILE)),
        status=ReportStatus.ACCEPTED,
        review_comment=HOSTILE,
    )


HOSTILE_COLUMNS = {
    NOTES: (_hostile_note, ["Họ và tên", "Công việc khác", "Tình hình ghi nhận", "Khó khăn", "Nhu cầu, đề xuất"]),
    ESCALATIONS: (
        _hostile_escalation,
        ["Họ và tên", "Tiêu đề", "Nội dung", "Ý kiến của địa phương", "Trả lời của tỉnh"],
    ),
    REPORTS: (_hostile_report, ["Họ và tên", "Nhận xét của Ban tổ chức"]),
}


@pytest.mark.parametrize("url", HOSTILE_COLUMNS)
def test_text_that_looks_like_a_formula_is_written_as_text(staff_client, url):
    make, columns = HOSTILE_COLUMNS[url]
    make()
    rows = _rows(staff_client.get(url))
    headers = [cell.value for cell in rows[0]]
    row = dict(zip(headers, rows[1], strict=True))
    for column in columns:
        cell = row[column]
        assert cell.value == HOSTILE, column
        assert (cell.data_type, cell.quotePrefix) == ("s", True), column
    assert all(cell.data_type != "f" for cell in rows[1])


@pytest.mark.parametrize("url", [NOTES, ESCALATIONS, REPORTS])
def test_the_list_links_to_its_export_with_its_filters(staff_client, url):
    list_url = {NOTES: "reports:notes_inbox", ESCALATIONS: "reports:escalation_inbox", REPORTS: "reports:report_list"}
    campaign = CampaignFactory()
    response = staff_client.get(reverse(list_url[url]), {"campaign": campaign.pk})
    assert f'href="{url}?campaign={campaign.pk}"' in response.content.decode()


def _many(count: int):
    for number in range(count):
        # Each row of its own unit, department, ward, town and campaign: nothing is shared by chance.
        assignment = AssignmentFactory(
            cadre=CadreFactory(unit=ProvincialUnitFactory(parent=ProvincialUnitFactory())),
            locality=LocalityFactory(parent=LocalityFactory(kind=LocalityKind.TOWN)),
        )
        DailyNoteFactory(assignment=assignment)
        escalation = EscalationFactory(assignment=assignment, assigned_to=StaffUserFactory())
        escalation.status = EscalationStatus.RESOLVED
        escalation.save()
        report = MissionReportFactory(
            assignment=assignment, status=ReportStatus.ACCEPTED, rating=Rating.GOOD, reviewed_by=StaffUserFactory()
        )
        RecommendationFactory(report=report)
        LocalAssessment.objects.create(assignment=assignment, rating=Rating.GOOD, text=f"Nhận xét {number}.")
        LocalityChange.objects.create(
            locality=assignment.locality,
            kind=ChangeKind.RENAME,
            effective_on=datetime.date(2024, 1, 1),
            name_before=f"Cũ {number}",
            kind_before=LocalityKind.COMMUNE,
        )


# The session, the user (with their roles), the units, the places, their renames, and the rows in one streamed query.
EXPORT_QUERIES = 6


@pytest.mark.parametrize("url", [NOTES, ESCALATIONS, REPORTS])
@pytest.mark.parametrize("count", [2, 25])
def test_the_query_count_does_not_grow_with_the_rows(staff_client, django_assert_max_num_queries, url, count):
    _many(count)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        rows = _values(staff_client.get(url))
    assert len(rows) == count + 1
    # Each place as it was on the note's day or the mission's first, before the rename; an escalation raised
    # today names it as it is now.
    place = rows[0].index("Địa bàn")
    named = "Phường " if url == ESCALATIONS else "Xã Cũ "
    assert all(row[place].startswith(named) for row in rows[1:])
