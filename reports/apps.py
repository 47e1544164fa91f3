from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Notes, escalations and reports")

    def ready(self):
        from django.core import checks

        from reports.checks import check_mail_server

        checks.register(check_mail_server, "email", deploy=True)
