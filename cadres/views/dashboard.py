"""The staff dashboard: coverage on one day, and the way to the lists behind each figure."""

import datetime

from django.db import transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import scope_of, staff_required
from cadres.chart import bar_chart
from cadres.coverage import cadres_per_day, campaigns_for_chart, chart_period, coverage_on
from cadres.models import Assignment, Campaign
from localities.models import Locality
from shared.caching import RECORDS, REPORTS, cached
from shared.fields import day_from_query

# Figures this old (seconds) are computed again in the background; at TIMEOUT (a minute) they are dropped.
REFRESH_AFTER = 30
# How many campaigns the quick links offer, most recent first.
CAMPAIGN_LINKS = 12


def figures_context(day: datetime.date, today: datetime.date, user) -> dict:
    """Everything the dashboard shows under its day form, counted over what `user` sees: for now, everything
    for every staff member."""
    assignments = Assignment.objects.visible_to(user)
    campaigns = Campaign.objects.visible_to(user)
    chart_campaigns = campaigns_for_chart(day, campaigns=campaigns, assignments=assignments)
    chart, chart_first, chart_last = "", None, None
    if chart_campaigns:
        # Every campaign is counted, as the "cadres on mission" figure counts: the day's bar is that figure.
        chart_first, chart_last = chart_period(chart_campaigns, day)
        chart = bar_chart(
            cadres_per_day(chart_first, chart_last, assignments),
            title=_("Cadres on mission per day, all campaigns"),
            chart_id="chart-per-day",
            selected=day,
        )
    quick_links = [
        (campaign, campaign.showcase_day(today))
        for campaign in campaigns.order_by("-starts_on", "name")[:CAMPAIGN_LINKS]
    ]
    return {
        "day": day,
        "iso_day": day.isoformat(),
        "coverage": coverage_on(day, assignments=assignments, localities=Locality.objects.visible_to(user)),
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
    day = day_from_query(request) or today
    # Nationally the figures take about a second to compute: they are shared for a minute
    # (shared/caching.py); a change to the records or reports shows at once, new notes within the minute.
    # After half a minute they are computed again in the background while people read them: nobody's
    # request waits for the recomputation unless nobody has looked for a minute.
    # Shared by the people of one scope (what their roles reach): nobody reads figures computed for another.
    figures = cached(
        "dashboard",
        scope_of(request.user).key,
        get_language(),
        day,
        today,
        topics=[RECORDS, REPORTS],
        compute=lambda: render_to_string("cadres/_dashboard_figures.html", figures_context(day, today, request.user)),
        refresh_after=REFRESH_AFTER,
    )
    return render(
        request,
        "cadres/dashboard.html",
        {"day": day, "today": today, "figures": mark_safe(figures)},
    )
