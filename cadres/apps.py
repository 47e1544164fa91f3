from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("Cadres and assignments")

    def ready(self):
        # Connects the login signal that restores a user's chosen language.
        import deployment.language  # noqa: F401
