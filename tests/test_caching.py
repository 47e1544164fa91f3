"""The short cache of reference selects and dashboard figures.

Fast, yet a change made in this process shows at once.
"""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse

from cadres.models import ProvincialUnit
from deployment.widgets import CachedSelect
from tests.factories import AssignmentFactory, ProvincialUnitFactory

pytestmark = pytest.mark.django_db
ASSIGNMENTS = reverse("cadres:assignment_list")
DASHBOARD = reverse("cadres:dashboard")


class UnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=ProvincialUnit.objects.order_by("name"), widget=CachedSelect, empty_label="Tất cả"
    )


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def _attributes(html: str) -> set[str]:
    return set(re.match(r"<select ([^>]*)>", html).group(1).split())


def test_the_cached_select_renders_what_django_select_renders():
    chosen = ProvincialUnitFactory(short_name='Sở <Y tế> & "Dân số"')
    ProvincialUnitFactory(name="Tỉnh đoàn")
    cached = str(UnitForm(initial={"unit": chosen.pk})["unit"])
    plain_form = UnitForm(initial={"unit": chosen.pk})
    plain_form.fields["unit"].widget = forms.Select(choices=plain_form.fields["unit"].choices)
    plain = str(plain_form["unit"])
    assert _options(cached) == _options(plain) and len(_options(cached)) == 3
    assert _attributes(cached) == _attributes(plain) == {'name="unit"', "required", 'id="id_unit"'}
    assert "Sở &lt;Y tế&gt; &amp; &quot;Dân số&quot;" in cached
    assert f'<option value="{chosen.pk}" selected>' in cached


def test_a_unit_created_a_moment_ago_is_offered_at_once(staff_client):
    staff_client.get(ASSIGNMENTS)
    unit = ProvincialUnitFactory(name="Sở Thông tin và Truyền thông")
    options = _options(staff_client.get(ASSIGNMENTS).content.decode())
    assert f'<option value="{unit.pk}">Sở Thông tin và Truyền thông</option>' in options


def _figures(response) -> str:
    content = response.content.decode()
    return content[content.index('class="muted figures-time"') : content.index("</main>")]


def test_the_dashboard_figures_are_computed_once_then_read(staff_client, django_assert_max_num_queries):
    AssignmentFactory(starts_on=datetime.date(2021, 8, 20))
    first = staff_client.get(DASHBOARD, {"day": "2021-08-25"})
    with django_assert_max_num_queries(6):
        second = staff_client.get(DASHBOARD, {"day": "2021-08-25"})
    assert _figures(second) == _figures(first)


def test_a_new_assignment_shows_on_the_dashboard_at_once(staff_client):
    def cadres_on_mission() -> int:
        figures = _figures(staff_client.get(DASHBOARD, {"day": "2021-08-25"}))
        return int(re.search(r'id="figure-cadres"[^>]*>\s*<span class="figure">(\d+)</span>', figures).group(1))

    AssignmentFactory(starts_on=datetime.date(2021, 8, 20))
    assert cadres_on_mission() == 1
    AssignmentFactory(starts_on=datetime.date(2021, 8, 21))
    assert cadres_on_mission() == 2
