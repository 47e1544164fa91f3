from django.urls import path

from cadres.views import assignments, cadres, campaigns, dashboard, decisions, localities, roster, units

app_name = "cadres"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("units/", units.unit_list, name="unit_list"),
    path("localities/", localities.locality_list, name="locality_list"),
    path("localities/<int:pk>/", localities.locality_detail, name="locality_detail"),
    path("localities/<int:pk>/grade/", localities.locality_grade, name="locality_grade"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/quotas/", campaigns.campaign_quotas, name="campaign_quotas"),
    path("campaigns/<int:pk>/decisions/new/", decisions.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", decisions.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/print/", decisions.decision_print, name="decision_print"),
    path("search/cadres/", decisions.cadre_search, name="cadre_search"),
    path("search/localities/", decisions.locality_search, name="locality_search"),
    path("assignments/", assignments.assignment_list, name="assignment_list"),
    path("assignments/export.xlsx", assignments.assignment_export, name="assignment_export"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/edit/", assignments.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/extend/", assignments.assignment_extend, name="assignment_extend"),
    path("assignments/<int:pk>/recall/", assignments.assignment_recall, name="assignment_recall"),
    path("assignments/<int:pk>/replace/", assignments.assignment_replace, name="assignment_replace"),
    path("cadres/", cadres.cadre_list, name="cadre_list"),
    path("cadres/export.xlsx", cadres.cadre_export, name="cadre_export"),
    path("cadres/new/", cadres.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/", cadres.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", cadres.cadre_edit, name="cadre_edit"),
    path("cadres/import/", roster.roster_import, name="roster_import"),
    path("cadres/import/template.xlsx", roster.roster_template, name="roster_template"),
    path("cadres/import/<str:token>/", roster.roster_preview, name="roster_preview"),
    path("cadres/import/<str:token>/confirm/", roster.roster_confirm, name="roster_confirm"),
]
