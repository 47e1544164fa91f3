from django.conf import settings
from django.db import models


class DataVersion(models.Model):
    """How many times one topic of data, or one share of it, has changed: part of the key of everything
    cached from it (shared/caching.py)."""

    topic = models.CharField(max_length=64, primary_key=True)
    number = models.PositiveBigIntegerField(default=1)

    def __str__(self):
        return f"{self.topic} {self.number}"


def done_by(verbose_name) -> models.ForeignKey:
    """Who did something to a row (confirmed, reviewed, proposed, decided...): kept if their account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
