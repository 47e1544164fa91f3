"""The host locality's page: the cadres sent into its area on a day, whose arrival and departure it confirms.

The campaign's organisers record them too, from the assignment's page; both go through Assignment.confirm().
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import RoleKind, host_required, staff_required
from cadres.forms.assignments import PresenceForm
from cadres.models import Assignment, Role, places_as_they_were
from shared.fields import day_from_query
from shared.pagination import paginate

# A ward official scrolls this on a phone.
PER_PAGE = 30


@host_required
def host_list(request):
    """Who is in the area on the day (today by default), with what is confirmed and what is not."""
    today = timezone.localdate()
    day = day_from_query(request) or today
    assignments = (
        Assignment.objects.hosted_by(request.user)
        .active_on(day)
        # Gone home early: the departure the locality confirmed ends their presence there.
        .exclude(left_on__lt=day)
        .select_related("cadre__unit", "locality__parent", "campaign", "local_assessment")
        .order_by("locality__name", "cadre__full_name", "pk")
    )
    page = paginate(request, assignments, PER_PAGE)
    places_as_they_were(page)
    return render(
        request,
        "cadres/host_list.html",
        {
            "page": page,
            "day": day,
            "today": today,
            "iso_today": today.isoformat(),
            # A role held on a ward or district that ended: what it became, whose host the official is not yet.
            "ended_roles": Role.objects.filter(
                user=request.user, kind=RoleKind.LOCALITY, locality__valid_to__lt=day
            ).select_related("locality__parent"),
        },
    )


def _back(request, assignment: Assignment) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("cadres:assignment_detail", args=[assignment.pk])


@staff_required
@require_POST
def assignment_presence(request, pk):
    """Confirm an arrival or a departure: by the host locality, or by the campaign's organisers."""
    queryset = Assignment.objects.confirmable_by(request.user).select_related("cadre")
    assignment = get_object_or_404(queryset, pk=pk)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(_back(request, assignment))
    day, event = form.cleaned_data["day"], form.cleaned_data["event"]
    try:
        if event == PresenceForm.ARRIVAL:
            assignment.confirm(arrived_on=day, by=request.user)
        else:
            assignment.confirm(left_on=day, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = (
            _("Arrival confirmed on %(day)s.")
            if event == PresenceForm.ARRIVAL
            else _("Departure confirmed on %(day)s.")
        )
        messages.success(
            request, f"{assignment.cadre.full_name}: " + done % {"day": date_format(day, "SHORT_DATE_FORMAT")}
        )
    return redirect(_back(request, assignment))
