import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from localities import changes
from localities.models import ChangeKind, Locality, LocalityKind, ZoneStatus
from shared.fields import DayField
from shared.text_validators import plain_text, single_line
from shared.vietnamese import place_key

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
        # ZoneStatus.clean() checks the day against the unit's life (before it was formed, after it ended).
        self.instance.locality = locality

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        locality = self.locality
        if day < EARLIEST_GRADING:
            raise forms.ValidationError(
                _("Gradings start from %(day)s.") % {"day": date_format(EARLIEST_GRADING, "SHORT_DATE_FORMAT")},
                code="too_early",
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


CHANGE_KIND_HELP = {
    ChangeKind.RENAME: _("The unit keeps its code, gradings and assignments under its new name."),
    ChangeKind.RECLASSIFY: _("A town becomes a city, a commune a ward: same unit, same code, a new kind."),
    ChangeKind.MERGER: _("This unit and the others chosen end the day before; they become a new unit or one of them."),
    ChangeKind.SPLIT: _("This unit ends the day before; the units named open on the day."),
}


# The kinds of change each field is for: static/js/change_form.js shows only those of the kind chosen (without
# JavaScript every field shows, and clean() reads those of the kind chosen).
FIELDS_OF_KIND = {
    "new_name": [ChangeKind.RENAME, ChangeKind.MERGER],
    "new_kind": [ChangeKind.RECLASSIFY, ChangeKind.MERGER],
    "new_code": [ChangeKind.MERGER],
    "others": [ChangeKind.MERGER],
    "into": [ChangeKind.MERGER],
    "parts": [ChangeKind.SPLIT],
}


class InVietnameseOrder(forms.models.ModelChoiceIterator):
    """The units in the Vietnamese dictionary order of their titles ("Phường An Thạnh", "Phường Ân Phú",
    "Phường Bình Chuẩn"), which the database's order of code points is not (it puts "Â" after "Z")."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in sorted(self.queryset, key=lambda unit: (place_key(unit.display_name), unit.pk)):
            yield self.choice(unit)


class LocalityChangeForm(forms.Form):
    """A change of the administrative map on a date; clean() plans it (localities/changes.py) and refuses it
    with the plan's problems, so the preview and the record check the same things."""

    kind = forms.ChoiceField(label=_("Change"), choices=ChangeKind.choices, widget=forms.RadioSelect)
    effective_on = DayField(label=_("In force from"))
    basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=200,
        validators=[single_line],
        help_text=_("e.g. Nghị quyết 725/NQ-UBTVQH15"),
    )
    new_name = forms.CharField(
        label=_("New name"),
        required=False,
        max_length=120,
        validators=[single_line],
        help_text=_(
            "Without the kind: “Tân Uyên”, not “Thành phố Tân Uyên”. For a rename, or the unit a merger forms."
        ),
    )
    new_kind = forms.ChoiceField(
        label=_("New kind"),
        required=False,
        choices=[("", "—"), *LocalityKind.choices],
        help_text=_("For a change of kind, or the unit a merger forms."),
    )
    new_code = forms.CharField(
        label=_("Official code of the unit formed"), required=False, max_length=10, validators=[single_line]
    )
    others = forms.ModelMultipleChoiceField(
        label=_("Merged with"),
        required=False,
        queryset=Locality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    into = forms.ModelChoiceField(
        label=_("They become"),
        required=False,
        queryset=Locality.objects.none(),
        empty_label=_("a new unit (name and kind above)"),
        help_text=_("Or one of them, which continues with its code and absorbs the others."),
    )
    parts = forms.CharField(
        label=_("Units it is split into"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[plain_text],
        help_text=_("One per line, with its kind: “Phường Tân Khánh”. Without a kind, the unit's own."),
    )

    def __init__(self, *args, locality: Locality, **kwargs):
        self.locality = locality
        self.plan = None
        super().__init__(*args, **kwargs)
        # Units of the same level under the same parent: those a merger may join.
        siblings = Locality.objects.filter(parent_id=locality.parent_id, level=locality.level).order_by("name")
        # The labels and the order first: setting the queryset hands the widget its choices.
        for name, queryset in (("others", siblings.exclude(pk=locality.pk)), ("into", siblings)):
            self.fields[name].label_from_instance = _period_label
            self.fields[name].iterator = InVietnameseOrder
            self.fields[name].queryset = queryset
        for name, kinds in FIELDS_OF_KIND.items():
            self.fields[name].widget.attrs["data-change-kinds"] = " ".join(kinds)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind, day, basis = data["kind"], data["effective_on"], data.get("basis", "")
        if kind in (ChangeKind.RENAME, ChangeKind.RECLASSIFY):
            self.plan = changes.plan_rename(
                self.locality,
                effective_on=day,
                name=data.get("new_name", "") if kind == ChangeKind.RENAME else "",
                kind=data.get("new_kind", "") if kind == ChangeKind.RECLASSIFY else "",
                basis=basis,
            )
        elif kind == ChangeKind.MERGER:
            # Whatever is typed for a new unit goes to the plan, which refuses it with a unit that continues.
            new_unit = None
            if data.get("new_name") or data.get("new_kind") or data.get("new_code"):
                new_unit = changes.NewUnit(data.get("new_name", ""), data.get("new_kind", ""), data.get("new_code", ""))
            self.plan = changes.plan_merger(
                self.locality,
                list(data.get("others") or []),
                effective_on=day,
                into=data.get("into"),
                new_unit=new_unit,
                basis=basis,
            )
        else:
            self.plan = changes.plan_split(
                self.locality,
                changes.parse_units(data.get("parts", ""), self.locality.kind),
                effective_on=day,
                basis=basis,
            )
        if self.plan.problems:
            raise forms.ValidationError(self.plan.problems)
        return data


def _period_label(locality: Locality) -> str:
    if locality.valid_to:
        return _("%(unit)s (until %(day)s)") % {
            "unit": locality.display_name,
            "day": date_format(locality.valid_to, "SHORT_DATE_FORMAT"),
        }
    return locality.display_name
