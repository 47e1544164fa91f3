"""dh_fold() and dh_name_key() in PostgreSQL, with the indexes that make them fast.

SQLite gets the same functions from Python on every connection
(LocalitiesConfig.ready); see shared/vietnamese.py.
"""

from django.db import migrations

from shared.vietnamese import postgresql_functions_sql

INDEXES = [
    "CREATE INDEX IF NOT EXISTS cadre_name_folded_trgm ON cadres_cadre USING gin (dh_fold(full_name) gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS cadre_name_key ON cadres_cadre ((dh_name_key(full_name) COLLATE "C"))',
    "CREATE INDEX IF NOT EXISTS locality_name_folded_trgm ON localities_locality USING gin (dh_fold(name) gin_trgm_ops)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in postgresql_functions_sql() + INDEXES:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ["cadre_name_folded_trgm", "cadre_name_key", "locality_name_folded_trgm"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS dh_fold(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS dh_name_key(text)")


class Migration(migrations.Migration):
    dependencies = [("localities", "0001_initial"), ("cadres", "0002_assignment_no_overlap_on_postgresql")]

    operations = [migrations.RunPython(create, drop)]
