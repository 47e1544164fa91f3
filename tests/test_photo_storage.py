"""Note photos go through Django's storage API only, so an object store is a setting, not a code change."""

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reports.models import DailyNote, Health

ROOT = Path(__file__).resolve().parent.parent
IN_MEMORY = "django.core.files.storage.InMemoryStorage"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#b3261e").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_photo_storage_is_chosen_by_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deployment.settings",
        "DEBUG": "true",
        "MEDIA_STORAGE": IN_MEMORY,
        "MEDIA_STORAGE_OPTIONS": json.dumps({"base_url": "/anh/"}),
    }
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "print(type(storages['default']).__name__, storages['default'].base_url)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["InMemoryStorage", "/anh/"], result.stderr[-2000:]


@pytest.mark.django_db
def test_a_photo_is_filed_served_and_replaced_in_a_storage_without_a_folder(
    cadre_client, staff_client, current_mission, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": IN_MEMORY}}
    data = {
        "day": timezone.localdate().isoformat(),
        "activities": ["door_to_door"],
        "situation": "Khu phố 3 ổn định.",
        "health": Health.WELL,
        "client_key": str(uuid.uuid4()),
    }
    photo = SimpleUploadedFile("IMG_0001.jpg", png_bytes(), content_type="image/jpeg")
    assert cadre_client.post(reverse("reports:note_create"), {**data, "photo": photo}).status_code == 302
    note = DailyNote.objects.get()
    response = staff_client.get(reverse("reports:note_photo", args=[note.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == png_bytes()
    first, storage = note.photo.name, note.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        edit = {**data, "client_key": str(uuid.uuid4()), "photo": SimpleUploadedFile("b.png", png_bytes())}
        assert cadre_client.post(reverse("reports:note_edit", args=[note.pk]), edit).status_code == 302
    note.refresh_from_db()
    assert note.photo.name != first and storage.exists(note.photo.name) and not storage.exists(first)
    assert not list(tmp_path.iterdir())
