from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.forms import PasswordChangeForm
from accounts.roles import is_cadre, is_staff_member


@login_required
def home(request):
    """Send each role to its own first page."""
    if is_staff_member(request.user):
        return redirect("cadres:dashboard")
    if is_cadre(request.user):
        return redirect("phone:my_mission")
    return render(request, "no_role.html", status=403)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with a wrong old password counted as a failed login (accounts.forms.PasswordChangeForm)."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
