import pytest

from tests.browser.conftest import horizontal_overflow, log_in, screenshot
from tests.factories import TEST_PASSWORD, StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_with_the_keyboard_and_lands_on_the_dashboard(live_server, desktop):
    StaffUserFactory(username="vanphong")
    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.keyboard.press("Tab")  # skip link
    desktop.focus("input[name=username]")
    desktop.keyboard.type("vanphong")
    desktop.keyboard.press("Tab")
    desktop.keyboard.type(TEST_PASSWORD)
    desktop.keyboard.press("Enter")
    desktop.wait_for_url("**/dashboard/**")
    assert desktop.locator("h1").count() == 1
    screenshot(desktop, "dashboard-empty-desktop")


def test_login_page_fits_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/accounts/login/")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "login-phone")


def test_a_wrong_password_is_refused_with_a_message(live_server, phone):
    StaffUserFactory(username="vanphong")
    log_in(phone, live_server, "vanphong", "wrong-password")
    assert "/accounts/login/" in phone.url
    assert phone.locator(".form-errors").is_visible()
