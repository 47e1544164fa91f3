"""Where a signed-in request's time goes: its round trips to the database and each part of the stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/donghanh_scale .venv/bin/python bench/request_profile.py \
        [--requests 300] [--only bare_signed_in,dashboard] [--trace]

In-process, through the WSGI application gunicorn serves (production settings, BENCHMARK=1, as
bench/run.py starts it), signed in as bench/run.py's accounts, after a warm-up request. For each page:

- the mean time of a request, unprofiled;
- the round trips to PostgreSQL as libpq sends them: BEGIN and COMMIT of the request's transaction
  and the connection's health check included, which Django's own query log does not show
  (--trace prints each one);
- the profile's own time (cProfile's tottime) grouped by where the code lives: each library the
  request passes through, the app's code, templates, the ORM, the driver.

The plain Django yardstick (bench/plain) is profiled the same way, in a process of its own.
"""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# Where a function's file lives -> the part of the stack it is counted in; the first match wins.
COMPONENTS = [
    ("psycopg", "psycopg (driver)"),
    ("django/db/", "Django ORM"),
    ("django/template/", "templates"),
    ("django/templatetags/", "templates"),
    ("django/contrib/sessions/", "sessions"),
    ("django/contrib/auth/", "auth"),
    ("django/contrib/messages/", "messages"),
    ("django/contrib/staticfiles/", "static files (URLs)"),
    ("django/core/files/", "static files (URLs)"),
    ("django/core/cache/", "cache"),
    ("django/utils/translation/", "translation"),
    ("django/core/handlers/", "request handling"),
    ("django/http/", "request handling"),
    ("django/urls/", "URL resolving"),
    ("django/middleware/", "Django middleware"),
    ("django/core/signing", "signing"),
    ("django/utils/", "django.utils"),
    ("/csp/", "django-csp"),
    ("/axes/", "django-axes"),
    ("/whitenoise/", "whitenoise"),
    ("/simple_history/", "django-simple-history"),
    ("/django_filters/", "django-filter"),
    ("/site-packages/", "other libraries"),
    (str(BASE_DIR) + "/", "the app's code"),
    ("{built-in", "Python built-ins"),
    ("<", "Python built-ins"),
]


def component(filename: str) -> str:
    return next((name for pattern, name in COMPONENTS if pattern in filename), "Python standard library")


def wsgi_environ(path: str, cookie: str | None) -> dict:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_LANGUAGE": "vi",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def call(application, path: str, cookie: str | None) -> tuple[str, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    body = b"".join(application(wsgi_environ(path, cookie), start_response))
    return answer["status"], body


def round_trips(application, path: str, cookie: str | None) -> list[str]:
    """What the client sent to PostgreSQL for one request, one line per round trip, from libpq's trace."""
    from django.db import connection
    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            call(application, path, cookie)
        finally:
            # The request's end may have closed the connection (not with CONN_MAX_AGE): untrace what is left.
            if connection.connection is not None and connection.connection.pgconn is pgconn:
                pgconn.untrace()
        trace.seek(0)
        lines = trace.read().splitlines()
    sent, statement = [], ""
    for line in lines:
        fields = line.split("\t")
        if len(fields) < 3 or fields[0] != "F":
            continue
        message, rest = fields[2].split(" ", 1)[0], " ".join(fields[2:])
        if message == "Query":
            sent.append(rest.removeprefix("Query").strip().strip('"'))
        elif message == "Parse":
            statement = rest.split('"', 3)[3] if rest.count('"') >= 4 else rest
        elif message == "Sync":
            sent.append(statement.strip().strip('"'))
            statement = ""
    return sent


def profile_page(application, label: str, path: str, cookie: str | None, *, requests: int, trace: bool) -> None:
    status, body = call(application, path, cookie)  # warm: templates compiled, caches filled
    if not status.startswith("200"):
        print(f"{label}: {status}")
        return
    started = time.perf_counter()
    for _ in range(requests):
        call(application, path, cookie)
    mean_ms = (time.perf_counter() - started) * 1000 / requests
    sent = round_trips(application, path, cookie)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call(application, path, cookie)
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_part: dict[str, float] = {}
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():
        part = component(filename)
        by_part[part] = by_part.get(part, 0.0) + own
    total = sum(by_part.values())
    print(f"\n{label}  {path}  ({len(body) / 1024:.1f} KB)")
    print(f"  {mean_ms:.2f} ms a request unprofiled; {len(sent)} round trips to the database")
    if trace:
        for number, statement in enumerate(sent, 1):
            print(f"    {number}. {statement[:150]}")
    print(f"  own time under the profiler ({total * 1000 / requests:.2f} ms a request):")
    for part, own in sorted(by_part.items(), key=lambda item: -item[1]):
        if own / total >= 0.01:
            print(f"    {part:<28} {own * 1000 / requests:6.3f} ms  {own / total:5.1%}")


def profile_plain(args, database_url: str, env: dict) -> None:
    """The plain Django yardstick, in its own process (its own settings)."""
    command = [sys.executable, __file__, "--plain-child", "--requests", str(args.requests)]
    if args.trace:
        command.append("--trace")
    subprocess.run(command, cwd=BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "bench.plain.settings"}, check=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests timed and profiled per page")
    parser.add_argument("--only", default="", help="comma-separated page keys of bench/run.py")
    parser.add_argument("--trace", action="store_true", help="print each round trip's statement")
    parser.add_argument("--plain-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to the database to measure (e.g. the scale data set).")

    from bench import run

    env = run.server_environment(database_url)
    if args.plain_child:
        os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "bench.plain.settings"})
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        staff = User.objects.get(username="bench-staff")
        key = run.make_sessions([staff], backend="django.contrib.auth.backends.ModelBackend")[staff.pk]
        for label, cookie in (("plain Django, anonymous", None), ("plain Django, signed in", f"sessionid={key}")):
            profile_page(application, label, "/plain/", cookie, requests=args.requests, trace=args.trace)
        return

    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.utils import timezone

    province, commune = run.bench_province()
    anchors = run.bench_anchors(province, commune)
    sessions = run.prepare_accounts(writers=0, province=province, today=timezone.localdate(), anchors=anchors)
    pages = run.build_pages(province=province)
    keys = set(args.only.split(",")) if args.only else None
    application = get_wsgi_application()
    if keys is None or "plain" in keys:
        profile_plain(args, database_url, env)
    for page in pages:
        if page.missing or page.method != "GET" or page.server != "app" or (keys is not None and page.key not in keys):
            continue
        cookie = None if page.role == "anonymous" else f"{settings.SESSION_COOKIE_NAME}={sessions[page.role]}"
        profile_page(application, page.label, page.url, cookie, requests=args.requests, trace=args.trace)


if __name__ == "__main__":
    main()
