"""One access helper per object kind, on Model.objects.visible_to(user) (reports/models.py): each role
sees the rows of the assignments it reaches, nobody a cadre's draft report but its cadre. An
assignment's helper is in cadres/access.py.

Anything else answers 404, so that another cadre's URL reveals nothing; with `for_change`, anything
the user may not change (Model.objects.managed_by). The can_* functions say what the user may do with
an object they see, for the views to pass to the templates.
"""

from django.shortcuts import get_object_or_404

from cadres.access import is_own_assignment, scope_for
from reports.models import DailyNote, Escalation, MissionReport, Recommendation, ReportStatus


def get_note_for_user(request, pk) -> DailyNote:
    queryset = DailyNote.objects.visible_to(request.user).select_related(
        "assignment__cadre__unit", "assignment__locality__parent"
    )
    return get_object_or_404(queryset, pk=pk)


def get_escalation_for_user(request, pk, *, for_change: bool = False) -> Escalation:
    queryset = scope_for(Escalation, request, for_change).select_related(
        "assignment__cadre__unit",
        "assignment__locality__parent",
        "assignment__campaign",
        "note",
        "assigned_to",
        "local_by",
    )
    return get_object_or_404(queryset, pk=pk)


def get_report_for_user(request, pk, *, for_change: bool = False) -> MissionReport:
    """A draft is its cadre's alone until submitted; a returned report was submitted once, and staff keep it."""
    queryset = scope_for(MissionReport, request, for_change).select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign", "reviewed_by"
    )
    return get_object_or_404(queryset, pk=pk)


def get_tracked_recommendation_for_user(request, pk, *, for_change: bool = False) -> Recommendation:
    """A recommendation the province tracks (its report submitted or accepted), with what its edit page shows."""
    queryset = (
        scope_for(Recommendation, request, for_change)
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
    """The campaign's organisers review a report once submitted: a draft is still the cadre's own work."""
    return report.status != ReportStatus.DRAFT and report.assignment.campaign.is_managed_by(user)


def can_handle_locally(user, escalation: Escalation) -> bool:
    """The host locality answers or forwards an escalation raised in its area while it is open."""
    return escalation.is_hosted_by(user) and escalation.is_open_to_the_locality()


def can_handle_escalation(user, escalation: Escalation) -> bool:
    """The campaign's organisers assign, answer and resolve its escalations."""
    return escalation.assignment.campaign.is_managed_by(user)
