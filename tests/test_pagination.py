import pytest
from django.urls import reverse

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
