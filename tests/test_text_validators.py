"""What people type: a single-line field holds no line break or control character, a free text no control
character but its line breaks and tabs, and every free text has a maximum length (shared/text_validators.py)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext

from reports.models import Escalation
from shared.text_validators import plain_text, single_line
from tests.factories import AssignmentFactory, EscalationFactory

OUR_APPS = ("cadres", "reports", "localities")
# Written by the code, never typed by people: the name of an uploaded roster file.
WRITTEN_BY_CODE = {"RosterUpload.filename"}

ONE_LINE = "Write this on one line, without control characters."


@pytest.mark.parametrize(
    "value",
    ["Thiếu nhân lực lấy mẫu", "Phường Phú Cường, Thủ Dầu Một", "TM. BAN THƯỜNG VỤ", "中华 مرحبا 😷", "50% ổn", ""],
)
def test_a_single_line_takes_ordinary_text(value):
    single_line(value)


@pytest.mark.parametrize(
    "value",
    [
        "Thiếu người\r\nBcc: x@example.org",
        "a\nb",
        "a\rb",
        "a\tb",
        "a\x00b",
        "a\x0bb",
        "a\x0cb",
        "a\x1fb",
        "a\x7fb",
        "a\x85b",
        "a\u2028b",
        "a\u2029b",
        "a\ufffeb",
        "a\uffffb",
    ],
)
def test_a_single_line_refuses_line_breaks_and_control_characters(value):
    with pytest.raises(ValidationError) as error:
        single_line(value)
    assert error.value.code == "not_single_line"
    assert error.value.messages == [gettext(ONE_LINE)]


@pytest.mark.parametrize(
    "value", ["Dòng một\nDòng hai", "Dòng một\r\nDòng hai", "\t- thụt lề", "Đoạn 1\u2028Đoạn 2", ""]
)
def test_a_free_text_keeps_its_line_breaks_and_tabs(value):
    plain_text(value)


@pytest.mark.parametrize("value", ["a\x0bb", "a\x00b", "a\x0cb", "a\x08b", "a\x1bb", "a\x7fb", "a\x85b", "a\ufffeb"])
def test_a_free_text_refuses_other_control_characters(value):
    with pytest.raises(ValidationError) as error:
        plain_text(value)
    assert error.value.code == "control_character"


def _typed_fields(kind: type[models.Field]):
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                name = f"{model.__name__}.{field.name}"
                if type(field) is kind and field.editable and not field.choices and name not in WRITTEN_BY_CODE:
                    yield name, field


def test_every_single_line_field_refuses_line_breaks():
    fields = dict(_typed_fields(models.CharField))
    assert "Escalation.subject" in fields and "Locality.name" in fields and "Decision.signer_name" in fields
    missing = [name for name, field in fields.items() if single_line not in field.validators]
    assert not missing


def test_every_free_text_refuses_control_characters_and_has_a_maximum_length():
    fields = dict(_typed_fields(models.TextField))
    assert "DailyNote.situation" in fields and "Recommendation.text" in fields and "ZoneStatus.note" in fields
    assert not [name for name, field in fields.items() if plain_text not in field.validators]
    assert not [name for name, field in fields.items() if not field.max_length]


@pytest.mark.django_db
def test_full_clean_refuses_a_subject_on_two_lines():
    escalation = Escalation(assignment=AssignmentFactory(), subject="Thiếu người\r\nBcc: x@example.org")
    escalation.description, escalation.category = "Mô tả", "staffing"
    with pytest.raises(ValidationError) as error:
        escalation.full_clean()
    assert [e.code for e in error.value.error_dict["subject"]] == ["not_single_line"]


@pytest.mark.django_db
def test_the_admin_refuses_a_subject_on_two_lines(admin_client):
    escalation = EscalationFactory(subject="Thiếu nhân lực")
    data = {
        "assignment": escalation.assignment.pk,
        "note": "",
        "subject": "Thiếu người\r\nBcc: x@example.org",
        "description": escalation.description,
        "category": escalation.category,
        "urgency": escalation.urgency,
        "status": escalation.status,
        "assigned_to": "",
        "answer": "",
    }
    response = admin_client.post(reverse("admin:reports_escalation_change", args=[escalation.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("subject", "not_single_line")
    escalation.refresh_from_db()
    assert escalation.subject == "Thiếu nhân lực"
    # The same form takes a subject on one line: the refusal is the line break's.
    response = admin_client.post(
        reverse("admin:reports_escalation_change", args=[escalation.pk]), {**data, "subject": "Thiếu người"}
    )
    assert response.status_code == 302
