import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone

import deployment.urls
from bench import run
from cadres.models import Assignment
from localities.models import Level
from shared import bench_views

ROOT = Path(__file__).resolve().parent.parent

# A national data set in miniature (demo/scale_data.py), with the accounts of every scoped role.
SMALL_SCALE = {
    "provinces": 2,
    "units": 50,
    "cadres": 200,
    "assignments": 400,
    "notes": 1000,
    "escalations": 60,
    "reports": 40,
    "campaigns_per_province": 2,
}


def _reload_urls():
    clear_url_caches()
    return importlib.reload(deployment.urls)


@pytest.fixture
def benchmark_urls():
    with override_settings(BENCHMARK=True):
        _reload_urls()
        yield
    _reload_urls()


def test_the_bare_page_is_not_served_outside_a_benchmark():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")


@pytest.mark.django_db
def test_the_bare_page_renders_fifty_rows_without_a_query(benchmark_urls, client, django_assert_num_queries):
    assert resolve("/bench/bare/").func is bench_views.bare

    with django_assert_num_queries(0):
        response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 51


@pytest.mark.django_db
def test_the_scoped_pages_are_loaded_as_the_generated_accounts_of_the_province(capsys):
    call_command("generate_scale_data", stdout=io.StringIO(), seed=7, today=timezone.localdate(), **SMALL_SCALE)
    generated = set(User.objects.values_list("pk", flat=True))
    province, commune = run.bench_province()
    anchors = run.bench_anchors(province, commune)

    sessions = run.prepare_accounts(writers=2, province=province, today=timezone.localdate(), anchors=anchors)
    pages = run.build_pages(province=province)
    run.count_queries(pages, sessions)

    scoped = [page for page in pages if page.role in run.SCOPED_ROLES]
    assert {page.key for page in scoped} == {
        *(f"unit_{name}" for name in ("dashboard", "assignments", "notes", "compliance", "escalations")),
        *(f"{role}_{name}" for role in ("ward", "province") for name in ("dashboard", "assignments", "escalations")),
        "organiser_dashboard",
        "organiser_assignments",
    }
    for page in scoped:
        assert (page.status, page.missing) == (200, ""), page.label
        assert page.size_bytes > 1000
    # Two levels since 01/07/2025: the busiest ward (or commune) is directly under the province.
    assert anchors.ward == commune and commune.parent == province and anchors.province == province
    assert province.level == Level.PROVINCE and province.exists_on(timezone.localdate())
    generated_assignments = Assignment.objects.exclude(cadre__code__startswith="BENCH-")
    busiest = generated_assignments.filter(locality__parent__level=Level.PROVINCE).values("locality__parent")
    busiest = busiest.annotate(n=Count("pk")).order_by("-n", "locality__parent")  # The first of a tie.
    assert busiest.first()["locality__parent"] == province.pk
    detail = next(page for page in pages if page.key == "locality_detail_province")
    assert (detail.status, detail.url) == (200, f"/localities/{province.pk}/")
    assert anchors.unit.parent is None and anchors.organiser.campaigns.exists()
    for role, (prefix, _kind) in run.SCOPED_ROLES.items():
        user = User.objects.get(username=f"{prefix}{getattr(anchors, role).pk}")
        assert user.pk in generated and user.check_password(run.PASSWORD)
    assert "unit: 1 dashboard" in capsys.readouterr().out


PLAIN_CHECK = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.contrib.auth.models import User
from django.test import Client
call_command("migrate", verbosity=0)
user = User.objects.create_user("bench-staff", password="not-used-here")
from bench import run
key = run.make_sessions([user], backend="django.contrib.auth.backends.ModelBackend")[user.pk]
client = Client()
anonymous = client.get("/plain/").content.decode()
client.cookies[settings.SESSION_COOKIE_NAME] = key
signed_in = client.get("/plain/").content.decode()
print(anonymous.count("<tr>"), "anonymous" in anonymous, "bench-staff" in signed_in, signed_in.count("<tr>"))
"""


def test_the_plain_yardstick_renders_the_same_table_for_its_signed_in_user(tmp_path):
    # A project of its own (bench/plain), in a process of its own, on a database of its own.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.plain.settings",
        "SECRET_KEY": "bench-plain-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'plain.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", PLAIN_CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["51", "True", "True", "51"]
