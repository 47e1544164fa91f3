"""A sending unit proposes a cadre against its quota; the organisers decline a proposal with a reason.

The forms only validate what was typed; Nomination.clean() and Nomination.decline() hold the rules.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.forms.cadres import UnitChoiceField
from cadres.models import Cadre, Campaign, Nomination, NominationStatus, Quota


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, cadre: Cadre) -> str:
        return f"{cadre.full_name} ({cadre.code}){f', {cadre.position}' if cadre.position else ''}"


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["unit", "cadre", "note"]
        field_classes = {"unit": UnitChoiceField, "cadre": CadreChoiceField}

    def __init__(self, *args, campaign: Campaign, units, **kwargs):
        """`units`: the units the user proposes for, those the campaign asks for cadres."""
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None
        taken = Nomination.objects.filter(campaign=campaign).exclude(status=NominationStatus.DECLINED)
        self.fields["cadre"].queryset = (
            Cadre.objects.active()
            .filter(Q(unit__in=units) | Q(unit__parent__in=units))
            .exclude(pk__in=taken.values("cadre_id"))
            .exclude(pk__in=campaign.assignments.values("cadre_id"))
            .select_related("unit")
            .in_name_order()
        )


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label=_("Reason for declining"), max_length=Nomination._meta.get_field("decline_reason").max_length
    )


def proposed_rows(campaign, values: list[str]) -> list[dict]:
    """The first rows of a decision for the chosen proposals of this campaign still waiting: cadre and place."""
    ids = [int(value) for value in values if value.isdigit() and len(value) < 19]
    nominations = (
        Nomination.objects.proposed()
        .filter(campaign=campaign, pk__in=ids)
        .select_related("cadre")
        .order_by("unit__name", "cadre__full_name")
    )
    places = {
        quota.unit_id: quota.locality
        for quota in Quota.objects.filter(campaign=campaign, locality__isnull=False).select_related("locality__parent")
    }
    rows = []
    for nomination in nominations:
        row = {"cadre": nomination.cadre.code}
        place = places.get(nomination.unit_id)
        if place is not None:
            row["locality"] = place.code or ", ".join(filter(None, [place.name, getattr(place.parent, "name", "")]))
        rows.append(row)
    return rows
