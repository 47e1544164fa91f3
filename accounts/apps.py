from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who a signed-in person is: roles, the sign-in backend, personal preferences, the account pages."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model

        # Connects the login signal that restores a user's chosen language.
        import accounts.language  # noqa: F401
        from shared import caching

        # Pages show who recorded and who reviewed: a renamed user moves the records' version.
        # (A preference changes nothing shown.)
        caching.watch([get_user_model()], caching.RECORDS)
