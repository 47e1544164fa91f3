import datetime

import pytest
from django.urls import reverse

from deployment.pagination import BoundedPaginator
from tests.factories import AssignmentFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def test_the_next_page_keeps_the_filters(staff_client):
    campaign = CampaignFactory()
    AssignmentFactory.create_batch(51, campaign=campaign)
    response = staff_client.get(reverse("cadres:assignment_list"), {"campaign": campaign.pk})
    content = response.content.decode()
    assert f"?campaign={campaign.pk}&amp;page=2" in content
    second = staff_client.get(reverse("cadres:assignment_list"), {"campaign": campaign.pk, "page": 2})
    assert f"?campaign={campaign.pk}&amp;page=1" in second.content.decode()


def test_a_long_list_says_it_holds_more_than_it_counted(staff_client, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "COUNT_LIMIT", 5)
    AssignmentFactory.create_batch(7)
    response = staff_client.get(reverse("cadres:assignment_list"))
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped, paginator.count_label) == (5, True, "5+")
    content = response.content.decode()
    assert "5+" in content and 'class="muted capped-note"' in content


def test_a_list_within_the_count_limit_shows_its_exact_count(staff_client, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "COUNT_LIMIT", 5)
    AssignmentFactory.create_batch(5)
    response = staff_client.get(reverse("cadres:assignment_list"))
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped, paginator.count_label) == (5, False, "5")
    assert "capped-note" not in response.content.decode()


def test_a_page_keeps_the_order_of_the_list(staff_client):
    first = datetime.date(2021, 8, 1)
    made = [AssignmentFactory(starts_on=first + datetime.timedelta(days=offset)) for offset in (3, 9, 1, 5)]
    response = staff_client.get(reverse("cadres:assignment_list"))
    newest_first = sorted(made, key=lambda assignment: assignment.starts_on, reverse=True)
    assert [assignment.pk for assignment in response.context["page"].object_list] == [a.pk for a in newest_first]
