"""UserPreference now lives in accounts (accounts/migrations/0001_initial.py); its table is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cadres", "0010_change_history"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UserPreference")],
            database_operations=[],
        ),
    ]
