"""The provincial units and how many of their cadres are on mission on a day."""

from django.contrib import messages
from django.db.models import F, OuterRef
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import organiser_required, staff_required
from cadres.coverage import SubqueryCount
from cadres.forms.cadres import UnitForm
from cadres.models import Assignment, Cadre, ProvincialUnit
from shared.fields import day_from_query
from shared.pagination import paginate

PER_PAGE = 50


@staff_required
def unit_list(request):
    """With `active_on`, only the units with a cadre of their own on mission that day.

    A department's cadres count for the department (its own row, showing its
    parent), so the number of rows equals the dashboard's "units that sent them".
    """
    requested = day_from_query(request, "active_on")
    # Without a day, or with a malformed one (reported), the list is not filtered and counts today's cadres.
    day = requested or timezone.localdate()
    filtered = requested is not None
    # The counts are of what the user sees too.
    user = request.user
    active = Assignment.objects.visible_to(user).active_on(day)
    units = (
        ProvincialUnit.objects.visible_to(user)
        .select_related("parent")
        .annotate(
            cadre_count=SubqueryCount(
                Cadre.objects.visible_to(user).filter(unit=OuterRef("pk")).order_by().values("pk")
            ),
            department_count=SubqueryCount(
                ProvincialUnit.objects.visible_to(user).filter(parent=OuterRef("pk")).order_by().values("pk")
            ),
            on_mission=SubqueryCount(
                active.filter(cadre__unit=OuterRef("pk")).order_by().values("cadre_id").distinct()
            ),
            # A cadre belongs to one unit: the unit's own and its departments' add up.
            on_mission_in_departments=SubqueryCount(
                active.filter(cadre__unit__parent=OuterRef("pk")).order_by().values("cadre_id").distinct()
            ),
        )
        .annotate(on_mission_with_departments=F("on_mission") + F("on_mission_in_departments"))
        .order_by(Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")
    )
    if filtered:
        # The same units as on_mission > 0, in one pass over the day's assignments.
        units = units.filter(pk__in=active.values("cadre__unit_id"))
    page = paginate(request, units, PER_PAGE)
    return render(
        request,
        "cadres/unit_list.html",
        {"page": page, "day": day, "iso_day": day.isoformat(), "filtered": filtered, "requested": requested},
    )


@organiser_required
def unit_create(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = form.save()
        messages.success(request, _("Unit “%(name)s” added.") % {"name": unit.name})
        return redirect("cadres:unit_list")
    return render(request, "cadres/unit_form.html", {"form": form, "unit": None})


@organiser_required
def unit_edit(request, pk):
    """Organisers keep the units they plan from (ProvincialUnit.objects.managed_by)."""
    unit = get_object_or_404(ProvincialUnit.objects.managed_by(request.user).select_related("parent"), pk=pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("cadres:unit_list")
    return render(request, "cadres/unit_form.html", {"form": form, "unit": unit})
