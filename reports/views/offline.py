"""What lets the note page work on a phone without network, and the note photos.

The service worker must be served from the site root to control /me/ pages,
so a view returns the static file with the list of files to keep offline
(their hashed static URLs) written in front of it.
"""

import hashlib
import json
import mimetypes

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from reports.access import get_note_for_user

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
    pages = [reverse(f"reports:{name}") for name in ("my_mission", "note_create", "escalation_create", "outbox")]
    shell = [*pages, *(static(p) for p in SHELL_STATIC)]
    body = _read_static("js/sw.js")
    version = hashlib.sha256((body + "".join(shell)).encode()).hexdigest()[:12]
    prologue = (
        f"const SHELL_URLS = {json.dumps(shell)};\nconst CACHE_VERSION = {json.dumps(version)};\n"
        f"const OUTBOX_CORE = {json.dumps(static('js/outbox_core.js'))};\n"
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


@login_required
def note_photo(request, pk):
    """Photos are served only through here, to the cadre who took them and to staff."""
    note = get_note_for_user(request, pk)
    if not note.photo:
        raise Http404
    try:
        handle = note.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(note.photo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response
