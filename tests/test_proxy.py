"""Forwarded headers are believed from the configured proxies only (TRUSTED_PROXIES).

The client's address (the key of the login lockout) and the scheme come from
X-Forwarded-For and X-Forwarded-Proto only when the request itself comes from a
trusted proxy; anyone else sending them changes nothing.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from shared.middleware import client_ip
from tests.factories import TEST_PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


def address_of(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert address_of("203.0.113.5", "192.0.2.1") == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_client_that_is_not_a_trusted_proxy_is_known_by_its_own_address():
    assert address_of("203.0.113.5", "192.0.2.1") == "203.0.113.5"
    assert address_of("203.0.113.5", f"192.0.2.1, {PROXY}") == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_the_address_it_appended_counts():
    assert address_of(PROXY, "192.0.2.7") == "192.0.2.7"
    # Whatever the client wrote in front of it is not believed.
    assert address_of(PROXY, "198.51.100.1, 192.0.2.7") == "192.0.2.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "2001:db8::/64"])
def test_the_right_most_address_that_is_not_a_trusted_proxy_counts():
    assert address_of("10.0.0.2", "198.51.100.1, 192.0.2.7, 10.0.0.3") == "192.0.2.7"
    assert address_of("2001:db8::1", "2001:db8:1::9, 2001:0db8::2") == "2001:db8:1::9"
    assert address_of("::ffff:10.0.0.2", "192.0.2.7") == "192.0.2.7"
    assert address_of("10.0.0.2", "192.0.2.7 ,, 10.0.0.3 ") == "192.0.2.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_request_from_the_proxys_own_network_is_known_by_the_first_address():
    assert address_of("10.0.0.2", "10.0.0.9, 10.0.0.3") == "10.0.0.9"
    assert address_of("10.0.0.2") == "10.0.0.2"
    assert address_of("10.0.0.2", "") == "10.0.0.2"


@override_settings(TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize("forwarded", ["nonsense", "192.0.2.7:4431", "192.0.2.7, 256.1.1.1", "\x00"])
def test_an_address_the_proxy_did_not_write_is_not_taken_for_one(forwarded):
    # Not an address: the proxy's own stands in, never text that is not one.
    assert address_of(PROXY, forwarded) == PROXY


# The lockout, through the login page.


def login(client, username, password, address, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


@override_settings(TRUSTED_PROXIES=[PROXY], BEHIND_TLS_PROXY=True)
def test_a_client_cannot_escape_the_lockout_by_sending_x_forwarded_for(client):
    user = StaffUserFactory()
    for n in range(5):
        login(client, user.username, "wrong", "203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    refused = login(client, user.username, TEST_PASSWORD, "203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_trusted_proxy_each_client_has_its_own_lockout(client):
    user = StaffUserFactory()
    for n in range(5):
        login(client, user.username, "wrong", PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.7")
    assert login(client, user.username, TEST_PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 429
    assert login(client, user.username, TEST_PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="192.0.2.8").status_code == 302


# The scheme: X-Forwarded-Proto (BEHIND_TLS_PROXY) from the trusted proxy only.


@override_settings(
    TRUSTED_PROXIES=[PROXY], SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_SSL_REDIRECT=True
)
def test_only_the_trusted_proxy_says_the_request_came_over_https(client):
    url = reverse("login")
    from_proxy = client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert from_proxy.status_code == 200
    direct = client.get(url, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct.url.startswith("https://")


# The settings refuse what cannot work.


def settings_output(**environment) -> str:
    """What importing the production settings with `environment` prints (an ImproperlyConfigured among it)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "deployment.settings",
        "DEBUG": "false",
        "SECRET_KEY": "tests-only-not-secret",
        **environment,
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr


def test_the_setting_takes_addresses_and_networks():
    assert "['10.0.0.1', '10.1.0.0/16', '2001:db8::/32']" in settings_output(
        TRUSTED_PROXIES=" 10.0.0.1, 10.1.0.0/16 ,2001:db8::/32"
    )


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.example.vn", "10.0.0.1/24", "*"])
def test_the_setting_refuses_what_is_not_an_address_or_network(value):
    output = settings_output(TRUSTED_PROXIES=value)
    assert "ImproperlyConfigured" in output and "TRUSTED_PROXIES" in output


def test_a_tls_proxy_needs_its_address():
    output = settings_output(BEHIND_TLS_PROXY="true")
    assert "ImproperlyConfigured" in output and "TRUSTED_PROXIES" in output
    assert "ImproperlyConfigured" not in settings_output(BEHIND_TLS_PROXY="true", TRUSTED_PROXIES="10.0.0.1")
