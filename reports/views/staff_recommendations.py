from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import organiser_required, staff_required
from reports.access import get_tracked_recommendation_for_user
from reports.exports import recommendations_workbook_response
from reports.filters import RecommendationFilter, paginate
from reports.forms.review import RecommendationForm, owner_choices
from reports.models import Recommendation
from reports.review import recommendation_update as update_recommendation
from shared.concurrency import conflict_status


def tracked_recommendations(user):
    """The recommendations `user` sees of reports that reached the province: submitted or accepted."""
    return (
        Recommendation.objects.visible_to(user)
        .tracked()
        .select_related(
            "report__assignment__cadre__unit",
            "report__assignment__locality__parent",
            "report__assignment__campaign",
            "owner",
        )
        .order_by("-report__submitted_at", "report_id", "pk")
    )


@staff_required
def recommendation_list(request):
    recommendation_filter = RecommendationFilter(
        request.GET, queryset=tracked_recommendations(request.user), request=request
    )
    page = paginate(request, recommendation_filter.qs)
    choices = owner_choices(request.user)
    forms = [
        (
            recommendation,
            RecommendationForm(instance=recommendation, owner_choices=choices, prefix=f"r{recommendation.pk}"),
        )
        for recommendation in page.object_list
    ]
    return render(
        request,
        "reports/staff_recommendations.html",
        {"filter": recommendation_filter, "page": page, "forms": forms, "next": request.get_full_path()},
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def recommendation_update(request, pk):
    recommendation = get_tracked_recommendation_for_user(request, pk, for_change=True)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would take a bare word for a URL name and fail with a 500.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""
    form = RecommendationForm(
        request.POST if request.method == "POST" else None, instance=recommendation, prefix=f"r{recommendation.pk}"
    )
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                # A colleague may have updated it since this form was opened (on the list or here).
                current = form.lock_and_check(Recommendation.objects, pk=recommendation.pk)
                update_recommendation(
                    recommendation=current,
                    status=form.cleaned_data["status"],
                    owner=form.cleaned_data["owner"],
                    response=form.cleaned_data["response"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The recommendation is updated."))
            return redirect(next_url or "reports:recommendation_list")
    return render(
        request,
        "reports/staff_recommendation_edit.html",
        {"recommendation": recommendation, "form": form, "next": next_url},
        status=conflict_status(form),
    )


@staff_required
def recommendation_export(request):
    recommendation_filter = RecommendationFilter(
        request.GET, queryset=tracked_recommendations(request.user), request=request
    )
    return recommendations_workbook_response(recommendation_filter.qs)
