from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from shared.views import healthz

admin.site.site_header = _("Đồng hành – administration")
admin.site.site_title = _("Đồng hành")
admin.site.index_title = _("Reference data, accounts and corrections")
admin.site.login_form = AdminLoginForm
# The model list beside every page took 300 px of a 1366 px screen and cut the lists' last columns;
# the index page and the breadcrumbs lead to every model.
admin.site.enable_nav_sidebar = False

# A database outage raised outside a view still answers the 503 page.
handler500 = "shared.middleware.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("cadres.urls")),
    path("", include("reports.urls")),
    path("", include("phone.urls")),
    path("", include("notices.urls")),
]

if settings.BENCHMARK:
    # The framework's ceiling for bench/run.py; never served otherwise.
    from shared import bench_views

    urlpatterns.append(path("bench/bare/", bench_views.bare, name="bench_bare"))
