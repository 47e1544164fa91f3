"""ReminderLog now lives in notices (notices/migrations/0001_initial.py); its table is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("reports", "0007_change_history"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReminderLog")],
            database_operations=[],
        ),
    ]
