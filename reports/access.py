"""One access helper per object kind: staff see everything but a cadre's draft report, a cadre only their own.

Anything else answers 404, so that another cadre's URL reveals nothing.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.roles import is_cadre, is_staff_member
from cadres.models import Assignment
from reports.models import DailyNote, Escalation, MissionReport, ReportStatus


def _scoped(request, queryset, cadre_path: str):
    user = request.user
    if is_staff_member(user):
        return queryset
    if is_cadre(user) and hasattr(user, "cadre"):
        return queryset.filter(**{cadre_path: user.cadre})
    raise Http404


def get_assignment_for_user(request, pk) -> Assignment:
    queryset = Assignment.objects.select_related("cadre__unit", "locality__parent", "campaign")
    return get_object_or_404(_scoped(request, queryset, "cadre"), pk=pk)


def get_note_for_user(request, pk) -> DailyNote:
    queryset = DailyNote.objects.select_related("assignment__cadre__unit", "assignment__locality__parent")
    return get_object_or_404(_scoped(request, queryset, "assignment__cadre"), pk=pk)


def get_escalation_for_user(request, pk) -> Escalation:
    queryset = Escalation.objects.select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "note", "assigned_to"
    )
    return get_object_or_404(_scoped(request, queryset, "assignment__cadre"), pk=pk)


def get_report_for_user(request, pk) -> MissionReport:
    """A draft is its cadre's alone until submitted; a returned report was submitted once, and staff keep it."""
    queryset = MissionReport.objects.select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign", "reviewed_by"
    )
    user = request.user
    visible = ~Q(status=ReportStatus.DRAFT)
    if is_cadre(user) and hasattr(user, "cadre"):
        visible |= Q(assignment__cadre=user.cadre)
    queryset = queryset.filter(visible)
    return get_object_or_404(_scoped(request, queryset, "assignment__cadre"), pk=pk)
