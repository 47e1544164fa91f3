"""How the phone's outbox (static/js/outbox.js) and the cadre's write views understand each other.

Every cadre form is sent by the outbox with `Accept: application/json`, or posted as a
plain form where JavaScript is missing; both reach the same views. The outbox keeps
each entry on the phone until the server has answered for it:

- 200 `{"ok": true, "url": ...}`: stored, the first time or on a retry (the same key
  is answered with what was stored); the entry leaves the phone.
- 400, 409 or 413 `{"ok": false, "errors": ..., "message": ...}`: refused (the day has a
  note from another device, the mission is over, a field is invalid, someone saved
  first, the body is too large); the entry stays on the phone with the message until the cadre fixes and
  sends it again or deletes it.
- Anything else (the login page, a refused CSRF token, a server error, a network
  failure, `{"retry": true}`): the entry waits and is sent again later.

An entry belongs to the cadre who wrote it: it carries `X-Outbox-User`, and one sent
while someone else is signed in on the phone is answered `{"retry": true}` and waits.
"""

from functools import wraps

from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect

USER_HEADER = "X-Outbox-User"


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def outbox_write(view):
    """Keep an entry written by another cadre on this phone waiting, instead of filing it under this user."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        owner = request.headers.get(USER_HEADER)
        if request.method == "POST" and owner is not None and owner != str(request.user.pk):
            return JsonResponse({"ok": False, "retry": True, "code": "other_user"}, status=409)
        return view(request, *args, **kwargs)

    return wrapped


def saved(request, url: str, *, message: str):
    """The write is stored: go to `url` (a form) or say where it is (the outbox)."""
    if wants_json(request):
        return JsonResponse({"ok": True, "url": url, "message": message})
    messages.success(request, message)
    return redirect(url)


def refusal(errors: ErrorDict, *, message: str, status: int = 400) -> JsonResponse:
    """Refused: the phone keeps the entry and shows `message` and the errors of each field."""
    return JsonResponse({"ok": False, "errors": errors.get_json_data(), "message": message}, status=status)


def first_error(errors: ErrorDict, fallback: str) -> str:
    """The reason to show with the entry: the first error not tied to a field, else the first of a field."""
    general = errors.get("__all__")
    if general:
        return general[0]
    return next((field_errors[0] for field_errors in errors.values() if field_errors), fallback)
