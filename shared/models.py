from django.db import models


class DataVersion(models.Model):
    """How many times one topic of data has changed: part of the key of everything cached from it."""

    topic = models.CharField(max_length=20, primary_key=True)
    number = models.PositiveBigIntegerField(default=1)

    def __str__(self):
        return f"{self.topic} {self.number}"
