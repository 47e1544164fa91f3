"""`{% day_input "day" day %}`: the DayInput of a day form written in a template rather than as a Django form."""

import datetime

from django import template
from django.utils.safestring import SafeString

from shared.widgets import DayInput

register = template.Library()


@register.simple_tag
def day_input(name: str, day: datetime.date | None, input_id: str = "") -> SafeString:
    """`input_id` tells apart several forms of one page (a list's rows); else the id is id_<name>."""
    return DayInput().render(name, day, attrs={"id": input_id or f"id_{name}"})
