"""Staff pages for cadres: the filterable list and its export, one cadre's history, create and edit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import is_organiser, organiser_required, staff_required
from cadres.access import get_cadre_for_user
from cadres.exports import write_cadres
from cadres.filters import CadreFilter
from cadres.forms.cadres import CadreForm
from cadres.models import Assignment, Cadre, accounts_managed_by, places_as_they_were
from shared.history import history_entries
from shared.pagination import paginate

PAGE_SIZE = 50


def _filtered(request) -> CadreFilter:
    queryset = Cadre.objects.visible_to(request.user).select_related("unit__parent").in_name_order()
    return CadreFilter(request.GET or None, queryset=queryset, request=request)


@staff_required
@require_GET
def cadre_list(request):
    filterset = _filtered(request)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cadres/cadre_list.html", {"filter": filterset, "page": page, "query": query.urlencode()})


@staff_required
@require_GET
def cadre_export(request):
    stamp = timezone.localdate().strftime("%Y%m%d")
    return write_cadres(_filtered(request).qs, f"can-bo-{stamp}.xlsx")


@staff_required
@require_GET
def cadre_detail(request, pk):
    cadre = get_cadre_for_user(request, pk)
    today = timezone.localdate()
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(cadre=cadre)
        .with_status(today)
        .select_related("locality__parent", "campaign", "decision__issuing_unit")
        .order_by("-starts_on")
    )
    return render(
        request,
        "cadres/cadre_detail.html",
        {
            "cadre": cadre,
            "assignments": places_as_they_were(assignments),
            "today": today,
            "history_entries": history_entries(cadre.history.all()),
            # Whether the account's name leads to its page (cadres/views/accounts.py).
            "account_managed": bool(cadre.user_id)
            and is_organiser(request.user)
            and accounts_managed_by(request.user).filter(pk=cadre.user_id).exists(),
        },
    )


@organiser_required
def cadre_create(request):
    form = CadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cadre = form.save()
        messages.success(request, _("%(name)s was added.") % {"name": cadre.full_name})
        return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": None})


@organiser_required
def cadre_edit(request, pk):
    cadre = get_cadre_for_user(request, pk, for_change=True)
    form = CadreForm(request.POST or None, instance=cadre)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("cadres:cadre_detail", pk=cadre.pk)
    return render(
        request, "cadres/cadre_form.html", {"form": form, "cadre": get_cadre_for_user(request, pk, for_change=True)}
    )
