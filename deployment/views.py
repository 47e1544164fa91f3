from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cadres.roles import is_cadre, is_staff_member
from deployment.forms import PasswordChangeForm


@login_required
def home(request):
    """Send each role to its own first page."""
    if is_staff_member(request.user):
        return redirect("cadres:dashboard")
    if is_cadre(request.user):
        return redirect("reports:my_mission")
    return render(request, "no_role.html", status=403)


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not (JSON either way)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with a wrong old password counted as a failed login (deployment.forms.PasswordChangeForm)."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
