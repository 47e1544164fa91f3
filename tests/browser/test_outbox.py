"""The phone's outbox (static/js/outbox.js): every cadre write survives a lost network, double taps,
refusals and a second tab, with exactly one stored record per intent and nothing typed lost.

Real Chromium at 360 px; the network is cut with Playwright's set_offline or a route that loses an answer.
"""

import contextlib
import datetime
import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from reports.models import DailyNote, Escalation
from tests.browser.conftest import log_in, open_page, outbox_entries, screenshot
from tests.factories import TEST_PASSWORD, DailyNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def waiting_count(page, count: int) -> None:
    expect(page.locator("#outbox-count")).to_have_attribute("data-count", str(count))


def today() -> datetime.date:
    return timezone.localdate()


def test_an_escalation_raised_offline_is_sent_when_the_network_returns(live_server, phone, cadre_on_mission):
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/escalations/new/")
    phone.context.set_offline(True)
    phone.fill("#id_subject", "Thiếu bình oxy")
    phone.fill("#id_description", "Trạm y tế phường còn 2 bình oxy cho 30 ca F0.")
    phone.select_option("#id_category", "medical")
    phone.check("input[name=urgency][value=urgent]")
    phone.click("main form button[type=submit].primary")

    # Kept on the phone, said beside the button; nothing reached the server.
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    waiting_count(phone, 1)
    [entry] = outbox_entries(phone)
    assert entry["intent"] == f"escalation:{entry['id']}" and entry["fields"]["subject"] == "Thiếu bình oxy"
    assert not Escalation.objects.exists()
    # A second tap is the same entry, not a second issue.
    phone.click("main form button[type=submit].primary")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    assert len(outbox_entries(phone)) == 1
    screenshot(phone, "escalation-waiting-offline-phone")

    phone.context.set_offline(False)
    phone.wait_for_url(re.compile(r"/me/escalations/\d+/$"))
    escalation = Escalation.objects.get()
    assert escalation.subject == "Thiếu bình oxy" and str(escalation.client_key) == entry["id"]
    assert escalation.assignment == cadre_on_mission
    waiting_count(phone, 0)


def test_a_note_edited_while_it_waits_is_sent_once_with_the_last_text(live_server, phone, cadre_on_mission):
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/notes/new/")
    phone.context.set_offline(True)
    phone.check("input[name=activities][value=testing]")
    phone.fill("#id_situation", "Lấy mẫu khu phố 3.")
    phone.dblclick("#note-submit")  # a double tap
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    expect(phone.locator(".outbox-status.waiting")).to_be_in_viewport()
    phone.fill("#id_situation", "Lấy mẫu khu phố 3. Thêm: 2 ca dương tính.")
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    [entry] = outbox_entries(phone)
    assert entry["fields"]["situation"] == "Lấy mẫu khu phố 3. Thêm: 2 ca dương tính."
    waiting_count(phone, 1)

    phone.context.set_offline(False)
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    note = DailyNote.objects.get()
    assert note.situation == "Lấy mẫu khu phố 3. Thêm: 2 ca dương tính."
    assert str(note.client_key) == entry["id"] and note.day == today()
    assert outbox_entries(phone) == []


def test_a_send_whose_answer_is_lost_is_retried_and_stores_one_note(live_server, phone, cadre_on_mission):
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/notes/new/")
    answers_lost = []

    def lose_the_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        if not answers_lost:
            route.fetch()  # the first time the server stores the note...
        answers_lost.append(True)
        route.abort("connectionreset")  # ...and no answer ever reaches the phone

    phone.route("**/me/notes/new/", lose_the_answer)
    phone.fill("#id_situation", "Phát 50 phần quà.")
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    assert DailyNote.objects.count() == 1 and len(outbox_entries(phone)) == 1

    # The outbox lists it; once the network lets answers through, "send now" gets the note the server stored.
    open_page(phone, live_server, "/me/outbox/")
    expect(phone.locator(".outbox-entry")).to_have_count(1)
    expect(phone.locator(".outbox-entry")).to_contain_text("Ghi chép ngày " + today().strftime("%d/%m/%Y"))
    phone.unroute("**/me/notes/new/")
    # On a loaded machine the outbox's own retry (its 5 s pause over) may send it first: the same
    # request with the same key, which the checks below hold to the same outcome.
    with contextlib.suppress(PlaywrightTimeoutError):
        phone.click(".outbox-entry button[data-action=send]", timeout=5_000)
    expect(phone.locator("#outbox-empty")).to_be_visible()
    waiting_count(phone, 0)
    assert DailyNote.objects.count() == 1
    assert DailyNote.objects.get().situation == "Phát 50 phần quà."


def test_a_refused_note_keeps_its_text_says_why_and_can_be_deleted(live_server, phone, cadre_on_mission):
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/notes/new/")
    phone.context.set_offline(True)
    phone.fill("#id_situation", "Viết trên điện thoại này.")
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    # Meanwhile the day is filed from another device.
    DailyNoteFactory(assignment=cadre_on_mission, day=today(), situation="Từ máy tính bảng.")
    phone.context.set_offline(False)

    expect(phone.locator(".outbox-status.refused")).to_be_visible()
    expect(phone.locator(".outbox-status.refused")).to_contain_text("Không được văn phòng nhận")
    expect(phone.locator("#field-day .field-errors")).to_contain_text("Đã có ghi chép")
    expect(phone.locator("#id_situation")).to_have_value("Viết trên điện thoại này.")
    [entry] = outbox_entries(phone)
    assert entry["state"] == "refused" and entry["fields"]["situation"] == "Viết trên điện thoại này."
    assert DailyNote.objects.get().situation == "Từ máy tính bảng."

    # The outbox lists it with the reason. "Open and correct" shows both texts, the office's under the field.
    open_page(phone, live_server, "/me/outbox/")
    expect(phone.locator(".outbox-entry.refused")).to_contain_text("Đã có ghi chép")
    screenshot(phone, "outbox-refused-phone")
    phone.click(".outbox-entry a.button")
    phone.wait_for_url(re.compile(r"/me/notes/\d+/edit/"))
    expect(phone.locator("#id_situation")).to_have_value("Viết trên điện thoại này.")
    expect(phone.locator("#field-situation .server-version")).to_contain_text("Từ máy tính bảng.")
    # Deleting the phone's text is an explicit choice.
    open_page(phone, live_server, "/me/outbox/")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click(".outbox-entry button[data-action=discard]")
    expect(phone.locator("#outbox-empty")).to_be_visible()
    assert outbox_entries(phone) == []


def test_my_mission_in_another_tab_follows_the_outbox_without_a_reload(live_server, phone, cadre_on_mission):
    """Two tabs of the same cadre: the note saved offline in one shows as waiting in the other, then as filed;
    both tabs send when the network returns, and the server stores one note."""
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    mission = phone
    open_page(mission, live_server, "/me/")
    expect(mission.locator("#today-state")).to_contain_text("chưa ghi")
    form = phone.context.new_page()
    open_page(form, live_server, "/me/notes/new/")
    phone.context.set_offline(True)
    form.fill("#id_situation", "Hai tab.")
    form.click("#note-submit")
    expect(form.locator(".outbox-status.waiting")).to_be_visible()
    expect(mission.locator(".today-note.outbox-waiting")).to_be_visible()
    waiting_count(mission, 1)

    phone.context.set_offline(False)
    expect(mission.locator("#today-state")).to_contain_text("đã ghi")
    waiting_count(mission, 0)
    assert DailyNote.objects.filter(assignment=cadre_on_mission).count() == 1
    form.close()


def save_offline_and_log_out(phone, live_server, situation: str) -> None:
    """As "canbo": a note saved without network, then a logout while sends still cannot get through."""
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/notes/new/")
    phone.context.set_offline(True)
    phone.fill("#id_situation", situation)
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    phone.route("**/me/notes/new/", lambda route: route.abort("internetdisconnected"))  # still no way through
    phone.context.set_offline(False)
    phone.click("header form[action$='/logout/'] button")
    phone.wait_for_url(re.compile(r"/accounts/login/$"))
    phone.unroute("**/me/notes/new/")


def test_waiting_entries_stay_through_a_logout_and_are_sent_at_the_next_login(live_server, phone, cadre_on_mission):
    save_offline_and_log_out(phone, live_server, "Trước khi đăng xuất.")
    assert len(outbox_entries(phone)) == 1 and not DailyNote.objects.exists()

    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    waiting_count(phone, 0)
    assert DailyNote.objects.get().situation == "Trước khi đăng xuất."


def test_an_entry_of_another_cadre_on_a_shared_phone_is_not_filed_under_the_one_logged_in(
    live_server, phone, cadre_on_mission
):
    from tests.factories import AssignmentFactory, CadreUserFactory

    other = CadreUserFactory(user__username="canbo2")
    AssignmentFactory(cadre=other, starts_on=today() - datetime.timedelta(days=3))
    save_offline_and_log_out(phone, live_server, "Của cán bộ thứ nhất.")

    log_in(phone, live_server, "canbo2", TEST_PASSWORD)
    open_page(phone, live_server, "/me/outbox/")
    expect(phone.locator("#outbox-others")).to_be_visible()
    waiting_count(phone, 0)
    # Even sent by hand with the other user's mark, the server keeps it waiting.
    [entry] = outbox_entries(phone)
    assert entry["user"] == str(cadre_on_mission.cadre.user.pk)
    assert not DailyNote.objects.exists()


def test_a_missed_day_is_filed_late_from_my_mission_and_an_ended_mission_is_refused(
    live_server, phone, cadre_on_mission
):
    DailyNoteFactory(assignment=cadre_on_mission, day=today())
    missed = today() - datetime.timedelta(days=2)
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/")
    phone.click(f"#missed-days a[href$='?day={missed.isoformat()}']")
    expect(phone.locator("#id_day")).to_have_value(missed.isoformat())
    expect(phone.locator("#id_day option:checked")).to_contain_text(missed.strftime("%d/%m/%Y"))
    phone.fill("#id_situation", "Ghi bù.")
    phone.click("#note-submit")
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    expect(phone.locator("main .badge.late")).to_be_visible()
    assert DailyNote.objects.get(day=missed).filed_late

    # A day of the mission too far back: refused by the server, said on My mission.
    too_far = today() - datetime.timedelta(days=6)
    open_page(phone, live_server, f"/me/notes/new/?day={too_far.isoformat()}")
    phone.wait_for_url(re.compile(r"/me/$"))
    expect(phone.locator(".messages")).to_contain_text(too_far.strftime("%d/%m/%Y"))
    assert not DailyNote.objects.filter(day=too_far).exists()
    key = str(uuid.uuid4())
    assert key  # a keyed post of an out-of-mission day is refused: tests/reports/test_outbox_protocol.py


def test_a_report_drafted_and_submitted_offline_is_one_submitted_report(live_server, phone, cadre_on_mission):
    from reports.models import MissionReport, ReportStatus

    assignment = cadre_on_mission
    assignment.starts_on = today() - datetime.timedelta(days=27)
    assignment.ends_on = today() + datetime.timedelta(days=2)
    assignment.save()
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, f"/me/assignments/{assignment.pk}/report/")
    phone.context.set_offline(True)
    phone.fill("#id_local_work", "Đoàn phường hoạt động tích cực.")
    phone.fill("#id_recommendations-0-text", "Bổ sung máy đo ô-xy.")
    phone.click("main button[name=save]")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    # A second recommendation, then "submit": it replaces the waiting draft.
    phone.click("#add-recommendation")
    phone.fill("#id_recommendations-1-text", "Kiện toàn Đoàn phường.")
    phone.click("main button[name=submit]")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    [entry] = outbox_entries(phone)
    assert entry["intent"] == f"report:{assignment.pk}" and "submit" in entry["fields"]
    # Opened again while the sends still fail, the form shows what waits, both rows included.
    phone.route("**/report/", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    phone.context.set_offline(False)
    phone.reload()
    phone.wait_for_load_state()
    expect(phone.locator("#id_recommendations-1-text")).to_have_value("Kiện toàn Đoàn phường.")
    expect(phone.locator("#id_local_work")).to_have_value("Đoàn phường hoạt động tích cực.")
    assert not MissionReport.objects.exists()

    # The network lets sends through again: the outbox sends the submission and the page opens the report.
    phone.unroute("**/report/")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_url(re.compile(r"/me/reports/\d+/$"))
    assert outbox_entries(phone) == []
    report = MissionReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED and report.local_work == "Đoàn phường hoạt động tích cực."
    assert [rec.text for rec in report.recommendations.order_by("pk")] == [
        "Bổ sung máy đo ô-xy.",
        "Kiện toàn Đoàn phường.",
    ]
