"""Roster import: upload, preview what would change, confirm; and the template to fill in."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import organiser_required
from cadres import roster
from cadres.access import get_roster_upload_for_user
from cadres.accounts import handover_message, remember_handover, send_handover_emails
from cadres.exports import write_roster_template
from cadres.forms.roster import RosterUploadForm
from cadres.models import ProvincialUnit

PAGE_SIZE = 50
SHOWN = [roster.ERROR, roster.NEW, roster.CHANGED, roster.UNCHANGED]


@organiser_required
def roster_import(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["rows"]
        check = roster.check_roster(rows, accounts=form.cleaned_data["accounts"])
        upload = roster.store_upload(
            uploaded_by=request.user, filename=form.cleaned_data["file"].name, rows=rows, check=check
        )
        return redirect("cadres:roster_preview", token=upload.token)
    max_rows = number_format(roster.MAX_ROWS, force_grouping=True)
    return render(request, "cadres/roster_import.html", {"form": form, "max_rows": max_rows})


@organiser_required
@require_GET
def roster_preview(request, token):
    upload = get_roster_upload_for_user(request, token, fields=["token", "filename", "results"])
    results = upload.results
    counts = dict.fromkeys(SHOWN, 0)
    for result in results:
        counts[result["status"]] += 1
    shown = request.GET.get("show")
    if shown in SHOWN:
        results = [result for result in results if result["status"] == shown]
    else:
        # The rows that block the import come first.
        results = sorted(results, key=lambda result: (result["status"] != roster.ERROR, result["row"]))
    # The accounts the import will make, each with its row.
    accounts = sum(1 for result in results if result.get("username"))
    labels = {name: roster.field_label(name) for name in roster.ROW_FIELDS}
    labels["unit_id"] = _("unit or department")
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    for result in page.object_list:
        result["change_labels"] = [str(labels.get(name, name)) for name in result["changes"]]
    return render(
        request,
        "cadres/roster_preview.html",
        {
            "token": upload.token,
            "filename": upload.filename,
            "counts": counts,
            "total": sum(counts.values()),
            "shown": shown if shown in SHOWN else "",
            "page": page,
            "query": f"show={shown}" if shown in SHOWN else "",
            "can_confirm": counts[roster.ERROR] == 0,
            "accounts": accounts,
        },
    )


@organiser_required
@require_POST
def roster_confirm(request, token):
    upload = get_roster_upload_for_user(request, token, for_update=True)
    # Accounts were asked for when the preview names them.
    accounts = any(result.get("username") for result in upload.results)
    try:
        with transaction.atomic():
            check = roster.roster_import(
                rows=upload.rows, form_checked=roster.form_checked(upload), by=request.user, accounts=accounts
            )
    except roster.RosterRefused as refused:
        # The cadres on record changed since the preview: show the new verdict, write nothing.
        roster.keep_check(upload, refused.check)
        upload.save(update_fields=["results", "form_checked"])
        messages.error(request, _("Nothing was imported: some rows have errors. Correct the file and upload it again."))
        return redirect("cadres:roster_preview", token=token)
    except IntegrityError:
        messages.error(request, _("Someone changed the same cadres meanwhile. Nothing was imported; please retry."))
        return redirect("cadres:roster_preview", token=token)
    upload.delete()
    messages.success(
        request,
        _("Roster imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "new": check.count(roster.NEW),
            "changed": check.count(roster.CHANGED),
            "unchanged": check.count(roster.UNCHANGED),
        },
    )
    if check.accounts:
        remember_handover(request, check.accounts)
        sent = send_handover_emails(request, check.accounts)
        created = len(check.accounts)
        messages.success(request, handover_message(created, sent))
        return redirect("cadres:account_handover_new")
    return redirect("cadres:cadre_list")


@organiser_required
@require_GET
def roster_template(request):
    unit = ProvincialUnit.objects.visible_to(request.user).filter(parent__isnull=True).order_by("name").first()
    department = unit.departments.order_by("name").first() if unit else None
    return write_roster_template(
        [
            "Nguyễn Văn An",
            "Chuyên viên",
            unit.name if unit else "Tỉnh đoàn Bình Dương",
            department.name if department else "",
            "0912 345 678",
            "nguyenvanan@example.vn",
            "có",
            "CB-0001",
        ]
    )
