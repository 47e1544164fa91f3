"""The cadre's end-of-mission report: prefilled from the notes, saved as a draft, submitted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cadres.roles import cadre_required, is_cadre
from deployment.concurrency import CONFLICT_CODES, conflict_status
from deployment.history import HistorySource, history_entries
from reports.access import get_assignment_for_user, get_report_for_user
from reports.forms.report import MissionReportForm, RecommendationFormSet
from reports.models import MissionReport, Recommendation
from reports.prefill import difficulties_text, mission_summary, results_text
from reports.services import (
    EDITABLE_REPORT_STATUSES,
    REPORT_FIELDS,
    report_is_open,
    report_opens_on,
    report_save_draft,
    report_submit,
)


def _save(form, assignment, fields: dict, items: list, *, submitting: bool) -> MissionReport:
    """Save or submit the report; a ValidationError says why not (a conflict among them)."""
    service = report_submit if submitting else report_save_draft
    try:
        with transaction.atomic():
            # Another device of the cadre may have saved the report since this form was opened.
            stored = form.lock_and_check(MissionReport.objects, assignment=assignment)
            return service(assignment=assignment, stored=stored, fields=fields, recommendations=items)
    except IntegrityError:
        # The first draft, saved at the same moment from another device: a conflict like any other.
        form.lock_and_check(MissionReport.objects, assignment=assignment)
        raise


@cadre_required
def report_edit(request, pk):
    assignment = get_assignment_for_user(request, pk)
    today = timezone.localdate()
    if not report_is_open(assignment, today):
        messages.warning(
            request,
            _("The end-of-mission report opens on %(day)s.")
            % {"day": date_format(report_opens_on(assignment), "SHORT_DATE_FORMAT")},
        )
        return redirect("reports:my_mission")
    report = MissionReport.objects.filter(assignment=assignment).first()
    if report is not None and report.status not in EDITABLE_REPORT_STATUSES:
        return redirect("reports:report_detail", report.pk)
    summary = mission_summary(assignment, today)
    if report is None:
        # The first time, the sections start from what the daily notes already say.
        report = MissionReport(
            assignment=assignment, results=results_text(summary), difficulties=difficulties_text(summary)
        )

    if request.method == "POST":
        form = MissionReportForm(request.POST, instance=report)
        formset = RecommendationFormSet(request.POST, instance=report, prefix="recommendations")
        submitting = "submit" in request.POST
        recommendations_error = ""
        if form.is_valid() and formset.is_valid():
            items = formset.items()
            fields = {field: form.cleaned_data[field] for field in REPORT_FIELDS}
            try:
                saved = _save(form, assignment, fields, items, submitting=submitting)
            except ValidationError as error:
                if error.code in CONFLICT_CODES:
                    form.add_error(None, error)
                elif error.code == "no_recommendation":
                    recommendations_error = error.messages[0]
                else:
                    form.add_error(None, error)
            else:
                if submitting:
                    messages.success(request, _("Your report has been submitted to the standing committee."))
                    return redirect("reports:report_detail", saved.pk)
                messages.success(request, _("The draft has been saved."))
                return redirect("reports:report_edit", assignment.pk)
    else:
        form = MissionReportForm(instance=report)
        formset = RecommendationFormSet(instance=report, prefix="recommendations")
        recommendations_error = ""
    return render(
        request,
        "reports/report_form.html",
        {
            "assignment": assignment,
            "report": report,
            "form": form,
            "formset": formset,
            "summary": summary,
            "recommendations_error": recommendations_error,
        },
        status=conflict_status(form),
    )


@login_required
def report_detail(request, pk):
    report = get_report_for_user(request, pk)
    own = (
        is_cadre(request.user)
        and hasattr(request.user, "cadre")
        and report.assignment.cadre_id == request.user.cadre.pk
    )
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "assignment": report.assignment,
            "recommendations": report.recommendations.all(),
            "summary": mission_summary(report.assignment),
            "editable": own and report.status in EDITABLE_REPORT_STATUSES,
            # A cadre reads the text of their recommendations, not how the province tracks them.
            "history_entries": report_history(report, tracking=not own),
        },
    )


def report_history(report: MissionReport, *, tracking: bool) -> list:
    """The report's changes and its recommendations'; with `tracking`, the province's status, owner and response."""
    return history_entries(
        report.history.all(),
        HistorySource(
            Recommendation.history.filter(report_id=report.pk),
            subject=_recommendation_subject,
            fields=None if tracking else ["text", "addressed_to"],
        ),
    )


def _recommendation_subject(record) -> str:
    return _("recommendation “%(text)s”") % {"text": Truncator(record.text).chars(60)}
