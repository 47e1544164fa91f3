import pytest
from django.core.cache import cache
from django.test import Client

from shared import caching
from tests.factories import CadreUserFactory, StaffUserFactory, UserFactory


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    """Each test starts with nothing cached (list fragments, dashboard figures, the filters' choices).

    A test's transaction is never committed: the data versions move on at once, as a commit would
    make them (tests/test_caching.py checks the real thing, with commits), and a refresh meant for the
    background runs on the request.
    """
    cache.clear()
    caching.forget_versions()
    monkeypatch.setattr(caching, "on_commit", lambda func, robust=False: func())
    monkeypatch.setattr(caching, "in_background", lambda work: work())


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


# Two cadres on mission with one of everything a page can show
# (tests/test_access_matrix.py, tests/test_fuzz_forms.py).
def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _mission_of(cadre, *, today, campaign, decision, locality) -> dict:
    """A finished assignment with its submitted report, and a current one in its last days with today's note."""
    import datetime

    from django.core.files.base import ContentFile

    from tests.factories import (
        AssignmentFactory,
        DailyNoteFactory,
        EscalationFactory,
        MissionReportFactory,
        RecommendationFactory,
    )

    past = AssignmentFactory(
        cadre=cadre,
        campaign=campaign,
        decision=decision,
        locality=locality,
        starts_on=today - datetime.timedelta(days=70),
    )
    report = MissionReportFactory(assignment=past)
    recommendation = RecommendationFactory(report=report)
    # Ends in three days: the end-of-mission report is open.
    current = AssignmentFactory(
        cadre=cadre,
        campaign=campaign,
        decision=decision,
        locality=locality,
        starts_on=today - datetime.timedelta(days=26),
    )
    note = DailyNoteFactory(assignment=current, day=today)
    note.photo.save("photo.png", ContentFile(_png_bytes()), save=True)
    escalation = EscalationFactory(assignment=current, note=note)
    return {
        "cadre": cadre,
        "past_assignment": past,
        "assignment": current,
        "note": note,
        "escalation": escalation,
        "report": report,
        "recommendation": recommendation,
    }


@pytest.fixture
def mission_world(db):
    import datetime

    from django.utils import timezone

    from cadres.models import Quota
    from tests.factories import (
        CadreUserFactory,
        CampaignFactory,
        DecisionFactory,
        LocalityFactory,
        ZoneStatusFactory,
    )

    today = timezone.localdate()
    district = LocalityFactory(name="Dĩ An", kind="city")
    locality = LocalityFactory(name="Đông Hòa", parent=district)
    ZoneStatusFactory(locality=locality, valid_from=today - datetime.timedelta(days=90))
    campaign = CampaignFactory(
        starts_on=today - datetime.timedelta(days=90), ends_on=today + datetime.timedelta(days=30)
    )
    decision = DecisionFactory(campaign=campaign, signed_on=campaign.starts_on)
    Quota.objects.create(campaign=campaign, unit=campaign.organising_unit, locality=locality, count=2)
    places = {"today": today, "campaign": campaign, "decision": decision, "locality": locality}
    return {
        **places,
        "district": district,
        "own": _mission_of(CadreUserFactory(), **places),
        "others": _mission_of(CadreUserFactory(), **places),
    }


# (end of two cadres on mission)
