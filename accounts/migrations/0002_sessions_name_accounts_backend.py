"""Sessions name cadres.backends.UserBackend, which is accounts.backends.UserBackend now: rename it in them.

Django signs out a session whose backend is no longer in AUTHENTICATION_BACKENDS;
with this, nobody has to sign in again after the upgrade.
"""

import importlib

from django.db import migrations

OLD = "cadres.backends.UserBackend"
NEW = "accounts.backends.UserBackend"

# The renaming written for the previous move of the backend (a module name that starts with a digit).
_rename = importlib.import_module("cadres.migrations.0007_sessions_name_user_backend")._rename


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cadres", "0007_sessions_name_user_backend"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
