"""The roster upload, and the per-row form: the cadre form minus what the import resolves in bulk."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cadres import roster
from cadres.forms.cadres import CadreForm


class RosterRowForm(CadreForm):
    """One roster row, validated exactly like the cadre form.

    The unit is resolved from the unit and department names before the form runs,
    and the code's uniqueness is checked for the whole file in one query, so neither
    costs a query per row.
    """

    class Meta(CadreForm.Meta):
        fields = ["code", "full_name", "position", "phone", "email", "is_party_member"]

    def validate_unique(self):
        pass


class _SharedFields(dict):
    """Form fields that every RosterRowForm shares instead of deep-copying.

    A form copies its fields so that one instance may change them; roster row
    forms never do and are never rendered, and the copy was half the cost of
    checking a 10,000-row roster.
    """

    def __deepcopy__(self, memo):
        return self


RosterRowForm.base_fields = _SharedFields(RosterRowForm.base_fields)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx or .csv file (UTF-8, comma or semicolon) with the columns of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
                code="too_large",
            )
        try:
            self.cleaned_data["rows"] = roster.read_roster(upload)
        except roster.RosterFileError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return upload
