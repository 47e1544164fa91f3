from django.urls import path

from cadres.views import dashboard

app_name = "cadres"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
