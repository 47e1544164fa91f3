"""Conflict-safe edits: a form remembers which version of a row it was opened on.

The version is the row's `updated_at` when the form was rendered, carried in a
hidden field. When the form is saved, inside the saving transaction, the row is
locked (SELECT ... FOR UPDATE) and its version compared with the form's. A form
opened before someone else saved is refused with a message naming who saved and
when: their change stays as they left it. The refused form keeps everything the
user typed and now carries the current version, so saving it again is a choice
made after seeing the other change.

A post without a version is refused the same way. Every form of ours renders
the field, so a post without it comes from a page older than the field or from
a script, and neither knows what it would overwrite.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shared.history import user_name

# The version of a form opened on a row not yet created (a first draft).
NEW = "new"
# The codes of the errors raised when a form is refused as stale.
CONFLICT_CODES = ("conflict", "version_missing")


def version_of(obj: models.Model | None) -> str:
    if obj is None or obj.pk is None:
        return NEW
    return obj.updated_at.isoformat()


def _same_version(posted: str, current: str) -> bool:
    if posted == current:
        return True
    if NEW in (posted, current):
        return False
    try:
        return datetime.datetime.fromisoformat(posted) == datetime.datetime.fromisoformat(current)
    except ValueError:
        return False


class VersionedFormMixin:
    """Put before forms.Form or forms.ModelForm. The version is that of `versioned`, else of the ModelForm's instance.

    After is_valid(), call lock_and_check() inside the transaction that saves.
    """

    def __init__(self, *args, versioned: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if versioned is None:
            versioned = getattr(self, "instance", None)
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=version_of(versioned)
        )
        self.conflict = False
        self.posted_version = ""

    def clean(self):
        cleaned = super().clean()
        # Not data for the services: kept aside for lock_and_check().
        self.posted_version = cleaned.pop("version", "") or ""
        return cleaned

    def lock_and_check(self, queryset: QuerySet, **lookup) -> models.Model | None:
        """Lock the row and return it as stored; raise a ValidationError (code "conflict") if the form is stale."""
        current = queryset.select_for_update().filter(**lookup).first()
        now = version_of(current)
        if self.posted_version and _same_version(self.posted_version, now):
            return current
        self.conflict = True
        # Shown again, the form carries what the user typed and the version they have now seen.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = now
        if not self.posted_version:
            raise ValidationError(
                _("This form is out of date: check the current values and save again."), code="version_missing"
            )
        raise conflict_error(current)


def conflict_error(current: models.Model | None) -> ValidationError:
    """Who saved last and when, from the audit history when the row has one."""
    if current is None:
        return ValidationError(
            _("This was deleted by someone else meanwhile; your change has not been saved."), code="conflict"
        )
    history = getattr(current, "history", None)
    last = history.select_related("history_user").first() if history is not None else None
    saved_at = timezone.localtime(last.history_date if last else current.updated_at)
    name = user_name(last.history_user) if last and last.history_user else _("Someone else")
    return ValidationError(
        _(
            "%(name)s saved a change at %(time)s on %(day)s; your change has not been saved. "
            "Check the current values and save again."
        ),
        code="conflict",
        params={
            "name": name,
            "time": date_format(saved_at, "H:i"),
            "day": date_format(saved_at, "SHORT_DATE_FORMAT"),
        },
    )


def conflict_status(*forms_shown) -> int:
    """409 Conflict when a form is shown again because someone else saved first."""
    return 409 if any(getattr(form, "conflict", False) for form in forms_shown) else 200
