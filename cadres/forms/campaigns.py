"""Planning a campaign: its dates and organiser, and the quotas asked of each unit."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from cadres.forms.cadres import UnitChoiceField, unit_choices
from cadres.forms.decisions import LocalityInput, find_locality, locality_value
from cadres.models import Campaign, Quota
from shared.fields import DayField, DayFilter, ScopedChoicesMixin
from shared.text_validators import single_line
from shared.vietnamese import search_filter


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "organising_unit", "purpose", "assignment_days", "starts_on", "ends_on"]
        field_classes = {"organising_unit": UnitChoiceField, "starts_on": DayField, "ends_on": DayField}
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Organiser staff plan campaigns of their own organising units only.
        self.fields["organising_unit"].queryset = unit_choices().organised_by(user)
        self.fields["assignment_days"].validators.append(MinValueValidator(1))
        self.fields["assignment_days"].widget.attrs["min"] = 1

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", ValidationError(_("The end date cannot be before the start date."), code="order"))
        if self.instance.pk and starts_on and ends_on:
            outside = self.instance.assignments.exclude(starts_on__gte=starts_on, starts_on__lte=ends_on)
            if outside.exists():
                self.add_error(
                    None,
                    ValidationError(
                        _("Some assignments of this campaign start outside these dates: change them first."),
                        code="assignments_outside",
                    ),
                )
        return data


class CampaignFilter(ScopedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name", validators=[single_line])
    running_on = DayFilter(label=_("Running on"), method="filter_running_on")

    class Meta:
        model = Campaign
        fields = []

    @property
    def qs(self):
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        return super().qs

    def filter_name(self, queryset, name, value):
        value = " ".join(value.split())
        return queryset.filter(search_filter(value, "name")) if value else queryset

    def filter_running_on(self, queryset, name, value):
        return queryset.running_on(value)


class QuotaForm(forms.ModelForm):
    locality = forms.CharField(
        label=_("Locality (code, or “ward, district” or “ward, province”)"),
        max_length=200,
        required=False,
        widget=LocalityInput(),
        help_text=_("Leave empty when the unit may send its cadres anywhere."),
        validators=[single_line],
    )

    class Meta:
        model = Quota
        fields = ["unit", "locality", "count"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()
        self.fields["count"].validators.append(MinValueValidator(1))
        self.fields["count"].widget.attrs["min"] = 1
        if self.instance.locality_id:
            self.initial["locality"] = locality_value(self.instance.locality)

    def clean_locality(self):
        text = self.cleaned_data["locality"].strip()
        return find_locality(text, day=self.campaign.starts_on) if text else None

    def validate_unique(self):
        # The formset checks (unit, locality) pairs, including the empty locality the database lets repeat.
        pass


class BaseQuotaFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("unit"):
                continue
            key = (data["unit"].pk, data["locality"].pk if data.get("locality") else None)
            if key in seen:
                form.add_error(
                    "unit",
                    ValidationError(
                        _("This unit already has a quota for this place (row %(row)s)."),
                        code="duplicate",
                        params={"row": seen[key]},
                    ),
                )
            else:
                seen[key] = self.forms.index(form) + 1


QuotaFormSet = forms.modelformset_factory(
    Quota, form=QuotaForm, formset=BaseQuotaFormSet, extra=3, can_delete=True, max_num=500, validate_max=True
)
