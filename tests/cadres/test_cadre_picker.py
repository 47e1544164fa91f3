"""The cadre picker: one way to choose a cadre, by code or name, in the decision rows and the replace form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadres.forms.cadre_picker import find_cadre
from cadres.models import Assignment
from shared.concurrency import version_of
from tests.cadres.test_decisions import _post_data, _url, scene  # noqa: F401 (a fixture)
from tests.factories import AssignmentFactory, CadreFactory, ProvincialUnitFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes():
    youth_union = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    department = ProvincialUnitFactory(name="Ban Tuyên giáo", short_name="Ban TG", parent=youth_union)
    health = ProvincialUnitFactory(name="Sở Y tế", short_name="Sở Y tế")
    return [
        CadreFactory(code="TD-021", full_name="Nguyễn Văn An", unit=department),
        CadreFactory(code="SYT-004", full_name="Nguyễn Văn An", unit=health),
    ]


def test_it_finds_a_cadre_by_code_whatever_the_case():
    cadre = CadreFactory(code="TD-007")
    assert find_cadre("td-007") == cadre


def test_it_finds_a_cadre_by_full_name_with_or_without_accents():
    cadre = CadreFactory(full_name="Đặng Hoàng Yến")
    CadreFactory(full_name="Đặng Hoàng Yến Nhi")  # a longer name that starts the same is not a namesake
    assert find_cadre("  Đặng  Hoàng Yến ") == cadre
    assert find_cadre("dang hoang yen") == cadre


def test_a_name_written_exactly_is_preferred_to_one_that_differs_in_accents():
    lam = CadreFactory(full_name="Nguyễn Tùng Lâm")
    CadreFactory(full_name="Nguyễn Tùng Lam")
    assert find_cadre("Nguyễn Tùng Lâm") == lam
    with pytest.raises(ValidationError) as refusal:
        find_cadre("nguyen tung lam")
    assert refusal.value.code == "ambiguous"


def test_an_ambiguous_name_lists_the_namesakes_with_their_codes_and_units(namesakes):
    with pytest.raises(ValidationError) as refusal:
        find_cadre("Nguyễn Văn An")
    message = refusal.value.messages[0]
    assert refusal.value.code == "ambiguous"
    assert "TD-021 (Ban TG, Tỉnh đoàn)" in message and "SYT-004 (Sở Y tế)" in message


def test_an_inactive_namesake_is_not_a_candidate(namesakes):
    namesakes[1].is_active = False
    namesakes[1].save()
    assert find_cadre("Nguyễn Văn An") == namesakes[0]


def test_an_unknown_text_says_so():
    with pytest.raises(ValidationError) as refusal:
        find_cadre("Không Có Ai")
    assert refusal.value.code == "unknown"


# The replace form


@pytest.fixture
def assignment():
    return AssignmentFactory(starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15))


def _replace(client, assignment, replacement: str):
    data = {"replacement": replacement, "on": "2021-09-01", "reason": "F0", "version": version_of(assignment)}
    return client.post(reverse("cadres:assignment_replace", args=[assignment.pk]), data)


def test_replace_takes_a_full_name(staff_client, assignment):
    stand_in = CadreFactory(code="TD-007", full_name="Đặng Hoàng Yến")
    response = _replace(staff_client, assignment, "Đặng Hoàng Yến")
    successor = Assignment.objects.get(cadre=stand_in)
    assert response.status_code == 302 and response.url == reverse("cadres:assignment_detail", args=[successor.pk])
    assert successor.starts_on == D(2021, 9, 2)


def test_replace_lists_namesakes_and_changes_nothing(staff_client, assignment, namesakes):
    response = _replace(staff_client, assignment, "Nguyễn Văn An")
    assert response.status_code == 200
    assert response.context["form"].has_error("replacement", "ambiguous")
    content = response.content.decode()
    assert "TD-021" in content and "SYT-004" in content
    assignment.refresh_from_db()
    assert assignment.replaced_by is None and not Assignment.objects.filter(cadre__in=namesakes).exists()


def test_the_replace_page_suggests_cadres_as_the_decision_form_does(staff_client, assignment):
    content = staff_client.get(reverse("cadres:assignment_replace", args=[assignment.pk])).content.decode()
    assert 'list="id_replacement-options"' in content and '<datalist id="id_replacement-options">' in content
    assert f'data-search="{reverse("cadres:cadre_search")}"' in content
    assert "js/decision_form.js" in content


def test_the_other_assignment_actions_load_no_picker_script(staff_client, assignment):
    content = staff_client.get(reverse("cadres:assignment_recall", args=[assignment.pk])).content.decode()
    assert "js/decision_form.js" not in content


# The decision rows


def test_a_decision_row_lists_namesakes_too(staff_client, scene, namesakes):  # noqa: F811
    row = {"cadre": "Nguyễn Văn An", "locality": "718", "host_organisation": "", "starts_on": "2021-08-17"}
    response = staff_client.post(_url(scene), _post_data(scene, [row]))
    assert response.status_code == 200
    assert response.context["rows"].forms[0].has_error("cadre", "ambiguous")
    assert "TD-021 (Ban TG, Tỉnh đoàn)" in response.content.decode()


def test_each_decision_row_has_its_own_suggestions(staff_client, scene):  # noqa: F811
    content = staff_client.get(_url(scene)).content.decode()
    assert '<datalist id="id_rows-0-cadre-options">' in content
    assert '<datalist id="id_rows-5-cadre-options">' in content
    assert '<datalist id="id_rows-__prefix__-cadre-options">' in content  # the row "Add a row" copies
