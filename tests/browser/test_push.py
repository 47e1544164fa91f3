"""Notifications on the phone (static/js/push.js, static/js/sw.js) in real Chromium.

Headless Chromium reaches no push service, so a real subscription cannot be made here: the
first test holds the page to saying so. The second gives the service worker the message the
server sends (notices.sending) through DevTools, as a push service would, with the site's
pages closed; then taps the notification by dispatching a notificationclick in the worker,
as Chromium does when the person taps it (no DevTools command taps one).
"""

import json
import re

import pytest
from playwright.sync_api import expect

from notices import push
from notices.models import Kind, Notice
from notices.sending import _payload
from tests.browser.conftest import log_in, open_page
from tests.browser.test_cadre_notes_offline import ACTIVATED
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The notifications the site's service worker shows, as a page of the site reads them.
SHOWN = """() => navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })))"""

# A tap on the first notification shown: the event Chromium dispatches, made in the worker. Its waitUntil
# (refused to a script-made event) hands over what the worker waits for, which the test waits for too.
TAP = """() => self.registration.getNotifications().then(([notification]) => {
  const event = new NotificationEvent("notificationclick", { notification });
  let waited = Promise.resolve();
  event.waitUntil = (promise) => { waited = promise; };
  self.dispatchEvent(event);
  return waited.then(() => true);
})"""


@pytest.fixture
def push_on(settings):
    settings.VAPID_PRIVATE_KEY = push.new_private_key()


def test_turning_notifications_on_says_why_when_the_browser_cannot(
    live_server, phone_with_service_worker, cadre_on_mission, push_on
):
    phone = phone_with_service_worker
    phone.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/notices/settings/")
    expect(phone.locator("#push-on")).to_be_visible()
    expect(phone.locator("#push-off")).to_be_hidden()

    phone.click("#push-on")
    # Headless Chromium has no push service to subscribe with: the page says so in its own words.
    status = phone.locator("#push-status")
    expect(status).to_have_class(re.compile(r"\brefused\b"), timeout=15_000)
    expect(status).to_contain_text(phone.locator("#push-block").get_attribute("data-text-failed"))
    expect(phone.locator("#push-on")).to_be_enabled()
    assert not cadre_on_mission.cadre.user.push_subscriptions.exists()


def test_a_staff_browser_gets_the_worker_too_and_an_answer(
    live_server, phone_with_service_worker, staff_account, push_on
):
    """The worker's install asks for the cadre's pages, which refuse staff: it must still finish (it once
    waited for ever on the refused answers' unread bodies), and the page must answer."""
    page = phone_with_service_worker
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(page, live_server, "vanphong", TEST_PASSWORD)
    open_page(page, live_server, "/notices/settings/")
    page.click("#push-on")
    expect(page.locator("#push-status")).to_have_class(re.compile(r"\brefused\b"), timeout=15_000)
    active = page.evaluate("navigator.serviceWorker.getRegistration('/').then((r) => Boolean(r && r.active))")
    assert active


def _registration_id(cdp, page, scope: str) -> str:
    """The service worker registration's id, as DevTools names it (ServiceWorker.workerRegistrationUpdated)."""
    found = {}

    def updated(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if "id" in found:
            return found["id"]
        page.wait_for_timeout(100)
    raise AssertionError(f"No service worker registration for {scope}")


def test_a_push_shows_the_notice_and_a_tap_opens_it(live_server, phone_with_service_worker, cadre_on_mission):
    phone = phone_with_service_worker
    context = phone.context
    context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/")
    assert phone.evaluate(ACTIVATED)
    notice = Notice.objects.create(
        user=cadre_on_mission.cadre.user,
        kind=Kind.REPORT_DUE,
        key=f"report:{cadre_on_mission.pk}",
        title="Sắp đến hạn báo cáo cuối đợt",
        body="Đợt công tác tại Phường Đông Hòa\nkết thúc sau 3 ngày.",
        url="/me/outbox/",
    )

    # The message arrives while no page of the site is open.
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registration = _registration_id(cdp, blank, f"{live_server.url}/")

    def deliver(data: str) -> None:
        """What a push service does with the server's message (its encryption aside)."""
        message = {"origin": live_server.url, "registrationId": registration, "data": data}
        cdp.send("ServiceWorker.deliverPushMessage", message)

    phone.close()
    deliver(json.dumps(_payload(notice)))

    page = context.new_page()
    open_page(page, live_server, "/notices/")
    page.wait_for_function(f"() => ({SHOWN})().then((list) => list.length > 0)")
    assert page.evaluate(SHOWN) == [
        {
            "title": "Sắp đến hạn báo cáo cuối đợt",
            "body": "Đợt công tác tại Phường Đông Hòa kết thúc sau 3 ngày.",
            "tag": f"notice-{notice.pk}",
            "url": f"/notices/{notice.pk}/open/",
        }
    ]
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    notice.refresh_from_db()
    assert notice.read_at is None

    # A tap: the open page goes to the notice, which is then read, and on to the page it tells of.
    [worker] = context.service_workers
    assert worker.evaluate(TAP)
    page.wait_for_url(f"{live_server.url}/me/outbox/")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert page.evaluate(SHOWN) == []  # the tapped notification is closed

    # What is not the server's message still shows something, and never leads off the site.
    deliver("not JSON")
    deliver(json.dumps({"title": "Mở trang lạ", "url": "//elsewhere.example/"}))
    page.wait_for_function(f"() => ({SHOWN})().then((list) => list.length === 2)")
    shown = {n["title"]: n for n in page.evaluate(SHOWN)}
    assert shown == {
        "Đồng hành": {"title": "Đồng hành", "body": "Có thông báo mới.", "tag": "", "url": "/notices/"},
        "Mở trang lạ": {"title": "Mở trang lạ", "body": "", "tag": "", "url": "/notices/"},
    }
