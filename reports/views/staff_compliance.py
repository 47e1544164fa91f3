from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import scope_of, staff_required
from cadres.models import Assignment, Campaign
from reports.compliance import (
    compliance_rows,
    days_between,
    default_campaign,
    default_range,
    grid_assignments,
    not_filed_on,
)
from reports.filters import paginate
from reports.forms.review import ComplianceForm
from shared.caching import FRAGMENT_TIMEOUT, NOTES, RECORDS, cached, cached_fragment, scoped_topic
from shared.fields import narrow_choices

# A province's cadres who have not filed today can be hundreds: the first ones are named, all are counted.
NOT_FILED_SHOWN = 200


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def compliance(request):
    today = timezone.localdate()
    scope = scope_of(request.user).key
    # The grid shows one campaign's notes: it is kept under that campaign's share of the notes' version,
    # and read from the cache while notes of other campaigns come in. Which campaign a query shows
    # depends on the records only, and is kept under their version.
    campaign = cached(
        "compliance-campaign",
        request.get_full_path(),
        scope,
        today,
        compute=lambda: getattr(_form_and_campaign(request, today)[2], "pk", None),
        timeout=FRAGMENT_TIMEOUT,
    )
    body = cached_fragment(
        request,
        "reports/_staff_compliance.html",
        lambda: _context(request, today),
        topics=[RECORDS, scoped_topic(NOTES, "campaign", campaign) if campaign else NOTES],
        scope=scope,
    )
    return render(request, "reports/staff_compliance.html", {"body": body})


def _form_and_campaign(request, today):
    """The filter form, whether it is valid, and the campaign it shows (the default one if none is asked)."""
    form = ComplianceForm(request.GET or None)
    narrow_choices(form, request.user)
    valid = form.is_bound and form.is_valid()
    campaigns = Campaign.objects.visible_to(request.user)
    campaign = (form.cleaned_data.get("campaign") if valid else None) or default_campaign(today, campaigns)
    return form, valid, campaign


def _context(request, today) -> dict:
    form, valid, campaign = _form_and_campaign(request, today)
    visible = Assignment.objects.visible_to(request.user)
    default = default_range(campaign, today)
    start, end = form.date_range(default) if form.is_bound else default
    locality = form.cleaned_data.get("locality") if valid else None
    day = (form.cleaned_data.get("day") if valid else None) or today
    if not form.is_bound:
        form = ComplianceForm(initial={"campaign": campaign, "date_from": start, "date_to": end, "day": day})
        narrow_choices(form, request.user)
    context = {"form": form, "campaign": campaign, "start": start, "end": end, "day": day, "today": today}
    if campaign is not None:
        not_filed = not_filed_on(campaign=campaign, day=day, locality=locality, assignments=visible)
        grid = grid_assignments(campaign=campaign, start=start, end=end, locality=locality, assignments=visible)
        page = paginate(request, grid)
        context.update(
            page=page,
            days=days_between(start, end),
            rows=compliance_rows(page.object_list, start=start, end=end, today=today),
            not_filed=list(not_filed[:NOT_FILED_SHOWN]),
            not_filed_count=not_filed.count(),
        )
    return context
