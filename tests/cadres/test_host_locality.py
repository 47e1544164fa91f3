"""The host locality's part (issue 15): who is in its area, arrivals and departures, escalations, assessments.

A district (Tân Uyên) with two wards; cadre X on mission in ward 1 with an escalation; the ward's
official, the district's official, another ward's official, the campaign's organiser, another
organiser and a supervisor each try what the host locality does.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import RoleKind
from cadres.models import Assignment
from reports.models import EscalationStatus, LocalAssessment, LocalOutcome, Rating, ReportStatus
from tests.conftest import _client_for
from tests.factories import (
    AssignmentFactory,
    CadreUserFactory,
    CampaignFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    RoleFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    today = timezone.localdate()
    district = LocalityFactory(name="Tân Uyên", kind="town")
    ward, other_ward = LocalityFactory(name="Tân Phước Khánh", parent=district), LocalityFactory(parent=district)
    campaign = CampaignFactory(
        starts_on=today - datetime.timedelta(days=20), ends_on=today + datetime.timedelta(days=20)
    )
    cadre = CadreUserFactory()
    mission = AssignmentFactory(
        cadre=cadre, campaign=campaign, locality=ward, starts_on=today - datetime.timedelta(days=5)
    )
    users = {
        "ward": RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=ward).user,
        "district": RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=district).user,
        "other_ward": RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=other_ward).user,
        "organiser": RoleFactory(kind=RoleKind.ORGANISER, unit=campaign.organising_unit).user,
        "other_organiser": RoleFactory(kind=RoleKind.ORGANISER).user,
        "supervisor": RoleFactory(kind=RoleKind.SUPERVISOR, unit=None).user,
    }
    return {"today": today, "mission": mission, "cadre": cadre, "ward": ward, "users": users}


def _confirm(client, mission, event: str, day: datetime.date):
    url = reverse("cadres:assignment_presence", args=[mission.pk])
    return client.post(url, {"event": event, "day": day.strftime("%d/%m/%Y")}, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_ward_confirms_the_arrival_then_the_departure(area):
    ward, mission, today = area["users"]["ward"], area["mission"], area["today"]
    client = _client_for(ward)
    _confirm(client, mission, "arrival", mission.starts_on)
    mission.refresh_from_db()
    assert (mission.arrived_on, mission.arrival_confirmed_by) == (mission.starts_on, ward)
    _confirm(client, mission, "departure", today)
    mission.refresh_from_db()
    assert (mission.left_on, mission.departure_confirmed_by) == (today, ward)
    # Recorded in the assignment's history: who confirmed, and when.
    assert mission.history.filter(history_user=ward).count() == 2


@pytest.mark.parametrize(
    ("event", "days", "expected"),
    [
        ("arrival", 1, "An arrival cannot be confirmed for a day still to come."),
        ("arrival", -6, "The cadre arrives between %(start)s and %(end)s, the assignment's dates."),
        ("departure", 0, "Confirm the arrival first."),
    ],
)
def test_a_day_that_cannot_be_is_refused_and_nothing_is_stored(area, event, days, expected):
    mission = area["mission"]
    day = area["today"] + datetime.timedelta(days)
    response = _confirm(_client_for(area["users"]["ward"]), mission, event, day)
    with translation.override("vi"):  # The pages speak Vietnamese; the message's start, before its dates.
        expected = translation.gettext(expected).split("%(")[0]
    assert expected.strip() and any(expected in message for message in _messages(response))
    mission.refresh_from_db()
    assert (mission.arrived_on, mission.left_on) == (None, None)


def test_leaving_before_arriving_is_refused(area):
    mission = area["mission"]
    client = _client_for(area["users"]["ward"])
    _confirm(client, mission, "arrival", area["today"] - datetime.timedelta(days=2))
    response = _confirm(client, mission, "departure", area["today"] - datetime.timedelta(days=3))
    assert response.status_code == 200 and _messages(response)
    mission.refresh_from_db()
    assert mission.left_on is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("district", 200), ("organiser", 200), ("other_ward", 404), ("other_organiser", 404), ("supervisor", 404)],
)
def test_who_confirms_an_arrival(area, role, status):
    mission = area["mission"]
    response = _confirm(_client_for(area["users"][role]), mission, "arrival", area["today"])
    assert response.status_code == status
    mission.refresh_from_db()
    assert (mission.arrived_on is not None) == (status == 200)


def test_the_host_page_lists_who_is_in_the_area_on_the_day(area):
    elsewhere = AssignmentFactory(starts_on=area["today"] - datetime.timedelta(days=2))
    later = AssignmentFactory(
        campaign=area["mission"].campaign, locality=area["ward"], starts_on=area["today"] + datetime.timedelta(days=3)
    )
    for role, expected in (("ward", {area["mission"]}), ("district", {area["mission"]}), ("other_ward", set())):
        response = _client_for(area["users"][role]).get(reverse("cadres:host_list"))
        assert set(response.context["page"].object_list) == expected, role
    shown = _client_for(area["users"]["ward"]).get(reverse("cadres:host_list"), {"day": later.starts_on.isoformat()})
    assert set(shown.context["page"].object_list) == {area["mission"], later}
    assert elsewhere not in shown.context["page"].object_list


def test_the_host_page_reads_as_many_queries_for_many_cadres(area, django_assert_max_num_queries):
    client = _client_for(area["users"]["district"])
    for _ in range(15):
        AssignmentFactory(campaign=area["mission"].campaign, locality=area["ward"], starts_on=area["mission"].starts_on)
    # 11, 1 to name the places as on the missions' first days (places_as_they_were) and 1 for the roles held on
    # units that ended (the page says what to ask for), and 1 for the header's unread notices (cached after): none
    # grows with the cadres.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cadres:host_list")).status_code == 200


def test_the_organisers_dashboard_counts_the_arrivals_not_confirmed(area):
    organiser = _client_for(area["users"]["organiser"])
    url, day = reverse("cadres:dashboard"), {"day": area["today"].isoformat()}
    assert organiser.get(url, day).context["coverage"].arrivals_unconfirmed == 1
    _confirm(_client_for(area["users"]["ward"]), area["mission"], "arrival", area["today"])
    assert organiser.get(url, day).context["coverage"].arrivals_unconfirmed == 0
    missing = organiser.get(reverse("cadres:assignment_list"), {"active_on": day["day"], "arrival": "missing"})
    assert missing.context["page"].paginator.count == 0


# Escalations raised in the area.


def _handle(client, escalation, outcome: str, comment: str):
    url = reverse("reports:escalation_local", args=[escalation.pk])
    return client.post(url, {"outcome": outcome, "local_comment": comment})


def test_the_ward_answers_an_escalation_within_its_authority(area):
    escalation = EscalationFactory(assignment=area["mission"], note=None)
    response = _handle(_client_for(area["users"]["ward"]), escalation, LocalOutcome.ANSWERED, "Phường đã bố trí xe.")
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED and escalation.local_comment == "Phường đã bố trí xe."
    # The cadre reads the locality's answer.
    page = _client_for(area["cadre"].user).get(reverse("reports:escalation_detail", args=[escalation.pk]))
    assert "Phường đã bố trí xe." in page.content.decode()
    # ... and so does My mission, where the answer would otherwise be hidden among the resolved ones.
    mission = _client_for(area["cadre"].user).get(reverse("phone:my_mission"))
    assert "Phường đã bố trí xe." in mission.content.decode()
    # Answered once: a second answer is refused.
    again = _handle(_client_for(area["users"]["district"]), escalation, LocalOutcome.ANSWERED, "Lần hai")
    assert again.status_code == 302
    escalation.refresh_from_db()
    assert escalation.local_comment == "Phường đã bố trí xe."


def test_the_ward_forwards_an_escalation_to_the_province_with_its_comment(area):
    escalation = EscalationFactory(assignment=area["mission"], note=None)
    _handle(_client_for(area["users"]["ward"]), escalation, LocalOutcome.FORWARDED, "Vượt thẩm quyền phường.")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN and escalation.local_outcome == LocalOutcome.FORWARDED
    page = _client_for(area["users"]["organiser"]).get(reverse("reports:escalation_manage", args=[escalation.pk]))
    assert "Vượt thẩm quyền phường." in page.content.decode()
    # Forwarded, it is the province's: the locality neither answers it afterwards nor is offered the form.
    ward = _client_for(area["users"]["ward"])
    assert ward.get(reverse("reports:escalation_local", args=[escalation.pk])).status_code == 302
    _handle(ward, escalation, LocalOutcome.ANSWERED, "Thôi, phường tự lo.")
    escalation.refresh_from_db()
    assert (escalation.status, escalation.local_comment) == (EscalationStatus.OPEN, "Vượt thẩm quyền phường.")


def test_an_empty_answer_is_refused_and_changes_nothing(area):
    escalation = EscalationFactory(assignment=area["mission"], note=None)
    response = _handle(_client_for(area["users"]["ward"]), escalation, LocalOutcome.ANSWERED, "   ")
    assert response.status_code == 200 and response.context["form"].errors["local_comment"]
    escalation.refresh_from_db()
    assert (escalation.status, escalation.local_outcome) == (EscalationStatus.OPEN, "")


@pytest.mark.parametrize(("role", "status"), [("other_ward", 404), ("organiser", 403), ("supervisor", 403)])
def test_only_the_host_locality_handles_it_locally(area, role, status):
    escalation = EscalationFactory(assignment=area["mission"], note=None)
    assert _handle(_client_for(area["users"][role]), escalation, LocalOutcome.ANSWERED, "x").status_code == status
    escalation.refresh_from_db()
    assert escalation.local_outcome == ""


# The locality's assessment of the cadre.


def _assess(client, mission, rating=Rating.GOOD, text="Nhiệt tình, sâu sát cơ sở."):
    return client.post(reverse("reports:assessment_edit", args=[mission.pk]), {"rating": rating, "text": text})


def test_the_assessment_waits_for_the_end_of_the_mission(area):
    mission = area["mission"]  # Ends in 25 days: the report is not open yet.
    response = _assess(_client_for(area["users"]["ward"]), mission)
    assert response.status_code == 200 and response.context["form"] is None and response.context["closed"]
    assert not LocalAssessment.objects.exists()


def test_the_reviewer_reads_the_locality_s_assessment_beside_the_report(area):
    mission = area["mission"]
    Assignment.objects.filter(pk=mission.pk).update(ends_on=area["today"] + datetime.timedelta(days=2))
    report = MissionReportFactory(assignment=mission, status=ReportStatus.SUBMITTED)
    assert _assess(_client_for(area["users"]["ward"]), mission).status_code == 302
    assessment = LocalAssessment.objects.get(assignment=mission)
    assert (assessment.rating, assessment.written_by) == (Rating.GOOD, area["users"]["ward"])
    review = _client_for(area["users"]["organiser"]).get(reverse("reports:report_review", args=[report.pk]))
    assert "Nhiệt tình, sâu sát cơ sở." in review.content.decode()
    # It is the office's, not the cadre's reading.
    own = _client_for(area["cadre"].user).get(reverse("reports:report_detail", args=[report.pk]))
    assert "Nhiệt tình, sâu sát cơ sở." not in own.content.decode()
    # Written again, it is changed, not doubled.
    _assess(_client_for(area["users"]["district"]), mission, rating=Rating.EXCELLENT)
    assert LocalAssessment.objects.get(assignment=mission).rating == Rating.EXCELLENT


@pytest.mark.parametrize(("role", "status"), [("other_ward", 404), ("organiser", 403)])
def test_only_the_host_locality_assesses(area, role, status):
    mission = area["mission"]
    Assignment.objects.filter(pk=mission.pk).update(ends_on=area["today"])
    assert _assess(_client_for(area["users"][role]), mission).status_code == status
    assert not LocalAssessment.objects.exists()


def test_office_staff_of_every_campaign_record_an_arrival_too(area):
    response = _confirm(_client_for(StaffUserFactory()), area["mission"], "arrival", area["today"])
    assert response.status_code == 200
    area["mission"].refresh_from_db()
    assert area["mission"].arrived_on == area["today"]


def test_a_confirmed_day_is_not_overwritten_from_an_older_page_and_organisers_correct_it(area):
    mission, today = area["mission"], area["today"]
    _confirm(_client_for(area["users"]["ward"]), mission, "arrival", today - datetime.timedelta(days=3))
    # The district's page, opened before, confirms another day: refused, the ward's day stays.
    _confirm(_client_for(area["users"]["district"]), mission, "arrival", today - datetime.timedelta(days=2))
    mission.refresh_from_db()
    assert mission.arrived_on == today - datetime.timedelta(days=3)
    # The organisers correct it on the assignment's edit page, where the model checks it as any date.
    organiser = _client_for(area["users"]["organiser"])
    edit = organiser.get(reverse("cadres:assignment_edit", args=[mission.pk])).context["form"]
    data = {name: edit[name].value() or "" for name in edit.fields}
    data["locality"] = mission.locality_id
    data["arrived_on"] = (today + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    assert organiser.post(reverse("cadres:assignment_edit", args=[mission.pk]), data).status_code == 200
    data["arrived_on"] = (today - datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    assert organiser.post(reverse("cadres:assignment_edit", args=[mission.pk]), data).status_code == 302
    mission.refresh_from_db()
    assert mission.arrived_on == today - datetime.timedelta(days=2)


def test_a_cadre_who_left_is_no_longer_listed_in_the_area(area):
    mission, today = area["mission"], area["today"]
    ward = _client_for(area["users"]["ward"])
    _confirm(ward, mission, "arrival", mission.starts_on)
    _confirm(ward, mission, "departure", today - datetime.timedelta(days=1))
    listed = ward.get(reverse("cadres:host_list")).context["page"].object_list
    assert mission not in listed


def test_the_assessment_page_says_when_it_opens_before_anything_is_typed(area):
    page = _client_for(area["users"]["ward"]).get(reverse("reports:assessment_edit", args=[area["mission"].pk]))
    assert page.status_code == 200 and page.context["form"] is None and page.context["closed"]


def test_a_ward_official_opens_on_the_cadres_in_the_area(area):
    assert _client_for(area["users"]["ward"]).get(reverse("home")).url == reverse("cadres:host_list")
    assert _client_for(area["users"]["organiser"]).get(reverse("home")).url == reverse("cadres:dashboard")
