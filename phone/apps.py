from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    """The cadre's app on the phone: the home page, the outbox page, the service worker and the manifest."""

    name = "phone"
    verbose_name = _("The cadre's phone")
