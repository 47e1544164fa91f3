import datetime

import pytest
from django.urls import reverse

from cadres.models import Assignment
from localities.models import LocalityKind
from shared.concurrency import version_of
from tests.factories import AssignmentFactory, CadreFactory, DecisionFactory, LocalityFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return LocalityFactory(kind=LocalityKind.CITY, name="Tân Uyên", parent=LocalityFactory(kind=LocalityKind.PROVINCE))


@pytest.fixture
def assignment(district):
    decision = DecisionFactory()
    return AssignmentFactory(
        campaign=decision.campaign,
        decision=decision,
        locality=LocalityFactory(name="Uyên Hưng", parent=district),
        starts_on=D(2021, 8, 17),
        ends_on=D(2021, 9, 15),
    )


@pytest.fixture
def later_conflict(assignment, district):
    """The same cadre, elsewhere, from 20/09/2021: extending past 19/09 would overlap."""
    return AssignmentFactory(
        cadre=assignment.cadre,
        campaign=assignment.campaign,
        locality=LocalityFactory(name="Tân Phước Khánh", parent=district),
        starts_on=D(2021, 9, 20),
        ends_on=D(2021, 10, 19),
    )


def url(name, assignment):
    return reverse(f"cadres:{name}", args=[assignment.pk])


def versioned(assignment, data: dict) -> dict:
    """What a form opened on the assignment as it is stored posts (shared/concurrency.py)."""
    return {**data, "version": version_of(assignment)}


ACTIONS = ["assignment_detail", "assignment_edit", "assignment_extend", "assignment_recall", "assignment_replace"]


@pytest.mark.parametrize("name", ACTIONS)
def test_each_page_sends_anonymous_users_to_login(client, assignment, name):
    response = client.get(url(name, assignment))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ACTIONS)
def test_each_page_refuses_cadres(cadre_client, assignment, name):
    assert cadre_client.get(url(name, assignment)).status_code == 403


@pytest.mark.parametrize("name", ACTIONS)
def test_each_page_opens_for_staff(staff_client, assignment, name):
    response = staff_client.get(url(name, assignment))
    assert response.status_code == 200
    assert assignment.cadre.full_name in response.content.decode()


def test_cadres_cannot_post_an_action(cadre_client, assignment):
    response = cadre_client.post(
        url("assignment_recall", assignment), versioned(assignment, {"on": "2021-08-20", "reason": "x"})
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.recalled_on is None


def test_an_unknown_assignment_is_not_found(staff_client):
    assert staff_client.get(reverse("cadres:assignment_detail", args=[999999])).status_code == 404


def test_the_detail_shows_decision_campaign_and_status(staff_client, assignment):
    html = staff_client.get(url("assignment_detail", assignment)).content.decode()
    assert assignment.decision.reference in html
    assert assignment.campaign.name in html
    assert "Uyên Hưng" in html


def edit_data(assignment, **changes):
    data = {
        "locality": assignment.locality.pk,
        "host_organisation": "Thị đoàn Tân Uyên",
        "tasks": assignment.tasks,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
    }
    return {**data, **changes}


def test_edit_saves_and_redirects(staff_client, assignment, district):
    other_ward = LocalityFactory(name="Khánh Bình", parent=district)
    response = staff_client.post(
        url("assignment_edit", assignment), versioned(assignment, edit_data(assignment, locality=other_ward.pk))
    )
    assert response.status_code == 302 and response.url == url("assignment_detail", assignment)
    assignment.refresh_from_db()
    assert assignment.locality == other_ward
    assert assignment.host_organisation == "Thị đoàn Tân Uyên"


def test_edit_refuses_overlapping_dates_and_names_the_conflict(staff_client, assignment, later_conflict):
    response = staff_client.post(
        url("assignment_edit", assignment), versioned(assignment, edit_data(assignment, ends_on="2021-09-25"))
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Tân Phước Khánh" in errors and "20/09/2021" in errors and "19/10/2021" in errors
    assert "Tân Phước Khánh" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15) and assignment.host_organisation == ""


def test_edit_refuses_an_end_before_the_start(staff_client, assignment):
    response = staff_client.post(
        url("assignment_edit", assignment), versioned(assignment, edit_data(assignment, ends_on="2021-08-01"))
    )
    assert response.status_code == 200 and response.context["form"].errors
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15)


def test_edit_keeps_a_recalled_assignment_ending_on_its_recall_date(staff_client, assignment):
    """The rule lives in Assignment.clean(): the edit page and the service both rely on it."""
    Assignment.objects.filter(pk=assignment.pk).update(recalled_on=D(2021, 9, 1), ends_on=D(2021, 9, 1))
    assignment.refresh_from_db()
    response = staff_client.post(
        url("assignment_edit", assignment), versioned(assignment, edit_data(assignment, ends_on="2021-09-10"))
    )
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["ends_on"]] == ["recalled_end"]
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 1)
    kept = staff_client.post(
        url("assignment_edit", assignment), versioned(assignment, edit_data(assignment, tasks="Hỗ trợ xét nghiệm"))
    )
    assert kept.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.tasks) == (D(2021, 9, 1), "Hỗ trợ xét nghiệm")


def test_edit_offers_the_wards_of_the_province_only(staff_client, assignment, district):
    elsewhere = LocalityFactory(
        parent=LocalityFactory(kind=LocalityKind.CITY, parent=LocalityFactory(kind=LocalityKind.PROVINCE))
    )
    html = staff_client.get(url("assignment_edit", assignment)).content.decode()
    assert f'value="{district.pk}"' in html
    assert f'value="{elsewhere.pk}"' not in html


def test_extend_moves_the_end_date(staff_client, assignment):
    response = staff_client.post(url("assignment_extend", assignment), versioned(assignment, {"ends_on": "2021-09-30"}))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 30)


def test_extend_refuses_an_overlap_and_names_the_conflict(staff_client, assignment, later_conflict):
    response = staff_client.post(url("assignment_extend", assignment), versioned(assignment, {"ends_on": "2021-09-22"}))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["ends_on"])
    assert "Tân Phước Khánh" in errors and "20/09/2021" in errors and "19/10/2021" in errors
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15)


def test_extend_refuses_an_earlier_date(staff_client, assignment):
    response = staff_client.post(url("assignment_extend", assignment), versioned(assignment, {"ends_on": "2021-09-01"}))
    assert "ends_on" in response.context["form"].errors
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15)


def test_recall_ends_the_assignment_with_the_reason(staff_client, assignment):
    response = staff_client.post(
        url("assignment_recall", assignment), versioned(assignment, {"on": "2021-08-25", "reason": "Ốm"})
    )
    assert response.status_code == 302 and response.url == url("assignment_detail", assignment)
    assignment.refresh_from_db()
    assert assignment.recalled_on == D(2021, 8, 25) == assignment.ends_on
    assert assignment.recall_reason == "Ốm"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"on": "2021-10-01", "reason": "Ốm"}, "on"),
        ({"on": "2021-08-25", "reason": ""}, "reason"),
        ({"on": "x", "reason": "Ốm"}, "on"),
    ],
)
def test_recall_refuses_bad_input(staff_client, assignment, data, field):
    response = staff_client.post(url("assignment_recall", assignment), versioned(assignment, data))
    assert response.status_code == 200 and field in response.context["form"].errors
    assignment.refresh_from_db()
    assert assignment.recalled_on is None


def test_replace_sends_the_replacement_the_next_day_and_keeps_both(staff_client, assignment):
    replacement = CadreFactory(code="TD-007")
    response = staff_client.post(
        url("assignment_replace", assignment),
        versioned(assignment, {"replacement": "TD-007", "on": "2021-09-01", "reason": "F0"}),
    )
    successor = Assignment.objects.get(cadre=replacement)
    assert response.status_code == 302 and response.url == url("assignment_detail", successor)
    assignment.refresh_from_db()
    assert assignment.recalled_on == D(2021, 9, 1) and assignment.replaced_by == successor
    assert successor.starts_on == D(2021, 9, 2) and successor.ends_on == D(2021, 9, 15)
    assert successor.locality == assignment.locality and successor.decision == assignment.decision
    # Both pages link to each other.
    assert (
        url("assignment_detail", assignment) in staff_client.get(url("assignment_detail", successor)).content.decode()
    )
    assert (
        url("assignment_detail", successor) in staff_client.get(url("assignment_detail", assignment)).content.decode()
    )


def test_replace_refuses_a_busy_replacement_and_changes_nothing(staff_client, assignment, district):
    busy = AssignmentFactory(
        cadre=CadreFactory(code="TD-008"),
        locality=LocalityFactory(name="Thạnh Phước", parent=district),
        starts_on=D(2021, 9, 5),
        ends_on=D(2021, 9, 10),
    )
    response = staff_client.post(
        url("assignment_replace", assignment), versioned(assignment, {"replacement": "TD-008", "on": "2021-09-01"})
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["replacement"])
    assert "Thạnh Phước" in errors and "05/09/2021" in errors
    assignment.refresh_from_db()
    assert assignment.recalled_on is None and assignment.ends_on == D(2021, 9, 15)
    assert assignment.replaced_by is None
    assert Assignment.objects.filter(cadre=busy.cadre).count() == 1
    # The page shows the assignment as it still is.
    assert response.context["assignment"].ends_on == D(2021, 9, 15)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"replacement": "NOPE", "on": "2021-09-01"}, "replacement"),
        ({"replacement": "SELF", "on": "2021-09-01"}, "replacement"),
        ({"replacement": "TD-009", "on": "2021-09-15"}, "on"),
        ({"replacement": "TD-009", "on": "2021-10-01"}, "on"),
    ],
)
def test_replace_refuses_bad_input(staff_client, assignment, data, field):
    CadreFactory(code="TD-009")
    if data["replacement"] == "SELF":
        data = {**data, "replacement": assignment.cadre.code}
    response = staff_client.post(url("assignment_replace", assignment), versioned(assignment, data))
    assert response.status_code == 200 and field in response.context["form"].errors
    assignment.refresh_from_db()
    assert assignment.recalled_on is None and Assignment.objects.count() == 1
