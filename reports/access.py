"""One access helper per object kind, on Model.objects.visible_to(user) (reports/models.py): staff see
everything but a cadre's draft report, a cadre only their own. An assignment's helper is in cadres/access.py.

Anything else answers 404, so that another cadre's URL reveals nothing. The can_* functions say what the
user may do with an object they see, for the views to pass to the templates.
"""

from django.shortcuts import get_object_or_404

from accounts.roles import is_staff_member
from cadres.access import is_own_assignment
from reports.models import DailyNote, Escalation, MissionReport, Recommendation, ReportStatus


def get_note_for_user(request, pk) -> DailyNote:
    queryset = DailyNote.objects.visible_to(request.user).select_related(
        "assignment__cadre__unit", "assignment__locality__parent"
    )
    return get_object_or_404(queryset, pk=pk)


def get_escalation_for_user(request, pk) -> Escalation:
    queryset = Escalation.objects.visible_to(request.user).select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "note", "assigned_to"
    )
    return get_object_or_404(queryset, pk=pk)


def get_report_for_user(request, pk) -> MissionReport:
    """A draft is its cadre's alone until submitted; a returned report was submitted once, and staff keep it."""
    queryset = MissionReport.objects.visible_to(request.user).select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign", "reviewed_by"
    )
    return get_object_or_404(queryset, pk=pk)


def get_tracked_recommendation_for_user(request, pk) -> Recommendation:
    """A recommendation the province tracks (its report submitted or accepted), with what its edit page shows."""
    queryset = (
        Recommendation.objects.visible_to(request.user)
        .tracked()
        .select_related(
            "report__assignment__cadre__unit",
            "report__assignment__locality__parent",
            "report__assignment__campaign",
            "owner",
        )
    )
    return get_object_or_404(queryset, pk=pk)


def can_edit_note(user, note: DailyNote) -> bool:
    """Only its cadre changes a note, and only while the rules allow (DailyNote.is_editable)."""
    return is_own_assignment(user, note.assignment) and note.is_editable()


def can_revise_report(user, report: MissionReport) -> bool:
    """Only its cadre revises a report, while it is a draft or was returned."""
    return is_own_assignment(user, report.assignment) and not report.is_handed_in


def can_review_report(user, report: MissionReport) -> bool:
    """Staff review a report once submitted: a draft is still the cadre's own work."""
    return is_staff_member(user) and report.status != ReportStatus.DRAFT


def can_handle_escalation(user, escalation: Escalation) -> bool:
    """Staff assign, answer and resolve every escalation."""
    return is_staff_member(user)
