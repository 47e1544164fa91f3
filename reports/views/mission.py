from django.shortcuts import render
from django.utils import timezone

from cadres.roles import cadre_required


@cadre_required
def my_mission(request):
    cadre = request.user.cadre
    today = timezone.localdate()
    assignments = cadre.assignments.select_related("locality__parent", "campaign").order_by("-starts_on")
    current = next((a for a in assignments if a.starts_on <= today <= a.ends_on), None)
    return render(
        request,
        "reports/my_mission.html",
        {"cadre": cadre, "today": today, "current": current, "assignments": assignments},
    )
