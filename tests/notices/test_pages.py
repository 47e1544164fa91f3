"""The notices a person reads in the app, the channels they choose, and their devices' push subscriptions."""

import datetime
import itertools
import json
import os
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleKind
from notices import push
from notices.models import MAX_DEVICES, Channel, Delivery, Kind, Notice, Preferences, PushSubscription
from tests.factories import CadreUserFactory, LocalityFactory, RoleFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("notices:list")
READ_ALL = reverse("notices:read_all")
SETTINGS = reverse("notices:settings")
SUBSCRIBE = reverse("notices:subscribe")
UNSUBSCRIBE = reverse("notices:unsubscribe")
PUSH_SERVICE = "https://push.example.test"
_keys = itertools.count(1)


def _notice(user, *, title="Bạn được cử đi cơ sở", minutes_ago=0, read=False, **fields) -> Notice:
    now = timezone.now()
    return Notice.objects.create(
        user=user,
        kind=fields.pop("kind", Kind.ASSIGNED),
        key=f"assignment:{next(_keys)}",
        title=title,
        body=fields.pop("body", "Phường Đông Hòa, từ 16/08/2021."),
        url=fields.pop("url", "/me/"),
        created_at=now - datetime.timedelta(minutes=minutes_ago),
        read_at=now if read else None,
        **fields,
    )


def _open(notice) -> str:
    return reverse("notices:open", args=[notice.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _in_english(client) -> Client:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.fixture
def user(db):
    return StaffUserFactory()


@pytest.fixture
def client_of(user):
    return _client(user)


@pytest.fixture
def push_on(settings):
    settings.PUSH_SERVICES = [PUSH_SERVICE]
    settings.VAPID_PRIVATE_KEY = push.new_private_key()
    return settings


def _subscription(endpoint=f"{PUSH_SERVICE}/send/abc", *, p256dh_bytes=65, auth_bytes=16) -> dict:
    """A browser's PushSubscription.toJSON(): a P-256 public key and a 16-byte secret, as the browsers make,
    unless told otherwise (random bytes of another length)."""
    public = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    p256dh = public if p256dh_bytes == 65 else os.urandom(p256dh_bytes)
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": push.b64url(p256dh), "auth": push.b64url(os.urandom(auth_bytes))},
    }


def _device(owner, name="mine", device="") -> PushSubscription:
    keys = _subscription()["keys"]
    return PushSubscription.objects.create(user=owner, endpoint=f"{PUSH_SERVICE}/{name}", device=device, **keys)


def _post_json(client, url, data, **headers):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


# Who may open them.
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST), ("get", SETTINGS), ("post", READ_ALL), ("post", SUBSCRIBE), ("post", UNSUBSCRIBE)],
)
def test_it_sends_anonymous_users_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_sends_anonymous_users_to_login_from_a_notice(client, user):
    notice = _notice(user)
    response = client.get(_open(notice))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    notice.refresh_from_db()
    assert notice.read_at is None


# The list.
def test_the_list_shows_only_ones_own_notices_newest_first(client_of, user):
    older = _notice(user, title="Sắp hết đợt", minutes_ago=60)
    newer = _notice(user, title="Chưa có ghi chép hôm nay", minutes_ago=5)
    _notice(StaffUserFactory(), title="Thông báo của người khác")
    response = client_of.get(LIST)
    assert response.status_code == 200
    assert list(response.context["notices"]) == [newer, older]
    content = response.content.decode()
    assert content.index("Chưa có ghi chép hôm nay") < content.index("Sắp hết đợt")
    assert "Thông báo của người khác" not in content


def _items(content: str) -> dict[str, str]:
    """Each item of the list, by its title."""
    items = re.findall(r'<li class="notice-card[^"]*">.*?</li>', content, flags=re.S)
    return {re.search(r'href="/notices/\d+/open/">([^<]*)</a>', item).group(1): item for item in items}


def test_an_unread_notice_is_bold_and_marked_new_and_a_read_one_is_not(client_of, user):
    _notice(user, title="Chưa đọc")
    _notice(user, title="Đã đọc", read=True, minutes_ago=10)
    items = _items(client_of.get(LIST).content.decode())
    assert 'class="notice-card unread"' in items["Chưa đọc"] and 'class="badge new"' in items["Chưa đọc"]
    assert "unread" not in items["Đã đọc"] and "badge new" not in items["Đã đọc"]


def test_each_notice_links_to_its_opening_and_shows_when_what_and_its_text(client_of, user):
    created = datetime.datetime(2021, 8, 20, 1, 5, tzinfo=datetime.UTC)  # 08:05 in Hồ Chí Minh City
    notice = _notice(user, kind=Kind.REPORT_DUE, body="Báo cáo cuối đợt.\nHạn: 22/08/2021.")
    Notice.objects.filter(pk=notice.pk).update(created_at=created)
    content = _in_english(client_of).get(LIST).content.decode()
    assert f'href="{_open(notice)}"' in content
    assert '<time datetime="2021-08-20T08:05:00+07:00">20/08/2021 08:05</time>' in content
    assert "Report due" in content
    assert "Báo cáo cuối đợt.\nHạn: 22/08/2021." in content  # the line break kept (white-space: pre-line)


def test_the_list_is_paginated(client_of, user):
    for minutes in range(30):
        _notice(user, minutes_ago=minutes)
    first = client_of.get(LIST)
    assert len(first.context["notices"]) == 25 and 'class="pagination"' in first.content.decode()
    assert len(client_of.get(LIST, {"page": 2}).context["notices"]) == 5


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_makes_the_same_few_queries_however_many_notices(
    client_of, user, count, django_assert_max_num_queries
):
    for minutes in range(count):
        _notice(user, minutes_ago=minutes, read=minutes % 2 == 0)
    # Session, user, the page's count and rows, the header's unread count; the request's savepoint and its release.
    with django_assert_max_num_queries(7):
        assert client_of.get(LIST).status_code == 200


def test_an_empty_list_says_so(client_of):
    content = _in_english(client_of).get(LIST).content.decode()
    assert "You have no notices yet." in content
    assert "notice-list" not in content


def test_mark_all_as_read_is_offered_only_while_some_are_unread(client_of, user):
    read_all_form = f'action="{READ_ALL}"'
    notice = _notice(user)
    assert read_all_form in client_of.get(LIST).content.decode()
    notice.mark_read()
    assert read_all_form not in client_of.get(LIST).content.decode()


def test_the_list_links_to_the_settings(client_of):
    assert f'href="{SETTINGS}"' in client_of.get(LIST).content.decode()


# Opening one, reading all.
def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client_of, user):
    notice = _notice(user, url="/me/notes/new/")
    response = client_of.get(_open(notice))
    assert response.status_code == 302 and response.url == "/me/notes/new/"
    notice.refresh_from_db()
    assert notice.read_at is not None


@pytest.mark.parametrize("url", ["", "https://elsewhere.example/", "//elsewhere.example/"])
def test_a_notice_without_a_page_of_this_site_opens_the_list(client_of, user, url):
    notice = _notice(user, url=url)
    response = client_of.get(_open(notice))
    assert response.status_code == 302 and response.url == LIST
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_users_notice_answers_404_and_stays_unread(client_of):
    notice = _notice(CadreUserFactory().user)
    assert client_of.get(_open(notice)).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_marks_only_ones_own(client_of, user):
    mine = [_notice(user), _notice(user)]
    theirs = _notice(StaffUserFactory())
    response = client_of.post(READ_ALL)
    assert response.status_code == 302 and response.url == LIST
    assert all(Notice.objects.get(pk=notice.pk).read_at for notice in mine)
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_read_all_takes_a_post_only(client_of, user):
    notice = _notice(user)
    assert client_of.get(READ_ALL).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


# The header.
def _host_official():
    return RoleFactory(kind=RoleKind.LOCALITY, locality=LocalityFactory()).user


@pytest.mark.parametrize(
    "make_user",
    [StaffUserFactory, lambda: CadreUserFactory().user, _host_official, UserFactory],
    ids=["staff", "cadre", "host official", "no role"],
)
def test_the_header_shows_the_unread_count_to_everyone_signed_in(make_user):
    someone = make_user()
    for _ in range(3):
        _notice(someone)
    _notice(someone, read=True)
    _notice(StaffUserFactory())  # another person's: not counted
    client = _in_english(_client(someone))
    content = client.get(LIST).content.decode()
    nav = content[content.index('<nav class="site-nav"') : content.index("</nav>")]
    assert f'<a class="notices-link" href="{LIST}">Notices' in nav
    assert '<span aria-hidden="true">3</span><span class="visually-hidden">3 unread</span>' in nav


def test_the_header_shows_no_count_when_all_are_read(client_of, user):
    _notice(user, read=True)
    content = client_of.get(LIST).content.decode()
    assert f'class="notices-link" href="{LIST}"' in content and "notice-count" not in content


# The settings page.
def test_the_settings_save_the_choices(client_of, user):
    response = client_of.post(SETTINGS, {"by_email": "on"})
    assert response.status_code == 302 and response.url == SETTINGS
    preferences = Preferences.objects.get(user=user)
    assert (preferences.by_push, preferences.by_email) == (False, True)
    client_of.post(SETTINGS, {"by_push": "on"})
    preferences.refresh_from_db()
    assert (preferences.by_push, preferences.by_email) == (True, False)


def test_the_settings_start_with_both_channels_on(client_of):
    content = client_of.get(SETTINGS).content.decode()
    assert re.search(r'<input type="checkbox" name="by_push"[^>]* checked', content)
    assert re.search(r'<input type="checkbox" name="by_email"[^>]* checked', content)


def test_the_settings_say_where_emails_go(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    cadre = CadreUserFactory(email="thu.ha@example.vn")
    content = _in_english(_client(cadre.user)).get(SETTINGS).content.decode()
    assert "Emails go to <strong>thu.ha@example.vn</strong>." in content
    assert "ask the office to add your email" not in content
    assert "This server does not send emails yet" not in content


def test_the_settings_say_when_there_is_no_address_and_no_mail_server(client_of):
    # The tests' email backend keeps the messages in memory: no mail server.
    content = _in_english(client_of).get(SETTINGS).content.decode()
    assert "ask the office to add your email" in content
    assert "This server does not send emails yet" in content


def test_the_settings_offer_push_when_the_server_has_a_key(client_of, push_on):
    content = client_of.get(SETTINGS).content.decode()
    assert f'data-key="{push.public_key()}"' in content and 'id="push-on"' in content
    assert f'data-subscribe-url="{SUBSCRIBE}"' in content and 'data-sw-url="/sw.js"' in content
    assert "js/push.js" in content
    assert "<script>" not in content and ' style="' not in content


def test_the_settings_say_push_is_not_set_up_without_a_key(client_of, settings):
    settings.VAPID_PRIVATE_KEY = ""
    content = _in_english(client_of).get(SETTINGS).content.decode()
    assert "This server has no notifications on devices set up" in content
    assert 'id="push-on"' not in content and "js/push.js" not in content


def test_the_settings_list_ones_own_devices_only(client_of, user, push_on):
    _device(user, device="Chrome Android")
    _device(StaffUserFactory(), "theirs", device="Firefox Linux")
    content = client_of.get(SETTINGS).content.decode()
    assert "Chrome Android" in content and f'data-endpoint="{PUSH_SERVICE}/mine"' in content
    assert "Firefox Linux" not in content


# Subscribing a device.
def test_subscribe_stores_the_browsers_subscription(client_of, user, push_on):
    data = _subscription()
    response = _post_json(client_of, SUBSCRIBE, data, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10) Chrome/120")
    assert response.status_code == 201 and response.json() == {"ok": True}
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.endpoint) == (user, data["endpoint"])
    assert (stored.p256dh, stored.auth) == (data["keys"]["p256dh"], data["keys"]["auth"])
    assert stored.device == "Mozilla/5.0 (Linux; Android 10) Chrome/120"


def test_subscribe_takes_the_csrf_token_the_page_gives_its_script(user, push_on):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert _post_json(client, SUBSCRIBE, _subscription()).status_code == 403
    token = re.search(r'data-csrf-token="([^"]+)"', client.get(SETTINGS).content.decode()).group(1)
    assert _post_json(client, SUBSCRIBE, _subscription(), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_subscribe_refuses_a_push_service_not_in_push_services(client_of, push_on):
    response = _post_json(client_of, SUBSCRIBE, _subscription("https://attacker.example/collect"))
    assert response.status_code == 400 and "máy chủ gửi tới" in response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("body", ["{not json", '"a string"', "[]", '{"endpoint": "https://push.example.test/x"}', ""])
def test_subscribe_refuses_what_is_not_a_subscription(client_of, push_on, body):
    response = _post_json(client_of, SUBSCRIBE, body)
    assert response.status_code == 400 and response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("lengths", "words"),
    [({"p256dh_bytes": 33}, "P-256"), ({"auth_bytes": 8}, "16 bytes")],
    ids=["public key", "authentication secret"],
)
def test_subscribe_refuses_keys_of_the_wrong_length_with_a_clear_message(client_of, push_on, lengths, words):
    response = _post_json(_in_english(client_of), SUBSCRIBE, _subscription(**lengths))
    assert response.status_code == 400 and words in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_subscribe_answers_409_when_push_is_not_set_up(client_of, settings):
    settings.PUSH_SERVICES = [PUSH_SERVICE]
    settings.VAPID_PRIVATE_KEY = ""
    response = _post_json(client_of, SUBSCRIBE, _subscription())
    assert response.status_code == 409 and response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_a_browser_subscribed_by_someone_else_moves_to_the_one_signed_in(client_of, user, push_on):
    data = _subscription()
    earlier = StaffUserFactory()
    assert _post_json(_client(earlier), SUBSCRIBE, data).status_code == 201
    assert _post_json(client_of, SUBSCRIBE, data).status_code == 201
    assert PushSubscription.objects.get(endpoint=data["endpoint"]).user == user
    assert PushSubscription.objects.count() == 1


def test_a_browser_that_changed_hands_does_not_get_the_previous_persons_waiting_notices(client_of, user, push_on):
    data = _subscription()
    earlier = StaffUserFactory()
    _post_json(_client(earlier), SUBSCRIBE, data)
    notice = Notice.objects.create(user=earlier, kind=Kind.URGENT_ESCALATION, key="escalation:1", title="Khẩn")
    waiting = Delivery.objects.create(
        notice=notice, channel=Channel.PUSH, target="push:1", subscription=PushSubscription.objects.get()
    )
    _post_json(client_of, SUBSCRIBE, data)
    waiting.refresh_from_db()
    assert waiting.subscription is None  # sent nowhere: "the device unsubscribed"
    assert PushSubscription.objects.get().user == user


def test_a_person_keeps_their_ten_newest_devices(client_of, user, push_on):
    for number in range(MAX_DEVICES + 2):
        assert _post_json(client_of, SUBSCRIBE, _subscription(f"{PUSH_SERVICE}/send/{number}")).status_code == 201
    kept = PushSubscription.objects.filter(user=user)
    assert kept.count() == MAX_DEVICES
    assert not kept.filter(endpoint__in=[f"{PUSH_SERVICE}/send/0", f"{PUSH_SERVICE}/send/1"]).exists()


def test_subscribe_refuses_a_key_that_is_not_a_point_of_the_curve(client_of, push_on):
    data = _subscription()
    data["keys"]["p256dh"] = push.b64url(b"\x04" + os.urandom(64))
    response = _post_json(client_of, SUBSCRIBE, data)
    assert response.status_code == 400 and "P-256" in response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":' * 5000,  # nested deeper than the parser goes
        b'{"endpoint": "' + b"x" * 10_000 + b'"}',  # far larger than a subscription
        b"[1, 2]",
        b"\xff\xfe",
    ],
)
def test_a_body_that_is_no_subscription_is_refused_with_a_message(client_of, push_on, body):
    for url in (SUBSCRIBE, UNSUBSCRIBE):
        response = client_of.post(url, body, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("pk", ["²", "-1", "1e3", ""])
def test_removing_a_device_with_an_odd_number_removes_nothing(client_of, user, pk):
    mine = _device(user)
    response = client_of.post(UNSUBSCRIBE, {"pk": pk})
    assert response.status_code == 302 and PushSubscription.objects.filter(pk=mine.pk).exists()


def test_unsubscribing_an_endpoint_with_a_nul_character_is_refused(client_of, user):
    mine = _device(user)
    response = client_of.post(UNSUBSCRIBE, {"endpoint": mine.endpoint + "\x00"}, content_type="application/json")
    assert response.status_code == 400 and PushSubscription.objects.filter(pk=mine.pk).exists()


def test_subscribe_takes_a_post_only(client_of, push_on):
    assert client_of.get(SUBSCRIBE).status_code == 405


# Removing a device.
def test_a_device_is_removed_from_the_settings_page(client_of, user):
    mine = _device(user)
    response = client_of.post(UNSUBSCRIBE, {"pk": mine.pk})
    assert response.status_code == 302 and response.url == SETTINGS
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()


def test_removing_by_pk_leaves_another_users_device(client_of):
    theirs = _device(StaffUserFactory(), "theirs")
    response = client_of.post(UNSUBSCRIBE, {"pk": theirs.pk})
    assert response.status_code == 302
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()


def test_a_browser_unsubscribing_removes_its_own_subscription_only(client_of, user):
    mine, theirs = _device(user), _device(StaffUserFactory(), "theirs")
    response = _post_json(client_of, UNSUBSCRIBE, {"endpoint": mine.endpoint})
    assert response.status_code == 200 and response.json() == {"ok": True}
    _post_json(client_of, UNSUBSCRIBE, {"endpoint": theirs.endpoint})
    assert list(PushSubscription.objects.all()) == [theirs]
