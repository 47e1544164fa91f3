"""A database outage answers 503 pages, rendered without the database, and the app recovers by itself.

The outage is simulated by making the connection's cursor fail, as it does when
the server has gone away; scripts/outage_check.sh does the same against a real,
stopped PostgreSQL cluster.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection, connections
from django.test import override_settings
from django.urls import reverse

from shared.middleware import outage_response, server_error
from tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(error: Exception | None = None):
    error = error or OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(connections["default"], "cursor", side_effect=error):
        yield


def assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert '<html lang="vi">' in page and 'class="site-header"' in page
    assert "Traceback" not in page and "server closed" not in page


def test_healthz_answers_503_when_the_database_is_down(client):
    with database_down():
        assert client.get(reverse("healthz")).status_code == 503
    assert client.get(reverse("healthz")).status_code == 200


@override_settings(DEBUG=False)
@pytest.mark.parametrize("error", [OperationalError("gone"), InterfaceError("connection already closed")])
def test_a_page_answers_503_not_500(staff_client, error):
    locality = LocalityFactory()
    staff_client.raise_request_exception = False
    with database_down(error):
        assert_outage_page(staff_client.get(reverse("cadres:locality_list")))
        assert_outage_page(staff_client.get(reverse("cadres:locality_detail", args=[locality.pk])))


@override_settings(DEBUG=False)
def test_the_login_page_answers_503_for_anonymous_users(client):
    client.raise_request_exception = False
    with database_down():
        response = client.post(reverse("login"), {"username": "someone", "password": "x"})
    assert_outage_page(response)


@override_settings(DEBUG=False)
def test_the_app_works_again_once_the_database_is_back(staff_client):
    staff_client.raise_request_exception = False
    with database_down():
        assert staff_client.get(reverse("cadres:locality_list")).status_code == 503
    assert staff_client.get(reverse("cadres:locality_list")).status_code == 200


def test_the_outage_page_is_rendered_without_the_database(rf, django_assert_num_queries):
    with database_down(), django_assert_num_queries(0):
        response = outage_response(rf.get("/"))
    assert_outage_page(response)


def test_an_outage_outside_a_view_also_answers_503(rf):
    # Django calls handler500 inside its own `except` block, as here.
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert_outage_page(response)


def test_other_errors_still_answer_500(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


def test_connections_are_checked_before_reuse():
    # What lets the app recover without a restart once PostgreSQL is back.
    if connection.vendor == "postgresql":
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    else:
        assert connection.settings_dict["CONN_MAX_AGE"] == 0
