"""Accessibility: axe-core finds no serious or critical violation on the main pages, at both sizes,
and the login and note forms can be completed with the keyboard alone, with the focus visible."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import DailyNote
from tests.browser.axe import axe_violations
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How many Tab presses may lie between two fields before the test gives up.
MAX_TABS = 80


def check_pages(page, live_server, paths: list[str]) -> None:
    found = {}
    for path in paths:
        response = open_page(page, live_server, path)
        assert response.ok, f"{path} answered {response.status}"
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"{path}: {violation}" for path, violations in found.items() for violation in violations
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_login_and_staff_pages_have_no_serious_violation(live_server, request, size, mission_world, staff_account):
    page = request.getfixturevalue(size)
    check_pages(page, live_server, ["/accounts/login/"])
    log_in(page, live_server, "vanphong", TEST_PASSWORD)
    campaign, own = mission_world["campaign"], mission_world["own"]
    check_pages(
        page,
        live_server,
        [
            "/dashboard/",
            "/assignments/",
            f"/campaigns/{campaign.pk}/",
            f"/campaigns/{campaign.pk}/decisions/new/",
            f"/escalations/{own['escalation'].pk}/manage/",
            f"/reports/{own['report'].pk}/review/",
            "/recommendations/",
        ],
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_cadre_pages_have_no_serious_violation(live_server, request, size, mission_world):
    page = request.getfixturevalue(size)
    own = mission_world["own"]
    log_in(page, live_server, own["cadre"].user.username, TEST_PASSWORD)
    check_pages(
        page,
        live_server,
        [
            "/me/",
            "/me/notes/new/",
            f"/me/notes/{own['note'].pk}/",
            "/me/escalations/new/",
            f"/me/assignments/{own['assignment'].pk}/report/",
        ],
    )


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus, and check that the focus shows."""
    for _ in range(MAX_TABS):
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"{selector} cannot be reached with the Tab key")
    assert focus_is_visible(page), f"{selector} has the focus but nothing shows it"


def focus_is_visible(page) -> bool:
    """The focused element draws an outline or a box shadow, as :focus-visible asks for."""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          if (!element.matches(':focus-visible')) { return false; }
          const style = getComputedStyle(element);
          const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          return outline || style.boxShadow !== 'none';
        }"""
    )


def test_the_login_form_can_be_completed_with_the_keyboard(live_server, phone, staff_account):
    phone.goto(f"{live_server.url}/accounts/login/")
    tab_to(phone, "input[name=username]")
    phone.keyboard.type("vanphong")
    tab_to(phone, "input[name=password]")
    phone.keyboard.type(TEST_PASSWORD)
    tab_to(phone, "main button[type=submit]")
    screenshot(phone, "login-keyboard-focus-phone")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/dashboard/$"))


def test_the_note_form_can_be_completed_with_the_keyboard(live_server, phone, cadre_on_mission):
    log_in(phone, live_server, "canbo", TEST_PASSWORD)
    open_page(phone, live_server, "/me/notes/new/")
    phone.locator("body").focus()
    tab_to(phone, "input[name=activities][value=testing]")
    phone.keyboard.press("Space")
    tab_to(phone, "textarea[name=situation]")
    phone.keyboard.type("Hỗ trợ lấy mẫu xét nghiệm bằng bàn phím.")
    # Radio buttons are one stop: Tab reaches the checked one, the arrows move within the group.
    tab_to(phone, "input[name=health]:checked")
    phone.keyboard.press("ArrowRight")
    expect(phone.locator("input[name=health][value=quarantined]")).to_be_checked()
    tab_to(phone, "#note-submit")
    screenshot(phone, "note-keyboard-focus-phone")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/me/notes/\d+/$"))
    note = DailyNote.objects.get(assignment=cadre_on_mission, day=timezone.localdate())
    assert note.activities == ["testing"]
    assert note.situation == "Hỗ trợ lấy mẫu xét nghiệm bằng bàn phím."
    assert note.health == "quarantined"
