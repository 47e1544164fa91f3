"""Workflows that write several rows: assigning, recalling, replacing, extending."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit
from localities.models import Locality


@transaction.atomic
def assignment_create(
    *,
    cadre: Cadre,
    campaign: Campaign,
    locality: Locality,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    decision: Decision | None = None,
    host_organisation: str = "",
    tasks: str | None = None,
) -> Assignment:
    assignment = Assignment(
        cadre=cadre,
        campaign=campaign,
        decision=decision,
        locality=locality,
        host_organisation=host_organisation,
        starts_on=starts_on,
        ends_on=ends_on or campaign.default_end(starts_on),
    )
    if tasks is not None:
        assignment.tasks = tasks
    assignment.save_checked()
    return assignment


@transaction.atomic
def assignment_recall(*, assignment: Assignment, on: datetime.date, reason: str = "") -> Assignment:
    """End the mission early: `on` is the last day the cadre serves."""
    if assignment.recalled_on:
        raise ValidationError(_("This assignment has already been recalled."))
    if not assignment.is_active_on(on):
        raise ValidationError(_("The recall date must fall within the assignment."))
    assignment.recalled_on = on
    assignment.ends_on = on
    assignment.recall_reason = reason
    assignment.save(update_fields=["recalled_on", "ends_on", "recall_reason", "updated_at"])
    return assignment


@transaction.atomic
def assignment_replace(
    *, assignment: Assignment, replacement: Cadre, on: datetime.date, reason: str = ""
) -> Assignment:
    """Recall the cadre after `on` and send `replacement` to the same place from the next day.

    The replacement serves until the original end date; both rows stay in the history.
    """
    original_end = assignment.ends_on
    if on >= original_end:
        raise ValidationError(_("A replacement needs at least one day left in the assignment."))
    assignment_recall(assignment=assignment, on=on, reason=reason)
    successor = assignment_create(
        cadre=replacement,
        campaign=assignment.campaign,
        decision=assignment.decision,
        locality=assignment.locality,
        host_organisation=assignment.host_organisation,
        starts_on=on + datetime.timedelta(days=1),
        ends_on=original_end,
        tasks=assignment.tasks,
    )
    assignment.replaced_by = successor
    assignment.save(update_fields=["replaced_by", "updated_at"])
    return successor


@transaction.atomic
def assignment_extend(*, assignment: Assignment, to: datetime.date) -> Assignment:
    if assignment.recalled_on:
        raise ValidationError(_("A recalled assignment cannot be extended."))
    if to <= assignment.ends_on:
        raise ValidationError(_("The new end date must be after the current one."))
    assignment.ends_on = to
    assignment.save_checked(update_fields=["ends_on", "updated_at"])
    return assignment


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    locality: Locality,
    host_organisation: str,
    tasks: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    arrived_on: datetime.date | None = None,
    left_on: datetime.date | None = None,
) -> Assignment:
    """Change where, with whom and when, and correct a confirmed arrival or departure; the model's rules
    (overlap, a recall's end, the presence's dates) apply to the new values."""
    assignment.check_edit_of_issued_line(ends_on=ends_on, host_organisation=host_organisation)
    assignment.locality = locality
    assignment.host_organisation = host_organisation
    assignment.tasks = tasks
    assignment.starts_on = starts_on
    assignment.ends_on = ends_on
    assignment.arrived_on = arrived_on
    assignment.left_on = left_on
    assignment.save_checked()
    return assignment


@dataclass(frozen=True)
class DecisionRow:
    """One line of a decision's attached list: who goes where, from when."""

    cadre: Cadre
    locality: Locality
    starts_on: datetime.date
    host_organisation: str = ""
    # Staff chose to keep the full assignment length past the campaign's last day.
    past_campaign_end: bool = False


class DecisionRowError(ValidationError):
    """A row of the decision was refused; `row` is its index in the rows given."""

    def __init__(self, message, *, row: int):
        super().__init__(message)
        self.row = row


@transaction.atomic
def decision_create(
    *,
    campaign: Campaign,
    issuing_unit: ProvincialUnit,
    number: int,
    signed_on: datetime.date,
    rows: list[DecisionRow],
    signer_position: str,
    signer_name: str,
    summary: str = "",
    legal_bases: str = "",
    signing_authority: str = "",
    recipients: str = "",
    created_by: User | None = None,
) -> Decision:
    """Issue a numbered decision and assign every cadre of its list, or nothing at all.

    Each row ends `campaign.assignment_days` after it starts, cut at the campaign's
    last day unless the row keeps its full length past it. A row refused
    (its cadre assigned elsewhere, even by a concurrent request) raises
    DecisionRowError; a number taken, even meanwhile, raises a ValidationError on `number`.
    """
    if not rows:
        raise ValidationError(_("A decision assigns at least one cadre."))
    decision = Decision(
        campaign=campaign,
        issuing_unit=issuing_unit,
        number=number,
        year=signed_on.year,
        signed_on=signed_on,
        legal_bases=legal_bases,
        signing_authority=signing_authority,
        signer_position=signer_position,
        signer_name=signer_name,
        recipients=recipients,
        created_by=created_by,
    )
    if summary:
        decision.summary = summary
    decision.save_checked()
    for index, row in enumerate(rows):
        try:
            assignment_create(
                cadre=row.cadre,
                campaign=campaign,
                decision=decision,
                locality=row.locality,
                host_organisation=row.host_organisation,
                starts_on=row.starts_on,
                ends_on=campaign.assignment_end(row.starts_on, past_campaign_end=row.past_campaign_end),
            )
        except ValidationError as error:
            # Flattened, keeping each error's params (the link to a conflicting decision).
            errors = sum(error.error_dict.values(), []) if hasattr(error, "error_dict") else error.error_list
            raise DecisionRowError(errors, row=index) from None
    return decision
