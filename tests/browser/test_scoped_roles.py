"""Each scoped role does its part in a real browser (issue 15): the ward official on a 360 px phone,
the sending unit and the organisers at 1366 px."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import RoleKind
from cadres.models import Assignment, Nomination, NominationStatus, Quota
from reports.models import EscalationStatus, LocalAssessment
from tests.browser.conftest import CONTEXT, DESKTOP, horizontal_overflow, log_in, open_page
from tests.factories import (
    TEST_PASSWORD,
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    EscalationFactory,
    LocalityFactory,
    ProvincialUnitFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ward_official_confirms_arrival_forwards_an_escalation_and_assesses_on_a_phone(live_server, phone):
    today = timezone.localdate()
    district = LocalityFactory(name="Tân Uyên", kind="town")
    ward = LocalityFactory(name="Tân Phước Khánh", parent=district)
    campaign = CampaignFactory(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=5)
    )
    arriving = AssignmentFactory(campaign=campaign, locality=ward, starts_on=today - datetime.timedelta(days=1))
    ending = AssignmentFactory(campaign=campaign, locality=ward, starts_on=today - datetime.timedelta(days=27))
    escalation = EscalationFactory(assignment=arriving, note=None, subject="Thiếu nhân lực lấy mẫu")
    RoleFactory(user=UserFactory(username="phuong"), kind=RoleKind.LOCALITY, unit=None, locality=ward)

    log_in(phone, live_server, "phuong", TEST_PASSWORD)
    phone.click("nav >> text=Cán bộ về địa bàn")  # The menu's link to the ward's own page.
    expect(phone.locator("main h1")).to_contain_text("Cán bộ về địa bàn")
    assert horizontal_overflow(phone) == 0
    card = phone.locator(f"#assignment-{arriving.pk}")
    card.locator("button", has_text="Xác nhận đến").click()
    phone.wait_for_load_state()
    expect(phone.locator(f"#assignment-{arriving.pk}")).to_contain_text(today.strftime("%d/%m/%Y"))
    arriving.refresh_from_db()
    assert arriving.arrived_on == today

    open_page(phone, live_server, f"/me/escalations/{escalation.pk}/")
    phone.click("text=Trả lời hoặc chuyển lên")
    phone.check("input[name=outcome][value=forwarded]")
    phone.fill("textarea[name=local_comment]", "Vượt khả năng của phường, đề nghị tỉnh hỗ trợ nhân viên y tế.")
    assert horizontal_overflow(phone) == 0
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(rf"/me/escalations/{escalation.pk}/$"))
    expect(phone.locator("main")).to_contain_text("Vượt khả năng của phường")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN and escalation.local_outcome == "forwarded"

    open_page(phone, live_server, "/host/")
    phone.locator(f"#assignment-{ending.pk}").locator("a", has_text="Nhận xét cán bộ").click()
    phone.check("input[name=rating][value=good]")
    phone.fill("textarea[name=text]", "Nhiệt tình, sâu sát cơ sở.")
    assert horizontal_overflow(phone) == 0
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(r"/host/\?day=[\d-]+$"))  # Back to the area's cadres, on a day of the mission.
    assert LocalAssessment.objects.get(assignment=ending).text == "Nhiệt tình, sâu sát cơ sở."


def test_a_unit_proposes_a_cadre_and_reads_the_organisers_decision(live_server, browser):
    today = timezone.localdate()
    organiser_unit = ProvincialUnitFactory(name="Ban Tổ chức Tỉnh ủy")
    campaign = CampaignFactory(
        name="Đợt 3", organising_unit=organiser_unit, starts_on=today + datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=40),
    )  # fmt: skip
    health = ProvincialUnitFactory(name="Sở Y tế")
    district = LocalityFactory(name="Dĩ An", kind="city", code="724")
    Quota.objects.create(campaign=campaign, unit=health, locality=district, count=1)
    doctor = CadreFactory(unit=health, code="SYT-01", full_name="Lê Văn Bác")
    RoleFactory(user=UserFactory(username="soyte"), kind=RoleKind.UNIT, unit=health)
    RoleFactory(user=UserFactory(username="bantochuc"), kind=RoleKind.ORGANISER, unit=organiser_unit)
    unit = browser.new_context(**DESKTOP, **CONTEXT).new_page()
    organiser = browser.new_context(**DESKTOP, **CONTEXT).new_page()

    log_in(unit, live_server, "soyte", TEST_PASSWORD)
    open_page(unit, live_server, f"/campaigns/{campaign.pk}/")
    unit.click("main a:has-text('Đề cử')")
    unit.select_option("select[name=cadre]", str(doctor.pk))
    unit.fill("input[name=note]", "Bác sĩ hồi sức tích cực")
    unit.click("main form button[type=submit]:has-text('Đề cử')")
    expect(unit.locator("main table")).to_contain_text("Lê Văn Bác")
    assert horizontal_overflow(unit) == 0

    log_in(organiser, live_server, "bantochuc", TEST_PASSWORD)
    open_page(organiser, live_server, f"/campaigns/{campaign.pk}/nominations/")
    organiser.check(f"input[name=nomination][value='{Nomination.objects.get().pk}']")
    organiser.click("text=Ra quyết định cho các cán bộ đã chọn")
    organiser.wait_for_url(re.compile(r"/decisions/new/"))
    expect(organiser.locator("input[name='rows-0-cadre']")).to_have_value("SYT-01")
    expect(organiser.locator("input[name='rows-0-locality']")).to_have_value("724")
    organiser.fill("input[name=number]", "77")
    organiser.fill("input[name=summary]", "Về việc phân công cán bộ hỗ trợ cơ sở")
    organiser.fill("input[name=signing_authority]", "T/M BAN THƯỜNG VỤ")
    organiser.fill("input[name=signer_position]", "PHÓ BÍ THƯ")
    organiser.fill("input[name=signer_name]", "Trần Văn Nam")
    organiser.click("main form button[type=submit].primary")
    organiser.wait_for_url(re.compile(r"/decisions/\d+/$"))

    nomination = Nomination.objects.get()
    assert nomination.status == NominationStatus.ACCEPTED
    assert Assignment.objects.get(pk=nomination.assignment_id).locality == district
    unit.reload()
    expect(unit.locator("main table")).to_contain_text("Dĩ An")
    unit.context.close()
    organiser.context.close()
