"""Caches that stay right across gunicorn workers: every key carries the version of the data it shows.

A DataVersion row counts the changes of one topic of data. A save or delete of
a watched model moves its topic on when the transaction commits, so an entry
cached before the change is never read again, by this worker or any other,
whether each worker keeps its own memory cache or all share one (CACHE_URL).
A request reads the versions once, in one query.

Writes that send no signal (bulk_create, bulk_update, queryset.update, COPY)
call bump_after_commit() themselves (roster import, the scale data).
"""

import hashlib
import threading
from collections.abc import Iterable

from django.core.cache import cache
from django.core.signals import request_started
from django.db import transaction
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

RECORDS = "records"  # Localities, gradings, units, cadres, campaigns, decisions, assignments, user names.
NOTES = "notes"  # Daily notes: thousands a day nationally, so kept apart.
REPORTS = "reports"  # Escalations, end-of-mission reports, recommendations.
TOPICS = (RECORDS, NOTES, REPORTS)

TIMEOUT = 60  # The dashboard figures, which also count notes: a minute old at most.
# Exact by their versions: the timeout frees memory and bounds what a failed version update leaves stale.
FRAGMENT_TIMEOUT = 300

on_commit = transaction.on_commit  # tests/conftest.py runs it at once: test transactions never commit.
_local = threading.local()


def versions() -> dict[str, int]:
    """Every topic's version, read once per request."""
    numbers = getattr(_local, "versions", None)
    if numbers is None:
        from shared.models import DataVersion

        numbers = _local.versions = dict(DataVersion.objects.values_list("topic", "number"))
    return numbers


def forget_versions(**kwargs) -> None:
    _local.versions = None


def bump(topic: str) -> None:
    """Move `topic` on now: every entry cached from it is outdated."""
    from shared.models import DataVersion

    if not DataVersion.objects.filter(topic=topic).update(number=F("number") + 1):
        DataVersion.objects.get_or_create(topic=topic, defaults={"number": 2})
    forget_versions()


class _Bump:
    """Bumps a topic once after a commit, however many rows of the transaction asked for it."""

    def __init__(self, topic: str):
        self.topic = topic
        self.done = False

    def __call__(self):
        if not self.done:
            bump(self.topic)  # If it fails (logged), the next write of the topic tries again.
            self.done = True


def bump_after_commit(topic: str) -> None:
    # A transaction that rolls back drops its callbacks: its _Bump, not done, serves the next one.
    pending = _local.__dict__.setdefault("pending", {})
    if topic not in pending or pending[topic].done:
        pending[topic] = _Bump(topic)
    on_commit(pending[topic], robust=True)


def _key(prefix: str, parts, topics) -> str:
    numbers = versions()
    raw = "|".join(str(part) for part in (*parts, *(numbers.get(topic, 0) for topic in topics)))
    return f"{prefix}:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def cached(*parts, compute, topics=(RECORDS,), timeout: int = TIMEOUT):
    """compute(), kept under a key made of `parts` and the versions of `topics`."""
    return cache.get_or_set(_key("cached", parts, topics), compute, timeout)


def cached_fragment(request, template_name: str, context, *, topics, scope: str) -> SafeString:
    """`template_name` rendered with `context()`, shared by every request for this URL in one scope.

    The key holds the path, the query, the language, today's date, the versions of
    `topics` and `scope`, the name of what the user's roles reach (accounts.roles.Scope.key):
    people of one scope share an entry, nobody reads one computed for another scope.
    context() runs only when the entry is missing.
    """
    return cached_fragments(request, [template_name], context, topics=topics, scope=scope)[0]


def cached_fragments(request, template_names: list[str], context, *, topics, scope: str) -> list[SafeString]:
    """Several parts of one page, as cached_fragment() makes one, read from the cache at once."""
    query = sorted(request.GET.lists())
    parts = (request.path, query, get_language(), timezone.localdate(), scope)
    keys = [_key("fragment", (name, *parts), topics) for name in template_names]
    found = cache.get_many(keys)
    for name, key in zip(template_names, keys, strict=True):
        if key not in found:
            found[key] = render_to_string(name, context(), request=request)
            cache.set(key, found[key], FRAGMENT_TIMEOUT)
    return [mark_safe(found[key]) for key in keys]


def _model_changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # A login changes nothing that is shown.
    bump_after_commit(_topics[sender])


_topics = {}


def watch(models: Iterable[type[Model]], topic: str) -> None:
    """Every save and delete of `models` moves `topic` on at commit. Each app calls it from its ready().

    The audit history's copies (django-simple-history) are left out: they follow rows
    whose own saves move the version.
    """
    from simple_history.models import HistoricalChanges

    for model in models:
        if issubclass(model, HistoricalChanges):
            continue
        _topics[model] = topic
        uid = model._meta.label
        post_save.connect(_model_changed, sender=model, dispatch_uid=f"data-version-save-{uid}")
        post_delete.connect(_model_changed, sender=model, dispatch_uid=f"data-version-delete-{uid}")


request_started.connect(forget_versions, dispatch_uid="data-version-per-request")
