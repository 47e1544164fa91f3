"""A short cache for figures and choice lists that many requests read and few writes change.

Every key carries the data version, which a save or delete of the models in
WATCHED moves on in this process at once; other gunicorn workers (each with its
own memory cache, unless CACHE_URL names a shared one) see the change when
their entry expires, TIMEOUT seconds at most. Bulk inserts and queryset
updates send no signal: they too show after TIMEOUT.
"""

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

TIMEOUT = 60
VERSION_KEY = "data-version"
# Models whose rows the cached figures and choice lists are made of (app_label.ModelName).
WATCHED = [
    "localities.Locality",
    "localities.ZoneStatus",
    "cadres.ProvincialUnit",
    "cadres.Cadre",
    "cadres.Campaign",
    "cadres.Assignment",
]


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_data_version(**kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # Not set yet, or evicted.
        cache.set(VERSION_KEY, 2, timeout=None)


def cached(*parts, compute, timeout: int = TIMEOUT):
    """compute(), kept `timeout` seconds under a key made of `parts` and the data version."""
    raw = "|".join(str(part) for part in (*parts, data_version()))
    key = "cached:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return cache.get_or_set(key, compute, timeout)


def connect_signals() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(bump_data_version, sender=model, dispatch_uid=f"bump-version-save-{label}")
        post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"bump-version-delete-{label}")
