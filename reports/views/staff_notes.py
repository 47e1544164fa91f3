from django.shortcuts import render

from cadres.roles import staff_required
from reports.filters import NoteFilter, paginate
from reports.models import DailyNote


@staff_required
def notes_inbox(request):
    notes = DailyNote.objects.select_related(
        "assignment__cadre__unit", "assignment__locality__parent", "assignment__campaign"
    ).order_by("-day", "-created_at", "-pk")
    note_filter = NoteFilter(request.GET, queryset=notes)
    page = paginate(request, note_filter.qs)
    return render(request, "reports/staff_notes.html", {"filter": note_filter, "page": page})
