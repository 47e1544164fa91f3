"""Each request's user is read with its roles and cadre record, and stays exactly as current."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import CADRE_GROUP, STAFF_GROUP, is_cadre, is_staff_member
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("cadres:dashboard")
MY_MISSION = reverse("phone:my_mission")


def test_signing_in_with_the_password_opens_the_staff_pages(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_password_signs_nobody_in(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": "not-the-password"})
    assert response.status_code == 200
    assert client.get(DASHBOARD).status_code == 302


def test_the_user_roles_and_cadre_record_are_one_query(cadre_client, cadre, django_assert_num_queries):
    backend = load_backend(cadre_client.session[BACKEND_SESSION_KEY])
    user_id = cadre_client.session[SESSION_KEY]
    with django_assert_num_queries(1):
        user = backend.get_user(user_id)
        assert (is_cadre(user), is_staff_member(user), user.cadre) == (True, False, cadre)


def test_a_user_taken_out_of_the_staff_group_is_refused_at_the_next_request(staff_client, staff_user):
    assert staff_client.get(DASHBOARD).status_code == 200
    staff_user.groups.remove(Group.objects.get(name=STAFF_GROUP))
    assert staff_client.get(DASHBOARD).status_code == 403


def test_a_deactivated_user_is_signed_out_at_the_next_request(staff_client, staff_user):
    staff_user.is_active = False
    staff_user.save()
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_a_cadre_record_is_refused_the_cadre_pages(client, django_user_model):
    user = django_user_model.objects.create_user("no-record", password=TEST_PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=CADRE_GROUP)[0])
    client.force_login(user)
    assert client.get(MY_MISSION).status_code == 403


def test_sessions_made_before_the_backend_keep_their_user_signed_in(client, staff_user):
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    renames = [
        import_module("cadres.migrations.0007_sessions_name_user_backend"),
        import_module("accounts.migrations.0002_sessions_name_accounts_backend"),
    ]
    old = SessionStore()
    old.update(
        {
            SESSION_KEY: str(staff_user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: staff_user.get_session_auth_hash(),
        }
    )
    old.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert client.get(DASHBOARD).status_code == 302  # Signed out: that backend is no longer listed.
    renames[0].forwards(apps, None)  # Named cadres.backends.UserBackend, which has moved to accounts.
    assert client.get(DASHBOARD).status_code == 302
    renames[1].forwards(apps, None)
    assert client.get(DASHBOARD).status_code == 200
