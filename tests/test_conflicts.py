"""Conflict-safe edits: a form opened before someone else saved is refused, and their change is kept.

Each test opens a form (GET, keeping the version it carries), lets another
person save through their own page, then posts the stale form: the answer is
409 with a message naming who saved, the form keeps what was typed, and the
database holds the other person's change. The form shown again carries the
current version, so saving it once more is a deliberate overwrite that works.
"""

import datetime
import threading
import time

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadres import services
from cadres.models import Assignment
from localities.models import LocalityKind
from reports.models import Escalation, EscalationStatus, MissionReport, Rating, ReportStatus
from shared.concurrency import version_of
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CadreUserFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(client, url: str, form: str = "form") -> str:
    """Open the page; return the version its form carries."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context[form]["version"].value()


def assert_conflict(response, form: str = "form", code: str = "conflict") -> None:
    assert response.status_code == 409
    assert response.context[form].has_error(NON_FIELD_ERRORS, code)


@pytest.fixture
def me():
    return StaffUserFactory(first_name="Minh", last_name="Lê Văn")


@pytest.fixture
def colleague():
    return StaffUserFactory(first_name="Lan", last_name="Trần Thị")


@pytest.fixture
def my_client(me):
    return client_for(me)


@pytest.fixture
def colleague_client(colleague):
    return client_for(colleague)


# Assignments: edit, extend, recall, replace.


@pytest.fixture
def assignment():
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương")
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", parent=province)
    ward = LocalityFactory(name="Uyên Hưng", parent=district)
    return AssignmentFactory(
        locality=ward, host_organisation="Thị đoàn Tân Uyên", starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15)
    )


def edit_data(assignment: Assignment, version: str, **changes) -> dict:
    return {
        "locality": assignment.locality_id,
        "host_organisation": assignment.host_organisation,
        "tasks": assignment.tasks,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "version": version,
        **changes,
    }


def _url(name: str, assignment: Assignment) -> str:
    return reverse(f"cadres:{name}", args=[assignment.pk])


def test_a_stale_edit_is_refused_and_the_colleagues_change_kept(my_client, colleague_client, assignment):
    url = _url("assignment_edit", assignment)
    mine = opened(my_client, url)
    theirs = opened(colleague_client, url)
    response = colleague_client.post(url, edit_data(assignment, theirs, host_organisation="Thành đoàn Tân Uyên"))
    assert response.status_code == 302

    response = my_client.post(url, edit_data(assignment, mine, tasks="Nhiệm vụ của tôi", ends_on="2021-09-20"))
    assert_conflict(response)
    assert "Lan Trần Thị" in " ".join(response.context["form"].non_field_errors())
    # What I typed is still in the form.
    assert response.context["form"]["tasks"].value() == "Nhiệm vụ của tôi"
    assert response.context["form"]["ends_on"].value() == "2021-09-20"
    assignment.refresh_from_db()
    assert assignment.host_organisation == "Thành đoàn Tân Uyên"
    assert assignment.tasks != "Nhiệm vụ của tôi" and assignment.ends_on == D(2021, 9, 15)

    # Seen the other change, I save again: the form now carries the current version.
    again = response.context["form"]["version"].value()
    response = my_client.post(url, edit_data(assignment, again, tasks="Nhiệm vụ của tôi"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.tasks == "Nhiệm vụ của tôi" and assignment.host_organisation == "Thành đoàn Tân Uyên"


def test_a_fresh_edit_saves(my_client, assignment):
    url = _url("assignment_edit", assignment)
    response = my_client.post(url, edit_data(assignment, opened(my_client, url), host_organisation="Huyện đoàn"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.host_organisation == "Huyện đoàn"


ACTIONS = {
    "assignment_extend": {"ends_on": "2021-09-25"},
    "assignment_recall": {"on": "2021-08-30", "reason": "Ốm"},
    "assignment_replace": {"replacement": "TD-REPLACE", "on": "2021-08-30", "reason": "F0"},
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stale_action_is_refused_after_a_colleague_extended(my_client, colleague_client, assignment, action):
    CadreFactory(code="TD-REPLACE")
    url = _url(action, assignment)
    mine = opened(my_client, url)
    extend = _url("assignment_extend", assignment)
    response = colleague_client.post(extend, {"ends_on": "2021-09-20", "version": opened(colleague_client, extend)})
    assert response.status_code == 302

    response = my_client.post(url, {**ACTIONS[action], "version": mine})
    assert_conflict(response)
    form = response.context["form"]
    for name, value in ACTIONS[action].items():
        assert form[name].value() == value
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 20)
    assert assignment.recalled_on is None and assignment.replaced_by is None
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_a_fresh_action_saves(my_client, assignment, action):
    CadreFactory(code="TD-REPLACE")
    url = _url(action, assignment)
    response = my_client.post(url, {**ACTIONS[action], "version": opened(my_client, url)})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == (D(2021, 9, 25) if action == "assignment_extend" else D(2021, 8, 30))


def test_a_post_without_a_version_is_refused_then_saves_with_the_version_it_is_given(my_client, assignment):
    url = _url("assignment_extend", assignment)
    response = my_client.post(url, {"ends_on": "2021-09-25"})
    assert_conflict(response, code="version_missing")
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15)
    version = response.context["form"]["version"].value()
    assert my_client.post(url, {"ends_on": "2021-09-25", "version": version}).status_code == 302


@pytest.mark.parametrize("version", ["rác", "2021-13-45T99:00", "new", "0" * 5000])
def test_a_made_up_version_is_a_conflict_not_an_error(my_client, assignment, version):
    response = my_client.post(_url("assignment_extend", assignment), {"ends_on": "2021-09-25", "version": version})
    assert_conflict(response)
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 15)


# The cadre's report: two devices of the same cadre.


@pytest.fixture
def cadre():
    return CadreUserFactory()


@pytest.fixture
def ending_mission(cadre):
    return AssignmentFactory(cadre=cadre, starts_on=timezone.localdate() - datetime.timedelta(days=27))


def report_data(version: str, results: str, *, submit: bool = False) -> dict:
    data = {
        "version": version,
        "results": results,
        "local_work": "Đoàn phường hoạt động tốt.",
        "difficulties": "",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-text": f"Đề xuất: {results}",
        "recommendations-0-addressed_to": "province",
    }
    data["submit" if submit else "save"] = "1"
    return data


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submit"])
@pytest.mark.parametrize("first_time", [True, False], ids=["new", "draft exists"])
def test_a_report_saved_on_another_device_is_not_overwritten(cadre, ending_mission, submit, first_time):
    if not first_time:
        MissionReportFactory(assignment=ending_mission, status=ReportStatus.DRAFT, submitted_at=None)
    phone, laptop = client_for(cadre.user), client_for(cadre.user)
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    on_phone = opened(phone, url)
    assert laptop.post(url, report_data(opened(laptop, url), "Viết trên máy tính")).status_code == 302

    response = phone.post(url, report_data(on_phone, "Viết trên điện thoại", submit=submit))
    assert_conflict(response)
    assert response.context["form"]["results"].value() == "Viết trên điện thoại"
    assert response.context["formset"].forms[0]["text"].value() == "Đề xuất: Viết trên điện thoại"
    report = MissionReport.objects.get(assignment=ending_mission)
    assert report.results == "Viết trên máy tính" and report.status == ReportStatus.DRAFT
    assert list(report.recommendations.values_list("text", flat=True)) == ["Đề xuất: Viết trên máy tính"]


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submit"])
def test_two_first_drafts_at_the_same_moment_make_a_conflict_not_an_error(cadre, ending_mission, submit, monkeypatch):
    """The phone's version check ran before the laptop's first draft was committed; its INSERT then meets it."""
    from reports.forms.report import MissionReportForm

    phone = client_for(cadre.user)
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    on_phone = opened(phone, url)
    MissionReportFactory(assignment=ending_mission, status=ReportStatus.DRAFT, results="Viết trên máy tính")
    real_check, checks = MissionReportForm.lock_and_check, []

    def checked_before_the_laptop_saved(form, queryset, **lookup):
        checks.append(lookup)
        return None if len(checks) == 1 else real_check(form, queryset, **lookup)

    monkeypatch.setattr(MissionReportForm, "lock_and_check", checked_before_the_laptop_saved)
    response = phone.post(url, report_data(on_phone, "Viết trên điện thoại", submit=submit))
    assert_conflict(response)
    assert response.context["form"]["results"].value() == "Viết trên điện thoại"
    assert MissionReport.objects.get(assignment=ending_mission).results == "Viết trên máy tính"


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submit"])
def test_a_fresh_report_form_saves(cadre, ending_mission, submit):
    client = client_for(cadre.user)
    url = reverse("reports:report_edit", args=[ending_mission.pk])
    assert client.post(url, report_data(opened(client, url), "Kết quả", submit=submit)).status_code == 302
    report = MissionReport.objects.get(assignment=ending_mission)
    assert report.results == "Kết quả"
    assert report.status == (ReportStatus.SUBMITTED if submit else ReportStatus.DRAFT)


# The staff's review of a report.


@pytest.fixture
def report():
    report = MissionReportFactory()
    RecommendationFactory(report=report)
    return report


def test_a_stale_review_is_refused_and_the_colleagues_review_kept(my_client, colleague_client, colleague, report):
    url = reverse("reports:report_review", args=[report.pk])
    mine = opened(my_client, url)
    returned = {"decision": "return", "comment": "Bổ sung số liệu", "version": opened(colleague_client, url)}
    assert colleague_client.post(url, returned).status_code == 302

    mine = {"decision": "accept", "rating": Rating.EXCELLENT, "comment": "Rất tốt", "version": mine}
    response = my_client.post(url, mine)
    assert_conflict(response)
    assert response.context["form"]["comment"].value() == "Rất tốt"
    assert "Rất tốt" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "Bổ sung số liệu"
    assert report.reviewed_by == colleague and report.rating == ""


def test_a_fresh_review_saves(my_client, me, report):
    url = reverse("reports:report_review", args=[report.pk])
    data = {"decision": "accept", "rating": Rating.GOOD, "comment": "", "version": opened(my_client, url)}
    assert my_client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == me


# Escalations: assign, answer, resolve, reopen.


@pytest.fixture
def escalation():
    return EscalationFactory(answer="Đã có phương án.", status=EscalationStatus.IN_PROGRESS)


MANAGE_FORMS = {
    "assign": "assign_form",
    "answer": "answer_form",
    "resolve": "status_form",
}


@pytest.mark.parametrize("action", MANAGE_FORMS)
def test_a_stale_escalation_form_is_refused_and_the_colleagues_answer_kept(
    my_client, colleague_client, me, colleague, escalation, action
):
    url = reverse("reports:escalation_manage", args=[escalation.pk])
    form = MANAGE_FORMS[action]
    mine = opened(my_client, url, form)
    answer = {
        "action": "answer",
        "answer": "Sở Y tế cử 5 người.",
        "version": opened(colleague_client, url, "answer_form"),
    }
    assert colleague_client.post(url, answer).status_code == 302

    data = {"assign": {"assigned_to": me.pk}, "answer": {"answer": "Câu trả lời của tôi", "resolve": "on"}}.get(
        action, {}
    )
    response = my_client.post(url, {"action": action, "version": mine, **data})
    assert_conflict(response, form)
    if action == "answer":
        assert response.context["answer_form"]["answer"].value() == "Câu trả lời của tôi"
    escalation.refresh_from_db()
    assert escalation.answer == "Sở Y tế cử 5 người."
    assert escalation.assigned_to == colleague and escalation.status == EscalationStatus.IN_PROGRESS


def test_a_stale_reopen_is_refused(my_client, colleague_client, escalation):
    escalation.status = EscalationStatus.RESOLVED
    escalation.save()
    url = reverse("reports:escalation_manage", args=[escalation.pk])
    mine = opened(my_client, url, "status_form")
    answer = {"action": "answer", "answer": "Bổ sung: đã xong.", "resolve": "on"}
    answer["version"] = opened(colleague_client, url, "answer_form")
    assert colleague_client.post(url, answer).status_code == 302

    assert_conflict(my_client.post(url, {"action": "reopen", "version": mine}), "status_form")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED and escalation.answer == "Bổ sung: đã xong."


@pytest.mark.parametrize("action", ["assign", "answer", "resolve"])
def test_a_fresh_escalation_form_saves(my_client, me, escalation, action):
    url = reverse("reports:escalation_manage", args=[escalation.pk])
    data = {"assign": {"assigned_to": me.pk}, "answer": {"answer": "Đã điều phối."}}.get(action, {})
    version = opened(my_client, url, MANAGE_FORMS[action])
    assert my_client.post(url, {"action": action, "version": version, **data}).status_code == 302
    escalation = Escalation.objects.get(pk=escalation.pk)
    expected = {
        "assign": lambda e: e.assigned_to == me,
        "answer": lambda e: e.answer == "Đã điều phối.",
        "resolve": lambda e: e.status == EscalationStatus.RESOLVED,
    }[action]
    assert expected(escalation)


# Two saves at the same moment: the row lock makes the second wait for the first, then see its change.


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_forms_posted_at_once_from_the_same_version_save_once(monkeypatch):
    me, colleague = StaffUserFactory(), StaffUserFactory()
    assignment = AssignmentFactory(starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15))
    version = version_of(assignment)
    url = _url("assignment_extend", assignment)
    first_holds_the_row = threading.Event()
    extend = services.assignment_extend

    def slow_extend(**kwargs):
        # The first request keeps its transaction open while the second one arrives.
        if not first_holds_the_row.is_set():
            first_holds_the_row.set()
            time.sleep(0.5)
        return extend(**kwargs)

    monkeypatch.setattr(services, "assignment_extend", slow_extend)
    answers = {}

    def post(user, ends_on: str, wait: bool):
        if wait:
            first_holds_the_row.wait(timeout=10)
        try:
            answers[ends_on] = client_for(user).post(url, {"ends_on": ends_on, "version": version}).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(me, "2021-09-20", False)),
        threading.Thread(target=post, args=(colleague, "2021-09-25", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {"2021-09-20": 302, "2021-09-25": 409}
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 20)


def test_a_stale_recommendation_update_is_refused_and_the_colleagues_kept(my_client, colleague_client, report):
    recommendation = report.recommendations.get()
    url = reverse("reports:recommendation_update", args=[recommendation.pk])
    prefix = f"r{recommendation.pk}"
    mine = opened(my_client, url)
    theirs = {
        f"{prefix}-status": "in_progress",
        f"{prefix}-response": "Sở Y tế đang mua sắm",
        f"{prefix}-version": opened(colleague_client, url),
    }
    assert colleague_client.post(url, theirs).status_code == 302

    response = my_client.post(
        url, {f"{prefix}-status": "done", f"{prefix}-response": "Đã bàn giao", f"{prefix}-version": mine}
    )
    assert_conflict(response)
    assert response.context["form"]["response"].value() == "Đã bàn giao"
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.response) == ("in_progress", "Sở Y tế đang mua sắm")
