from django.shortcuts import render
from django.utils import timezone

from cadres.coverage import coverage_on
from cadres.roles import staff_required


@staff_required
def dashboard(request):
    day = timezone.localdate()
    return render(request, "cadres/dashboard.html", {"day": day, "coverage": coverage_on(day)})
