"""The assignment decision form: a header and several rows, one per cadre.

The cadre and locality fields are text inputs with a <datalist> (filled by
static/js/decision_form.js from the search endpoints), not selects: a
province has thousands of cadres and the country ten thousand communes. A
cadre is entered through the cadre picker (cadres/forms/cadre_picker.py: a
code, or a full name that only one cadre has), a locality by its official
code or as "ward, district" ("ward, province" since 01/07/2025).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cadres.forms.cadre_picker import CadreField
from cadres.forms.cadres import UnitChoiceField, unit_choices
from cadres.models import SCAN_CONTENT_TYPES, AmendmentKind, Assignment, Cadre, Campaign, Decision, overlapping_pairs
from localities.models import Level, Locality, LocalityKind
from shared.fields import DayField
from shared.text_validators import single_line

# How a locality's kind may be written before its name ("Phường Phú Cường").
KIND_PREFIXES = ("Phường", "Xã", "Thị trấn", "Thành phố", "Thị xã", "Quận", "Huyện", "Tỉnh")
ROWS_WITHOUT_JS = 6
MAX_ROWS = 300


def locality_value(locality: Locality) -> str:
    """What the locality input holds for this locality: the official code, else "name, parent"."""
    if locality.code:
        return locality.code
    return f"{locality.name}, {locality.parent.name}" if locality.parent_id else locality.name


def locality_label(locality: Locality) -> str:
    if locality.parent_id:
        return f"{locality.display_name}, {locality.parent.display_name}"
    return locality.display_name


def locality_options(day: datetime.date, limit: int = 200) -> list[tuple[str, str]]:
    """Datalist options offered before any typing: the red-zone districts and wards of `day`."""
    red = Locality.objects.valid_on(day).red_zone_on(day).values("pk")
    localities = (
        Locality.objects.filter(pk__in=red, level__in=[Level.DISTRICT, Level.COMMUNE])
        .select_related("parent")
        .order_by("parent__name", "level", "name")[:limit]
    )
    return [(locality_value(locality), locality_label(locality)) for locality in localities]


def _without_kind(name: str) -> str:
    prefixes = list(KIND_PREFIXES) + [str(label).capitalize() for label in LocalityKind.labels]
    for prefix in prefixes:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def find_locality(text: str, *, day: datetime.date | None = None) -> Locality:
    """The district- or commune-level locality written as its code or as "name, parent name"."""
    text = " ".join(text.split())
    localities = Locality.objects.filter(level__in=[Level.DISTRICT, Level.COMMUNE]).select_related("parent")
    if day:
        localities = localities.valid_on(day)
    found = list(localities.filter(code=text)[:2]) if text else []
    if not found:
        name, _comma, parent = text.rpartition(",") if "," in text else (text, "", "")
        name, parent = _without_kind(name.strip()), _without_kind(parent.strip())
        matches = localities.filter(name__iexact=name)
        if parent:
            matches = matches.filter(parent__name__iexact=parent)
        found = list(matches[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(
            _("Several localities match “%(text)s”: add the district after a comma, or use the code."),
            code="ambiguous",
            params={"text": text},
        )
    if day:
        became = _what_it_became(text, day)
        if became:
            raise ValidationError(became, code="ended")
    if day:
        raise ValidationError(
            _("No district or commune “%(text)s” existed on %(day)s."),
            code="unknown",
            params={"text": text, "day": date_format(day, "SHORT_DATE_FORMAT")},
        )
    raise ValidationError(_("No district or commune “%(text)s” was found."), code="unknown", params={"text": text})


def _what_it_became(text: str, day: datetime.date) -> str:
    """For a unit written by code or name that ended before `day`: what to write instead."""
    name, _comma, parent = text.rpartition(",") if "," in text else (text, "", "")
    ended = Locality.objects.filter(level__in=[Level.DISTRICT, Level.COMMUNE], valid_to__lt=day)
    matches = ended.filter(code=text) | ended.filter(name__iexact=_without_kind(name.strip()))
    if parent:
        matches = matches.filter(parent__name__iexact=_without_kind(parent.strip()))
    unit = matches.select_related("parent").order_by("-valid_to").first()
    if unit is None:
        return ""
    successors = list(unit.successors.valid_on(day).select_related("parent").order_by("name"))
    if not successors:
        return _("%(unit)s no longer exists on %(day)s (it ended on %(end)s).") % {
            "unit": unit.display_name,
            "day": date_format(day, "SHORT_DATE_FORMAT"),
            "end": date_format(unit.valid_to, "SHORT_DATE_FORMAT"),
        }
    return _("%(unit)s no longer exists on %(day)s: since %(since)s it is part of %(successors)s.") % {
        "unit": unit.display_name,
        "day": date_format(day, "SHORT_DATE_FORMAT"),
        "since": date_format(unit.ended_after, "SHORT_DATE_FORMAT"),
        "successors": "; ".join(
            f"{locality_label(successor)} ({successor.code})" if successor.code else locality_label(successor)
            for successor in successors
        ),
    }


def next_decision_number(unit, year: int) -> int:
    last = Decision.objects.filter(issuing_unit=unit, year=year).order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


class DecisionForm(forms.ModelForm):
    """The decision's header; a number already taken is refused by the model (Decision.validate_constraints)."""

    class Meta:
        model = Decision
        fields = [
            "number",
            "signed_on",
            "issuing_unit",
            "summary",
            "legal_bases",
            "signing_authority",
            "signer_position",
            "signer_name",
            "recipients",
        ]
        field_classes = {"issuing_unit": UnitChoiceField, "signed_on": DayField}
        widgets = {
            "summary": forms.TextInput(),
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, campaign: Campaign, amends: Decision | None = None, amendment_kind: str = "", **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        # The model's clean() checks the amendment against these (Decision.clean_amendment).
        self.instance.campaign = campaign
        self.instance.amends, self.instance.amendment_kind = amends, amendment_kind
        self.fields["issuing_unit"].queryset = unit_choices()
        self.fields["number"].validators.append(MinValueValidator(1))
        self.fields["number"].widget.attrs["min"] = 1
        if not self.is_bound:
            self._suggest()
            if amends:
                self._suggest_amendment(amends, amendment_kind)

    def _suggest_amendment(self, amends: Decision, kind: str) -> None:
        """The summary names the decision changed, as the document will (it is Vietnamese whatever the language)."""
        verb = "bãi bỏ" if kind == AmendmentKind.ANNUL else "sửa đổi, bổ sung"
        self.initial["summary"] = f"Về việc {verb} Quyết định số {amends.reference} ngày {amends.signed_on:%d/%m/%Y}"

    def _suggest(self):
        """Start from the campaign's organiser and the wording of its latest decision."""
        today = timezone.localdate()
        # A decision of a past campaign is being entered after the fact: date it at the start.
        signed_on = today if today <= self.campaign.ends_on else self.campaign.starts_on
        unit = self.campaign.organising_unit
        self.initial.setdefault("issuing_unit", unit.pk)
        self.initial.setdefault("signed_on", signed_on)
        self.initial.setdefault("number", next_decision_number(unit, signed_on.year))
        # A campaign's first decision takes the wording of the organiser's latest one.
        latest = (
            self.campaign.decisions.order_by("-signed_on", "-number").first()
            or Decision.objects.filter(issuing_unit=unit).order_by("-signed_on", "-number").first()
        )
        if latest:
            for name in ("summary", "legal_bases", "signing_authority", "signer_position", "signer_name", "recipients"):
                self.initial.setdefault(name, getattr(latest, name))


class LocalityInput(forms.TextInput):
    def __init__(self):
        super().__init__(
            attrs={
                "list": "locality-options",
                "autocomplete": "off",
                "data-search": reverse_lazy("cadres:locality_search"),
                "class": "locality-input",
            }
        )


class AssignmentRowForm(forms.Form):
    """One cadre sent to one place from one day; the end date follows the campaign's length."""

    cadre = CadreField(label=_("Cadre (code or name)"))
    locality = forms.CharField(
        label=_("Locality (code, or “ward, district” or “ward, province”)"),
        max_length=200,
        widget=LocalityInput(),
        validators=[single_line],
    )
    host_organisation = forms.CharField(
        label=_("Host organisation"), max_length=200, required=False, validators=[single_line]
    )
    starts_on = DayField(label=_("From"))
    # Shown only on a row that would run past the campaign's last day (see clean()).
    keep_full_length = forms.BooleanField(required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = default_start(campaign)
        self.fields["keep_full_length"].label = _("Keep the full %(days)s days (past the campaign's end)") % {
            "days": campaign.assignment_days
        }
        # The full end date of a row that runs past the campaign's end, once clean() has warned about it.
        self.past_end: datetime.date | None = None

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if not self.campaign.runs_on(starts_on):
            raise ValidationError(
                _("The campaign runs from %(start)s to %(end)s."),
                code="outside_campaign",
                params={
                    "start": date_format(self.campaign.starts_on, "SHORT_DATE_FORMAT"),
                    "end": date_format(self.campaign.ends_on, "SHORT_DATE_FORMAT"),
                },
            )
        return starts_on

    def clean(self):
        data = super().clean()
        starts_on = data.get("starts_on")
        if data.get("locality") and "locality" not in self.errors:
            try:
                data["locality"] = find_locality(data["locality"], day=starts_on)
            except ValidationError as error:
                self.add_error("locality", error)
        cadre = data.get("cadre")
        if starts_on:
            try:
                full_end = self.campaign.default_end(starts_on)
            except OverflowError:
                # A campaign planned at the end of the calendar: the assignment would end after 31/12/9999.
                self.add_error("starts_on", ValidationError(_("This start date is too late."), code="too_late"))
                starts_on = None
            else:
                keep = bool(data.get("keep_full_length"))
                data["ends_on"] = self.campaign.assignment_end(starts_on, past_campaign_end=keep)
                if full_end > self.campaign.ends_on:
                    self._warn_past_end(full_end)
        # Kept even when the row has other errors: the formset compares rows with each other.
        self.planned = None
        if isinstance(cadre, Cadre) and starts_on:
            self.planned = Assignment(cadre=cadre, starts_on=starts_on, ends_on=data["ends_on"])
            try:
                self.planned.clean_overlap()
            except ValidationError as error:
                self.add_error("cadre", error)
        return data

    def _warn_past_end(self, full_end: datetime.date) -> None:
        """Stop the first submission of a row running past the campaign, so that staff choose.

        The page then sends back the end date it warned about (_decision_row.html);
        submitting again confirms the choice, unless the start date changed meanwhile.
        """
        self.past_end = full_end
        if self.data.get(self.add_prefix("past_end_warned")) == full_end.isoformat():
            return
        self.add_error(
            None,
            ValidationError(
                _(
                    "This assignment would end on %(end)s, after the campaign's last day %(campaign_end)s. "
                    "It will end on %(campaign_end)s unless you keep the full %(days)s days; "
                    "choose, then issue the decision again."
                ),
                code="past_campaign_end",
                params={
                    "end": date_format(full_end, "SHORT_DATE_FORMAT"),
                    "campaign_end": date_format(self.campaign.ends_on, "SHORT_DATE_FORMAT"),
                    "days": self.campaign.assignment_days,
                },
            ),
        )


def default_start(campaign: Campaign) -> datetime.date:
    """Today while the campaign runs, else its first day."""
    today = timezone.localdate()
    return today if campaign.runs_on(today) else campaign.starts_on


class BaseAssignmentRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows_required: bool = True, **kwargs):
        # A decision amending another may change only its text; a new decision assigns at least one cadre.
        self.rows_required = rows_required
        super().__init__(*args, **kwargs)

    def filled_forms(self) -> list[AssignmentRowForm]:
        """The rows someone wrote in, in order (untouched empty rows are ignored)."""
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        rows = self.filled_forms()
        if not rows and self.rows_required:
            raise ValidationError(_("Add at least one cadre."), code="no_rows")
        # Every pair, even beside rows with other errors, so that all conflicts show at once.
        dated = [row for row in rows if getattr(row, "planned", None)]
        for i, j in overlapping_pairs([row.planned for row in dated]):
            row, other = dated[i], dated[j]
            # The model's rule, worded for rows: neither is stored, so there is no decision to name yet.
            message = _("%(name)s appears twice in this decision with overlapping dates (rows %(a)s and %(b)s).")
            params = {
                "name": row.planned.cadre.full_name,
                "a": self.forms.index(row) + 1,
                "b": self.forms.index(other) + 1,
            }
            for form in (row, other):
                form.add_error(None, ValidationError(message, code="overlap_in_decision", params=params))


AssignmentRowFormSet = forms.formset_factory(
    AssignmentRowForm,
    formset=BaseAssignmentRowFormSet,
    extra=ROWS_WITHOUT_JS,
    max_num=MAX_ROWS,
    validate_max=True,
)


class SignedScanForm(forms.Form):
    """The signed and stamped decision; what it may be is the model's rule (cadres.models.validate_signed_scan)."""

    scan = forms.FileField(
        label=_("Signed scan"),
        widget=forms.FileInput(attrs={"accept": ",".join(SCAN_CONTENT_TYPES.values())}),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
    )
