"""A note's photo: a decompression bomb is refused before it is decoded; what is kept is re-encoded, bounded
in size and stripped of its metadata (the GPS position above all); a replaced photo leaves the storage."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image, ImageFile

from reports.forms.notes import MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE
from reports.models import DailyNote, Health

pytestmark = pytest.mark.django_db

NEW = reverse("reports:note_create")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def note_data(**overrides) -> dict:
    return {
        "day": timezone.localdate().isoformat(),
        "activities": ["door_to_door"],
        "situation": "Ổn định.",
        "health": Health.WELL,
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def image_bytes(size: tuple[int, int], image_format: str, *, mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "#b3261e" if mode == "RGB" else 1).save(buffer, format=image_format, **save)
    return buffer.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (10.0, 58.0, 49.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 39.0, 12.0)
    return exif


def stored(note: DailyNote) -> Image.Image:
    with note.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """144 megapixels of one colour: a PNG of a few kilobytes that decodes to 144 MB."""
    return image_bytes((12_000, 12_000), "PNG", mode="1")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_144_megapixel_png_is_refused_before_it_is_decoded(cadre_client, current_mission, bomb, monkeypatch):
    assert len(bomb) < 200_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("the bomb was decoded"))
    response = cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("bomb.png", bomb)})
    form = response.context["form"]
    assert form.has_error("photo", "too_many_pixels")
    assert "40" in form.errors["photo"][0]
    assert not DailyNote.objects.exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_phone_gets_the_bomb_refused_as_json(cadre_client, current_mission, bomb):
    response = cadre_client.post(
        NEW, {**note_data(), "photo": SimpleUploadedFile("bomb.png", bomb)}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["photo"][0]["code"] == "too_many_pixels"


def test_a_photo_just_under_the_pixel_limit_is_kept_smaller(cadre_client, current_mission):
    upload = SimpleUploadedFile("wide.png", image_bytes((8_000, 5_000), "PNG", mode="1"))
    assert MAX_PHOTO_PIXELS >= 8_000 * 5_000
    cadre_client.post(NEW, {**note_data(), "photo": upload})
    image = stored(DailyNote.objects.get())
    assert image.format == "PNG" and image.size == (MAX_PHOTO_SIDE, MAX_PHOTO_SIDE * 5 // 8)


def test_a_jpeg_is_stored_without_its_gps_position_and_bounded(cadre_client, current_mission):
    camera = image_bytes((4_000, 3_000), "JPEG", exif=gps_exif(), quality=95)
    assert Image.open(io.BytesIO(camera)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("IMG_0001.jpg", camera)})
    note = DailyNote.objects.get()
    assert note.photo.name.endswith(".jpg")
    image = stored(note)
    assert image.format == "JPEG"
    assert max(image.size) == MAX_PHOTO_SIDE and image.size == (2_000, 1_500)
    assert not image.getexif() and "exif" not in image.info
    with note.photo.open("rb") as handle:
        body = handle.read()
    assert b"Exif" not in body and b"Samsung" not in body


def test_a_photo_taken_sideways_is_stored_upright(cadre_client, current_mission):
    # Orientation 6: the camera held upright writes a landscape image and says "turn it 90° clockwise".
    camera = image_bytes((300, 200), "JPEG", exif=gps_exif(orientation=6))
    cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("IMG_0002.jpg", camera)})
    image = stored(DailyNote.objects.get())
    assert image.size == (200, 300) and not image.getexif()


def test_a_png_stays_a_png_without_its_text_chunks(cadre_client, current_mission):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Vị trí: 10.98, 106.65")
    upload = SimpleUploadedFile("screen.png", image_bytes((40, 30), "PNG", pnginfo=info, exif=gps_exif()))
    cadre_client.post(NEW, {**note_data(), "photo": upload})
    note = DailyNote.objects.get()
    image = stored(note)
    assert image.format == "PNG" and image.size == (40, 30)
    assert "Comment" not in image.info and not image.getexif()


def test_a_replaced_photo_is_deleted_once_the_change_is_saved(
    cadre_client, current_mission, django_capture_on_commit_callbacks
):
    cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("a.png", image_bytes((40, 30), "PNG"))})
    note = DailyNote.objects.get()
    first, storage = note.photo.name, note.photo.storage
    assert storage.exists(first)
    url = reverse("reports:note_edit", args=[note.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = cadre_client.post(
            url, {**note_data(), "photo": SimpleUploadedFile("b.jpg", image_bytes((40, 30), "JPEG"))}
        )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.photo.name != first and note.photo.name.endswith(".jpg")
    assert storage.exists(note.photo.name)
    assert not storage.exists(first)


def test_a_retried_change_keeps_the_photo(cadre_client, current_mission, django_capture_on_commit_callbacks):
    data = {**note_data(), "photo": SimpleUploadedFile("a.png", image_bytes((40, 30), "PNG"))}
    cadre_client.post(NEW, data)
    note = DailyNote.objects.get()
    url = reverse("reports:note_edit", args=[note.pk])
    with django_capture_on_commit_callbacks(execute=True):
        cadre_client.post(url, {**note_data(situation="Đổi"), "photo": ""})
    note.refresh_from_db()
    assert note.situation == "Đổi" and note.photo.storage.exists(note.photo.name)


def test_a_missed_day_note_with_a_photo_is_filed(cadre_client, current_mission):
    day = timezone.localdate() - datetime.timedelta(days=1)
    upload = SimpleUploadedFile("c.webp", image_bytes((50, 40), "WEBP"))
    cadre_client.post(NEW, {**note_data(day=day.isoformat()), "photo": upload})
    note = DailyNote.objects.get()
    assert note.photo.name.endswith(".webp") and stored(note).size == (50, 40)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("cut.jpg", image_bytes((400, 300), "JPEG")[:600]),
        ("scan.tif", image_bytes((40, 30), "TIFF")),
        ("cut.png", image_bytes((400, 300), "PNG")[:60]),
    ],
)
def test_a_cut_or_unexpected_image_is_refused_as_invalid(cadre_client, current_mission, name, body):
    response = cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile(name, body)})
    assert response.status_code == 200
    assert response.context["form"].has_error("photo", "invalid_image")
    assert not DailyNote.objects.exists()


def test_an_animated_gif_keeps_its_first_frame(cadre_client, current_mission):
    frames = [Image.new("P", (30, 20), index) for index in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], comment=b"GPS 10.98")
    cadre_client.post(NEW, {**note_data(), "photo": SimpleUploadedFile("a.gif", buffer.getvalue())})
    image = stored(DailyNote.objects.get())
    assert image.format == "GIF" and getattr(image, "n_frames", 1) == 1 and "comment" not in image.info


def test_the_admin_keeps_a_photo_as_the_cadre_form_does(admin_client, current_mission):
    from tests.factories import DailyNoteFactory

    note = DailyNoteFactory(assignment=current_mission, day=timezone.localdate())
    data = {
        "assignment": current_mission.pk,
        "day": note.day.isoformat(),
        "activities": "[]",
        "other_activities": "",
        "situation": "Ổn định.",
        "difficulties": "",
        "needs": "",
        "health": Health.WELL,
        "written_at_0": "",
        "written_at_1": "",
        "photo": SimpleUploadedFile("IMG_0003.jpg", image_bytes((3_000, 1_000), "JPEG", exif=gps_exif())),
    }
    response = admin_client.post(reverse("admin:reports_dailynote_change", args=[note.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    note.refresh_from_db()
    image = stored(note)
    assert image.size == (2_000, 667) and not image.getexif()
