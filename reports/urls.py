from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("me/", views.my_mission, name="my_mission"),
]
