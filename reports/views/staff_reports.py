from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import organiser_required, staff_required
from cadres.coverage import SubqueryCount
from reports.access import can_review_report, get_report_for_user
from reports.exports import reports_workbook_response
from reports.filters import ReportFilter, paginate
from reports.forms.review import ReportReviewForm
from reports.models import Addressee, MissionReport, Recommendation, ReportStatus, local_assessment_of
from reports.review import report_accept, report_return
from shared.concurrency import conflict_status
from shared.vietnamese import place_and_date


def _get_reviewable_report(request, pk) -> MissionReport:
    report = get_report_for_user(request, pk, for_change=True)
    if not can_review_report(request.user, report):
        raise Http404
    return report


def _report_filter(request) -> ReportFilter:
    reports = (
        # A staff member who is also a cadre sees their own draft, but on their phone, not in this list.
        MissionReport.objects.visible_to(request.user)
        .exclude(status=ReportStatus.DRAFT)
        .select_related("assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign")
        .annotate(
            awaiting_review=Case(
                When(status=ReportStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            # A subquery, not a join: the join grouped all 150,000 reports of the country to sort a page.
            recommendation_count=SubqueryCount(
                Recommendation.objects.filter(report=OuterRef("pk")).order_by().values("pk")
            ),
        )
        .order_by("awaiting_review", "submitted_at", "pk")
    )
    return ReportFilter(request.GET, queryset=reports, request=request)


@staff_required
def report_list(request):
    report_filter = _report_filter(request)
    page = paginate(request, report_filter.qs)
    return render(request, "reports/staff_reports.html", {"filter": report_filter, "page": page})


@transaction.non_atomic_requests
@staff_required
@require_GET
def report_export(request):
    """The reports the list shows (its filters, the user's scope), all of them, with their ratings, as a spreadsheet."""
    return reports_workbook_response(_report_filter(request).qs, request.user)


@organiser_required
@require_http_methods(["GET", "POST"])
def report_review(request, pk):
    report = _get_reviewable_report(request, pk)
    can_review = report.is_reviewable
    form = ReportReviewForm(request.POST if request.method == "POST" else None, versioned=report)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                current = form.lock_and_check(MissionReport.objects, pk=report.pk)
                if data["decision"] == ReportReviewForm.ACCEPT:
                    report_accept(report=current, rating=data["rating"], comment=data["comment"], by=request.user)
                    done = _("The report is accepted and rated.")
                else:
                    report_return(report=current, comment=data["comment"], by=request.user)
                    done = _("The report is returned to the cadre for revision.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("reports:report_list")
    # Reviewed by someone else since the form was opened: the form is shown again with what was typed.
    if request.method == "POST" and not can_review and not form.conflict:
        try:
            report.check_reviewable()
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("reports:report_review", pk=report.pk)
    return render(
        request,
        "reports/staff_report_review.html",
        {
            "report": report,
            "recommendations": report.recommendations.select_related("owner"),
            "form": form,
            "can_review": can_review or form.conflict,
            "local_assessment": local_assessment_of(report.assignment),
            "history_entries": report.change_history(tracking=True),
        },
        status=conflict_status(form),
    )


# Document text, always Vietnamese.
RECOMMENDATIONS_TO = {Addressee.PROVINCE: "Đối với tỉnh", Addressee.LOCAL: "Đối với địa phương, cơ sở"}


@staff_required
def report_print(request, pk):
    report = get_report_for_user(request, pk)
    if report.status == ReportStatus.DRAFT:  # Its cadre's own, even to an office role they also hold.
        raise Http404
    organiser = report.assignment.campaign.organising_unit
    letterhead = organiser.letterhead
    recommendations = list(report.recommendations.all())
    groups = [
        {"title": title, "items": [r for r in recommendations if r.addressed_to == addressee]}
        for addressee, title in RECOMMENDATIONS_TO.items()
    ]
    submitted_on = timezone.localdate(report.submitted_at) if report.submitted_at else None
    decision = report.assignment.decision
    # "Về việc ..." continues the sentence: only its first letter changes case.
    summary = decision.summary if decision else ""
    return render(
        request,
        "reports/report_print.html",
        {
            "report": report,
            "can_review": can_review_report(request.user, report),
            "organiser": organiser,
            "issuer_mark": letterhead.issuer_mark,
            "motto_lines": letterhead.motto_lines,
            "place_and_date": place_and_date(organiser.place, submitted_on) if submitted_on else "",
            "recommendation_groups": [group for group in groups if group["items"]],
            "decision_summary": summary[:1].lower() + summary[1:],
        },
    )
