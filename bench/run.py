"""Measure the app's main pages under load, beside a plain Django page, the app's ceiling and Django admin.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/donghanh_scale .venv/bin/python bench/run.py [--quick] [--mixed 50]

One run: collect static files, create the bench accounts if missing, start
gunicorn (2 workers, as in production) on a free loopback port, and another for
the plain Django yardstick (bench/plain: sessions and auth middleware, database
sessions, the stock ModelBackend, the same 50-row table), then load each page
with wrk (`apt-get install wrk`) for a fixed time at a fixed concurrency, every
page once a round for several rounds (the median round is reported). Every page
is reported against the plain page signed in. Prints a table and saves the
figures to bench/results/<timestamp>.json.

Mixed load (--mixed RATE): each page is measured a second time while simulated
cadres file RATE notes a second in the background (NoteWriters), each a real
insert that moves the notes' data version, as a national evening does (about 15
a second at its peak); a second table shows those figures.

The sessions are made directly in the session table (the same rows a login
writes), so that the measurement is of the pages and not of password hashing.
The note submission POSTs today's note for a different cadre each time (the
"writers", whose notes of today are removed before each round), so every request
is a real insert unless more requests are sent than there are writers.

The measured province is the one with the most assignments in its communes, on
today's map of two levels (34 provinces, their communes directly under them, since
01/07/2025). The scoped pages are loaded as the accounts generate_scale_data makes
for each role (demo/scale_data.py names them after their anchor): the focal point
of the measured province's busiest sending unit, the host-locality officials of
the province and of its busiest ward, the organiser staff of its campaigns. An
older data set without them gets them here.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD = "bench-only-password-2021"
CSRF_SECRET = "benchcsrfsecret0123456789ABCDEFG"  # 32 characters, like Django's own.
WRITER_PREFIX = "bench-writer-"

sys.path.insert(0, str(BASE_DIR))


def server_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deployment.settings",
        "BENCHMARK": "1",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Page:
    key: str
    label: str
    url: str | None = None
    role: str = "staff"  # staff, cadre, admin, anonymous, writers, plain, or a scoped role of SCOPED_ROLES
    server: str = "app"  # app, or plain: the plain Django yardstick (bench/plain)
    method: str = "GET"
    missing: str = ""
    queries: int | None = None
    status: int | None = None
    single_ms: float | None = None
    slowest_query_ms: float | None = None
    slowest_query: str = ""
    size_bytes: int | None = None  # The body of the first request, as wrk receives it (no compression asked).
    result: dict = field(default_factory=dict)  # The median round by req/s.
    rounds: list[dict] = field(default_factory=list)
    # The same under mixed load (--mixed): cadres filing notes in the background meanwhile.
    mixed: dict = field(default_factory=dict)
    mixed_rounds: list[dict] = field(default_factory=list)


# --- Accounts and data the run needs ---------------------------------------


def _session_backend() -> str:
    from django.conf import settings

    return next(
        (backend for backend in settings.AUTHENTICATION_BACKENDS if "axes" not in backend.lower()),
        settings.AUTHENTICATION_BACKENDS[-1],
    )


def make_sessions(users, *, backend: str | None = None) -> dict[int, str]:
    """One session per user, written in bulk, as a login through `backend` writes it; keys by user id."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    if not issubclass(import_module(settings.SESSION_ENGINE).SessionStore, SessionStore):
        raise SystemExit(f"bench/run.py writes database sessions; SESSION_ENGINE is {settings.SESSION_ENGINE}.")
    backend = backend or _session_backend()
    expires = timezone.now() + datetime.timedelta(days=1)
    keys, rows = {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=SessionStore().encode(data), expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def bench_province():
    """The province with the most assignments in its communes (directly under it, as since 01/07/2025), and its
    busiest ward (its busiest commune if it has no ward)."""
    from django.db.models import Count

    from cadres.models import Assignment
    from localities.models import Level, Locality, LocalityKind

    in_communes = Assignment.objects.filter(
        locality__level=Level.COMMUNE, locality__parent__level=Level.PROVINCE
    ).exclude(cadre__code__startswith="BENCH-")
    busiest = in_communes.values("locality__parent").annotate(n=Count("pk")).order_by("-n", "locality__parent").first()
    if busiest is None:
        raise SystemExit("No assignment in a commune of today's map: load data first (manage.py generate_scale_data).")
    province = Locality.objects.get(pk=busiest["locality__parent"])
    communes = in_communes.filter(locality__parent=province).values("locality").annotate(n=Count("pk"))
    commune = (
        communes.filter(locality__kind=LocalityKind.WARD).order_by("-n", "locality").first()
        or communes.order_by("-n", "locality").first()
    )
    return province, Locality.objects.get(pk=commune["locality"])


def _ensure_active_assignment(cadre, *, campaign, locality, today) -> None:
    from cadres.models import Assignment

    if cadre.assignments.active_on(today).exists():
        return
    last = cadre.assignments.order_by("-ends_on").first()
    starts_on = today - datetime.timedelta(days=5)
    if last is not None and last.ends_on >= starts_on:
        starts_on = last.ends_on + datetime.timedelta(days=1)
    Assignment.objects.create(
        cadre=cadre,
        campaign=campaign,
        locality=locality,
        starts_on=starts_on,
        ends_on=max(starts_on, today) + datetime.timedelta(days=24),
        host_organisation="UBND (đo hiệu năng)",
    )


# The scoped roles the bench signs in as: the prefix of their generated username (demo/scale_data.py) and kind.
SCOPED_ROLES = {
    "unit": ("sc-unit-", "unit"),
    "ward": ("sc-commune-", "locality"),
    "province": ("sc-province-", "locality"),  # The province's host-locality official (a district's, before 2025).
    "organiser": ("sc-organiser-", "organiser"),
}


@dataclass
class Anchors:
    """What the scoped roles of the measured province are held on."""

    unit: object  # The sending unit whose cadres have the most assignments in the province (departments included).
    ward: object  # The province's busiest ward (or commune): bench_province().
    province: object  # The province itself, as a host locality.
    organiser: object  # The organising unit of the province's campaigns.

    def describe(self) -> str:
        return "; ".join(f"{role}: {getattr(self, role)} (pk {getattr(self, role).pk})" for role in SCOPED_ROLES)


def bench_anchors(province, commune) -> Anchors:
    from django.db.models import Count, F
    from django.db.models.functions import Coalesce

    from cadres.models import Assignment, ProvincialUnit

    def busiest(assignments, field):
        row = assignments.values(field).annotate(n=Count("pk")).order_by("-n", field).first()
        return row and row[field]

    in_province = Assignment.objects.filter(locality__parent=province).exclude(cadre__code__startswith="BENCH-")
    top_units = in_province.annotate(top=Coalesce(F("cadre__unit__parent"), F("cadre__unit")))
    return Anchors(
        unit=ProvincialUnit.objects.get(pk=busiest(top_units, "top")),
        ward=commune,
        province=province,
        organiser=ProvincialUnit.objects.get(pk=busiest(in_province, "campaign__organising_unit")),
    )


def prepare_scoped_accounts(anchors: Anchors, password: str) -> dict:
    """The generated account of each scoped role (made here if the data set predates them), given `password`."""
    from django.contrib.auth.models import User

    from accounts.roles import RoleKind
    from cadres.models import Role

    users = {}
    for role, (prefix, kind) in SCOPED_ROLES.items():
        anchor = getattr(anchors, role)
        kind = RoleKind(kind)
        held_on = (
            {"unit": None, "locality": anchor} if kind == RoleKind.LOCALITY else {"unit": anchor, "locality": None}
        )
        user, _ = User.objects.get_or_create(username=f"{prefix}{anchor.pk}")
        Role.objects.get_or_create(user=user, kind=kind, **held_on)
        users[role] = user
    # One hash for all (the generator leaves them none usable): they can sign in as the bench accounts can.
    User.objects.filter(pk__in=[user.pk for user in users.values()]).update(password=password)
    for user in users.values():
        user.password = password
    return users


def prepare_accounts(*, writers: int, province, today, anchors: Anchors | None = None) -> dict:
    """bench-staff, bench-admin, bench-cadre and the writers, each cadre with an assignment running today;
    the accounts of the scoped roles held on `anchors`."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from accounts.roles import CADRE_GROUP, STAFF_GROUP
    from cadres.models import Assignment, Cadre, Campaign, ProvincialUnit, UnitKind
    from localities.models import Level, Locality
    from reports.models import DailyNote

    password = make_password(PASSWORD)
    with transaction.atomic():
        staff_group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
        cadre_group, _ = Group.objects.get_or_create(name=CADRE_GROUP)
        staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"password": password})
        staff.groups.add(staff_group)
        admin, _ = User.objects.get_or_create(
            username="bench-admin", defaults={"password": password, "is_staff": True, "is_superuser": True}
        )
        unit, _ = ProvincialUnit.objects.get_or_create(
            name="Đơn vị đo hiệu năng", defaults={"short_name": "Đo hiệu năng", "kind": UnitKind.STATE}
        )
        # Older than any real campaign, so that pages defaulting to the latest campaign
        # running today do not pick this one.
        campaign, _ = Campaign.objects.update_or_create(
            name="Đợt đo hiệu năng",
            organising_unit=unit,
            defaults={
                "starts_on": today - datetime.timedelta(days=3650),
                "ends_on": today + datetime.timedelta(days=365),
            },
        )
        # The bench cadres serve outside the measured province, so that they change none of its pages, in
        # communes of today's map that exist on all their days (Assignment.clean_locality_period).
        today_communes = (
            Locality.objects.filter(level=Level.COMMUNE, valid_to=None)
            .valid_on(today - datetime.timedelta(days=5))
            .order_by("-pk")
        )
        communes = list(today_communes.exclude(parent=province)[:50]) or list(today_communes[:50])
        Assignment.objects.filter(campaign=campaign, locality__parent=province).update(locality=communes[0])

        wanted = ["bench-cadre"] + [f"{WRITER_PREFIX}{number:05d}" for number in range(writers)]
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create([User(username=name, password=password) for name in wanted if name not in existing])
        users = {user.username: user for user in User.objects.filter(username__in=wanted)}
        membership = User.groups.through
        member = set(
            membership.objects.filter(group=cadre_group, user__in=users.values()).values_list("user_id", flat=True)
        )
        membership.objects.bulk_create(
            [membership(user_id=user.pk, group_id=cadre_group.pk) for user in users.values() if user.pk not in member]
        )
        with_cadre = set(Cadre.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
        Cadre.objects.bulk_create(
            [
                Cadre(code=f"BENCH-{user.username}", full_name=f"Cán bộ đo {user.username}", unit=unit, user=user)
                for user in users.values()
                if user.pk not in with_cadre
            ]
        )
        cadres = {cadre.user_id: cadre for cadre in Cadre.objects.filter(user__in=users.values())}
        active = set(
            Assignment.objects.active_on(today).filter(cadre__in=cadres.values()).values_list("cadre_id", flat=True)
        )
        for index, cadre in enumerate(cadres.values()):
            if cadre.pk not in active:
                _ensure_active_assignment(
                    cadre, campaign=campaign, locality=communes[index % len(communes)], today=today
                )
        writer_users = [user for name, user in users.items() if name.startswith(WRITER_PREFIX)]
        # Every POST must be a real insert: clear the day the writers are about to file.
        removed, _ = DailyNote.objects.filter(assignment__cadre__user__in=writer_users, day=today).delete()
        scoped = prepare_scoped_accounts(anchors, password) if anchors is not None else {}
        sessions = make_sessions([staff, admin, users["bench-cadre"], *writer_users, *scoped.values()])
        # The plain yardstick signs bench-staff in through the stock ModelBackend.
        plain = make_sessions([staff], backend="django.contrib.auth.backends.ModelBackend")
    return {
        **{role: sessions[user.pk] for role, user in scoped.items()},
        "plain": plain[staff.pk],
        "staff": sessions[staff.pk],
        "admin": sessions[admin.pk],
        "cadre": sessions[users["bench-cadre"].pk],
        "writers": [sessions[user.pk] for user in writer_users],
        "writer_user_ids": [user.pk for user in writer_users],
        "notes_removed": removed,
    }


# --- Pages -----------------------------------------------------------------


PLAIN_PATH = "/plain/"


def _url(name: str, *, args=None, query: str = "") -> str:
    from django.urls import reverse

    return reverse(name, args=args) + (f"?{query}" if query else "")


def build_pages(*, province) -> list[Page]:
    from django.db.models import Count, Q
    from django.urls import NoReverseMatch
    from django.utils import timezone

    from cadres.models import Assignment

    in_province = Assignment.objects.filter(
        Q(locality=province) | Q(locality__parent=province) | Q(locality__parent__parent=province)
    ).count()
    deep = max(1, min(200, math.ceil(in_province / 50)))
    # The grid shows one campaign: the province's campaign running today, with the most cadres.
    running = (
        Assignment.objects.active_on(timezone.localdate())
        .filter(locality__parent=province)
        .values("campaign")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    campaign = f"campaign={running['campaign']}&" if running else ""
    specs = [
        # The yardstick: a plain Django project outside the app's stack (bench/plain), rendering the same table.
        ("plain", "plain Django page", PLAIN_PATH, None, "", "anonymous", "GET"),
        ("plain_signed_in", "plain Django page, signed in", PLAIN_PATH, None, "", "plain", "GET"),
        ("bare", "bare view (ceiling)", "bench_bare", None, "", "anonymous", "GET"),
        # The same page for a signed-in user: the session and the user are read, as on every page below.
        ("bare_signed_in", "bare view, signed in", "bench_bare", None, "", "staff", "GET"),
        ("dashboard", "1 staff dashboard", "cadres:dashboard", None, "", "staff", "GET"),
        ("assignments_p1", "2 assignments, province, p. 1", "cadres:assignment_list", None,
         f"locality={province.pk}", "staff", "GET"),
        ("assignments_deep", f"2 assignments, province, p. {deep}", "cadres:assignment_list", None,
         f"locality={province.pk}&page={deep}", "staff", "GET"),
        ("notes_inbox", "3 notes inbox", "reports:notes_inbox", None, "", "staff", "GET"),
        ("compliance", "4 compliance grid, province", "reports:compliance", None,
         f"{campaign}locality={province.pk}", "staff", "GET"),
        # A province's page since 2025: its communes (a district's before) and the assignments in them.
        ("locality_detail_province", "5 locality detail (province)", "cadres:locality_detail", [province.pk], "",
         "staff", "GET"),
        ("my_mission", "6 my mission (cadre)", "phone:my_mission", None, "", "cadre", "GET"),
        ("note_create", "7 daily note POST (insert)", "reports:note_create", None, "", "writers", "POST"),
        ("escalations", "8 escalation inbox", "reports:escalation_inbox", None, "", "staff", "GET"),
        # The scoped roles (SCOPED_ROLES), each on its own pages: what its roles reach, nationally.
        ("unit_dashboard", "unit: 1 dashboard", "cadres:dashboard", None, "", "unit", "GET"),
        ("unit_assignments", "unit: 2 assignments", "cadres:assignment_list", None, "", "unit", "GET"),
        ("unit_notes", "unit: 3 notes inbox", "reports:notes_inbox", None, "", "unit", "GET"),
        ("unit_compliance", "unit: 4 compliance grid", "reports:compliance", None, "", "unit", "GET"),
        ("unit_escalations", "unit: 8 escalation inbox", "reports:escalation_inbox", None, "", "unit", "GET"),
        ("ward_dashboard", "ward: 1 dashboard", "cadres:dashboard", None, "", "ward", "GET"),
        ("ward_assignments", "ward: 2 assignments", "cadres:assignment_list", None, "", "ward", "GET"),
        ("ward_escalations", "ward: 8 escalation inbox", "reports:escalation_inbox", None, "", "ward", "GET"),
        ("province_dashboard", "province: 1 dashboard", "cadres:dashboard", None, "", "province", "GET"),
        ("province_assignments", "province: 2 assignments", "cadres:assignment_list", None, "", "province", "GET"),
        ("province_escalations", "province: 8 escalation inbox", "reports:escalation_inbox", None, "", "province",
         "GET"),
        ("organiser_dashboard", "organiser: 1 dashboard", "cadres:dashboard", None, "", "organiser", "GET"),
        ("organiser_assignments", "organiser: 2 assignments", "cadres:assignment_list", None, "", "organiser",
         "GET"),
        ("admin_assignments", "admin: assignment changelist", "admin:cadres_assignment_changelist", None, "",
         "admin", "GET"),
    ]  # fmt: skip
    pages = []
    for key, label, name, args, query, role, method in specs:
        page = Page(key=key, label=label, role=role, method=method)
        if name == PLAIN_PATH:
            page.url, page.server = PLAIN_PATH, "plain"
            pages.append(page)
            continue
        try:
            page.url = _url(name, args=args, query=query)
        except NoReverseMatch:
            page.missing = f"missing: URL {name} does not exist yet"
        pages.append(page)
    return pages


def count_queries(pages: list[Page], sessions: dict) -> None:
    """Run each GET once in-process: the number of SQL queries, and a traceback now rather than 500s later."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        if page.missing or page.method != "GET" or page.server != "app":
            continue
        client = Client(raise_request_exception=False)
        if page.role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[page.role]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(page.url, HTTP_ACCEPT_LANGUAGE="vi")
            page.single_ms = (time.perf_counter() - started) * 1000
        page.status = response.status_code
        page.size_bytes = len(response.content)
        page.queries = len(captured.captured_queries)
        slowest = max(captured.captured_queries, key=lambda query: float(query["time"]), default=None)
        if slowest is not None:
            page.slowest_query_ms = float(slowest["time"]) * 1000
            page.slowest_query = slowest["sql"]
        print(
            f"  {page.label:<34} {page.status} in {page.single_ms:7.0f} ms, {page.queries} queries, "
            f"{page.size_bytes / 1024:.1f} KB",
            flush=True,
        )


# --- Server and load generator -------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, *, module: str = "deployment.wsgi") -> subprocess.Popen:
    """gunicorn serving `module` (the app, or the plain yardstick bench.plain.wsgi), once it answers."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, module, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    # Its log goes to a file: the quick shutdown at the end interrupts open connections noisily.
    log = open(RESULTS_DIR / f"gunicorn-{module.split('.')[0]}.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        command + ["--log-level", "warning"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    probe = "/healthz" if module == "deployment.wsgi" else PLAIN_PATH
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn ({module}) exited before it answered {probe}")
    stop_gunicorn(server)
    raise SystemExit(f"gunicorn ({module}) did not answer {probe} within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    # SIGINT is gunicorn's quick shutdown: no waiting for slow requests to finish.
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


LUA_COMMON = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do non2xx = non2xx + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\\n',
    summary.requests, summary.duration, non2xx, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""

LUA_WRITERS = """
local sessions = {%(sessions)s}
local counter = 0
local started = os.time()
function request()
  counter = counter + 1
  local session = sessions[(counter - 1) %% #sessions + 1]
  local key = string.format("%%08x-0000-4000-8000-%%012x", started %% 4294967296, counter)
  local body = "csrfmiddlewaretoken=%(csrf)s&day=%(day)s&activities=door_to_door&activities=testing"
    .. "&situation=Ho+tro+lay+mau+xet+nghiem&health=well&client_key=" .. key
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = "%(cookie)s=" .. session .. "; csrftoken=%(csrf)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end
"""


def run_wrk(url: str, *, seconds: int, concurrency: int, headers: list[str], script: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    try:
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "-s", script_path]
        for header in headers:
            command += ["-H", header]
        output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script_path)
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_taken = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "rps": figures["requests"] / seconds_taken if seconds_taken else 0.0,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "mean_ms": figures["mean_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "non2xx": figures["non2xx"],
        "socket_errors": figures["socket_errors"],
    }


def _headers(page: Page, sessions: dict) -> list[str]:
    from django.conf import settings

    headers = ["Accept-Language: vi"]
    if page.role not in ("anonymous", "writers"):
        headers.append(f"Cookie: {settings.SESSION_COOKIE_NAME}={sessions[page.role]}")
    return headers


def measure(
    page: Page,
    *,
    base: str,
    sessions: dict,
    seconds: int,
    warmup: int,
    concurrency: int,
    today,
    workers: int,
    writers: "NoteWriters | None" = None,
) -> dict:
    """Load `page` with wrk for `seconds`, `writers` filing notes meanwhile if given; the round's figures."""
    from django.conf import settings

    headers = _headers(page, sessions)
    script = LUA_COMMON
    if page.role == "writers":
        script += LUA_WRITERS % {
            "sessions": ", ".join(f'"{key}"' for key in sessions["writers"]),
            "csrf": CSRF_SECRET,
            "day": today.isoformat(),
            "path": page.url,
            "cookie": settings.SESSION_COOKIE_NAME,
        }
        warmup = 0  # every request files a note: do not spend writers on a warm-up
    url = base + page.url
    if warmup:
        # As many clients as workers, one request at a time each: every worker warms its own memory
        # cache, and no backlog is left (sync workers finish requests whose client has gone) that the
        # measurement would pay for.
        deadline = time.monotonic() + warmup
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            for _ in pool.map(lambda _: _warm(url, headers, deadline), range(workers)):
                pass
    with writers if writers is not None else contextlib.nullcontext():
        result = run_wrk(url, seconds=seconds, concurrency=concurrency, headers=headers, script=script)
    if writers is not None:
        result["writers"] = writers.figures()
    drain(base, page.server)
    return result


def median_round(rounds: list[dict]) -> dict:
    return sorted(rounds, key=lambda result: result["rps"])[len(rounds) // 2]


class NoteWriters:
    """Cadres filing today's note in the background at a steady `rate` a second: the mixed-load mode.

    Open loop, as phones send: each note leaves at its time whether or not the server has answered the
    ones before (8 connections at most in flight). Each is a real insert by a writer who has not filed
    today (clear_writers_day runs before each measurement), so each moves the notes' data version and
    the pages cached from the notes are computed again.
    """

    THREADS = 8

    def __init__(self, base: str, path: str, sessions: list[str], *, rate: float, today, cookie: str):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.path, self.sessions, self.rate = path, sessions, rate
        self.body_prefix = (
            f"csrfmiddlewaretoken={CSRF_SECRET}&day={today.isoformat()}&activities=door_to_door"
            "&activities=testing&situation=Ho+tro+lay+mau+xet+nghiem&health=well&client_key="
        )
        self.cookie = cookie
        self.local = threading.local()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.sent = 0

    def __enter__(self):
        self.stop.clear()
        self.latencies, self.statuses, self.sent = [], {}, 0
        self.started = time.monotonic()
        self.pool = concurrent.futures.ThreadPoolExecutor(self.THREADS)
        self.scheduler = threading.Thread(target=self._schedule, daemon=True)
        self.scheduler.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.scheduler.join()
        self.pool.shutdown(wait=True)
        self.elapsed = time.monotonic() - self.started

    def _schedule(self) -> None:
        number = 0
        while not self.stop.is_set() and number < len(self.sessions):
            wait = self.started + number / self.rate - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                break
            self.pool.submit(self._post, self.sessions[number])
            number += 1
        self.sent = number

    def _post(self, session: str) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        body = self.body_prefix + str(uuid.uuid4())
        headers = {
            "Cookie": f"{self.cookie}={session}; csrftoken={CSRF_SECRET}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        started = time.monotonic()
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.local.connection = None
            status = 0
        with self.lock:
            self.latencies.append((time.monotonic() - started) * 1000)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def figures(self) -> dict:
        latencies = sorted(self.latencies)
        answered = len(latencies)

        def percentile(share: float) -> float:
            return latencies[min(answered - 1, int(share * answered))] if answered else 0.0

        return {
            "sent": self.sent,
            "rate": self.sent / self.elapsed if self.elapsed else 0.0,
            "ok": sum(count for status, count in self.statuses.items() if 200 <= status < 300),
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
        }


def clear_writers_day(writer_user_ids: list[int], today) -> int:
    """Remove the notes the writers filed today, so that every POST of the next round is an insert."""
    from reports.models import DailyNote

    removed, _ = DailyNote.objects.filter(assignment__cadre__user__in=writer_user_ids, day=today).delete()
    return removed


def writers_notes(writer_user_ids: list[int], today) -> int:
    from reports.models import DailyNote

    return DailyNote.objects.filter(assignment__cadre__user__in=writer_user_ids, day=today).count()


def _get(url: str, headers: list[str]) -> None:
    request = urllib.request.Request(url, headers=dict(header.split(": ", 1) for header in headers))
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    except urllib.error.HTTPError:
        pass


def _warm(url: str, headers: list[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        _get(url, headers)


def drain(base: str, server: str = "app") -> None:
    """Wait until both workers have finished the requests wrk left behind."""
    probe = f"{base}{PLAIN_PATH if server == 'plain' else '/healthz'}"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for _ in range(2):
            list(pool.map(lambda _: _get(probe, []), range(2)))


# --- Report ------------------------------------------------------------------


def data_counts() -> dict[str, int]:
    from cadres.models import Assignment, Cadre
    from localities.models import Locality
    from reports.models import DailyNote, Escalation, MissionReport

    return {
        model._meta.label: model.objects.count()
        for model in (Locality, Cadre, Assignment, DailyNote, Escalation, MissionReport)
    }


def environment_facts(args) -> dict:
    import django
    from django.db import connection

    cpu = platform.processor()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.node()}: {os.cpu_count()} CPUs, {cpu}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}",
        "load_generator": (wrk_version[0] if wrk_version else "wrk") + ", 1 thread, on loopback",
        "gunicorn_workers": args.workers,
        "concurrency": args.concurrency,
        "seconds_per_page": args.seconds,
        "rounds": args.rounds,
    }


def print_table(pages: list[Page], *, mixed: bool = False) -> None:
    """The figures of each page: quiet, or (mixed) under the background writers' notes."""

    def result_of(page: Page) -> dict:
        return page.mixed if mixed else page.result

    def rps_of(key: str) -> float | None:
        return next((result_of(page).get("rps") for page in pages if page.key == key), None)

    plain, bare, admin = rps_of("plain_signed_in"), rps_of("bare"), rps_of("admin_assignments")
    header = (
        f"{'page':<34} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'non-2xx':>8} {'x plain':>8} "
        f"{'x bare':>7} {'x admin':>8} {'KB':>8} {'queries':>8} {'1 req':>8}  {'req/s of each round':<20}"
    )
    if mixed:
        header += "  notes filed meanwhile: a second, p95 ms"
    print(header)
    print("-" * len(header))
    for page in pages:
        result = result_of(page)
        if page.missing or not result:
            if page.missing:
                single = f", {page.queries} queries" if page.queries is not None else ""
                print(f"{page.label:<34} {page.missing}{single}")
            continue
        to_plain = f"{result['rps'] / plain:.2f}" if plain else "-"
        to_bare = f"{result['rps'] / bare:.2f}" if bare else "-"
        to_admin = f"{result['rps'] / admin:.2f}" if admin and page.key.startswith("assignments") else ""
        queries = "" if page.queries is None else str(page.queries)
        size = "" if page.size_bytes is None else f"{page.size_bytes / 1024:.1f}"
        each_round = " ".join(f"{each['rps']:.0f}" for each in (page.mixed_rounds if mixed else page.rounds))
        line = (
            f"{page.label:<34} {result['rps']:>8.1f} {result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f} "
            f"{result['p99_ms']:>8.1f} {result['non2xx']:>8} {to_plain:>8} {to_bare:>7} {to_admin:>8} {size:>8} "
            f"{queries:>8} {page.single_ms or 0:>8.0f}  {each_round:<20}"
        )
        if mixed and "writers" in result:
            writers = result["writers"]
            line += f"  {writers['rate']:.1f}/s ({writers['ok']} of {writers['sent']} filed), {writers['p95_ms']:.0f}"
        print(line)
    print(
        "(each page's median round by req/s; latencies in ms; x plain = req/s over the plain Django page's,\n"
        " signed in (bench/plain); x bare = over the app's bare view, anonymous; x admin = over the admin\n"
        " changelist's; KB = size of the page's body; queries and 1 req = SQL queries and ms of one request\n"
        " in-process before the load; unit, ward, province, organiser: the pages as that scoped role sees them,\n"
        " province being the host-locality official of the measured province)"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="seconds of sequential requests before each measurement (default 1)"
    )
    parser.add_argument(
        "--mixed",
        type=float,
        default=0,
        metavar="RATE",
        help="also measure every page while cadres file RATE notes a second in the background (e.g. 50)",
    )
    parser.add_argument("--writers", type=int, default=3000, help="cadres filing today's note in the POST test")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s per page, 500 writers")
    parser.add_argument(
        "--too-slow", type=float, default=5.0, help="skip the load test of a page slower than this many seconds"
    )
    parser.add_argument("--only", default="", help="comma-separated page keys, e.g. bare,dashboard")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every page this many times, in turn, and report the median (default 3; 1 with --quick)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.writers, args.rounds = 2, min(args.writers, 500), 1
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to the database to measure (e.g. the scale data set).")
    env = server_environment(database_url)
    os.environ.update({**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"})

    import django

    django.setup()
    from django.utils import timezone

    today = timezone.localdate()
    print("Preparing static files and bench accounts ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    province, commune = bench_province()
    anchors = bench_anchors(province, commune)
    sessions = prepare_accounts(writers=args.writers, province=province, today=today, anchors=anchors)
    pages = build_pages(province=province)
    if args.only:
        keys = set(args.only.split(","))
        pages = [page for page in pages if page.key in keys or page.key in ("bare", "plain_signed_in")]
    count_queries(pages, sessions)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    ports = {"app": free_port(), "plain": free_port()}
    servers = {"app": start_gunicorn(env, ports["app"], args.workers)}
    try:
        servers["plain"] = start_gunicorn(env, ports["plain"], args.workers, module="bench.plain.wsgi")
        bases = {server: f"http://127.0.0.1:{port}" for server, port in ports.items()}
        writers = None
        if args.mixed:
            from django.conf import settings

            writers = NoteWriters(
                bases["app"],
                _url("reports:note_create"),
                sessions["writers"],
                rate=args.mixed,
                today=today,
                cookie=settings.SESSION_COOKIE_NAME,
            )
        print(
            f"gunicorn ({args.workers} workers) on {bases['app']}, the plain yardstick on {bases['plain']}; "
            f"{args.seconds} s per page at concurrency {args.concurrency}"
            + (f"; then again while {args.mixed:g} notes a second are filed" if args.mixed else "")
        )
        print(f"province: {province} (pk {province.pk}); its busiest commune: {commune} (pk {commune.pk})")
        print(f"scoped roles: {anchors.describe()}", flush=True)
        # The machine's speed drifts (a VM): every page is measured once a round, the rounds in turn.
        inserted = 0
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds} ...", flush=True)
            for page in pages:
                if page.missing:
                    continue
                if page.single_ms and page.single_ms > args.too_slow * 1000:
                    # Under load it would answer nothing within the window and keep both
                    # workers busy into the next page's measurement.
                    page.missing = f"not loaded: one request took {page.single_ms / 1000:.1f} s"
                    continue
                if page.role == "writers":
                    clear_writers_day(sessions["writer_user_ids"], today)
                load = {
                    "base": bases[page.server],
                    "sessions": sessions,
                    "seconds": args.seconds,
                    "warmup": args.warmup,
                    "concurrency": args.concurrency,
                    "today": today,
                    "workers": args.workers,
                }
                page.rounds.append(measure(page, **load))
                page.result = median_round(page.rounds)
                if page.role == "writers":
                    inserted += writers_notes(sessions["writer_user_ids"], today)
                if writers is not None and page.method == "GET":
                    clear_writers_day(sessions["writer_user_ids"], today)
                    page.mixed_rounds.append(measure(page, **load, writers=writers))
                    page.mixed = median_round(page.mixed_rounds)
        print()
    finally:
        for server in servers.values():
            stop_gunicorn(server)

    print_table(pages)
    if args.mixed:
        print(f"\nUnder mixed load: the same pages while cadres file {args.mixed:g} notes a second")
        print_table(pages, mixed=True)
    post = next((page for page in pages if page.key == "note_create" and page.result), None)
    if post is not None:
        sent = sum(result["requests"] for result in post.rounds)
        print(f"note POSTs: {sent} sent, {inserted} notes inserted by {args.writers} writers")
    facts = environment_facts(args)
    report = {
        **facts,
        "data": data_counts(),
        "province": {"pk": province.pk, "name": str(province)},
        "commune": {"pk": commune.pk, "name": str(commune)},
        "scoped_roles": {
            role: {"username": f"{prefix}{getattr(anchors, role).pk}", "anchor": str(getattr(anchors, role))}
            for role, (prefix, _kind) in SCOPED_ROLES.items()
        },
        "notes_inserted": inserted,
        "pages": [asdict(page) for page in pages],
    }
    path = RESULTS_DIR / f"{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"\n{facts['date']} · {facts['machine']} · Python {facts['python']} · Django {facts['django']}")
    print(f"{facts['database']} · {facts['load_generator']} · saved {path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
