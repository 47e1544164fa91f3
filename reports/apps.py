from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Notes, escalations and reports")

    def ready(self):
        from shared import caching

        # Saves and deletes move a version at commit (shared/caching.py). Daily notes have their own:
        # thousands a day nationally, they must not empty the caches of escalations and reports. A note
        # moves its campaign's and its cadre's shares too: one campaign's grid, one cadre's page.
        notes = [self.get_model("DailyNote")]
        caching.watch(notes, caching.NOTES, scopes=self.get_model("DailyNote").cache_shares)
        caching.watch([model for model in self.get_models() if model not in notes], caching.REPORTS)
