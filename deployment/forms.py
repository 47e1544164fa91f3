"""The login forms of the site and of the admin."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


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
