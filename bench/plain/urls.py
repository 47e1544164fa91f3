from django.urls import path

from bench.plain import views

urlpatterns = [path("plain/", views.table, name="plain_table")]
