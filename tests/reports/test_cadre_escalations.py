import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Escalation, EscalationStatus, Urgency
from tests.factories import AssignmentFactory, DailyNoteFactory, EscalationFactory

pytestmark = pytest.mark.django_db

NEW = reverse("reports:escalation_create")


def escalation_data(**overrides) -> dict:
    return {
        "subject": "Thiếu nhân lực lấy mẫu",
        "description": "Phường có 6 cán bộ y tế bị nhiễm, cần tỉnh tăng cường 10 người.",
        "category": "staffing",
        "urgency": Urgency.URGENT,
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(NEW)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_staff_the_form(staff_client):
    assert staff_client.get(NEW).status_code == 403


def test_it_shows_the_form(cadre_client, current_mission):
    response = cadre_client.get(NEW)
    assert response.status_code == 200
    assert isinstance(response.context["form"].initial["client_key"], uuid.UUID)


def test_it_needs_a_current_assignment(cadre_client):
    assert cadre_client.get(NEW).url == reverse("phone:my_mission")


def test_it_raises_the_issue(cadre_client, current_mission):
    response = cadre_client.post(NEW, escalation_data())
    escalation = Escalation.objects.get()
    assert response.url == reverse("reports:escalation_detail", args=[escalation.pk])
    assert escalation.assignment == current_mission
    assert escalation.urgency == Urgency.URGENT
    assert escalation.status == EscalationStatus.OPEN
    assert escalation.note is None


def test_it_links_the_issue_to_a_note(cadre_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=timezone.localdate() - datetime.timedelta(days=1))
    url = f"{NEW}?note={note.pk}"
    assert cadre_client.get(url).context["note"] == note
    cadre_client.post(url, escalation_data())
    assert Escalation.objects.get().note == note


def test_it_refuses_another_cadres_note(cadre_client, current_mission, other_cadre):
    theirs = DailyNoteFactory(assignment=AssignmentFactory(cadre=other_cadre, starts_on=current_mission.starts_on))
    assert cadre_client.get(f"{NEW}?note={theirs.pk}").status_code == 404
    assert cadre_client.post(f"{NEW}?note={theirs.pk}", escalation_data()).status_code == 404
    assert not Escalation.objects.exists()


def test_the_same_key_raises_one_issue(cadre_client, current_mission):
    data = escalation_data()
    first = cadre_client.post(NEW, data)
    second = cadre_client.post(NEW, data)
    assert Escalation.objects.count() == 1
    assert first.url == second.url


def test_it_refuses_an_incomplete_issue(cadre_client, current_mission):
    response = cadre_client.post(NEW, escalation_data(subject="", category="nonsense"))
    assert response.status_code == 200
    assert response.context["form"].has_error("subject", "required")
    assert response.context["form"].has_error("category", "invalid_choice")
    assert not Escalation.objects.exists()


def test_the_cadre_sees_the_provinces_answer(cadre_client, current_mission):
    escalation = EscalationFactory(
        assignment=current_mission, status=EscalationStatus.RESOLVED, answer="Sở Y tế đã cử 10 y sĩ."
    )
    response = cadre_client.get(reverse("reports:escalation_detail", args=[escalation.pk]))
    assert response.status_code == 200
    assert "Sở Y tế đã cử 10 y sĩ." in response.content.decode()


def test_the_detail_is_for_its_cadre_and_staff(cadre_client, other_cadre_client, staff_client, client, current_mission):
    url = reverse("reports:escalation_detail", args=[EscalationFactory(assignment=current_mission).pk])
    assert cadre_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 200
    assert other_cadre_client.get(url).status_code == 404
    assert client.get(url).url.startswith(reverse("login"))
