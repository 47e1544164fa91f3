"""Every day the staff type or read in a form is dd/mm/yyyy, whatever the browser's language.

<input type="date"> shows the browser's order (mm/dd/yyyy in English); the app's DayInput is a text
input that shows dd/mm/yyyy and DayField reads dd/mm/yyyy, d/m/yyyy, dd.mm.yyyy, ddmmyyyy and the
yyyy-mm-dd of the app's own links.
"""

import datetime
import importlib
import pkgutil
import re

import django_filters
import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from cadres.models import Campaign
from localities.models import Grading, LocalityKind
from shared.concurrency import version_of
from shared.fields import DayField, DayFilter
from shared.widgets import DAY_PATTERN, DayInput, parse_day
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    ZoneStatusFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
SEPTEMBER_2 = D(2021, 9, 2)
# The message in the language the tests run in (Vietnamese, the site's default).
INVALID = str(DayField.default_error_messages["invalid"])

ACCEPTED = ["02/09/2021", "2/9/2021", "02-09-2021", "02.09.2021", "02092021", "2021-09-02", "2021-9-2", " 02/09/2021 "]
# Shapes the browser already refuses; a day that is not in the calendar only the server can.
MISSHAPEN = ["abc", "0209202", "020920211", "02/09/21", "2/9-2021", "09/2021", "2021/09/02", "\x00"]
REFUSED = ["31/02/2021", "29/02/2021", "2021-13-01", *MISSHAPEN]


# The widget


def test_the_widget_shows_a_day_as_dd_mm_yyyy_in_a_text_input():
    html = DayInput().render("day", SEPTEMBER_2)
    assert 'type="text"' in html and 'value="02/09/2021"' in html
    assert 'type="date"' not in html
    for attribute in ('placeholder="dd/mm/yyyy"', 'inputmode="numeric"', 'autocomplete="off"', 'maxlength="10"'):
        assert attribute in html
    assert re.search(r"\sdata-day-input[\s>]", html)


def test_the_widget_shows_a_links_iso_day_as_dd_mm_yyyy():
    assert 'value="25/08/2021"' in DayInput().render("day", "2021-08-25")


def test_the_widget_shows_what_it_cannot_read_as_it_was_typed():
    assert 'value="31/02/2021"' in DayInput().render("day", "31/02/2021")


# Reading a day


@pytest.mark.parametrize("typed", ACCEPTED)
def test_it_reads_every_accepted_form_of_a_day(typed):
    assert parse_day(typed) == SEPTEMBER_2


@pytest.mark.parametrize("typed", REFUSED + ["", None])
def test_it_reads_nothing_else(typed):
    assert parse_day(typed) is None


@pytest.mark.parametrize("typed", ACCEPTED)
def test_the_browser_pattern_accepts_what_the_server_reads(typed):
    # The browser matches the pattern against the whole value; the server strips spaces first.
    assert re.fullmatch(DAY_PATTERN, typed.strip())


@pytest.mark.parametrize("typed", MISSHAPEN)
def test_the_browser_pattern_refuses_what_has_not_the_shape_of_a_day(typed):
    assert not re.fullmatch(DAY_PATTERN, typed)


class DayForm(forms.Form):
    day = DayField()


@pytest.mark.parametrize("typed", ["31/02/2021", "abc"])
def test_a_field_refuses_what_is_not_a_day_with_a_clear_message(typed):
    form = DayForm({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == [INVALID]


def _classes(base: type) -> list[type]:
    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ("cadres", "localities", "reports", "deployment"):
            found.append(cls)
    return found


# The cadre's daily note (the offline outbox's form) chooses its day otherwise; not a day typed by the staff.
EXEMPT = {("reports.forms.notes", "DailyNoteForm", "day")}


def test_every_date_of_every_form_and_filter_is_a_day_field():
    for package in ("cadres", "localities", "reports"):
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    checked = []
    for form in _classes(forms.BaseForm):
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateField) and (form.__module__, form.__name__, name) not in EXEMPT:
                assert isinstance(field, DayField) and isinstance(field.widget, DayInput), (form, name)
                checked.append((form, name))
    for filterset in _classes(django_filters.FilterSet):
        for name, date_filter in filterset.base_filters.items():
            if isinstance(date_filter, django_filters.DateFilter):
                assert isinstance(date_filter, DayFilter) and date_filter.field_class is DayField, (filterset, name)
                checked.append((filterset, name))
    assert len(checked) >= 20


# The staff pages


@pytest.fixture
def scene():
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương")
    district = LocalityFactory(kind=LocalityKind.TOWN, name="Tân Uyên", parent=province)
    ward = LocalityFactory(name="Tân Phước Khánh", parent=district)
    ZoneStatusFactory(locality=district, grading=Grading.RED, valid_from=D(2021, 7, 19))
    ZoneStatusFactory(locality=ward, grading=Grading.RED, valid_from=D(2021, 7, 19))
    campaign = CampaignFactory()
    assignment = AssignmentFactory(campaign=campaign, locality=ward)
    report = MissionReportFactory(assignment=assignment)
    return {"district": district, "campaign": campaign, "assignment": assignment, "report": report}


def _pages_with_days(scene) -> list[str]:
    assignment, campaign, district = scene["assignment"].pk, scene["campaign"].pk, scene["district"].pk
    return [
        reverse("cadres:dashboard"),
        reverse("cadres:unit_list"),
        reverse("cadres:assignment_list"),
        reverse("cadres:assignment_edit", args=[assignment]),
        reverse("cadres:assignment_extend", args=[assignment]),
        reverse("cadres:assignment_recall", args=[assignment]),
        reverse("cadres:assignment_replace", args=[assignment]),
        reverse("cadres:campaign_list"),
        reverse("cadres:campaign_create"),
        reverse("cadres:campaign_edit", args=[campaign]),
        reverse("cadres:decision_create", args=[campaign]),
        reverse("cadres:locality_list"),
        reverse("cadres:locality_detail", args=[district]),
        reverse("cadres:locality_grade", args=[district]),
        reverse("reports:notes_inbox"),
        reverse("reports:compliance"),
    ]


def test_no_staff_page_asks_for_a_day_through_the_browsers_date_input(staff_client, scene):
    pages = [
        *_pages_with_days(scene),
        reverse("cadres:campaign_detail", args=[scene["campaign"].pk]),
        reverse("cadres:assignment_detail", args=[scene["assignment"].pk]),
        reverse("cadres:cadre_list"),
        reverse("reports:escalation_inbox"),
        reverse("reports:report_list"),
        reverse("reports:report_review", args=[scene["report"].pk]),
        reverse("reports:recommendation_list"),
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert 'type="date"' not in response.content.decode(), url


def test_every_page_with_a_day_input_loads_the_script_that_adds_the_slashes(staff_client, scene):
    for url in _pages_with_days(scene):
        content = staff_client.get(url).content.decode()
        assert "data-day-input" in content, url
        assert "js/day_input.js" in content, url


def test_the_decision_forms_row_template_has_the_day_input_too(staff_client, scene):
    content = staff_client.get(reverse("cadres:decision_create", args=[scene["campaign"].pk])).content.decode()
    template = content.split('<template id="decision-row-template">')[1].split("</template>")[0]
    assert re.search(r'<input type="text" name="rows-__prefix__-starts_on"[^>]*data-day-input', template)


@pytest.mark.parametrize(
    "name, params",
    [
        ("cadres:assignment_list", {"day": "2021-08-25", "status": "active"}),
        ("cadres:campaign_list", {"running_on": "2021-08-25"}),
        ("cadres:locality_list", {"day": "2021-08-25"}),
        ("reports:notes_inbox", {"date_from": "2021-08-25"}),
        ("reports:compliance", {"date_from": "2021-08-25"}),
        ("cadres:dashboard", {"day": "2021-08-25"}),
        ("cadres:unit_list", {"active_on": "2021-08-25"}),
    ],
)
def test_a_filter_opened_from_a_link_shows_its_day_as_dd_mm_yyyy(staff_client, scene, name, params):
    content = staff_client.get(reverse(name), params).content.decode()
    assert 'value="25/08/2021"' in content
    assert 'value="2021-08-25"' not in content


def test_the_locality_detail_shows_its_day_as_dd_mm_yyyy(staff_client, scene):
    url = reverse("cadres:locality_detail", args=[scene["district"].pk])
    assert 'name="day" value="25/08/2021"' in staff_client.get(url, {"day": "2021-08-25"}).content.decode()


# A day typed in a form


def _campaign_data(**changes) -> dict:
    unit = ProvincialUnitFactory()
    data = {"name": "30 ngày", "organising_unit": unit.pk, "purpose": "", "assignment_days": 30}
    return {**data, "starts_on": "16/08/2021", "ends_on": "15/09/2021", **changes}


@pytest.mark.parametrize("typed", ["02/09/2021", "2021-09-02", "02092021", "2/9/2021", "02.09.2021"])
def test_a_form_stores_the_day_typed(staff_client, typed):
    response = staff_client.post(reverse("cadres:campaign_create"), _campaign_data(ends_on=typed))
    assert response.status_code == 302
    assert Campaign.objects.get().ends_on == SEPTEMBER_2


@pytest.mark.parametrize("typed", ["31/02/2021", "abc"])
def test_a_form_refuses_what_is_not_a_day_and_says_how_to_type_it(staff_client, typed):
    response = staff_client.post(reverse("cadres:campaign_create"), _campaign_data(ends_on=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == [INVALID]
    assert f'value="{typed}"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_assignment_action_reads_a_day_typed_without_slashes(staff_client, scene):
    assignment = scene["assignment"]
    response = staff_client.post(
        reverse("cadres:assignment_extend", args=[assignment.pk]),
        {"ends_on": "30092021", "version": version_of(assignment)},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == D(2021, 9, 30)


# A day read from the query string


@pytest.mark.parametrize(
    "name, param",
    [("cadres:dashboard", "day"), ("cadres:unit_list", "active_on"), ("cadres:locality_detail", "day")],
)
def test_a_page_shows_the_same_day_whichever_way_it_is_written(staff_client, scene, name, param):
    url = reverse(name, args=[scene["district"].pk]) if name.endswith("locality_detail") else reverse(name)
    iso = staff_client.get(url, {param: "2021-08-25"})
    for typed in ("25/08/2021", "25082021", "25.8.2021"):
        response = staff_client.get(url, {param: typed})
        assert response.status_code == 200
        assert response.context["day"] == iso.context["day"] == D(2021, 8, 25), typed
        assert not list(response.context["messages"]), typed
    if name == "cadres:unit_list":
        assert response.context["page"].paginator.count == iso.context["page"].paginator.count == 1


@pytest.mark.parametrize(
    "name, param",
    [("cadres:dashboard", "day"), ("cadres:unit_list", "active_on"), ("cadres:locality_detail", "day")],
)
@pytest.mark.parametrize("garbage", ["garbage", "31/02/2021", "99999999", "\x00"])
def test_a_page_given_something_else_than_a_day_shows_today_with_a_message(staff_client, scene, name, param, garbage):
    url = reverse(name, args=[scene["district"].pk]) if name.endswith("locality_detail") else reverse(name)
    response = staff_client.get(url, {param: garbage})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    # Every page reads its day with shared.fields.day_from_query: one warning, in the same words.
    [message] = response.context["messages"]
    with translation.override("vi"):
        expected = translation.gettext("“%(value)s” is not a date (dd/mm/yyyy): showing today.") % {"value": garbage}
    assert (message.level_tag, message.message) == ("warning", expected)


def test_a_day_outside_the_years_a_page_can_show_is_refused_too(staff_client, scene):
    url = reverse("cadres:locality_detail", args=[scene["district"].pk])
    response = staff_client.get(url, {"day": "01/01/0001"})
    assert response.context["day"] == timezone.localdate()
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
