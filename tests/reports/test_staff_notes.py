import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from localities.models import LocalityKind
from reports import filters
from reports.models import Health
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    DailyNoteFactory,
    LocalityFactory,
    ProvincialUnitFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("reports:notes_inbox")
D = datetime.date


def _count(response) -> int:
    return response.context["page"].paginator.count


def _listed(response) -> list[int]:
    """The notes a page lists, in order, by the link of each row (the rows come rendered)."""
    rows = "".join(response.context["page"].object_list)
    detail = reverse("reports:note_detail", args=[0]).replace("/0/", "/")
    return [int(pk) for pk in re.findall(re.escape(detail) + r'(\d+)/"', rows)]


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_cadres(cadre_client):
    assert cadre_client.get(URL).status_code == 403


def test_it_lists_the_newest_notes_first(staff_client):
    assignment = AssignmentFactory()
    older = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17))
    newer = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 18))
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert _listed(response) == [newer.pk, older.pk]
    assert 'data-count="2"' in response.content.decode()


def test_it_filters_by_district_including_its_wards(staff_client):
    district = LocalityFactory(name="Tân Uyên", kind=LocalityKind.TOWN)
    ward = LocalityFactory(name="Tân Phước Khánh", parent=district)
    inside = DailyNoteFactory(assignment=AssignmentFactory(locality=ward))
    DailyNoteFactory(assignment=AssignmentFactory())
    response = staff_client.get(URL, {"locality": district.pk})
    assert _listed(response) == [inside.pk]


def test_it_filters_by_unit_including_its_departments(staff_client):
    youth_union = ProvincialUnitFactory(name="Tỉnh đoàn")
    department = ProvincialUnitFactory(name="Ban Tuyên giáo", parent=youth_union)
    inside = DailyNoteFactory(assignment=AssignmentFactory(cadre=CadreFactory(unit=department)))
    DailyNoteFactory(assignment=AssignmentFactory())
    response = staff_client.get(URL, {"unit": youth_union.pk})
    assert _listed(response) == [inside.pk]


def test_it_filters_by_campaign_dates_and_health(staff_client):
    assignment = AssignmentFactory()
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17))
    infected = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 20), health=Health.INFECTED)
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 25))
    DailyNoteFactory(assignment=AssignmentFactory(), day=D(2021, 8, 20))
    query = {"campaign": assignment.campaign_id, "date_from": "2021-08-18", "date_to": "2021-08-24"}
    assert _count(staff_client.get(URL, query)) == 1
    assert _listed(staff_client.get(URL, {**query, "health": Health.INFECTED})) == [infected.pk]
    assert _count(staff_client.get(URL, {**query, "health": Health.WELL})) == 0


def test_it_paginates_by_fifty(staff_client):
    assignment = AssignmentFactory(ends_on=D(2021, 11, 30))
    for offset in range(55):
        DailyNoteFactory(assignment=assignment, day=assignment.starts_on + datetime.timedelta(days=offset))
    response = staff_client.get(URL, {"page": 2})
    assert _count(response) == 55 and len(response.context["page"].object_list) == 5


def test_it_links_each_note_to_its_cadre_and_assignment(staff_client):
    note = DailyNoteFactory()
    content = staff_client.get(URL).content.decode()
    assert reverse("cadres:cadre_detail", args=[note.assignment.cadre_id]) in content
    assert reverse("cadres:assignment_detail", args=[note.assignment_id]) in content
    assert reverse("reports:note_detail", args=[note.pk]) in content


def test_a_note_filed_late_carries_a_badge(staff_client):
    assignment = AssignmentFactory()
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17))
    late = DailyNoteFactory(
        assignment=assignment, day=D(2021, 8, 18), written_at=timezone.make_aware(datetime.datetime(2021, 8, 20, 9))
    )
    content = staff_client.get(URL).content.decode()
    assert content.count('<span class="badge late">') == 1
    row = content.split(reverse("reports:note_detail", args=[late.pk]))[1]
    assert row.index('<span class="badge late">') < row.index("</td>")


def _notes(count: int) -> None:
    for _ in range(count):
        DailyNoteFactory(assignment=AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory())))


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_notes(staff_client, django_assert_max_num_queries, count):
    _notes(count)
    with django_assert_max_num_queries(12):
        response = staff_client.get(URL)
    assert _count(response) == count


def test_a_text_search_looks_through_the_most_recent_notes_of_the_other_filters(staff_client, monkeypatch):
    monkeypatch.setattr(filters, "SEARCH_WINDOW", 2)
    assignment = AssignmentFactory()
    old = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17), situation="Nước ngập đường vào ấp")
    recent = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 19), situation="Ngập sau mưa lớn")
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 20), situation="Yên ổn")
    response = staff_client.get(URL, {"q": "ngap"})
    assert _listed(response) == [recent.pk]
    # Dates reach further back: the window is taken from the notes the other filters keep.
    response = staff_client.get(URL, {"q": "ngap", "date_to": "2021-08-18"})
    assert _listed(response) == [old.pk]
