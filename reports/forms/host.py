"""The host locality's forms: its answer to an escalation or its comment forwarding it, and its assessment of a cadre.

They only validate; the models decide (Escalation.handle_locally(), LocalAssessment.clean()).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Escalation, LocalAssessment, LocalOutcome, Rating


class LocalHandlingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the locality does"), choices=LocalOutcome.choices, widget=forms.RadioSelect
    )
    local_comment = Escalation._meta.get_field("local_comment").formfield(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Answered: the cadre reads it as the answer. Forwarded: the province reads it beside the cadre's "
            "words, and the cadre sees why it went on."
        ),
    )


class LocalAssessmentForm(forms.ModelForm):
    class Meta:
        model = LocalAssessment
        fields = ["rating", "text"]
        widgets = {"rating": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = Rating.choices  # Four grades to choose from, no empty one.
