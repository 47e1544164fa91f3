import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import UserPreference

pytestmark = pytest.mark.django_db


def test_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_the_switch_changes_the_language_for_the_visitor(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_the_choice_is_remembered_on_the_account_across_devices(staff_user):
    laptop = Client()
    laptop.force_login(staff_user)
    laptop.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert UserPreference.objects.get(user=staff_user).language == "en"

    phone = Client()
    phone.force_login(staff_user)
    assert '<html lang="en">' in phone.get(reverse("cadres:dashboard")).content.decode()


def test_an_unknown_language_changes_nothing(staff_client, staff_user):
    staff_client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=staff_user).exists()
    assert '<html lang="vi">' in staff_client.get(reverse("cadres:dashboard")).content.decode()
