"""The login forms of the site and of the admin, the password change, and the forgotten password."""

import unicodedata

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.views.decorators.debug import sensitive_variables


class UsernameLengthMixin:
    """Refuse a username longer than the user model allows before it reaches authenticate().

    AuthenticationForm sets the field's max_length after creating it, so no validator
    checks it; django-axes then records the failed attempt with the whole username, and
    PostgreSQL refuses a value longer than its varchar(255): a 500 instead of a form error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The old password is checked by authenticate(), as at login: django-axes refuses it while the user is
    locked out and counts a wrong one as a failed login, so the old password cannot be guessed here instead."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's "forgot password" form, which also reaches an account still waiting for its first password.

    Accounts made on the account pages start with an unusable password until their owner opens the
    one-time link (cadres/accounts.py); Django's form would send them nothing. A deactivated account
    still gets nothing. Whether an address is known is never said: the page after is the same.
    """

    def get_users(self, email):
        User = get_user_model()
        email_field = User.get_email_field_name()
        users = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        # As Django's form: the database's case-insensitive match may join addresses that differ (Unicode case mapping).
        return (user for user in users if _same_address(email, getattr(user, email_field)))


def _same_address(first: str, second: str) -> bool:
    return unicodedata.normalize("NFKC", first).casefold() == unicodedata.normalize("NFKC", second).casefold()
