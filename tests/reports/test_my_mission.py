import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from localities.models import Grading
from reports.models import EscalationStatus
from tests.factories import (
    AssignmentFactory,
    DailyNoteFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    ZoneStatusFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("phone:my_mission")


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_staff(staff_client):
    assert staff_client.get(URL).status_code == 403


def test_it_shows_the_current_assignment_with_its_day_and_grading(cadre_client, current_mission):
    district = LocalityFactory(name="Dĩ An", kind="city")
    current_mission.locality.parent = district
    current_mission.locality.save()
    ZoneStatusFactory(locality=current_mission.locality, grading=Grading.LOCKED_DOWN, valid_from=days_ago(20))
    response = cadre_client.get(URL)
    assert response.status_code == 200
    assert response.context["current"] == current_mission
    assert response.context["day_number"] == 10
    assert response.context["current"].grading_today == Grading.LOCKED_DOWN
    content = response.content.decode()
    assert current_mission.locality.name in content and "Dĩ An" in content
    assert "Thành đoàn Dĩ An" in content
    assert 'class="badge locked_down"' in content


def test_it_shows_the_host_organisation_only_when_there_is_one(cadre_client, current_mission):
    assert "Thành đoàn Dĩ An" in cadre_client.get(URL).content.decode()
    current_mission.host_organisation = ""
    current_mission.save()
    content = cadre_client.get(URL).content.decode()
    facts = content[content.index('<dl class="facts">') : content.index("</dl>")]
    with translation.override("vi"):
        assert translation.gettext("Host organisation") not in facts
    assert facts.count("<dt>") == 4


def test_it_offers_to_write_todays_note_until_it_is_filed(cadre_client, current_mission):
    response = cadre_client.get(URL)
    assert response.context["today_note"] is None
    assert reverse("reports:note_create") in response.content.decode()

    note = DailyNoteFactory(assignment=current_mission, day=timezone.localdate())
    response = cadre_client.get(URL)
    assert response.context["today_note"] == note
    assert reverse("reports:note_edit", args=[note.pk]) in response.content.decode()


def test_it_lists_the_last_notes_and_the_answered_escalations(cadre_client, current_mission):
    notes = [DailyNoteFactory(assignment=current_mission, day=days_ago(n)) for n in range(1, 10)]
    answered = EscalationFactory(
        assignment=current_mission, status=EscalationStatus.RESOLVED, answer="Tỉnh đã điều thêm 5 y bác sĩ."
    )
    silent_resolved = EscalationFactory(assignment=current_mission, status=EscalationStatus.RESOLVED)
    open_one = EscalationFactory(assignment=current_mission)
    response = cadre_client.get(URL)
    assert response.context["notes"] == notes[:7]
    assert set(response.context["escalations"]) == {answered, open_one}
    assert silent_resolved not in response.context["escalations"]
    assert "Tỉnh đã điều thêm 5 y bác sĩ." in response.content.decode()


def test_it_offers_the_report_only_in_the_last_five_days(cadre, cadre_client):
    assignment = AssignmentFactory(cadre=cadre, starts_on=days_ago(20))
    report_url = reverse("reports:report_edit", args=[assignment.pk])
    assert report_url not in cadre_client.get(URL).content.decode()

    assignment.starts_on = days_ago(25)
    assignment.ends_on = assignment.starts_on + datetime.timedelta(days=29)
    assignment.save()
    assert report_url in cadre_client.get(URL).content.decode()


def test_a_cadre_without_a_current_assignment_sees_the_past_ones_and_their_report(cadre, cadre_client):
    finished = AssignmentFactory(cadre=cadre, starts_on=days_ago(60))
    submitted = AssignmentFactory(cadre=cadre, starts_on=days_ago(100))
    report = MissionReportFactory(assignment=submitted)
    response = cadre_client.get(URL)
    assert response.context["current"] is None
    assert response.context["past"] == [finished, submitted]
    content = response.content.decode()
    assert reverse("reports:report_edit", args=[finished.pk]) in content
    assert reverse("reports:report_detail", args=[report.pk]) in content


def test_it_shows_only_the_cadres_own_assignment(cadre_client, current_mission, other_cadre):
    AssignmentFactory(cadre=other_cadre, starts_on=current_mission.starts_on)
    response = cadre_client.get(URL)
    assert response.context["past"] == []


@pytest.mark.parametrize("notes", [3, 20])
def test_its_query_count_does_not_grow_with_notes(cadre, cadre_client, django_assert_max_num_queries, notes):
    mission = AssignmentFactory(cadre=cadre, starts_on=days_ago(25))
    for past in range(3):
        AssignmentFactory(cadre=cadre, starts_on=days_ago(200 + 40 * past))
    for n in range(notes):
        DailyNoteFactory(assignment=mission, day=days_ago(n))
        if n % 3 == 0:
            EscalationFactory(assignment=mission)
    ZoneStatusFactory(locality=mission.locality, valid_from=days_ago(30))
    with django_assert_max_num_queries(9):
        assert cadre_client.get(URL).status_code == 200
