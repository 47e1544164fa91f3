import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from reports.models import EscalationStatus, Health, MissionReport, Recommendation, ReportStatus
from reports.prefill import mission_summary, results_text
from shared.concurrency import NEW, version_of
from tests.factories import AssignmentFactory, DailyNoteFactory, EscalationFactory, MissionReportFactory

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def ending_mission(cadre):
    """Day 28 of 30: the report is open."""
    return AssignmentFactory(cadre=cadre, starts_on=days_ago(27))


def edit_url(assignment) -> str:
    return reverse("reports:report_edit", args=[assignment.pk])


def report_data(*recommendations, action="save", version=NEW, **overrides) -> dict:
    """`version`: that of the report the form was opened on (shared/concurrency.py), NEW before the first save."""
    data = {
        "version": version,
        "results": "Hỗ trợ 12 đợt xét nghiệm.",
        "local_work": "Đoàn phường hoạt động tốt.",
        "difficulties": "Thiếu nhân lực.",
        "recommendations-TOTAL_FORMS": str(len(recommendations)),
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        action: "1",
    }
    for index, (text, addressed_to) in enumerate(recommendations):
        data[f"recommendations-{index}-text"] = text
        data[f"recommendations-{index}-addressed_to"] = addressed_to
    data.update(overrides)
    return data


def test_it_sends_anonymous_users_to_login(client, ending_mission):
    response = client.get(edit_url(ending_mission))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_staff_the_form(staff_client, ending_mission):
    assert staff_client.get(edit_url(ending_mission)).status_code == 403


def test_another_cadre_gets_404(other_cadre_client, ending_mission):
    assert other_cadre_client.get(edit_url(ending_mission)).status_code == 404
    report = MissionReportFactory(assignment=ending_mission)
    assert other_cadre_client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 404


def test_it_is_closed_before_the_last_five_days(cadre_client, current_mission):
    # Day 10 of 30: the report opens on day 26.
    response = cadre_client.get(edit_url(current_mission))
    assert response.url == reverse("phone:my_mission")
    cadre_client.post(edit_url(current_mission), report_data(("Đề xuất", "province"), action="submit"))
    assert not MissionReport.objects.exists()


def test_it_opens_on_the_first_of_the_last_five_days(cadre, cadre_client):
    assignment = AssignmentFactory(cadre=cadre, starts_on=days_ago(25))  # day 26 of 30
    assert cadre_client.get(edit_url(assignment)).status_code == 200


def test_it_stays_open_after_the_mission(cadre, cadre_client):
    finished = AssignmentFactory(cadre=cadre, starts_on=days_ago(90))
    assert cadre_client.get(edit_url(finished)).status_code == 200


def test_the_summary_counts_what_the_notes_say(ending_mission):
    DailyNoteFactory(assignment=ending_mission, day=days_ago(27), activities=["testing", "door_to_door"])
    DailyNoteFactory(
        assignment=ending_mission,
        day=days_ago(20),
        activities=["testing"],
        health=Health.QUARANTINED,
        difficulties="Thiếu que test.",
        needs="Thêm 2 máy đo SpO2.",
    )
    DailyNoteFactory(assignment=ending_mission, day=days_ago(1), activities=["vaccination", "testing"])
    EscalationFactory(assignment=ending_mission, subject="Thiếu y sĩ", status=EscalationStatus.RESOLVED)

    summary = mission_summary(ending_mission)
    assert summary.days_so_far == 28
    assert summary.days_with_notes == 3
    assert summary.days_without_notes == 25
    assert days_ago(26) in summary.missing_days and days_ago(27) not in summary.missing_days
    assert [(code, count) for code, _label, count in summary.activity_counts] == [
        ("testing", 3),
        ("door_to_door", 1),
        ("vaccination", 1),
    ]
    assert [(day, code) for day, code, _label in summary.health_events] == [(days_ago(20), Health.QUARANTINED)]
    assert [item.text for item in summary.difficulties] == ["Thiếu que test."]
    assert [item.text for item in summary.needs] == ["Thêm 2 máy đo SpO2."]
    assert [escalation.subject for escalation in summary.escalations] == ["Thiếu y sĩ"]
    text = results_text(summary)
    assert "3" in text and "28" in text and "Thiếu y sĩ" in text


def test_the_summary_names_the_days_filed_late(ending_mission, django_assert_num_queries):
    DailyNoteFactory(assignment=ending_mission, day=days_ago(10))
    for day in (days_ago(6), days_ago(5)):
        DailyNoteFactory(
            assignment=ending_mission,
            day=day,
            written_at=timezone.make_aware(datetime.datetime.combine(days_ago(3), datetime.time(20, 15))),
        )
    with django_assert_num_queries(2):
        summary = mission_summary(ending_mission)
    assert summary.late_days == [days_ago(6), days_ago(5)]
    assert summary.days_with_notes == 3
    with translation.override("en"):
        text = results_text(summary)
    assert f"Of which filed late: 2 ({days_ago(6):%d/%m/%Y}, {days_ago(5):%d/%m/%Y})." in text


def test_the_draft_says_nothing_of_late_days_when_there_are_none(ending_mission):
    DailyNoteFactory(assignment=ending_mission, day=days_ago(10))
    summary = mission_summary(ending_mission)
    assert summary.late_days == []
    with translation.override("en"):
        assert "filed late" not in results_text(summary)


def test_the_draft_names_the_host_organisation_in_brackets(ending_mission):
    ending_mission.host_organisation = "Đảng ủy phường Tân Phước Khánh"
    with translation.override("en"):
        text = results_text(mission_summary(ending_mission))
        assert f"at {ending_mission.locality.display_name} (Đảng ủy phường Tân Phước Khánh)." in text


def test_the_draft_leaves_no_empty_brackets_without_a_host_organisation(ending_mission):
    ending_mission.host_organisation = ""
    for language in ("vi", "en"):
        with translation.override(language):
            first_line = results_text(mission_summary(ending_mission)).splitlines()[0]
            assert first_line.endswith(f" {ending_mission.locality.display_name}."), first_line
        assert "(" not in first_line and "–" not in first_line


def test_the_report_form_lists_the_days_filed_late(cadre_client, ending_mission):
    late = DailyNoteFactory(assignment=ending_mission, day=days_ago(4), written_at=timezone.now())
    response = cadre_client.get(edit_url(ending_mission))
    assert f'<p id="summary-late-days">{late.day:%d/%m/%Y}</p>' in response.content.decode()


def test_the_first_form_is_prefilled_from_the_notes(cadre_client, ending_mission):
    DailyNoteFactory(assignment=ending_mission, day=days_ago(3), difficulties="Mưa lớn, ngập khu trọ.")
    EscalationFactory(assignment=ending_mission, subject="Xin thêm lương thực")
    response = cadre_client.get(edit_url(ending_mission))
    form = response.context["form"]
    assert "Xin thêm lương thực" in form.initial["results"]
    assert "Mưa lớn, ngập khu trọ." in form.initial["difficulties"]
    assert response.context["summary"].days_with_notes == 1
    assert not MissionReport.objects.exists()


def test_a_draft_keeps_the_recommendations_as_separate_rows(cadre_client, ending_mission):
    response = cadre_client.post(
        edit_url(ending_mission),
        report_data(("Tăng cường y sĩ cho phường", "province"), ("Kiện toàn Ban chấp hành Đoàn phường", "local")),
    )
    assert response.url == edit_url(ending_mission)
    report = MissionReport.objects.get()
    assert report.status == ReportStatus.DRAFT and report.submitted_at is None
    assert list(report.recommendations.values_list("text", "addressed_to")) == [
        ("Tăng cường y sĩ cho phường", "province"),
        ("Kiện toàn Ban chấp hành Đoàn phường", "local"),
    ]
    # The draft opens again with what was saved, not the prefill.
    assert cadre_client.get(edit_url(ending_mission)).context["form"].initial["results"] == report.results


def test_submitting_needs_a_recommendation(cadre_client, ending_mission):
    response = cadre_client.post(edit_url(ending_mission), report_data(action="submit"))
    assert response.status_code == 200
    assert response.context["recommendations_error"]
    assert not MissionReport.objects.filter(status=ReportStatus.SUBMITTED).exists()


def test_submitting_sends_the_report_and_locks_it(cadre_client, ending_mission):
    response = cadre_client.post(edit_url(ending_mission), report_data(("Đề xuất một", "province"), action="submit"))
    report = MissionReport.objects.get()
    assert response.url == reverse("reports:report_detail", args=[report.pk])
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None

    assert cadre_client.get(edit_url(ending_mission)).url == reverse("reports:report_detail", args=[report.pk])
    cadre_client.post(edit_url(ending_mission), report_data(("Đổi", "local"), results="đổi"))
    report.refresh_from_db()
    assert report.results == "Hỗ trợ 12 đợt xét nghiệm."
    assert list(report.recommendations.values_list("text", flat=True)) == ["Đề xuất một"]


def test_a_returned_report_can_be_revised_and_submitted_again(cadre_client, ending_mission):
    report = MissionReportFactory(
        assignment=ending_mission, status=ReportStatus.RETURNED, review_comment="Bổ sung số liệu tiêm chủng."
    )
    kept = Recommendation.objects.create(report=report, text="Tăng cường y sĩ", addressed_to="province")
    dropped = Recommendation.objects.create(report=report, text="Bỏ đề xuất này", addressed_to="local")
    response = cadre_client.get(edit_url(ending_mission))
    assert "Bổ sung số liệu tiêm chủng." in response.content.decode()

    data = report_data(
        ("Kiện toàn Đoàn phường", "local"), action="submit", results="Đã tiêm 3.000 mũi.", version=version_of(report)
    )
    data.update(
        {
            "recommendations-TOTAL_FORMS": "3",
            "recommendations-INITIAL_FORMS": "2",
            "recommendations-0-id": str(kept.pk),
            "recommendations-0-text": "Tăng cường 10 y sĩ",
            "recommendations-0-addressed_to": "province",
            "recommendations-1-id": str(dropped.pk),
            "recommendations-1-text": dropped.text,
            "recommendations-1-addressed_to": "local",
            "recommendations-1-DELETE": "on",
            "recommendations-2-text": "Kiện toàn Đoàn phường",
            "recommendations-2-addressed_to": "local",
        }
    )
    cadre_client.post(edit_url(ending_mission), data)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.results == "Đã tiêm 3.000 mũi."
    assert list(report.recommendations.values_list("pk", "text")) == [
        (kept.pk, "Tăng cường 10 y sĩ"),
        (report.recommendations.last().pk, "Kiện toàn Đoàn phường"),
    ]
    assert not Recommendation.objects.filter(pk=dropped.pk).exists()


def test_an_accepted_report_is_read_only(cadre_client, ending_mission):
    report = MissionReportFactory(assignment=ending_mission, status=ReportStatus.ACCEPTED)
    assert cadre_client.get(edit_url(ending_mission)).url == reverse("reports:report_detail", args=[report.pk])


def test_the_detail_is_for_its_cadre_and_staff(cadre_client, staff_client, client, ending_mission):
    report = MissionReportFactory(assignment=ending_mission)
    Recommendation.objects.create(report=report, text="Tăng cường y sĩ", addressed_to="province")
    url = reverse("reports:report_detail", args=[report.pk])
    response = cadre_client.get(url)
    assert response.status_code == 200 and "Tăng cường y sĩ" in response.content.decode()
    assert response.context["editable"] is False
    assert staff_client.get(url).status_code == 200
    assert client.get(url).url.startswith(reverse("login"))
