"""CI's five-second smoke of scripts/load_notes.py: gunicorn on PostgreSQL, 20 cadres filing notes.

The script needs a PostgreSQL cluster (it creates a database of its own on it), so it
runs only when the suite does; on SQLite it is skipped.
"""

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _smoke_database_url() -> str:
    """A database beside the test database, on the same cluster."""
    params = connection.settings_dict
    user = quote(params["USER"] or "postgres")
    password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}_load_smoke"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the load script runs gunicorn on PostgreSQL only")
def test_the_load_script_loses_no_note_in_five_seconds():
    result = subprocess.run(
        [
            sys.executable,
            "scripts/load_notes.py",
            "--seconds",
            "5",
            "--cadres",
            "20",
            "--database-url",
            _smoke_database_url(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RESULT: OK" in result.stdout
