"""Forms of the staff side: they validate only; reports/review.py does the work."""

import datetime

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.roles import STAFF_GROUP, RoleKind, scope_of
from cadres.models import Campaign
from reports.compliance import DEFAULT_DAYS, MAX_DAYS
from reports.filters import LocalityChoiceField, campaign_choices, locality_choices
from reports.models import Escalation, MissionReport, Rating, Recommendation
from shared.concurrency import VersionedFormMixin
from shared.fields import EARLIEST_DAY, LATEST_DAY, DayField
from shared.text_validators import plain_text
from shared.widgets import CachedSelect


def staff_users(units=None) -> QuerySet:
    """Who handles escalations and recommendations: office staff of every campaign and the organiser staff
    of `units` (organising units' ids; None: of any)."""
    organisers = Q(roles__kind=RoleKind.ORGANISER)
    if units is not None:
        organisers &= Q(roles__unit__in=units)
    return (
        User.objects.filter(Q(groups__name=STAFF_GROUP) | organisers, is_active=True)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def _handled_by_organisers_of(form, field: str, units) -> None:
    form.fields[field].queryset = staff_users(units)


class StaffUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ComplianceForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=campaign_choices(), required=False, label=_("Campaign"), widget=CachedSelect
    )
    locality = LocalityChoiceField(
        queryset=locality_choices(), required=False, label=_("Locality"), empty_label=_("All")
    )
    date_from = DayField(required=False, label=_("From"))
    date_to = DayField(required=False, label=_("To"))
    day = DayField(required=False, label=_("Not filed on"))

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to", "day"):
            # The range is completed by counting days from a given end, which overflows near year 1 and 9999
            # (the days a page reads from its query string are held to the same range: day_from_query).
            if cleaned.get(name) and not EARLIEST_DAY <= cleaned[name] <= LATEST_DAY:
                self.add_error(name, ValidationError(_("This day is out of range."), code="out_of_range"))
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", ValidationError(_("The end is before the start."), code="order"))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "date_to",
                    ValidationError(
                        _("Show at most %(days)d days at a time."), code="too_long", params={"days": MAX_DAYS}
                    ),
                )
        return cleaned

    def date_range(self, default: tuple[datetime.date, datetime.date]) -> tuple[datetime.date, datetime.date]:
        """The range asked for, completed from the default; the default when the form is invalid."""
        if not self.is_valid():
            return default
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end:
            return start, end
        if start:
            return start, start + datetime.timedelta(days=DEFAULT_DAYS - 1)
        if end:
            return end - datetime.timedelta(days=DEFAULT_DAYS - 1), end
        return default

    def chosen_campaign(self) -> Campaign | None:
        return self.cleaned_data.get("campaign") if self.is_valid() else None


class EscalationAssignForm(VersionedFormMixin, forms.Form):
    assigned_to = StaffUserChoiceField(queryset=staff_users(), label=_("Handled by"))

    def __init__(self, *args, escalation: Escalation, **kwargs):
        super().__init__(*args, versioned=escalation, **kwargs)
        # The staff of the escalation's campaign: its organiser's, or of every campaign.
        _handled_by_organisers_of(self, "assigned_to", [escalation.assignment.campaign.organising_unit_id])


class EscalationAnswerForm(VersionedFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("The province's answer"),
        max_length=Escalation._meta.get_field("answer").max_length,
        validators=[plain_text],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The cadre reads this answer on the escalation's page."),
    )
    resolve = forms.BooleanField(label=_("Mark as resolved"), required=False)


class EscalationStatusForm(VersionedFormMixin, forms.Form):
    """The resolve and reopen buttons: only the version of the escalation they were shown with."""


class ReportReviewForm(VersionedFormMixin, forms.Form):
    ACCEPT = "accept"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the report")), (RETURN, _("Return it for revision"))],
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(
        label=_("Completion rating"),
        choices=[("", "---------"), *Rating.choices],
        required=False,
        help_text=_("Required to accept."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MissionReport._meta.get_field("review_comment").max_length,
        validators=[plain_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required to return the report: say what to revise."),
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.ACCEPT and not cleaned.get("rating"):
            self.add_error(
                "rating", ValidationError(_("Rate the completion of the task to accept the report."), code="required")
            )
        if decision == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", ValidationError(_("Say what the cadre should revise."), code="required"))
        return cleaned


class RecommendationForm(VersionedFormMixin, forms.ModelForm):
    owner = StaffUserChoiceField(queryset=staff_users(), required=False, label=_("Owner"))

    class Meta:
        model = Recommendation
        fields = ["status", "owner", "response"]
        widgets = {"response": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, owner_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _handled_by_organisers_of(self, "owner", [self.instance.report.assignment.campaign.organising_unit_id])
        if owner_choices is not None:
            # The list page renders one form per row: share one list of staff instead of a query per row.
            self.fields["owner"].choices = owner_choices


def owner_choices(user) -> list[tuple]:
    """The owners the list offers on each row: the staff of the user's organising units (any, for office staff)."""
    scope = scope_of(user)
    users = staff_users(None if scope.everything else scope.organisers)
    return [("", "---------")] + [(user.pk, user.get_full_name() or user.username) for user in users]
