"""The staff dashboard: coverage on one day, and the way to the lists behind each figure."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import scope_of, staff_required
from cadres.chart import bar_chart
from cadres.coverage import cadres_per_day, campaigns_for_chart, chart_period, coverage_on
from cadres.coverage_map import AreaChoices, coverage_map, map_areas
from cadres.models import Assignment, Campaign
from localities.models import Locality
from shared.caching import RECORDS, REPORTS, cached
from shared.fields import day_from_query

# Figures this old (seconds) are computed again in the background; at TIMEOUT (a minute) they are dropped.
REFRESH_AFTER = 30
# How many campaigns the quick links offer, most recent first.
CAMPAIGN_LINKS = 12


def figures_context(day: datetime.date, today: datetime.date, user, area_id: int | None = None) -> dict:
    """Everything the dashboard shows under its day form, counted over what `user` sees: for now, everything
    for every staff member. `area_id`: the province or district whose map is drawn (one of area_choices())."""
    assignments = Assignment.objects.visible_to(user)
    localities = Locality.objects.visible_to(user)
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
        "coverage": coverage_on(day, assignments=assignments, localities=localities),
        "coverage_map": _area_map(area_id, day, user, assignments, localities),
        "chart": chart,
        "chart_first": chart_first,
        "chart_last": chart_last,
        "chart_campaigns": chart_campaigns,
        "quick_links": quick_links,
        "computed_at": timezone.localtime(),
    }


def mapped_areas(user):
    """The localities whose maps `user` may open: those they see, and the unit above a commune they see where
    they do not see that unit. A role on Bình Dương reaches the 36 wards of Hồ Chí Minh City it became since
    01/07/2025, not the city: its map is the city's, drawn with those wards only (the communes drawn are
    always those the user sees)."""
    visible = Locality.objects.visible_to(user)
    if scope_of(user).everything:
        return visible
    above = visible.communes().exclude(parent__in=visible.order_by().values("pk")).order_by().values("parent_id")
    return Locality.objects.filter(Q(pk__in=visible.order_by().values("pk")) | Q(pk__in=above))


def _area_map(area_id: int | None, day: datetime.date, user, assignments, localities):
    area = mapped_areas(user).filter(pk=area_id).first() if area_id is not None else None
    if area is None:
        return None
    return coverage_map(area, day, assignments=assignments, localities=localities, map_id="dashboard-map")


def area_choices(day: datetime.date, user) -> AreaChoices:
    """The areas whose map the dashboard offers on `day` to `user`, and the one it shows first, shared by the
    people of one scope under the records' version (the red zones of the day choose the default)."""
    scope = scope_of(user)
    return cached(
        "dashboard-areas",
        scope.key,
        get_language(),
        day,
        topics=[RECORDS],
        compute=lambda: map_areas(
            day, localities=mapped_areas(user), preferred=scope.area | scope.followed | scope.supervised
        ),
    )


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
    # The map's area is one of those offered on the day; another value shows the default, without an error.
    areas = area_choices(day, request.user)
    asked = request.GET.get("area", "").strip()
    area_id = areas.choose(asked)
    # An area asked for but not offered on the day (a 2021 district on a 2026 day): say which map shows instead.
    area_instead = areas.name_of(area_id) if areas.refused(asked) else None
    figures = cached(
        "dashboard",
        scope_of(request.user).key,
        get_language(),
        day,
        today,
        area_id,
        topics=[RECORDS, REPORTS],
        compute=lambda: render_to_string(
            "cadres/_dashboard_figures.html", figures_context(day, today, request.user, area_id)
        ),
        refresh_after=REFRESH_AFTER,
    )
    return render(
        request,
        "cadres/dashboard.html",
        {
            "day": day,
            "today": today,
            "figures": mark_safe(figures),
            "areas": areas,
            "area_id": area_id,
            "area_instead": area_instead,
        },
    )
