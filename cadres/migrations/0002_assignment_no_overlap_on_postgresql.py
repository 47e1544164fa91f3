"""On PostgreSQL the database itself refuses a cadre in two places at once.

An exclusion constraint over the inclusive date range, per cadre, means two
concurrent requests cannot both insert overlapping assignments. SQLite has no
such constraint; there the check runs inside an IMMEDIATE transaction (see
settings) which serialises writers.
"""

from django.db import migrations

CONSTRAINT = "assignment_cadre_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE cadres_assignment ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (cadre_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE cadres_assignment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
