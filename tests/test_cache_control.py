"""Signed-in pages are kept by no shared cache: a phone passed between cadres, an office proxy.

Every response to a signed-in user carries `Cache-Control: private, no-store`
unless the view chose its own (a note's photo, the service worker, the manifest);
static files keep whitenoise's. The cadre's offline pages are unaffected: the
service worker keeps them through the Cache API, which ignores Cache-Control.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


@pytest.fixture
def cadre_world(mission_world):
    client = Client()
    client.force_login(mission_world["own"]["cadre"].user)
    return {**mission_world["own"], "client": client}


@pytest.mark.parametrize(
    "page",
    [
        reverse("cadres:dashboard"),
        reverse("cadres:assignment_list"),
        reverse("reports:notes_inbox"),
        reverse("cadres:assignment_export"),
        reverse("password_change"),
        "/no-such-page/",
        reverse("phone:my_mission"),  # another role's page: 403
        reverse("home"),  # a redirect
    ],
)
def test_a_staff_members_answers_are_not_stored(staff_client, page):
    staff_client.raise_request_exception = False
    assert staff_client.get(page)["Cache-Control"] == NO_STORE


def test_a_cadres_pages_are_not_stored(cadre_world):
    client = cadre_world["client"]
    for url in (
        reverse("phone:my_mission"),
        reverse("reports:note_create"),
        reverse("reports:note_detail", args=[cadre_world["note"].pk]),
        reverse("phone:outbox"),
    ):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code in (200, 302), url  # today's note is written: the note page opens it
        assert response["Cache-Control"] == NO_STORE, url


def test_a_form_post_answer_is_not_stored(staff_client):
    response = staff_client.post(reverse("cadres:campaign_create"), {})
    assert response.status_code == 200 and response["Cache-Control"] == NO_STORE


def test_a_view_that_chose_its_own_keeps_it(cadre_world):
    client = cadre_world["client"]
    photo = client.get(reverse("reports:note_photo", args=[cadre_world["note"].pk]))
    assert photo.status_code == 200 and photo["Cache-Control"] == "private, max-age=86400"
    assert client.get(reverse("phone:service_worker"))["Cache-Control"] == "no-cache"
    assert client.get(reverse("phone:manifest"))["Cache-Control"] == "no-cache"


def test_static_files_keep_whitenoises_header(staff_client):
    response = staff_client.get(settings.STATIC_URL + "css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]


def test_an_anonymous_page_is_left_as_it_is(client):
    client.raise_request_exception = False
    assert "Cache-Control" not in client.get("/no-such-page/")


def test_the_page_after_signing_in_is_not_stored(client):
    user = StaffUserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200 and response["Cache-Control"] == NO_STORE
