"""A unit that ended (merged, split) is read as it was, and nothing is recorded for it after its last day."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from localities.models import Grading, LocalityChange, LocalityKind, ZoneStatus
from tests.factories import LocalityFactory, ZoneStatusFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def ended():
    """A ward that ended on 30/06/2025, part of Phường Tân Khánh since; graded red in 2021."""
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên")
    ward = LocalityFactory(name="Tân Phước Khánh", parent=town, valid_to=D(2025, 6, 30))
    ward.successors.add(LocalityFactory(name="Tân Khánh", valid_from=D(2025, 7, 1)))
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=D(2021, 7, 19), valid_to=D(2021, 9, 30))
    return ward


def detail(client, unit, **query):
    return client.get(reverse("cadres:locality_detail", args=[unit.pk]), query).content.decode()


def test_the_page_of_an_ended_unit_offers_no_new_grading_but_a_way_to_grade_a_day_of_its_life(staff_client, ended):
    grade = reverse("cadres:locality_grade", args=[ended.pk])
    page = detail(staff_client, ended)
    assert f'action="{grade}"' not in page
    assert f'href="{grade}?day=2025-06-30"' in page
    # Opened on a day of its life, the link carries that day; the grade page offers it.
    assert f'href="{grade}?day=2021-08-20"' in detail(staff_client, ended, day="2021-08-20")
    form = staff_client.get(grade, {"day": "2021-08-20"}).context["form"]
    assert form.initial["valid_from"] == D(2021, 8, 20)
    # Without a day, or a day after its end, its last day.
    assert staff_client.get(grade).context["form"].initial["valid_from"] == D(2025, 6, 30)
    # A unit that still exists keeps the form.
    alive = LocalityFactory(name="Uyên Hưng", parent=ended.parent)
    assert f'action="{reverse("cadres:locality_grade", args=[alive.pk])}"' in detail(staff_client, alive)


def test_the_facts_of_a_day_after_the_end_show_no_grading_of_that_day(staff_client, ended):
    page = detail(staff_client, ended, day="2026-01-05")
    assert not re.search(r"<dt>[^<]*05/01/2026</dt>", page)
    after_end = re.search(r'<dd class="muted" id="grading-after-end">([^<]*)</dd>', page)
    assert after_end and "05/01/2026" in after_end.group(1) and "30/06/2025" in after_end.group(1)
    # A day of its life reads the grading of that day.
    lived = detail(staff_client, ended, day="2021-08-20")
    assert re.search(r"<dt>[^<]*20/08/2021</dt>", lived) and 'class="badge red"' in lived
    assert 'id="grading-after-end"' not in lived


def test_a_grading_after_the_end_is_refused_by_the_model_naming_the_end_and_what_it_became(ended):
    status = ZoneStatus(locality=ended, grading=Grading.GREEN, valid_from=D(2025, 7, 1))
    with pytest.raises(ValidationError) as refused:
        status.full_clean()
    [message] = refused.value.message_dict["valid_from"]
    assert "30/06/2025" in message and "Tân Khánh" in message and "01/07/2025" in message
    with pytest.raises(ValidationError):
        ended.record_grading(grading=Grading.GREEN, valid_from=D(2025, 7, 1))
    assert ended.zone_statuses.count() == 1
    # Its last day is still its own.
    ended.record_grading(grading=Grading.GREEN, valid_from=D(2025, 6, 30))
    assert ended.zone_statuses.count() == 2


def test_the_grading_form_refuses_a_day_after_the_end_with_the_models_message(staff_client, ended):
    response = staff_client.post(
        reverse("cadres:locality_grade", args=[ended.pk]), {"grading": Grading.GREEN, "valid_from": "2025-07-01"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("valid_from", "after_locality")
    assert "Tân Khánh" in " ".join(form.errors["valid_from"])
    assert ended.zone_statuses.count() == 1


def test_a_change_of_an_ended_unit_is_offered_on_its_last_day_and_refused_after_it(staff_client, ended):
    url = reverse("cadres:locality_change", args=[ended.pk])
    page = staff_client.get(url)
    assert page.context["form"].initial["effective_on"] == D(2025, 6, 30)
    assert page.context["ended"]
    response = staff_client.post(
        url, {"kind": "rename", "effective_on": "2025-07-01", "new_name": "Tân Phước Khánh Mới", "confirm": "1"}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "30/06/2025" in errors and "Tân Khánh" in errors
    assert not LocalityChange.objects.exists()
    # Within its life, the change is recorded.
    response = staff_client.post(
        url, {"kind": "rename", "effective_on": "2022-01-01", "new_name": "Tân Phước Khánh Mới", "confirm": "1"}
    )
    assert response.status_code == 302
    ended.refresh_from_db()
    assert ended.name == "Tân Phước Khánh Mới"


def test_the_timeline_button_says_up_to_which_day_a_change_is_recorded(staff_client, ended):
    page = detail(staff_client, ended)
    button = re.search(
        r'href="{}">[^<]*</a>([^\n]*)</p>'.format(reverse("cadres:locality_change", args=[ended.pk])), page
    )
    assert button and "30/06/2025" in button.group(1)
