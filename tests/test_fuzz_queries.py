"""Every query parameter of every staff page, sent hostile text: never a 5xx.

The pages are the staff pages of tests/test_access_matrix.py's EXPECTED table, so a
new list is fuzzed without being named here. Their parameters are read from the
pages themselves: the fields of each form bound to the query string (a list's
filters), plus `page`. A parameter read without a form is listed in READ_WITHOUT_A_FORM.
"""

import pytest
from django import forms
from django.template import Context
from django.test import Client
from django.test.utils import ContextList
from django.urls import reverse
from django_filters import FilterSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import StaffUserFactory, UserFactory
from tests.test_access_matrix import EXPECTED, STAFF_ONLY

pytestmark = pytest.mark.django_db

READ_WITHOUT_A_FORM = {
    "cadres:dashboard": ["day", "campaign"],
    "cadres:unit_list": ["active_on"],
    "cadres:cadre_search": ["q"],
    "cadres:locality_search": ["q", "day"],
    "cadres:locality_detail": ["day"],
}
# An export applies the filters of its list.
EXPORTS = {
    "cadres:assignment_export": "cadres:assignment_list",
    "cadres:cadre_export": "cadres:cadre_list",
    "reports:recommendation_export": "reports:recommendation_list",
}
# What the "²" of a filter used to break: str.isdigit() accepts it and int() does not.
HOSTILE = ["²", "①", "٣", "1e9999", "9" * 5000, "99999999999999999999", "\x00", "-1", " 7 ", "1.0"]


def _args(name: str, world) -> list:
    obj = EXPECTED[name].obj
    return [world[obj].pk] if obj else []


def _query_forms(response) -> list[forms.BaseForm]:
    """The forms of the page that read the query string: a FilterSet's form, or a form given request.GET."""
    found = []
    contexts = response.context if isinstance(response.context, ContextList) else [response.context or Context()]
    for context in contexts:
        for value in context.flatten().values():
            form = value.form if isinstance(value, FilterSet) else value
            if isinstance(form, forms.BaseForm) and form.data is response.wsgi_request.GET and form not in found:
                found.append(form)
    return found


@pytest.fixture
def staff_pages(mission_world) -> dict:
    """{URL: query parameter names} of every staff page that shows without a POST."""
    world = {**mission_world, **mission_world["own"]}
    client = Client(raise_request_exception=False)
    client.force_login(StaffUserFactory())
    names = [name for name, rule in EXPECTED.items() if rule.policy is STAFF_ONLY and rule.obj in (None, *world)]
    pages, params = {}, {}
    for name in names:
        url = reverse(name, args=_args(name, world))
        # Bound to a query string, a form that reads one shows itself.
        response = client.get(url, {"page": "1"})
        params[name] = {field for form in _query_forms(response) for field in form.fields}
        params[name] |= {"page", *READ_WITHOUT_A_FORM.get(name, [])}
        pages[name] = url
    for export, listing in EXPORTS.items():
        params[export] |= params[listing]
    return {"client": client, "urls": pages, "params": {name: sorted(found) for name, found in params.items()}}


def test_the_filters_of_the_lists_are_found(staff_pages):
    params = staff_pages["params"]
    assignments = {"q", "campaign", "unit", "locality", "status", "day", "active_on", "ending_within"}
    assert assignments <= set(params["cadres:assignment_list"])
    assert {"campaign", "locality", "date_from", "day"} <= set(params["reports:compliance"])
    assert {"locality", "status", "addressed_to"} <= set(params["reports:recommendation_export"])
    assert {"q", "level", "parent", "covered_on", "uncovered"} <= set(params["cadres:locality_list"])


def test_a_digit_that_is_not_a_number_is_no_locality(staff_pages):
    """`?locality=²` answered 500 on the assignment list, the notes, escalations, reports and recommendations."""
    client, urls = staff_pages["client"], staff_pages["urls"]
    lists = [name for name, params in staff_pages["params"].items() if "locality" in params]
    assert len(lists) >= 5
    wrong = []
    for name in lists:
        for value in ["²", "①", "9" * 5000, "99999999999999999999"]:
            status = client.get(urls[name], {"locality": value}).status_code
            if status >= 500:
                wrong.append(f"{name} ?locality={value[:20]!r}: {status}")
    assert not wrong, "\n".join(wrong)


UNICODE_DIGITS = st.text(st.characters(categories=["Nd", "Nl", "No"]), min_size=1, max_size=6)
CONTROL = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=6)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
VALUE = st.one_of(
    UNICODE_DIGITS,
    CONTROL,
    ANY_TEXT,
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.tuples(UNICODE_DIGITS, CONTROL).map("".join),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_query_parameter_survives_hostile_text(staff_pages, data):
    name = data.draw(st.sampled_from(sorted(staff_pages["params"])), label="page")
    query = data.draw(
        st.dictionaries(st.sampled_from(staff_pages["params"][name]), st.one_of(VALUE, st.lists(VALUE, max_size=2))),
        label="query",
    )
    response = staff_pages["client"].get(staff_pages["urls"][name], query)
    assert response.status_code < 500, f"{name} answered {response.status_code} to {query!r:.300}"


@pytest.mark.parametrize("value", ["²", "①", "9" * 5000, "99999999999999999999"])
def test_the_admins_decision_filter_survives_a_campaign_that_is_not_a_number(value):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:cadres_assignment_changelist"), {"campaign__id__exact": value})
    assert response.status_code < 500
