"""A request body over MAX_REQUEST_BYTES is refused with 413 before anything reads it.

Django alone bounds the form fields kept in memory, not a file upload, which it
streams to a temporary file whatever its size: an anonymous 200 MB POST was read whole.
"""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reports.models import DailyNote, Health
from tests.test_proxy import settings_output
from tests.test_security import EXPECTED_CSP, csp_directives

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class EndlessUpload(io.RawIOBase):
    """A multipart body with one file that goes on as long as it is read; it counts what was read."""

    HEAD = b'--x\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n'

    def __init__(self):
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = (self.HEAD[self.bytes_read :] + b"\0" * len(buffer))[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.bytes_read += len(chunk)
        return len(chunk)


def huge_post(client, url: str, length: int | str = 200 * MB, **extra):
    body = EndlessUpload()
    environ = {"CONTENT_TYPE": "multipart/form-data; boundary=x", "CONTENT_LENGTH": str(length), "wsgi.input": body}
    response = client.generic("POST", url, **environ, **extra)
    assert body.bytes_read == 0
    return response


def test_an_anonymous_200_mb_post_is_refused_unread(client):
    response = huge_post(client, reverse("login"))
    assert response.status_code == 413
    page = response.content.decode()
    assert '<html lang="vi">' in page and 'class="site-header"' in page
    # The headers of every page (the CSP forbids framing it, as X-Frame-Options would, set further in).
    assert csp_directives(response) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff" and "Permissions-Policy" in response


def test_a_signed_in_200_mb_post_is_refused_unread(cadre_client, current_mission):
    assert huge_post(cadre_client, reverse("reports:note_create")).status_code == 413
    assert not DailyNote.objects.exists()


def test_the_phone_is_told_the_entry_will_never_pass(cadre_client, current_mission):
    response = huge_post(cadre_client, reverse("reports:note_create"), HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    body = response.json()
    assert body["ok"] is False and body["retry"] is False
    assert body["errors"]["__all__"][0]["code"] == "too_large"
    assert body["message"] == body["errors"]["__all__"][0]["message"] and "12 MB" in body["message"]


@override_settings(MAX_REQUEST_BYTES=1000)
def test_the_limit_is_the_setting(client):
    assert huge_post(client, reverse("login"), length=1001).status_code == 413
    body = b"username=someone&password=" + b"x" * (1000 - len(b"username=someone&password="))
    response = client.generic(
        "POST", reverse("login"), body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("length", ["", "not a number"])
def test_a_body_without_a_usable_length_is_not_read(client, length):
    # A chunked request has no Content-Length: Django reads none of it (the form is empty).
    response = huge_post(client, reverse("login"), length=length)
    assert response.status_code == 200
    assert response.context["form"].has_error("username", "required")


def test_a_negative_length_is_a_bad_request(client):
    client.raise_request_exception = False
    assert huge_post(client, reverse("login"), length=-1).status_code == 400


def test_a_photo_of_the_largest_size_allowed_still_goes_through(cadre_client, current_mission, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#b3261e").save(buffer, format="PNG")
    # A valid PNG, padded to the photo limit (bytes after the end of a PNG are ignored by readers).
    padded = buffer.getvalue() + b"\0" * (settings.MAX_UPLOAD_BYTES - len(buffer.getvalue()))
    data = {
        "day": timezone.localdate().isoformat(),
        "activities": ["door_to_door"],
        "situation": "Ổn định.",
        "health": Health.WELL,
        "client_key": str(uuid.uuid4()),
        "photo": SimpleUploadedFile("IMG_0001.png", padded, content_type="image/png"),
    }
    response = cadre_client.post(reverse("reports:note_create"), data)
    assert response.status_code == 302
    assert DailyNote.objects.get().photo


def test_other_requests_are_untouched(client):
    assert client.get(reverse("login")).status_code == 200


def test_the_default_leaves_room_for_a_photo_and_its_form(settings):
    assert settings.MAX_REQUEST_BYTES == 12 * MB > settings.MAX_UPLOAD_BYTES


@pytest.mark.parametrize("value", ["0", str(5 * MB), "a lot"])
def test_a_limit_below_a_photo_stops_the_server(value):
    output = settings_output(MAX_REQUEST_BYTES=value)
    assert "MAX_REQUEST_BYTES" in output and ("ImproperlyConfigured" in output or "ValueError" in output)
