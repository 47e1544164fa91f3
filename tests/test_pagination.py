import datetime

import pytest
from django.urls import reverse

from shared.pagination import BoundedPaginator
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


@pytest.mark.parametrize(
    ("rows", "count", "capped", "label"),
    [(7, 5, True, "5+"), (5, 5, False, "5")],
    ids=["more than the limit", "within the limit"],
)
def test_a_long_list_says_it_holds_more_than_it_counted(staff_client, monkeypatch, rows, count, capped, label):
    monkeypatch.setattr(BoundedPaginator, "COUNT_LIMIT", 5)
    AssignmentFactory.create_batch(rows)
    response = staff_client.get(reverse("cadres:assignment_list"))
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped, paginator.count_label) == (count, capped, label)
    content = response.content.decode()
    assert f"{label} phân công" in content
    assert ('class="muted capped-note"' in content) is capped


def test_a_page_keeps_the_order_of_the_list(staff_client):
    first = datetime.date(2021, 8, 1)
    made = [AssignmentFactory(starts_on=first + datetime.timedelta(days=offset)) for offset in (3, 9, 1, 5)]
    response = staff_client.get(reverse("cadres:assignment_list"))
    newest_first = sorted(made, key=lambda assignment: assignment.starts_on, reverse=True)
    assert [assignment.pk for assignment in response.context["page"].object_list] == [a.pk for a in newest_first]
