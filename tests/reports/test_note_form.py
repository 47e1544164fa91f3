import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reports.models import DailyNote, Health
from tests.factories import AssignmentFactory, DailyNoteFactory

pytestmark = pytest.mark.django_db

NEW = reverse("reports:note_create")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today() -> datetime.date:
    return timezone.localdate()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#b3261e").save(buffer, format="PNG")
    return buffer.getvalue()


def note_data(day: datetime.date | None = None, **overrides) -> dict:
    data = {
        "day": (day or today()).isoformat(),
        "activities": ["door_to_door", "vaccination"],
        "other_activities": "Phát gạo cho 40 hộ.",
        "situation": "Khu phố 3 có 2 ca dương tính mới.",
        "difficulties": "Thiếu que test nhanh.",
        "needs": "500 que test nhanh.",
        "health": Health.WELL,
        "client_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(NEW)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_staff_the_form(staff_client):
    assert staff_client.get(NEW).status_code == 403


def test_it_shows_the_form_with_a_submission_key(cadre_client, current_mission):
    response = cadre_client.get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["day"] == today()
    assert isinstance(form.initial["client_key"], uuid.UUID)
    content = response.content.decode()
    assert str(form.initial["client_key"]) in content
    assert 'class="choice-list"' in content
    # The day is chosen, never typed: today and the missed days that can still be filed, newest first.
    offered = [value for value, _label in form.fields["day"].widget.choices]
    assert offered == [(today() - datetime.timedelta(days=n)).isoformat() for n in range(4)]
    assert 'type="date"' not in content


def test_a_cadre_without_an_assignment_is_sent_to_their_mission(cadre_client):
    assert cadre_client.get(NEW).url == reverse("phone:my_mission")


def test_it_files_the_note(cadre_client, current_mission):
    response = cadre_client.post(NEW, note_data())
    note = DailyNote.objects.get()
    assert response.url == reverse("reports:note_detail", args=[note.pk])
    assert note.assignment == current_mission
    assert note.day == today()
    assert note.activities == ["door_to_door", "vaccination"]
    assert note.needs == "500 que test nhanh."
    assert note.health == Health.WELL


def test_it_files_a_missed_earlier_day(cadre_client, current_mission):
    earlier = today() - datetime.timedelta(days=3)
    cadre_client.post(NEW, note_data(earlier))
    assert DailyNote.objects.get().day == earlier


@pytest.mark.parametrize(
    ("offset", "code"),
    [(1, "future"), (-10, "outside_assignment"), (-40, "outside_assignment")],
)
def test_it_refuses_a_day_outside_the_assignment(cadre_client, current_mission, offset, code):
    # The mission started 9 days ago: 10 days ago is before it; the future is never allowed.
    response = cadre_client.post(NEW, note_data(today() + datetime.timedelta(days=offset)))
    assert response.status_code == 200
    assert response.context["form"].has_error("day", code)
    assert not DailyNote.objects.exists()


def test_it_refuses_a_day_after_the_end(cadre, cadre_client):
    ended = AssignmentFactory(cadre=cadre, starts_on=today() - datetime.timedelta(days=40))
    response = cadre_client.post(NEW, note_data(ended.ends_on + datetime.timedelta(days=1)))
    assert response.context["form"].has_error("day", "outside_assignment")
    assert not DailyNote.objects.exists()


def test_it_answers_json_with_the_errors(cadre_client, current_mission):
    response = cadre_client.post(NEW, note_data(today() + datetime.timedelta(days=1)), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["errors"]["day"][0]["code"] == "future"


def test_it_answers_json_with_the_note(cadre_client, current_mission):
    response = cadre_client.post(NEW, note_data(), HTTP_ACCEPT="application/json")
    note = DailyNote.objects.get()
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["url"] == reverse("reports:note_detail", args=[note.pk])
    assert body["message"]


def test_new_goes_to_the_edit_form_of_todays_note(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    assert cadre_client.get(NEW).url == reverse("reports:note_edit", args=[note.pk])


def test_new_for_an_earlier_day_with_a_note_shows_it(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today() - datetime.timedelta(days=2))
    response = cadre_client.get(NEW, {"day": note.day.isoformat()})
    assert response.url == reverse("reports:note_detail", args=[note.pk])


def test_new_reads_the_day_as_the_staff_pages_do(cadre_client, current_mission):
    """The day of a link (yyyy-mm-dd) or typed (dd/mm/yyyy) is read by shared.fields.day_from_query."""
    yesterday = today() - datetime.timedelta(days=1)
    for written in (yesterday.isoformat(), yesterday.strftime("%d/%m/%Y")):
        response = cadre_client.get(NEW, {"day": written})
        assert response.status_code == 200 and response.context["day"] == yesterday, written
        assert not list(response.context["messages"]), written


def test_new_given_something_else_than_a_day_opens_today_with_a_warning(cadre_client, current_mission):
    response = cadre_client.get(NEW, {"day": "hôm qua"})
    assert response.status_code == 200 and response.context["day"] == today()
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_it_keeps_one_note_per_day(cadre_client, current_mission):
    DailyNoteFactory(assignment=current_mission, day=today())
    response = cadre_client.post(NEW, note_data())
    assert response.context["form"].has_error("day", "exists")
    assert DailyNote.objects.count() == 1


def test_the_same_days_note_can_be_edited(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    url = reverse("reports:note_edit", args=[note.pk])
    assert cadre_client.get(url).status_code == 200
    response = cadre_client.post(url, note_data(health=Health.QUARANTINED, needs="Khẩu trang"))
    assert response.url == reverse("reports:note_detail", args=[note.pk])
    note.refresh_from_db()
    assert note.health == Health.QUARANTINED and note.needs == "Khẩu trang"
    assert note.day == today()


def test_an_older_note_is_read_only(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today() - datetime.timedelta(days=1), needs="")
    url = reverse("reports:note_edit", args=[note.pk])
    assert cadre_client.get(url).url == reverse("reports:note_detail", args=[note.pk])
    cadre_client.post(url, note_data(note.day, needs="changed"))
    note.refresh_from_db()
    assert note.needs == ""
    response = cadre_client.post(url, note_data(note.day), HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["errors"]["__all__"][0]["code"] == "locked"


def test_the_detail_is_for_its_cadre_and_staff(cadre_client, other_cadre_client, staff_client, client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    url = reverse("reports:note_detail", args=[note.pk])
    assert cadre_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 200
    assert other_cadre_client.get(url).status_code == 404
    assert client.get(url).url.startswith(reverse("login"))


def test_another_cadre_cannot_edit(other_cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    assert other_cadre_client.get(reverse("reports:note_edit", args=[note.pk])).status_code == 404


def test_staff_cannot_edit(staff_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    assert staff_client.get(reverse("reports:note_edit", args=[note.pk])).status_code == 403


def test_it_stores_a_real_photo_and_serves_it_to_the_owner_and_staff(
    cadre_client, staff_client, other_cadre_client, client, current_mission
):
    photo = SimpleUploadedFile("IMG_0001.jpg", png_bytes(), content_type="image/jpeg")
    cadre_client.post(NEW, {**note_data(), "photo": photo})
    note = DailyNote.objects.get()
    assert note.photo.name.endswith(".png")
    url = reverse("reports:note_photo", args=[note.pk])
    response = cadre_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert staff_client.get(url).status_code == 200
    assert other_cadre_client.get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_it_refuses_a_text_file_named_like_a_photo(cadre_client, current_mission):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = cadre_client.post(NEW, {**note_data(), "photo": fake})
    assert response.context["form"].has_error("photo", "invalid_image")
    assert not DailyNote.objects.exists()


def test_it_refuses_a_photo_over_10_mb(cadre_client, current_mission, settings):
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * settings.MAX_UPLOAD_BYTES, content_type="image/png")
    response = cadre_client.post(NEW, {**note_data(), "photo": big})
    assert response.context["form"].has_error("photo", "too_large")
    assert not DailyNote.objects.exists()


def test_a_note_without_photo_has_no_photo_url(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today())
    assert cadre_client.get(reverse("reports:note_photo", args=[note.pk])).status_code == 404


def test_editing_replaces_the_photo(cadre_client, current_mission):
    cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("a.png", png_bytes())})
    note = DailyNote.objects.get()
    first = note.photo.name
    url = reverse("reports:note_edit", args=[note.pk])
    cadre_client.post(url, {**note_data(), "photo": SimpleUploadedFile("b.png", png_bytes())})
    note.refresh_from_db()
    assert note.photo.name != first
    assert note.photo.storage.exists(note.photo.name)


def test_the_edit_form_never_links_the_photo_to_a_public_media_url(cadre_client, cadre):
    today = timezone.localdate()
    assignment = AssignmentFactory(cadre=cadre, starts_on=today - datetime.timedelta(days=3))
    note = DailyNoteFactory(assignment=assignment, day=today)
    note.photo = SimpleUploadedFile("p.png", b"not read here", content_type="image/png")
    note.save()
    content = cadre_client.get(reverse("reports:note_edit", args=[note.pk])).content.decode()
    assert "/media/" not in content
