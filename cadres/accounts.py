"""Accounts made by organisers without Django admin: for a cadre (one at a time, or with a roster import) and
for a unit or locality official; deactivated, reactivated, reset; and the handover of the one-time link.

Which accounts an organiser handles and which roles they give is the model's rule
(cadres.models.accounts_managed_by, check_role_granted_by). A new or reset account has no usable password:
its owner sets one with the one-time link (accounts/links.py), shown on the printable handover sheet and
sent by email when the account has an address.
"""

import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from accounts.links import link_expiry, set_password_link
from accounts.roles import CADRE_GROUP
from cadres.models import Cadre, Role
from shared.vietnamese import fold

logger = logging.getLogger(__name__)

User = get_user_model()
USERNAME_LENGTH = User._meta.get_field("username").max_length
TAKEN = _("The username “%(username)s” is already taken: choose another.")
# The accounts a roster import just made, kept in the session by id for their handover sheet (printed again at will).
HANDOVER_SESSION_KEY = "account_handover"


def tidy_username(text: str) -> str:
    """A username as people type it on a phone: lower case without accents, words joined by "-".

    "TD 001" gives "td-001", "Nguyễn Văn An" gives "nguyen-van-an"; only the characters Django allows
    (letters, digits, @ . + - _) are kept.
    """
    text = re.sub(r"[^a-z0-9@.+_-]+", "-", fold(text))
    return re.sub(r"-{2,}", "-", text).strip("-.")[:USERNAME_LENGTH]


def taken_usernames(names: Iterable[str]) -> set[str]:
    """Of `names` (tidied: lower case), those an account already has, whatever its case."""
    names = sorted(set(filter(None, names)))
    taken = set()
    # Chunked so that SQLite's limit on query parameters is never reached (a roster of 10,000).
    for start in range(0, len(names), 5000):
        chunk = names[start : start + 5000]
        found = User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk)
        taken.update(found.values_list("lower", flat=True))
    return taken


def username_taken_error(username: str) -> ValidationError:
    return ValidationError(TAKEN, code="taken", params={"username": username})


def _new_account(username: str, full_name: str, email: str):
    account = User(username=username, first_name=full_name[:150], email=email)
    # No password until its owner sets one with the one-time link.
    account.set_unusable_password()
    return account


def _save_new(account) -> None:
    """Save a new account; a username taken meanwhile (by another request) is refused as the form refuses it."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError({"username": username_taken_error(account.username)}) from None


def _cadre_group() -> Group:
    return Group.objects.get_or_create(name=CADRE_GROUP)[0]


@transaction.atomic
def cadre_account_create(*, cadre: Cadre, username: str):
    """An account for `cadre`, in the cadre group and linked as their user, with their name and e-mail address."""
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if cadre.user_id:
        raise ValidationError(
            _("%(name)s already has an account."), code="has_account", params={"name": cadre.full_name}
        )
    account = _new_account(username, cadre.full_name, cadre.email)
    _save_new(account)
    account.groups.add(_cadre_group())
    cadre.user = account
    cadre.save(update_fields=["user", "updated_at"])
    return account


@transaction.atomic
def cadre_account_link(*, cadre: Cadre, account):
    """An existing account (an official's, who is also sent on mission) linked to `cadre`, in the cadre group.

    The person keeps their password and their roles: one login for both parts.
    """
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if cadre.user_id:
        raise ValidationError(
            _("%(name)s already has an account."), code="has_account", params={"name": cadre.full_name}
        )
    if Cadre.objects.filter(user=account).exists():
        raise ValidationError(
            {"existing": _("This account is already linked to another cadre.")}, code="linked_elsewhere"
        )
    account.groups.add(_cadre_group())
    cadre.user = account
    cadre.save(update_fields=["user", "updated_at"])
    return account


@transaction.atomic
def official_account_create(*, username: str, full_name: str, email: str, role: Role):
    """An account holding `role` (checked by Role.full_clean() and check_role_granted_by() beforehand)."""
    account = _new_account(username, full_name, email)
    _save_new(account)
    role.user = account
    role.save()
    return account


def cadre_accounts_create(cadres: dict[str, Cadre], *, by=None) -> list:
    """Accounts for many cadres at once (the roster import), by username; the caller holds the transaction.

    Written in bulk, so the import of 10,000 cadres stays a handful of queries; the cadres' history
    records who linked them, as an edit on a page would.
    """
    accounts = [_new_account(username, cadre.full_name, cadre.email) for username, cadre in cadres.items()]
    # PostgreSQL and SQLite 3.35+ give the new ids back.
    User.objects.bulk_create(accounts, batch_size=1000)
    group = _cadre_group()
    Membership = User.groups.through
    Membership.objects.bulk_create([Membership(user_id=account.pk, group_id=group.pk) for account in accounts])
    now = timezone.now()
    linked = []
    for account in accounts:
        cadre = cadres[account.username]
        cadre.user, cadre.updated_at = account, now
        linked.append(cadre)
    bulk_update_with_history(linked, Cadre, ["user", "updated_at"], batch_size=500, default_user=by)
    return accounts


def deactivate(account) -> None:
    """The mission ended: the account no longer logs in, and its open sessions end at their next request
    (accounts/backends.py reads only active users); its one-time links no longer open."""
    account.is_active = False
    account.save(update_fields=["is_active"])


def reactivate(account) -> None:
    account.is_active = True
    account.save(update_fields=["is_active"])


def reset_password(account) -> None:
    """The old password and every link given before stop working, and the open sessions end; the owner sets
    a new password with a new one-time link."""
    account.set_unusable_password()
    account.save(update_fields=["password"])


# Handing the one-time link over


@dataclass(frozen=True)
class Handover:
    """What the handover sheet shows of one account: its link, or why there is none."""

    account: object
    link: str = ""
    expires_at: datetime.datetime | None = None


def handover(request, account) -> Handover:
    """A new link for an account waiting for its first password, active; none for the others.

    An account whose owner set a password gets no link here: the office resets it (reset_password) first.
    """
    if account.has_usable_password() or not account.is_active:
        return Handover(account)
    return Handover(account, set_password_link(request, account), link_expiry())


def remember_handover(request, accounts: Iterable) -> None:
    """Keep the accounts of the handover sheet the user is about to print (and may print again)."""
    request.session[HANDOVER_SESSION_KEY] = [account.pk for account in accounts]


def remembered_handover(request) -> list[int]:
    ids = request.session.get(HANDOVER_SESSION_KEY, [])
    return [pk for pk in ids if isinstance(pk, int)]


def send_handover_emails(request, accounts: Iterable, *, reset: bool = False) -> int:
    """Send each account with an address its own link, once the accounts are committed; the number of messages.

    In Vietnamese, as the handover sheet. A mail server that refuses is logged: the sheet has the link.
    """
    messages = []
    login_url = request.build_absolute_uri(reverse("login"))
    with translation.override("vi"):
        for account in accounts:
            given = handover(request, account)
            if not account.email or not given.link:
                continue
            context = {"handover": given, "login_url": login_url, "reset": reset}
            subject = " ".join(render_to_string("cadres/accounts/handover_subject.txt", context).split())
            body = render_to_string("cadres/accounts/handover_email.txt", context)
            messages.append(EmailMessage(subject, body, to=[account.email]))
    if messages:
        transaction.on_commit(lambda: _send(messages))
    return len(messages)


def _send(messages: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(messages)
    except Exception:  # SMTP, DNS or a refused address: the accounts exist, the sheet has their links
        logger.exception("Sending %d handover e-mails failed", len(messages))


def handover_message(created: int, sent: int) -> str:
    """What the organiser reads above the handover sheet of the accounts just made or reset."""
    message = ngettext(
        "%(count)s account is waiting for its password: print this sheet and hand it over.",
        "%(count)s accounts are waiting for their passwords: print this sheet and give each person their page.",
        created,
    ) % {"count": created}
    if sent:
        message += " " + ngettext(
            "%(count)s link was also sent by e-mail.", "%(count)s links were also sent by e-mail.", sent
        ) % {"count": sent}
    return message
