"""`{{ value|history_value }}`: a value of the audit history as the pages write it.

django-simple-history hands the admin's history page each changed value as stored, which the page
printed with str(): a date as 2021-09-15, a moment as 2021-08-25 03:30:00+00:00 (in UTC), nothing as
None. Dates read dd/mm/yyyy, moments in local time, nothing as "—".
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()

EMPTY = "—"


def _parsed(text: str):
    """A date or a moment written in ISO form, else None."""
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


@register.filter
def history_value(value):
    # The history page hands values over as text: nothing arrives as "None".
    if value is None or value in ("", "None"):
        return EMPTY
    if isinstance(value, str) and value[:1].isdigit():
        value = _parsed(value) or value
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value
