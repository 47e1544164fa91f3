"""Time Django admin's changelists in-process on the current database (e.g. the scale data set).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/donghanh_scale .venv/bin/python bench/admin_changelists.py

For each big model: the median time of a few requests, the number of SQL
queries, the time spent in SQL and the slowest query (use --sql to print it
whole, ready for EXPLAIN ANALYZE).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

CHANGELISTS = [
    ("cadres", "assignment", ""),
    ("reports", "dailynote", ""),
    ("cadres", "cadre", ""),
    ("localities", "locality", ""),
    ("reports", "escalation", ""),
    ("reports", "missionreport", ""),
    ("cadres", "assignment", "q=Nguyễn"),
    ("reports", "dailynote", "p=100"),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (default 5)")
    parser.add_argument("--sql", action="store_true", help="print each page's slowest query in full")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deployment.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["ALLOWED_HOSTS"] = "testserver"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    print(f"{'changelist':<40} {'median ms':>10} {'queries':>8} {'SQL ms':>8}  slowest query")
    for app, model, query in CHANGELISTS:
        url = reverse(f"admin:{app}_{model}_changelist") + (f"?{query}" if query else "")
        client.get(url)
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = captured.captured_queries
        slowest = max(queries, key=lambda q: float(q["time"]))
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        label = f"{model} {query}".strip()
        print(
            f"{label:<40} {statistics.median(timings):>10.1f} {len(queries):>8} {sql_ms:>8.1f}  "
            f"{float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:90]}"
        )
        if args.sql:
            print(f"    {slowest['sql']}\n")


if __name__ == "__main__":
    main()
