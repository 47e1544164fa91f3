"""Nominations: a sending unit proposes cadres against a campaign's quota for it; the organisers issue a
decision for those they accept, or decline with a reason. Both sides read the same page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import organiser_required, scope_of, staff_required
from cadres.access import get_campaign_for_user
from cadres.forms.nominations import DeclineForm, NominationForm
from cadres.models import Nomination, ProvincialUnit, Quota


def _units_asked(request, campaign):
    """The user's sending units that the campaign asks for cadres: those they propose for."""
    units = scope_of(request.user).units
    return ProvincialUnit.objects.filter(pk__in=units, quotas__campaign=campaign).distinct().order_by("name")


@staff_required
def nomination_list(request, pk):
    campaign = get_campaign_for_user(request, pk)
    units = _units_asked(request, campaign)
    form = closed = None
    # The form shows while proposing can work: the campaign not over, the unit's quota not full.
    if units.exists() and campaign.ends_on < timezone.localdate():
        closed = _("The campaign has ended.")
    elif units.exists() and not _room_left(campaign, units):
        closed = _("Your unit has proposed all the cadres it is asked for.")
    if closed and request.method == "POST":
        messages.error(request, closed)
        return redirect("cadres:nomination_list", pk=campaign.pk)
    if units.exists() and not closed:
        form = NominationForm(request.POST or None, campaign=campaign, units=units)
        if request.method == "POST":
            form.instance.proposed_by = request.user
            if form.is_valid():
                nomination = form.save()
                messages.success(request, _("%(cadre)s is proposed.") % {"cadre": nomination.cadre})
                return redirect("cadres:nomination_list", pk=campaign.pk)
    elif request.method == "POST":
        messages.error(request, _("Only a unit the campaign asks for cadres proposes them."))
        return redirect("cadres:nomination_list", pk=campaign.pk)
    nominations = (
        Nomination.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("cadre", "unit", "assignment__locality", "decided_by")
        .order_by("unit__name", "status", "created_at")
    )
    asked = (
        Quota.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .values("unit__name")
        .annotate(count=Sum("count"))
        .order_by("unit__name")
    )
    return render(
        request,
        "cadres/nomination_list.html",
        {
            "campaign": campaign,
            "form": form,
            "closed": closed,
            "nominations": nominations,
            "asked": asked,
            "can_decide": campaign.is_managed_by(request.user),
            "decline_form": DeclineForm(),
        },
    )


def _room_left(campaign, units) -> bool:
    """Whether some unit of `units` may still propose a cadre (NominationQuerySet.left_to_propose)."""
    return any(Nomination.objects.left_to_propose(campaign, unit.pk) > 0 for unit in units)


@organiser_required
def nominations_to_decision(request, pk):
    """The proposals ticked on the page, as the rows of a new decision (cadres:decision_create)."""
    campaign = get_campaign_for_user(request, pk, for_change=True)
    chosen = [value for value in request.GET.getlist("nomination") if value.isdigit()]
    if not chosen:
        messages.error(request, _("Tick the proposals to put in the decision."))
        return redirect("cadres:nomination_list", pk=campaign.pk)
    query = urlencode([("nomination", value) for value in chosen])
    return redirect(reverse("cadres:decision_create", args=[campaign.pk]) + (f"?{query}" if query else ""))


@organiser_required
@require_POST
def nomination_decline(request, pk):
    nomination = get_object_or_404(Nomination.objects.managed_by(request.user).select_related("cadre"), pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            nomination.decline(reason=form.cleaned_data["decline_reason"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The proposal of %(cadre)s is declined.") % {"cadre": nomination.cadre})
    else:
        messages.error(request, _("Say why, for the unit to read."))
    return redirect("cadres:nomination_list", pk=nomination.campaign_id)
