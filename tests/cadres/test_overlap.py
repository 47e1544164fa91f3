import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cadres.models import Assignment, overlapping_pairs
from cadres.services import assignment_create, assignment_extend, assignment_recall, assignment_replace
from tests.factories import AssignmentFactory, CadreFactory, CampaignFactory, LocalityFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def test_end_date_follows_the_campaign_length():
    campaign = CampaignFactory(assignment_days=30)
    assignment = assignment_create(
        cadre=CadreFactory(), campaign=campaign, locality=LocalityFactory(), starts_on=D(2021, 8, 17)
    )
    assert assignment.ends_on == D(2021, 9, 15)
    assert assignment.length_days == 30


def test_it_refuses_overlapping_assignment_and_names_the_conflict():
    existing = AssignmentFactory(locality=LocalityFactory(name="Tân Phước Khánh"))
    with pytest.raises(ValidationError) as refused:
        assignment_create(
            cadre=existing.cadre,
            campaign=existing.campaign,
            locality=LocalityFactory(),
            starts_on=existing.ends_on,
        )
    message = " ".join(refused.value.messages)
    assert "Tân Phước Khánh" in message
    assert "17/08/2021" in message and "15/09/2021" in message
    assert Assignment.objects.count() == 1


def test_it_allows_back_to_back_assignments():
    existing = AssignmentFactory()
    assignment_create(
        cadre=existing.cadre,
        campaign=existing.campaign,
        locality=LocalityFactory(),
        starts_on=existing.ends_on + datetime.timedelta(days=1),
    )
    assert Assignment.objects.filter(cadre=existing.cadre).count() == 2


def test_it_refuses_an_end_before_the_start():
    with pytest.raises(ValidationError):
        assignment_create(
            cadre=CadreFactory(),
            campaign=CampaignFactory(),
            locality=LocalityFactory(),
            starts_on=D(2021, 8, 17),
            ends_on=D(2021, 8, 16),
        )


def test_the_database_refuses_an_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(starts_on=D(2021, 8, 17), ends_on=D(2021, 8, 1))


def test_recall_ends_the_assignment_on_the_recall_day():
    assignment = AssignmentFactory()
    assignment_recall(assignment=assignment, on=D(2021, 8, 25), reason="ốm")
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 8, 25)
    assert assignment.status_on(D(2021, 8, 20)) == "recalled"


def test_replace_sends_the_replacement_from_the_next_day_and_keeps_both():
    assignment = AssignmentFactory()
    original_end = assignment.ends_on
    replacement = CadreFactory()
    successor = assignment_replace(assignment=assignment, replacement=replacement, on=D(2021, 9, 1))
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 1)
    assert assignment.replaced_by == successor
    assert successor.cadre == replacement
    assert successor.locality == assignment.locality
    assert (successor.starts_on, successor.ends_on) == (D(2021, 9, 2), original_end)


def test_replace_refuses_a_replacement_who_is_elsewhere_and_changes_nothing():
    assignment = AssignmentFactory()
    busy = AssignmentFactory(starts_on=D(2021, 9, 10)).cadre
    with pytest.raises(ValidationError), transaction.atomic():
        assignment_replace(assignment=assignment, replacement=busy, on=D(2021, 9, 1))
    assignment.refresh_from_db()
    assert assignment.recalled_on is None
    assert assignment.ends_on == D(2021, 9, 15)


def test_extend_refuses_to_run_into_the_next_assignment():
    first = AssignmentFactory()
    AssignmentFactory(cadre=first.cadre, starts_on=D(2021, 9, 20))
    with pytest.raises(ValidationError):
        assignment_extend(assignment=first, to=D(2021, 9, 25))


def test_status_is_derived_from_the_dates():
    assignment = AssignmentFactory()
    assert assignment.status_on(D(2021, 8, 1)) == "planned"
    assert assignment.status_on(D(2021, 8, 17)) == "active"
    assert assignment.status_on(D(2021, 9, 16)) == "completed"
    statuses = Assignment.objects.with_status(D(2021, 9, 16)).values_list("status_on", flat=True)
    assert list(statuses) == ["completed"]


@pytest.mark.parametrize("day", [D(2021, 8, 16), D(2021, 8, 17), D(2021, 8, 25), D(2021, 8, 26), D(2021, 9, 15)])
def test_one_assignment_and_the_query_agree_on_the_days_on_mission_recall_included(day):
    assignment = AssignmentFactory()
    assignment_recall(assignment=assignment, on=D(2021, 8, 25))
    selected = Assignment.objects.active_on(day).filter(pk=assignment.pk).exists()
    assert assignment.is_active_on(day) == selected == (D(2021, 8, 17) <= day <= D(2021, 8, 25))


def test_rows_not_yet_stored_are_checked_against_each_other_by_the_same_rule():
    mai, lam = CadreFactory(), CadreFactory()
    rows = [
        Assignment(cadre=mai, starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15)),
        Assignment(cadre=lam, starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15)),
        Assignment(cadre=mai, starts_on=D(2021, 9, 16), ends_on=D(2021, 10, 15)),
        Assignment(cadre=mai, starts_on=D(2021, 9, 15), ends_on=D(2021, 9, 20)),
    ]
    assert overlapping_pairs(rows) == [(0, 3), (2, 3)]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only"
)


@postgresql_only
def test_postgresql_refuses_an_overlap_that_skips_the_check():
    existing = AssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            cadre=existing.cadre,
            campaign=existing.campaign,
            locality=existing.locality,
            starts_on=existing.ends_on,
            ends_on=existing.ends_on,
        )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_conflicting_inserts_leave_exactly_one_row(monkeypatch):
    cadre = CadreFactory()
    campaign = CampaignFactory()
    localities = [LocalityFactory(), LocalityFactory()]
    # Both requests pass the Python check before either inserts: only the database can stop the second.
    both_checked = threading.Barrier(2, timeout=10)
    original_check = Assignment.clean_overlap

    def check_then_wait(self):
        original_check(self)
        both_checked.wait()

    monkeypatch.setattr(Assignment, "clean_overlap", check_then_wait)
    outcomes = []

    def assign(locality):
        try:
            assignment_create(cadre=cadre, campaign=campaign, locality=locality, starts_on=D(2021, 8, 17))
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(locality,)) for locality in localities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Each request has an answer: the other is refused in the model's words, never with an error page
    # (when both inserts wait for each other, PostgreSQL stops one and save_checked() tries it again).
    assert outcomes.count("saved") == 1 and len(outcomes) == 2
    assert Assignment.objects.filter(cadre=cadre).count() == 1
