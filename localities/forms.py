import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from localities.models import Locality, ZoneStatus
from shared.fields import DayField

# Gradings are recorded for the epidemics the app was built for, not for history books;
# the bound also keeps "the day before" computable.
EARLIEST_GRADING = datetime.date(2000, 1, 1)


class GradingForm(forms.ModelForm):
    """A new grading of one locality from a date; the view records it with Locality.record_grading."""

    class Meta:
        model = ZoneStatus
        fields = ["grading", "valid_from", "directive", "note"]
        field_classes = {"valid_from": DayField}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"valid_from": _("In force from")}

    def __init__(self, *args, locality: Locality, **kwargs):
        self.locality = locality
        super().__init__(*args, **kwargs)

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        locality = self.locality
        if day < EARLIEST_GRADING:
            raise forms.ValidationError(
                _("Gradings start from %(day)s.") % {"day": date_format(EARLIEST_GRADING, "SHORT_DATE_FORMAT")},
                code="too_early",
            )
        if locality.valid_from and day < locality.valid_from:
            raise forms.ValidationError(
                _("%(locality)s only exists from %(day)s.")
                % {"locality": locality.display_name, "day": date_format(locality.valid_from, "SHORT_DATE_FORMAT")},
                code="before_locality",
            )
        if locality.valid_to and day > locality.valid_to:
            raise forms.ValidationError(
                _("%(locality)s no longer exists after %(day)s.")
                % {"locality": locality.display_name, "day": date_format(locality.valid_to, "SHORT_DATE_FORMAT")},
                code="after_locality",
            )
        if locality.zone_statuses.filter(valid_from=day).exists():
            raise forms.ValidationError(
                _("A grading already starts on this day; record the change from another day."),
                code="same_day",
            )
        return day

    def record(self, *, by) -> ZoneStatus:
        data = self.cleaned_data
        return self.locality.record_grading(
            grading=data["grading"],
            valid_from=data["valid_from"],
            directive=data["directive"],
            note=data["note"],
            by=by,
        )
