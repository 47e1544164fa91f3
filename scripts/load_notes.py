#!/usr/bin/env python
"""Load benchmark: cadres on a poor connection file their daily notes while gunicorn runs on PostgreSQL.

    .venv/bin/python scripts/load_notes.py                      # 200 cadres for 60 s
    .venv/bin/python scripts/load_notes.py --seconds 5 --cadres 20   # the CI smoke

It (re)creates a database of its own (donghanh_load by default, on the cluster of
--database-url), migrates it, and gives N cadres a login and an assignment active
today. The simulated cadres do not post to the login page (django-axes would see
hundreds of logins from one address): their sessions are written straight into
the database and the session cookie is sent with each request.

Each cadre, in its own thread, loops for --seconds: reads "my mission", opens the
note form, and posts today's note in the JSON mode of the phone's script, with a
client_key made on the client. A timeout or a broken connection is retried with the
SAME key. Sometimes the same submission is sent twice (a double tap); once the day
has its note, later posts change it (allowed on its own day) or repeat the first
submission, which must answer with the same note.

It prints requests, errors, server errors, p50/p95 latency per kind of request,
and the notes acknowledged (distinct cadre-days whose submission got a success)
against the notes in the database. It exits non-zero unless they are equal and
there were no server errors and no unexpected answers.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

from django.conf import settings  # read once django.setup() has run, with the server's environment

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Errors after which a phone sends the same submission again.
RETRIED = (TimeoutError, ConnectionError, http.client.HTTPException, OSError)
MAX_ATTEMPTS = 6


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cadres", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/donghanh_load"),
        help="PostgreSQL database to (re)create for the run; its previous content is dropped.",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10, help="client timeout per request, seconds")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a cadre's loops, seconds")
    parser.add_argument("--double-tap", type=float, default=0.3, help="share of submissions sent twice")
    parser.add_argument(
        "--lose-responses",
        type=float,
        default=0.05,
        help="share of note posts whose answer the client drops (the network lost it) and so sends again",
    )
    return parser.parse_args()


# Setting up: the database, the cadres, their sessions, gunicorn.


def server_environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="deployment.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"refusing to drop a database named {name!r}")
    maintenance = urlunparse(url._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def today_in_vietnam():
    return datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def seed(count: int) -> list[dict]:
    """`count` cadres on mission today, each with a session; returns their ids and session keys."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from accounts.roles import CADRE_GROUP
    from cadres.models import Assignment, Cadre, Campaign, ProvincialUnit, UnitKind
    from localities.models import Locality, LocalityKind

    today = today_in_vietnam()
    unit = ProvincialUnit.objects.create(name="Tỉnh đoàn Bình Dương", kind=UnitKind.MASS, place="Bình Dương")
    district = Locality.objects.create(name="Dĩ An", kind=LocalityKind.CITY)
    ward = Locality.objects.create(name="Đông Hòa", kind=LocalityKind.WARD, parent=district)
    campaign = Campaign.objects.create(
        name="30 ngày đồng hành cùng cơ sở",
        organising_unit=unit,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    group, _created = Group.objects.get_or_create(name=CADRE_GROUP)
    password = make_password(None)  # unusable: these cadres never log in with a password
    users = User.objects.bulk_create([User(username=f"tai{i:04d}", password=password) for i in range(count)])
    User.groups.through.objects.bulk_create([User.groups.through(user=user, group=group) for user in users])
    cadres = Cadre.objects.bulk_create(
        [
            Cadre(code=f"TAI-{i:04d}", full_name=f"Cán bộ tải {i:04d}", unit=unit, user=user)
            for i, user in enumerate(users)
        ]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                cadre=cadre,
                campaign=campaign,
                locality=ward,
                starts_on=today - timedelta(days=5),
                ends_on=today + timedelta(days=24),
            )
            for cadre in cadres
        ]
    )
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[-1]  # The model backend, after django-axes.
    people = []
    for user, cadre in zip(users, cadres, strict=True):
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append({"cadre_id": cadre.pk, "session": session.session_key})
    return people


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, threads: int, log_path: Path, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn as in production, once it answers /healthz; `extra_args` are added to its command line."""
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process, at the end of the run)
    command = [sys.executable, "-m", "gunicorn", "deployment.wsgi", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), "--timeout", "60", *extra_args]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start:\n{log_path.read_text()}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn did not answer /healthz:\n{log_path.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# The simulated cadres.


@dataclass
class Figures:
    """What all the cadres saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    errors: list = field(default_factory=list)
    server_errors: int = 0
    retries: int = 0
    lost: int = 0
    acknowledged: dict = field(default_factory=dict)  # (cadre_id, day) -> client_key of the note filed

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.latencies[kind].append(seconds)
            if status >= 500:
                self.server_errors += 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def retried(self) -> None:
        with self.lock:
            self.retries += 1

    def lose(self) -> None:
        with self.lock:
            self.lost += 1

    def acknowledge(self, cadre_id: int, day, client_key: str) -> None:
        with self.lock:
            self.acknowledged.setdefault((cadre_id, day), client_key)


class SimulatedCadre(threading.Thread):
    def __init__(self, person: dict, *, port: int, args, figures: Figures, deadline: float, today):
        super().__init__(daemon=True)
        self.cadre_id = person["cadre_id"]
        self.cookies = {settings.SESSION_COOKIE_NAME: person["session"]}
        self.port, self.args, self.figures, self.deadline, self.today = port, args, figures, deadline, today
        self.connection = None
        self.random = random.Random(self.cadre_id)
        self.note_url = None  # today's note, once acknowledged
        self.first_submission = None  # (client_key, fields) of the note's first post

    # HTTP with cookies kept by hand: the session and CSRF cookies are Secure, and this is plain http.
    def request(
        self, method: str, path: str, kind: str, body: str | None = None, headers: dict | None = None, lose=False
    ):
        headers = {
            "Host": HOST,
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            **(headers or {}),
        }
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.args.timeout)
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            if lose:
                # Sent, but the answer never arrives: the server may well have stored the note.
                self.figures.lose()
                raise TimeoutError("answer lost on the way back")
            response = self.connection.getresponse()
            content = response.read()
        except RETRIED:
            self.connection.close()
            self.connection = None
            raise
        self.figures.record(kind, time.monotonic() - started, response.status)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if name in (settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME):
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, response.getheader("Location", ""), content.decode("utf-8", "replace")

    def get(self, path: str, kind: str):
        """A page read; a failed read is read again, as a person would reload it."""
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return self.request("GET", path, kind)
            except RETRIED:
                self.figures.retried()
        self.figures.error(f"GET {path}: no answer after {MAX_ATTEMPTS} attempts")
        return None

    def post_note(self, path: str, kind: str, token: str, fields: dict):
        """Post in the phone's JSON mode; on a timeout or broken connection, post the same again."""
        body = urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "X-CSRFToken": token,
        }
        for _attempt in range(MAX_ATTEMPTS):
            try:
                lose = self.random.random() < self.args.lose_responses
                status, _location, content = self.request("POST", path, kind, body, headers, lose=lose)
            except RETRIED:
                self.figures.retried()
                continue
            answer = json.loads(content) if status in (200, 400) and content.startswith("{") else None
            if status == 200 and answer and answer.get("ok"):
                return answer
            self.figures.error(f"POST {path} ({kind}): {status} {content[:200]!r}")
            return None
        self.figures.error(f"POST {path} ({kind}): no answer after {MAX_ATTEMPTS} attempts")
        return None

    def note_fields(self, client_key: str | None) -> dict:
        fields = {
            "activities": self.random.sample(["door_to_door", "testing", "vaccination", "supplies"], 2),
            "situation": f"Tình hình ổn định, ghi lúc {datetime.now():%H:%M:%S.%f}",
            "needs": "Khẩu trang, đồ bảo hộ",
            "health": "well",
        }
        if client_key:
            fields.update(day=self.today.isoformat(), client_key=client_key)
        return fields

    def form_token(self):
        """Open the note form (today's note's edit form once it exists) and take its CSRF token."""
        page = self.get("/me/notes/new/", "note_form")
        if page is None:
            return None
        status, location, content = page
        if status == 302 and "/edit/" in location:
            page = self.get(urlparse(location).path, "note_form")
            if page is None:
                return None
            status, location, content = page
        match = CSRF_INPUT.search(content) if status == 200 else None
        if match is None:
            self.figures.error(f"note form: {status} {location} without a form")
        return match.group(1) if match else None

    def submit(self, token: str) -> None:
        if self.note_url is None:
            client_key = str(uuid.uuid4())
            fields = self.note_fields(client_key)
            answer = self.post_note("/me/notes/new/", "note_create", token, fields)
            if answer is None:
                return
            self.note_url = answer["url"]
            self.first_submission = fields
            self.figures.acknowledge(self.cadre_id, self.today, client_key)
            if self.random.random() < self.args.double_tap:
                self.repeat(token)
        elif self.random.random() < 0.2:
            self.repeat(token)
        else:
            answer = self.post_note(self.note_url + "edit/", "note_edit", token, self.note_fields(None))
            if answer is not None and answer["url"] != self.note_url:
                self.figures.error(f"edit of {self.note_url} answered {answer['url']}")

    def repeat(self, token: str) -> None:
        """The first submission sent again: it must answer with the note it filed, not make another."""
        answer = self.post_note("/me/notes/new/", "note_repeat", token, self.first_submission)
        if answer is not None and answer["url"] != self.note_url:
            self.figures.error(f"a repeated submission answered {answer['url']}, not {self.note_url}")

    def run(self):
        while time.monotonic() < self.deadline:
            page = self.get("/me/", "my_mission")
            if page is not None and page[0] != 200:
                self.figures.error(f"my mission: {page[0]}")
            token = self.form_token()
            if token:
                self.submit(token)
            if self.args.think:
                time.sleep(self.random.uniform(0, 2 * self.args.think))


# Figures.


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def stored_notes(people: list[dict], acknowledged: dict) -> tuple[int, int]:
    """Notes in the database for the simulated cadres, and how many acknowledged keys are among them."""
    from reports.models import DailyNote

    notes = DailyNote.objects.filter(assignment__cadre_id__in=[person["cadre_id"] for person in people])
    stored = set(notes.values_list("assignment__cadre_id", "day", "client_key"))
    found = sum(1 for (cadre_id, day), key in acknowledged.items() if (cadre_id, day, uuid.UUID(key)) in stored)
    return len(stored), found


def report(args, figures: Figures, elapsed: float, stored: int, found: int) -> bool:
    print(f"\n== {args.cadres} cadres for {elapsed:.0f} s, gunicorn {args.workers} workers x {args.threads} threads")
    print(f"requests:        {figures.requests} ({figures.requests / elapsed:.0f}/s)")
    print(f"errors:          {len(figures.errors)} (unexpected answers, server errors included)")
    print(f"server errors:   {figures.server_errors} (5xx)")
    print(f"retried:         {figures.retries} (timeouts and broken connections, sent again with the same key)")
    print(f"answers lost:    {figures.lost} (note posts whose answer the client dropped on purpose, then retried)")
    print(f"{'kind':<13}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in ("my_mission", "note_form", "note_create", "note_repeat", "note_edit"):
        values = figures.latencies.get(kind, [])
        print(
            f"{kind:<13}{len(values):>9}{percentile(values, 0.5) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
        )
    acknowledged = len(figures.acknowledged)
    print(f"notes acknowledged: {acknowledged} (distinct cadre-days); notes in the database: {stored}")
    print(f"acknowledged submission keys found in the database: {found} of {acknowledged}")
    for text in figures.errors[:10]:
        print(f"  error: {text}")
    ok = not figures.errors and figures.server_errors == 0 and acknowledged == stored == found and acknowledged > 0
    print("RESULT: " + ("OK" if ok else "FAILED"))
    return ok


def main() -> int:
    args = parse_args()
    env = server_environment(args.database_url)
    print(f"== database {urlparse(args.database_url).path.lstrip('/')}: recreated and migrated")
    recreate_database(args.database_url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    setup_django(env)
    people = seed(args.cadres)
    today = today_in_vietnam()
    port = args.port or free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"load_notes_gunicorn_{port}.log"
    server = start_gunicorn(env, port, args.workers, args.threads, log_path)
    print(f"== gunicorn on http://{HOST}:{port} (log: {log_path}); {args.cadres} cadres for {args.seconds:.0f} s")
    figures = Figures()
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        cadres = [
            SimulatedCadre(person, port=port, args=args, figures=figures, deadline=deadline, today=today)
            for person in people
        ]
        for cadre in cadres:
            cadre.start()
        for cadre in cadres:
            cadre.join(timeout=max(1.0, deadline - time.monotonic()) + MAX_ATTEMPTS * args.timeout)
        elapsed = time.monotonic() - started
    finally:
        stop(server)
    stored, found = stored_notes(people, figures.acknowledged)
    ok = report(args, figures, elapsed, stored, found)
    if figures.server_errors:
        print(f"-- gunicorn log ({log_path}):\n" + log_path.read_text()[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
