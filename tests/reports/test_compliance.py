import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cadres.models import Campaign
from localities.models import LocalityKind
from reports.compliance import (
    FILED,
    LATE,
    MISSING,
    OFF,
    UPCOMING,
    compliance_rows,
    default_campaign,
    default_range,
    grid_assignments,
)
from reports.models import DailyNote
from reports.views import staff_compliance
from tests.factories import AssignmentFactory, CampaignFactory, DailyNoteFactory, LocalityFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:compliance")
D = datetime.date
RANGE = {"date_from": "2021-08-17", "date_to": "2021-08-23"}


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def _states(response, assignment) -> list[str]:
    row = next(row for row in response.context["rows"] if row.assignment == assignment)
    return [state for _day, state in row.cells]


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_refuses_cadres(cadre_client):
    assert cadre_client.get(URL).status_code == 403


def test_it_shows_filed_missing_and_off_days(staff_client):
    campaign = CampaignFactory()
    late = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 20))
    early = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 17))
    DailyNoteFactory(assignment=early, day=D(2021, 8, 17))
    DailyNoteFactory(assignment=early, day=D(2021, 8, 19))
    DailyNoteFactory(assignment=late, day=D(2021, 8, 20))
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE})
    assert response.status_code == 200
    assert [day.day for day in response.context["days"]] == [17, 18, 19, 20, 21, 22, 23]
    assert _states(response, early) == [FILED, MISSING, FILED, MISSING, MISSING, MISSING, MISSING]
    assert _states(response, late) == [OFF, OFF, OFF, FILED, MISSING, MISSING, MISSING]


def test_it_lists_who_has_not_filed_on_a_day(staff_client):
    campaign = CampaignFactory()
    filed = AssignmentFactory(campaign=campaign)
    silent = AssignmentFactory(campaign=campaign)
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 9, 1))  # not on mission yet
    DailyNoteFactory(assignment=filed, day=D(2021, 8, 20))
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE, "day": "2021-08-20"})
    assert response.context["not_filed"] == [silent]


def test_it_bounds_the_grid_to_a_district(staff_client):
    campaign = CampaignFactory()
    district = LocalityFactory(name="Dĩ An", kind=LocalityKind.CITY)
    inside = AssignmentFactory(campaign=campaign, locality=LocalityFactory(parent=district))
    AssignmentFactory(campaign=campaign)
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE, "locality": district.pk})
    assert [row.assignment for row in response.context["rows"]] == [inside]
    assert 'data-count="1"' in response.content.decode()


def test_it_refuses_more_than_31_days(staff_client):
    campaign = CampaignFactory()
    response = staff_client.get(URL, {"campaign": campaign.pk, "date_from": "2021-08-01", "date_to": "2021-09-30"})
    assert response.context["form"].has_error("date_to", "too_long")
    assert len(response.context["days"]) <= 31


def test_days_after_today_are_upcoming():
    assignment = AssignmentFactory(starts_on=D(2026, 1, 1))
    [row] = compliance_rows([assignment], start=D(2026, 1, 1), end=D(2026, 1, 3), today=D(2026, 1, 2))
    assert [state for _day, state in row.cells] == [MISSING, MISSING, UPCOMING]


def test_the_default_campaign_is_the_one_running_today_else_the_latest():
    over = CampaignFactory(starts_on=D(2021, 8, 1), ends_on=D(2021, 9, 30))
    assert default_campaign(D(2026, 1, 1)) == over
    running = CampaignFactory(starts_on=D(2025, 12, 1), ends_on=D(2026, 2, 1))
    CampaignFactory(starts_on=D(2026, 3, 1), ends_on=D(2026, 4, 1))
    assert default_campaign(D(2026, 1, 1)) == running


def test_the_default_range_is_the_last_fourteen_days_of_the_campaign():
    running = Campaign(starts_on=D(2025, 12, 1), ends_on=D(2026, 2, 1))
    assert default_range(running, D(2026, 1, 20)) == (D(2026, 1, 7), D(2026, 1, 20))
    over = Campaign(starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 15))
    assert default_range(over, D(2026, 1, 20)) == (D(2021, 9, 2), D(2021, 9, 15))
    young = Campaign(starts_on=D(2026, 1, 15), ends_on=D(2026, 2, 15))
    assert default_range(young, D(2026, 1, 20)) == (D(2026, 1, 15), D(2026, 1, 20))


def test_the_grid_takes_two_queries_whatever_its_size(django_assert_num_queries):
    campaign = CampaignFactory()
    for _ in range(5):
        DailyNoteFactory(assignment=AssignmentFactory(campaign=campaign))
    with django_assert_num_queries(2):
        assignments = grid_assignments(campaign=campaign, start=D(2021, 8, 17), end=D(2021, 8, 31))
        rows = compliance_rows(assignments, start=D(2021, 8, 17), end=D(2021, 8, 31), today=D(2026, 1, 1))
        assert sum(row.filed for row in rows) == 5


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_assignments(staff_client, django_assert_max_num_queries, count):
    campaign = CampaignFactory()
    for _ in range(count):
        DailyNoteFactory(
            assignment=AssignmentFactory(campaign=campaign, locality=LocalityFactory(parent=LocalityFactory()))
        )
    with django_assert_max_num_queries(14):
        response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE})
    assert len(response.context["rows"]) == count


def test_a_long_list_of_who_has_not_filed_names_the_first_and_counts_all(staff_client, monkeypatch):
    monkeypatch.setattr(staff_compliance, "NOT_FILED_SHOWN", 2)
    campaign = CampaignFactory()
    AssignmentFactory.create_batch(3, campaign=campaign)
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE, "day": "2021-08-20"})
    assert response.context["not_filed_count"] == 3 and len(response.context["not_filed"]) == 2
    assert 'data-count="3"' in response.content.decode()


def test_the_grid_cells_carry_the_state_and_a_spoken_mark(staff_client):
    campaign = CampaignFactory()
    assignment = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 20))
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 20))
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE})
    content = response.content.decode()
    assert re.findall(r'data-state="(\w+)"', content) == [OFF, OFF, OFF, FILED, MISSING, MISSING, MISSING]
    assert '<td class="cell filed" data-state="filed"><span aria-label="' in content
    assert content.count('<span aria-label="') == 7


def test_a_note_written_on_a_later_day_is_late_and_still_counts_as_filed():
    assignment = AssignmentFactory(starts_on=D(2021, 8, 17))
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17), written_at=local(2021, 8, 17, 23, 50))
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 18), written_at=local(2021, 8, 20, 20, 15))
    [row] = compliance_rows([assignment], start=D(2021, 8, 17), end=D(2021, 8, 20), today=D(2026, 1, 1))
    assert [state for _day, state in row.cells] == [FILED, LATE, MISSING, MISSING]
    assert row.filed == 2 and row.missing == 2
    assert row.late_written_at == {D(2021, 8, 18): local(2021, 8, 20, 20, 15)}


def test_lateness_goes_by_the_local_day():
    assignment = AssignmentFactory(starts_on=D(2021, 8, 17))
    # 00:30 in Hồ Chí Minh City is still the day before in UTC.
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17), written_at=local(2021, 8, 18, 0, 30))
    [row] = compliance_rows([assignment], start=D(2021, 8, 17), end=D(2021, 8, 17), today=D(2026, 1, 1))
    assert [state for _day, state in row.cells] == [LATE]


def test_a_note_from_before_the_phone_time_was_kept_is_late_by_when_it_arrived():
    assignment = AssignmentFactory(starts_on=D(2021, 8, 17))
    on_time = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 17), written_at=None)
    late = DailyNoteFactory(assignment=assignment, day=D(2021, 8, 18), written_at=None)
    DailyNote.objects.filter(pk=on_time.pk).update(created_at=local(2021, 8, 17, 21, 0))
    DailyNote.objects.filter(pk=late.pk).update(created_at=local(2021, 8, 19, 7, 0))
    [row] = compliance_rows([assignment], start=D(2021, 8, 17), end=D(2021, 8, 18), today=D(2026, 1, 1))
    assert [state for _day, state in row.cells] == [FILED, LATE]


def test_the_grid_marks_a_late_note_with_when_it_was_written(staff_client):
    campaign = CampaignFactory()
    assignment = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 20))
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 20))
    DailyNoteFactory(assignment=assignment, day=D(2021, 8, 21), written_at=local(2021, 8, 23, 20, 15))
    response = staff_client.get(URL, {"campaign": campaign.pk, **RANGE})
    content = response.content.decode()
    assert re.findall(r'data-state="(\w+)"', content) == [OFF, OFF, OFF, FILED, LATE, MISSING, MISSING]
    with translation.override(settings.LANGUAGE_CODE):
        label, title = gettext("note filed late"), gettext("written on %(written)s") % {"written": "20:15 23/08/2021"}
    assert (
        f'<td class="cell late" data-state="late"><span aria-label="{label}" title="{title}">✓*</span></td>'
    ) in content
    assert f'<span class="cell late" aria-hidden="true">✓*</span> {label}' in content  # the legend
    [row] = response.context["rows"]
    assert row.filed == 2 and row.missing == 2
