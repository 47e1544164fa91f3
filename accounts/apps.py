from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who a signed-in person is: roles, the sign-in backend, personal preferences, the account pages."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        # Connects the login signal that restores a user's chosen language.
        import accounts.language  # noqa: F401
        from shared import caching

        # Pages show who recorded and who reviewed: a renamed user moves the records' version.
        # (A preference changes nothing shown.)
        # A group renamed or deleted changes who is office staff or a cadre: the users read from the cache
        # (backends.py) are read again.
        caching.watch([get_user_model(), Group], caching.RECORDS)
