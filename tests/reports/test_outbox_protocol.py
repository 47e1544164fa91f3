"""How the cadre's write views answer the phone's outbox (reports/outbox.py): a retry is answered with
what was stored (200), a refusal says why (400/409) and changes nothing, and an entry of another user
waits. Late filing follows DailyNote.check_filing."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import LATE_FILING_DAYS, DailyNote, Escalation, MissionReport, ReportStatus, days_open_for_filing
from shared.concurrency import NEW as NEW_VERSION
from tests.factories import AssignmentFactory, DailyNoteFactory, EscalationFactory

pytestmark = pytest.mark.django_db

NOTE = reverse("reports:note_create")
ESCALATION = reverse("reports:escalation_create")
JSON = {"HTTP_ACCEPT": "application/json"}


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def millis(moment: datetime.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def note_data(day: datetime.date | None = None, key: str | None = None, **overrides) -> dict:
    return {
        "day": (day or today()).isoformat(),
        "activities": ["testing"],
        "situation": "Ổn định.",
        "health": "well",
        "client_key": key or str(uuid.uuid4()),
        **overrides,
    }


# ---- Daily notes: retries, edits of what was sent, refusals ----


def test_a_retry_of_a_note_that_is_locked_now_is_answered_with_it(cadre_client, current_mission):
    """Sent yesterday evening, the answer lost; the phone sends it again this morning, unchanged."""
    key = uuid.uuid4()
    note = DailyNoteFactory(assignment=current_mission, day=days_ago(1), client_key=key, situation="Ổn định.")
    response = cadre_client.post(NOTE, note_data(days_ago(1), str(key), activities=note.activities), **JSON)
    assert response.status_code == 200
    assert response.json()["url"] == reverse("reports:note_detail", args=[note.pk])


def test_a_change_of_a_locked_note_is_refused_and_changes_nothing(cadre_client, current_mission):
    key = uuid.uuid4()
    note = DailyNoteFactory(assignment=current_mission, day=days_ago(1), client_key=key, situation="Ổn định.")
    response = cadre_client.post(NOTE, note_data(days_ago(1), str(key), situation="Sửa hôm nay"), **JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["errors"]["__all__"][0]["code"] == "locked"
    assert body["message"]
    note.refresh_from_db()
    assert note.situation == "Ổn định."


def test_a_change_written_on_the_phone_on_the_notes_day_is_accepted_the_next_morning(cadre_client, current_mission):
    key = uuid.uuid4()
    note = DailyNoteFactory(assignment=current_mission, day=days_ago(1), client_key=key)
    written = note.written_at + datetime.timedelta(hours=2)  # 22:00 the same day, kept offline overnight
    data = note_data(days_ago(1), str(key), situation="Bổ sung tối qua", written_at=millis(written))
    assert cadre_client.post(NOTE, data, **JSON).status_code == 200
    note.refresh_from_db()
    assert note.situation == "Bổ sung tối qua"


def test_a_note_of_a_day_filed_from_another_device_is_refused_and_changes_nothing(cadre_client, current_mission):
    other = DailyNoteFactory(assignment=current_mission, day=today(), situation="từ máy khác")
    response = cadre_client.post(NOTE, note_data(situation="từ điện thoại này"), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["day"][0]["code"] == "exists"
    other.refresh_from_db()
    assert other.situation == "từ máy khác" and DailyNote.objects.count() == 1


def test_an_entry_of_another_user_waits_instead_of_being_filed_under_this_one(cadre_client, cadre, current_mission):
    response = cadre_client.post(NOTE, note_data(), HTTP_X_OUTBOX_USER=str(cadre.user.pk + 1000), **JSON)
    assert response.status_code == 409
    assert response.json() == {"ok": False, "retry": True, "code": "other_user"}
    assert not DailyNote.objects.exists()
    own = cadre_client.post(NOTE, note_data(), HTTP_X_OUTBOX_USER=str(cadre.user.pk), **JSON)
    assert own.status_code == 200 and DailyNote.objects.count() == 1


# ---- Late filing ----


def test_a_missed_day_within_the_limit_is_filed_and_marked_late(cadre_client, current_mission):
    response = cadre_client.post(NOTE, note_data(days_ago(LATE_FILING_DAYS)), **JSON)
    assert response.status_code == 200
    note = DailyNote.objects.get()
    assert note.filed_late
    assert timezone.localdate(note.written_at) == today()
    page = cadre_client.get(reverse("reports:note_detail", args=[note.pk])).content.decode()
    assert "badge late" in page


def test_a_missed_day_beyond_the_limit_is_refused(cadre_client, current_mission):
    response = cadre_client.post(NOTE, note_data(days_ago(LATE_FILING_DAYS + 1)), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["day"][0]["code"] == "too_late"
    assert not DailyNote.objects.exists()


def test_a_note_written_on_its_day_and_sent_days_later_is_not_late(cadre_client, current_mission):
    day = days_ago(5)
    written = timezone.make_aware(datetime.datetime.combine(day, datetime.time(21, 30)))
    response = cadre_client.post(NOTE, note_data(day, written_at=millis(written)), **JSON)
    assert response.status_code == 200
    assert not DailyNote.objects.get().filed_late


def test_the_phones_clock_is_believed_for_a_week_at_most(cadre, cadre_client):
    """A phone claiming to have written, 15 days ago, the note of that day counts as written a week ago: too late."""
    AssignmentFactory(cadre=cadre, starts_on=days_ago(20))
    day = days_ago(15)
    written = timezone.make_aware(datetime.datetime.combine(day, datetime.time(21, 0)))
    response = cadre_client.post(NOTE, note_data(day, written_at=millis(written)), **JSON)
    assert response.json()["errors"]["day"][0]["code"] == "too_late"
    future = timezone.now() + datetime.timedelta(days=3)
    in_two_days = today() + datetime.timedelta(days=2)
    response = cadre_client.post(NOTE, note_data(in_two_days, written_at=millis(future)), **JSON)
    assert response.json()["errors"]["day"][0]["code"] == "future"
    assert not DailyNote.objects.exists()


def test_a_note_into_a_mission_ended_years_ago_is_refused(cadre, cadre_client):
    old = AssignmentFactory(cadre=cadre, starts_on=datetime.date(2021, 8, 16))
    response = cadre_client.post(NOTE, note_data(datetime.date(2021, 8, 22)), **JSON)
    assert response.status_code == 400
    assert not DailyNote.objects.filter(assignment=old).exists()


def test_a_note_of_an_assignment_whose_report_is_submitted_is_refused(cadre, cadre_client):
    ended = AssignmentFactory(cadre=cadre, starts_on=days_ago(30))  # its last day was yesterday
    MissionReport.objects.create(assignment=ended, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
    response = cadre_client.post(NOTE, note_data(days_ago(1)), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0]["code"] == "report_submitted"
    assert not DailyNote.objects.exists()


def test_my_mission_offers_the_missed_days_that_can_still_be_filed(cadre_client, current_mission):
    DailyNoteFactory(assignment=current_mission, day=days_ago(2))
    page = cadre_client.get(reverse("phone:my_mission"))
    assert page.context["missed_days"] == [days_ago(1), days_ago(3)]
    content = page.content.decode()
    assert f"?day={days_ago(1).isoformat()}" in content and f"?day={days_ago(3).isoformat()}" in content
    assert f"?day={days_ago(4).isoformat()}" not in content


@pytest.mark.parametrize("report_status", [None, ReportStatus.RETURNED, ReportStatus.SUBMITTED])
def test_the_days_offered_are_the_days_the_filing_rules_accept(cadre, report_status):
    """days_open_for_filing (the list My mission offers) asks DailyNote.check_filing_on of each day: one rule."""
    ended = AssignmentFactory(cadre=cadre, starts_on=days_ago(32))  # its last day was 3 days ago
    current = AssignmentFactory(cadre=cadre, starts_on=days_ago(1))
    if report_status:
        MissionReport.objects.create(assignment=ended, status=report_status)
    DailyNoteFactory(assignment=current, day=today())
    assignments = list(cadre.assignments.select_related("report").order_by("-starts_on"))
    offered = days_open_for_filing(assignments, today())
    expected = [(days_ago(1), current)] + ([] if report_status == ReportStatus.SUBMITTED else [(days_ago(3), ended)])
    assert offered == expected
    for day, assignment in offered:
        DailyNote(assignment=assignment, day=day, written_at=timezone.now()).check_filing()


def test_opening_a_day_too_far_back_says_why(cadre_client, current_mission):
    response = cadre_client.get(NOTE, {"day": days_ago(LATE_FILING_DAYS + 2).isoformat()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("phone:my_mission")
    assert "3" in str(list(response.context["messages"])[0])


# ---- Escalations ----


def escalation_data(key: str, **overrides) -> dict:
    return {
        "subject": "Thiếu bình oxy",
        "description": "Trạm y tế phường còn 2 bình oxy.",
        "category": "medical",
        "urgency": "urgent",
        "client_key": key,
        **overrides,
    }


def test_an_escalation_is_answered_with_json_and_a_retry_with_the_same(cadre_client, current_mission):
    key = str(uuid.uuid4())
    answers = [cadre_client.post(ESCALATION, escalation_data(key), **JSON) for _ in range(2)]
    escalation = Escalation.objects.get()
    url = reverse("reports:escalation_detail", args=[escalation.pk])
    assert [(a.status_code, a.json()["url"]) for a in answers] == [(200, url)] * 2


def test_an_escalation_changed_after_it_was_sent_is_refused(cadre_client, current_mission):
    key = uuid.uuid4()
    EscalationFactory(assignment=current_mission, **escalation_data(str(key), client_key=key))
    response = cadre_client.post(ESCALATION, escalation_data(str(key), description="Thêm chi tiết"), **JSON)
    assert response.status_code == 400 and response.json()["errors"]["__all__"][0]["code"] == "sent"
    assert Escalation.objects.get().description == "Trạm y tế phường còn 2 bình oxy."


def test_an_invalid_escalation_is_refused_with_its_errors(cadre_client, current_mission):
    response = cadre_client.post(ESCALATION, escalation_data(str(uuid.uuid4()), subject=""), **JSON)
    assert response.status_code == 400 and "subject" in response.json()["errors"]
    assert not Escalation.objects.exists()


def test_an_escalation_written_on_the_last_day_reaches_the_ended_mission(cadre, cadre_client):
    ended = AssignmentFactory(cadre=cadre, starts_on=days_ago(30))  # its last day was yesterday
    response = cadre_client.post(ESCALATION, escalation_data(str(uuid.uuid4())), **JSON)
    assert response.status_code == 200
    assert Escalation.objects.get().assignment == ended


def test_an_escalation_without_any_recent_mission_is_refused_not_lost(cadre_client):
    response = cadre_client.post(ESCALATION, escalation_data(str(uuid.uuid4())), **JSON)
    assert response.status_code == 400 and response.json()["errors"]["__all__"][0]["code"] == "no_assignment"


# ---- The end-of-mission report ----


@pytest.fixture
def ending_mission(cadre):
    return AssignmentFactory(cadre=cadre, starts_on=days_ago(27))


def report_data(key: str, *, action: str = "save", version: str = NEW_VERSION, **overrides) -> dict:
    return {
        "version": version,
        "client_key": key,
        "results": "Hỗ trợ 12 đợt xét nghiệm.",
        "local_work": "Đoàn phường hoạt động tốt.",
        "difficulties": "",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-text": "Bổ sung nhân lực y tế.",
        "recommendations-0-addressed_to": "province",
        action: "1",
        **overrides,
    }


def test_a_report_saved_again_with_the_same_key_continues_instead_of_conflicting(cadre_client, ending_mission):
    """The first draft arrived but its answer did not; the phone sends a newer text of the same editing."""
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    key = str(uuid.uuid4())
    assert cadre_client.post(url, report_data(key), **JSON).status_code == 200
    again = cadre_client.post(url, report_data(key, results="Bản sửa sau"), **JSON)
    assert again.status_code == 200 and again.json()["url"] == url
    assert MissionReport.objects.get().results == "Bản sửa sau"


def test_a_report_save_from_another_editing_on_an_old_version_is_a_conflict(cadre_client, ending_mission):
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    cadre_client.post(url, report_data(str(uuid.uuid4()), results="Máy tính bảng"), **JSON)
    response = cadre_client.post(url, report_data(str(uuid.uuid4()), results="Điện thoại"), **JSON)
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False and body["errors"]["__all__"][0]["code"] == "conflict"
    assert MissionReport.objects.get().results == "Máy tính bảng"


def test_a_retried_submission_is_answered_with_the_submitted_report(cadre_client, ending_mission):
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    key = str(uuid.uuid4())
    first = cadre_client.post(url, report_data(key, action="submit"), **JSON)
    second = cadre_client.post(url, report_data(key, action="submit"), **JSON)
    report = MissionReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED
    detail = reverse("reports:report_detail", args=[report.pk])
    assert first.json()["url"] == second.json()["url"] == detail
    other = cadre_client.post(url, report_data(str(uuid.uuid4()), action="submit", results="khác"), **JSON)
    assert other.status_code == 400 and other.json()["errors"]["__all__"][0]["code"] == "closed"


def test_a_submission_without_recommendations_is_refused_with_a_reason(cadre_client, ending_mission):
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    data = report_data(str(uuid.uuid4()), action="submit", **{"recommendations-0-text": ""})
    response = cadre_client.post(url, data, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["recommendations"][0]["code"] == "no_recommendation"
    assert not MissionReport.objects.exists()


def test_a_report_sent_before_it_opens_is_refused_not_redirected(cadre_client, current_mission):
    url = reverse("reports:report_edit", args=[current_mission.pk])
    response = cadre_client.post(url, report_data(str(uuid.uuid4())), **JSON)
    assert response.status_code == 400 and response.json()["errors"]["__all__"][0]["code"] == "closed"


def test_a_key_sent_again_for_another_day_is_refused_and_the_note_kept(cadre_client, current_mission):
    """Stored as today's note, its answer lost, then moved to yesterday on the phone: not into today's note."""
    key = str(uuid.uuid4())
    cadre_client.post(NOTE, note_data(key=key, situation="Hôm nay."), **JSON)
    response = cadre_client.post(NOTE, note_data(days_ago(1), key, situation="Hôm qua."), **JSON)
    assert response.status_code == 409
    assert response.json()["errors"]["__all__"][0]["code"] == "other_day"
    note = DailyNote.objects.get()
    assert (note.day, note.situation) == (today(), "Hôm nay.")


def test_a_returned_report_is_not_resubmitted_by_a_retry_of_the_earlier_submission(
    cadre_client, ending_mission, staff_user
):
    from reports.review import report_return

    url = reverse("reports:report_edit", args=[ending_mission.pk])
    key = str(uuid.uuid4())
    cadre_client.post(url, report_data(key, action="submit"), **JSON)
    report_return(report=MissionReport.objects.get(), comment="Bổ sung số liệu.", by=staff_user)
    retry = cadre_client.post(url, report_data(key, action="submit"), **JSON)
    assert retry.status_code == 409  # the version it was opened on is old: the cadre sees the comment first
    assert MissionReport.objects.get().status == ReportStatus.RETURNED
