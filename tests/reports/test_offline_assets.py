import datetime
import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from tests.factories import DailyNoteFactory

pytestmark = pytest.mark.django_db


def test_the_manifest_describes_the_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Đồng hành"
    assert manifest["start_url"] == reverse("phone:my_mission") == "/me/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    shell = json.loads(body.split("const SHELL_URLS = ", 1)[1].split(";\n", 1)[0])
    pages = ["phone:my_mission", "reports:note_create", "reports:escalation_create", "phone:outbox"]
    assert all(reverse(name) in shell for name in pages)
    assert {"/static/css/site.css", "/static/js/outbox_core.js", "/static/js/outbox.js"} <= set(shell)
    assert 'addEventListener("fetch"' in body and 'addEventListener("sync"' in body
    assert 'const OUTBOX_CORE = "/static/js/outbox_core.js"' in body


def test_the_service_worker_changes_version_with_its_shell(client, settings):
    first = client.get("/sw.js").content.decode()
    settings.STATIC_URL = "/assets/"
    second = client.get("/sw.js").content.decode()
    assert first.split("CACHE_VERSION = ")[1][:16] != second.split("CACHE_VERSION = ")[1][:16]


def test_it_refuses_to_post_to_the_service_worker(client):
    assert client.post("/sw.js").status_code == 405


@pytest.mark.parametrize(
    "name", ["phone:my_mission", "reports:note_create", "reports:escalation_create", "phone:outbox"]
)
def test_cadre_pages_load_the_manifest_and_the_outbox(cadre, cadre_client, current_mission, name):
    content = cadre_client.get(reverse(name)).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in content
    assert "js/register_sw.js" in content and 'data-sw-url="/sw.js"' in content
    assert "js/outbox_core.js" in content and "js/outbox.js" in content
    # The count in the header, and whose entries this page sends.
    assert 'id="outbox-count"' in content and f'id="outbox-text" hidden\n     data-user="{cadre.user.pk}"' in content


@pytest.mark.parametrize(
    ("name", "kind", "intent"),
    [("note_create", "note", "note:{day}"), ("escalation_create", "escalation", "escalation:{client_key}")],
)
def test_each_cadre_form_goes_through_the_outbox(cadre_client, current_mission, name, kind, intent):
    content = cadre_client.get(reverse(f"reports:{name}")).content.decode()
    assert f'data-outbox="{kind}"' in content and f'data-outbox-intent="{intent}"' in content
    assert 'name="client_key"' in content


def test_the_report_form_goes_through_the_outbox(cadre, cadre_client):
    from tests.factories import AssignmentFactory

    ending = AssignmentFactory(cadre=cadre, starts_on=timezone.localdate() - datetime.timedelta(days=27))
    content = cadre_client.get(reverse("reports:report_edit", args=[ending.pk])).content.decode()
    assert 'data-outbox="report"' in content and f'data-outbox-intent="report:{ending.pk}"' in content
    assert 'name="client_key"' in content and 'name="version"' in content


def test_staff_pages_do_not_load_the_outbox(staff_client):
    content = staff_client.get(reverse("cadres:dashboard")).content.decode()
    assert "outbox.js" not in content and 'id="outbox-text"' not in content


def test_staff_pages_do_not_register_the_service_worker(staff_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=timezone.localdate())
    content = staff_client.get(reverse("reports:note_detail", args=[note.pk])).content.decode()
    assert "register_sw.js" not in content


def test_the_page_scripts_exist_and_no_page_has_inline_code(cadre_client, current_mission):
    scripts = ["js/outbox_core.js", "js/outbox.js", "js/sw.js", "js/register_sw.js", "js/report_form.js"]
    for path in [*scripts, "manifest.webmanifest"]:
        assert finders.find(path), path
    for name in ["phone:my_mission", "reports:note_create", "reports:escalation_create", "phone:outbox"]:
        content = cadre_client.get(reverse(name)).content.decode()
        assert "<script>" not in content and " onclick=" not in content and ' style="' not in content


def test_the_cadre_pages_travel_compressed_and_staff_pages_do_not(cadre_client, staff_client, current_mission):
    """A phone on 400 kbit/s waits for every kilobyte of a page (scripts/phone_weight.py measures it)."""
    mission = cadre_client.get(reverse("phone:my_mission"), HTTP_ACCEPT_ENCODING="gzip")
    assert mission["Content-Encoding"] == "gzip"
    assert len(mission.content) < len(cadre_client.get(reverse("phone:my_mission")).content) / 2
    dashboard = staff_client.get(reverse("cadres:dashboard"), HTTP_ACCEPT_ENCODING="gzip")
    assert not dashboard.has_header("Content-Encoding")
