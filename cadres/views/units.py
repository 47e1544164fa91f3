"""The provincial units and how many of their cadres are on mission on a day."""

from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.shortcuts import render

from cadres.coverage import SubqueryCount
from cadres.models import Assignment, Cadre, ProvincialUnit
from cadres.roles import staff_required
from cadres.views.dashboard import day_from_request, parse_day

PER_PAGE = 50


@staff_required
def unit_list(request):
    """With `active_on`, only the units with a cadre of their own on mission that day.

    A department's cadres count for the department (its own row, showing its
    parent), so the number of rows equals the dashboard's "units that sent them".
    """
    requested = parse_day(request.GET.get("active_on", ""))
    # A malformed day is reported by day_from_request(); the list is then not filtered.
    day = day_from_request(request, "active_on")
    filtered = requested is not None
    active = Assignment.objects.active_on(day)
    units = (
        ProvincialUnit.objects.select_related("parent")
        .annotate(
            cadre_count=SubqueryCount(Cadre.objects.filter(unit=OuterRef("pk")).order_by().values("pk")),
            department_count=SubqueryCount(
                ProvincialUnit.objects.filter(parent=OuterRef("pk")).order_by().values("pk")
            ),
            on_mission=SubqueryCount(
                active.filter(cadre__unit=OuterRef("pk")).order_by().values("cadre_id").distinct()
            ),
            on_mission_with_departments=SubqueryCount(
                active.filter(Q(cadre__unit=OuterRef("pk")) | Q(cadre__unit__parent=OuterRef("pk")))
                .order_by()
                .values("cadre_id")
                .distinct()
            ),
        )
        .order_by(Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")
    )
    if filtered:
        units = units.filter(on_mission__gt=0)
    page = Paginator(units, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/unit_list.html",
        {"page": page, "day": day, "iso_day": day.isoformat(), "filtered": filtered},
    )
