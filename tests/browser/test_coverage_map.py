"""The 2021 red zones of Bình Dương and their gaps on the coverage map, at 1366 px and 360 px; the unit's timeline."""

import io

import pytest
from django.core.management import call_command

from localities.models import Level, Locality
from tests.browser.conftest import horizontal_overflow, log_in, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = "2021-08-25"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Locality.objects.get(level=Level.PROVINCE, code="74")


def test_the_2021_red_zones_and_their_gaps_read_on_a_desktop_and_a_phone(live_server, desktop, phone, demo):
    path = f"/dashboard/?day={DAY}&area={demo.pk}"
    for page, name in ((desktop, "coverage-map-desktop"), (phone, "coverage-map-phone")):
        log_in(page, live_server, "vanphong", "dong-hanh-2021")
        assert open_page(page, live_server, path).ok
        drawing = page.locator("figure.coverage-map svg.coverage-map-svg")
        drawing.scroll_into_view_if_needed()
        # Every commune of the province that day is a mark, each a link to its locality page on the day,
        # and the table beside it lists the same communes.
        marks = drawing.locator("a")
        assert marks.count() == 91 == page.locator("details.coverage-map-table tbody tr").count()
        assert f"day={DAY}" in (marks.first.get_attribute("href") or "")
        box = drawing.bounding_box()
        assert box["width"] <= page.viewport_size["width"] and box["height"] > 200
        assert horizontal_overflow(page) == 0
        screenshot(page, name)


def test_the_timeline_names_tan_uyen_as_it_was_on_each_day(live_server, desktop, demo):
    tan_uyen = demo.children.get(code="723")
    log_in(desktop, live_server, "vanphong", "dong-hanh-2021")
    open_page(desktop, live_server, f"/localities/{tan_uyen.pk}/?day={DAY}")
    assert desktop.locator("h1").inner_text() == "Thị xã Tân Uyên"
    open_page(desktop, live_server, f"/localities/{tan_uyen.pk}/?day=2024-01-01")
    assert desktop.locator("h1").inner_text() == "Thành phố Tân Uyên"
    desktop.locator("#unit-timeline").scroll_into_view_if_needed()
    screenshot(desktop, "locality-timeline-desktop")
