"""`manage.py media_orphans [--delete]`: the files of the media storage that no record points to."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from tests.factories import DailyNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["filesystem", "memory"])
def storage(request, settings, tmp_path):
    """The local folder, and a storage with no folder at all (as an object store): only the storage API works."""
    settings.MEDIA_ROOT = tmp_path
    if request.param == "memory":
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return default_storage


@pytest.fixture
def media(storage):
    note = DailyNoteFactory()
    note.photo.save("kept.jpg", ContentFile(b"k" * 300), save=True)
    orphans = [
        storage.save("notes/2021/08/orphan.jpg", ContentFile(b"o" * 1_000)),
        storage.save("notes/2021/09/deep/left-behind.png", ContentFile(b"o" * 2_000)),
        storage.save("stray.txt", ContentFile(b"o" * 48)),
    ]
    # The roster import's previews: not records' files, and not this command's business.
    private = storage.save("private/roster-imports/preview.json", ContentFile(b"{}"))
    return {"note": note, "kept": note.photo.name, "orphans": orphans, "private": private}


def run(*args) -> str:
    out = io.StringIO()
    call_command("media_orphans", *args, stdout=out)
    return out.getvalue()


def test_it_lists_the_orphans_with_counts_and_sizes_and_deletes_nothing(storage, media):
    output = run("--older-than", "0")
    for name in media["orphans"]:
        assert name in output
    assert media["kept"] not in output and media["private"] not in output
    assert "3 orphan files, 3,048 bytes" in output
    assert "4 files, 3,348 bytes" in output
    for name in [*media["orphans"], media["kept"], media["private"]]:
        assert storage.exists(name)


def test_delete_removes_the_orphans_only(storage, media):
    output = run("--delete", "--older-than", "0")
    assert "Deleted 3 orphan files, 3,048 bytes" in output
    for name in media["orphans"]:
        assert not storage.exists(name)
    assert storage.exists(media["kept"]) and storage.exists(media["private"])
    assert "0 orphan files" in run("--older-than", "0")


def test_recent_files_are_left_alone(storage, media, monkeypatch):
    # A photo is written before its note is saved: a file of the last hour may be a note being filed.
    assert "0 orphan files" in run()
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "3 orphan files" in run()


def test_an_empty_storage_has_no_orphans(storage):
    assert "0 orphan files, 0 bytes" in run()


def test_a_replaced_signed_scan_kept_in_the_decisions_history_is_no_orphan(storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import DecisionFactory

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    decision = DecisionFactory()
    decision.attach_scan(SimpleUploadedFile("first.pdf", pdf), by=None)
    decision.refresh_from_db()
    first = decision.signed_scan.name
    decision.attach_scan(SimpleUploadedFile("second.pdf", pdf), by=None)
    run("--delete", "--older-than", "0")
    # What was signed first stays: the history names it.
    assert storage.exists(first)
