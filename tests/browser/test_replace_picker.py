"""Replacing a cadre: the replacement is found by name, with the suggestions the decision form has."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import Assignment
from tests.browser.conftest import log_in, open_page
from tests.browser.test_staff_campaign import pick_from_datalist
from tests.factories import TEST_PASSWORD, AssignmentFactory, CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_replace_a_cadre_picked_from_the_name_suggestions(live_server, desktop, staff_account):
    today = timezone.localdate()
    assignment = AssignmentFactory(starts_on=today - datetime.timedelta(days=5))
    stand_in = CadreFactory(code="TD-007", full_name="Đặng Hoàng Yến")

    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)
    open_page(desktop, live_server, f"/assignments/{assignment.pk}/replace/")
    pick_from_datalist(desktop, "id_replacement", "Hoàng Yến", "TD-007")
    desktop.click("main form button[type=submit].primary")
    desktop.wait_for_url(re.compile(r"/assignments/\d+/$"))
    expect(desktop.locator("main h1")).to_contain_text("Đặng Hoàng Yến")

    successor = Assignment.objects.get(cadre=stand_in)
    assert successor.locality == assignment.locality and successor.starts_on == today + datetime.timedelta(days=1)
