"""What provincial staff do with what cadres send: escalations, reports, recommendations.

The cadre's pages read the same fields (`answer`, `answered_at`, `status`,
`review_comment`, `rating`), so a change made here reaches the cadre at once.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import (
    Escalation,
    EscalationStatus,
    MissionReport,
    Rating,
    Recommendation,
    RecommendationStatus,
    ReportStatus,
)


@transaction.atomic
def escalation_assign(*, escalation: Escalation, to: User) -> Escalation:
    escalation.assigned_to = to
    fields = ["assigned_to", "updated_at"]
    if escalation.status == EscalationStatus.OPEN:
        escalation.status = EscalationStatus.IN_PROGRESS
        fields.append("status")
    escalation.save(update_fields=fields)
    return escalation


@transaction.atomic
def escalation_answer(*, escalation: Escalation, answer: str, by: User, resolve: bool = False) -> Escalation:
    """Record the province's answer; whoever answers an unassigned escalation takes it."""
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Write the answer."), code="required")
    escalation.answer = answer
    escalation.answered_at = timezone.now()
    if escalation.assigned_to_id is None:
        escalation.assigned_to = by
    if resolve:
        escalation.status = EscalationStatus.RESOLVED
    elif escalation.status == EscalationStatus.OPEN:
        escalation.status = EscalationStatus.IN_PROGRESS
    escalation.save(update_fields=["answer", "answered_at", "assigned_to", "status", "updated_at"])
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by: User) -> Escalation:
    # The cadre must be able to read how it was settled.
    if not escalation.answer:
        raise ValidationError(_("Answer the escalation before resolving it."), code="no_answer")
    if escalation.status == EscalationStatus.RESOLVED:
        raise ValidationError(_("This escalation is already resolved."), code="resolved")
    escalation.status = EscalationStatus.RESOLVED
    if escalation.assigned_to_id is None:
        escalation.assigned_to = by
    escalation.save(update_fields=["status", "assigned_to", "updated_at"])
    return escalation


@transaction.atomic
def escalation_reopen(*, escalation: Escalation) -> Escalation:
    if escalation.status != EscalationStatus.RESOLVED:
        raise ValidationError(_("Only a resolved escalation can be reopened."), code="not_resolved")
    escalation.status = EscalationStatus.IN_PROGRESS
    escalation.save(update_fields=["status", "updated_at"])
    return escalation


@transaction.atomic
def report_accept(*, report: MissionReport, rating: str, by: User, comment: str = "") -> MissionReport:
    report.check_reviewable()
    if rating not in Rating.values:
        raise ValidationError(_("Rate the completion of the task to accept the report."), code="rating_required")
    report.status = ReportStatus.ACCEPTED
    report.rating = rating
    report.review_comment = comment.strip()
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    # A retry of the phone's earlier submission must not submit the old text again over the review.
    report.client_key = None
    report.save(
        update_fields=["status", "rating", "review_comment", "reviewed_by", "reviewed_at", "client_key", "updated_at"]
    )
    return report


@transaction.atomic
def report_return(*, report: MissionReport, comment: str, by: User) -> MissionReport:
    """Send the report back to the cadre for revision; the comment says what to change."""
    report.check_reviewable()
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Say what the cadre should revise."), code="comment_required")
    report.status = ReportStatus.RETURNED
    report.rating = ""
    report.review_comment = comment
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    # A retry of the phone's earlier submission must not submit the old text again over the review.
    report.client_key = None
    report.save(
        update_fields=["status", "rating", "review_comment", "reviewed_by", "reviewed_at", "client_key", "updated_at"]
    )
    return report


@transaction.atomic
def recommendation_update(
    *, recommendation: Recommendation, status: str, owner: User | None, response: str
) -> Recommendation:
    if status not in RecommendationStatus.values:
        raise ValidationError(_("Unknown status."), code="invalid_status")
    recommendation.status = status
    recommendation.owner = owner
    recommendation.response = response.strip()
    recommendation.save(update_fields=["status", "owner", "response", "updated_at"])
    return recommendation
