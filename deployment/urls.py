from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from deployment import language, views
from deployment.forms import AdminLoginForm, LoginForm
from reports.views import offline

admin.site.site_header = _("Đồng hành – administration")
admin.site.site_title = _("Đồng hành")
admin.site.index_title = _("Reference data, accounts and corrections")
admin.site.login_form = AdminLoginForm

# A database outage raised outside a view still answers the 503 page.
handler500 = "deployment.middleware.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # At the root so that the service worker may control every page of the site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("cadres.urls")),
    path("", include("localities.urls")),
    path("", include("reports.urls")),
]

if settings.BENCHMARK:
    # The framework's ceiling for bench/run.py; never served otherwise.
    from deployment import bench_views

    urlpatterns.append(path("bench/bare/", bench_views.bare, name="bench_bare"))
