from django.urls import path

from localities import views

app_name = "localities"

urlpatterns = [
    path("localities/", views.locality_list, name="locality_list"),
    path("localities/<int:pk>/", views.locality_detail, name="locality_detail"),
    path("localities/<int:pk>/grade/", views.locality_grade, name="locality_grade"),
]
