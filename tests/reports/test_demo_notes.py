import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cadres.models import Assignment
from demo.mission_reports import CURRENT_CAMPAIGN, load_demo_notes
from reports.models import (
    DailyNote,
    Escalation,
    EscalationStatus,
    MissionReport,
    Rating,
    Recommendation,
    ReportStatus,
    Urgency,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "notes": sorted(DailyNote.objects.values_list("assignment_id", "day", "situation", "health")),
        "escalations": sorted(Escalation.objects.values_list("assignment_id", "subject", "status", "answer")),
        "reports": sorted(MissionReport.objects.values_list("assignment_id", "status", "rating")),
        "recommendations": sorted(Recommendation.objects.values_list("report_id", "text", "status")),
    }


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_loading_the_demo_notes_twice_changes_nothing(demo):
    first = _snapshot()
    load_demo_notes()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first


def test_the_2021_cadres_have_notes_over_their_mission_with_a_few_missing_days(demo):
    mai = Assignment.objects.get(cadre__full_name="Trương Đinh Ngọc Mai", starts_on__year=2021)
    days = set(mai.notes.values_list("day", flat=True))
    assert 24 <= len(days) < 30
    assert min(days) >= mai.starts_on and max(days) <= mai.ends_on
    tai = Assignment.objects.get(cadre__full_name="Trịnh Đức Tài", starts_on__year=2021)
    assert tai.notes.count() >= 24
    assert DailyNote.objects.filter(situation__icontains="nhà trọ").exists()
    assert DailyNote.objects.filter(other_activities__icontains="4 tại chỗ").exists()


def test_the_running_campaign_has_notes_up_to_yesterday_only(demo):
    today = timezone.localdate()
    notes = DailyNote.objects.filter(assignment__campaign__name=CURRENT_CAMPAIGN)
    assert notes.exists()
    assert notes.filter(day__gte=today).count() == 0
    assert notes.filter(day=today - datetime.timedelta(days=1)).exists()


def test_there_is_an_open_urgent_escalation_and_an_answered_resolved_one(demo):
    assert Escalation.objects.open().filter(urgency=Urgency.URGENT).exists()
    answered = Escalation.objects.get(status=EscalationStatus.RESOLVED)
    assert answered.answer and answered.answered_at


def test_reports_are_accepted_submitted_and_returned(demo):
    accepted = MissionReport.objects.get(status=ReportStatus.ACCEPTED)
    assert accepted.rating == Rating.EXCELLENT and accepted.assignment.cadre.full_name == "Trương Đinh Ngọc Mai"
    # Two wait for review: Lâm's, and Tài's with Tân Phước Khánh ward's assessment beside it.
    submitted = MissionReport.objects.filter(status=ReportStatus.SUBMITTED)
    assert sorted(submitted.values_list("assignment__cadre__code", flat=True)) == ["HDND-001", "TD-002"]
    returned = MissionReport.objects.get(status=ReportStatus.RETURNED)
    assert returned.review_comment
    assert (
        Recommendation.objects.filter(report__status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]).count() >= 4
    )


def test_the_staff_pages_show_the_demo(demo, client):
    client.force_login(User.objects.get(username="vanphong"))
    for name in ["notes_inbox", "compliance", "escalation_inbox", "report_list", "recommendation_list"]:
        response = client.get(reverse(f"reports:{name}"))
        assert response.status_code == 200
        assert 'data-count="0"' not in response.content.decode() or name == "compliance"
    report = MissionReport.objects.get(status=ReportStatus.ACCEPTED)
    assert client.get(reverse("reports:report_print", args=[report.pk])).status_code == 200
