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


# Cadre pages (tests/reports/test_my_mission.py and the other cadre-side tests).
@pytest.fixture
def current_mission(cadre):
    """`cadre`'s 30-day assignment, on its 10th day today."""
    import datetime

    from django.utils import timezone

    from tests.factories import AssignmentFactory

    today = timezone.localdate()
    return AssignmentFactory(
        cadre=cadre, starts_on=today - datetime.timedelta(days=9), host_organisation="Thành đoàn Dĩ An"
    )


@pytest.fixture
def other_cadre_client(other_cadre):
    return _client_for(other_cadre.user)


# (end of cadre pages fixtures)
