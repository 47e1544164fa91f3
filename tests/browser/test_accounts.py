"""Accounts without Django admin, in a real browser (issue 15): an organiser makes a cadre's account at 1366 px,
the cadre sets the password with the handover sheet's link on a 360 px phone, and the link works once."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.roles import RoleKind
from tests.browser.conftest import horizontal_overflow, log_in, open_page
from tests.factories import TEST_PASSWORD, CadreFactory, RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organiser_makes_an_account_and_the_cadre_sets_the_password_on_a_phone(live_server, desktop, phone):
    organiser = UserFactory(username="tinhdoan")
    RoleFactory(user=organiser, kind=RoleKind.ORGANISER)
    cadre = CadreFactory(code="TD-020", full_name="Hồ Thị Hạnh", email="")

    log_in(desktop, live_server, "tinhdoan", TEST_PASSWORD)
    open_page(desktop, live_server, f"/cadres/{cadre.pk}/")
    desktop.click("main a:has-text('Tạo tài khoản')")
    expect(desktop.locator("input[name=username]")).to_have_value("td-020")
    desktop.click("main form button[type=submit]")
    link = desktop.locator(".handover-link").inner_text().strip()
    assert re.match(rf"^{re.escape(live_server.url)}/accounts/password/set/[^/]+/[^/]+/$", link)

    phone.goto(link)
    phone.wait_for_load_state()
    assert horizontal_overflow(phone) == 0
    password = "một-mật-khẩu-dài-2021"
    phone.fill("input[name=new_password1]", password)
    phone.fill("input[name=new_password2]", password)
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    expect(phone.locator("main h1")).to_contain_text("Đã đặt mật khẩu")
    assert get_user_model().objects.get(username="td-020").check_password(password)

    # Used once: opened again, the link says so and points back to the office.
    phone.goto(link)
    expect(phone.locator("main h1")).to_contain_text("Đường dẫn này không còn dùng được")
