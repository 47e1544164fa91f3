from django.urls import path

from reports.views import (
    mission,
    staff_compliance,
    staff_escalations,
    staff_notes,
    staff_recommendations,
    staff_reports,
)

app_name = "reports"

urlpatterns = [
    path("me/", mission.my_mission, name="my_mission"),
    # Staff side: notes, compliance, escalations, reports, recommendations.
    path("notes/", staff_notes.notes_inbox, name="notes_inbox"),
    path("notes/compliance/", staff_compliance.compliance, name="compliance"),
    path("escalations/", staff_escalations.escalation_inbox, name="escalation_inbox"),
    path("escalations/<int:pk>/manage/", staff_escalations.escalation_manage, name="escalation_manage"),
    path("reports/", staff_reports.report_list, name="report_list"),
    path("reports/<int:pk>/review/", staff_reports.report_review, name="report_review"),
    path("reports/<int:pk>/print/", staff_reports.report_print, name="report_print"),
    path("recommendations/", staff_recommendations.recommendation_list, name="recommendation_list"),
    path("recommendations/export.xlsx", staff_recommendations.recommendation_export, name="recommendation_export"),
    path("recommendations/<int:pk>/", staff_recommendations.recommendation_update, name="recommendation_update"),
]
