"""Caches that stay right across gunicorn workers: every key carries the version of the data it shows.

A DataVersion row counts the changes of one topic of data. A save or delete of
a watched model moves its topic on when the transaction commits, so an entry
cached before the change is never read again, by this worker or any other,
whether each worker keeps its own memory cache or all share one (CACHE_URL).
A request reads the versions once, in one query, which is its session's read
when it has one (shared/sessions.py).

Writes that send no signal (bulk_create, bulk_update, queryset.update, COPY)
call bump_after_commit() themselves (roster import, the scale data).
"""

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache
from django.core.signals import request_started
from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

RECORDS = "records"  # Localities, gradings, units, cadres, campaigns, decisions, assignments, user names.
NOTES = "notes"  # Daily notes: thousands a day nationally, so kept apart.
REPORTS = "reports"  # Escalations, end-of-mission reports, recommendations.
NOTICES = "notices"  # Notices written by send_notices and read by their people (the header's unread count).
TOPICS = (RECORDS, NOTES, REPORTS, NOTICES)
# A topic's share that one campaign or one cadre sees ("notes:campaign:12"): a watched model says which
# shares a row belongs to (watch's `scopes`), and its changes move those shares' versions too. A page
# of one campaign's notes is then read from the cache while notes of other campaigns come in. Writes
# without signals move every share at once (the topic's "notes:*" row) through bump_after_commit().
EVERY_SCOPE = "*"
# Read with every request's session: each topic and its every-share row. Shares are read when asked.
READ_EACH_REQUEST = (*TOPICS, *(f"{topic}:{EVERY_SCOPE}" for topic in TOPICS))

TIMEOUT = 60  # The dashboard figures, which also count notes: a minute old at most.
# Exact by their versions: the timeout frees memory and bounds what a failed version update leaves stale.
FRAGMENT_TIMEOUT = 300

logger = logging.getLogger(__name__)
on_commit = transaction.on_commit  # tests/conftest.py runs it at once: test transactions never commit.
_local = threading.local()


def scoped_topic(topic: str, scope: str, pk) -> str:
    """The share of `topic` that one `scope` (campaign, cadre) with primary key `pk` sees, as a topic."""
    return f"{topic}:{scope}:{pk}"


def _every_share(topic: str) -> str:
    return f"{topic.split(':', 1)[0]}:{EVERY_SCOPE}"


def versions() -> dict[str, int]:
    """Every topic's version, read once per request."""
    numbers = getattr(_local, "versions", None)
    if numbers is None:
        numbers = _local.versions = dict(_read_rows(READ_EACH_REQUEST))
    return numbers


def remember_versions(numbers: dict[str, int]) -> None:
    """Versions read along with something else in one round trip (shared/sessions.py), unless read already."""
    if getattr(_local, "versions", None) is None:
        _local.versions = numbers


def _numbers(topics) -> list:
    """The version of each of `topics`; a share's is its own and its topic's every-share one."""
    numbers = versions()
    shares = [topic for topic in topics if topic not in READ_EACH_REQUEST]
    if not shares:
        return [numbers.get(topic, 0) for topic in topics]
    known = _local.__dict__.setdefault("shares", {})
    unread = [topic for topic in shares if topic not in known]
    if unread:
        known.update(dict.fromkeys(unread, 0))
        known.update(_read_rows(unread))
    return [
        numbers.get(topic, 0) if topic in READ_EACH_REQUEST else (numbers.get(_every_share(topic), 0), known[topic])
        for topic in topics
    ]


def _read_rows(topics) -> list[tuple[str, int]]:
    """The version rows of `topics`, read by a statement of their own (pages read it on every request)."""
    from shared.models import DataVersion

    connection = connections[router.db_for_read(DataVersion)]
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(topics))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('topic')}, {quote('number')} FROM {quote(DataVersion._meta.db_table)} "
            f"WHERE {quote('topic')} IN ({marks})",
            list(topics),
        )
        return cursor.fetchall()


def forget_versions(**kwargs) -> None:
    _local.versions = None
    _local.shares = {}


def bump(*topics: str) -> None:
    """Move `topics` on now: every entry cached from them is outdated.

    One statement: each topic's row moves on, or is made at its first change. The rows are written in
    the order of their topics, so that two changes moving overlapping topics (two notes of one
    campaign) wait for each other instead of deadlocking.
    """
    from shared.models import DataVersion

    topics = sorted(set(topics))
    connection = connections[router.db_for_write(DataVersion)]
    quote = connection.ops.quote_name
    table, topic, number = quote(DataVersion._meta.db_table), quote("topic"), quote("number")
    rows = ", ".join(["(%s, 2)"] * len(topics))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({topic}, {number}) VALUES {rows} "
            f"ON CONFLICT ({topic}) DO UPDATE SET {number} = {table}.{number} + 1",
            topics,
        )
    forget_versions()


class _Bump:
    """Bumps topics once after a commit, however many rows of the transaction asked for them."""

    def __init__(self, topics: tuple[str, ...]):
        self.topics = topics
        self.done = False

    def __call__(self):
        if self.done:
            return
        failed = _local.__dict__.setdefault("failed", set())
        try:
            bump(*self.topics)
        except Exception:
            # Logged by on_commit(robust=True); the next write of any topic, on this thread, moves these too.
            failed.update(self.topics)
            raise
        failed.difference_update(self.topics)
        self.done = True
        pending = _local.__dict__.get("pending", {})
        if pending.get(self.topics) is self:
            del pending[self.topics]


def _after_commit(topics: tuple[str, ...]) -> None:
    # A transaction that rolls back drops its callbacks: its _Bump, not done, serves the next one. Topics
    # whose bump failed go with the next one.
    failed = _local.__dict__.get("failed")
    if failed:
        topics = tuple(sorted(set(topics) | failed))
    pending = _local.__dict__.setdefault("pending", {})
    if topics not in pending or pending[topics].done:
        pending[topics] = _Bump(topics)
    on_commit(pending[topics], robust=True)


def bump_after_commit(topic: str) -> None:
    """Move `topic`, every share of it included, when the transaction commits: for writes without signals."""
    _after_commit((topic, _every_share(topic)))


def _key(prefix: str, parts, topics) -> str:
    raw = "|".join(str(part) for part in (*parts, *_numbers(topics)))
    return f"{prefix}:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def cached(*parts, compute, topics=(RECORDS,), timeout: int = TIMEOUT, refresh_after: int | None = None):
    """compute(), kept under a key made of `parts` and the versions of `topics`.

    With `refresh_after` (seconds, under `timeout`), an entry that old is computed again in the
    background (in_background) while the requests go on reading it: under steady use nobody waits for
    the recomputation, and nothing is ever older than `timeout`. An entry missing or outdated by its
    versions is computed on the request, as without it.
    """
    if refresh_after is None:
        return cache.get_or_set(_key("cached", parts, topics), compute, timeout)
    key = _key("refreshed", parts, topics)  # Its entries are (when made, value).
    entry = cache.get(key)
    if entry is None:
        value = compute()
        cache.set(key, (time.time(), value), timeout)
        return value
    made, value = entry
    # One refresh at a time per entry: its marker goes when it is done, or with the entry if it never is.
    marker = f"{key}:refreshing"
    if time.time() - made >= refresh_after and cache.add(marker, True, timeout):
        language = get_language()

        def refresh():
            try:
                with translation.override(language):
                    cache.set(key, (time.time(), compute()), timeout)
            finally:
                cache.delete(marker)

        in_background(refresh)
    return value


_refreshing = None


def _run_in_thread(work) -> None:
    """Run work() on the worker's one background thread, in turn, with its own database connection,
    closed after each: a slow database gets one recomputation at a time from each worker, not a pile."""
    global _refreshing

    def run():
        try:
            work()
        except Exception:
            logger.exception("A cached entry could not be refreshed in the background.")
        finally:
            connections.close_all()

    if _refreshing is None:
        _refreshing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-refresh")
    _refreshing.submit(run)


in_background = _run_in_thread  # tests/conftest.py runs the work at once.


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


def cached_rows(template_name: str, keys: list[tuple], *, load, name: str, topics) -> list[SafeString]:
    """A list's rows, each rendered once and kept under its `keys` tuple (primary key first, then what
    changes when the row does, e.g. its updated_at), the language and the versions of `topics` (what
    else a row shows). Only the rows not kept are loaded, with load(primary keys), and rendered, with
    the row as `name` and without the request: a row is the same for everyone who may see it."""
    template = get_template(template_name)
    language = get_language()
    cache_keys = [_key("row", (template_name, language, *key), topics) for key in keys]
    found = cache.get_many(cache_keys)
    missing = [key[0] for key, cache_key in zip(keys, cache_keys, strict=True) if cache_key not in found]
    if missing:
        objects = {row.pk: row for row in load(missing)}
        made = {
            cache_key: template.render({name: objects[key[0]]})
            for key, cache_key in zip(keys, cache_keys, strict=True)
            if cache_key not in found and key[0] in objects
        }
        cache.set_many(made, FRAGMENT_TIMEOUT)
        found.update(made)
    return [mark_safe(found[cache_key]) for cache_key in cache_keys if cache_key in found]


def _model_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # A login changes nothing that is shown.
    topic = _topics[sender]
    scopes = _scopes.get(sender)
    shares = [scoped_topic(topic, scope, pk) for scope, pk in scopes(instance)] if scopes else []
    _after_commit((topic, *shares))


def _relation_changed(sender, action, pk_set=None, **kwargs) -> None:
    # Adding what is there already, or removing what is not, sends the signal with nothing in pk_set.
    if action.startswith("post_") and (action == "post_clear" or pk_set):
        bump_after_commit(_topics[sender])


_topics = {}
_scopes = {}


def watch(models: Iterable[type[Model]], topic: str, *, scopes=None) -> None:
    """Every save and delete of `models`, and every change of their many-to-many relations (a user's
    groups), moves `topic` on at commit. Each app calls it from its ready().

    `scopes(row)`, if given, names the shares of the topic the row belongs to, as (scope, primary key)
    pairs: ("campaign", 12), ("cadre", 7). The audit history's copies (django-simple-history) are left
    out: they follow rows whose own saves move the version.
    """
    from simple_history.models import HistoricalChanges

    for model in models:
        if issubclass(model, HistoricalChanges):
            continue
        _topics[model] = topic
        if scopes is not None:
            _scopes[model] = scopes
        uid = model._meta.label
        post_save.connect(_model_changed, sender=model, dispatch_uid=f"data-version-save-{uid}")
        post_delete.connect(_model_changed, sender=model, dispatch_uid=f"data-version-delete-{uid}")
        for relation in model._meta.local_many_to_many:
            through = relation.remote_field.through
            _topics[through] = topic
            m2m_changed.connect(
                _relation_changed, sender=through, dispatch_uid=f"data-version-m2m-{through._meta.label}"
            )


request_started.connect(forget_versions, dispatch_uid="data-version-per-request")
