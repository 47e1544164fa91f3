from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.forms import PasswordChangeForm, PasswordResetForm
from accounts.links import link_expiry
from accounts.roles import is_cadre, is_staff_member, scope_of


@login_required
def home(request):
    """Send each role to its own first page."""
    scope = scope_of(request.user)
    if scope.area and not (scope.reads_notes or scope.changes):
        # A district's or ward's official: on a phone, straight to the cadres in the area.
        return redirect("cadres:host_list")
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


class PasswordResetView(auth_views.PasswordResetView):
    """Forgot password: Django's, reaching accounts still waiting for their first password too
    (accounts.forms.PasswordResetForm); the page after is the same whether the address is known or not."""

    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"expires_at": link_expiry()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The one-time link (accounts/links.py): set a password, then be signed in.

    A deactivated account's link does not open. Signing in goes through the project's backend: with
    django-axes there are two, and Django must be told which. django-axes records the sign-in and, as
    at a login, clears the failed attempts, so a person locked out by wrong passwords is let in again.
    """

    post_reset_login = True
    post_reset_login_backend = "accounts.backends.UserBackend"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None
