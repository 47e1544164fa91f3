"""The staff dashboard: coverage on one day, and the way to the lists behind each figure."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import staff_required
from cadres.chart import bar_chart
from cadres.coverage import cadres_per_day, campaigns_for_chart, chart_period, coverage_on
from cadres.models import Campaign
from shared.caching import RECORDS, REPORTS, cached
from shared.widgets import parse_day

# How many campaigns the quick links offer, most recent first.
CAMPAIGN_LINKS = 12


# Days the pages can show: the figures count weeks ahead and behind, which overflows near year 1 and 9999.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


def requested_day(request, name: str = "day") -> datetime.date | None:
    """The day asked for in the query string; None without one, or for a malformed one, which is reported."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return None
    day = parse_day(raw)
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        messages.warning(request, _("“%(value)s” is not a date (dd/mm/yyyy): showing today.") % {"value": raw[:40]})
        return None
    return day


def showcase_day(campaign: Campaign, today: datetime.date) -> datetime.date:
    """The day a quick link opens: today while the campaign runs, else the middle of it."""
    if campaign.starts_on <= today <= campaign.ends_on:
        return today
    return campaign.starts_on + (campaign.ends_on - campaign.starts_on) / 2


def figures_context(day: datetime.date, today: datetime.date) -> dict:
    """Everything the dashboard shows under its day form: the same for every staff member."""
    chart_campaigns = campaigns_for_chart(day)
    chart, chart_first, chart_last = "", None, None
    if chart_campaigns:
        # Every campaign is counted, as the "cadres on mission" figure counts: the day's bar is that figure.
        chart_first, chart_last = chart_period(chart_campaigns, day)
        chart = bar_chart(
            cadres_per_day(chart_first, chart_last),
            title=_("Cadres on mission per day, all campaigns"),
            chart_id="chart-per-day",
            selected=day,
        )
    quick_links = [
        (campaign, showcase_day(campaign, today))
        for campaign in Campaign.objects.order_by("-starts_on", "name")[:CAMPAIGN_LINKS]
    ]
    return {
        "day": day,
        "iso_day": day.isoformat(),
        "coverage": coverage_on(day),
        "chart": chart,
        "chart_first": chart_first,
        "chart_last": chart_last,
        "chart_campaigns": chart_campaigns,
        "quick_links": quick_links,
        "computed_at": timezone.localtime(),
    }


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def dashboard(request):
    today = timezone.localdate()
    day = requested_day(request) or today
    # Nationally the figures take about a second to compute: they are shared for a minute
    # (shared/caching.py); a change to the records or reports shows at once, new notes within the minute.
    figures = cached(
        "dashboard",
        get_language(),
        day,
        today,
        topics=[RECORDS, REPORTS],
        compute=lambda: render_to_string("cadres/_dashboard_figures.html", figures_context(day, today)),
    )
    return render(
        request,
        "cadres/dashboard.html",
        {"day": day, "today": today, "figures": mark_safe(figures)},
    )
