"""The caches of list pages, reference selects and dashboard figures.

Fast, yet a change shows at the next request, whichever worker made it.
"""

import datetime
import re
import threading

import pytest
from django import forms
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cadres.models import ProvincialUnit
from localities.models import Grading, LocalityKind
from shared import caching
from shared.caching import NOTES, RECORDS
from shared.models import DataVersion
from shared.widgets import CachedSelect
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    DailyNoteFactory,
    LocalityFactory,
    ProvincialUnitFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ASSIGNMENTS = reverse("cadres:assignment_list")
COMPLIANCE = reverse("reports:compliance")
DASHBOARD = reverse("cadres:dashboard")
NOTES_INBOX = reverse("reports:notes_inbox")
D = datetime.date


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


# Pages whose content is the same for every staff member are cached whole.


def _main(response) -> str:
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


def _without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _version(topic: str) -> int:
    return DataVersion.objects.filter(topic=topic).values_list("number", flat=True).first() or 0


@pytest.fixture
def campaign_on_mission():
    """A campaign with a ward, a town and two cadres on their third day today."""
    today = timezone.localdate()
    days = datetime.timedelta
    campaign = CampaignFactory(starts_on=today - days(days=2), ends_on=today + days(days=27))
    town = LocalityFactory(kind=LocalityKind.TOWN, name="Dĩ An")
    ward = LocalityFactory(kind=LocalityKind.WARD, name="Tân Đông Hiệp", parent=town)
    for name in ["Trần Thị Mai", "Lê Văn Hùng"]:
        AssignmentFactory(campaign=campaign, locality=ward, starts_on=campaign.starts_on, cadre__full_name=name)
    DailyNoteFactory(assignment=campaign.assignments.get(cadre__full_name="Trần Thị Mai"), day=campaign.starts_on)
    return campaign


def _cached_pages(campaign) -> list[str]:
    town = campaign.assignments.first().locality.parent
    return [
        ASSIGNMENTS + "?page=1",
        NOTES_INBOX,
        COMPLIANCE + f"?campaign={campaign.pk}",
        reverse("cadres:locality_detail", args=[town.pk]),
    ]


@pytest.mark.parametrize(
    ("index", "queries"),
    # The session with the data versions, in one query; the user comes from the cache (the compliance grid
    # reads its campaign's share of the notes' version).
    [(0, 1), (1, 1), (2, 2), (3, 1)],
    ids=["assignments", "notes", "compliance", "locality"],
)
def test_a_page_asked_again_is_read_not_computed(
    staff_client, campaign_on_mission, index, queries, django_assert_num_queries
):
    url = _cached_pages(campaign_on_mission)[index]
    first = staff_client.get(url)
    with django_assert_num_queries(queries):
        second = staff_client.get(url)
    assert second.status_code == 200
    assert _without_csrf_tokens(_main(second)) == _without_csrf_tokens(_main(first))


def test_a_change_shows_at_once_on_every_cached_page(staff_client, campaign_on_mission):
    urls = _cached_pages(campaign_on_mission)
    before = {url: _main(staff_client.get(url)) for url in urls}
    assignment = campaign_on_mission.assignments.get(cadre__full_name="Trần Thị Mai")
    assignment.cadre.full_name = "Trần Thị Mai Anh"
    assignment.cadre.save()
    for url in urls:
        after = _main(staff_client.get(url))
        assert "Trần Thị Mai Anh" in after and "Trần Thị Mai Anh" not in before[url], url


def test_a_note_filed_shows_at_once_in_the_inbox_and_the_compliance_grid(staff_client, campaign_on_mission):
    today = timezone.localdate()
    assignment = campaign_on_mission.assignments.get(cadre__full_name="Lê Văn Hùng")
    grid = COMPLIANCE + f"?campaign={campaign_on_mission.pk}&day={today.isoformat()}"
    assert "Lê Văn Hùng" not in _main(staff_client.get(NOTES_INBOX))
    assert "Lê Văn Hùng" in _main(staff_client.get(grid)).split('<ul class="not-filed">')[1].split("</section>")[0]
    DailyNoteFactory(assignment=assignment, day=today)
    assert "Lê Văn Hùng" in _main(staff_client.get(NOTES_INBOX))
    assert "Lê Văn Hùng" not in _main(staff_client.get(grid)).split('<ul class="not-filed">')[1].split("</section>")[0]


def test_a_new_grading_shows_at_once_on_the_locality(staff_client):
    town = LocalityFactory(kind=LocalityKind.TOWN)
    url = reverse("cadres:locality_detail", args=[town.pk])
    staff_client.get(url)
    town.record_grading(grading=Grading.RED, valid_from=timezone.localdate())
    assert '<span class="badge red">' in _main(staff_client.get(url))


def test_the_grading_form_is_made_for_each_request(staff_client):
    """The form carries the user's CSRF token: it is never part of what is cached."""
    town = LocalityFactory(kind=LocalityKind.TOWN)
    url = reverse("cadres:locality_detail", args=[town.pk])
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _main(staff_client.get(url))).group(1)
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]


def test_the_cached_page_follows_the_language(staff_client):
    assert "<h1>Phân công</h1>" in _main(staff_client.get(ASSIGNMENTS))
    staff_client.post(reverse("set_language"), {"language": "en", "next": ASSIGNMENTS})
    assert "<h1>Assignments</h1>" in _main(staff_client.get(ASSIGNMENTS))


def test_the_cached_page_is_made_again_the_next_day(staff_client, monkeypatch):
    today = timezone.localdate()
    AssignmentFactory(starts_on=today - datetime.timedelta(days=29))  # Its last day is today.
    query = {"status": "active"}
    assert 'data-count="1"' in _main(staff_client.get(ASSIGNMENTS, query))
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))
    assert 'data-count="0"' in _main(staff_client.get(ASSIGNMENTS, query))


def test_signing_in_moves_no_version_and_renaming_a_user_does(client):
    user = UserFactory()
    before = _version(RECORDS)
    client.force_login(user)
    assert _version(RECORDS) == before
    user.first_name = "Mai"
    user.save()
    assert _version(RECORDS) == before + 1


def test_a_note_moves_the_notes_version_only(campaign_on_mission):
    records = _version(RECORDS)
    notes = _version(NOTES)
    DailyNoteFactory(assignment=campaign_on_mission.assignments.first(), day=timezone.localdate())
    assert (_version(RECORDS), _version(NOTES)) == (records, notes + 1)


# With real commits, as in production: the conftest's immediate bump is undone.


@pytest.fixture
def real_commits(monkeypatch):
    monkeypatch.setattr(caching, "on_commit", transaction.on_commit)


@pytest.mark.django_db(transaction=True)
def test_a_version_moves_on_once_when_the_transaction_commits(real_commits):
    caching.bump(RECORDS)  # The table is emptied between transactional tests: make the row again.
    before = _version(RECORDS)
    with transaction.atomic():
        ProvincialUnitFactory.create_batch(3)
        assert _version(RECORDS) == before  # Nothing is outdated before the commit.
    assert _version(RECORDS) == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_moves_nothing_and_the_next_commit_does(real_commits):
    caching.bump(RECORDS)
    before = _version(RECORDS)
    with pytest.raises(RuntimeError), transaction.atomic():
        ProvincialUnitFactory()
        raise RuntimeError("refused")
    assert _version(RECORDS) == before
    with transaction.atomic():
        ProvincialUnitFactory()
    assert _version(RECORDS) == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_worker_shows_at_the_next_request(real_commits, client):
    caching.bump(RECORDS)
    client.force_login(StaffUserFactory())
    assignment = AssignmentFactory(cadre__full_name="Trần Thị Mai")
    assert "Trần Thị Mai<" in _main(client.get(ASSIGNMENTS))

    def other_worker():
        cadre = assignment.cadre
        cadre.full_name = "Trần Thị Mai Anh"
        with transaction.atomic():
            cadre.save()
        connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    assert "Trần Thị Mai Anh" in _main(client.get(ASSIGNMENTS))
