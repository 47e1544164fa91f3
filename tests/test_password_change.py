"""Changing one's password: a wrong old password counts as a failed login, so guessing it is throttled too."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ngày 16 tháng 8, ba mươi ngày đồng hành"


def change(client, old_password: str, address: str = "10.0.0.1"):
    data = {"old_password": old_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=address)


@pytest.fixture
def user():
    return StaffUserFactory()


@pytest.fixture
def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_changes_the_password(signed_in, user):
    response = change(signed_in, TEST_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_is_a_form_error_and_a_failed_login(signed_in, user):
    response = change(signed_in, "wrong")
    assert response.status_code == 200
    assert response.context["form"].has_error("old_password", "password_incorrect")
    attempt = AccessAttempt.objects.get(username=user.username, ip_address="10.0.0.1")
    assert attempt.failures_since_start == 1
    # What was typed is not kept in the record of the attempt.
    assert "wrong" not in attempt.post_data and NEW_PASSWORD not in attempt.post_data


def test_five_wrong_old_passwords_lock_the_user_out(signed_in, user):
    for _ in range(4):
        assert change(signed_in, "wrong").status_code == 200
    locked = change(signed_in, "wrong")
    assert locked.status_code == 429
    assert "axes/lockout.html" in [template.name for template in locked.templates]
    # Even the right password changes nothing now, here or on the login page, from that address.
    assert change(signed_in, TEST_PASSWORD).status_code == 429
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    login = Client().post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert login.status_code == 429


def test_failed_logins_count_towards_the_password_change(signed_in, user):
    for _ in range(5):
        Client().post(reverse("login"), {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert change(signed_in, TEST_PASSWORD).status_code == 429
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
