"""The 2021 red zones of Bình Dương and their gaps on the coverage map, at 1366 px and 360 px; the unit's timeline;
a cadre's own map on a phone: their neighbourhood in Hồ Chí Minh City, targets a finger can tap, names inside the
frame."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from cadres.models import Cadre
from localities.models import Level, Locality
from phone.views import mission_for_map
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
        # A tap on a mark opens that mark's page, or the one drawn over it.
        assert page.evaluate(TAPS, "a") == []
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


# Each mark (an <a> on the office's map, a <g> on the cadre's) tapped at its centre: the marks that do not answer,
# unless another mark is drawn over that point.
TAPS = """(tag) => {
  const svg = document.querySelector("svg.coverage-map-svg");
  const marks = [...svg.querySelectorAll(`${tag}:has(> title)`)];
  const centre = (group) => {
    const circle = group.querySelector("circle");
    return [circle.cx.baseVal.value, circle.cy.baseVal.value, circle.r.baseVal.value];
  };
  return marks.flatMap((mark) => {
    const box = mark.querySelector("circle").getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)?.closest(tag);
    if (hit === mark) return [];
    const [x, y] = centre(mark);
    const [hx, hy, hr] = hit ? centre(hit) : [0, 0, -1];
    return Math.hypot(hx - x, hy - y) <= hr + 1 ? [] : [mark.querySelector("title").textContent];
  });
}"""

# The names drawn (the viewBox's units), the targets of the marks with no other mark within a finger's reach
# (CSS px), and every mark's target with the distance to the nearest other mark (CSS px).
MEASURES = """() => {
  const svg = document.querySelector("svg.coverage-map-svg");
  const names = [...svg.querySelectorAll(".map-names text, .map-highlight text")].map((text) => {
    const box = text.getBBox();
    return {text: text.textContent, x: box.x, y: box.y, right: box.x + box.width, bottom: box.y + box.height};
  });
  const centres = [...svg.querySelectorAll("path.map-target + circle")].map(
    (c) => [c.cx.baseVal.value, c.cy.baseVal.value, c.previousElementSibling]);
  const alone = centres.filter(
    ([x, y]) => centres.every(([x2, y2]) => (x2 === x && y2 === y) || Math.hypot(x2 - x, y2 - y) > 52));
  const targets = alone.map(([x, y, target]) => {
    const box = target.getBoundingClientRect();
    return [box.width, box.height];
  });
  const pixel = svg.getBoundingClientRect().width / 600;
  const cells = centres.map(([x, y, target]) => {
    const box = target.getBoundingClientRect();
    const others = centres.filter(([x2, y2]) => x2 !== x || y2 !== y);
    const nearest = Math.min(...others.map(([x2, y2]) => Math.hypot(x2 - x, y2 - y)));
    return [box.width, box.height, nearest * pixel];
  });
  return {names, targets, cells, marks: centres.length, width: svg.getBoundingClientRect().width};
}"""


def test_a_cadre_reads_their_area_map_on_a_phone(live_server, phone, demo):
    log_in(phone, live_server, "tai", "dong-hanh-2021")
    assert open_page(phone, live_server, "/me/map/").ok
    drawing = phone.locator("svg.coverage-map-svg")
    drawing.scroll_into_view_if_needed()
    measures = phone.evaluate(MEASURES)
    assert 280 <= measures["width"] <= 300
    # Not the city's 168 communes and wards squeezed by Côn Đảo, far to the south, into a corner: the cadre's ward
    # and some 30 around it, drawn and listed, and the caption and the table say of how many.
    assignment, day = mission_for_map(Cadre.objects.get(user__username="tai").assignments.all(), timezone.localdate())
    city = Locality.objects.communes().valid_on(day).filter(parent=assignment.locality.parent_id).count()
    assert city > 100 and 30 < measures["marks"] <= 50
    rows = phone.locator("details.coverage-map-table tbody tr")
    assert rows.count() == measures["marks"]
    titles = drawing.locator("g > title").all_text_contents()
    assert len(titles) == measures["marks"] and not any("Côn Đảo" in text for text in titles)
    caption = phone.locator("figcaption p:not(.coverage-map-title)").first
    for text in (caption, phone.locator("details.coverage-map-table summary")):
        numbers = re.findall(r"\d+", text.inner_text())
        assert str(measures["marks"]) in numbers and str(city) in numbers
    # Their own ward named in full, as the page's lead names it, its neighbours where there is room (more than the
    # nearest eight a map of the whole city names), and no name cut by the frame ...
    names = measures["names"]
    lead = phone.locator("p.lead").inner_text()
    assert len(names) > 9 and names[-1]["text"] in lead
    for name in names:
        assert name["x"] >= 0 and name["right"] <= 600 and name["y"] >= 0 and name["bottom"] <= 600, name
    # ... nor over another.
    for index, one in enumerate(names):
        for other in names[index + 1 :]:
            apart = (
                one["right"] <= other["x"] + 1
                or other["right"] <= one["x"] + 1
                or one["bottom"] <= other["y"] + 1
                or other["bottom"] <= one["y"] + 1
            )
            assert apart, (one, other)
    # Not crowded: no mark within 16 CSS px of another, most a finger (24 px) from any. A mark with room around it
    # is a target of 24 px; another has all the room up to its nearest neighbour; every one answers a tap at its
    # centre.
    cells = measures["cells"]
    assert len(cells) == measures["marks"] and all(nearest >= 16 for _width, _height, nearest in cells)
    assert len(measures["targets"]) > measures["marks"] / 2
    assert all(width >= 24 and height >= 24 for width, height in measures["targets"])
    assert all(min(width, height) >= min(24, nearest) - 1 for width, height, nearest in cells)
    assert phone.evaluate(TAPS, "g") == []
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "coverage-map-cadre-phone")
