import datetime
import io
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from cadres.models import Assignment
from reports.models import Activity, DailyNote, written_time

# Formats a phone camera or gallery produces and every browser can show.
PHOTO_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Pixels a photo may have (8,000 × 5,000): above this it is refused before it is decoded. A PNG of one
# colour and 140 KB can hold 144 million pixels, which decode to 430 MB; the largest photo accepted
# takes up to 160 MB of a worker's memory for a moment. The phone sends 1600 px photos (outbox.js).
MAX_PHOTO_PIXELS = 40_000_000
# A photo is stored at most this long on its longest side, re-encoded (JPEG and WebP at this quality).
MAX_PHOTO_SIDE = 2_000
PHOTO_QUALITY = 85


class PhotoField(forms.ImageField):
    """A photo, refused above MAX_UPLOAD_BYTES before it is opened and above MAX_PHOTO_PIXELS before it is
    decoded; cleaned to what is stored (see photo_to_keep())."""

    def to_python(self, data):
        if data and getattr(data, "size", 0) > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The photo is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(data.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
                code="too_large",
            )
        # FileField's checks only: forms.ImageField would open the file in any format Pillow knows.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        image = self.open_photo(upload)
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise too_many_pixels()
        try:
            return photo_to_keep(image)
        except Exception as error:
            # Pillow raises many kinds of errors on a truncated or corrupt file.
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error

    def open_photo(self, upload) -> Image.Image:
        """The image with its header read, nothing decoded yet; only the formats of PHOTO_EXTENSIONS are tried."""
        upload.seek(0)
        try:
            return Image.open(io.BytesIO(upload.read()), formats=list(PHOTO_EXTENSIONS))
        except Image.DecompressionBombError as error:
            # Pillow's own limit, twice its MAX_IMAGE_PIXELS, far above ours: refused before we see the size.
            raise too_many_pixels() from error
        except Exception as error:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The photo has too many pixels; the limit is %(limit)s megapixels. Send a smaller photo.")
        % {"limit": MAX_PHOTO_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def photo_to_keep(image: Image.Image) -> SimpleUploadedFile:
    """The photo as it is stored: in its own format (a GIF's first frame), turned upright as the camera said,
    at most MAX_PHOTO_SIDE on its longest side, and without its metadata: EXIF (the GPS position, the
    camera, the time), XMP, comments and text. Its colour profile is kept."""
    image_format = image.format
    # A large JPEG is decoded at a half, quarter or eighth of its size, still at least MAX_PHOTO_SIDE.
    image.draft(None, (MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    # In place: a copy of the largest photo accepted would be another 160 MB.
    ImageOps.exif_transpose(image, in_place=True)
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    options = {"icc_profile": image.info.get("icc_profile")}
    if image_format in ("JPEG", "WEBP"):
        options["quality"] = PHOTO_QUALITY
    if image_format == "JPEG":
        # Optimised Huffman tables: a phone's photo at quality 72 grows by 6 % instead of 36 %.
        options["optimize"] = True
    # What the encoders would copy from the original: only the transparency is wanted.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **{key: value for key, value in options.items() if value})
    # The stored name follows what the file is, not what the phone called it.
    return SimpleUploadedFile(
        f"photo.{PHOTO_EXTENSIONS[image_format]}", buffer.getvalue(), content_type=Image.MIME[image_format]
    )


class DailyNoteForm(forms.ModelForm):
    """The note of one day. `assignments` are the cadre's; the day picks the assignment it belongs to.

    The rules of filing (which days, until when, one note a day) are the model's (DailyNote.check_filing,
    ONE_NOTE_A_DAY), checked by the services; the form offers the days open for filing (`days`) as a list,
    so that no date is typed.
    """

    activities = forms.MultipleChoiceField(
        label=_("What I did today"),
        choices=Activity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    photo = PhotoField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_("Optional; an image of at most 10 MB."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # When the cadre saved the form on the phone, in milliseconds (outbox.js); see written_time().
    written_at = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DailyNote
        fields = ["day", "activities", "other_activities", "situation", "difficulties", "needs", "health", "photo"]
        widgets = {
            "health": forms.RadioSelect,
            "other_activities": forms.Textarea(attrs={"rows": 2}),
            "situation": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"other_activities": _("Other activities")}

    def __init__(
        self,
        *args,
        assignments: list[Assignment],
        today: datetime.date,
        days: list[datetime.date] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.assignments = assignments
        self.assignment = self.instance.assignment if self.instance.pk else None
        if self.instance.pk:
            # A note stays on its day; editing changes what was written, never when.
            self.fields["day"].disabled = True
            self.fields["day"].required = False
            shown = self.instance.day
            self.fields["day"].widget = forms.Select(
                choices=[(shown.isoformat(), date_format(shown, "SHORT_DATE_FORMAT"))]
            )
            return
        if not self.is_bound and not self.initial.get("client_key"):
            # Without JavaScript the key still makes a double tap harmless.
            self.initial["client_key"] = uuid.uuid4()
        self.offer_days(days, today)

    def offer_days(self, days: list[datetime.date], today: datetime.date) -> None:
        """The days to choose from: today and the missed days still open (days_open_for_filing)."""
        self.fields["day"].widget = forms.Select(choices=[(day.isoformat(), _day_label(day, today)) for day in days])

    def assignment_on(self, day: datetime.date) -> Assignment | None:
        """The assignment the day belongs to; outside all of them, the latest one, whose rules then refuse it."""
        covering = next((a for a in self.assignments if a.is_active_on(day)), None)
        return covering or (self.assignments[0] if self.assignments else None)

    def clean_day(self):
        if self.instance.pk:
            return self.instance.day
        day = self.cleaned_data["day"]
        self.assignment = self.assignment_on(day)
        if self.assignment is None:
            raise ValidationError(_("You have no assignment on that day."), code="no_assignment")
        return day

    def clean_written_at(self):
        return written_time(self.cleaned_data.get("written_at"))


def _day_label(day: datetime.date, today: datetime.date) -> str:
    shown = date_format(day, "SHORT_DATE_FORMAT")
    if day == today:
        return _("Today, %(day)s") % {"day": shown}
    return _("%(day)s (missed day, filed late)") % {"day": shown}
