import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_home_sends_staff_to_the_dashboard(staff_client):
    assert staff_client.get(reverse("home")).url == reverse("cadres:dashboard")


def test_home_sends_cadres_to_their_mission(cadre_client):
    assert cadre_client.get(reverse("home")).url == reverse("phone:my_mission")


def test_home_tells_a_user_without_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("home")).status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("cadres:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_dashboard_refuses_cadres(cadre_client):
    assert cadre_client.get(reverse("cadres:dashboard")).status_code == 403


def test_my_mission_refuses_staff(staff_client):
    assert staff_client.get(reverse("phone:my_mission")).status_code == 403


def test_healthz_answers_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_answers_a_probe_by_address_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["donghanh.example.vn"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_other_pages_still_refuse_an_unknown_host(client, settings):
    settings.ALLOWED_HOSTS = ["donghanh.example.vn"]
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400
