"""Making an account: for a cadre (a username), or for an official with one role, which Role.full_clean() checks
and cadres.models.check_role_granted_by() gives or refuses."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import RoleKind
from cadres.accounts import USERNAME_LENGTH, taken_usernames, tidy_username, username_taken_error
from cadres.forms.cadres import UnitChoiceField, unit_choices
from cadres.forms.decisions import LocalityInput, find_locality
from cadres.models import Role, check_role_granted_by, role_kinds_granted_by
from localities.models import Level, Locality
from shared.text_validators import single_line


class UsernameField(forms.CharField):
    """Tidied as people type it on a phone (cadres.accounts.tidy_username), and refused when already taken."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Username"),
            max_length=USERNAME_LENGTH,
            help_text=_("Lower case, without accents or spaces (they become “-”): what the person types to log in."),
            **kwargs,
        )
        self.widget.attrs.update(autocapitalize="none", autocomplete="off", spellcheck="false")

    def clean(self, value):
        username = tidy_username(super().clean(value))
        if not username:
            raise ValidationError(_("Write a username with letters or digits."), code="invalid")
        if taken_usernames([username]):
            raise username_taken_error(username)
        return username


class CadreAccountForm(forms.Form):
    username = UsernameField()


class LinkAccountForm(forms.Form):
    """An account the user manages (cadres.models.accounts_managed_by), found by its username."""

    existing = forms.CharField(label=_("Username of the existing account"), max_length=USERNAME_LENGTH)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts

    def clean_existing(self):
        account = self.accounts.filter(username__iexact=self.cleaned_data["existing"].strip(), is_active=True).first()
        if account is None:
            raise ValidationError(_("No active account you manage has this username."), code="unknown")
        return account


def find_place(text: str) -> Locality:
    """A province by its code or name (a supervisor's), else a district or commune (find_locality)."""
    provinces = Locality.objects.filter(level=Level.PROVINCE).filter(Q(code=text) | Q(name__iexact=text))[:2]
    if len(provinces) == 1:
        return provinces[0]
    return find_locality(text)


class OfficialAccountForm(forms.ModelForm):
    """An account for a unit's focal point, a locality's official, organiser staff or a supervisor: the role's
    kinds are those the user gives (cadres.models.role_kinds_granted_by)."""

    username = UsernameField()
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[single_line])
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        help_text=_("The link to set a password is sent there too; a forgotten password can then be reset by e-mail."),
    )
    locality = forms.CharField(
        label=_("Locality (code, or “ward, district” or “ward, province”)"),
        max_length=200,
        required=False,
        widget=LocalityInput(),
        help_text=Role._meta.get_field("locality").help_text,
        validators=[single_line],
    )

    class Meta:
        model = Role
        fields = ["kind", "unit", "locality"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, by, **kwargs):
        self.by = by
        super().__init__(*args, **kwargs)
        self.order_fields(["username", "full_name", "email", "kind", "unit", "locality"])
        kinds = role_kinds_granted_by(by)
        self.fields["kind"].choices = [("", "---------"), *((kind, RoleKind(kind).label) for kind in kinds)]
        self.fields["unit"].queryset = unit_choices()

    def clean_locality(self):
        text = " ".join(self.cleaned_data["locality"].split())
        return find_place(text) if text else None

    def _post_clean(self):
        # Role.full_clean(): the role held on the right thing. Then whether the user gives it.
        super()._post_clean()
        if not self.has_error("kind") and not self.has_error("unit"):
            try:
                check_role_granted_by(self.instance, self.by)
            except ValidationError as error:
                self._update_errors(error)
