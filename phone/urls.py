from django.urls import path
from django.views.decorators.gzip import gzip_page

from phone import offline, views

app_name = "phone"

# Compressed as the cadre's other pages are (reports/urls.py).
phone = gzip_page

urlpatterns = [
    path("me/", phone(views.my_mission), name="my_mission"),
    path("me/outbox/", phone(views.outbox), name="outbox"),
    path("me/map/", phone(views.area_map), name="area_map"),
    # At the root so that the service worker may control every page of the site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
]
