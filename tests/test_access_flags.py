"""The detail pages a cadre and staff both read offer each only what they may do (reports/access.py's can_*)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page(user, name: str, pk: int) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_staff_may_review_a_report_and_read_how_its_recommendations_are_tracked(mission_world, staff_user):
    report, recommendation = mission_world["own"]["report"], mission_world["own"]["recommendation"]
    page = _page(staff_user, "reports:report_detail", report.pk)
    assert reverse("reports:report_review", args=[report.pk]) in page
    assert f'class="badge {recommendation.status}"' in page


def test_its_cadre_reads_their_report_without_the_provinces_side(mission_world):
    own = mission_world["own"]
    report, recommendation = own["report"], own["recommendation"]
    page = _page(own["cadre"].user, "reports:report_detail", report.pk)
    assert reverse("reports:report_review", args=[report.pk]) not in page
    assert f'class="badge {recommendation.status}"' not in page
    # Submitted, it can no longer be revised.
    assert reverse("reports:report_edit", args=[report.assignment_id]) not in page


def test_staff_may_handle_an_escalation_its_cadre_may_not(mission_world, staff_user):
    own = mission_world["own"]
    escalation = own["escalation"]
    manage = reverse("reports:escalation_manage", args=[escalation.pk])
    assert manage in _page(staff_user, "reports:escalation_detail", escalation.pk)
    assert manage not in _page(own["cadre"].user, "reports:escalation_detail", escalation.pk)


def test_only_its_cadre_may_change_a_note(mission_world, staff_user):
    own = mission_world["own"]
    note = own["note"]
    edit = reverse("reports:note_edit", args=[note.pk])
    assert edit in _page(own["cadre"].user, "reports:note_detail", note.pk)
    assert edit not in _page(staff_user, "reports:note_detail", note.pk)
