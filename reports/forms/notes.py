import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cadres.models import Assignment
from reports.models import Activity, DailyNote

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
    """The note of one day. `assignments` are the cadre's; the day must fall inside one of them."""

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

    class Meta:
        model = DailyNote
        fields = ["day", "activities", "other_activities", "situation", "difficulties", "needs", "health", "photo"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "health": forms.RadioSelect,
            "other_activities": forms.Textarea(attrs={"rows": 2}),
            "situation": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"other_activities": _("Other activities")}

    def __init__(self, *args, assignments: list[Assignment], today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignments = assignments
        self.today = today
        self.assignment = self.instance.assignment if self.instance.pk else None
        if self.instance.pk:
            # A note stays on its day; editing changes what was written, never when.
            self.fields["day"].disabled = True
            self.fields["day"].required = False
        elif not self.is_bound and not self.initial.get("client_key"):
            # Without JavaScript the key still makes a double tap harmless.
            self.initial["client_key"] = uuid.uuid4()
        current = self.assignment or self.assignment_on(self.initial.get("day") or today)
        if current is not None:
            self.fields["day"].widget.attrs.update(
                min=current.starts_on.isoformat(), max=min(today, current.ends_on).isoformat()
            )

    def assignment_on(self, day: datetime.date) -> Assignment | None:
        return next((a for a in self.assignments if a.starts_on <= day <= a.ends_on), None)

    def clean_day(self):
        if self.instance.pk:
            return self.instance.day
        day = self.cleaned_data["day"]
        if day > self.today:
            raise ValidationError(_("A note cannot be written for a day in the future."), code="future")
        self.assignment = self.assignment_on(day)
        if self.assignment is None:
            raise ValidationError(
                _("This day is outside your assignment."),
                code="outside_assignment",
            )
        existing = DailyNote.objects.filter(assignment=self.assignment, day=day).first()
        if existing is not None:
            raise ValidationError(
                _("There is already a note for %(day)s.") % {"day": date_format(day, "SHORT_DATE_FORMAT")},
                code="exists",
            )
        return day
