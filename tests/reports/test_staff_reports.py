import datetime

import pytest
from django.urls import reverse

from reports.models import Rating, ReportStatus
from shared.concurrency import version_of
from tests.factories import AssignmentFactory, LocalityFactory, MissionReportFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def versioned(obj, data: dict) -> dict:
    """What a form opened on the object as it is stored posts (shared/concurrency.py)."""
    return {**data, "version": version_of(obj)}


LIST = reverse("reports:report_list")


def _review(report) -> str:
    return reverse("reports:report_review", args=[report.pk])


def _print(report) -> str:
    return reverse("reports:report_print", args=[report.pk])


@pytest.mark.parametrize("page", ["list", "review", "print"])
def test_it_sends_anonymous_users_to_login(client, page):
    report = MissionReportFactory()
    response = client.get({"list": LIST, "review": _review(report), "print": _print(report)}[page])
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ["list", "review", "print"])
def test_it_refuses_cadres_even_for_their_own_report(cadre_client, cadre, page):
    report = MissionReportFactory(assignment=AssignmentFactory(cadre=cadre))
    assert cadre_client.get({"list": LIST, "review": _review(report), "print": _print(report)}[page]).status_code == 403


def test_it_lists_reports_to_review_first_and_hides_drafts(staff_client):
    accepted = MissionReportFactory(status=ReportStatus.ACCEPTED, rating=Rating.GOOD)
    submitted = MissionReportFactory()
    MissionReportFactory(status=ReportStatus.DRAFT, submitted_at=None)
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [submitted, accepted]
    assert staff_client.get(LIST, {"status": "accepted"}).context["page"].paginator.count == 1


def test_a_draft_is_not_shown_to_staff(staff_client):
    draft = MissionReportFactory(status=ReportStatus.DRAFT, submitted_at=None)
    assert staff_client.get(_review(draft)).status_code == 404


def test_staff_read_the_report_with_its_recommendations(staff_client):
    recommendation = RecommendationFactory(text="Bổ sung máy đo SpO2 cho tổ COVID cộng đồng.")
    response = staff_client.get(_review(recommendation.report))
    content = response.content.decode()
    assert response.status_code == 200 and "Bổ sung máy đo SpO2 cho tổ COVID cộng đồng." in content
    assert reverse("reports:report_detail", args=[recommendation.report_id]) in content
    assert reverse("reports:report_print", args=[recommendation.report_id]) in content


def test_accepting_needs_a_rating(staff_client):
    report = MissionReportFactory()
    response = staff_client.post(_review(report), versioned(report, {"decision": "accept", "rating": ""}))
    assert response.status_code == 200 and response.context["form"].has_error("rating", "required")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_staff_accept_and_rate_the_report(staff_client, staff_user):
    report = MissionReportFactory()
    response = staff_client.post(_review(report), versioned(report, {"decision": "accept", "rating": Rating.EXCELLENT}))
    assert response.status_code == 302 and response.url == LIST
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.rating == Rating.EXCELLENT
    assert report.reviewed_by == staff_user and report.reviewed_at is not None


def test_returning_needs_a_comment(staff_client):
    report = MissionReportFactory()
    response = staff_client.post(_review(report), versioned(report, {"decision": "return", "comment": " "}))
    assert response.status_code == 200 and response.context["form"].has_error("comment", "required")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_staff_return_the_report_with_a_comment(staff_client):
    report = MissionReportFactory()
    staff_client.post(
        _review(report), versioned(report, {"decision": "return", "comment": "Bổ sung số liệu xét nghiệm."})
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "Bổ sung số liệu xét nghiệm."
    assert report.rating == ""


def test_a_report_already_reviewed_cannot_be_reviewed_again(staff_client):
    report = MissionReportFactory(status=ReportStatus.RETURNED, review_comment="Bổ sung.")
    response = staff_client.post(_review(report), versioned(report, {"decision": "accept", "rating": Rating.GOOD}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


def test_the_printable_report_reads_as_a_document(staff_client):
    report = MissionReportFactory(
        assignment=AssignmentFactory(
            cadre__full_name="Trương Đinh Ngọc Mai", campaign__organising_unit__name="Tỉnh đoàn Bình Dương"
        ),
        submitted_at=datetime.datetime(2021, 9, 15, 3, 0, tzinfo=datetime.UTC),
    )
    RecommendationFactory(report=report, text="Tăng cường tuyên truyền tại khu nhà trọ.")
    response = staff_client.get(_print(report))
    content = response.content.decode()
    assert response.status_code == 200
    assert "report-print" in content and "ĐOÀN TNCS HỒ CHÍ MINH" in content and "BÁO CÁO" in content
    assert "Trương Đinh Ngọc Mai" in content and "Tăng cường tuyên truyền tại khu nhà trọ." in content
    assert "ngày 15 tháng 9 năm 2021" in content
    assert "css/print.css" in content


def test_the_printable_report_stays_vietnamese_in_the_english_interface(staff_client):
    report = MissionReportFactory(status=ReportStatus.ACCEPTED, rating=Rating.EXCELLENT)
    staff_client.cookies["django_language"] = "en"
    content = staff_client.get(_print(report)).content.decode()
    assert '<html lang="en">' in content
    assert "Kính gửi" in content and "hoàn thành xuất sắc nhiệm vụ".capitalize() in content


def test_a_state_body_prints_the_national_motto(staff_client):
    report = MissionReportFactory(assignment__campaign__organising_unit__kind="state")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in staff_client.get(_print(report)).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_reports(staff_client, django_assert_max_num_queries, count):
    for _ in range(count):
        RecommendationFactory(
            report=MissionReportFactory(
                assignment=AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory()))
            )
        )
    with django_assert_max_num_queries(12):
        response = staff_client.get(LIST)
    assert response.context["page"].paginator.count == count
