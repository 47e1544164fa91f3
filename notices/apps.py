from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """What the app sends to people: the email reminders (send_reminders) and their mail-server check."""

    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from django.core import checks

        from notices.checks import check_mail_server

        checks.register(check_mail_server, "email", deploy=True)
