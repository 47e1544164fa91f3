"""Change history of cadres, decisions, campaigns with their quotas, and daily notes: who changed what, and when.

Changes go through the pages (or the admin), so the user recorded is the one signed in
(simple_history's middleware); the object's page shows the change under the translated heading.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.cadres.test_cadre_pages import form_data as cadre_form_data
from tests.cadres.test_campaigns import _form_data as campaign_form_data
from tests.cadres.test_campaigns import _quota_post
from tests.factories import CadreFactory, CampaignFactory, DailyNoteFactory, DecisionFactory, ProvincialUnitFactory
from tests.reports.test_note_form import note_data, today
from tests.test_audit_history import client_for

pytestmark = pytest.mark.django_db


def pairs(entry) -> set[tuple[str, str]]:
    return {(change.old, change.new) for change in entry.changes}


def shows_history(response, user) -> None:
    with translation.override("vi"):
        heading = translation.gettext("History of changes")
    page = response.content.decode()
    assert heading in page
    assert (user.get_full_name() or user.get_username()) in page


def test_a_cadre_edited_by_staff_shows_in_the_cadres_history(staff_client, staff_user):
    cadre = CadreFactory(code="TD-100", phone="+84 912 345 678")
    response = staff_client.post(
        reverse("cadres:cadre_edit", args=[cadre.pk]), cadre_form_data(cadre.unit, phone="0913 000 111")
    )
    assert response.status_code == 302
    record = cadre.history.first()
    assert record.history_type == "~" and record.history_user == staff_user

    response = staff_client.get(reverse("cadres:cadre_detail", args=[cadre.pk]))
    latest = response.context["history_entries"][0]
    assert latest.user == staff_user and latest.when == record.history_date
    assert ("+84 912 345 678", "0913 000 111") in pairs(latest)
    shows_history(response, staff_user)


def test_the_cadres_folded_search_text_is_not_in_its_history(staff_client):
    cadre = CadreFactory(code="TD-100")
    staff_client.post(reverse("cadres:cadre_edit", args=[cadre.pk]), cadre_form_data(cadre.unit, full_name="Lê Hồng"))
    record = cadre.history.first()
    assert record.full_name == "Lê Hồng" and not hasattr(record, "search_text")


def test_a_decision_changed_in_the_admin_shows_in_its_history(superuser, staff_client):
    decision = DecisionFactory(signer_name="Nguyễn Văn A")
    url = reverse("admin:cadres_decision_change", args=[decision.pk])
    admin = client_for(superuser)
    data = {
        "campaign": decision.campaign_id,
        "issuing_unit": decision.issuing_unit_id,
        "number": decision.number,
        "signed_on": decision.signed_on.isoformat(),
        "summary": decision.summary,
        "legal_bases": decision.legal_bases,
        "signing_authority": decision.signing_authority,
        "signer_position": decision.signer_position,
        "signer_name": "Trần Thị B",
        "recipients": decision.recipients,
    }
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = decision.history.first()
    assert record.history_type == "~" and record.history_user == superuser

    response = staff_client.get(reverse("cadres:decision_detail", args=[decision.pk]))
    latest = response.context["history_entries"][0]
    assert latest.user == superuser and ("Nguyễn Văn A", "Trần Thị B") in pairs(latest)
    shows_history(response, superuser)
    assert admin.get(reverse("admin:cadres_decision_history", args=[decision.pk])).status_code == 200


def test_a_campaign_and_its_quotas_changed_by_staff_show_in_the_campaigns_history(staff_client, staff_user):
    campaign = CampaignFactory(name="Đợt 1")
    response = staff_client.post(
        reverse("cadres:campaign_edit", args=[campaign.pk]), campaign_form_data(campaign.organising_unit, name="Đợt 2")
    )
    assert response.status_code == 302
    unit = ProvincialUnitFactory()
    response = staff_client.post(
        reverse("cadres:campaign_quotas", args=[campaign.pk]),
        _quota_post([{"unit": unit.pk, "locality": "", "count": "4"}]),
    )
    assert response.status_code == 302
    quota = campaign.quotas.get()
    assert quota.history.get().history_user == staff_user

    response = staff_client.get(reverse("cadres:campaign_detail", args=[campaign.pk]))
    entries = response.context["history_entries"]
    assert entries[0].kind == "+" and entries[0].user == staff_user and str(unit) in entries[0].subject
    changed = next(entry for entry in entries if entry.kind == "~")
    assert changed.user == staff_user and ("Đợt 1", "Đợt 2") in pairs(changed)
    shows_history(response, staff_user)


def test_a_note_edited_by_its_cadre_records_the_cadre(cadre_client, cadre, staff_client, current_mission):
    note = DailyNoteFactory(assignment=current_mission, day=today(), needs="")
    response = cadre_client.post(reverse("reports:note_edit", args=[note.pk]), note_data(needs="Khẩu trang"))
    assert response.status_code == 302
    record = note.history.first()
    assert record.history_type == "~" and record.history_user == cadre.user

    detail = reverse("reports:note_detail", args=[note.pk])
    for client in (cadre_client, staff_client):
        response = client.get(detail)
        latest = response.context["history_entries"][0]
        assert latest.user == cadre.user and ("—", "Khẩu trang") in pairs(latest)
        shows_history(response, cadre.user)


def test_a_roster_import_records_who_created_each_cadre(staff_client, staff_user):
    from cadres.models import Cadre
    from tests.cadres.test_roster_import import ROWS, confirm, preview, xlsx

    parent = ProvincialUnitFactory(name="Tỉnh đoàn Bình Dương", short_name="Tỉnh đoàn")
    ProvincialUnitFactory(name="Ban Tuyên giáo", short_name="Ban TG", parent=parent)
    _response, preview_url = preview(staff_client, xlsx(ROWS))
    confirm(staff_client, preview_url)
    [created] = Cadre.objects.get(code="TD-002").history.all()
    assert created.history_type == "+" and created.history_user == staff_user
