"""Text people type comes back inert: script tags in every free-text field, on every page that shows them.

Every free-text field of every object below holds markup that would run if a page
printed it unescaped. Each page is read as staff and as the cadre concerned; the
markup must appear only escaped (&lt;script&gt;), never as a tag. Pages are
compared in lower case because the printed documents put some names in capitals.
Spreadsheet exports are not pages and are left out.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadres.models import Quota
from localities.models import LocalityKind
from tests.factories import (
    AssignmentFactory,
    CadreUserFactory,
    CampaignFactory,
    DailyNoteFactory,
    DecisionFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    RecommendationFactory,
    StaffUserFactory,
    ZoneStatusFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMAGE}"
RAW = [SCRIPT, "<img src=x onerror=alert(1)>"]
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def text(label: str) -> str:
    return f"{label} {PAYLOAD}"


@pytest.fixture
def marked(db):
    """A campaign, decision, locality, cadre with a current and a past mission, everything typed with markup."""
    today = timezone.localdate()
    unit = ProvincialUnitFactory(
        name=text("Tỉnh đoàn"),
        short_name=PAYLOAD,
        issuing_body=text("BCH"),
        document_symbol=SCRIPT,
        place=PAYLOAD,
    )
    district = LocalityFactory(name=text("Dĩ An"), kind=LocalityKind.CITY)
    locality = LocalityFactory(name=text("Đông Hòa"), parent=district)
    ZoneStatusFactory(
        locality=locality, valid_from=today - datetime.timedelta(days=90), directive=text("CT16"), note=text("ghi")
    )
    campaign = CampaignFactory(
        name=text("Đợt"),
        purpose=text("Mục đích"),
        organising_unit=unit,
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=30),
    )
    Quota.objects.create(campaign=campaign, unit=unit, locality=locality, count=2)
    decision = DecisionFactory(
        campaign=campaign,
        signed_on=campaign.starts_on,
        summary=text("Về việc"),
        legal_bases=text("Căn cứ"),
        signing_authority=text("TM."),
        signer_position=text("BÍ THƯ"),
        signer_name=text("Ký"),
        recipients=text("Nơi nhận"),
    )
    staff = StaffUserFactory(first_name=text("Cán"), last_name="bộ")
    cadre = CadreUserFactory(code=SCRIPT, full_name=text("Nguyễn"), position=text("Chuyên viên"), unit=unit)
    places = {"cadre": cadre, "campaign": campaign, "decision": decision, "locality": locality}
    past = AssignmentFactory(
        **places, starts_on=today - datetime.timedelta(days=70), host_organisation=text("Thành đoàn"), tasks=text("NV")
    )
    report = MissionReportFactory(
        assignment=past,
        results=text("Kết quả"),
        local_work=text("Cơ sở"),
        difficulties=text("Khó khăn"),
        review_comment=text("Nhận xét"),
    )
    recommendation = RecommendationFactory(report=report, text=text("Đề xuất"), response=text("Trả lời"), owner=staff)
    current = AssignmentFactory(
        **places, starts_on=today - datetime.timedelta(days=26), host_organisation=text("Thành đoàn"), tasks=text("NV")
    )
    note = DailyNoteFactory(
        assignment=current,
        day=today,
        other_activities=text("Khác"),
        situation=text("Tình hình"),
        difficulties=text("Khó khăn"),
        needs=text("Cần"),
    )
    escalation = EscalationFactory(
        assignment=current,
        note=note,
        subject=text("Kiến nghị"),
        description=text("Mô tả"),
        answer=text("Trả lời"),
        assigned_to=staff,
    )
    return {
        "staff": staff,
        "cadre": cadre,
        "campaign": campaign,
        "decision": decision,
        "locality": locality,
        "assignment": current,
        "note": note,
        "escalation": escalation,
        "report": report,
        "recommendation": recommendation,
        "today": today,
    }


# (URL name, the object whose pk it takes, a query string): every page that shows typed text.
STAFF_PAGES = [
    ("cadres:dashboard", None, ""),
    ("cadres:unit_list", None, ""),
    ("cadres:campaign_list", None, ""),
    ("cadres:campaign_detail", "campaign", ""),
    ("cadres:campaign_edit", "campaign", ""),
    ("cadres:campaign_quotas", "campaign", ""),
    ("cadres:decision_create", "campaign", ""),
    ("cadres:decision_detail", "decision", ""),
    ("cadres:decision_print", "decision", ""),
    ("cadres:assignment_list", None, ""),
    ("cadres:assignment_detail", "assignment", ""),
    ("cadres:assignment_edit", "assignment", ""),
    ("cadres:assignment_extend", "assignment", ""),
    ("cadres:assignment_recall", "assignment", ""),
    ("cadres:assignment_replace", "assignment", ""),
    ("cadres:cadre_list", None, ""),
    ("cadres:cadre_detail", "cadre", ""),
    ("cadres:cadre_edit", "cadre", ""),
    ("cadres:locality_list", None, ""),
    ("cadres:locality_detail", "locality", ""),
    ("cadres:locality_grade", "locality", ""),
    ("reports:notes_inbox", None, ""),
    ("reports:compliance", None, ""),
    ("reports:escalation_inbox", None, ""),
    ("reports:escalation_manage", "escalation", ""),
    ("reports:report_list", None, ""),
    ("reports:report_review", "report", ""),
    ("reports:report_print", "report", ""),
    ("reports:recommendation_list", None, ""),
    ("reports:recommendation_update", "recommendation", ""),
    ("reports:note_detail", "note", ""),
    ("reports:escalation_detail", "escalation", ""),
    ("reports:report_detail", "report", ""),
]
CADRE_PAGES = [
    ("phone:my_mission", None, ""),
    ("reports:note_detail", "note", ""),
    ("reports:note_edit", "note", ""),
    ("reports:escalation_detail", "escalation", ""),
    ("reports:escalation_create", None, "?note={note}"),
    ("reports:report_detail", "report", ""),
    ("reports:report_edit", "assignment", ""),
]


def _url(marked, name: str, obj: str | None, query: str) -> str:
    args = [marked[obj].pk] if obj else []
    return reverse(name, args=args) + query.format(note=marked["note"].pk)


def _read(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode().lower()


def _unescaped(page: str) -> list[str]:
    return [raw for raw in RAW if raw.lower() in page]


def test_staff_pages_show_typed_markup_as_text(marked):
    client = Client()
    client.force_login(marked["staff"])
    shown, unescaped = [], []
    for name, obj, query in STAFF_PAGES:
        page = _read(client, _url(marked, name, obj, query))
        unescaped += [f"{name}: {raw}" for raw in _unescaped(page)]
        if ESCAPED in page:
            shown.append(name)
    assert not unescaped
    # Every page really shows some of the typed text (escaped), or the test would prove nothing.
    assert sorted(shown) == sorted(name for name, _obj, _query in STAFF_PAGES)


def test_cadre_pages_show_typed_markup_as_text(marked):
    client = Client()
    client.force_login(marked["cadre"].user)
    shown, unescaped = [], []
    for name, obj, query in CADRE_PAGES:
        page = _read(client, _url(marked, name, obj, query))
        unescaped += [f"{name}: {raw}" for raw in _unescaped(page)]
        if ESCAPED in page:
            shown.append(name)
    assert not unescaped
    assert sorted(shown) == sorted(name for name, _obj, _query in CADRE_PAGES)


def test_markup_typed_into_a_note_comes_back_inert(marked):
    """Through the form, not only from the factories: posted, stored as typed, shown as text."""
    client = Client()
    client.force_login(marked["cadre"].user)
    note = marked["note"]
    response = client.post(
        reverse("reports:note_edit", args=[note.pk]),
        {"situation": IMAGE + SCRIPT, "health": "well", "activities": ["testing"]},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.situation == IMAGE + SCRIPT
    page = _read(client, reverse("reports:note_detail", args=[note.pk]))
    assert not _unescaped(page) and ESCAPED in page
