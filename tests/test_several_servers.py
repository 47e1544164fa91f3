"""Two app servers behind a load balancer: nothing a request needs stays on the server that made it.

Two gunicorn processes, each with its own media folder and its own memory cache, share one
PostgreSQL database: a real one, committed, beside the test database, created, migrated and
dropped here (as scripts/load_notes.py does). One visitor's requests go to either server, as a
load balancer sends them: the login made on A is used on B, a roster previewed on A is
confirmed on B, and the assignment list cached on A shows at once the change confirmed on B.
"""

import http.client
import os
import secrets
import subprocess
import sys
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from scripts.load_notes import HOST, free_port, recreate_database, start_gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hai-may-chu-dung-chung"
# Static files are served from the app folders: nothing is collected into the checkout.
SETTINGS = '''"""deployment.settings for tests/test_several_servers.py: static files without collectstatic."""
from deployment.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
'''
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from tests.test_several_servers import seed
seed()
"""
ROSTER = (
    "Họ và tên,Chức vụ,Đơn vị,Phòng/Ban,Điện thoại,Email,Đảng viên,Mã cán bộ\n"
    "Lâm Thái Nguyên,Chuyên viên,Tỉnh đoàn,,,,,TD-003\n"
    "Trương Đinh Ngọc Mai,Chuyên viên,Tỉnh đoàn,,,,có,TD-001\n"
)


def seed() -> None:
    """Run in the servers' database by SETUP: a staff member, and a cadre on an assignment."""
    from tests.factories import AssignmentFactory, CadreFactory, ProvincialUnitFactory, StaffUserFactory

    StaffUserFactory(username="vanphong", password=PASSWORD)
    unit = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    AssignmentFactory(cadre=CadreFactory(code="TD-003", full_name="Lâm Nguyên", unit=unit))


def _database_url() -> str:
    """A database beside the test database, on the same cluster."""
    params = connection.settings_dict
    user = quote(params["USER"] or "postgres")
    password = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}_two_servers"


class Visitor:
    """One browser: its cookies go to whichever server answers, as behind a load balancer."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: bytes = b"", headers=None) -> tuple[int, str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        client = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            client.request(method, path, body, {"Cookie": cookie, **(headers or {})})
            response = client.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.getheader("Location", ""), response.read().decode()
        finally:
            client.close()

    def get(self, port: int, path: str) -> tuple[int, str, str]:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, fields: dict, files: dict | None = None) -> tuple[int, str, str]:
        """A form with the CSRF token, multipart as a browser sends it."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.cookies["csrftoken"], **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in (files or {}).items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(head.encode() + b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(port, "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture
def servers(tmp_path):
    """Ports and media folders of servers A and B, on a database of their own."""
    database_url = _database_url()
    (tmp_path / "two_servers_settings.py").write_text(SETTINGS)
    env = {name: value for name, value in os.environ.items() if name != "CACHE_URL"}  # each its own memory cache
    env.update(
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="two_servers_settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),  # the same on every server, as in production
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
    )
    recreate_database(database_url)
    processes = []
    try:
        subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=300)
        found = {}
        for name in "AB":
            media = tmp_path / f"media_{name}"
            media.mkdir()
            port = free_port()
            server_env = {**env, "MEDIA_ROOT": str(media)}
            processes.append(start_gunicorn(server_env, port, 1, 2, tmp_path / f"gunicorn_{name}.log"))
            found[name] = (port, media)
        yield found
    finally:
        for process in processes:
            stop(process)
        _drop(database_url)


def _drop(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two servers share one database only on PostgreSQL (SQLite is a file)"
)
def test_a_visitor_moves_between_two_servers_and_sees_one_site(servers):
    (a, media_a), (b, media_b) = servers["A"], servers["B"]
    visitor = Visitor()

    # A session made on A is used on B.
    visitor.get(a, "/accounts/login/")
    status, location, _ = visitor.post(a, "/accounts/login/", {"username": "vanphong", "password": PASSWORD})
    assert status == 302 and "login" not in location
    status, _, page = visitor.get(b, "/assignments/")
    assert status == 200 and "Lâm Nguyên<" in page

    # The list is cached on A.
    status, _, page = visitor.get(a, "/assignments/")
    assert status == 200 and "Lâm Nguyên<" in page

    # A roster previewed on A is confirmed on B.
    status, preview, _ = visitor.post(a, "/cadres/import/", {}, {"file": ("danh-sach.csv", ROSTER.encode())})
    assert status == 302 and preview.startswith("/cadres/import/"), preview
    status, _, page = visitor.get(b, preview)
    assert status == 200 and "danh-sach.csv" in page and "TD-001" in page
    status, location, _ = visitor.post(b, preview + "confirm/", {})
    assert (status, location) == (302, "/cadres/")

    # The change made through B shows at once in the list A had cached.
    status, _, page = visitor.get(a, "/assignments/")
    assert status == 200 and "Lâm Thái Nguyên" in page and "Lâm Nguyên<" not in page

    # Neither server kept anything on its own disk.
    assert not [*media_a.rglob("*"), *media_b.rglob("*")]
