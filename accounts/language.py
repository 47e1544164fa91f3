"""Vietnamese first: the interface language is the user's own choice, never the browser's guess.

Many officers' phones and computers are set to English; the office works in
Vietnamese. So the browser's Accept-Language is ignored: the language is the
one the user picked with the switch in the header (kept on their account and
copied into the session at login), else Vietnamese.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.i18n import set_language as django_set_language

from accounts.models import UserPreference

SESSION_KEY = "interface_language"
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(request) -> str:
    session = getattr(request, "session", None)
    language = session.get(SESSION_KEY) if session is not None else None
    if language not in SUPPORTED:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in SUPPORTED else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Replaces LocaleMiddleware (which would follow Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


def set_language(request):
    """The header's language switch: Django's view, plus remembering the choice for the user."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and language in SUPPORTED:
        request.session[SESSION_KEY] = language
        if request.user.is_authenticated:
            UserPreference.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@receiver(user_logged_in, dispatch_uid="language_from_preference")
def restore_language(sender, request, user, **kwargs):
    if request is None:
        return
    preference = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if preference:
        request.session[SESSION_KEY] = preference
