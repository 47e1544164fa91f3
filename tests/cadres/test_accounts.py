"""Accounts handled by organisers without Django admin, the one-time link to set a password, and forgot password."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.roles import CADRE_GROUP, RoleKind
from cadres.accounts import tidy_username
from cadres.models import Cadre, Role, accounts_managed_by
from tests.cadres.test_roster_import import ROWS, confirm, statuses, upload, xlsx
from tests.conftest import _client_for
from tests.factories import (
    TEST_PASSWORD,
    CadreFactory,
    CadreUserFactory,
    LocalityFactory,
    ProvincialUnitFactory,
    RoleFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ba mươi ngày ở phường Đông Hòa"
LINK = re.compile(r"https?://testserver/accounts/password/set/[\w-]+/[\w-]+/")
USED_OR_EXPIRED = "This link was already used or has expired: ask the office for a new one."


def english(client: Client) -> Client:
    """Pages in English, the msgids of the strings not yet in the catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def says(response, msgid: str) -> bool:
    with translation.override("en"):
        return gettext(msgid) in response.content.decode()


def links_in(response) -> list[str]:
    return LINK.findall(response.content.decode())


@pytest.fixture
def organiser():
    """Organiser staff of a unit (not office staff of every campaign)."""
    return RoleFactory(kind=RoleKind.ORGANISER).user


@pytest.fixture
def organiser_client(organiser):
    return english(_client_for(organiser))


@pytest.fixture
def organising_unit(organiser):
    return organiser.roles.get().unit


def create_official(client, **fields):
    data = {"username": "", "full_name": "Lê Thị Hoa", "email": "", "kind": "", "unit": "", "locality": ""}
    return client.post(reverse("cadres:account_create"), {**data, **fields})


def set_password(link: str, password: str = NEW_PASSWORD, **request) -> tuple[Client, object]:
    """Open the link in a new browser and set the password; the browser and the last answer."""
    browser = english(Client(**request))
    opened = browser.get(link)
    if opened.status_code != 302:
        return browser, opened
    return browser, browser.post(opened.url, {"new_password1": password, "new_password2": password})


# Usernames


@pytest.mark.parametrize(
    ("typed", "username"),
    [("TD-001", "td-001"), ("CB 0001", "cb-0001"), ("Nguyễn Văn Đức", "nguyen-van-duc"), (" a//b ", "a-b"), ("--", "")],
)
def test_a_username_is_tidied_as_people_type_it(typed, username):
    assert tidy_username(typed) == username


# An account for a cadre


def test_the_cadre_page_offers_an_account_to_organisers_when_the_cadre_has_none(organiser_client):
    without, with_account = CadreFactory(), CadreUserFactory()
    create = reverse("cadres:account_create_for_cadre", args=[without.pk])
    assert create in organiser_client.get(reverse("cadres:cadre_detail", args=[without.pk])).content.decode()
    page = organiser_client.get(reverse("cadres:cadre_detail", args=[with_account.pk])).content.decode()
    assert "/account/" not in page and reverse("cadres:account_detail", args=[with_account.user.pk]) in page
    supervisor = _client_for(RoleFactory(kind=RoleKind.SUPERVISOR, unit=None).user)
    assert create not in supervisor.get(reverse("cadres:cadre_detail", args=[without.pk])).content.decode()


def test_an_organiser_creates_a_cadres_account_under_the_code(organiser_client):
    cadre = CadreFactory(code="TD-001", full_name="Trương Đinh Ngọc Mai", email="mai@example.vn")
    page = reverse("cadres:account_create_for_cadre", args=[cadre.pk])
    assert organiser_client.get(page).context["form"]["username"].value() == "td-001"

    response = organiser_client.post(page, {"username": "td-001"})

    account = User.objects.get(username="td-001")
    assert response.status_code == 302 and response.url == reverse("cadres:account_handover", args=[account.pk])
    cadre.refresh_from_db()
    assert cadre.user == account and account.groups.filter(name=CADRE_GROUP).exists()
    assert account.first_name == "Trương Đinh Ngọc Mai" and account.email == "mai@example.vn"
    assert not account.has_usable_password()
    # The cadre's history says who gave them the account.
    assert cadre.history.latest().user_id == account.pk and cadre.history.latest().history_user is not None
    sheet = organiser_client.get(response.url)
    [link] = links_in(sheet)
    assert "td-001" in sheet.content.decode() and "Trương Đinh Ngọc Mai" in sheet.content.decode()
    browser, done = set_password(link)
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert browser.get(reverse("home")).url == reverse("phone:my_mission")


def test_a_chosen_username_is_tidied_and_a_taken_one_refused_whatever_its_case(organiser_client):
    UserFactory(username="Mai")
    cadre = CadreFactory()
    page = reverse("cadres:account_create_for_cadre", args=[cadre.pk])
    refused = organiser_client.post(page, {"username": "mai"})
    assert refused.status_code == 200 and refused.context["form"].has_error("username", "taken")
    organiser_client.post(page, {"username": "Ngọc Mai"})
    cadre.refresh_from_db()
    assert cadre.user.username == "ngoc-mai"


def test_a_cadre_with_an_account_gets_no_second_one(organiser_client):
    cadre = CadreUserFactory()
    response = organiser_client.post(reverse("cadres:account_create_for_cadre", args=[cadre.pk]), {"username": "x"})
    assert response.status_code == 302 and response.url == reverse("cadres:cadre_detail", args=[cadre.pk])
    assert not User.objects.filter(username="x").exists()


def test_the_link_is_emailed_when_the_cadre_has_an_address(organiser_client, django_capture_on_commit_callbacks):
    cadre = CadreFactory(email="lam@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("cadres:account_create_for_cadre", args=[cadre.pk]), {"username": "lam"})
    [message] = mail.outbox
    assert message.to == ["lam@example.vn"] and "lam" in message.body
    [link] = LINK.findall(message.body)
    assert set_password(link)[1].status_code == 302


def test_no_email_goes_to_a_cadre_without_an_address(organiser_client, django_capture_on_commit_callbacks):
    cadre = CadreFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(reverse("cadres:account_create_for_cadre", args=[cadre.pk]), {"username": "lam"})
    assert mail.outbox == [] and User.objects.filter(username="lam").exists()


# An account for an official, with one role


def test_an_organiser_creates_a_unit_focal_points_account(organiser_client):
    unit = ProvincialUnitFactory(name="Sở Y tế")
    response = create_official(organiser_client, username="soyte", kind=RoleKind.UNIT, unit=unit.pk)
    account = User.objects.get(username="soyte")
    assert response.url == reverse("cadres:account_handover", args=[account.pk])
    role = account.roles.get()
    assert (role.kind, role.unit, role.locality) == (RoleKind.UNIT, unit, None)
    assert account.first_name == "Lê Thị Hoa" and not account.has_usable_password()
    assert not account.groups.exists()


def test_a_locality_official_is_given_the_locality_by_its_code(organiser_client):
    district = LocalityFactory(name="Tân Uyên", kind="town", code="725")
    create_official(organiser_client, username="tanuyen", kind=RoleKind.LOCALITY, locality="725")
    role = Role.objects.get(user__username="tanuyen")
    assert (role.kind, role.locality, role.unit) == (RoleKind.LOCALITY, district, None)


def test_the_role_is_checked_by_the_model(organiser_client):
    # A locality official is held on a locality, not on a unit: Role.clean()'s refusal, on the unit.
    response = create_official(
        organiser_client, username="hoa", kind=RoleKind.LOCALITY, unit=ProvincialUnitFactory().pk
    )
    form = response.context["form"]
    assert form.has_error("unit", "not_for_role") and form.has_error("locality", "required")
    assert not User.objects.filter(username="hoa").exists()


def test_an_organiser_gives_organiser_staff_on_their_own_unit(organiser_client, organising_unit):
    create_official(organiser_client, username="dongnghiep", kind=RoleKind.ORGANISER, unit=organising_unit.pk)
    assert Role.objects.get(user__username="dongnghiep").unit == organising_unit


def test_an_organiser_cannot_give_organiser_staff_on_another_unit(organiser_client):
    response = create_official(
        organiser_client, username="nguoingoai", kind=RoleKind.ORGANISER, unit=ProvincialUnitFactory().pk
    )
    assert response.status_code == 200 and response.context["form"].has_error("unit", "not_granted")
    assert not User.objects.filter(username="nguoingoai").exists()
    assert Role.objects.count() == 1  # the organiser's own


def test_an_organiser_cannot_give_a_supervisor_role(organiser_client):
    response = create_official(organiser_client, username="giamsat", kind=RoleKind.SUPERVISOR)
    assert response.status_code == 200 and response.context["form"].has_error("kind")
    assert not User.objects.filter(username="giamsat").exists()


def test_office_staff_give_a_supervisor_role():
    client = _client_for(StaffUserFactory())
    create_official(client, username="giamsat", kind=RoleKind.SUPERVISOR)
    role = Role.objects.get(user__username="giamsat")
    assert (role.kind, role.unit, role.locality) == (RoleKind.SUPERVISOR, None, None)


def test_a_read_only_role_cannot_open_the_account_pages():
    client = _client_for(RoleFactory(kind=RoleKind.UNIT).user)
    assert client.get(reverse("cadres:account_list")).status_code == 403
    assert client.get(reverse("cadres:account_create")).status_code == 403


# Which accounts an organiser handles


def test_an_organiser_handles_cadres_officials_and_their_own_units_staff(organiser, organising_unit):
    cadre = CadreUserFactory().user
    official = RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=LocalityFactory()).user
    colleague = RoleFactory(kind=RoleKind.ORGANISER, unit=organising_unit).user
    other_units_staff = RoleFactory(kind=RoleKind.ORGANISER).user
    supervisor = RoleFactory(kind=RoleKind.SUPERVISOR, unit=None).user
    # A focal point who is also organiser staff elsewhere: that other unit's to handle.
    both = RoleFactory(kind=RoleKind.UNIT).user
    RoleFactory(user=both, kind=RoleKind.ORGANISER)
    office = StaffUserFactory()
    superuser = UserFactory(is_superuser=True)
    nobody = UserFactory()
    assert set(accounts_managed_by(organiser)) == {cadre, official, colleague}
    handled_by_all = {cadre, official, colleague}
    assert set(accounts_managed_by(office)) == {*handled_by_all, organiser, other_units_staff, supervisor, both}
    # Superusers and office staff are Django admin's: neither handles the other, nor themselves, here.
    assert set(accounts_managed_by(superuser)) == set(accounts_managed_by(office))
    assert {office, superuser, nobody}.isdisjoint(accounts_managed_by(superuser))


def test_another_organisers_staff_and_the_office_answer_404(organiser_client, organiser):
    for account in [RoleFactory(kind=RoleKind.ORGANISER).user, StaffUserFactory(), organiser, UserFactory()]:
        for name in ["account_detail", "account_handover"]:
            assert organiser_client.get(reverse(f"cadres:{name}", args=[account.pk])).status_code == 404
        for name in ["account_deactivate", "account_reactivate", "account_reset"]:
            assert organiser_client.post(reverse(f"cadres:{name}", args=[account.pk])).status_code == 404
        account.refresh_from_db()
        assert account.is_active and account.has_usable_password()


# Deactivate, reactivate, reset


def test_deactivating_ends_the_sessions_and_the_logins_until_reactivated(organiser_client):
    cadre = CadreUserFactory()
    phone = _client_for(cadre.user)
    assert phone.get(reverse("phone:my_mission")).status_code == 200
    organiser_client.post(reverse("cadres:account_deactivate", args=[cadre.user.pk]))
    cadre.user.refresh_from_db()
    assert not cadre.user.is_active
    assert phone.get(reverse("phone:my_mission")).url.startswith(reverse("login"))
    login = {"username": cadre.user.username, "password": TEST_PASSWORD}
    assert Client().post(reverse("login"), login).status_code == 200  # refused: the form again
    organiser_client.post(reverse("cadres:account_reactivate", args=[cadre.user.pk]))
    assert Client().post(reverse("login"), login).status_code == 302


def test_a_reset_stops_the_old_password_and_the_old_links(organiser_client):
    cadre = CadreUserFactory()
    old_link = links_in(organiser_client.post(reverse("cadres:account_reset", args=[cadre.user.pk]), follow=True))[0]
    response = organiser_client.post(reverse("cadres:account_reset", args=[cadre.user.pk]))
    cadre.user.refresh_from_db()
    assert not cadre.user.has_usable_password()
    assert response.url == reverse("cadres:account_handover", args=[cadre.user.pk])
    login = {"username": cadre.user.username, "password": TEST_PASSWORD}
    assert Client().post(reverse("login"), login).status_code == 200
    _, refused = set_password(old_link)
    assert refused.status_code == 200 and says(refused, USED_OR_EXPIRED)
    [new_link] = links_in(organiser_client.get(response.url))
    assert set_password(new_link)[1].status_code == 302


def test_a_reset_ends_the_open_sessions(organiser_client):
    cadre = CadreUserFactory()
    phone = _client_for(cadre.user)
    organiser_client.post(reverse("cadres:account_reset", args=[cadre.user.pk]))
    assert phone.get(reverse("phone:my_mission")).url.startswith(reverse("login"))


def test_a_password_set_gets_no_link_on_the_sheet(organiser_client):
    cadre = CadreUserFactory()
    sheet = organiser_client.get(reverse("cadres:account_handover", args=[cadre.user.pk]))
    assert sheet.status_code == 200 and links_in(sheet) == []


# The one-time link


@pytest.fixture
def new_account(organiser_client):
    """A cadre's account just made, and the link on its handover sheet."""
    cadre = CadreFactory(code="TD-009")
    response = organiser_client.post(reverse("cadres:account_create_for_cadre", args=[cadre.pk]), {"username": "yen"})
    return User.objects.get(username="yen"), links_in(organiser_client.get(response.url))[0]


def test_the_sheet_says_until_when_the_link_works(organiser_client, new_account):
    account, _ = new_account
    before = timezone.localtime() + datetime.timedelta(days=3)
    sheet = organiser_client.get(reverse("cadres:account_handover", args=[account.pk])).content.decode()
    after = timezone.localtime() + datetime.timedelta(days=3)
    assert before.strftime("%d/%m/%Y %H:%M") in sheet or after.strftime("%d/%m/%Y %H:%M") in sheet
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600


def test_the_link_sets_the_password_once_and_signs_in(new_account):
    account, link = new_account
    browser, done = set_password(link)
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert int(browser.session["_auth_user_id"]) == account.pk
    _, again = set_password(link, "another password, not set")
    assert again.status_code == 200 and says(again, USED_OR_EXPIRED)
    assert reverse("login") in again.content.decode()
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_an_expired_link_shows_the_message(new_account, monkeypatch):
    account, link = new_account
    later = datetime.datetime.now() + datetime.timedelta(days=3, minutes=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    browser, refused = set_password(link)
    assert refused.status_code == 200 and says(refused, USED_OR_EXPIRED)
    account.refresh_from_db()
    assert not account.has_usable_password()


def test_a_deactivated_accounts_link_does_not_open(organiser_client, new_account):
    account, link = new_account
    organiser_client.post(reverse("cadres:account_deactivate", args=[account.pk]))
    _, refused = set_password(link)
    assert refused.status_code == 200 and says(refused, USED_OR_EXPIRED)


def test_the_link_lets_in_a_person_locked_out_by_wrong_passwords(new_account):
    account, link = new_account
    wrong = {"username": account.username, "password": "wrong"}
    for _ in range(5):
        Client().post(reverse("login"), wrong, REMOTE_ADDR="10.0.0.7")
    right = {"username": account.username, "password": NEW_PASSWORD}
    assert Client().post(reverse("login"), right, REMOTE_ADDR="10.0.0.7").status_code == 429
    browser, done = set_password(link, REMOTE_ADDR="10.0.0.7")
    assert done.status_code == 302 and browser.get(reverse("home")).status_code == 302
    # django-axes cleared the failed attempts at the sign-in: the new password works from that address.
    assert Client().post(reverse("login"), right, REMOTE_ADDR="10.0.0.7").status_code == 302


# Forgot password


def test_the_login_page_leads_to_forgot_password(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("email", ["mai@example.vn", "MAI@example.vn"])
def test_forgot_password_sends_a_link_to_a_known_address(client, email):
    account = UserFactory(email="mai@example.vn")
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["mai@example.vn"] and account.username in message.body
    [link] = LINK.findall(message.body)
    assert set_password(link)[1].status_code == 302
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_forgot_password_answers_the_same_for_an_unknown_address(client):
    UserFactory(email="mai@example.vn")
    known = client.post(reverse("password_reset"), {"email": "mai@example.vn"}, follow=True)
    mail.outbox.clear()
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.vn"}, follow=True)
    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain

    def page(response):  # but for the language switch's CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert page(unknown) == page(known)


def test_forgot_password_reaches_an_account_waiting_for_its_first_password_not_a_deactivated_one(client, new_account):
    account, _ = new_account
    account.email = "yen@example.vn"
    account.save()
    client.post(reverse("password_reset"), {"email": "yen@example.vn"})
    assert len(mail.outbox) == 1
    account.is_active = False
    account.save()
    client.post(reverse("password_reset"), {"email": "yen@example.vn"})
    assert len(mail.outbox) == 1


# The list


def test_the_list_shows_what_the_organiser_handles_and_searches_without_accents(organiser_client):
    mai = CadreUserFactory(full_name="Trương Đinh Ngọc Mai", user__first_name="Trương Đinh Ngọc Mai")
    CadreUserFactory(full_name="Lâm Thái Nguyên")
    office = StaffUserFactory()
    listed = organiser_client.get(reverse("cadres:account_list")).content.decode()
    assert mai.user.username in listed and office.username not in listed
    found = organiser_client.get(reverse("cadres:account_list"), {"q": "truong mai"})
    assert found.context["page"].paginator.count == 1 and "Trương Đinh Ngọc Mai" in found.content.decode()
    assert organiser_client.get(reverse("cadres:account_list"), {"q": mai.code}).context["page"].paginator.count == 1


def _accounts(count: int):
    for n in range(count):
        if n % 3 == 0:
            CadreUserFactory()
        elif n % 3 == 1:
            RoleFactory(kind=RoleKind.UNIT)
        else:
            RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=LocalityFactory(parent=LocalityFactory()))


def test_the_list_takes_the_same_queries_whatever_the_accounts():
    client = _client_for(StaffUserFactory())
    _accounts(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cadres:account_list")).context["page"].paginator.count == 3
    _accounts(27)
    cache.clear()  # as cold as the first time (the header's unread count included)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("cadres:account_list")).context["page"].paginator.count == 30
    assert len(many) == len(few) <= 10


def test_the_nav_shows_accounts_to_organisers_only(organiser_client):
    accounts = reverse("cadres:account_list")
    assert accounts in organiser_client.get(reverse("cadres:dashboard")).content.decode()
    supervisor = _client_for(RoleFactory(kind=RoleKind.SUPERVISOR, unit=None).user)
    assert accounts not in supervisor.get(reverse("cadres:dashboard")).content.decode()


# The roster import with accounts


@pytest.fixture
def youth_union():
    unit = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    ProvincialUnitFactory(name="Ban Tuyên giáo", short_name="Ban TG", parent=unit)
    return unit


def preview_with_accounts(client, file):
    response = upload(client, file, accounts="on")
    assert response.status_code == 302, response.context and response.context["form"].errors
    return client.get(response.url), response.url


def upload_with(client, file, **data):
    return client.post(reverse("cadres:roster_import"), {"file": file, **data})


def test_a_taken_username_blocks_the_whole_import(staff_client, youth_union):
    UserFactory(username="TD-003")
    response = upload_with(staff_client, xlsx(ROWS), accounts="on")
    preview = staff_client.get(response.url)
    assert statuses(preview) == {2: "new", 3: "error"}
    assert not preview.context["can_confirm"]
    [taken] = [result for result in preview.context["page"].object_list if result["row"] == 3]
    assert "td-003" in taken["errors"][0] and taken["username"] == "td-003"
    confirm(staff_client, response.url)
    assert not Cadre.objects.exists() and User.objects.count() == 2


def test_the_import_creates_the_accounts_and_leads_to_one_handover_sheet(
    staff_client, youth_union, django_capture_on_commit_callbacks
):
    cadre = CadreUserFactory(code="TD-004", unit=youth_union)
    rows = [*ROWS, ["Có tài khoản", "", "Tỉnh đoàn", "", "", "", "", "TD-004"]]
    response = upload_with(staff_client, xlsx(rows), accounts="on")
    preview = staff_client.get(response.url)
    assert {result["row"]: result["username"] for result in preview.context["page"].object_list} == {
        2: "td-002",
        3: "td-003",
        4: "",
    }
    assert preview.context["accounts"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(staff_client, response.url)
    assert done.url == reverse("cadres:account_handover_new")
    lam, nguyen = Cadre.objects.get(code="TD-002"), Cadre.objects.get(code="TD-003")
    assert (lam.user.username, nguyen.user.username) == ("td-002", "td-003")
    assert set(User.objects.filter(groups__name=CADRE_GROUP)) == {lam.user, nguyen.user, cadre.user}
    assert lam.user.email == "lam@example.vn" and not lam.user.has_usable_password()
    # Lâm has an address: his link went by e-mail too.
    assert [message.to for message in mail.outbox] == [["lam@example.vn"]]
    sheet = staff_client.get(done.url)
    assert len(links_in(sheet)) == 2
    for link in links_in(sheet):
        assert set_password(link)[1].status_code == 302


def test_a_username_column_names_the_account(staff_client, youth_union):
    rows = [[*ROWS[0], "Tùng Lâm"]]
    headers = ["Họ và tên", "Chức vụ", "Đơn vị", "Phòng/Ban", "Điện thoại", "Email", "Đảng viên", "Mã cán bộ"]
    response = upload_with(staff_client, xlsx(rows, headers=[*headers, "Tên đăng nhập"]), accounts="on")
    confirm(staff_client, response.url)
    assert Cadre.objects.get(code="TD-002").user.username == "tung-lam"


def test_without_the_option_the_import_makes_no_account(staff_client, youth_union):
    response = upload_with(staff_client, xlsx(ROWS))
    assert staff_client.get(response.url).context["accounts"] == 0
    done = confirm(staff_client, response.url)
    assert done.url == reverse("cadres:cadre_list") and Cadre.objects.count() == 2
    assert not Cadre.objects.filter(user__isnull=False).exists()


# An official who is also sent on mission keeps one account (issue 19, item 10: "link a cadre's account").


def _link(client, cadre, username):
    url = reverse("cadres:account_create_for_cadre", args=[cadre.pk])
    return client.post(url, {"action": "link", "link-existing": username})


def test_an_officials_existing_account_is_linked_to_their_cadre_record(organiser_client):
    head = RoleFactory(kind=RoleKind.UNIT, user=UserFactory(username="truong-phong")).user
    cadre = CadreFactory(full_name="Trần Văn Trưởng")
    response = _link(organiser_client, cadre, "TRUONG-PHONG")
    assert response.status_code == 302
    cadre.refresh_from_db()
    head.refresh_from_db()
    assert cadre.user == head and head.groups.filter(name=CADRE_GROUP).exists()
    assert head.roles.filter(kind=RoleKind.UNIT).exists() and head.check_password(TEST_PASSWORD)


def test_an_account_of_another_cadre_or_one_not_managed_is_not_linked(organiser_client):
    cadre = CadreFactory()
    other = CadreUserFactory()
    staff = StaffUserFactory(username="vanphong-2")
    for username in (other.user.username, "vanphong-2", "nobody"):
        response = _link(organiser_client, cadre, username)
        assert response.status_code == 200 and response.context["link_form"].errors, username
    cadre.refresh_from_db()
    assert cadre.user is None and not staff.groups.filter(name=CADRE_GROUP).exists()


def test_a_read_only_role_links_nothing():
    cadre = CadreFactory()
    official = RoleFactory(kind=RoleKind.LOCALITY, unit=None, locality=LocalityFactory()).user
    focal_point = _client_for(RoleFactory(kind=RoleKind.UNIT, unit=cadre.unit).user)
    assert _link(focal_point, cadre, official.username).status_code == 403
    cadre.refresh_from_db()
    assert cadre.user is None
