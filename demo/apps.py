from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The data loaders: the 2021 Bình Dương demo (seed_demo) and the national-scale data set (generate_scale_data)."""

    name = "demo"
    verbose_name = _("Demo and scale data")
