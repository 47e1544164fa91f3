"""Hostile text in the cadre's and the staff's forms: line breaks in a subject, control characters and
megabytes in a note are refused with a message, and nothing is stored."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from reports.filters import EscalationFilter, NoteFilter, ReportFilter
from reports.forms.review import EscalationAnswerForm, ReportReviewForm
from reports.models import DailyNote, Escalation, Health, MissionReport, Urgency
from shared.concurrency import NEW, version_of
from tests.factories import AssignmentFactory, EscalationFactory, MissionReportFactory

pytestmark = pytest.mark.django_db

NOTE = reverse("reports:note_create")
ESCALATION = reverse("reports:escalation_create")


def note_data(**overrides) -> dict:
    return {
        "day": timezone.localdate().isoformat(),
        "activities": ["door_to_door"],
        "other_activities": "",
        "situation": "Khu phố 3 có 2 ca dương tính mới.",
        "difficulties": "",
        "needs": "",
        "health": Health.WELL,
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def escalation_data(**overrides) -> dict:
    return {
        "subject": "Thiếu nhân lực lấy mẫu",
        "description": "Phường cần thêm 10 người.",
        "category": "staffing",
        "urgency": Urgency.URGENT,
        "client_key": str(uuid.uuid4()),
        **overrides,
    }


def test_a_subject_on_two_lines_is_refused_with_the_message(cadre_client, current_mission):
    response = cadre_client.post(ESCALATION, escalation_data(subject="Thiếu người\r\nBcc: x@example.org"))
    assert response.status_code == 200
    assert response.context["form"].has_error("subject", "not_single_line")
    assert gettext("Write this on one line, without control characters.") in response.content.decode()
    assert not Escalation.objects.exists()


def test_the_phone_gets_the_subject_refusal_as_json(cadre_client, current_mission):
    response = cadre_client.post(
        ESCALATION, escalation_data(subject="Thiếu người\nlấy mẫu"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["subject"][0]["code"] == "not_single_line"
    assert not Escalation.objects.exists()


def test_a_description_keeps_its_line_breaks(cadre_client, current_mission):
    cadre_client.post(ESCALATION, escalation_data(description="Một là thiếu người.\r\n\tHai là thiếu que test."))
    assert Escalation.objects.get().description == "Một là thiếu người.\r\n\tHai là thiếu que test."


def test_a_note_with_a_vertical_tab_is_refused(cadre_client, current_mission):
    response = cadre_client.post(NOTE, note_data(situation="Dòng một\x0bdòng hai"))
    assert response.status_code == 200
    assert response.context["form"].has_error("situation", "control_character")
    assert not DailyNote.objects.exists()


def test_a_note_keeps_its_line_breaks_and_tabs(cadre_client, current_mission):
    cadre_client.post(NOTE, note_data(situation="Dòng một\r\n\tdòng hai"))
    assert DailyNote.objects.get().situation == "Dòng một\r\n\tdòng hai"


def test_an_11_mb_note_text_is_refused_with_the_limit(cadre_client, current_mission):
    response = cadre_client.post(NOTE, note_data(situation="x" * 11_000_000))
    form = response.context["form"]
    assert form.has_error("situation", "max_length")
    assert "5000" in form.errors["situation"][0]
    assert not DailyNote.objects.exists()


def test_the_phone_gets_a_note_over_the_limit_refused_as_json(cadre_client, current_mission):
    response = cadre_client.post(NOTE, note_data(needs="x" * 5_001), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["needs"][0]["code"] == "max_length"
    assert not DailyNote.objects.exists()


def test_a_note_at_the_limit_is_stored(cadre_client, current_mission):
    cadre_client.post(NOTE, note_data(needs="x" * 5_000))
    assert len(DailyNote.objects.get().needs) == 5_000


def test_the_note_form_shows_its_limits(cadre_client, current_mission):
    # other activities, situation, difficulties, needs
    assert cadre_client.get(NOTE).content.decode().count('maxlength="5000"') == 4


def test_an_escalation_description_over_the_limit_is_refused(cadre_client, current_mission):
    response = cadre_client.post(ESCALATION, escalation_data(description="x" * 5_001))
    assert response.context["form"].has_error("description", "max_length")
    assert not Escalation.objects.exists()


def test_a_report_section_over_the_limit_is_refused(cadre_client, cadre):
    ending = AssignmentFactory(cadre=cadre, starts_on=timezone.localdate() - datetime.timedelta(days=27))
    data = {
        "version": NEW,
        "results": "x" * 10_001,
        "local_work": "",
        "difficulties": "",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-text": "y" * 2_001,
        "recommendations-0-addressed_to": "province",
        "save": "1",
    }
    response = cadre_client.post(reverse("reports:report_edit", args=[ending.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("results", "max_length")
    assert response.context["formset"].forms[0].has_error("text", "max_length")
    assert not MissionReport.objects.exists()


def test_the_staff_answer_refuses_control_characters_and_megabytes(staff_client):
    escalation = EscalationFactory()
    url = reverse("reports:escalation_manage", args=[escalation.pk])
    for answer, code in [("Đã cử\x00 người", "control_character"), ("x" * 5_001, "max_length")]:
        data = {"action": "answer", "answer": answer, "version": version_of(escalation)}
        response = staff_client.post(url, data)
        assert response.status_code == 200 and response.context["answer_form"].has_error("answer", code)
    escalation.refresh_from_db()
    assert escalation.answer == ""


@pytest.mark.parametrize(
    ("form", "field", "value", "code"),
    [
        (lambda data: EscalationAnswerForm(data), "answer", "a\x0bb", "control_character"),
        (lambda data: ReportReviewForm(data), "comment", "a\x1bb", "control_character"),
        (lambda data: ReportReviewForm(data), "comment", "x" * 5_001, "max_length"),
        (lambda data: NoteFilter(data).form, "q", "Mai\r\nx", "not_single_line"),
        (lambda data: EscalationFilter(data).form, "q", "Mai\x00", "not_single_line"),
        (lambda data: ReportFilter(data).form, "cadre", "Mai\tx", "not_single_line"),
    ],
)
def test_the_forms_without_a_model_use_the_same_rules(form, field, value, code):
    bound = form({field: value, "decision": "return"})
    assert bound.has_error(field, code)


def test_a_report_comment_keeps_its_line_breaks():
    MissionReportFactory()
    form = ReportReviewForm({"decision": "return", "comment": "Bổ sung:\r\n- số liệu", "version": NEW})
    assert form.is_valid(), form.errors
