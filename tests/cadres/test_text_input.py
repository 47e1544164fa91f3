"""Hostile text in the staff's forms of cadres, decisions, assignments and campaigns: refused, nothing stored."""

import pytest
from django.urls import reverse

from cadres.filters import AssignmentFilter, CadreFilter, LocalityFilter
from cadres.forms.assignments import RecallForm, ReplaceForm
from cadres.forms.campaigns import CampaignFilter
from cadres.models import Cadre, Decision
from tests.cadres.test_decisions import MAI, _post_data, _url, scene  # noqa: F401 (a fixture)
from tests.factories import AssignmentFactory, CadreFactory, ProvincialUnitFactory

pytestmark = pytest.mark.django_db


def test_a_decision_title_on_two_lines_saves_nothing(staff_client, scene):  # noqa: F811
    response = staff_client.post(_url(scene), _post_data(scene, [MAI], summary="Về việc\r\nphân công"))
    assert response.status_code == 200
    assert response.context["form"].has_error("summary", "not_single_line")
    assert not Decision.objects.exists()


def test_a_decision_row_host_organisation_on_two_lines_saves_nothing(staff_client, scene):  # noqa: F811
    row = {**MAI, "host_organisation": "Thành đoàn\nThủ Dầu Một"}
    response = staff_client.post(_url(scene), _post_data(scene, [row]))
    assert response.status_code == 200
    assert response.context["rows"].forms[0].has_error("host_organisation", "not_single_line")
    assert not Decision.objects.exists()


def test_decision_recipients_keep_their_lines_but_not_control_characters(staff_client, scene):  # noqa: F811
    response = staff_client.post(_url(scene), _post_data(scene, [MAI], recipients="- Như Điều 3;\x0c- Lưu VP."))
    assert response.context["form"].has_error("recipients", "control_character")
    assert not Decision.objects.exists()


def test_a_cadre_name_with_a_control_character_is_refused(staff_client):
    unit = ProvincialUnitFactory()
    data = {"code": "TD-100", "full_name": "Nguyễn\x1b[31mVăn An", "unit": unit.pk, "is_active": "on"}
    response = staff_client.post(reverse("cadres:cadre_create"), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("full_name", "not_single_line")
    assert not Cadre.objects.filter(code="TD-100").exists()


def test_an_assignment_host_organisation_on_two_lines_is_refused(staff_client):
    assignment = AssignmentFactory(host_organisation="Thành đoàn Dĩ An")
    data = {
        "locality": assignment.locality.pk,
        "host_organisation": "Thành đoàn\r\nDĩ An",
        "tasks": assignment.tasks,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "version": assignment.updated_at.isoformat(),
    }
    response = staff_client.post(reverse("cadres:assignment_edit", args=[assignment.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("host_organisation", "not_single_line")
    assignment.refresh_from_db()
    assert assignment.host_organisation == "Thành đoàn Dĩ An"


@pytest.mark.parametrize(
    ("form", "field", "value"),
    [
        (lambda data: RecallForm(data), "reason", "Ốm\r\nnặng"),
        (lambda data: CadreFilter(data).form, "q", "Mai\nx"),
        (lambda data: AssignmentFilter(data).form, "q", "Mai\x00"),
        (lambda data: CampaignFilter(data).form, "q", "Phòng\x7fdịch"),
        (lambda data: LocalityFilter(data).form, "q", "Dĩ\tAn"),
    ],
)
def test_the_forms_without_a_model_refuse_line_breaks(form, field, value):
    assert form({field: value}).has_error(field, "not_single_line")


def test_the_replacement_reason_is_one_line():
    assignment = AssignmentFactory()
    CadreFactory(code="TD-007")
    form = ReplaceForm({"replacement": "TD-007", "on": "2021-08-20", "reason": "a\nb"}, assignment=assignment)
    assert form.has_error("reason", "not_single_line")


def test_the_cadre_list_answers_a_search_with_a_line_break(staff_client):
    response = staff_client.get(reverse("cadres:cadre_list"), {"q": "Mai\r\nx"})
    assert response.status_code == 200
    assert response.context["filter"].form.has_error("q", "not_single_line")
