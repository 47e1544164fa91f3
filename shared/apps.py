from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SharedConfig(AppConfig):
    """Tools every app uses and none owns: caches, edit conflicts, history, Vietnamese text, dates, spreadsheets."""

    name = "shared"
    verbose_name = _("Shared tools")

    def ready(self):
        from shared.vietnamese import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="vietnamese_sqlite_functions")
