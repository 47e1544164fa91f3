from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import MissionReport, Recommendation
from reports.services import RecommendationItem
from shared.concurrency import VersionedFormMixin


class MissionReportForm(VersionedFormMixin, forms.ModelForm):
    # Made on the phone for one editing of the report (outbox.js): a later save with the same key continues it.
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MissionReport
        fields = ["results", "local_work", "difficulties"]
        widgets = {
            "results": forms.Textarea(attrs={"rows": 10}),
            "local_work": forms.Textarea(attrs={"rows": 6}),
            "difficulties": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "results": _("Prefilled from your daily notes; correct and complete it."),
            "local_work": _("How the local organisation works: strengths, weaknesses, people."),
        }


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "addressed_to"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "addressed_to": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An untouched blank row is skipped rather than refused.
        self.fields["text"].required = False


class BaseRecommendationFormSet(forms.BaseInlineFormSet):
    def items(self) -> list[RecommendationItem]:
        """The rows to keep, in order: filled in and not marked for deletion."""
        items = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not (data.get("text") or "").strip():
                continue
            items.append(
                RecommendationItem(
                    text=data["text"].strip(),
                    addressed_to=data["addressed_to"],
                    pk=form.instance.pk if form.instance.pk else None,
                )
            )
        return items


RecommendationFormSet = forms.inlineformset_factory(
    MissionReport,
    Recommendation,
    form=RecommendationForm,
    formset=BaseRecommendationFormSet,
    extra=1,
    can_delete=True,
)
