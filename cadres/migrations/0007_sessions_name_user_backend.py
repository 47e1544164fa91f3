"""Sessions made before cadres.backends.UserBackend name Django's ModelBackend: name the new one instead.

Django signs out a session whose backend is no longer in AUTHENTICATION_BACKENDS;
with this, nobody has to sign in again after the upgrade.
"""

import logging

from django.db import migrations
from django.utils import timezone

BACKEND_SESSION_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY
OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "cadres.backends.UserBackend"


def _rename(apps, old: str, new: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    # A session signed with another SECRET_KEY decodes to {} and is left as it is, without a warning each.
    unreadable = logging.getLogger("django.security.SuspiciousSession")
    unreadable.disabled = True
    try:
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            data = store.decode(session.session_data)
            if data.get(BACKEND_SESSION_KEY) == old:
                data[BACKEND_SESSION_KEY] = new
                session.session_data = store.encode(data)
                session.save(update_fields=["session_data"])
    finally:
        unreadable.disabled = False


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0006_cadre_search_text"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
