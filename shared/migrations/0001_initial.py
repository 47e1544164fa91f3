"""The data versions of shared/caching.py, which lived in an app called "deployment" before.

A database that has that app's table keeps counting from its numbers, one further
on, so that no entry cached before the upgrade (in a shared cache) is read again.
"""

from django.db import migrations, models

TOPICS = ["records", "notes", "reports"]
OLD_TABLE = "deployment_dataversion"


def create_topics(apps, schema_editor):
    DataVersion = apps.get_model("shared", "DataVersion")
    numbers = dict.fromkeys(TOPICS, 1)
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT topic, number FROM {OLD_TABLE}")
            numbers.update({topic: number + 1 for topic, number in cursor.fetchall()})
    DataVersion.objects.bulk_create(
        [DataVersion(topic=topic, number=number) for topic, number in numbers.items()], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("topic", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("number", models.PositiveBigIntegerField(default=1)),
            ],
        ),
        migrations.RunPython(create_topics, migrations.RunPython.noop),
    ]
