"""What every signed-in request pays before its page: one round trip, and still nothing stale.

The session is read with the data versions in one statement (shared/sessions.py); the user with
their roles comes from the cache under the records' version (accounts/backends.py), which every
change of a user, their groups or roles moves; a kept PostgreSQL connection is checked by its socket
(shared/postgresql). Pages of one campaign's or one cadre's notes are kept under that share of the
notes' version (shared/caching.py), so notes elsewhere leave them be; the dashboard's figures are
refreshed in the background.
"""

import datetime
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import STAFF_GROUP, RoleKind
from shared import caching
from shared.caching import NOTES, RECORDS
from shared.models import DataVersion
from tests.factories import (
    AssignmentFactory,
    CadreUserFactory,
    CampaignFactory,
    DailyNoteFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db
ASSIGNMENTS = reverse("cadres:assignment_list")
COMPLIANCE = reverse("reports:compliance")
MY_MISSION = reverse("phone:my_mission")
NOTES_INBOX = reverse("reports:notes_inbox")
DAYS = datetime.timedelta


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _main(response) -> str:
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


# --- The session and the versions in one round trip ---------------------------------------------


def test_a_signed_in_page_read_again_costs_one_query(staff_client, django_assert_num_queries):
    AssignmentFactory(cadre__full_name="Trần Thị Mai")
    staff_client.get(ASSIGNMENTS)
    with django_assert_num_queries(1) as captured:
        response = staff_client.get(ASSIGNMENTS)
    assert "Trần Thị Mai" in _main(response)
    sql = captured.captured_queries[0]["sql"]
    assert "django_session" in sql and "shared_dataversion" in sql


def test_an_expired_or_unknown_session_signs_nobody_in(staff_user):
    client = _signed_in(staff_user)
    assert client.get(ASSIGNMENTS).status_code == 200
    Session.objects.update(expire_date=timezone.now() - DAYS(seconds=1))
    assert client.get(ASSIGNMENTS)["Location"].startswith(reverse("login"))

    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = "k" * 32
    assert stranger.get(ASSIGNMENTS)["Location"].startswith(reverse("login"))


def test_the_versions_come_with_the_session_and_are_those_of_the_database(staff_user, django_assert_num_queries):
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessions
    from django.test.utils import CaptureQueriesContext

    from shared.sessions import SessionStore

    client = _signed_in(staff_user)
    caching.bump(RECORDS, NOTES)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    caching.forget_versions()
    with CaptureQueriesContext(connection) as captured:
        session = SessionStore(key)
        assert session.load() == DatabaseSessions(key).load()
        numbers = caching.versions()
    assert len(captured.captured_queries) == 2  # This store's one statement, and Django's store to compare.
    stored = DataVersion.objects.filter(topic__in=caching.READ_EACH_REQUEST).values_list("topic", "number")
    assert numbers == dict(stored) and numbers[RECORDS] > 1 and numbers[NOTES] > 1


def test_a_session_without_any_version_yet_still_signs_in(staff_client):
    DataVersion.objects.all().delete()
    caching.forget_versions()
    assert staff_client.get(ASSIGNMENTS).status_code == 200


# --- The user from the cache, never stale --------------------------------------------------------


def test_the_user_is_read_once_then_from_the_cache(staff_user, django_assert_num_queries):
    client = _signed_in(staff_user)
    client.get(ASSIGNMENTS)
    caching.forget_versions()
    with django_assert_num_queries(1):
        assert client.get(ASSIGNMENTS).status_code == 200


def test_a_deactivated_account_is_signed_out_at_its_next_request(staff_user):
    client = _signed_in(staff_user)
    assert client.get(ASSIGNMENTS).status_code == 200
    staff_user.is_active = False
    staff_user.save()
    assert client.get(ASSIGNMENTS)["Location"].startswith(reverse("login"))


def test_a_changed_password_signs_other_sessions_out(staff_user):
    client = _signed_in(staff_user)
    assert client.get(ASSIGNMENTS).status_code == 200
    staff_user.set_password("mat-khau-moi-2021")
    staff_user.save()
    assert client.get(ASSIGNMENTS)["Location"].startswith(reverse("login"))


def test_leaving_the_staff_group_closes_the_office_pages_at_once(staff_user):
    client = _signed_in(staff_user)
    assert client.get(ASSIGNMENTS).status_code == 200
    staff_user.groups.remove(Group.objects.get(name=STAFF_GROUP))  # No save of the user: the relation moves it.
    assert client.get(ASSIGNMENTS).status_code == 403


def test_a_role_given_counts_from_the_next_request(db):
    user = CadreUserFactory().user
    client = _signed_in(user)
    assert client.get(ASSIGNMENTS).status_code == 403
    RoleFactory(user=user, kind=RoleKind.SUPERVISOR, locality=None)
    assert client.get(ASSIGNMENTS).status_code == 200


def test_a_deleted_staff_group_closes_the_office_pages_at_once(staff_user):
    client = _signed_in(staff_user)
    assert client.get(ASSIGNMENTS).status_code == 200
    Group.objects.get(name=STAFF_GROUP).delete()  # Its memberships go without a many-to-many signal.
    assert client.get(ASSIGNMENTS).status_code == 403


def test_a_failed_version_update_is_made_with_the_next_one(monkeypatch):
    moved = []

    def failing(*topics):
        raise RuntimeError("database gone for a moment")

    monkeypatch.setattr(caching, "bump", failing)
    with pytest.raises(RuntimeError):
        caching._after_commit((NOTES, "notes:campaign:1"))
    monkeypatch.setattr(caching, "bump", lambda *topics: moved.append(set(topics)))
    caching.bump_after_commit(RECORDS)
    assert moved == [{RECORDS, "records:*", NOTES, "notes:campaign:1"}]
    caching.bump_after_commit(RECORDS)
    assert moved[-1] == {RECORDS, "records:*"}


def test_adding_a_group_the_user_has_moves_no_version(staff_user):
    before = caching.versions().get(RECORDS, 0)
    staff_user.groups.add(Group.objects.get(name=STAFF_GROUP))
    caching.forget_versions()
    assert caching.versions().get(RECORDS, 0) == before


# --- The health check asks the socket ------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the health check is PostgreSQL's (SQLite connections are not kept)"
)


def _djangos_check(**kwargs):
    """Django's own check (a SELECT 1), replaced: what the socket cannot tell is asked of it."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    return mock.patch.object(DatabaseWrapper, "is_usable", autospec=True, **kwargs)


@postgresql_only
def test_a_connection_inside_a_transaction_gets_djangos_own_check():
    DataVersion.objects.count()  # The test's transaction has begun: the socket alone cannot tell.
    with _djangos_check(return_value="asked the server") as check:
        assert connection.is_usable() == "asked the server"
    assert check.call_count == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_the_next_request():
    import psycopg

    connection.ensure_connection()
    with _djangos_check(side_effect=AssertionError("a round trip")):
        assert connection.is_usable()  # Idle, nothing to read: usable, and no statement sent.
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "autocommit": True}) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not connection.is_usable()
    # What Django does at the start of a request with CONN_HEALTH_CHECKS: the dead connection goes.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


# --- Shares of the notes' version ----------------------------------------------------------------


@pytest.fixture
def two_campaigns():
    today = timezone.localdate()
    first, second = (CampaignFactory(starts_on=today - DAYS(days=2), ends_on=today + DAYS(days=27)) for _ in "ab")
    return [
        AssignmentFactory(campaign=campaign, starts_on=campaign.starts_on, cadre=CadreUserFactory(full_name=name))
        for campaign, name in ((first, "Trần Thị Mai"), (second, "Lê Văn Hùng"))
    ]


def test_a_note_of_another_campaign_leaves_the_grid_cached(staff_client, two_campaigns, django_assert_num_queries):
    mine, other = two_campaigns
    url = f"{COMPLIANCE}?campaign={mine.campaign_id}"
    before = _main(staff_client.get(url))
    DailyNoteFactory(assignment=other, day=timezone.localdate())
    with django_assert_num_queries(2):  # The session with the versions, and this campaign's share.
        assert _main(staff_client.get(url)) == before

    DailyNoteFactory(assignment=mine, day=timezone.localdate())
    assert _main(staff_client.get(url)) != before


def test_my_mission_is_kept_while_other_cadres_file(two_campaigns, django_assert_num_queries):
    mine, other = two_campaigns
    client = _signed_in(mine.cadre.user)
    today = timezone.localdate()
    first = _main(client.get(MY_MISSION))
    DailyNoteFactory(assignment=other, day=today, difficulties="Ở xã bên thiếu khẩu trang")
    with django_assert_num_queries(2):  # The session with the versions, and this cadre's share.
        assert _main(client.get(MY_MISSION)) == first

    DailyNoteFactory(assignment=mine, day=today - DAYS(days=1), difficulties="Ấp 3 thiếu nhân lực")
    assert "Ấp 3 thiếu nhân lực" in _main(client.get(MY_MISSION))


def test_a_write_without_signals_outdates_every_share(staff_client, two_campaigns):
    from reports.models import DailyNote

    mine, _other = two_campaigns
    url = f"{COMPLIANCE}?campaign={mine.campaign_id}"
    before = _main(staff_client.get(url))
    # As a bulk import or COPY writes: no signal, so the writer moves the topic itself.
    DailyNote.objects.bulk_create([DailyNote(assignment=mine, day=timezone.localdate())])
    assert _main(staff_client.get(url)) == before  # What it is for: without the bump nothing moves.
    caching.bump_after_commit(NOTES)
    assert _main(staff_client.get(url)) != before


def test_a_note_moved_to_another_assignment_moves_both_shares(two_campaigns):
    from reports.models import DailyNote

    mine, other = two_campaigns
    note = DailyNoteFactory(assignment=mine, day=timezone.localdate())
    note = DailyNote.objects.get(pk=note.pk)  # As admin reads it before the change.
    note.assignment = other
    assert set(note.cache_shares()) == {
        ("campaign", mine.campaign_id),
        ("cadre", mine.cadre_id),
        ("campaign", other.campaign_id),
        ("cadre", other.cadre_id),
    }


def test_a_first_change_of_a_share_makes_its_row_and_moves_the_others():
    caching.bump(NOTES)
    notes = DataVersion.objects.get(topic=NOTES).number
    caching.bump(NOTES, caching.scoped_topic(NOTES, "campaign", 7))
    assert DataVersion.objects.get(topic=NOTES).number > notes
    assert DataVersion.objects.get(topic="notes:campaign:7").number >= 2


# --- The notes inbox renders only new rows --------------------------------------------------------


def test_the_notes_inbox_shows_a_new_an_edited_and_a_renamed_note_at_once(staff_client, two_campaigns):
    mine, other = two_campaigns
    today = timezone.localdate()
    note = DailyNoteFactory(assignment=mine, day=today, situation="Tuyên truyền ở ấp 2")
    assert "Tuyên truyền ở ấp 2" in _main(staff_client.get(NOTES_INBOX))

    DailyNoteFactory(assignment=other, day=today, situation="Hỗ trợ lấy mẫu")
    page = _main(staff_client.get(NOTES_INBOX))
    assert "Hỗ trợ lấy mẫu" in page and "Tuyên truyền ở ấp 2" in page

    note.situation = "Tuyên truyền ở ấp 5"
    note.save()
    assert "Tuyên truyền ở ấp 5" in _main(staff_client.get(NOTES_INBOX))

    mine.cadre.full_name = "Trần Thị Mai Anh"
    mine.cadre.save()
    assert "Trần Thị Mai Anh" in _main(staff_client.get(NOTES_INBOX))


def test_only_the_row_of_a_new_note_is_read_and_rendered(staff_client, two_campaigns):
    from django.test.utils import CaptureQueriesContext

    mine, other = two_campaigns
    today = timezone.localdate()
    DailyNoteFactory(assignment=mine, day=today - DAYS(days=1))
    DailyNoteFactory(assignment=other, day=today - DAYS(days=1))
    staff_client.get(NOTES_INBOX)
    new = DailyNoteFactory(assignment=mine, day=today)
    with CaptureQueriesContext(connection) as captured:
        page = _main(staff_client.get(NOTES_INBOX))
    assert page.count("<tr>") == 1 + 3  # The header and three notes.
    rows_read = [query["sql"] for query in captured.captured_queries if "situation" in query["sql"]]
    assert len(rows_read) == 1 and f"IN ({new.pk})" in rows_read[0]


# --- Figures refreshed in the background ---------------------------------------------------------


def test_an_old_entry_is_served_while_it_is_refreshed_in_the_background(monkeypatch):
    computed, waiting = [], []
    monkeypatch.setattr(caching, "in_background", waiting.append)
    now = [1_000_000.0]
    monkeypatch.setattr(caching.time, "time", lambda: now[0])

    def figures():
        computed.append(now[0])
        return f"figures at {now[0]:.0f}"

    def read():
        return caching.cached("figures", compute=figures, timeout=60, refresh_after=30)

    assert read() == "figures at 1000000" and len(computed) == 1  # Nothing kept: computed on the request.
    now[0] += 10
    assert read() == "figures at 1000000" and not waiting  # Fresh: read.
    now[0] += 25
    assert read() == "figures at 1000000" and len(waiting) == 1  # Old: served, and its refresh is queued.
    assert read() == "figures at 1000000" and len(waiting) == 1  # One refresh at a time.
    assert len(computed) == 1  # Nobody's request computed it.
    waiting.pop()()
    assert read() == "figures at 1000035" and len(computed) == 2


def test_the_dashboard_figures_are_refreshed_in_the_background(staff_client, monkeypatch):
    from cadres.views import dashboard

    waiting = []
    monkeypatch.setattr(caching, "in_background", waiting.append)
    assert staff_client.get(reverse("cadres:dashboard")).status_code == 200
    made = time.time()
    monkeypatch.setattr(caching.time, "time", lambda: made + dashboard.REFRESH_AFTER + 1)
    assert staff_client.get(reverse("cadres:dashboard")).status_code == 200
    assert len(waiting) == 1
    waiting.pop()()  # The refresh stores figures made now: the next request finds them fresh.
    assert staff_client.get(reverse("cadres:dashboard")).status_code == 200
    assert not waiting
