"""UserPreference moves from cadres to accounts: the model's state only, its table stays as it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cadres", "0010_change_history"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UserPreference",
                    fields=[
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="preference",
                                serialize=False,
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user account",
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                choices=[("vi", "Vietnamese"), ("en", "English")],
                                max_length=8,
                                verbose_name="interface language",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "user preference",
                        "verbose_name_plural": "user preferences",
                        "db_table": "cadres_userpreference",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
