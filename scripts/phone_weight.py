#!/usr/bin/env python
"""Light on the wire: what a cadre's phone downloads and waits for on a slow network, in figures.

    .venv/bin/python scripts/phone_weight.py                         # 3 rounds, 1-2 minutes
    .venv/bin/python scripts/phone_weight.py --rounds 1 --json /tmp/phone_weight.json

Not a test: it prints figures beside the issue's targets. Chromium (Debian's, /usr/bin/chromium;
nothing is downloaded) is driven by Playwright as a 360x740 phone (touch, vi-VN, Asia/Ho_Chi_Minh,
service workers allowed), with Chromium's network emulation at 400 kbit/s both ways and 400 ms
latency (--kbps, --latency-ms) set through CDP on the page AND on its service worker (attached
as it starts, before it runs), so that the worker's own fetches are as slow as the page's.
"Offline" is the same emulation with offline on (Playwright's context.set_offline does nothing
while another CDP session emulates the network, so it is not used).

Setup, none of it in the checkout: a temporary directory holds a SQLite database (or
--database-url), the photos (MEDIA_ROOT) and the collected static files (a settings module
there imports deployment.settings and changes STATIC_ROOT only). Production settings otherwise:
DEBUG=false, whitenoise's compressed hashed static files, gunicorn (2 workers). The demo is
loaded (migrate, seed_demo) and the demo cadre on mission today is used (--cadre to choose);
their note of today is deleted before each save that is measured. The login goes through the
login page once, unthrottled, in a context of its own; every measured context is fresh and gets
only the session cookies, so that nothing is cached for a first visit.

Each round (--rounds, medians are printed):
  1. first visit of My mission (/me/) and of the note form (/me/notes/new/), each in a fresh
     context: bytes transferred (CDP encodedDataLength: headers and body as sent, compressed),
     split into document, CSS, JS, images/icons and other, and the time to the load event. The
     service worker registers at load and caches the shell in the background: its bytes are
     counted apart ("service worker install"), with sw.js itself, whose body Chromium does not
     report (its size is read with a direct request).
  2. repeat visit of the same page in the same context, the worker active: time to load, online
     (throttled) and offline, and the bytes that still cross the network.
  3. on the note form: tap "save" to the note's page (online) and to "waiting" (offline).
Then once: a 4 MB camera JPEG (made with Pillow) is attached offline and saved; the queued
photo is read from IndexedDB (size, width, height); the network comes back and the upload
(its request body as gunicorn received it, from the access log: Playwright has no body for a
multipart POST with a blob; its duration from CDP) and the time until the header count is 0.

Browser console errors and warnings (pages and service worker) are printed with their step.
The exit status is 1 when a step could not be measured or the app did not do what it should;
a target not met does not change it.
"""

import argparse
import http.client
import io
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.load_notes import free_port, start_gunicorn, stop  # noqa: E402  (the project root, for the scripts)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
KB = 1000  # bytes: the figures are in kB of 1000 bytes, the stricter reading of the targets
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# As in tests/browser/conftest.py.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
    "service_workers": "allow",
}
DEMO_CADRES = ["mai", "lam", "nguyen", "tai"]
DEMO_PASSWORD = "dong-hanh-2021"
MY_MISSION = "/me/"
NOTE_FORM = "/me/notes/new/"
PAGES = {MY_MISSION: ("My mission", "#today-note-button"), NOTE_FORM: ("note form", "#note-form")}
NOTE_PAGE = re.compile(r"/me/notes/\d+/$")
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %({content-length}i)s"
NETWORK_EVENTS = [
    "Network.requestWillBeSent",
    "Network.responseReceived",
    "Network.requestServedFromCache",
    "Network.loadingFinished",
    "Network.loadingFailed",
]
CATEGORIES = ["document", "css", "js", "images/icons", "other"]
TARGET_FIRST_VISIT = 50 * KB
TARGET_REPEAT = 1.0  # seconds
TARGET_PHOTO_SIDE = 1600
TARGET_PHOTO_UPLOAD = 500 * KB

LOAD_TIME = """() => {
  const entry = performance.getEntriesByType("navigation")[0];
  return entry && entry.loadEventEnd > 0 ? entry.loadEventEnd - entry.startTime : null;
}"""
WORKER_READY = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => performance.now()),
  new Promise((resolve) => setTimeout(() => resolve(null), 30000)),
])"""
# The outbox as the app keeps it (static/js/outbox_core.js): IndexedDB "donghanh", store "outbox".
READ_OUTBOX = """async () => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("donghanh");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  if (!db.objectStoreNames.contains("outbox")) { db.close(); return []; }
  const entries = await new Promise((resolve, reject) => {
    const request = db.transaction("outbox").objectStore("outbox").getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  const found = [];
  for (const entry of entries) {
    const file = (entry.files || [])[0];
    const item = {id: entry.id, state: entry.state, reason: entry.reason || "", files: (entry.files || []).length};
    if (file) {
      const bitmap = await createImageBitmap(file.blob);
      Object.assign(item, {size: file.blob.size, type: file.blob.type, width: bitmap.width, height: bitmap.height});
      bitmap.close();
    }
    found.push(item);
  }
  return found;
}"""
CLEAR_OUTBOX = """async () => {
  Object.keys(localStorage).filter((key) => key.startsWith("donghanh:draft:"))
    .forEach((key) => localStorage.removeItem(key));
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("donghanh");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  if (db.objectStoreNames.contains("outbox")) {
    await new Promise((resolve, reject) => {
      const tx = db.transaction("outbox", "readwrite");
      tx.objectStore("outbox").clear();
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }
  db.close();
}"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of steps 1-3 (medians are printed)")
    parser.add_argument("--kbps", type=float, default=400, help="emulated throughput, kbit/s both ways")
    parser.add_argument("--latency-ms", type=float, default=400, help="emulated latency, ms")
    parser.add_argument("--cadre", choices=DEMO_CADRES, help="demo cadre (default: the first on mission today)")
    parser.add_argument(
        "--database-url",
        help="database to migrate and load the demo into (default: a temporary SQLite file); "
        "the chosen cadre's note of today is deleted there, several times",
    )
    parser.add_argument("--photo-mb", type=float, default=4.0, help="size of the camera JPEG, MB")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in production)")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"Chromium to drive (default {CHROMIUM})")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, log)")
    return parser.parse_args()


# Setting up: settings, database, static files, gunicorn.


def server_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings, with STATIC_ROOT moved to `workdir` by a settings module written there."""
    (workdir / "phone_weight_settings.py").write_text(
        '"""deployment.settings, the static files collected in a temporary directory (scripts/phone_weight.py)."""\n'
        "from deployment.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "DJANGO_SETTINGS_MODULE": "phone_weight_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
    import django

    django.setup()


def start_server(env: dict[str, str], port: int, workers: int, log_path: Path, access_log: Path) -> subprocess.Popen:
    """gunicorn as in production; its access log gives each request's body size as the server received it."""
    access = ("--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT)
    return start_gunicorn(env, port, workers, 4, log_path, extra_args=access)


def received_posts(access_log: Path, offset: int, path: str) -> list[int | None]:
    """Body sizes (Content-Length) of the POSTs to `path` that gunicorn logged after `offset` bytes of its log."""
    with open(access_log, "rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    sizes = []
    for line in lines:
        method, url, _status, length = (line.split() + ["", "", "", ""])[:4]
        if method == "POST" and url == path:
            sizes.append(int(length) if length.isdigit() else None)
    return sizes


def worker_script_size(port: int) -> int:
    """Body bytes of /sw.js, which the browser fetches for the worker without reporting its body size."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.request("GET", "/sw.js")
    return len(connection.getresponse().read())


# The database, through the ORM (Django set up in this process with the server's environment).


def pick_cadre(wanted: str | None) -> tuple[str, int]:
    """(username, cadre id) of a demo cadre on mission today; one without a note today if possible."""
    from django.utils import timezone

    from cadres.models import Assignment
    from reports.models import DailyNote

    today = timezone.localdate()
    on_mission = []
    for username in [wanted] if wanted else DEMO_CADRES:
        assignment = Assignment.objects.active_on(today).filter(cadre__user__username=username).first()
        if assignment is not None:
            noted = DailyNote.objects.filter(assignment__cadre_id=assignment.cadre_id, day=today).exists()
            on_mission.append((noted, username, assignment.cadre_id))
    if not on_mission:
        sys.exit(f"No demo cadre ({', '.join([wanted] if wanted else DEMO_CADRES)}) has an assignment running today.")
    _noted, username, cadre_id = min(on_mission, key=lambda found: found[0])
    return username, cadre_id


def clear_today(cadre_id: int) -> int:
    """Delete the cadre's note of today, so that the next save creates it."""
    from django.utils import timezone

    from reports.models import DailyNote

    deleted, _kinds = DailyNote.objects.filter(assignment__cadre_id=cadre_id, day=timezone.localdate()).delete()
    return deleted


def notes_today(cadre_id: int) -> list[dict]:
    from django.utils import timezone
    from PIL import Image

    from reports.models import DailyNote

    found = []
    for note in DailyNote.objects.filter(assignment__cadre_id=cadre_id, day=timezone.localdate()):
        item = {"id": note.pk, "situation": note.situation, "photo_bytes": None, "photo_size": None}
        if note.photo:
            item["photo_bytes"] = note.photo.size
            with note.photo.open("rb") as handle, Image.open(handle) as image:
                item["photo_size"] = list(image.size)
        found.append(item)
    return found


# The phone.


@dataclass
class Transfer:
    """One finished request as the network saw it."""

    source: str  # "page" or "worker" (the service worker's own fetches)
    url: str
    method: str
    kind: str  # CDP resource type
    bytes: int  # encodedDataLength: headers and body as they came over the wire
    from_worker: bool  # answered by the service worker: the bytes did not cross the network
    from_cache: bool
    encoding: str  # Content-Encoding of the response ("" when sent as is)
    started: float  # browser timestamps, seconds
    finished: float

    @property
    def network_bytes(self) -> int:
        return 0 if self.from_worker else self.bytes

    @property
    def category(self) -> str:
        if self.kind == "Document":
            return "document"
        if self.kind == "Stylesheet":
            return "css"
        if self.kind == "Script":
            return "js"
        if self.kind == "Image" or urlsplit(self.url).path.endswith((".png", ".svg", ".ico", ".jpg", ".webp")):
            return "images/icons"
        return "other"


@dataclass
class Log:
    """Console errors and warnings of pages and service worker, with the step they came in."""

    step: str = "setup"
    messages: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, source: str, kind: str, text: str) -> None:
        self.messages.append({"step": self.step, "source": source, "type": kind, "text": text[:300]})

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.step}: {text}")


class Phone:
    """A fresh browser context as a cadre's phone: one page, the network emulated for it and its service worker."""

    def __init__(self, browser, base: str, cookies: list[dict], args, log: Log):
        self.base, self.log = base, log
        self.throughput = args.kbps * 1000 / 8  # bytes per second
        self.latency = args.latency_ms
        self.offline = False
        self.requests: dict[tuple[str, str], dict] = {}
        self.finished: list[Transfer] = []
        self.activity = 0  # network events seen, to tell when the network is quiet
        self.workers: dict[str, str] = {}  # CDP session id -> service worker script URL
        self.message_id = 0
        self.posts: list[dict] = []
        self.context = browser.new_context(storage_state={"cookies": cookies, "origins": []}, **PHONE)
        self.context.on("console", self._console)
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: log.add("page", "exception", str(error)))
        self.cdp = self.context.new_cdp_session(self.page)
        for method in NETWORK_EVENTS:
            self.cdp.on(method, self._recorder("page", method))
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.detachedFromTarget", lambda event: self.workers.pop(event["sessionId"], None))
        self.cdp.on("Target.receivedMessageFromTarget", self._from_target)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", self.conditions())
        # The service worker is attached as it starts and waits until its network is emulated too.
        self.cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False})

    def close(self) -> None:
        self.context.close()

    # The network and what went over it.

    def conditions(self) -> dict:
        return {
            "offline": self.offline,
            "latency": self.latency,
            "downloadThroughput": self.throughput,
            "uploadThroughput": self.throughput,
        }

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.cdp.send("Network.emulateNetworkConditions", self.conditions())
        for session_id in list(self.workers):
            self._to_target(session_id, "Network.emulateNetworkConditions", self.conditions())

    def _to_target(self, session_id: str, method: str, params: dict | None = None) -> None:
        self.message_id += 1
        message = json.dumps({"id": self.message_id, "method": method, "params": params or {}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": message})

    def _attached(self, event: dict) -> None:
        session_id, target = event["sessionId"], event["targetInfo"]
        if target["type"] == "service_worker":
            self.workers[session_id] = target["url"]
            for method in ("Network.enable", "Runtime.enable", "Log.enable"):
                self._to_target(session_id, method)
            self._to_target(session_id, "Network.emulateNetworkConditions", self.conditions())
        if event.get("waitingForDebugger"):
            self._to_target(session_id, "Runtime.runIfWaitingForDebugger")

    def _from_target(self, event: dict) -> None:
        message = json.loads(event["message"])
        method, params = message.get("method"), message.get("params", {})
        if "error" in message:
            self.log.add("worker", "cdp", json.dumps(message["error"]))
        elif method in NETWORK_EVENTS:
            # The worker's own script was fetched before it was attached: only the end of it is seen.
            self._record("worker", method, params, self.workers.get(event["sessionId"], ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            self.log.add("worker", params["type"], text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description", details.get("text", ""))
            self.log.add("worker", "exception", text)
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            self.log.add("worker", params["entry"]["level"], params["entry"].get("text", ""))

    def _recorder(self, source: str, method: str):
        return lambda params: self._record(source, method, params)

    def _record(self, source: str, method: str, params: dict, script: str = "") -> None:
        self.activity += 1
        key = (source, params.get("requestId", ""))
        request = self.requests.setdefault(key, {"url": script, "method": "GET", "kind": "Other", "started": 0.0})
        if method == "Network.requestWillBeSent":
            request.update(
                url=params["request"]["url"],
                method=params["request"]["method"],
                kind=params.get("type", request["kind"]),
                started=params.get("timestamp", 0.0),
            )
        elif method == "Network.responseReceived":
            response = params["response"]
            request.update(kind=params.get("type", request["kind"]), from_worker=response.get("fromServiceWorker"))
            request["from_cache"] = response.get("fromDiskCache") or response.get("fromPrefetchCache")
            headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
            request["encoding"] = headers.get("content-encoding", "")
        elif method == "Network.requestServedFromCache":
            request["from_cache"] = True
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.finished.append(
                Transfer(
                    source=source,
                    url=request["url"],
                    method=request["method"],
                    kind=request["kind"],
                    bytes=int(params.get("encodedDataLength", 0)),
                    from_worker=bool(request.get("from_worker")),
                    from_cache=bool(request.get("from_cache")),
                    encoding=request.get("encoding", ""),
                    started=request["started"],
                    finished=params.get("timestamp", 0.0),
                )
            )

    def _console(self, message) -> None:
        if message.type in ("error", "warning", "assert"):
            where = "worker" if message.page is None else "page"
            self.log.add(where, message.type, message.text)

    def _request(self, request) -> None:
        if request.method == "POST" and urlsplit(request.url).path.startswith("/me/"):
            # Playwright has no body for a multipart POST with a blob: its size is read in gunicorn's access log.
            self.posts.append({"url": request.url, "from_worker": request.service_worker is not None})

    def mark(self) -> int:
        return len(self.finished)

    def since(self, mark: int) -> list[Transfer]:
        return self.finished[mark:]

    def wait_quiet(self, quiet: float = 1.0, limit: float = 30.0) -> None:
        """Until no network event has come for `quiet` seconds (events arrive while Playwright waits)."""
        started = last_change = time.monotonic()
        seen = self.activity
        while time.monotonic() - started < limit:
            self.page.wait_for_timeout(200)
            if self.activity != seen:
                seen, last_change = self.activity, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return

    # Pages.

    def visit(self, path: str) -> float | None:
        """Open `path`; seconds from navigation start to the end of the load event, None when it did not open."""
        label, selector = PAGES.get(path, (path, "main"))
        try:
            response = self.page.goto(self.base + path, wait_until="load", timeout=60000)
            self.page.wait_for_function(
                "() => { const e = performance.getEntriesByType('navigation')[0]; return e && e.loadEventEnd > 0; }",
                timeout=10000,
            )
        except PlaywrightError as error:
            self.log.problem(f"{path} did not open: {str(error).splitlines()[0]}")
            return None
        status = response.status if response else None
        if urlsplit(self.page.url).path != path or status != 200:
            self.log.problem(f"{path} answered {status} at {self.page.url}")
        elif self.page.locator(selector).count() == 0:
            self.log.problem(f"{label} opened without {selector}")
        seconds = self.page.evaluate(LOAD_TIME)
        return None if seconds is None else seconds / 1000

    def worker_ready(self) -> float | None:
        """Seconds from this page's navigation start until the service worker is active (shell cached)."""
        at = self.page.evaluate(WORKER_READY)
        if at is None:
            self.log.problem("the service worker was not ready within 30 s")
            return None
        return at / 1000

    def outbox(self) -> list[dict]:
        return self.page.evaluate(READ_OUTBOX)

    def clear_outbox(self) -> None:
        self.page.evaluate(CLEAR_OUTBOX)

    def fill_note(self, text: str) -> None:
        self.page.fill("#id_situation", text)
        self.page.locator("input[name=activities]").first.check()


def split_bytes(transfers: list[Transfer]) -> dict[str, int]:
    split = dict.fromkeys(CATEGORIES, 0)
    for transfer in transfers:
        split[transfer.category] += transfer.network_bytes
    return split


def log_in(browser, base: str, username: str, log: Log) -> tuple[list[dict], int]:
    """Through the login page, unthrottled, in a context of its own: (cookies, bytes of the login page)."""
    log.step = "login"
    context = browser.new_context(**{**PHONE, "service_workers": "block"})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(int(event["encodedDataLength"])))
    cdp.send("Network.enable")
    page.goto(f"{base}/accounts/login/", wait_until="load")
    page.wait_for_timeout(500)  # the favicon
    login_bytes = sum(received)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    if urlsplit(page.url).path != MY_MISSION:
        sys.exit(f"Login as {username} did not reach {MY_MISSION} but {page.url}: the session cookie did not stick?")
    cookies = context.cookies()
    context.close()
    return cookies, login_bytes


# The steps.


def first_and_repeat(browser, base: str, cookies: list[dict], args, log: Log, path: str, sw_script: int):
    """Step 1 and 2 for `path` in a fresh context; returns (figures, the phone, still open)."""
    label = PAGES[path][0]
    phone = Phone(browser, base, cookies, args, log)
    log.step = f"first visit, {label}"
    mark = phone.mark()
    load = phone.visit(path)
    ready = phone.worker_ready()
    phone.wait_quiet(quiet=1.5)
    transfers = phone.since(mark)
    page_transfers = [t for t in transfers if t.source == "page"]
    worker_transfers = [t for t in transfers if t.source == "worker"]
    figures = {
        "first_load_s": load,
        "first_bytes": sum(t.network_bytes for t in page_transfers),
        "first_split": split_bytes(page_transfers),
        "first_requests": [asdict(t) for t in page_transfers],
        "worker_ready_s": ready,
        "worker_install_bytes": sum(t.network_bytes for t in worker_transfers) + sw_script,
        "worker_install_requests": [asdict(t) for t in worker_transfers],
    }
    for offline in (False, True):
        mode = "offline" if offline else "online"
        log.step = f"repeat visit {mode}, {label}"
        phone.set_offline(offline)
        mark = phone.mark()
        figures[f"repeat_{mode}_s"] = phone.visit(path)
        phone.wait_quiet(quiet=1.0)
        figures[f"repeat_{mode}_bytes"] = sum(t.network_bytes for t in phone.since(mark))
    phone.set_offline(False)
    return figures, phone


def tap_online(phone: Phone, cadre_id: int, log: Log) -> dict:
    log.step = "tap to saved (online)"
    clear_today(cadre_id)
    phone.set_offline(False)
    if phone.visit(NOTE_FORM) is None:
        return {}
    text = f"Tình hình ổn định (đo lúc {time.strftime('%H:%M:%S')})."
    phone.fill_note(text)
    started = time.monotonic()
    phone.page.tap("#note-submit")
    try:
        phone.page.wait_for_url(NOTE_PAGE, wait_until="commit", timeout=60000)
        saved = time.monotonic() - started
        phone.page.wait_for_load_state("load")
        shown = time.monotonic() - started
    except PlaywrightError as error:
        status = phone.page.locator(".outbox-status").all_inner_texts()
        log.problem(f"no note page after the tap: {str(error).splitlines()[0]}; status on the form: {status}")
        return {}
    notes = notes_today(cadre_id)
    if len(notes) != 1 or notes[0]["situation"] != text:
        log.problem(f"after the tap the database holds {notes} for today")
    return {"tap_saved_s": saved, "tap_note_page_loaded_s": shown}


def tap_offline(phone: Phone, cadre_id: int, log: Log) -> dict:
    log.step = "tap to waiting (offline)"
    phone.clear_outbox()
    clear_today(cadre_id)
    phone.set_offline(True)
    if phone.visit(NOTE_FORM) is None:
        return {}
    phone.fill_note("Mất sóng: ghi chép chờ trên máy.")
    started = time.monotonic()
    phone.page.tap("#note-submit")
    try:
        phone.page.wait_for_selector(".outbox-status.waiting", state="visible", timeout=30000)
    except PlaywrightError as error:
        log.problem(f"no 'waiting' after the tap: {str(error).splitlines()[0]}")
        return {}
    waiting = time.monotonic() - started
    count = phone.page.get_attribute("#outbox-count", "data-count")
    if count != "1":
        log.problem(f"the header count shows {count!r}, not 1, with one note waiting")
    return {"tap_waiting_s": waiting}


def make_camera_photo(path: Path, megabytes: float) -> tuple[int, tuple[int, int]]:
    """A 4000x3000 JPEG (quality 92) like a phone camera's: smooth colour areas plus sensor noise, ~`megabytes`."""
    from PIL import Image, ImageChops

    rng = random.Random(2021)
    small = Image.frombytes("RGB", (160, 120), bytes(rng.randrange(256) for _ in range(160 * 120 * 3)))
    base = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    sigma = 6.5  # noise level; about 4.1 MB at quality 92, then one correction if needed
    for _attempt in range(3):
        noise = Image.merge("RGB", [Image.effect_noise(base.size, sigma) for _ in range(3)])
        buffer = io.BytesIO()
        ImageChops.add(base, noise, scale=1.0, offset=-128).save(buffer, "JPEG", quality=92)
        size = len(buffer.getvalue())
        if abs(size - megabytes * 1e6) <= 0.08 * megabytes * 1e6:
            break
        sigma = max(1.0, sigma + (megabytes * 1e6 - size) / 330_000)  # ~0.33 MB per unit of sigma here
    path.write_bytes(buffer.getvalue())
    return size, base.size


def photo(phone: Phone, cadre_id: int, photo_path: Path, access_log: Path, log: Log) -> dict:
    log.step = "photo, saved offline"
    phone.set_offline(True)
    phone.clear_outbox()
    clear_today(cadre_id)
    figures: dict = {}
    if phone.visit(NOTE_FORM) is None:
        return figures
    phone.fill_note("Ảnh chụp tại chốt kiểm soát.")
    phone.page.set_input_files("input[type=file][name=photo]", str(photo_path))
    started = time.monotonic()
    phone.page.tap("#note-submit")
    try:
        phone.page.wait_for_selector(".outbox-status.waiting", state="visible", timeout=60000)
    except PlaywrightError as error:
        log.problem(f"no 'waiting' after saving with the photo: {str(error).splitlines()[0]}")
        return figures
    figures["photo_queued_s"] = time.monotonic() - started
    entries = [entry for entry in phone.outbox() if entry["files"]]
    if len(entries) != 1:
        log.problem(f"the outbox holds {phone.outbox()}, not one entry with a photo")
        return figures
    queued = entries[0]
    figures.update(
        photo_queued_bytes=queued["size"],
        photo_queued_type=queued["type"],
        photo_queued_size=[queued["width"], queued["height"]],
    )

    log.step = "photo, sent when the network returns"
    mark, posts, logged = phone.mark(), len(phone.posts), access_log.stat().st_size
    started = time.monotonic()
    phone.set_offline(False)
    try:
        phone.page.wait_for_selector('#outbox-count[data-count="0"]', timeout=180000)
    except PlaywrightError as error:
        log.problem(f"the header count did not come back to 0: {str(error).splitlines()[0]}; outbox {phone.outbox()}")
        return figures
    figures["photo_stored_s"] = time.monotonic() - started
    phone.wait_quiet(quiet=1.0)
    uploads = [t for t in phone.since(mark) if t.method == "POST" and urlsplit(t.url).path == NOTE_FORM]
    sent = phone.posts[posts:]
    if sent:
        figures["photo_sent_by"] = "service worker" if sent[0]["from_worker"] else "page"
    received = received_posts(access_log, logged, NOTE_FORM)
    figures["photo_posts_received"] = len(received)
    if len(received) != 1:
        log.problem(f"the server received {len(received)} POSTs to {NOTE_FORM} (bodies {received}), not 1")
    if received:
        figures["photo_upload_body_bytes"] = received[0]
    if uploads:
        figures["photo_upload_s"] = uploads[0].finished - uploads[0].started
    notes = notes_today(cadre_id)
    if len(notes) != 1 or not notes[0]["photo_bytes"]:
        log.problem(f"after the upload the database holds {notes} for today")
    else:
        figures.update(photo_stored_bytes=notes[0]["photo_bytes"], photo_stored_size=notes[0]["photo_size"])
    return figures


# Figures.


def request_line(transfer: dict) -> str:
    how = "HTTP cache" if transfer.get("from_cache") else transfer.get("encoding") or "none"
    return f"  {transfer['bytes']:>7}  {how:<10} {transfer['kind']:<10} {urlsplit(transfer['url']).path}"


def median(values: list) -> float | None:
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def spread(values: list) -> str:
    values = [value for value in values if value is not None]
    return f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else ""


def kilobytes(value: float | None) -> str:
    return "-" if value is None else f"{value / KB:.1f} kB"


def seconds(values: list) -> str:
    value = median(values)
    return "-" if value is None else f"{value:.2f} s{spread(values)}"


def met(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "NO")


def report(args, facts: dict, rounds: list[dict], photo_figures: dict, log: Log) -> dict:
    rows: list[tuple[str, str, str, str]] = []

    def row(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((label, value, target, met(ok) if target else ""))

    summary: dict = {"facts": facts, "pages": {}, "taps": {}, "photo": photo_figures}
    for path, (label, _selector) in PAGES.items():
        figures = [round_figures[path] for round_figures in rounds if path in round_figures]
        first_bytes = median([f["first_bytes"] for f in figures])
        split = {name: median([f["first_split"][name] for f in figures]) for name in CATEGORIES}
        install = median([f["worker_install_bytes"] for f in figures])
        page = {
            "first_visit_bytes": first_bytes,
            "first_visit_split": split,
            "first_visit_load_s": median([f["first_load_s"] for f in figures]),
            "worker_install_bytes": install,
            "worker_ready_s": median([f["worker_ready_s"] for f in figures]),
            "rounds": figures,
        }
        ok = None if first_bytes is None else first_bytes <= TARGET_FIRST_VISIT
        row(f"{label} {path}: first visit, transferred", kilobytes(first_bytes), "<= 50 kB", ok)
        row("  document / CSS / JS / images+icons / other", " / ".join(f"{(split[n] or 0) / KB:.1f}" for n in split))
        row("  first visit, time to load", seconds([f["first_load_s"] for f in figures]))
        together = None if first_bytes is None or install is None else first_bytes + install
        row(
            "  + service worker install (background, after load)",
            f"{kilobytes(install)} (total {kilobytes(together)})",
            "(total <= 50 kB)",
            None if together is None else together <= TARGET_FIRST_VISIT,
        )
        row("  service worker ready (shell cached), since navigation", seconds([f["worker_ready_s"] for f in figures]))
        for mode in ("online", "offline"):
            values = [f[f"repeat_{mode}_s"] for f in figures]
            value = median(values)
            page[f"repeat_{mode}_s"] = value
            page[f"repeat_{mode}_bytes"] = median([f[f"repeat_{mode}_bytes"] for f in figures])
            row(
                f"  repeat visit {mode}, time to load",
                seconds(values),
                "< 1 s",
                None if value is None else value < TARGET_REPEAT,
            )
            row(f"  repeat visit {mode}, bytes over the network", kilobytes(page[f"repeat_{mode}_bytes"]))
        summary["pages"][path] = page
    for key, label in [
        ("tap_saved_s", "tap save -> saved, note page opening (online)"),
        ("tap_note_page_loaded_s", "tap save -> note page loaded (online)"),
        ("tap_waiting_s", "tap save -> 'waiting' shown (offline)"),
    ]:
        values = [round_figures.get("taps", {}).get(key) for round_figures in rounds]
        summary["taps"][key] = median(values)
        row(label, seconds(values))
    p = photo_figures
    row("camera photo attached (JPEG, quality 92)", f"{p.get('camera_bytes', 0) / 1e6:.2f} MB, {p.get('camera_size')}")
    row("tap save -> photo resized and 'waiting' (offline)", seconds([p.get("photo_queued_s")]))
    side = max(p["photo_queued_size"]) if p.get("photo_queued_size") else None
    row(
        "queued photo (IndexedDB): longest side",
        "-" if side is None else f"{side} px, {p.get('photo_queued_size')}",
        "<= 1600 px",
        None if side is None else side <= TARGET_PHOTO_SIDE,
    )
    queued = f"{kilobytes(p.get('photo_queued_bytes'))}, {p.get('photo_queued_type')}"
    row("queued photo (IndexedDB): size, type", queued)
    body = p.get("photo_upload_body_bytes")
    row(
        f"upload: request body received by the server (sent by the {p.get('photo_sent_by', '?')})",
        kilobytes(body),
        "< 500 kB",
        None if body is None else body < TARGET_PHOTO_UPLOAD,
    )
    row("upload when online: POST duration", seconds([p.get("photo_upload_s")]))
    row("network back -> stored, header count 0", seconds([p.get("photo_stored_s")]))
    row("photo stored on the server", f"{kilobytes(p.get('photo_stored_bytes'))}, {p.get('photo_stored_size')}")
    row("login page (before the first visits; cached after)", kilobytes(facts.get("login_page_bytes")))

    print(
        f"\n== Light on the wire: {args.kbps:g} kbit/s, {args.latency_ms:g} ms latency (Chromium network emulation),"
        f" {facts['browser']}, 360x740 phone, cadre {facts['cadre']}, {len(rounds)} round(s): median (min-max)"
    )
    width = max(len(r[0]) for r in rows) + 2
    value_width = max(len(r[1]) for r in rows) + 2
    print(f"{'figure':<{width}}{'value':<{value_width}}{'target':<17}met")
    for label, value, target, ok in rows:
        print(f"{label:<{width}}{value:<{value_width}}{target:<17}{ok}")
    print(f"kB = {KB} bytes; bytes are as on the wire (headers and compressed bodies, Chromium's encodedDataLength).")
    print("First visits are cold (fresh context, no cache) after a login made in another context: a phone that")
    print("has just shown the login page has its CSS and icon cached already. The phone's CPU is not slowed.")
    print(f"Service worker install: its fetches as reported, plus sw.js's body ({facts['sw_script_bytes']} bytes).")
    last = rounds[-1] if rounds else {}
    for path, (label, _selector) in PAGES.items():
        if path not in last:
            continue
        print(f"\nFirst visit of the {label} {path} (last round): bytes on the wire, content encoding, type, path")
        for transfer in last[path]["first_requests"]:
            print(request_line(transfer))
        print("  then the service worker, in the background (HTTP cache: nothing on the wire):")
        body = {"bytes": facts["sw_script_bytes"], "kind": "Script", "url": "/sw.js (its body: not in the events)"}
        print(request_line(body))
        for transfer in last[path]["worker_install_requests"]:
            print(request_line(transfer))
    if log.messages:
        print(f"\nBrowser console errors and warnings ({len(log.messages)}):")
        counted: dict[tuple, int] = {}
        for message in log.messages:
            key = (message["step"], message["source"], message["type"], message["text"])
            counted[key] = counted.get(key, 0) + 1
        for (step, source, kind, text), count in counted.items():
            print(f"  [{step}] {source} {kind}{f' (x{count})' if count > 1 else ''}: {text}")
    else:
        print("\nNo browser console errors or warnings.")
    if log.problems:
        print(f"\nPROBLEMS ({len(log.problems)}):")
        for problem in log.problems:
            print(f"  {problem}")
    summary.update(console=log.messages, problems=log.problems, rows=rows)
    return summary


def measure(args, workdir: Path, log: Log) -> tuple[dict, list[dict], dict]:
    """Set up, then the rounds and the photo; returns (facts, figures of each round, photo figures)."""
    database_url = args.database_url or f"sqlite:///{workdir / 'db.sqlite3'}"
    env = server_environment(workdir, database_url)
    print(f"== {workdir}: migrate, seed_demo, collectstatic")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--no-input", "-v0")
    setup_django(env)
    username, cadre_id = pick_cadre(args.cadre)
    port = args.port or free_port()
    access_log = workdir / "access.log"
    server = start_server(env, port, args.workers, workdir / "gunicorn.log", access_log)
    base = f"http://{HOST}:{port}"
    print(f"== gunicorn on {base} ({args.workers} workers, log {workdir / 'gunicorn.log'}); cadre {username}")
    photo_path = workdir / "camera.jpg"
    camera_bytes, camera_size = make_camera_photo(photo_path, args.photo_mb)
    print(f"== camera photo {photo_path.name}: {camera_bytes} bytes ({camera_bytes / 1e6:.2f} MB), {camera_size}")
    rounds: list[dict] = []
    photo_figures: dict = {"camera_bytes": camera_bytes, "camera_size": list(camera_size)}
    facts: dict = {"cadre": username, "kbps": args.kbps, "latency_ms": args.latency_ms, "rounds": args.rounds}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
            facts["browser"] = f"Chromium {browser.version}"
            cookies, facts["login_page_bytes"] = log_in(browser, base, username, log)
            facts["sw_script_bytes"] = sw_script = worker_script_size(port)
            for number in range(1, args.rounds + 1):
                print(f"== round {number} of {args.rounds}", flush=True)
                figures: dict = {}
                figures[MY_MISSION], phone = first_and_repeat(browser, base, cookies, args, log, MY_MISSION, sw_script)
                phone.close()
                figures[NOTE_FORM], phone = first_and_repeat(browser, base, cookies, args, log, NOTE_FORM, sw_script)
                figures["taps"] = {**tap_online(phone, cadre_id, log), **tap_offline(phone, cadre_id, log)}
                if number == args.rounds:
                    print("== photo", flush=True)
                    photo_figures.update(photo(phone, cadre_id, photo_path, access_log, log))
                phone.close()
                rounds.append(figures)
            browser.close()
    finally:
        stop(server)
    return facts, rounds, photo_figures


def main() -> int:
    args = parse_args()
    if not Path(args.chromium).exists():
        sys.exit(f"Chromium not found at {args.chromium} (apt-get install chromium); nothing is downloaded.")
    workdir = Path(tempfile.mkdtemp(prefix="phone_weight_"))
    log = Log()
    started = time.monotonic()
    try:
        facts, rounds, photo_figures = measure(args, workdir, log)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    summary = report(args, facts, rounds, photo_figures, log)
    summary["facts"]["elapsed_s"] = round(time.monotonic() - started, 1)
    print(f"\n(run took {summary['facts']['elapsed_s']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
        print(f"figures written to {args.json}")
    return 1 if log.problems else 0


if __name__ == "__main__":
    sys.exit(main())
