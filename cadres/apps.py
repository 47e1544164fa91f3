from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("Cadres and assignments")

    def ready(self):
        from shared import caching

        # Every save or delete of these moves the records' version at commit (shared/caching.py).
        # A roster preview changes nothing shown until it is confirmed, which moves the version itself.
        shown = [model for model in self.get_models() if model.__name__ != "RosterUpload"]
        caching.watch(shown, caching.RECORDS)
