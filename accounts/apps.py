from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who a signed-in person is: roles, the sign-in backend, personal preferences, the account pages."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Connects the login signal that restores a user's chosen language.
        import accounts.language  # noqa: F401
