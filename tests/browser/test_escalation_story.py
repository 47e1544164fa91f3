"""Story 3: the cadre raises an urgent issue from the phone, the office answers it, the cadre reads the answer."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Escalation, EscalationStatus, Urgency
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Phường thiếu nhân lực lấy mẫu xét nghiệm"
ANSWER = "Tỉnh điều động 20 sinh viên y khoa về phường Đông Hòa từ ngày mai."


def test_an_urgent_escalation_is_answered_by_the_office_and_the_cadre_reads_the_answer(
    live_server, phone, desktop, cadre_on_mission, staff_account
):
    # The cadre, on the phone.
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    phone.click("main a[href='/me/escalations/new/']")
    phone.wait_for_url(re.compile(r"/me/escalations/new/$"))
    phone.fill("#id_subject", SUBJECT)
    phone.fill("#id_description", "Một nửa tổ y tế phường đang cách ly; cần 20 người lấy mẫu trong 3 ngày tới.")
    phone.select_option("#id_category", "staffing")
    phone.check("input[name=urgency][value=urgent]")
    screenshot(phone, "escalation-form-phone")
    phone.click("main form button[type=submit].primary")
    phone.wait_for_url(re.compile(r"/me/escalations/\d+/$"))
    escalation = Escalation.objects.get()
    assert escalation.assignment == cadre_on_mission
    assert (escalation.subject, escalation.urgency, escalation.category) == (SUBJECT, Urgency.URGENT, "staffing")
    assert escalation.status == EscalationStatus.OPEN
    expect(phone.locator("h1")).to_have_text(SUBJECT)
    expect(phone.locator("main .badge.urgent")).to_be_visible()

    # The office, at the desk: urgent and open comes first in the inbox.
    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    open_page(desktop, live_server, "/escalations/")
    first_link = desktop.locator("main table tbody tr").first.locator("a[href$='/manage/']")
    expect(first_link).to_have_text(SUBJECT)
    first_link.click()
    desktop.wait_for_url(re.compile(rf"/escalations/{escalation.pk}/manage/$"))
    answer_form = desktop.locator("main form:has(input[name=action][value=answer])")
    answer_form.locator("textarea[name=answer]").fill(ANSWER)
    answer_form.locator("input[name=resolve]").check()
    answer_form.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    expect(desktop.locator("main .messages .success")).to_be_visible()
    escalation.refresh_from_db()
    assert escalation.answer == ANSWER
    assert escalation.status == EscalationStatus.RESOLVED
    assert escalation.answered_at is not None
    screenshot(desktop, "escalation-manage-desktop")

    # The cadre sees the answer on the page and on my mission.
    phone.reload()
    expect(phone.locator("section[aria-labelledby=answer-heading]")).to_contain_text(ANSWER)
    expect(phone.locator("main .badge.resolved")).to_be_visible()
    open_page(phone, live_server, "/me/")
    answer = phone.locator("section[aria-labelledby=escalations-heading] .answer")
    expect(answer).to_contain_text(ANSWER)
    phone.evaluate("document.getElementById('escalations-heading').scrollIntoView({block: 'start'})")
    screenshot(phone, "escalation-answered-phone")
