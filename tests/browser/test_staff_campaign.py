"""Story 1: the provincial office plans a campaign, issues the decision, prints it and sees the wards covered."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import Assignment, Campaign, Decision
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import TEST_PASSWORD, CadreFactory, LocalityFactory, ProvincialUnitFactory, ZoneStatusFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_from_datalist(page, input_id: str, typed: str, value: str) -> None:
    """Type part of a name, wait for the suggestion the search returns, and take it (as choosing it would)."""
    field = page.locator(f"#{input_id}")
    datalist = field.get_attribute("list")
    field.click()
    field.press_sequentially(typed)
    expect(page.locator(f"#{datalist} option[value='{value}']")).to_have_count(1)
    field.fill(value)


def test_staff_plans_a_campaign_issues_a_decision_prints_it_and_sees_the_coverage(live_server, desktop, staff_account):
    today = timezone.localdate()
    inside = today + datetime.timedelta(days=5)
    union = ProvincialUnitFactory(
        name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn", issuing_body="BCH ĐOÀN TỈNH BÌNH DƯƠNG"
    )
    tan_uyen = LocalityFactory(name="Tân Uyên", kind="town")
    covered_ward = LocalityFactory(name="Tân Phước Khánh", parent=tan_uyen)
    other_ward = LocalityFactory(name="Thái Hòa", parent=tan_uyen)
    for ward in (covered_ward, other_ward):
        ZoneStatusFactory(locality=ward, valid_from=today - datetime.timedelta(days=20))
    first = CadreFactory(code="TD-001", full_name="Phạm Minh Khoa", unit=union)
    second = CadreFactory(code="TD-002", full_name="Võ Thị Lan Anh", unit=union)

    log_in(desktop, live_server, "vanphong", TEST_PASSWORD)

    # Before the decision: both red-zone wards have nobody.
    open_page(desktop, live_server, f"/dashboard/?day={inside.isoformat()}")
    expect(desktop.locator("#figure-red-covered")).to_have_text("0")
    expect(desktop.locator("#figure-red")).to_have_text("2")
    expect(desktop.locator("#figure-uncovered .figure")).to_have_text("2")

    # The campaign.
    open_page(desktop, live_server, "/campaigns/")
    desktop.click("main a[href='/campaigns/new/']")
    desktop.fill("#id_name", "30 ngày đồng hành cùng cơ sở")
    desktop.select_option("#id_organising_unit", str(union.pk))
    desktop.fill("#id_purpose", "Hỗ trợ các phường vùng đỏ phòng, chống dịch Covid-19.")
    desktop.fill("#id_assignment_days", "30")
    desktop.fill("#id_starts_on", (today - datetime.timedelta(days=2)).isoformat())
    desktop.fill("#id_ends_on", (today + datetime.timedelta(days=60)).isoformat())
    desktop.click("main form button[type=submit].primary")
    desktop.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert campaign.organising_unit == union
    assert campaign.assignment_days == 30

    # The decision, for two cadres found through the search suggestions.
    desktop.click(f"main a[href='/campaigns/{campaign.pk}/decisions/new/']")
    desktop.wait_for_url(re.compile(r"/decisions/new/$"))
    expect(desktop.locator("#id_number")).to_have_value("1")
    # Before any typing the locality suggestions are the day's red-zone wards.
    for ward in ("Tân Phước Khánh, Tân Uyên", "Thái Hòa, Tân Uyên"):
        expect(desktop.locator(f"#locality-options option[value='{ward}']")).to_have_count(1)
    desktop.fill("#id_signing_authority", "TM. BAN THƯỜNG VỤ")
    desktop.fill("#id_signer_position", "PHÓ BÍ THƯ")
    desktop.fill("#id_signer_name", "Nguyễn Văn Ký")
    pick_from_datalist(desktop, "id_rows-0-cadre", "Phạm Minh", "TD-001")
    pick_from_datalist(desktop, "id_rows-0-locality", "Tân Phước", "Tân Phước Khánh, Tân Uyên")
    desktop.fill("#id_rows-0-host_organisation", "Thị đoàn Tân Uyên")
    pick_from_datalist(desktop, "id_rows-1-cadre", "Lan Anh", "TD-002")
    pick_from_datalist(desktop, "id_rows-1-locality", "Phước Kh", "Tân Phước Khánh, Tân Uyên")
    expect(desktop.locator("#id_rows-0-starts_on")).to_have_value(today.strftime("%d/%m/%Y"))
    screenshot(desktop, "decision-form-desktop")
    desktop.click("main form#decision-form button[type=submit].primary")
    desktop.wait_for_url(re.compile(r"/decisions/\d+/$"))

    decision = Decision.objects.get()
    assignments = Assignment.objects.filter(decision=decision).order_by("cadre__code")
    assert [(a.cadre, a.locality, a.starts_on, a.ends_on) for a in assignments] == [
        (first, covered_ward, today, today + datetime.timedelta(days=29)),
        (second, covered_ward, today, today + datetime.timedelta(days=29)),
    ]
    assert assignments[0].host_organisation == "Thị đoàn Tân Uyên"
    assert decision.created_by == staff_account

    # The printable document: the Vietnamese heading and the attached table of both cadres.
    desktop.click(f"main a[href='/decisions/{decision.pk}/print/']")
    desktop.wait_for_url(re.compile(r"/print/$"))
    expect(desktop.locator("h1.document-title")).to_have_text("QUYẾT ĐỊNH")
    rows = desktop.locator("table.cadre-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Phạm Minh Khoa")
    expect(rows.nth(1)).to_contain_text("Võ Thị Lan Anh")
    expect(rows.nth(0)).to_contain_text("Phường Tân Phước Khánh")
    expect(desktop.locator("body")).to_contain_text(f"Số: {decision.reference}")
    screenshot(desktop, "decision-print-desktop")

    # The dashboard on a day inside the assignment: that ward is covered now, the other still is not.
    open_page(desktop, live_server, f"/dashboard/?day={inside.isoformat()}")
    expect(desktop.locator("#figure-red-covered")).to_have_text("1")
    expect(desktop.locator("#figure-red")).to_have_text("2")
    expect(desktop.locator("#figure-uncovered .figure")).to_have_text("1")
    expect(desktop.locator("#figure-cadres .figure")).to_have_text("2")
    uncovered = desktop.locator(f"main a[href^='/localities/{other_ward.pk}/']")
    expect(uncovered).to_have_count(1)
    expect(desktop.locator(f"main a[href^='/localities/{covered_ward.pk}/']")).to_have_count(0)
    screenshot(desktop, "dashboard-desktop")
