"""Creating and editing a cadre; the model tidies and checks the fields (Cadre.clean_fields), as for a roster row."""

from django import forms

from cadres.models import Cadre, ProvincialUnit


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
        # The address is checked by the model alone, whose message quotes it (a form's EmailField would check it first).
        field_classes = {"unit": UnitChoiceField, "email": forms.CharField}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()


class UnitForm(forms.ModelForm):
    """A provincial unit or a department; the model checks the two levels (ProvincialUnit.clean)."""

    class Meta:
        model = ProvincialUnit
        fields = ["name", "short_name", "parent", "kind", "issuing_body", "document_symbol", "place"]
        field_classes = {"parent": UnitChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only units can hold departments; a unit is never offered as its own parent.
        parents = unit_choices().filter(parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
