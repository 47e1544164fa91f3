"""Hardened settings: response headers, login throttling, error pages and `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import include, path, reverse

from notices.push import new_private_key
from tests.factories import TEST_PASSWORD, LocalityFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


# A urlconf for these tests only: the project's URLs plus views that fail on purpose.
def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("test-only/boom/", _raise(RuntimeError("secret detail of the failure"))),
    path("test-only/forbidden/", _raise(PermissionDenied())),
    path("test-only/suspicious/", _raise(SuspiciousOperation("spoofed"))),
    path("", include("deployment.urls")),
]
handler500 = "shared.middleware.server_error"

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_hardened(response):
    assert csp_directives(response) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy and "geolocation=()" in policy and "microphone=()" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def assert_no_inline_code(html: str):
    """What the CSP would block: inline scripts, event handler attributes, style attributes and blocks."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
    assert not re.search(r"<[^>]+\sstyle\s*=", html)
    assert "<style" not in html


# Headers


def test_every_header_is_on_a_page(client):
    assert_hardened(client.get(reverse("login")))


def test_every_header_is_on_a_staff_page(staff_client):
    response = staff_client.get(reverse("cadres:locality_list"))
    assert response.status_code == 200
    assert_hardened(response)


def test_every_header_is_on_an_error_page_and_a_static_file(client):
    assert_hardened(client.get("/no-such-page/"))
    static = client.get(settings.STATIC_URL + "css/site.css")
    assert static.status_code == 200
    assert "Permissions-Policy" in static and "Content-Security-Policy" in static


def test_hsts_is_sent_over_https(client):
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@override_settings(SECURE_HSTS_SECONDS=0)
def test_hsts_follows_the_setting(client):
    assert "Strict-Transport-Security" not in client.get(reverse("login"), secure=True)


def test_pages_carry_no_inline_code(client, staff_client):
    locality = LocalityFactory()
    assert_no_inline_code(client.get(reverse("login")).content.decode())
    for url in (
        reverse("cadres:locality_list"),
        reverse("cadres:locality_detail", args=[locality.pk]),
    ):
        assert_no_inline_code(staff_client.get(url).content.decode())


def test_admin_works_under_the_policy(superuser, client):
    client.force_login(superuser)
    locality = LocalityFactory()
    for url in (
        reverse("admin:index"),
        reverse("admin:localities_locality_changelist"),
        reverse("admin:localities_locality_change", args=[locality.pk]),
        reverse("admin:auth_user_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hardened(response)
        assert_no_inline_code(response.content.decode())


# Login throttling


def login(client, username, password, address="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_from_that_address(client):
    user = StaffUserFactory()
    for _ in range(4):
        assert login(client, user.username, "wrong").status_code == 200
    locked = login(client, user.username, "wrong")
    assert locked.status_code == 429
    refused = login(client, user.username, TEST_PASSWORD)
    assert refused.status_code == 429
    assert not is_logged_in(client)
    page = refused.content.decode()
    assert '<html lang="vi">' in page and 'class="site-header"' in page
    assert "axes/lockout.html" in [template.name for template in refused.templates]


def test_the_lockout_page_says_when_to_try_again(client):
    user = StaffUserFactory()
    for _ in range(5):
        login(client, user.username, "wrong")
    client.cookies["django_language"] = "en"  # the language switch's choice
    response = login(client, user.username, TEST_PASSWORD)
    assert "30 minutes" in response.content.decode()


def test_the_lock_is_per_username_and_address(client):
    user = StaffUserFactory()
    other = StaffUserFactory()
    for _ in range(5):
        login(client, user.username, "wrong")
    assert login(client, other.username, TEST_PASSWORD).status_code == 302
    client.logout()
    assert login(client, user.username, TEST_PASSWORD, address="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_count(client):
    user = StaffUserFactory()
    for _ in range(4):
        login(client, user.username, "wrong")
    assert login(client, user.username, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, user.username, "wrong")
    assert login(client, user.username, TEST_PASSWORD).status_code == 302


def test_an_administrator_unlocks_with_axes_reset(client):
    user = StaffUserFactory()
    for _ in range(5):
        login(client, user.username, "wrong")
    call_command("axes_reset_username", user.username, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert login(client, user.username, TEST_PASSWORD).status_code == 302


def test_forwarded_addresses_are_ignored_without_the_proxy(client):
    user = StaffUserFactory()
    for n in range(5):
        login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert login(client, user.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_the_proxy_the_address_it_forwarded_counts(client):
    user = StaffUserFactory()
    for _ in range(5):
        # A forged first entry changes nothing: the proxy appended the real one.
        login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{_}, 192.0.2.7")
    assert login(client, user.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 429
    assert login(client, user.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.8").status_code == 302


def test_passwords_are_checked_by_the_validators():
    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("ngày 16 tháng 8, ba mươi ngày đồng hành")


# Error pages, with DEBUG off as in production


def assert_site_page_without_leak(response, status):
    assert response.status_code == status
    page = response.content.decode()
    assert '<html lang="vi">' in page and 'class="site-header"' in page
    assert "Traceback" not in page and "secret detail" not in page
    assert settings.SECRET_KEY not in page and "DATABASES" not in page


@override_settings(DEBUG=False)
@pytest.mark.urls("tests.test_security")
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/test-only/suspicious/", 400),
        ("/test-only/forbidden/", 403),
        ("/no-such-page/", 404),
        ("/test-only/boom/", 500),
    ],
)
def test_error_pages_are_in_the_site_layout(client, url, status):
    client.raise_request_exception = False
    response = client.get(url)
    assert_site_page_without_leak(response, status)
    assert_hardened(response)


@override_settings(DEBUG=False)
@pytest.mark.urls("tests.test_security")
def test_a_staff_members_error_page_keeps_the_menu(staff_client):
    staff_client.raise_request_exception = False
    response = staff_client.get("/test-only/forbidden/")
    assert_site_page_without_leak(response, 403)
    assert reverse("cadres:locality_list") in response.content.decode()


def test_an_expired_form_gets_the_site_page(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    locality = LocalityFactory()
    response = client.post(
        reverse("cadres:locality_grade", args=[locality.pk]), {"grading": "red", "valid_from": "2021-08-01"}
    )
    assert_site_page_without_leak(response, 403)
    assert not locality.zone_statuses.exists()


# check --deploy


def test_check_deploy_prints_no_warning():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "deployment.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.vn",
        "EMAIL_URL": "smtp://mail.example.vn:25",  # without it the notices' emails warn (notices/checks.py)
        "VAPID_PRIVATE_KEY": new_private_key(),  # without it check --deploy says push is off
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
