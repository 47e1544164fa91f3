import functools

from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import scope_of, staff_required
from reports.exports import notes_workbook_response
from reports.filters import NoteFilter, paginate
from reports.models import DailyNote
from shared.caching import NOTES, RECORDS, cached_fragment, cached_rows


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def notes_inbox(request):
    scope = scope_of(request.user).key
    # The filters change with the records only; the list with every note, nationally many a second. The
    # list is then made again, but each note's row is kept (cached_rows): only new rows are read and rendered.
    filters = cached_fragment(
        request,
        "reports/_staff_notes_filters.html",
        lambda: {"filter": _filter(request)},
        topics=[RECORDS],
        scope=scope,
    )
    body = cached_fragment(
        request, "reports/_staff_notes.html", lambda: _list_context(request), topics=[RECORDS, NOTES], scope=scope
    )
    return render(request, "reports/staff_notes.html", {"filters": filters, "body": body})


def _filter(request) -> NoteFilter:
    notes = (
        DailyNote.objects.visible_to(request.user)
        .select_related("assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign")
        .order_by("-day", "-created_at", "-pk")
    )
    return NoteFilter(request.GET, queryset=notes, request=request)


def _list_context(request) -> dict:
    notes = _filter(request).qs
    # Each row is kept by the note's last change and the records' version (its cadre, unit, locality).
    rows = functools.partial(
        cached_rows,
        "reports/_staff_note_row.html",
        load=lambda pks: notes.filter(pk__in=pks),
        name="note",
        topics=[RECORDS],
    )
    return {"page": paginate(request, notes, rows=rows, row_keys=("pk", "updated_at"))}


@transaction.non_atomic_requests
@staff_required
@require_GET
def notes_export(request):
    """The notes the list shows (its filters, the user's scope), all of them, as a spreadsheet."""
    return notes_workbook_response(_filter(request).qs)
