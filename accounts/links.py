"""The one-time link with which a person sets their password: Django's password reset token, in our URLs.

The same link serves a new account, a password reset by the office and a forgotten password asked for
by email. It opens once (the token is made of the password, which it changes, and the last login) and
until settings.PASSWORD_RESET_TIMEOUT has passed; a deactivated account's link does not open
(accounts.views.PasswordResetConfirmView).
"""

import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_path(user) -> str:
    """A new one-time link for `user`, as a path; the links given before stay good until used or expired."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def set_password_link(request, user) -> str:
    """The link written out in full, at the address the request came to (as Django's password reset email)."""
    return request.build_absolute_uri(set_password_path(user))


def link_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    """When a link made now stops opening."""
    return (now or timezone.now()) + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
