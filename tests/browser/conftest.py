"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

They need /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).
Without it they are skipped with a message saying so; nothing is downloaded.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# The live server runs in a thread beside the async event loop Playwright keeps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if HAVE_CHROMIUM:
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


class OneRequestAtATime:
    """Serves one request at a time, when the live server shares the test's in-memory SQLite connection.

    Django's live server answers each request in its own thread; with in-memory SQLite
    every thread uses the test's single connection, and two requests at once (a page and
    the service worker fetching the pages it keeps, say) fail with "database table is
    locked". On PostgreSQL each thread has its own connection and requests run side by side.
    """

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            result = self.application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return [body]


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, made safe for in-memory SQLite (see OneRequestAtATime)."""
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    if server.thread.connections_override:
        static_handler = server.thread.static_handler
        server.thread.static_handler = lambda application: OneRequestAtATime(static_handler(application))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


# The service worker fetches the pages it keeps in the background, at moments a test does not
# choose; it is blocked except where a test is about it (phone_with_service_worker).
CONTEXT = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "service_workers": "block"}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP, **CONTEXT)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, **CONTEXT)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_with_service_worker(browser):
    context = browser.new_context(**PHONE, **{**CONTEXT, "service_workers": "allow"})
    yield context.new_page()
    context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Written to test-artifacts/screenshots/<name>.png; the viewport by default, which keeps files small."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, animations="disabled")


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


# What waits on the phone, in in IndexedDB "donghanh", store "outbox".
ENTRIES = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("donghanh", 2);
  opening.onerror = () => reject(opening.error);
  opening.onupgradeneeded = () => {
    opening.result.createObjectStore("photos");
    opening.result.createObjectStore("outbox", { keyPath: "id" });
  };
  opening.onsuccess = () => {
    const db = opening.result;
    const request = db.transaction("outbox").objectStore("outbox").getAll();
    request.onsuccess = () => {
      db.close();
      resolve(request.result.map((e) => ({
        id: e.id, user: e.user, intent: e.intent, state: e.state, message: e.message || "",
        fields: Object.fromEntries(e.fields), files: e.files.length,
      })));
    };
  };
})"""


def outbox_entries(page) -> list[dict]:
    return page.evaluate(ENTRIES)


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def open_page(page, live_server, path: str):
    """Go to `path` and wait for the page's deferred scripts to have run."""
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state()
    return response


def png_upload(name: str = "photo.png", size: tuple[int, int] = (64, 48)) -> dict:
    """A small real PNG for an <input type=file>, made with Pillow."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (179, 38, 30)).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


@pytest.fixture
def staff_account(db):
    """A member of the provincial office who logs in as "vanphong"."""
    from tests.factories import StaffUserFactory

    return StaffUserFactory(username="vanphong", first_name="Lê", last_name="Thị Văn Phòng")


@pytest.fixture
def cadre_on_mission(db):
    """A cadre who logs in as "canbo", on day 10 of a 30-day assignment to a red-zone ward."""
    import datetime

    from django.utils import timezone

    from tests.factories import AssignmentFactory, CadreUserFactory, LocalityFactory, ZoneStatusFactory

    today = timezone.localdate()
    district = LocalityFactory(name="Dĩ An", kind="city")
    ward = LocalityFactory(name="Đông Hòa", parent=district)
    ZoneStatusFactory(locality=ward, valid_from=today - datetime.timedelta(days=60))
    cadre = CadreUserFactory(full_name="Trần Thị Thu Hà", user__username="canbo")
    assignment = AssignmentFactory(
        cadre=cadre,
        locality=ward,
        starts_on=today - datetime.timedelta(days=9),
        host_organisation="Thành đoàn Dĩ An",
        campaign__starts_on=today - datetime.timedelta(days=30),
        campaign__ends_on=today + datetime.timedelta(days=60),
        campaign__name="30 ngày đồng hành cùng cơ sở",
    )
    return assignment
