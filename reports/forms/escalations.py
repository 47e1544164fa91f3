import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Escalation


class EscalationForm(forms.ModelForm):
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Escalation
        fields = ["subject", "description", "category", "urgency"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "urgency": forms.RadioSelect,
        }
        help_texts = {
            "subject": _("In a few words: what the locality cannot solve on its own."),
            "description": _("What happened, who is affected, what you need from the province."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())
