import pytest
from django.urls import reverse

from reports.models import Escalation, EscalationCategory, EscalationStatus, Urgency
from shared.concurrency import version_of
from tests.factories import AssignmentFactory, EscalationFactory, LocalityFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def versioned(obj, data: dict) -> dict:
    """What a form opened on the object as it is stored posts (shared/concurrency.py)."""
    return {**data, "version": version_of(obj)}


INBOX = reverse("reports:escalation_inbox")


def _manage(escalation) -> str:
    return reverse("reports:escalation_manage", args=[escalation.pk])


@pytest.mark.parametrize("url", ["inbox", "manage"])
def test_it_sends_anonymous_users_to_login(client, url):
    response = client.get(INBOX if url == "inbox" else _manage(EscalationFactory()))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", ["inbox", "manage"])
def test_it_refuses_cadres_even_their_own(cadre_client, cadre, url):
    escalation = EscalationFactory(assignment=AssignmentFactory(cadre=cadre))
    assert cadre_client.get(INBOX if url == "inbox" else _manage(escalation)).status_code == 403


def test_it_lists_open_then_urgent_then_oldest_first(staff_client):
    resolved_urgent = EscalationFactory(urgency=Urgency.URGENT, status=EscalationStatus.RESOLVED)
    old_normal = EscalationFactory()
    new_urgent = EscalationFactory(urgency=Urgency.URGENT)
    old_urgent = EscalationFactory(urgency=Urgency.URGENT, status=EscalationStatus.IN_PROGRESS)
    Escalation.objects.filter(pk=old_urgent.pk).update(created_at=old_normal.created_at)
    response = staff_client.get(INBOX)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [old_urgent, new_urgent, old_normal, resolved_urgent]


def test_it_filters_by_status_urgency_category_and_locality(staff_client):
    district = LocalityFactory()
    inside = EscalationFactory(
        urgency=Urgency.URGENT,
        category=EscalationCategory.MEDICAL,
        assignment=AssignmentFactory(locality=LocalityFactory(parent=district)),
    )
    EscalationFactory(urgency=Urgency.URGENT, category=EscalationCategory.MEDICAL)
    EscalationFactory(status=EscalationStatus.RESOLVED)
    response = staff_client.get(
        INBOX, {"status": "open", "urgency": "urgent", "category": "medical", "locality": district.pk}
    )
    assert list(response.context["page"].object_list) == [inside]
    assert response.context["page"].paginator.count == 1
    assert staff_client.get(INBOX, {"status": "resolved"}).context["page"].paginator.count == 1


def test_staff_see_the_escalation(staff_client):
    escalation = EscalationFactory(subject="Thiếu kit xét nghiệm nhanh")
    response = staff_client.get(_manage(escalation))
    content = response.content.decode()
    assert response.status_code == 200 and "Thiếu kit xét nghiệm nhanh" in content
    assert reverse("reports:escalation_detail", args=[escalation.pk]) in content


def test_staff_assign_it_to_a_staff_member(staff_client):
    colleague = StaffUserFactory(first_name="Lan")
    escalation = EscalationFactory()
    response = staff_client.post(
        _manage(escalation), versioned(escalation, {"action": "assign", "assigned_to": colleague.pk})
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.assigned_to == colleague and escalation.status == EscalationStatus.IN_PROGRESS


def test_only_staff_members_can_be_assigned(staff_client):
    outsider = UserFactory()
    escalation = EscalationFactory()
    response = staff_client.post(
        _manage(escalation), versioned(escalation, {"action": "assign", "assigned_to": outsider.pk})
    )
    assert response.status_code == 200
    assert response.context["assign_form"].has_error("assigned_to", "invalid_choice")
    escalation.refresh_from_db()
    assert escalation.assigned_to is None


def test_the_answer_reaches_the_fields_the_cadre_reads(staff_client, staff_user):
    escalation = EscalationFactory()
    response = staff_client.post(
        _manage(escalation), versioned(escalation, {"action": "answer", "answer": "Sở Y tế cử 5 nhân viên y tế."})
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.answer == "Sở Y tế cử 5 nhân viên y tế."
    assert escalation.answered_at is not None
    assert escalation.status == EscalationStatus.IN_PROGRESS
    assert escalation.assigned_to == staff_user


def test_an_empty_answer_is_refused(staff_client):
    escalation = EscalationFactory()
    response = staff_client.post(_manage(escalation), versioned(escalation, {"action": "answer", "answer": "  "}))
    assert response.status_code == 200 and response.context["answer_form"].has_error("answer", "required")
    escalation.refresh_from_db()
    assert escalation.answered_at is None


def test_answering_can_resolve_at_once(staff_client):
    escalation = EscalationFactory()
    staff_client.post(
        _manage(escalation), versioned(escalation, {"action": "answer", "answer": "Đã xử lý.", "resolve": "on"})
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED


def test_resolving_needs_an_answer_first(staff_client):
    escalation = EscalationFactory()
    staff_client.post(_manage(escalation), versioned(escalation, {"action": "resolve"}))
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN
    escalation.answer = "Đã có phương án."
    escalation.save()
    assert staff_client.post(_manage(escalation), versioned(escalation, {"action": "resolve"})).status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED
    staff_client.post(_manage(escalation), versioned(escalation, {"action": "reopen"}))
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.IN_PROGRESS


def test_the_cadre_reads_the_answer_on_their_escalation_page(staff_client, cadre_client, cadre):
    escalation = EscalationFactory(assignment=AssignmentFactory(cadre=cadre))
    staff_client.post(
        _manage(escalation), versioned(escalation, {"action": "answer", "answer": "Tỉnh đã điều phối thêm máy thở."})
    )
    response = cadre_client.get(reverse("reports:escalation_detail", args=[escalation.pk]))
    assert response.status_code == 200
    assert "Tỉnh đã điều phối thêm máy thở." in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_escalations(staff_client, django_assert_max_num_queries, count):
    for _ in range(count):
        EscalationFactory(
            assignment=AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory())),
            assigned_to=StaffUserFactory(),
        )
    with django_assert_max_num_queries(12):
        response = staff_client.get(INBOX)
    assert response.context["page"].paginator.count == count
