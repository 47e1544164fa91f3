"""The audit history shown on detail pages: who changed which field, from what to what, and when.

django-simple-history keeps a full copy of a row at every save; an entry here
is one copy compared with the copy before it. A page shows the latest
HISTORY_LIMIT entries in a fixed number of queries, however long the history:
the copies with their users, the copies before them, and the objects that
changed foreign keys point to (one query per kind of object).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class HistorySource:
    """Historical records of one kind of object, as one page may show them.

    `subject` names the object a record is about when a page mixes several
    objects (a locality's gradings); `fields` limits the fields compared to
    what the reader may see on the page.
    """

    records: QuerySet
    subject: Callable[[models.Model], str] | None = None
    fields: Iterable[str] | None = None


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: models.Model | None
    kind: str
    subject: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def user_name(self) -> str:
        return user_name(self.user)

    @property
    def action(self) -> str:
        return {"+": _("created"), "-": _("deleted")}.get(self.kind, _("changed"))


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def history_entries(*sources: HistorySource | QuerySet, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The latest `limit` changes of the sources, newest first.

    A save that changed none of the compared fields is left out.
    """
    sources = [source if isinstance(source, HistorySource) else HistorySource(source) for source in sources]
    latest = []
    previous = {}
    for source in sources:
        records, before = _latest_and_previous(source.records, limit)
        latest.extend((record, source) for record in records)
        previous.update(before)
    latest.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    latest = latest[:limit]
    pending = []
    for record, source in latest:
        before = previous.get((type(record), record.previous_history_id))
        changes = None
        if record.history_type == "~" and before is not None:
            changes = _changes(record, before, source.fields)
            if not changes:
                continue
        entry = HistoryEntry(
            when=record.history_date,
            user=record.history_user,
            kind=record.history_type,
            subject=source.subject(record) if source.subject else "",
        )
        pending.append((entry, changes))
    return _with_labels(pending)


def _latest_and_previous(records: QuerySet, limit: int) -> tuple[list, dict]:
    """The latest records, each with the id of the record of the same object before it, and those records.

    Two queries whatever is found: the records before are read through a subquery, not a list of ids.
    """
    model = records.model
    object_id = model.instance_type._meta.pk.attname
    before = model.objects.filter(**{object_id: OuterRef(object_id)}, history_id__lt=OuterRef("history_id"))
    latest = records.annotate(
        previous_history_id=Subquery(before.order_by("-history_id").values("history_id")[:1])
    ).order_by("-history_date", "-history_id")[:limit]
    found = list(latest.select_related("history_user"))
    previous = model.objects.filter(history_id__in=latest.values("previous_history_id"))
    return found, {(model, record.history_id): record for record in previous}


@dataclass
class _RawChange:
    field: models.Field
    old: object
    new: object


def _changes(record, before, fields: Iterable[str] | None) -> list[_RawChange]:
    delta = record.diff_against(before, included_fields=list(fields) if fields is not None else None)
    meta = record.instance_type._meta
    changes = [_RawChange(meta.get_field(change.field), change.old, change.new) for change in delta.changes]
    # In the order of the model's fields, as the detail pages list them.
    order = {model_field.name: index for index, model_field in enumerate(meta.fields)}
    return sorted(changes, key=lambda change: order.get(change.field.name, len(order)))


def _with_labels(pending: list) -> list[HistoryEntry]:
    """Fill the entries' changes with readable values, fetching related objects once per kind."""
    related = defaultdict(set)
    for _entry, changes in pending:
        for change in changes or ():
            if change.field.is_relation:
                for value in (change.old, change.new):
                    if value is not None:
                        related[change.field.related_model].add(value)
    objects = {model: _fetch(model, ids) for model, ids in related.items()}
    entries = []
    for entry, changes in pending:
        for change in changes or ():
            entry.changes.append(
                FieldChange(
                    label=capfirst(change.field.verbose_name),
                    old=_display(change.field, change.old, objects),
                    new=_display(change.field, change.new, objects),
                )
            )
        entries.append(entry)
    return entries


def _fetch(model, ids) -> dict:
    if model is get_user_model():
        return {pk: user_name(user) for pk, user in model._default_manager.in_bulk(ids).items()}
    # The names of related objects often need their own related rows (an assignment names its cadre).
    queryset = model._default_manager.select_related().filter(pk__in=ids)
    return {obj.pk: str(obj) for obj in queryset}


def _display(model_field: models.Field, value, objects: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return objects.get(model_field.related_model, {}).get(value, _("(deleted) #%(id)s") % {"id": value})
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
