"""ReminderLog moves from reports to notices: the model's state only, its table stays as it is."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reports", "0007_change_history"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReminderLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=30, verbose_name="kind")),
                        ("recipient", models.EmailField(max_length=254, verbose_name="recipient")),
                        (
                            "object_key",
                            models.CharField(
                                help_text="e.g. assignment:12 or escalation:5", max_length=60, verbose_name="about"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="day")),
                        ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="sent at")),
                    ],
                    options={
                        "verbose_name": "reminder sent",
                        "verbose_name_plural": "reminders sent",
                        "db_table": "reports_reminderlog",
                        "ordering": ["-sent_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "recipient", "object_key", "day"), name="reminder_once_per_day"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
