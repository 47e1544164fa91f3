import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cadres.models import Assignment
from reports.models import Activity, DailyNote, written_time

# Formats a phone camera or gallery produces and every browser can show.
PHOTO_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


class PhotoField(forms.ImageField):
    """An image checked by opening it with Pillow, refused above MAX_UPLOAD_BYTES before it is opened."""

    def to_python(self, data):
        if data and getattr(data, "size", 0) > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The photo is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(data.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
                code="too_large",
            )
        photo = super().to_python(data)
        if photo is None:
            return None
        image_format = getattr(photo.image, "format", None)
        if image_format not in PHOTO_EXTENSIONS:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image")
        # The stored name follows what the file is, not what the phone called it.
        photo.name = f"photo.{PHOTO_EXTENSIONS[image_format]}"
        return photo


class DailyNoteForm(forms.ModelForm):
    """The note of one day. `assignments` are the cadre's; the day picks the assignment it belongs to.

    The rules of filing (which days, until when) are the model's (DailyNote.check_filing), checked by the
    services; the form offers the days open for filing (`days`) as a list, so that no date is typed.
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
        covering = next((a for a in self.assignments if a.starts_on <= day <= a.ends_on), None)
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
