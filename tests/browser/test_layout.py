"""Layout: at 360 px nothing scrolls sideways; wide tables scroll inside their own .table-wrap box."""

import pytest

from tests.browser.conftest import horizontal_overflow, log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tables that lay out a printed document or a form, not data: they must fit as they are.
TABLES_OUTSIDE_WRAP = "table:not(.table-wrap table):not([role=presentation])"


def assert_fits(page, live_server, paths: list[str], *, shots: dict[str, str] | None = None) -> None:
    too_wide, loose_tables = {}, {}
    for path in paths:
        response = open_page(page, live_server, path)
        assert response.ok, f"{path} answered {response.status}"
        overflow = horizontal_overflow(page)
        if overflow:
            too_wide[path] = overflow
        loose = page.locator(f"main {TABLES_OUTSIDE_WRAP}").count()
        if loose:
            loose_tables[path] = loose
        if shots and path in shots:
            screenshot(page, shots[path])
    assert not too_wide, f"pages wider than the 360 px screen (extra pixels): {too_wide}"
    assert not loose_tables, f"tables outside a .table-wrap box: {loose_tables}"


def test_no_cadre_page_scrolls_sideways_on_a_phone(live_server, phone, mission_world):
    own = mission_world["own"]
    log_in(phone, live_server, own["cadre"].user.username, TEST_PASSWORD)
    paths = [
        "/me/",
        "/me/notes/new/",
        f"/me/notes/{own['note'].pk}/",
        f"/me/notes/{own['note'].pk}/edit/",
        "/me/escalations/new/",
        f"/me/escalations/{own['escalation'].pk}/",
        f"/me/assignments/{own['assignment'].pk}/report/",
        f"/me/reports/{own['report'].pk}/",
    ]
    assert_fits(phone, live_server, paths, shots={f"/me/reports/{own['report'].pk}/": "report-detail-phone"})


def test_no_staff_list_scrolls_sideways_on_a_phone(live_server, phone, mission_world, staff_account):
    own, campaign = mission_world["own"], mission_world["campaign"]
    log_in(phone, live_server, "vanphong", TEST_PASSWORD)
    paths = [
        "/dashboard/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        f"/decisions/{mission_world['decision'].pk}/",
        "/assignments/",
        f"/assignments/{own['assignment'].pk}/",
        "/cadres/",
        f"/cadres/{own['cadre'].pk}/",
        "/units/",
        "/localities/",
        "/notes/",
        "/notes/compliance/",
        "/escalations/",
        "/reports/",
        "/recommendations/",
    ]
    assert_fits(
        phone,
        live_server,
        paths,
        shots={"/dashboard/": "dashboard-phone"},
    )
    # The wide table is there, and scrolls inside its box rather than the page.
    open_page(phone, live_server, "/assignments/")
    box = phone.locator("main .table-wrap").first
    assert box.evaluate("(element) => element.scrollWidth > element.clientWidth")
    assert box.evaluate("(element) => getComputedStyle(element).overflowX") in ("auto", "scroll")
    box.evaluate("(element) => element.scrollIntoView()")
    screenshot(phone, "assignment-list-phone")


def test_the_staff_lists_fit_a_desktop_screen(live_server, desktop, mission_world, staff_account):
    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    assert_fits(
        desktop,
        live_server,
        ["/assignments/", "/cadres/", "/escalations/", "/reports/", "/recommendations/"],
        shots={"/assignments/": "assignment-list-desktop", "/escalations/": "escalations-desktop"},
    )


def test_the_admin_assignment_list_fits_a_desktop_screen(live_server, desktop, db, django_user_model):
    """Every column within the list at 1366 px, a campaign's long name included: nothing cut, nothing to scroll."""
    from tests.factories import AssignmentFactory, CampaignFactory

    campaign = CampaignFactory(
        name="Cán bộ, công chức cấp tỉnh về cơ sở hỗ trợ phòng, chống dịch Covid-19 - quý III/2021"
    )
    AssignmentFactory(campaign=campaign, host_organisation="UBND phường Chánh Phú Hòa")
    django_user_model.objects.create_superuser("quantri", password=TEST_PASSWORD)
    desktop.goto(f"{live_server.url}/admin/login/")
    desktop.fill("#id_username", "quantri")
    desktop.fill("#id_password", TEST_PASSWORD)
    desktop.click("input[type=submit]")
    open_page(desktop, live_server, "/admin/cadres/assignment/")
    results = desktop.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth - box.clientWidth") == 0
    assert horizontal_overflow(desktop) == 0
    screenshot(desktop, "admin-assignments-desktop")
