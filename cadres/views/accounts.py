"""Accounts handled by organisers without Django admin: the list, an account for a cadre or for an official,
deactivate, reactivate, reset the password, and the printable handover sheet with the one-time link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import organiser_required
from cadres.access import get_account_for_user, get_cadre_for_user
from cadres.accounts import (
    cadre_account_create,
    cadre_account_link,
    deactivate,
    handover,
    handover_message,
    official_account_create,
    reactivate,
    remembered_handover,
    reset_password,
    send_handover_emails,
    tidy_username,
)
from cadres.forms.accounts import CadreAccountForm, LinkAccountForm, OfficialAccountForm
from cadres.models import Role, accounts_managed_by
from shared.pagination import paginate
from shared.vietnamese import search_filter

PAGE_SIZE = 50
# Searched, ignoring accents and case.
SEARCHED = ("username", "first_name", "last_name", "email", "cadre__code")


@organiser_required
@require_GET
def account_list(request):
    query = " ".join(request.GET.get("q", "").split())
    roles = Role.objects.select_related("unit", "locality__parent").order_by("kind", "pk")
    accounts = (
        accounts_managed_by(request.user)
        .select_related("cadre")
        .prefetch_related(Prefetch("roles", queryset=roles))
        .order_by("username")
    )
    if query:
        accounts = accounts.filter(search_filter(query, *SEARCHED))
    page = paginate(request, accounts, PAGE_SIZE)
    return render(request, "cadres/accounts/account_list.html", {"page": page, "query": query})


@organiser_required
@require_GET
def account_detail(request, pk):
    account = get_account_for_user(request, pk)
    return render(request, "cadres/accounts/account_detail.html", {"account": account})


@organiser_required
def account_create(request):
    """An account for a unit's focal point, a locality's official, organiser staff or a supervisor."""
    form = OfficialAccountForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = official_account_create(
                username=data["username"], full_name=data["full_name"], email=data["email"], role=form.instance
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _hand_over(request, account, _("The account “%(username)s” was created."))
    return render(request, "cadres/accounts/account_form.html", {"form": form, "cadre": None})


@organiser_required
def account_create_for_cadre(request, pk):
    """The cadre's account, proposed under their code; it joins the cadre group, linked to their record."""
    cadre = get_cadre_for_user(request, pk, for_change=True)
    if cadre.user_id:
        messages.info(request, _("%(name)s already has an account.") % {"name": cadre.full_name})
        return redirect("cadres:cadre_detail", pk=cadre.pk)
    linking = request.POST.get("action") == "link"
    link_form = LinkAccountForm(
        request.POST if linking else None, accounts=accounts_managed_by(request.user), prefix="link"
    )
    if linking and link_form.is_valid():
        try:
            account = cadre_account_link(cadre=cadre, account=link_form.cleaned_data["existing"])
        except ValidationError as error:
            link_form.add_error("existing" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(
                request,
                _("“%(username)s” is now also %(name)s's account.")
                % {"username": account.username, "name": cadre.full_name},
            )
            return redirect("cadres:cadre_detail", pk=cadre.pk)
    form = CadreAccountForm(
        request.POST if request.method == "POST" and not linking else None,
        initial={"username": tidy_username(cadre.code)},
    )
    if request.method == "POST" and not linking and form.is_valid():
        try:
            account = cadre_account_create(cadre=cadre, username=form.cleaned_data["username"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _hand_over(request, account, _("The account “%(username)s” was created."))
    return render(request, "cadres/accounts/account_form.html", {"form": form, "cadre": cadre, "link_form": link_form})


@organiser_required
@require_POST
def account_deactivate(request, pk):
    account = get_account_for_user(request, pk)
    deactivate(account)
    messages.success(request, _("“%(username)s” can no longer log in.") % {"username": account.username})
    return redirect("cadres:account_detail", pk=account.pk)


@organiser_required
@require_POST
def account_reactivate(request, pk):
    account = get_account_for_user(request, pk)
    reactivate(account)
    messages.success(request, _("“%(username)s” can log in again.") % {"username": account.username})
    return redirect("cadres:account_detail", pk=account.pk)


@organiser_required
@require_POST
def account_reset(request, pk):
    account = get_account_for_user(request, pk)
    if not account.is_active:
        messages.error(request, _("Reactivate the account first: a deactivated account's link does not open."))
        return redirect("cadres:account_detail", pk=account.pk)
    reset_password(account)
    message = _("The password of “%(username)s” was reset: the old password and links no longer work.")
    return _hand_over(request, account, message, reset=True)


def _hand_over(request, account, message: str, *, reset: bool = False):
    """Say what was done, send the link to the account's address, and open its handover sheet."""
    sent = send_handover_emails(request, [account], reset=reset)
    messages.success(request, message % {"username": account.username})
    messages.info(request, handover_message(1, sent))
    return redirect("cadres:account_handover", pk=account.pk)


@organiser_required
@require_GET
def account_handover(request, pk):
    """One account's sheet: a new link while it waits for its first password, none once its owner set one."""
    return _handover_sheet(request, [get_account_for_user(request, pk)])


@organiser_required
@require_GET
def account_handover_new(request):
    """The sheet of the accounts the roster import just made (kept in the session: it may be printed again)."""
    ids = remembered_handover(request)
    accounts = accounts_managed_by(request.user).filter(pk__in=ids).order_by("username") if ids else []
    return _handover_sheet(request, list(accounts))


def _handover_sheet(request, accounts: list):
    context = {
        "handovers": [handover(request, account) for account in accounts],
        "login_url": request.build_absolute_uri(reverse("login")),
    }
    return render(request, "cadres/accounts/handover.html", context)
