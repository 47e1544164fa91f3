"""Creating and editing a cadre; the roster import validates each row with the same form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, ProvincialUnit
from shared.vietnamese import phone_number

# Vietnamese numbers as people type them: digits and spaces, optionally the +84 country code.


class UnitChoiceField(forms.ModelChoiceField):
    """Departments read as 'department · unit' so that two 'Văn phòng' are told apart."""

    def label_from_instance(self, unit):
        return f"{unit.name} · {unit.parent}" if unit.parent_id else unit.name


def unit_choices():
    return ProvincialUnit.objects.select_related("parent").order_by("name")


class CadreForm(forms.ModelForm):
    class Meta:
        model = Cadre
        fields = ["code", "full_name", "position", "unit", "phone", "email", "is_party_member", "is_active"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        error_messages = {
            "code": {"unique": _("Another cadre already has this code.")},
            # Quoting the value: the roster import shows this far from the cell that was mistyped.
            "email": {"invalid": _("“%(value)s” is not an e-mail address (e.g. ten@example.vn).")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = unit_choices()

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return phone
        formatted = phone_number(phone)
        if formatted is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a Vietnamese phone number: write it like 0912 345 678 (+84 is accepted)."),
                code="invalid_phone",
                params={"value": phone},
            )
        return formatted

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
