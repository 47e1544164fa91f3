"""Campaigns: the list, planning one, its page with progress and quotas, and editing the quotas."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import organiser_required, staff_required
from cadres.access import get_campaign_for_user
from cadres.coverage import SubqueryCount, campaign_progress, quota_rows
from cadres.forms.campaigns import CampaignFilter, CampaignForm, QuotaFormSet
from cadres.forms.decisions import locality_options
from cadres.models import Assignment, Campaign, Decision, ProvincialUnit, Quota, places_as_they_were
from shared.history import HistorySource, history_entries

PER_PAGE = 50
# The campaign page lists this many assignments and links to the filtered assignment list for all.
ASSIGNMENTS_SHOWN = 20


@staff_required
def campaign_list(request):
    today = timezone.localdate()
    # The counts are of what the user sees too.
    decisions = Decision.objects.visible_to(request.user).filter(campaign=OuterRef("pk")).order_by().values("pk")
    assignments = Assignment.objects.visible_to(request.user).filter(campaign=OuterRef("pk")).order_by()
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("organising_unit")
        .annotate(
            decision_count=SubqueryCount(decisions),
            assignment_count=SubqueryCount(assignments.values("pk")),
            active_count=SubqueryCount(assignments.active_on(today).values("pk")),
        )
    )
    filters = CampaignFilter(request.GET or None, queryset=campaigns.order_by("-starts_on", "name"), request=request)
    page = Paginator(filters.qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cadres/campaign_list.html",
        {"filters": filters, "page": page, "today": today, "iso_today": today.isoformat(), "query": query.urlencode()},
    )


@organiser_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign.name})
        return redirect("cadres:campaign_detail", pk=campaign.pk)
    return render(request, "cadres/campaign_form.html", {"form": form, "campaign": None})


@organiser_required
def campaign_edit(request, pk):
    campaign = get_campaign_for_user(request, pk, for_change=True)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Campaign saved."))
        return redirect("cadres:campaign_detail", pk=campaign.pk)
    return render(request, "cadres/campaign_form.html", {"form": form, "campaign": campaign})


@staff_required
def campaign_detail(request, pk):
    campaign = get_campaign_for_user(request, pk)
    today = timezone.localdate()
    # The campaign as the user's roles reach it: a sending unit sees its cadres, a host locality its area.
    visible = Assignment.objects.visible_to(request.user)
    decisions = (
        Decision.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("issuing_unit")
        .annotate(assignment_count=SubqueryCount(visible.filter(decision=OuterRef("pk")).values("pk")))
    )
    assignments = (
        visible.filter(campaign=campaign)
        .select_related("cadre__unit", "locality__parent", "decision__issuing_unit")
        .order_by("starts_on", "cadre__full_name")
    )
    return render(
        request,
        "cadres/campaign_detail.html",
        {
            "campaign": campaign,
            "today": today,
            "iso_today": today.isoformat(),
            "progress": campaign_progress(campaign, today, assignments=visible),
            "can_change": campaign.is_managed_by(request.user),
            "coverage_day": campaign.showcase_day(today).isoformat(),
            "decisions": decisions,
            "assignments": places_as_they_were(assignments[:ASSIGNMENTS_SHOWN]),
            "quotas": quota_rows(
                campaign,
                quotas=Quota.objects.visible_to(request.user),
                units=ProvincialUnit.objects.visible_to(request.user),
                assignments=visible,
            ),
            "history_entries": history_entries(
                campaign.history.all(),
                HistorySource(
                    Quota.history.filter(campaign_id=campaign.pk).select_related("unit"),
                    subject=_quota_subject,
                    fields=QUOTA_FIELDS,
                ),
            ),
        },
    )


# A quota's campaign is the page's own.
QUOTA_FIELDS = ["unit", "locality", "count"]


def _quota_subject(record) -> str:
    return _("quota of %(unit)s") % {"unit": record.unit}


@organiser_required
def campaign_quotas(request, pk):
    campaign = get_campaign_for_user(request, pk, for_change=True)
    quotas = Quota.objects.filter(campaign=campaign).select_related("unit__parent", "locality__parent")
    formset = QuotaFormSet(request.POST or None, queryset=quotas, form_kwargs={"campaign": campaign})
    if request.method == "POST" and formset.is_valid():
        for quota in formset.save(commit=False):
            quota.campaign = campaign
            quota.save()
        for quota in formset.deleted_objects:
            quota.delete()
        messages.success(request, _("Quotas saved."))
        return redirect("cadres:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "cadres/campaign_quotas.html",
        {"campaign": campaign, "formset": formset, "locality_options": locality_options(campaign.starts_on)},
    )
