from django.urls import path

from reports.views import mission

app_name = "reports"

urlpatterns = [
    path("me/", mission.my_mission, name="my_mission"),
]
