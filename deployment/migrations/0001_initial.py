from django.db import migrations, models

TOPICS = ["records", "notes", "reports"]


def create_topics(apps, schema_editor):
    DataVersion = apps.get_model("deployment", "DataVersion")
    DataVersion.objects.bulk_create([DataVersion(topic=topic) for topic in TOPICS], ignore_conflicts=True)


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
