from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LocalitiesConfig(AppConfig):
    name = "localities"
    verbose_name = _("Localities and zone status")

    def ready(self):
        from shared import caching

        # Every save or delete of a locality or a grading moves the records' version at commit
        # (shared/caching.py): the pages cached from them are read again.
        caching.watch(self.get_models(), caching.RECORDS)
