"""The signed scan of a decision, and decisions amended or annulled only by a new decision."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import RoleKind
from cadres.models import AmendmentKind, Decision
from cadres.services import assignment_recall
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, decision, content: bytes, name: str = "quyet-dinh.pdf"):
    return client.post(
        reverse("cadres:decision_scan_upload", args=[decision.pk]), {"scan": SimpleUploadedFile(name, content)}
    )


def _issued(decision: Decision, by=None, content: bytes = PDF) -> Decision:
    decision.attach_scan(SimpleUploadedFile("scan.pdf", content), by=by)
    decision.refresh_from_db()
    return decision


def _scan_error_codes(response) -> list[str]:
    return [error.code for error in response.context["scan_form"].errors.as_data()["scan"]]


# The signed scan.


def test_a_pdf_scan_is_stored_under_a_name_nobody_guesses_with_who_and_when(staff_client, staff_user):
    decision = DecisionFactory()
    response = _upload(staff_client, decision, PDF, name="QD 125 ky dong dau.pdf")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.is_issued and decision.signed_scan.name.endswith(".pdf")
    assert "125" not in decision.signed_scan.name and len(decision.signed_scan.name.rsplit("/", 1)[-1]) >= 32
    assert decision.scan_size == len(PDF) and decision.scan_uploaded_by == staff_user
    assert abs(timezone.now() - decision.scan_uploaded_at) < datetime.timedelta(minutes=1)


def test_a_png_scan_is_accepted_and_named_after_its_content(staff_client):
    decision = DecisionFactory()
    # Named .pdf, but a PNG: stored and served as what it is.
    assert _upload(staff_client, decision, png_bytes(), name="scan.pdf").status_code == 302
    decision.refresh_from_db()
    assert decision.signed_scan.name.endswith(".png") and decision.scan_content_type == "image/png"


def test_a_file_named_pdf_that_is_not_one_is_refused_and_nothing_is_saved(staff_client, media):
    decision = DecisionFactory()
    response = _upload(staff_client, decision, b"MZ\x90\x00 not a pdf at all", name="quyet-dinh.pdf")
    assert response.status_code == 400 and _scan_error_codes(response) == ["scan_type"]
    decision.refresh_from_db()
    assert not decision.signed_scan and decision.scan_uploaded_by is None
    assert not list(media.rglob("*.*"))


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(staff_client, settings, media):
    settings.MAX_UPLOAD_BYTES = 1_000
    decision = DecisionFactory()
    response = _upload(staff_client, decision, PDF + b"0" * 1_000)
    assert response.status_code == 400 and _scan_error_codes(response) == ["too_large"]
    decision.refresh_from_db()
    assert not decision.signed_scan and not list(media.rglob("*.*"))


def test_the_scan_is_served_to_readers_with_its_type(staff_client):
    decision = _issued(DecisionFactory())
    response = staff_client.get(reverse("cadres:decision_scan", args=[decision.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"].startswith("inline")
        and f"quyet-dinh-{decision.number}" in (response["Content-Disposition"])
    )
    assert "private" in response["Cache-Control"]


def test_the_scan_is_404_outside_the_readers_scope_and_sends_anonymous_users_to_login(client):
    decision = _issued(DecisionFactory())
    url = reverse("cadres:decision_scan", args=[decision.pk])
    outsider = RoleFactory(kind=RoleKind.ORGANISER).user
    assert _client(outsider).get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_host_locality_reads_the_scan_of_a_decision_sending_a_cadre_to_it():
    district = LocalityFactory(kind="city")
    decision = _issued(DecisionFactory())
    AssignmentFactory(campaign=decision.campaign, decision=decision, locality=LocalityFactory(parent=district))
    official = RoleFactory(kind=RoleKind.LOCALITY, locality=district, unit=None).user
    assert _client(official).get(reverse("cadres:decision_scan", args=[decision.pk])).status_code == 200


def test_a_decision_without_a_scan_has_none_to_serve(staff_client):
    decision = DecisionFactory()
    assert staff_client.get(reverse("cadres:decision_scan", args=[decision.pk])).status_code == 404


def test_only_those_who_manage_the_campaign_upload(client):
    decision = DecisionFactory()
    district = LocalityFactory(kind="city")
    AssignmentFactory(campaign=decision.campaign, decision=decision, locality=LocalityFactory(parent=district))
    reader = RoleFactory(kind=RoleKind.SUPERVISOR, locality=district, unit=None).user
    other_organiser = RoleFactory(kind=RoleKind.ORGANISER).user
    organiser = RoleFactory(kind=RoleKind.ORGANISER, unit=decision.campaign.organising_unit).user
    assert _upload(_client(reader), decision, PDF).status_code == 403
    assert _upload(_client(other_organiser), decision, PDF).status_code == 404
    assert _upload(client, decision, PDF).status_code == 302 and not Decision.objects.get().signed_scan
    assert _upload(_client(organiser), decision, PDF).status_code == 302
    assert Decision.objects.get().is_issued


def test_the_page_shows_the_scan_and_a_replacement_keeps_the_earlier_one_in_the_history(staff_client, staff_user):
    decision = _issued(DecisionFactory(), by=staff_user)
    first = decision.signed_scan.name
    page = staff_client.get(reverse("cadres:decision_detail", args=[decision.pk])).content.decode()
    assert reverse("cadres:decision_scan", args=[decision.pk]) in page
    assert reverse("cadres:decision_scan_upload", args=[decision.pk]) in page
    assert _upload(staff_client, decision, png_bytes(), name="lan-2.png").status_code == 302
    decision.refresh_from_db()
    assert decision.signed_scan.name != first and decision.signed_scan.name.endswith(".png")
    assert first in decision.history.values_list("signed_scan", flat=True)
    assert decision.signed_scan.storage.exists(first)


def test_readers_see_the_scan_but_no_upload_form():
    district = LocalityFactory(kind="city")
    decision = _issued(DecisionFactory())
    AssignmentFactory(campaign=decision.campaign, decision=decision, locality=LocalityFactory(parent=district))
    reader = RoleFactory(kind=RoleKind.SUPERVISOR, locality=district, unit=None).user
    page = _client(reader).get(reverse("cadres:decision_detail", args=[decision.pk])).content.decode()
    assert reverse("cadres:decision_scan", args=[decision.pk]) in page
    assert reverse("cadres:decision_scan_upload", args=[decision.pk]) not in page
    assert "kind=annul" not in page


# Once issued, changed only by a new decision.


@pytest.mark.parametrize(
    ("field", "value"),
    [("number", 999), ("signed_on", datetime.date(2021, 8, 20)), ("summary", "Khác"), ("recipients", "- Lưu VP.")],
)
def test_an_issued_decision_refuses_any_change_of_its_content(field, value):
    decision = DecisionFactory()
    # Before its signed scan is stored, it is still corrected.
    decision.signer_name = "Nguyễn Thanh Tâm"
    decision.full_clean()
    decision.save()
    decision = _issued(decision)
    assert decision.signer_name == "Nguyễn Thanh Tâm"
    setattr(decision, field, value)
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "issued"
    with pytest.raises(ValidationError):
        decision.save()
    decision.refresh_from_db()
    assert getattr(decision, field) != value


def test_an_issued_decisions_scan_is_replaced_never_removed():
    decision = _issued(DecisionFactory())
    decision.signed_scan = ""
    with pytest.raises(ValidationError) as refused:
        decision.save()
    assert refused.value.code == "scan_removed"


def test_admin_shows_an_issued_decision_read_only_and_keeps_it(admin_client):
    decision = DecisionFactory(summary="Về việc phân công")
    url = reverse("admin:cadres_decision_change", args=[decision.pk])
    draft = admin_client.get(url).content.decode()
    assert 'name="summary"' in draft and 'name="signed_scan"' not in draft
    decision = _issued(decision)
    page = admin_client.get(url).content.decode()
    assert 'name="summary"' not in page and 'name="number"' not in page
    assert reverse("cadres:decision_scan", args=[decision.pk]) in page
    admin_client.post(url, {"summary": "Đã sửa", "number": "999"})
    decision.refresh_from_db()
    assert decision.summary == "Về việc phân công" and decision.number != 999
    assert admin_client.get(reverse("admin:cadres_decision_delete", args=[decision.pk])).status_code == 403


# Amending and annulling.


@pytest.fixture
def issued():
    """An issued decision of a campaign that ran in 2021, with a cadre whose mission is long over."""
    campaign = CampaignFactory(starts_on=datetime.date(2021, 8, 16), ends_on=datetime.date(2021, 9, 30))
    decision = DecisionFactory(campaign=campaign, number=12, signed_on=datetime.date(2021, 8, 16))
    AssignmentFactory(campaign=campaign, decision=decision, starts_on=datetime.date(2021, 8, 17))
    return _issued(decision)


def _header(number: int, **extra) -> dict:
    data = {
        "number": str(number),
        "signed_on": "2021-09-01",
        "summary": "Về việc bãi bỏ Quyết định số 12",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Thanh Tâm",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "300",
        # An untouched row, as the browser sends it (the campaign's first day): ignored.
        "rows-0-starts_on": "2021-08-16",
    }
    data["issuing_unit"] = str(extra.pop("unit").pk)
    data.update(extra)
    return data


def _create_url(decision: Decision, kind: str) -> str:
    url = reverse("cadres:decision_create", args=[decision.campaign_id])
    return f"{url}?amends={decision.pk}&kind={kind}"


def test_an_issued_decision_offers_to_amend_or_annul_it_through_a_new_decision(staff_client, issued):
    page = staff_client.get(reverse("cadres:decision_detail", args=[issued.pk])).content.decode()
    assert f"?amends={issued.pk}&amp;kind=amend" in page and f"?amends={issued.pk}&amp;kind=annul" in page
    form = staff_client.get(_create_url(issued, "annul"))
    assert form.status_code == 200 and issued.reference in form.context["form"].initial["summary"]
    assert form.context["form"].initial["number"] != issued.number
    draft = DecisionFactory(campaign=issued.campaign)
    page = staff_client.get(reverse("cadres:decision_detail", args=[draft.pk])).content.decode()
    assert "kind=annul" not in page


def test_annulling_links_both_ways_and_the_annulled_decision_says_so(staff_client, issued):
    response = staff_client.post(_create_url(issued, "annul"), _header(13, unit=issued.issuing_unit))
    annulment = Decision.objects.get(number=13)
    assert response.status_code == 302 and response.url == reverse("cadres:decision_detail", args=[annulment.pk])
    assert (annulment.amends, annulment.amendment_kind) == (issued, AmendmentKind.ANNUL)
    assert not annulment.assignments.exists() and issued.assignments.count() == 1
    new_page = staff_client.get(reverse("cadres:decision_detail", args=[annulment.pk])).content.decode()
    assert reverse("cadres:decision_detail", args=[issued.pk]) in new_page and 'id="amends"' in new_page
    old_page = staff_client.get(reverse("cadres:decision_detail", args=[issued.pk])).content.decode()
    # Not signed yet, the annulment is prepared, not in force; no second one is started meanwhile.
    assert 'id="annulment-draft"' in old_page and 'id="annulled"' not in old_page and "kind=annul" not in old_page
    annulment.attach_scan(SimpleUploadedFile("annulment.pdf", PDF), by=None)
    old_page = staff_client.get(reverse("cadres:decision_detail", args=[issued.pk])).content.decode()
    assert 'id="annulled"' in old_page and reverse("cadres:decision_detail", args=[annulment.pk]) in old_page
    assert "kind=annul" not in old_page
    printed = staff_client.get(reverse("cadres:decision_print", args=[issued.pk])).content.decode()
    assert "ĐÃ BỊ BÃI BỎ" in printed and annulment.reference in printed
    printed = staff_client.get(reverse("cadres:decision_print", args=[annulment.pk])).content.decode()
    assert f"Bãi bỏ Quyết định số {issued.reference}" in printed


def test_amending_adds_cadres_and_links_both_ways(staff_client, issued):
    cadre = CadreFactory(code="TD-009")
    place = LocalityFactory(code="25741")
    data = _header(
        14,
        unit=issued.issuing_unit,
        **{
            "rows-0-cadre": "TD-009",
            "rows-0-locality": "25741",
            "rows-0-starts_on": "2021-09-01",
            "rows-TOTAL_FORMS": "2",
            "rows-1-starts_on": "2021-08-16",
        },
    )
    response = staff_client.post(_create_url(issued, "amend"), data)
    amendment = Decision.objects.get(number=14)
    assert response.status_code == 302
    assert (amendment.amends, amendment.amendment_kind) == (issued, AmendmentKind.AMEND)
    assert list(amendment.assignments.values_list("cadre", "locality")) == [(cadre.pk, place.pk)]
    old_page = staff_client.get(reverse("cadres:decision_detail", args=[issued.pk])).content.decode()
    assert reverse("cadres:decision_detail", args=[amendment.pk]) in old_page and 'id="annulled"' not in old_page
    assert 'id="amendments"' in old_page


def test_an_amendment_may_change_only_the_text(staff_client, issued):
    response = staff_client.post(_create_url(issued, "amend"), _header(15, unit=issued.issuing_unit))
    assert response.status_code == 302 and Decision.objects.get(number=15).amends == issued


def test_annulling_is_refused_while_the_decisions_assignments_are_in_force(staff_client, issued):
    today = timezone.localdate()
    current = AssignmentFactory(campaign=issued.campaign, decision=issued, starts_on=today - datetime.timedelta(days=3))
    response = staff_client.post(_create_url(issued, "annul"), _header(13, unit=issued.issuing_unit))
    assert response.status_code == 200 and not Decision.objects.filter(number=13).exists()
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == ["assignments_in_force"]
    # Recalled through the assignment's own action, the decision may then be annulled.
    assignment_recall(assignment=current, on=today)
    response = staff_client.post(_create_url(issued, "annul"), _header(13, unit=issued.issuing_unit))
    assert response.status_code == 302 and Decision.objects.get(number=13).amends == issued
    current.refresh_from_db()
    assert current.decision == issued and current.recalled_on == today


def _amending(target: Decision, kind: str, **fields) -> Decision:
    return Decision(
        campaign=target.campaign,
        issuing_unit=target.issuing_unit,
        number=fields.pop("number", 90),
        signed_on=fields.pop("signed_on", datetime.date(2021, 9, 1)),
        signer_position="BÍ THƯ",
        signer_name="Nguyễn Thanh Tâm",
        amends=target,
        amendment_kind=kind,
        **fields,
    )


def _refusal(decision: Decision) -> str:
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    return refused.value.error_dict["__all__"][0].code


def test_a_decision_is_annulled_once_and_an_annulled_one_is_not_amended(issued):
    _amending(issued, AmendmentKind.ANNUL, number=91).save_checked()
    assert _refusal(_amending(issued, AmendmentKind.ANNUL, number=92)) == "already_annulled"
    assert _refusal(_amending(issued, AmendmentKind.AMEND, number=93)) == "already_annulled"


def test_only_an_issued_earlier_decision_of_the_same_campaign_is_amended(issued):
    draft = DecisionFactory(campaign=issued.campaign, signed_on=datetime.date(2021, 8, 20))
    assert _refusal(_amending(draft, AmendmentKind.AMEND)) == "amends_draft"
    assert _refusal(_amending(issued, AmendmentKind.AMEND, signed_on=datetime.date(2021, 8, 1))) == "amends_later"
    elsewhere = _amending(issued, AmendmentKind.AMEND)
    elsewhere.campaign = CampaignFactory()
    assert _refusal(elsewhere) == "amends_other_campaign"
    without_kind = _amending(issued, "")
    assert _refusal(without_kind) == "amendment_incomplete"


def test_an_amendment_for_another_campaign_is_404(staff_client, issued):
    other = CampaignFactory()
    url = reverse("cadres:decision_create", args=[other.pk]) + f"?amends={issued.pk}&kind=amend"
    assert staff_client.get(url).status_code == 404
    assert staff_client.get(_create_url(issued, "rewrite")).status_code == 404


# Measured: 13, the same with one amendment and one assignment or five of each.
MAX_PAGE_QUERIES = 14


def test_the_decision_page_reads_a_constant_number_of_queries(staff_client, issued, django_assert_max_num_queries):
    issued.attach_scan(SimpleUploadedFile("b.pdf", PDF), by=UserFactory())
    for number in range(20, 25):
        amendment = _amending(issued, AmendmentKind.AMEND, number=number)
        amendment.save_checked()
        _issued(amendment)
        AssignmentFactory(campaign=issued.campaign, decision=issued, starts_on=datetime.date(2021, 8, 17))
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = staff_client.get(reverse("cadres:decision_detail", args=[issued.pk]))
    assert response.status_code == 200 and len(response.context["amendments"]) == 5
