import datetime
import re

import pytest
from django.urls import reverse

from cadres.coverage import campaign_progress, quota_rows
from cadres.models import Campaign, Quota
from cadres.services import assignment_recall
from localities.models import LocalityKind
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    ProvincialUnitFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db
DAY = D(2021, 8, 25)


def _pages(campaign):
    return [
        reverse("cadres:campaign_list"),
        reverse("cadres:campaign_create"),
        reverse("cadres:campaign_detail", args=[campaign.pk]),
        reverse("cadres:campaign_edit", args=[campaign.pk]),
        reverse("cadres:campaign_quotas", args=[campaign.pk]),
    ]


def test_every_page_sends_anonymous_users_to_login(client):
    for url in _pages(CampaignFactory()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_every_page_refuses_cadres(cadre_client):
    for url in _pages(CampaignFactory()):
        assert cadre_client.get(url).status_code == 403, url


def test_every_page_opens_for_staff(staff_client):
    for url in _pages(CampaignFactory()):
        assert staff_client.get(url).status_code == 200, url


def test_an_unknown_campaign_is_not_found(staff_client):
    assert staff_client.get(reverse("cadres:campaign_detail", args=[999])).status_code == 404


def _form_data(unit, **changes):
    data = {
        "name": "30 ngày đồng hành cùng cơ sở",
        "organising_unit": unit.pk,
        "purpose": "Hỗ trợ cơ sở",
        "assignment_days": 30,
        "starts_on": "2021-08-16",
        "ends_on": "2021-09-15",
    }
    data.update(changes)
    return data


def test_staff_create_a_campaign(staff_client):
    unit = ProvincialUnitFactory()
    response = staff_client.post(reverse("cadres:campaign_create"), _form_data(unit))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("cadres:campaign_detail", args=[campaign.pk])
    assert (campaign.organising_unit, campaign.starts_on, campaign.assignment_days) == (unit, D(2021, 8, 16), 30)


def test_it_refuses_an_end_before_the_start_and_saves_nothing(staff_client):
    response = staff_client.post(
        reverse("cadres:campaign_create"), _form_data(ProvincialUnitFactory(), ends_on="2021-08-01")
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("ends_on", "order")
    assert not Campaign.objects.exists()


def test_it_refuses_a_zero_day_assignment_length(staff_client):
    response = staff_client.post(
        reverse("cadres:campaign_create"), _form_data(ProvincialUnitFactory(), assignment_days=0)
    )
    assert response.context["form"].has_error("assignment_days")
    assert not Campaign.objects.exists()


def test_staff_edit_a_campaign(staff_client):
    campaign = CampaignFactory()
    response = staff_client.post(
        reverse("cadres:campaign_edit", args=[campaign.pk]),
        _form_data(campaign.organising_unit, name="Đợt 2", ends_on="2021-09-30"),
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.ends_on) == ("Đợt 2", D(2021, 9, 30))


def test_it_refuses_dates_that_leave_assignments_outside(staff_client):
    assignment = AssignmentFactory(starts_on=D(2021, 9, 10))
    campaign = assignment.campaign
    response = staff_client.post(
        reverse("cadres:campaign_edit", args=[campaign.pk]),
        _form_data(campaign.organising_unit, ends_on="2021-09-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "assignments_outside")
    campaign.refresh_from_db()
    assert campaign.ends_on == D(2021, 9, 30)


@pytest.fixture
def progress_scene():
    campaign = CampaignFactory(starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 30))
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 17))  # active on 25/08
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 20))  # active
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 7, 20))  # completed 18/08
    AssignmentFactory(campaign=campaign, starts_on=D(2021, 9, 1))  # planned
    recalled = AssignmentFactory(campaign=campaign, starts_on=D(2021, 8, 17))
    assignment_recall(assignment=recalled, on=D(2021, 8, 22))
    return campaign


def test_progress_counts_assignments_by_status(progress_scene):
    progress = campaign_progress(progress_scene, DAY)
    assert (progress.active, progress.completed, progress.recalled, progress.planned) == (2, 1, 1, 1)
    assert (progress.days_elapsed, progress.days_total) == (10, 46)


def test_progress_days_stay_within_the_campaign(progress_scene):
    assert campaign_progress(progress_scene, D(2021, 8, 1)).days_elapsed == 0
    assert campaign_progress(progress_scene, D(2022, 1, 1)).days_elapsed == 46


def test_each_status_figure_links_to_a_list_with_the_same_count(staff_client, progress_scene):
    from django.utils import timezone

    response = staff_client.get(reverse("cadres:campaign_detail", args=[progress_scene.pk]))
    progress = response.context["progress"]
    content = response.content.decode()
    assert progress.assignments == 5
    assert progress.completed == 4 and progress.recalled == 1  # seen from today
    assert timezone.localdate().isoformat() in content
    for status in ("active", "planned", "completed", "recalled"):
        href = re.search(rf'id="status-{status}" href="([^"]+)"', content).group(1).replace("&amp;", "&")
        listed = staff_client.get(href).context["page"].paginator.count
        assert listed == getattr(progress, status), status
    href = re.search(r'id="all-assignments" href="([^"]+)"', content).group(1)
    assert staff_client.get(href).context["page"].paginator.count == 5


def test_the_detail_shows_decisions_and_assignments(staff_client, progress_scene):
    decision = DecisionFactory(campaign=progress_scene, number=125)
    AssignmentFactory(campaign=progress_scene, decision=decision, cadre=CadreFactory(full_name="Trương Đinh Ngọc Mai"))
    content = staff_client.get(reverse("cadres:campaign_detail", args=[progress_scene.pk])).content.decode()
    assert decision.reference in content
    assert "Trương Đinh Ngọc Mai" in content


@pytest.fixture
def quota_scene():
    campaign = CampaignFactory()
    youth_union = ProvincialUnitFactory(name="Tỉnh đoàn")
    department = ProvincialUnitFactory(name="Ban Tuyên giáo", parent=youth_union)
    health = ProvincialUnitFactory(name="Sở Y tế")
    finance = ProvincialUnitFactory(name="Sở Tài chính")
    district = LocalityFactory(kind=LocalityKind.CITY, name="Dĩ An")
    ward = LocalityFactory(name="An Bình", parent=district)
    Quota.objects.create(campaign=campaign, unit=youth_union, count=3)
    Quota.objects.create(campaign=campaign, unit=health, locality=district, count=2)
    # Youth Union: one cadre of its own, one of a department (recalled later, still sent).
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=youth_union))
    recalled = AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=department))
    assignment_recall(assignment=recalled, on=D(2021, 8, 20))
    # Health: one in a ward of the district, one elsewhere (not counted for the district).
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=health), locality=ward)
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=health))
    # Finance was not asked but sent one; another campaign's assignment does not count.
    AssignmentFactory(campaign=campaign, cadre=CadreFactory(unit=finance))
    AssignmentFactory(cadre=CadreFactory(unit=finance))
    return campaign


def test_quotas_compare_asked_and_sent_per_unit(quota_scene):
    rows = {(row.unit.name, row.locality.name if row.locality else None): row for row in quota_rows(quota_scene)}
    assert {key: (row.asked, row.sent) for key, row in rows.items()} == {
        ("Sở Y tế", "Dĩ An"): (2, 1),
        ("Tỉnh đoàn", None): (3, 2),
        ("Sở Tài chính", None): (0, 1),
    }
    assert rows[("Tỉnh đoàn", None)].missing == 1


def test_the_campaign_page_shows_the_quotas(staff_client, quota_scene):
    response = staff_client.get(reverse("cadres:campaign_detail", args=[quota_scene.pk]))
    assert [(row.asked, row.sent) for row in response.context["quotas"]] == [(2, 1), (3, 2), (0, 1)]
    assert "Sở Tài chính" in response.content.decode()


def _quota_post(rows, initial=0):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def test_staff_set_quotas_with_a_locality_by_name(staff_client):
    campaign = CampaignFactory()
    unit = ProvincialUnitFactory()
    district = LocalityFactory(
        kind=LocalityKind.CITY, name="Dĩ An", parent=LocalityFactory(kind="province", name="Bình Dương")
    )
    url = reverse("cadres:campaign_quotas", args=[campaign.pk])
    response = staff_client.post(
        url,
        _quota_post(
            [
                {"unit": unit.pk, "locality": "Dĩ An, Bình Dương", "count": "4"},
                {"unit": unit.pk, "locality": "", "count": "2"},
                {"unit": "", "locality": "", "count": ""},
            ]
        ),
    )
    assert response.status_code == 302
    assert set(Quota.objects.values_list("unit", "locality", "count")) == {
        (unit.pk, district.pk, 4),
        (unit.pk, None, 2),
    }


def test_it_refuses_the_same_unit_twice_for_the_same_place(staff_client):
    campaign = CampaignFactory()
    unit = ProvincialUnitFactory()
    response = staff_client.post(
        reverse("cadres:campaign_quotas", args=[campaign.pk]),
        _quota_post([{"unit": unit.pk, "locality": "", "count": "4"}, {"unit": unit.pk, "locality": "", "count": "2"}]),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[1].has_error("unit", "duplicate")
    assert not Quota.objects.exists()


def test_it_refuses_an_unknown_locality_and_a_zero_count(staff_client):
    campaign = CampaignFactory()
    unit = ProvincialUnitFactory()
    response = staff_client.post(
        reverse("cadres:campaign_quotas", args=[campaign.pk]),
        _quota_post([{"unit": unit.pk, "locality": "Nowhere", "count": "0"}]),
    )
    form = response.context["formset"].forms[0]
    assert form.has_error("locality", "unknown") and form.has_error("count")
    assert not Quota.objects.exists()


def test_staff_delete_a_quota(staff_client):
    quota = Quota.objects.create(campaign=CampaignFactory(), unit=ProvincialUnitFactory(), count=2)
    response = staff_client.post(
        reverse("cadres:campaign_quotas", args=[quota.campaign.pk]),
        _quota_post([{"id": quota.pk, "unit": quota.unit.pk, "locality": "", "count": "2", "DELETE": "on"}], initial=1),
    )
    assert response.status_code == 302
    assert not Quota.objects.exists()


def _many_campaigns(count):
    for _ in range(count):
        campaign = CampaignFactory()
        DecisionFactory(campaign=campaign)
        AssignmentFactory(campaign=campaign)


def test_the_list_queries_do_not_grow_with_the_data(staff_client, django_assert_max_num_queries):
    _many_campaigns(2)
    with django_assert_max_num_queries(8):
        assert staff_client.get(reverse("cadres:campaign_list")).status_code == 200
    _many_campaigns(30)
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("cadres:campaign_list"))
    assert response.context["page"].paginator.count == 32


def test_the_detail_queries_do_not_grow_with_the_data(staff_client, django_assert_max_num_queries):
    campaign = CampaignFactory()

    def grow(count):
        decision = DecisionFactory(campaign=campaign)
        for _ in range(count):
            unit = ProvincialUnitFactory()
            Quota.objects.create(campaign=campaign, unit=unit, count=1)
            AssignmentFactory(campaign=campaign, decision=decision, cadre=CadreFactory(unit=unit))

    grow(2)
    url = reverse("cadres:campaign_detail", args=[campaign.pk])
    # 12, and 4 for the history of changes: the campaign's and its quotas' (shared/history.py).
    with django_assert_max_num_queries(16):
        assert staff_client.get(url).status_code == 200
    grow(30)
    with django_assert_max_num_queries(16):
        response = staff_client.get(url)
    assert response.context["progress"].assignments == 32
