"""Story 2: a cadre on a phone files the daily notes, and nothing is lost or sent twice when the network drops.

Every note goes through the phone's outbox (outbox.js, IndexedDB "donghanh", store "outbox", the photo
with it) and is sent with the same client_key when the "online" event comes. tests/browser/test_outbox.py
tries the outbox against each way a network fails.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import DailyNote
from tests.browser.conftest import horizontal_overflow, log_in, open_page, outbox_entries, png_upload, screenshot
from tests.factories import TEST_PASSWORD, DailyNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cadre_files_notes_online_and_offline_and_each_is_stored_exactly_once(live_server, phone, cadre_on_mission):
    assignment = cadre_on_mission
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    phone.wait_for_url(re.compile(r"/me/$"))
    expect(phone.locator("h1")).to_have_text("Trần Thị Thu Hà")
    expect(phone.locator("main")).to_contain_text("Phường Đông Hòa")
    expect(phone.locator("main")).to_contain_text("Thành đoàn Dĩ An")
    expect(phone.locator(".day-counter")).to_contain_text("10")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "my-mission-phone")

    # Today's note, with a photo.
    phone.click("#today-note-button")
    phone.wait_for_url(re.compile(r"/me/notes/new/$"))
    expect(phone.locator("#id_day")).to_have_value(today.isoformat())
    phone.check("input[name=activities][value=testing]")
    phone.check("input[name=activities][value=door_to_door]")
    phone.fill("#id_situation", "Hỗ trợ phường lấy mẫu xét nghiệm tại khu phố 3.")
    phone.fill("#id_needs", "Thêm 200 bộ kit xét nghiệm nhanh.")
    phone.set_input_files("input[name=photo]", png_upload())
    screenshot(phone, "note-form-phone")
    phone.click("#note-submit")
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    note = DailyNote.objects.get(assignment=assignment, day=today)
    assert note.activities == ["door_to_door", "testing"]
    assert note.needs == "Thêm 200 bộ kit xét nghiệm nhanh."
    assert note.photo.name.endswith(".png")
    assert note.client_key is not None
    expect(phone.locator(f"main img[src='/me/notes/{note.pk}/photo/']")).to_be_visible()

    # Yesterday's note, missed and written while the network is gone: it stays on the phone.
    open_page(phone, live_server, "/me/")
    phone.click(f"#missed-days a[href$='?day={yesterday.isoformat()}']")
    expect(phone.locator("#id_day")).to_have_value(yesterday.isoformat())
    phone.context.set_offline(True)
    phone.check("input[name=activities][value=supplies]")
    phone.fill("#id_situation", "Mất sóng điện thoại ở khu cách ly; phát 50 phần quà cho hộ khó khăn.")
    phone.set_input_files("input[name=photo]", png_upload("offline.png"))
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()
    expect(phone.locator("#outbox-count")).to_have_attribute("data-count", "1")
    waiting = outbox_entries(phone)
    assert len(waiting) == 1
    assert waiting[0]["intent"] == f"note:{yesterday.isoformat()}"
    assert waiting[0]["files"] == 1
    assert DailyNote.objects.filter(assignment=assignment).count() == 1
    screenshot(phone, "note-waiting-offline-phone")

    # The network returns: the "online" event sends it, once, and the page shows the stored note.
    phone.context.set_offline(False)
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    expect(phone.locator("#outbox-count")).to_have_attribute("data-count", "0")
    assert outbox_entries(phone) == []
    sent = DailyNote.objects.get(assignment=assignment, day=yesterday)
    assert str(sent.client_key) == waiting[0]["id"]
    assert sent.activities == ["supplies"]
    assert sent.photo.name.endswith(".png")
    # Every cadre page sends what waits: opening my mission again sends nothing more.
    open_page(phone, live_server, "/me/")
    expect(phone.locator("#outbox-count")).to_have_attribute("data-count", "0")
    assert DailyNote.objects.filter(assignment=assignment).count() == 2
    assert DailyNote.objects.filter(assignment=assignment, day=yesterday).count() == 1


def test_a_draft_survives_a_reload_of_the_note_page(live_server, phone, cadre_on_mission):
    assignment = cadre_on_mission
    DailyNoteFactory(assignment=assignment, day=timezone.localdate())
    earlier = timezone.localdate() - datetime.timedelta(days=3)
    log_in(phone, live_server, "canbo", TEST_PASSWORD)

    open_page(phone, live_server, f"/me/notes/new/?day={earlier.isoformat()}")
    expect(phone.locator(".outbox-status")).to_be_hidden()
    phone.check("input[name=activities][value=checkpoints]")
    phone.fill("#id_difficulties", "Chốt kiểm soát thiếu áo chống dịch.")
    phone.check("input[name=health][value=quarantined]")
    phone.reload()
    phone.wait_for_load_state()

    expect(phone.locator("#id_difficulties")).to_have_value("Chốt kiểm soát thiếu áo chống dịch.")
    expect(phone.locator("input[name=activities][value=checkpoints]")).to_be_checked()
    expect(phone.locator("input[name=health][value=quarantined]")).to_be_checked()
    expect(phone.locator(".outbox-status")).to_contain_text("được khôi phục")
    assert not DailyNote.objects.filter(assignment=assignment, day=earlier).exists()

    # Once the note is sent the draft is gone: the page opens empty again.
    phone.click("#note-submit")
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    assert DailyNote.objects.get(assignment=assignment, day=earlier).difficulties == (
        "Chốt kiểm soát thiếu áo chống dịch."
    )
    draft = phone.evaluate(
        "(key) => localStorage.getItem(key)", f"donghanh:draft:{assignment.cadre.user.pk}:note:{earlier.isoformat()}"
    )
    assert draft is None


# Resolves once the page's service worker has installed (kept the pages) and activated.
ACTIVATED = """() => navigator.serviceWorker.ready.then((registration) => {
  const worker = registration.active;
  if (worker.state === "activated") { return true; }
  return new Promise((resolve) => worker.addEventListener("statechange", () => {
    if (worker.state === "activated") { resolve(true); }
  }));
})"""


def open_my_mission_with_the_service_worker(phone, live_server) -> None:
    """Log in as the cadre and open my mission, with the service worker installed and in control."""
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/")
    assert phone.evaluate(ACTIVATED)
    # The worker keeps the pages it installed with; reload once so that it controls this page.
    phone.reload()
    phone.wait_for_load_state()
    assert phone.evaluate("() => navigator.serviceWorker.controller !== null")


def test_the_note_page_opens_without_network_once_visited(live_server, phone_with_service_worker, cadre_on_mission):
    """The service worker keeps my mission and the note page; offline, the cached copy is what opens."""
    assignment = cadre_on_mission
    phone = phone_with_service_worker
    open_my_mission_with_the_service_worker(phone, live_server)
    open_page(phone, live_server, "/me/notes/new/")

    # Filed after the pages were cached: an answer from the server would show it, the cached copy does not.
    DailyNoteFactory(assignment=assignment, day=timezone.localdate())
    phone.context.set_offline(True)
    response = phone.goto(f"{live_server.url}/me/notes/new/")
    assert response.from_service_worker
    expect(phone.locator("#note-form")).to_be_visible()
    expect(phone.locator("#note-form")).to_have_attribute("action", "/me/notes/new/")
    response = phone.goto(f"{live_server.url}/me/")
    assert response.from_service_worker
    expect(phone.locator("#today-note-button")).to_have_attribute("href", "/me/notes/new/")
    phone.context.set_offline(False)


def server_down(**kwargs):
    raise RuntimeError("The database is away.")


def test_logging_out_removes_the_kept_pages_but_not_the_waiting_notes(
    live_server, phone_with_service_worker, cadre_on_mission, monkeypatch
):
    """On a shared phone, the next person must not open the last cadre's mission without network."""
    user = cadre_on_mission.cadre.user
    phone = phone_with_service_worker
    open_my_mission_with_the_service_worker(phone, live_server)
    assert phone.evaluate(KEPT_PAGES) > 0
    open_page(phone, live_server, "/me/notes/new/")
    # The server fails for now (a route cannot stop what the service worker's page sends): the note waits.
    monkeypatch.setattr("reports.views.cadre_notes.note_submit", server_down)
    phone.fill("#id_situation", "Chờ gửi.")
    phone.click("#note-submit")
    expect(phone.locator(".outbox-status.waiting")).to_be_visible()

    phone.click("header form[action$='/logout/'] button")
    phone.wait_for_url(re.compile(r"/accounts/login/$"))
    phone.wait_for_function(f"() => ({KEPT_PAGES})().then((count) => count === 0)")
    assert [entry["user"] for entry in outbox_entries(phone)] == [str(user.pk)]
    monkeypatch.undo()

    phone.context.set_offline(True)
    response = phone.goto(f"{live_server.url}/me/")
    assert response.status == 503
    expect(phone.locator("body")).not_to_contain_text("Trần Thị Thu Hà")
    phone.context.set_offline(False)


# How many responses the service worker keeps (caches named "donghanh-…").
KEPT_PAGES = """() => caches.keys().then((keys) => Promise.all(
  keys.filter((key) => key.startsWith("donghanh-")).map((key) => caches.open(key).then((cache) => cache.keys()))
)).then((lists) => lists.reduce((total, list) => total + list.length, 0))"""
