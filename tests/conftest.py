import pytest
from django.test import Client

from tests.factories import CadreUserFactory, StaffUserFactory, UserFactory


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def cadre(db):
    """A cadre with a login."""
    return CadreUserFactory()


@pytest.fixture
def other_cadre(db):
    return CadreUserFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    return _client_for(staff_user)


@pytest.fixture
def cadre_client(cadre):
    return _client_for(cadre.user)
