"""Nominations (issue 15): a sending unit proposes cadres against the campaign's quota for it; the organisers
issue a decision for those they accept or decline with a reason; the unit reads both."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleKind
from cadres.models import Nomination, NominationStatus, Quota
from tests.conftest import _client_for
from tests.factories import CadreFactory, CampaignFactory, LocalityFactory, ProvincialUnitFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    today = timezone.localdate()
    organiser_unit = ProvincialUnitFactory(name="Ban Tổ chức Tỉnh ủy")
    campaign = CampaignFactory(
        organising_unit=organiser_unit,
        starts_on=today + datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=50),
    )
    health = ProvincialUnitFactory(name="Sở Y tế")
    finance = ProvincialUnitFactory(name="Sở Tài chính")
    district = LocalityFactory(name="Tân Uyên", kind="town", code="725")
    Quota.objects.create(campaign=campaign, unit=health, locality=district, count=2)
    Quota.objects.create(campaign=campaign, unit=finance, count=1)
    department = ProvincialUnitFactory(name="Phòng Nghiệp vụ Y", parent=health)
    return {
        "campaign": campaign,
        "health": health,
        "finance": finance,
        "district": district,
        "doctors": [CadreFactory(unit=health), CadreFactory(unit=department), CadreFactory(unit=health)],
        "accountant": CadreFactory(unit=finance),
        "health_user": RoleFactory(kind=RoleKind.UNIT, unit=health).user,
        "finance_user": RoleFactory(kind=RoleKind.UNIT, unit=finance).user,
        "organiser": RoleFactory(kind=RoleKind.ORGANISER, unit=organiser_unit).user,
        "other_organiser": RoleFactory(kind=RoleKind.ORGANISER).user,
    }


def _propose(client, scene, cadre, unit=None):
    url = reverse("cadres:nomination_list", args=[scene["campaign"].pk])
    return client.post(url, {"unit": (unit or scene["health"]).pk, "cadre": cadre.pk, "note": "Bác sĩ hồi sức"})


def test_a_unit_proposes_its_cadres_up_to_its_quota(scene):
    client = _client_for(scene["health_user"])
    first, from_department, third = scene["doctors"]
    assert _propose(client, scene, first).status_code == 302
    assert _propose(client, scene, from_department).status_code == 302  # Its departments' cadres are its own.
    # The quota is full: the page says so instead of a form, and a proposal sent anyway is refused.
    page = client.get(reverse("cadres:nomination_list", args=[scene["campaign"].pk]))
    assert page.context["form"] is None and page.context["closed"]
    assert _propose(client, scene, third).status_code == 302
    assert set(Nomination.objects.values_list("cadre_id", flat=True)) == {first.pk, from_department.pk}
    assert Nomination.objects.get(cadre=first).proposed_by == scene["health_user"]


def test_a_unit_proposes_neither_another_units_cadre_nor_the_same_cadre_twice(scene):
    client = _client_for(scene["health_user"])
    response = _propose(client, scene, scene["accountant"])
    assert response.status_code == 200 and response.context["form"].errors["cadre"]
    _propose(client, scene, scene["doctors"][0])
    again = _propose(client, scene, scene["doctors"][0])
    assert again.status_code == 200 and again.context["form"].errors["cadre"]
    # Nor for a unit it does not follow.
    other = _propose(client, scene, scene["accountant"], unit=scene["finance"])
    assert other.status_code == 200 and other.context["form"].errors["unit"]
    assert Nomination.objects.count() == 1


def test_someone_the_campaign_asks_nothing_of_proposes_nothing(scene):
    stranger = RoleFactory(kind=RoleKind.UNIT, unit=ProvincialUnitFactory()).user
    response = _propose(_client_for(stranger), scene, scene["doctors"][0])
    assert response.status_code == 404  # The campaign asks nothing of that unit: it does not even see it.
    organiser = _client_for(scene["organiser"])
    assert _propose(organiser, scene, scene["doctors"][0]).status_code == 302  # Sent back with a message.
    assert not Nomination.objects.exists()


def test_each_unit_reads_its_own_proposals_and_the_organisers_all(scene):
    _propose(_client_for(scene["health_user"]), scene, scene["doctors"][0])
    url = reverse("cadres:nomination_list", args=[scene["campaign"].pk])
    _client_for(scene["finance_user"]).post(url, {"unit": scene["finance"].pk, "cadre": scene["accountant"].pk})
    seen = {
        role: {n.cadre_id for n in _client_for(scene[role]).get(url).context["nominations"]}
        for role in ("health_user", "finance_user", "organiser")
    }
    assert seen == {
        "health_user": {scene["doctors"][0].pk},
        "finance_user": {scene["accountant"].pk},
        "organiser": {scene["doctors"][0].pk, scene["accountant"].pk},
    }
    assert _client_for(scene["other_organiser"]).get(url).status_code == 404


def test_the_organisers_decline_with_a_reason_the_unit_reads(scene):
    _propose(_client_for(scene["health_user"]), scene, scene["doctors"][0])
    nomination = Nomination.objects.get()
    url = reverse("cadres:nomination_decline", args=[nomination.pk])
    assert _client_for(scene["other_organiser"]).post(url, {"decline_reason": "x"}).status_code == 404
    assert _client_for(scene["health_user"]).post(url, {"decline_reason": "x"}).status_code == 403
    _client_for(scene["organiser"]).post(url, {"decline_reason": "   "})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PROPOSED
    _client_for(scene["organiser"]).post(url, {"decline_reason": "Đang trực chống dịch tại bệnh viện"})
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_by) == (NominationStatus.DECLINED, scene["organiser"])
    page = _client_for(scene["health_user"]).get(reverse("cadres:nomination_list", args=[scene["campaign"].pk]))
    assert "Đang trực chống dịch tại bệnh viện" in page.content.decode()
    # Declined, the cadre may be proposed again, and the quota counts them no more.
    assert _propose(_client_for(scene["health_user"]), scene, scene["doctors"][0]).status_code == 302


def test_the_proposals_chosen_become_a_decision_and_are_accepted(scene):
    client = _client_for(scene["health_user"])
    for doctor in scene["doctors"][:2]:
        _propose(client, scene, doctor)
    chosen = list(Nomination.objects.order_by("pk"))
    organiser = _client_for(scene["organiser"])
    to_decision = reverse("cadres:nominations_to_decision", args=[scene["campaign"].pk])
    response = organiser.get(to_decision, {"nomination": [n.pk for n in chosen]}, follow=True)
    rows = response.context["rows"]
    prefilled = [(form.initial.get("cadre"), form.initial.get("locality")) for form in rows.forms if form.initial]
    assert len(prefilled) == 2 and set(prefilled) == {(n.cadre.code, "725") for n in chosen}
    campaign = scene["campaign"]
    data = {
        "number": "12",
        "signed_on": campaign.starts_on.strftime("%d/%m/%Y"),
        "issuing_unit": str(campaign.organising_unit_id),
        "summary": "Về việc phân công cán bộ",
        "signing_authority": "T/M BAN THƯỜNG VỤ",
        "signer_position": "PHÓ BÍ THƯ",
        "signer_name": "Trần Văn Nam",
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "300",
    }
    for index, nomination in enumerate(chosen):
        data[f"rows-{index}-cadre"] = nomination.cadre.code
        data[f"rows-{index}-locality"] = "725"
        data[f"rows-{index}-starts_on"] = campaign.starts_on.strftime("%d/%m/%Y")
    assert organiser.post(reverse("cadres:decision_create", args=[campaign.pk]), data).status_code == 302
    for nomination in chosen:
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.ACCEPTED
        assert nomination.assignment.cadre_id == nomination.cadre_id
        assert nomination.assignment.locality == scene["district"]
    # The unit reads where each went.
    page = client.get(reverse("cadres:nomination_list", args=[campaign.pk])).content.decode()
    assert page.count("Tân Uyên") >= 2
