from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """What the app tells people: notices in the app, delivered by push and email (send_notices), and their
    configuration checks."""

    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from django.core import checks

        from notices.checks import check_mail_server, check_push

        checks.register(check_mail_server, "email", deploy=True)
        checks.register(check_push, "push", deploy=True)
