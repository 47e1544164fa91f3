"""The staff's actions on one assignment: edit, extend, recall, replace.

The forms only validate; the services in cadres/services.py write.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.forms.cadre_picker import CadreField
from cadres.models import Assignment
from localities.models import Level, Locality
from shared.concurrency import VersionedFormMixin
from shared.fields import DayField
from shared.text_validators import single_line


class LocalityField(forms.ModelChoiceField):
    def label_from_instance(self, locality):
        if locality.level == Level.COMMUNE and locality.parent_id:
            return f"{locality.display_name} ({locality.parent.name})"
        return locality.display_name


def localities_near(locality: Locality):
    """The districts and wards of the assignment's own province: where it can be moved to.

    Offering every ward of the country would be thousands of options.
    """
    if locality.level == Level.COMMUNE and locality.parent_id:
        # Under a district before 01/07/2025, under the province itself since.
        province_id = locality.parent.parent_id or locality.parent_id
    elif locality.level == Level.DISTRICT:
        province_id = locality.parent_id
    else:
        province_id = locality.pk
    queryset = Locality.objects.select_related("parent")
    if province_id is None:
        return queryset.filter(pk=locality.pk)
    return queryset.filter(Q(pk=locality.pk) | Q(parent_id=province_id) | Q(parent__parent_id=province_id)).order_by(
        "parent__name", "level", "name"
    )


class AssignmentForm(VersionedFormMixin, forms.ModelForm):
    """Edit the place, host, tasks and dates; the model's clean() refuses an overlap and names it."""

    class Meta:
        model = Assignment
        # The arrival and departure the locality confirmed: corrected here when a wrong day was confirmed.
        fields = ["locality", "host_organisation", "tasks", "starts_on", "ends_on", "arrived_on", "left_on"]
        field_classes = {
            "locality": LocalityField,
            "starts_on": DayField,
            "ends_on": DayField,
            "arrived_on": DayField,
            "left_on": DayField,
        }
        widgets = {"tasks": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = localities_near(self.instance.locality)


class ExtendForm(VersionedFormMixin, forms.Form):
    ends_on = DayField(label=_("New end date"))


class RecallForm(VersionedFormMixin, forms.Form):
    on = DayField(label=_("Last day served"), help_text=_("The cadre serves up to and including this day."))
    reason = forms.CharField(label=_("Reason"), max_length=300, validators=[single_line])


class ReplaceForm(VersionedFormMixin, forms.Form):
    replacement = CadreField(
        label=_("Replacement cadre (code or name)"),
        help_text=_("A cadre code, e.g. TD-007, or a full name; suggestions appear as you type."),
    )
    on = DayField(
        label=_("Last day of the current cadre"),
        help_text=_("The replacement starts the next day, in the same place, until the planned end."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False, validators=[single_line])

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, versioned=assignment, **kwargs)
        self.assignment = assignment

    def clean_replacement(self):
        cadre = self.cleaned_data["replacement"]
        if cadre.pk == self.assignment.cadre_id:
            raise forms.ValidationError(_("Choose another cadre than the one replaced."), code="same_cadre")
        return cadre


def default_day(assignment: Assignment):
    """Today if it falls within the assignment, otherwise its last day."""
    today = timezone.localdate()
    return min(max(today, assignment.starts_on), assignment.ends_on)


class PresenceForm(forms.Form):
    """The host locality confirms the day a cadre arrived, or left (Assignment.confirm() checks the dates)."""

    ARRIVAL, DEPARTURE = "arrival", "departure"

    event = forms.ChoiceField(choices=[(ARRIVAL, _("Arrived on")), (DEPARTURE, _("Left on"))], widget=forms.HiddenInput)
    day = DayField(label=_("Day"))
