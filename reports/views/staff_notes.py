from django.db import transaction
from django.shortcuts import render

from accounts.roles import scope_of, staff_required
from reports.filters import NoteFilter, paginate
from reports.models import DailyNote
from shared.caching import NOTES, RECORDS, cached_fragment


@transaction.non_atomic_requests  # It only reads: no transaction, two round trips fewer.
@staff_required
def notes_inbox(request):
    body = cached_fragment(
        request,
        "reports/_staff_notes.html",
        lambda: _context(request),
        topics=[RECORDS, NOTES],
        scope=scope_of(request.user).key,
    )
    return render(request, "reports/staff_notes.html", {"body": body})


def _context(request) -> dict:
    notes = (
        DailyNote.objects.visible_to(request.user)
        .select_related("assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign")
        .order_by("-day", "-created_at", "-pk")
    )
    note_filter = NoteFilter(request.GET, queryset=notes, request=request)
    return {"filter": note_filter, "page": paginate(request, note_filter.qs)}
