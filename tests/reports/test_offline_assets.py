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
    assert manifest["start_url"] == reverse("reports:my_mission") == "/me/"
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
    assert reverse("reports:note_create") in shell and reverse("reports:my_mission") in shell
    assert "/static/css/site.css" in shell and "/static/js/note_form.js" in shell
    assert 'addEventListener("fetch"' in body


def test_the_service_worker_changes_version_with_its_shell(client, settings):
    first = client.get("/sw.js").content.decode()
    settings.STATIC_URL = "/assets/"
    second = client.get("/sw.js").content.decode()
    assert first.split("CACHE_VERSION = ")[1][:16] != second.split("CACHE_VERSION = ")[1][:16]


def test_it_refuses_to_post_to_the_service_worker(client):
    assert client.post("/sw.js").status_code == 405


@pytest.mark.parametrize("name", ["my_mission", "note_create"])
def test_cadre_pages_load_the_manifest_and_the_offline_scripts(cadre_client, current_mission, name):
    content = cadre_client.get(reverse(f"reports:{name}")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in content
    assert "js/register_sw.js" in content and 'data-sw-url="/sw.js"' in content
    assert "js/note_form.js" in content
    assert 'id="note-queue-status"' in content


def test_the_note_form_carries_what_the_offline_script_needs(cadre, cadre_client, current_mission):
    content = cadre_client.get(reverse("reports:note_create")).content.decode()
    today = timezone.localdate().isoformat()
    assert 'id="note-form"' in content and 'id="note-submit"' in content
    assert f'data-draft-prefix="donghanh:draft:{cadre.user.pk}:"' in content
    assert f'data-queue-key="donghanh:queue:{cadre.user.pk}"' in content
    assert f'data-day="{today}"' in content
    assert 'name="client_key"' in content


def test_staff_pages_do_not_register_the_service_worker(staff_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=timezone.localdate())
    content = staff_client.get(reverse("reports:note_detail", args=[note.pk])).content.decode()
    assert "register_sw.js" not in content


def test_the_page_scripts_exist_and_no_page_has_inline_code(cadre_client, current_mission):
    for path in ["js/note_form.js", "js/sw.js", "js/register_sw.js", "js/report_form.js", "manifest.webmanifest"]:
        assert finders.find(path), path
    for name in ["my_mission", "note_create", "escalation_create"]:
        content = cadre_client.get(reverse(f"reports:{name}")).content.decode()
        assert "<script>" not in content and " onclick=" not in content and ' style="' not in content
