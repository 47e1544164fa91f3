"""Every user's notices: the list, opening one, the channels they choose, and their devices' push subscriptions."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices import push
from notices.forms import PreferencesForm, SubscriptionForm
from notices.models import Notice, Preferences, PushSubscription
from notices.sending import cadre_email, mail_kept_here

PAGE_SIZE = 25


@login_required
def notice_list(request):
    notices = Notice.objects.of(request.user).only("kind", "title", "body", "url", "created_at", "read_at")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/notice_list.html", {"page_obj": page, "notices": page.object_list})


@login_required
def notice_open(request, pk):
    """Read, then on to the page it tells of (a tap on the phone's notification lands here)."""
    notice = get_object_or_404(Notice.objects.of(request.user), pk=pk)
    notice.mark_read()
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notices:list")


@login_required
@require_POST
def notice_read_all(request):
    count = Notice.objects.of(request.user).mark_read()
    messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
    return redirect("notices:list")


def _email_address(user) -> str:
    cadre = getattr(user, "cadre", None)
    return cadre_email(cadre) if cadre is not None else user.email


@login_required
def notice_settings(request):
    preferences = Preferences.of(request.user)
    form = PreferencesForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choice is saved."))
        return redirect("notices:settings")
    return render(
        request,
        "notices/notice_settings.html",
        {
            "form": form,
            "email": _email_address(request.user),
            "mail_kept_here": mail_kept_here(),
            "push_key": push.public_key(),
            "subscriptions": list(request.user.push_subscriptions.all()),
        },
    )


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# A subscription is well under a kilobyte; anything much larger is not one.
MAX_JSON_BYTES = 4096


def _json_object(request) -> dict | None:
    """The request's JSON object, or None when the body is not one (too large, not JSON, nested too deep)."""
    if len(request.body) > MAX_JSON_BYTES:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


@login_required
@require_POST
def push_subscribe(request):
    """The browser's PushSubscription.toJSON(), posted by static/js/push.js: stored for this user."""
    if not push.is_configured():
        return _json_error(_("Notifications on the phone are not set up on this server."), status=409)
    data = _json_object(request)
    if data is None:
        return _json_error(_("The browser's subscription could not be read."))
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    form = SubscriptionForm({"endpoint": data.get("endpoint"), "p256dh": keys.get("p256dh"), "auth": keys.get("auth")})
    if not form.is_valid():
        return _json_error(" ".join(error for errors in form.errors.values() for error in errors))
    try:
        with transaction.atomic():
            PushSubscription.subscribe(
                user=request.user, **form.cleaned_data, device=request.headers.get("User-Agent", "")
            )
    except ValidationError as error:
        return _json_error(" ".join(error.messages))
    except IntegrityError:  # the same browser subscribing twice at once: the other request stored it
        return JsonResponse({"ok": True}, status=201)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request):
    """A device removed from the settings page (pk), or by its own browser when it unsubscribes (endpoint)."""
    mine = request.user.push_subscriptions.all()
    if request.content_type == "application/json":
        data = _json_object(request)
        try:
            endpoint = SubscriptionForm.base_fields["endpoint"].clean(data.get("endpoint") if data else None)
        except ValidationError:
            return _json_error(_("The browser's subscription could not be read."))
        mine.filter(endpoint=endpoint).delete()
        return JsonResponse({"ok": True})
    try:
        pk = forms.IntegerField(min_value=1).clean(request.POST.get("pk"))
    except ValidationError:
        pk = None
    if pk is not None and mine.filter(pk=pk).delete()[0]:
        messages.success(request, _("That device no longer receives notifications."))
    return redirect("notices:settings")
