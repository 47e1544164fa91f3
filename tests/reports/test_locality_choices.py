import pytest
from django.urls import reverse

from localities.models import LocalityKind
from tests.factories import DailyNoteFactory, LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    district = LocalityFactory(name="Tân Uyên", kind=LocalityKind.TOWN)
    wards = [LocalityFactory(name=f"Phường số {n}", parent=district) for n in range(5)]
    return district, wards


def test_the_locality_select_offers_districts_not_every_ward(staff_client, places):
    district, wards = places
    content = staff_client.get(reverse("reports:notes_inbox")).content.decode()
    assert f'value="{district.pk}"' in content
    assert not any(f'value="{ward.pk}"' in content for ward in wards)


def test_a_ward_chosen_by_a_link_still_filters_and_shows(staff_client, places):
    _district, wards = places
    DailyNoteFactory(assignment__locality=wards[0])
    DailyNoteFactory(assignment__locality=wards[1])
    response = staff_client.get(reverse("reports:notes_inbox"), {"locality": wards[0].pk})
    content = response.content.decode()
    assert 'data-count="1"' in content
    assert f'value="{wards[0].pk}" selected' in content
