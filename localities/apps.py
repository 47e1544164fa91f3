from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class LocalitiesConfig(AppConfig):
    name = "localities"
    verbose_name = _("Localities and zone status")

    def ready(self):
        from deployment.vietnamese import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="vietnamese_sqlite_functions")
