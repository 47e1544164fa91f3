"""Audit history: who changed which field of an assignment, a grading, a report or an escalation, and when.

Changes are made through the pages, so the user recorded is the one signed in
(simple_history's middleware). The pages show the latest changes with the
old and new values, in the same number of queries however long the history.
"""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cadres.models import Assignment
from localities.models import Grading, LocalityKind, ZoneStatus
from reports.models import Escalation, MissionReport, Rating, RecommendationStatus, ReportStatus
from shared.concurrency import version_of
from shared.history import HISTORY_LIMIT
from tests.factories import (
    AssignmentFactory,
    CadreUserFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    RecommendationFactory,
    StaffUserFactory,
    ZoneStatusFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened_version(client, url: str, form: str = "form") -> str:
    """The version a form carries when the page is opened, as a browser would post it back."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context[form]["version"].value()


def pairs(entry) -> set[tuple[str, str]]:
    return {(change.old, change.new) for change in entry.changes}


@pytest.fixture
def staff_user():
    return StaffUserFactory(first_name="Lan", last_name="Trần Thị")


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


# Assignments.


@pytest.fixture
def assignment():
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương")
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", parent=province)
    ward = LocalityFactory(name="Uyên Hưng", parent=district)
    return AssignmentFactory(locality=ward, starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15))


def test_a_recall_through_the_page_records_the_staff_user_and_both_end_dates(staff_client, staff_user, assignment):
    url = reverse("cadres:assignment_recall", args=[assignment.pk])
    version = opened_version(staff_client, url)
    response = staff_client.post(url, {"on": "2021-08-25", "reason": "Ốm", "version": version})
    assert response.status_code == 302

    record = assignment.history.first()
    assert record.history_type == "~" and record.history_user == staff_user
    assert (record.prev_record.ends_on, record.ends_on) == (D(2021, 9, 15), D(2021, 8, 25))
    assert record.recalled_on == D(2021, 8, 25)

    response = staff_client.get(reverse("cadres:assignment_detail", args=[assignment.pk]))
    latest = response.context["history_entries"][0]
    assert latest.user == staff_user
    assert {("15/09/2021", "25/08/2021"), ("—", "25/08/2021"), ("—", "Ốm")} <= pairs(latest)
    content = response.content.decode()
    assert "Lan Trần Thị" in content
    assert "15/09/2021 → 25/08/2021" in content


def test_the_assignment_shows_its_creation_and_a_change_of_place_by_name(staff_client, staff_user, assignment):
    other_ward = LocalityFactory(name="Khánh Bình", parent=assignment.locality.parent)
    url = reverse("cadres:assignment_edit", args=[assignment.pk])
    data = {
        "locality": other_ward.pk,
        "host_organisation": "Thị đoàn Tân Uyên",
        "tasks": assignment.tasks,
        "starts_on": "2021-08-17",
        "ends_on": "2021-09-15",
        "version": opened_version(staff_client, url),
    }
    assert staff_client.post(url, data).status_code == 302
    entries = staff_client.get(reverse("cadres:assignment_detail", args=[assignment.pk])).context["history_entries"]
    assert [entry.kind for entry in entries] == ["~", "+"]
    assert (assignment.locality.display_name, other_ward.display_name) in pairs(entries[0])
    assert ("—", "Thị đoàn Tân Uyên") in pairs(entries[0])
    # Created by the factory, outside a request: nobody signed in.
    assert entries[1].user is None


def test_the_admin_shows_the_assignment_history(superuser, staff_client, assignment):
    url = reverse("cadres:assignment_extend", args=[assignment.pk])
    staff_client.post(url, {"ends_on": "2021-09-20", "version": opened_version(staff_client, url)})
    response = client_for(superuser).get(reverse("admin:cadres_assignment_history", args=[assignment.pk]))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2


# Zone gradings.


def test_a_grading_recorded_shows_in_the_localitys_history(staff_client, staff_user):
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên")
    ZoneStatusFactory(locality=town, grading=Grading.RED, valid_from=D(2021, 7, 19))
    response = staff_client.post(
        reverse("cadres:locality_grade", args=[town.pk]),
        {"grading": Grading.GREEN, "valid_from": "2021-09-20", "directive": "", "note": "Kiểm soát được dịch"},
    )
    assert response.status_code == 302
    response = staff_client.get(reverse("cadres:locality_detail", args=[town.pk]))
    entries = response.context["history_entries"]
    created, closed = entries[0], entries[1]
    assert created.kind == "+" and created.user == staff_user
    assert "20/09/2021" in created.subject
    # The red zone in force until then was closed the day before.
    assert closed.kind == "~" and closed.user == staff_user
    assert ("—", "19/09/2021") in pairs(closed)
    assert ZoneStatus.history.filter(locality_id=town.pk, history_user=staff_user).count() == 2


# Reports.


@pytest.fixture
def cadre():
    return CadreUserFactory()


@pytest.fixture
def submitted_report(cadre):
    today = timezone.localdate()
    assignment = AssignmentFactory(cadre=cadre, starts_on=today - datetime.timedelta(days=27))
    report = MissionReportFactory(assignment=assignment)
    RecommendationFactory(report=report, text="Bổ sung máy thở")
    return report


def test_a_report_returned_then_resubmitted_has_both_changes(staff_client, staff_user, cadre, submitted_report):
    report = submitted_report
    review = reverse("reports:report_review", args=[report.pk])
    data = {"decision": "return", "comment": "Bổ sung số liệu", "version": opened_version(staff_client, review)}
    assert staff_client.post(review, data).status_code == 302

    cadre_client = client_for(cadre.user)
    edit = reverse("reports:report_edit", args=[report.assignment_id])
    recommendation = report.recommendations.get()
    data = {
        "version": opened_version(cadre_client, edit),
        "results": "Đã bổ sung số liệu xét nghiệm.",
        "local_work": report.local_work,
        "difficulties": "",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "1",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-id": str(recommendation.pk),
        "recommendations-0-text": "Bổ sung 5 máy thở",
        "recommendations-0-addressed_to": "province",
        "submit": "1",
    }
    assert cadre_client.post(edit, data).status_code == 302

    records = list(report.history.order_by("history_id"))
    returned = [record for record in records if record.status == ReportStatus.RETURNED]
    assert returned[0].history_user == staff_user
    assert records[-1].status == ReportStatus.SUBMITTED and records[-1].history_user == cadre.user

    response = cadre_client.get(reverse("reports:report_detail", args=[report.pk]))
    entries = response.context["history_entries"]
    by_user = {entry.user for entry in entries}
    assert {staff_user, cadre.user} <= by_user
    with translation.override(settings.LANGUAGE_CODE):
        returned, submitted = str(ReportStatus.RETURNED.label), str(ReportStatus.SUBMITTED.label)
    changes = set().union(*(pairs(entry) for entry in entries))
    assert (submitted, returned) in changes and (returned, submitted) in changes
    assert ("—", "Bổ sung số liệu") in changes
    assert ("Bổ sung máy thở", "Bổ sung 5 máy thở") in changes
    # The staff's review page shows the same history.
    review_entries = staff_client.get(review).context["history_entries"]
    assert {staff_user, cadre.user} <= {entry.user for entry in review_entries}


def test_the_cadre_does_not_see_how_the_province_tracks_a_recommendation(staff_client, cadre, submitted_report):
    recommendation = submitted_report.recommendations.get()
    data = {
        f"r{recommendation.pk}-status": RecommendationStatus.IN_PROGRESS,
        f"r{recommendation.pk}-owner": "",
        f"r{recommendation.pk}-response": "Đang mua sắm",
        f"r{recommendation.pk}-version": version_of(recommendation),
    }
    staff_client.post(reverse("reports:recommendation_update", args=[recommendation.pk]), data)
    assert recommendation.history.count() == 2

    detail = reverse("reports:report_detail", args=[submitted_report.pk])
    staff_changes = set().union(*(pairs(entry) for entry in staff_client.get(detail).context["history_entries"]))
    assert ("—", "Đang mua sắm") in staff_changes
    cadre_entries = client_for(cadre.user).get(detail).context["history_entries"]
    assert ("—", "Đang mua sắm") not in set().union(*(pairs(entry) for entry in cadre_entries))


# Escalations.


def test_an_answered_escalation_has_a_history_entry(staff_client, staff_user, cadre):
    escalation = EscalationFactory(assignment=AssignmentFactory(cadre=cadre))
    manage = reverse("reports:escalation_manage", args=[escalation.pk])
    data = {"action": "answer", "answer": "Sở Y tế cử 5 nhân viên", "version": opened_version(staff_client, manage)}
    assert staff_client.post(manage, data).status_code == 302

    record = escalation.history.first()
    assert record.history_user == staff_user and record.answer == "Sở Y tế cử 5 nhân viên"
    response = client_for(cadre.user).get(reverse("reports:escalation_detail", args=[escalation.pk]))
    latest = response.context["history_entries"][0]
    assert latest.user == staff_user
    assert ("—", "Sở Y tế cử 5 nhân viên") in pairs(latest)
    # Whoever answers an unassigned escalation takes it: the change names the person, not an id.
    assert ("—", "Lan Trần Thị") in pairs(latest)
    assert "Sở Y tế cử 5 nhân viên" in staff_client.get(manage).content.decode()


# The pages cost the same number of queries with a short or a long history.


def _change_assignment(assignment: Assignment, times: int) -> None:
    for index in range(times):
        assignment.host_organisation = f"Thành đoàn {index}"
        assignment.ends_on += datetime.timedelta(days=1)
        assignment.save()


def _change_report(report: MissionReport, times: int) -> None:
    recommendation = report.recommendations.first()
    for index in range(times):
        report.results = f"Kết quả {index}"
        report.reviewed_by = StaffUserFactory()
        report.save()
        recommendation.text = f"Đề xuất {index}"
        recommendation.save()


def _change_escalation(escalation: Escalation, times: int) -> None:
    for index in range(times):
        escalation.answer = f"Trả lời {index}"
        escalation.assigned_to = StaffUserFactory()
        escalation.save()


def _queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("page", ["assignment", "locality", "report_detail", "report_review", "escalation", "manage"])
def test_the_detail_pages_take_the_same_queries_with_2_or_10_changes(staff_client, cadre, page):
    today = timezone.localdate()
    assignment = AssignmentFactory(cadre=cadre, starts_on=today - datetime.timedelta(days=27))
    report = MissionReportFactory(assignment=assignment)
    RecommendationFactory(report=report)
    escalation = EscalationFactory(assignment=assignment)
    town = LocalityFactory(kind=LocalityKind.TOWN)
    client, url, change = {
        "assignment": (
            staff_client,
            reverse("cadres:assignment_detail", args=[assignment.pk]),
            lambda n: _change_assignment(assignment, n),
        ),
        "locality": (
            staff_client,
            reverse("cadres:locality_detail", args=[town.pk]),
            lambda days: [town.record_grading(grading=Grading.RED, valid_from=D(2021, 7, 1 + day)) for day in days],
        ),
        "report_detail": (
            client_for(cadre.user),
            reverse("reports:report_detail", args=[report.pk]),
            lambda n: _change_report(report, n),
        ),
        "report_review": (
            staff_client,
            reverse("reports:report_review", args=[report.pk]),
            lambda n: _change_report(report, n),
        ),
        "escalation": (
            client_for(cadre.user),
            reverse("reports:escalation_detail", args=[escalation.pk]),
            lambda n: _change_escalation(escalation, n),
        ),
        "manage": (
            staff_client,
            reverse("reports:escalation_manage", args=[escalation.pk]),
            lambda n: _change_escalation(escalation, n),
        ),
    }[page]
    change(range(2) if page == "locality" else 2)
    client.get(url)  # sessions, language and the like settle on the first request
    cache.clear()  # Measure the page computed, not read from the cache.
    few, response = _queries(client, url)
    assert len(response.context["history_entries"]) >= 2
    change(range(2, 12) if page == "locality" else 10)
    cache.clear()  # As cold as the first (the header's unread count included).
    many, response = _queries(client, url)
    assert len(response.context["history_entries"]) >= 10
    assert many == few


def test_a_page_shows_the_latest_changes_only(staff_client, assignment):
    _change_assignment(assignment, HISTORY_LIMIT + 5)
    response = staff_client.get(reverse("cadres:assignment_detail", args=[assignment.pk]))
    entries = response.context["history_entries"]
    assert len(entries) == HISTORY_LIMIT
    assert ("Thành đoàn 23", f"Thành đoàn {HISTORY_LIMIT + 4}") in pairs(entries[0])


def test_rating_and_choices_show_as_their_labels(staff_client, submitted_report):
    review = reverse("reports:report_review", args=[submitted_report.pk])
    data = {
        "decision": "accept",
        "rating": Rating.EXCELLENT,
        "comment": "",
        "version": opened_version(staff_client, review),
    }
    assert staff_client.post(review, data).status_code == 302
    latest = staff_client.get(review).context["history_entries"][0]
    with translation.override(settings.LANGUAGE_CODE):
        assert ("—", str(Rating.EXCELLENT.label)) in pairs(latest)
