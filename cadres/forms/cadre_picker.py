"""The cadre picker: how staff choose a cadre in any form (decision rows, a replacement).

A text input, not a select: a province has thousands of cadres. It takes a
cadre code or a full name, suggests cadres as one types (static/js/decision_form.js
fills its <datalist> from the cadre search endpoint), and cleans to the Cadre.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from shared.text_validators import single_line
from shared.vietnamese import fold

# Cadres whose name starts like the one typed, read to find those with exactly that name.
NAME_CANDIDATES = 200
# Namesakes named in the error; the code tells the others apart anyway.
NAMESAKES_SHOWN = 5


def cadre_label(cadre: Cadre) -> str:
    return f"{cadre.full_name} · {cadre.unit}"


def _unit_label(cadre: Cadre) -> str:
    unit = cadre.unit
    return f"{unit}, {unit.parent}" if unit.parent_id else str(unit)


def _namesakes(text: str) -> list[Cadre]:
    """Active cadres called `text`, accents and case aside; one written exactly so is preferred."""
    folded = fold(text)
    # search_text starts with the folded full name, then a space (Cadre.searchable_text).
    candidates = (
        Cadre.objects.active()
        .filter(search_text__startswith=f"{folded} ")
        .select_related("unit__parent")
        .in_name_order()[:NAME_CANDIDATES]
    )
    namesakes = [cadre for cadre in candidates if fold(" ".join(cadre.full_name.split())) == folded]
    written_so = [cadre for cadre in namesakes if " ".join(cadre.full_name.split()).casefold() == text.casefold()]
    return written_so if len(written_so) == 1 else namesakes


def find_cadre(text: str) -> Cadre:
    """The cadre with this code, or the only active cadre with this full name (accents and case aside)."""
    text = " ".join(text.split())
    cadre = Cadre.objects.select_related("unit__parent").filter(code__iexact=text).first()
    if cadre:
        return cadre
    namesakes = _namesakes(text)
    if len(namesakes) == 1:
        return namesakes[0]
    if namesakes:
        listed = "; ".join(f"{cadre.code} ({_unit_label(cadre)})" for cadre in namesakes[:NAMESAKES_SHOWN])
        if len(namesakes) > NAMESAKES_SHOWN:
            listed += "; …"
        raise ValidationError(
            _("%(count)s cadres are called %(name)s: %(cadres)s. Enter the code of the one you mean."),
            code="ambiguous",
            params={"count": len(namesakes), "name": text, "cadres": listed},
        )
    raise ValidationError(_("No cadre has the code or name “%(text)s”."), code="unknown", params={"text": text})


class CadreInput(forms.TextInput):
    """A text input with its own <datalist> of suggestions, filled as one types.

    A page with a lone picker brings its script with `{{ form.media.js }}`.
    """

    class Media:
        js = [forms.Script("js/decision_form.js", defer=True)]

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "autocomplete": "off",
                "data-search": reverse_lazy("cadres:cadre_search"),
                "class": "cadre-input",
                **(attrs or {}),
            }
        )

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options_id = f"{attrs.get('id') or name}-options"
        attrs["list"] = options_id
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', html, options_id)


class CadreField(forms.CharField):
    """A cadre typed as a code or a full name; cleans to an active Cadre."""

    widget = CadreInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 160)
        kwargs.setdefault("validators", [single_line])
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        cadre = find_cadre(text)
        if not cadre.is_active:
            raise ValidationError(_("%(name)s is no longer active."), code="inactive", params={"name": cadre.full_name})
        return cadre
