import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

# Not records' files: earlier versions kept roster previews there (they are in the database now); the README
# says to delete that folder once after upgrading, by hand, so that nothing of a staff member's upload goes unseen.
SKIPPED_FOLDERS = {"private"}


def _is_file_field(model, field) -> bool:
    """A file field, or its copy in a historical model (django-simple-history keeps the name as text): a signed
    scan replaced since is still the record of what was signed, named in the decision's history."""
    if isinstance(field, models.FileField):
        return True
    original = getattr(model, "instance_type", None)
    if original is None:
        return False
    try:
        return isinstance(original._meta.get_field(field.name), models.FileField)
    except FieldDoesNotExist:
        return False


def referenced_names() -> set[str]:
    """The name in every file field of every model, and in their histories: a file one of them points to is
    never an orphan."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if _is_file_field(model, field):
                rows = model._base_manager.exclude(**{f"{field.name}__isnull": True}).exclude(**{field.name: ""})
                names.update(rows.values_list(field.name, flat=True).iterator())
    return names


def stored_names(storage, folder: str = ""):
    """Every file of the storage, through its API only (listdir), so that an object store works too."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        if not folder and directory in SKIPPED_FOLDERS:
            continue
        yield from stored_names(storage, f"{folder}/{directory}" if folder else directory)


def written_since(storage, name: str, since: datetime.datetime) -> bool:
    try:
        return storage.get_modified_time(name) >= since
    except NotImplementedError:
        return False


def _files(count: int, size: int, kind: str = "") -> str:
    return f"{count:,} {kind}file{'' if count == 1 else 's'}, {size:,} bytes ({size / 1_000_000:,.1f} MB)"


class Command(BaseCommand):
    help = (
        "List the files of the media storage that no record points to (a note's photo replaced or removed "
        "outside the app, a note deleted, a failed save), with their sizes; --delete removes them. The "
        "private folder of earlier versions' roster previews is left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete the orphan files.")
        parser.add_argument(
            "--older-than",
            type=float,
            default=1,
            metavar="HOURS",
            help="Leave alone files written in the last HOURS hours (default 1): a photo is written just "
            "before its note is saved, so a recent file may be a note being saved.",
        )

    def handle(self, *args, delete=False, older_than=1, **options):
        storage = default_storage
        since = timezone.now() - datetime.timedelta(hours=older_than)
        referenced = referenced_names()
        seen = seen_size = 0
        orphans, recent = [], 0
        for name in stored_names(storage):
            size = storage.size(name)
            seen, seen_size = seen + 1, seen_size + size
            if name in referenced:
                continue
            if written_since(storage, name, since):
                recent += 1
                continue
            orphans.append((name, size))
            self.stdout.write(f"  {name}  {size:,} bytes")
        orphan_size = sum(size for _name, size in orphans)
        self.stdout.write(f"Looked at {_files(seen, seen_size)}: {_files(len(orphans), orphan_size, 'orphan ')}.")
        if recent:
            self.stdout.write(f"Left alone {recent:,} file(s) without a record written in the last {older_than:g} h.")
        if delete:
            for name, _size in orphans:
                storage.delete(name)
            self.stdout.write(self.style.SUCCESS(f"Deleted {_files(len(orphans), orphan_size, 'orphan ')}."))
