import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import localities.admin
from cadres.models import Assignment
from localities.admin import LargeTablePaginator
from localities.models import LocalityKind
from tests.factories import AssignmentFactory, CampaignFactory, DecisionFactory, LocalityFactory

pytestmark = pytest.mark.django_db

BIG_CHANGELISTS = [
    "admin:cadres_assignment_changelist",
    "admin:cadres_cadre_changelist",
    "admin:reports_dailynote_changelist",
    "admin:reports_escalation_changelist",
    "admin:reports_missionreport_changelist",
    "admin:reports_recommendation_changelist",
    "admin:localities_locality_changelist",
    "admin:localities_zonestatus_changelist",
]
TINY = {
    "provinces": 2,
    "units": 4,
    "cadres": 20,
    "assignments": 40,
    "notes": 300,
    "escalations": 20,
    "reports": 20,
    "campaigns_per_province": 2,
}


def _scale_data(force=False):
    call_command("generate_scale_data", stdout=io.StringIO(), seed=3, force=force, **TINY)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("name", BIG_CHANGELISTS)
def test_big_changelists_never_count_or_scan_a_whole_table(admin_client, name):
    _scale_data()

    queries = _queries(admin_client, reverse(name))

    counts = [sql for sql in queries if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    assert not [sql for sql in queries if "DISTINCT" in sql.upper()]


@pytest.mark.parametrize("name", BIG_CHANGELISTS)
def test_the_number_of_queries_does_not_grow_with_the_data(admin_client, name, django_assert_max_num_queries):
    _scale_data()
    small = len(_queries(admin_client, reverse(name)))

    _scale_data(force=True)

    with django_assert_max_num_queries(small):
        admin_client.get(reverse(name))


def test_the_paginator_counts_a_filtered_list_only_up_to_its_limit(monkeypatch):
    AssignmentFactory.create_batch(5)
    monkeypatch.setattr(LargeTablePaginator, "COUNT_LIMIT", 3)

    assert LargeTablePaginator(Assignment.objects.filter(pk__gt=0), 2).count == 3
    assert LargeTablePaginator(Assignment.objects.filter(pk__gt=0), 2).num_pages == 2


def test_the_paginator_counts_a_small_table_exactly():
    AssignmentFactory.create_batch(4)

    assert LargeTablePaginator(Assignment.objects.all(), 100).count == 4


def test_the_paginator_takes_the_estimate_of_a_big_unfiltered_table(monkeypatch):
    AssignmentFactory()
    monkeypatch.setattr(localities.admin, "_estimated_rows", lambda model, using: 2_000_000)

    assert LargeTablePaginator(Assignment.objects.all(), 100).count == 2_000_000
    assert LargeTablePaginator(Assignment.objects.filter(pk__gt=0), 100).count == 1


def test_the_province_filter_keeps_the_assignments_of_that_province(admin_client):
    province = LocalityFactory(name="Bình Dương", kind=LocalityKind.PROVINCE)
    district = LocalityFactory(name="Tân Uyên", kind=LocalityKind.TOWN, parent=province)
    inside = AssignmentFactory(locality=LocalityFactory(parent=district))
    at_district = AssignmentFactory(locality=district)
    elsewhere = AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory(kind=LocalityKind.DISTRICT)))

    response = admin_client.get(reverse("admin:cadres_assignment_changelist"), {"province": province.pk})

    shown = set(response.context["cl"].result_list)
    assert shown == {inside, at_district}
    assert elsewhere not in shown


def test_the_province_filter_lists_provinces_only(admin_client):
    province = LocalityFactory(name="Bình Dương", kind=LocalityKind.PROVINCE)
    LocalityFactory(name="Tân Phước Khánh", parent=LocalityFactory(kind=LocalityKind.TOWN, parent=province))

    response = admin_client.get(reverse("admin:cadres_assignment_changelist"))

    province_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "province")
    assert [value for value, _label in province_filter.lookup_choices] == [province.pk]


def test_the_decision_filter_lists_the_decisions_of_the_chosen_campaign(admin_client):
    campaign = CampaignFactory()
    ours = DecisionFactory(campaign=campaign)
    DecisionFactory()

    response = admin_client.get(reverse("admin:cadres_assignment_changelist"), {"campaign__id__exact": campaign.pk})

    decision_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "decision")
    assert [pk for pk, _label in decision_filter.lookup_choices] == [ours.pk]


def test_a_decision_page_does_not_grow_with_its_assignments(admin_client, django_assert_max_num_queries):
    decision = DecisionFactory()
    AssignmentFactory(decision=decision, campaign=decision.campaign)
    url = reverse("admin:cadres_decision_change", args=[decision.pk])
    small = len(_queries(admin_client, url))

    AssignmentFactory.create_batch(30, decision=decision, campaign=decision.campaign)

    with django_assert_max_num_queries(small):
        assert admin_client.get(url).status_code == 200


def test_a_search_on_notes_finds_the_cadre(admin_client):
    _scale_data()
    cadre = Assignment.objects.filter(notes__isnull=False).first().cadre

    response = admin_client.get(reverse("admin:reports_dailynote_changelist"), {"q": cadre.code})

    notes = response.context["cl"].result_list
    assert notes and all(note.assignment.cadre_id == cadre.pk for note in notes)


def test_admin_changelists_are_for_administrators_only(client, staff_client, cadre_client):
    url = reverse("admin:cadres_assignment_changelist")

    assert client.get(url).status_code == 302
    assert cadre_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 302
