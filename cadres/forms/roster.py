"""The roster upload; each row is then checked by the cadre model (cadres/roster.py)."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cadres import roster


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx or .csv file (UTF-8, comma or semicolon) with the columns of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    accounts = forms.BooleanField(
        label=_("Create accounts for the cadres without one"),
        required=False,
        help_text=_(
            "Usernames are the cadre codes in lower case, unless a column “tên đăng nhập” gives one. The preview "
            "lists them; after the import, a handover sheet gives each new account its link to set a password."
        ),
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
