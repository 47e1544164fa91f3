"""What lets the cadre's pages work on a phone without network.

The service worker must be served from the site root to control /me/ pages,
so a view returns the static file with the list of files to keep offline
(their hashed static URLs) written in front of it.
"""

import hashlib
import json

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# The app shell: what the cadre's pages need to open with no network.
SHELL_STATIC = [
    "css/site.css",
    "js/outbox_core.js",
    "js/outbox.js",
    "js/register_sw.js",
    "img/icon.svg",
]


def _read_static(path: str) -> str:
    found = finders.find(path)
    if found:
        with open(found, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(path) as handle:
        return handle.read().decode("utf-8")


@require_safe
def service_worker(request):
    pages = [
        reverse(name)
        for name in (
            "phone:my_mission",
            "reports:note_create",
            "reports:escalation_create",
            "phone:outbox",
            "phone:area_map",
        )
    ]
    shell = [*pages, *(static(p) for p in SHELL_STATIC)]
    body = _read_static("js/sw.js")
    version = hashlib.sha256((body + "".join(shell)).encode()).hexdigest()[:12]
    prologue = (
        f"const SHELL_URLS = {json.dumps(shell)};\nconst CACHE_VERSION = {json.dumps(version)};\n"
        f"const OUTBOX_CORE = {json.dumps(static('js/outbox_core.js'))};\n"
        # What a push notice shows (the manifest's icon; a white badge, as Android draws only its shape),
        # and the page it opens when it names none.
        f"const NOTICE_ICON = {json.dumps(static('img/icon-192.png'))};\n"
        f"const NOTICE_BADGE = {json.dumps(static('img/badge-96.png'))};\n"
        f"const NOTICES_PAGE = {json.dumps(reverse('notices:list'))};\n"
    )
    response = HttpResponse(prologue + body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request):
    data = json.loads(_read_static("manifest.webmanifest"))
    for icon in data.get("icons", []):
        icon["src"] = static(icon["src"])
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
