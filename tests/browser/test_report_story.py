"""Story 4: the end-of-mission report, from the prefilled draft to the office's rating and the recommendations list."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import MissionReport, Rating, Recommendation, ReportStatus
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD, DailyNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOMMENDATION = "Đề nghị tỉnh bổ sung máy đo nồng độ ô-xy cho trạm y tế phường."
COMMENT = "Bổ sung số hộ được hỗ trợ và đánh giá cụ thể hoạt động của Đoàn phường."


def review(page, live_server, report: MissionReport, *, decision: str, comment: str = "", rating: str = "") -> None:
    open_page(page, live_server, "/reports/")
    page.click(f"main a[href='/reports/{report.pk}/review/']")
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/review/$"))
    page.check(f"main input[name=decision][value={decision}]")
    if rating:
        page.select_option("#id_rating", rating)
    if comment:
        page.fill("#id_comment", comment)
    page.click("main form button[type=submit].primary")
    page.wait_for_url(re.compile(r"/reports/$"))


def test_a_report_is_written_from_the_notes_returned_revised_accepted_and_its_recommendation_listed(
    live_server, phone, desktop, cadre_on_mission, staff_account
):
    today = timezone.localdate()
    # The assignment is in its last days, when the report opens, with three notes filed.
    assignment = cadre_on_mission
    assignment.starts_on = today - datetime.timedelta(days=27)
    assignment.ends_on = today + datetime.timedelta(days=2)
    assignment.save()
    for days_ago, activities in ((20, ["testing"]), (10, ["testing", "supplies"]), (1, ["vaccination"])):
        DailyNoteFactory(assignment=assignment, day=today - datetime.timedelta(days=days_ago), activities=activities)

    # The cadre writes it on the phone.
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    phone.click(f"main a[href='/me/assignments/{assignment.pk}/report/']")
    phone.wait_for_url(re.compile(r"/report/$"))
    expect(phone.locator("#summary-days-with-notes")).to_have_text("3")
    expect(phone.locator(".mission-summary tr[data-activity=testing] td.number")).to_have_text("2")
    prefilled = phone.locator("#id_results").input_value()
    assert prefilled.strip(), "the results start from the notes"
    phone.fill("#id_local_work", "Đoàn phường hoạt động tích cực, thiếu cán bộ chuyên trách.")
    phone.fill("#id_recommendations-0-text", RECOMMENDATION)
    phone.check("input[name='recommendations-0-addressed_to'][value=province]")
    phone.evaluate("document.getElementById('summary-heading').scrollIntoView()")
    screenshot(phone, "report-form-phone")
    phone.click("main button[name=submit]")
    phone.wait_for_url(re.compile(r"/me/reports/\d+/$"))
    report = MissionReport.objects.get(assignment=assignment)
    assert report.status == ReportStatus.SUBMITTED
    assert report.results.split() == prefilled.split()
    assert list(report.recommendations.values_list("text", "addressed_to")) == [(RECOMMENDATION, "province")]

    # The office returns it with a comment.
    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    review(desktop, live_server, report, decision="return", comment=COMMENT)
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ReportStatus.RETURNED, COMMENT)

    # The cadre reads the comment, revises and submits again.
    open_page(phone, live_server, "/me/")
    phone.click(f"main a[href='/me/assignments/{assignment.pk}/report/']")
    expect(phone.locator(".review-comment")).to_contain_text(COMMENT)
    phone.fill("#id_results", prefilled + "\nHỗ trợ 1.250 hộ dân trong khu phong tỏa.")
    phone.click("main button[name=submit]")
    phone.wait_for_url(re.compile(r"/me/reports/\d+/$"))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert "1.250 hộ dân" in report.results

    # The office accepts and rates it; the recommendation is on the list to follow up.
    review(desktop, live_server, report, decision="accept", rating=Rating.EXCELLENT)
    report.refresh_from_db()
    assert (report.status, report.rating, report.reviewed_by) == (
        ReportStatus.ACCEPTED,
        Rating.EXCELLENT,
        staff_account,
    )
    open_page(desktop, live_server, "/recommendations/")
    recommendation = Recommendation.objects.get()
    expect(desktop.locator("main .recommendation-table")).to_contain_text(RECOMMENDATION)
    expect(desktop.locator(f"main form[action='/recommendations/{recommendation.pk}/']")).to_have_count(1)
    screenshot(desktop, "recommendations-desktop")

    # The cadre sees the outcome.
    open_page(phone, live_server, f"/me/reports/{report.pk}/")
    # Two badges: the report's status and the rating.
    expect(phone.locator("main .badge.accepted")).to_have_count(2)
    screenshot(phone, "report-accepted-phone")
