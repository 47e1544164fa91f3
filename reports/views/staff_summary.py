"""The year-end summary (reports/summary.py) as a page, printable, and as a workbook."""

from django import forms
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import scope_of, staff_required
from reports.exports import year_summary_workbook_response
from reports.models import Rating, RecommendationStatus
from reports.summary import Period, Summary, year_summary
from shared.caching import RECORDS, REPORTS, cached
from shared.fields import EARLIEST_DAY, LATEST_DAY, DayField


class PeriodForm(forms.Form):
    """The period of the summary: the current calendar year unless typed; one day typed, the rest of its year."""

    date_from = DayField(label=gettext_lazy("From"), required=False)
    date_to = DayField(label=gettext_lazy("To"), required=False)

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                self.add_error(
                    name,
                    _("Choose a day between %(first)s and %(last)s.")
                    % {
                        "first": date_format(EARLIEST_DAY, "SHORT_DATE_FORMAT"),
                        "last": date_format(LATEST_DAY, "SHORT_DATE_FORMAT"),
                    },
                )
        if self.errors:
            return data
        starts_on, ends_on = data.get("date_from"), data.get("date_to")
        year = Period.year_of(starts_on or ends_on or timezone.localdate())
        starts_on, ends_on = starts_on or year.starts_on, ends_on or year.ends_on
        if ends_on < starts_on:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
            return data
        data["period"] = Period(starts_on, ends_on)
        return data


def _period(request) -> tuple[PeriodForm, Period | None]:
    form = PeriodForm(request.GET)
    return form, form.cleaned_data["period"] if form.is_valid() else None


def _summary(request, period: Period) -> Summary:
    """The figures of the user's scope (its key names it), kept until a record or a report changes."""
    parts = ("year-summary", scope_of(request.user).key, period.starts_on, period.ends_on, get_language())
    return cached(*parts, compute=lambda: year_summary(request.user, period), topics=(RECORDS, REPORTS))


@transaction.non_atomic_requests  # It only reads.
@staff_required
@require_GET
def year_summary_page(request):
    form, period = _period(request)
    summary = _summary(request, period) if period else None
    context = {
        "form": form,
        "summary": summary,
        "ratings": Rating.labels,
        "statuses": RecommendationStatus.labels,
        # The columns of the two tables, the figures' and the name's.
        "place_columns": 8 + 2 * len(Rating) + len(RecommendationStatus),
        "unit_columns": 5 + len(Rating),
    }
    return render(request, "reports/year_summary.html", context)


@transaction.non_atomic_requests
@staff_required
@require_GET
def year_summary_export(request):
    """The page's two tables as two sheets; a period the page would refuse goes back to the page, which says why."""
    form, period = _period(request)
    if period is None:
        return redirect(f"{reverse('reports:year_summary')}?{request.GET.urlencode()}")
    return year_summary_workbook_response(_summary(request, period))
