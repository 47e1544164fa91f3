from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentConfig(AppConfig):
    name = "deployment"
    verbose_name = _("Caching")

    def ready(self):
        from deployment.caching import connect_signals

        # Every app is loaded by now: the watched models can be looked up.
        connect_signals()
