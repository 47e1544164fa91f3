from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderLog(models.Model):
    """One row per reminder sent, so that a second run on the same day sends nothing twice."""

    kind = models.CharField(_("kind"), max_length=30)
    recipient = models.EmailField(_("recipient"))
    object_key = models.CharField(_("about"), max_length=60, help_text=_("e.g. assignment:12 or escalation:5"))
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]
        # The table keeps the name it had when the model lived in reports (moved by state only).
        db_table = "reports_reminderlog"
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "object_key", "day"], name="reminder_once_per_day"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.day:%d/%m/%Y})"
