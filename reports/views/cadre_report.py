"""The cadre's end-of-mission report: prefilled from the notes, saved as a draft, submitted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.utils import ErrorDict, ErrorList
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import cadre_required
from cadres.access import get_assignment_for_user, is_own_assignment
from reports.access import can_review_report, can_revise_report, get_report_for_user
from reports.forms.report import MissionReportForm, RecommendationFormSet
from reports.models import MissionReport, check_report_window, local_assessment_of
from reports.outbox import first_error, outbox_write, refusal, saved, wants_json
from reports.prefill import difficulties_text, mission_summary, results_text
from reports.services import REPORT_FIELDS, report_save_draft, report_submit
from shared.concurrency import conflict_status


def _save(form, assignment, fields: dict, items: list, *, submitting: bool) -> MissionReport:
    """Save or submit the report; a ValidationError says why not (a conflict among them)."""
    service = report_submit if submitting else report_save_draft
    key = form.cleaned_data.get("client_key")
    try:
        with transaction.atomic():
            stored = MissionReport.objects.select_for_update().filter(assignment=assignment).first()
            # The phone's later save of the same editing continues it; any other save since makes a conflict.
            if stored is None or key is None or stored.client_key != key:
                stored = form.lock_and_check(MissionReport.objects, assignment=assignment)
            return service(assignment=assignment, stored=stored, fields=fields, recommendations=items, client_key=key)
    except IntegrityError:
        # The first draft, saved at the same moment from another device: a conflict like any other.
        form.lock_and_check(MissionReport.objects, assignment=assignment)
        raise


def _saved(request, report: MissionReport, *, submitted: bool):
    if submitted:
        message = _("Your report has been submitted to the standing committee.")
        return saved(request, reverse("reports:report_detail", args=[report.pk]), message=message)
    return saved(
        request, reverse("reports:report_edit", args=[report.assignment_id]), message=_("The draft has been saved.")
    )


def _closed(request, assignment, message: str, *, report: MissionReport | None = None):
    """The report cannot be written now: a refusal the phone keeps, or a message on the page it opens."""
    if wants_json(request) and request.method == "POST":
        return JsonResponse(
            {"ok": False, "errors": {"__all__": [{"message": message, "code": "closed"}]}, "message": message},
            status=400,
        )
    messages.warning(request, message)
    if report is not None:
        return redirect("reports:report_detail", report.pk)
    return redirect("phone:my_mission")


def _handed_in(request, assignment, report: MissionReport, refusal: ValidationError):
    """A report handed in: a retry of its submission is answered with it, another save refused, a visit shown it."""
    posted_key = request.POST.get("client_key") if request.method == "POST" else None
    if posted_key and str(report.client_key) == posted_key:
        return _saved(request, report, submitted=True)
    if request.method == "POST":
        return _closed(request, assignment, refusal.messages[0], report=report)
    return redirect("reports:report_detail", report.pk)


# What the report's form shows of its assignment.
REPORT_ASSIGNMENT = ("cadre__unit", "locality__parent", "campaign")


@cadre_required
@outbox_write
def report_edit(request, pk):
    assignment = get_assignment_for_user(request, pk, related=REPORT_ASSIGNMENT)
    today = timezone.localdate()
    try:
        check_report_window(assignment, today)
    except ValidationError as error:
        return _closed(request, assignment, error.messages[0])
    report = MissionReport.objects.filter(assignment=assignment).first()
    try:
        if report is not None:
            report.check_editable()
    except ValidationError as error:
        return _handed_in(request, assignment, report, error)
    summary = mission_summary(assignment, today)
    if report is None:
        # The first time, the sections start from what the daily notes already say.
        report = MissionReport(
            assignment=assignment, results=results_text(summary), difficulties=difficulties_text(summary)
        )

    recommendations_error = ""
    if request.method == "POST":
        form = MissionReportForm(request.POST, instance=report)
        formset = RecommendationFormSet(request.POST, instance=report, prefix="recommendations")
        submitting = "submit" in request.POST
        if form.is_valid() and formset.is_valid():
            items = formset.items()
            fields = {field: form.cleaned_data[field] for field in REPORT_FIELDS}
            try:
                saved_report = _save(form, assignment, fields, items, submitting=submitting)
            except ValidationError as error:
                if error.code == "no_recommendation":
                    recommendations_error = error.messages[0]
                else:
                    form.add_error(None, error)
            else:
                return _saved(request, saved_report, submitted=submitting)
        if wants_json(request):
            errors = ErrorDict(form.errors)
            for index, row in enumerate(formset.errors):
                errors.update({f"recommendations-{index}-{name}": value for name, value in row.items()})
            if recommendations_error:
                errors["recommendations"] = ErrorList(
                    [ValidationError(recommendations_error, code="no_recommendation")]
                )
            message = first_error(errors, recommendations_error or _("The report was not saved."))
            return refusal(errors, message=message, status=409 if form.conflict else 400)
    else:
        form = MissionReportForm(instance=report)
        formset = RecommendationFormSet(instance=report, prefix="recommendations")
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
    # A cadre reads the text of their recommendations, not how the province tracks them.
    tracking = not is_own_assignment(request.user, report.assignment)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "assignment": report.assignment,
            "recommendations": report.recommendations.all(),
            "summary": mission_summary(report.assignment),
            "editable": can_revise_report(request.user, report),
            "can_review": can_review_report(request.user, report),
            "tracking": tracking,
            "local_assessment": local_assessment_of(report.assignment) if tracking else None,
            "history_entries": report.change_history(tracking=tracking),
        },
    )
