from django.urls import path
from django.views.decorators.gzip import gzip_page

from reports.views import (
    cadre_escalations,
    cadre_notes,
    cadre_report,
    host,
    staff_compliance,
    staff_escalations,
    staff_notes,
    staff_recommendations,
    staff_reports,
    staff_summary,
)

app_name = "reports"

# The cadre's pages travel compressed: a phone on 400 kbit/s waits for every kilobyte. (Django's gzip
# adds random padding against BREACH; staff pages on the office network are left as they are.)
phone = gzip_page

urlpatterns = [
    # Cadre side: daily notes, escalations, the end-of-mission report (detail pages open to staff too).
    path("me/notes/new/", phone(cadre_notes.note_create), name="note_create"),
    path("me/notes/<int:pk>/", phone(cadre_notes.note_detail), name="note_detail"),
    path("me/notes/<int:pk>/edit/", phone(cadre_notes.note_edit), name="note_edit"),
    path("me/notes/<int:pk>/photo/", cadre_notes.note_photo, name="note_photo"),
    path("me/escalations/new/", phone(cadre_escalations.escalation_create), name="escalation_create"),
    path("me/escalations/<int:pk>/", phone(cadre_escalations.escalation_detail), name="escalation_detail"),
    path("me/assignments/<int:pk>/report/", phone(cadre_report.report_edit), name="report_edit"),
    path("me/reports/<int:pk>/", phone(cadre_report.report_detail), name="report_detail"),
    # Staff side: notes, compliance, escalations, reports, recommendations.
    path("notes/", staff_notes.notes_inbox, name="notes_inbox"),
    path("notes/export.xlsx", staff_notes.notes_export, name="notes_export"),
    path("notes/compliance/", staff_compliance.compliance, name="compliance"),
    path("escalations/", staff_escalations.escalation_inbox, name="escalation_inbox"),
    path("escalations/export.xlsx", staff_escalations.escalation_export, name="escalation_export"),
    path("escalations/<int:pk>/manage/", staff_escalations.escalation_manage, name="escalation_manage"),
    # The host locality's part.
    path("escalations/<int:pk>/locality/", host.escalation_local, name="escalation_local"),
    path("host/assignments/<int:pk>/assessment/", host.assessment_edit, name="assessment_edit"),
    path("reports/", staff_reports.report_list, name="report_list"),
    path("reports/export.xlsx", staff_reports.report_export, name="report_export"),
    path("reports/<int:pk>/review/", staff_reports.report_review, name="report_review"),
    path("reports/<int:pk>/print/", staff_reports.report_print, name="report_print"),
    path("recommendations/", staff_recommendations.recommendation_list, name="recommendation_list"),
    path("recommendations/export.xlsx", staff_recommendations.recommendation_export, name="recommendation_export"),
    path("recommendations/<int:pk>/", staff_recommendations.recommendation_update, name="recommendation_update"),
    path("summary/", staff_summary.year_summary_page, name="year_summary"),
    path("summary/export.xlsx", staff_summary.year_summary_export, name="year_summary_export"),
]
