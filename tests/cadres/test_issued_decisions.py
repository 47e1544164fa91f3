"""An issued decision keeps its list: no assignment is added to it or taken off it but by a new decision.

Also what the pages say of it: the print page laid out from the document's one source, the message after an
annulment, and the access helper of the pages that change a decision.
"""

import dataclasses
import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.roles import RoleKind
from cadres import services
from cadres.access import get_decision_for_user
from cadres.documents import layout as documents
from cadres.models import AmendmentKind, Assignment, Decision
from cadres.views import decisions as decision_views
from shared.concurrency import version_of
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    RoleFactory,
)

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _issue(decision: Decision) -> Decision:
    decision.attach_scan(SimpleUploadedFile("scan.pdf", PDF), by=None)
    decision.refresh_from_db()
    return decision


@pytest.fixture
def campaign():
    return CampaignFactory(starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 30))


@pytest.fixture
def assignment(campaign):
    """A cadre of decision No. 12, on mission from 17/08/2021 to 15/09/2021; the decision is issued."""
    decision = DecisionFactory(campaign=campaign, number=12, signed_on=D(2021, 8, 16))
    assignment = AssignmentFactory(
        campaign=campaign, decision=decision, starts_on=D(2021, 8, 17), ends_on=D(2021, 9, 15)
    )
    _issue(decision)
    return Assignment.objects.select_related("decision__issuing_unit").get(pk=assignment.pk)


def _codes(error: ValidationError) -> list[str]:
    return [item.code for items in error.error_dict.values() for item in items]


# The rule, in the model.


def test_no_assignment_is_added_to_an_issued_decision(assignment):
    decision = assignment.decision
    with pytest.raises(ValidationError) as refused:
        services.assignment_create(
            cadre=CadreFactory(),
            campaign=decision.campaign,
            locality=LocalityFactory(),
            starts_on=D(2021, 8, 20),
            decision=decision,
        )
    assert _codes(refused.value) == ["decision_issued"]
    assert decision.reference in refused.value.error_dict["decision"][0].messages[0]
    assert decision.assignments.count() == 1


def test_a_draft_decision_still_takes_assignments(campaign):
    draft = DecisionFactory(campaign=campaign)
    added = services.assignment_create(
        cadre=CadreFactory(), campaign=campaign, locality=LocalityFactory(), starts_on=D(2021, 8, 20), decision=draft
    )
    assert added.decision == draft


def test_no_assignment_is_moved_off_an_issued_decision_or_onto_one(assignment, campaign):
    assignment.decision = None
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert _codes(refused.value) == ["decision_issued"]
    elsewhere = AssignmentFactory(campaign=campaign, decision=DecisionFactory(campaign=campaign))
    elsewhere.decision = Assignment.objects.get(pk=assignment.pk).decision
    with pytest.raises(ValidationError) as refused:
        elsewhere.full_clean()
    assert _codes(refused.value) == ["decision_issued"]


def test_no_assignment_of_an_issued_decision_is_deleted(assignment):
    with pytest.raises(ValidationError) as refused:
        assignment.delete()
    assert refused.value.code == "decision_issued"
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_recalling_and_extending_an_assignment_of_an_issued_decision_are_facts_not_edits(assignment):
    services.assignment_extend(assignment=assignment, to=D(2021, 9, 20))
    services.assignment_recall(assignment=assignment, on=D(2021, 9, 1), reason="Ốm")
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.recalled_on) == (D(2021, 9, 1), D(2021, 9, 1))
    assert assignment.decision.assignments.get() == assignment


def _edit(client, assignment, **changes):
    data = {
        "locality": assignment.locality_id,
        "host_organisation": assignment.host_organisation,
        "tasks": assignment.tasks,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "arrived_on": "",
        "left_on": "",
        "version": version_of(assignment),
        **changes,
    }
    return client.post(reverse("cadres:assignment_edit", args=[assignment.pk]), data)


def test_the_first_day_of_an_issued_decisions_line_is_not_edited(staff_client, assignment):
    response = _edit(staff_client, assignment, starts_on="2021-08-18")
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["starts_on"]] == ["decision_issued"]
    assignment.refresh_from_db()
    assert assignment.starts_on == D(2021, 8, 17)


def test_the_cadre_and_place_of_an_issued_decisions_line_are_not_changed(assignment):
    assignment.locality, assignment.cadre = LocalityFactory(), CadreFactory()
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert set(refused.value.error_dict) >= {"locality", "cadre"}
    assert set(_codes(refused.value)) == {"decision_issued"}


@pytest.mark.parametrize("field, value", [("ends_on", "2021-09-20"), ("host_organisation", "Phường đoàn Phú Cường")])
def test_the_end_and_host_of_an_issued_decisions_line_are_not_edited(staff_client, assignment, field, value):
    response = _edit(staff_client, assignment, **{field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()[field]
    assert [error.code for error in errors] == ["decision_issued"]
    assert "Extend" in str(errors[0].message) or "Gia hạn" in str(errors[0].message % errors[0].params)
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.ends_on, stored.host_organisation) == (assignment.ends_on, assignment.host_organisation)


def test_what_the_list_does_not_say_is_still_edited_on_an_issued_decision(staff_client, assignment):
    response = _edit(staff_client, assignment, tasks="Hỗ trợ tiêm chủng", arrived_on="2021-08-17")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.tasks == "Hỗ trợ tiêm chủng" and assignment.arrived_on == D(2021, 8, 17)


# The Replace action, which would put the replacement on the same decision.


def _replace_url(assignment) -> str:
    return reverse("cadres:assignment_replace", args=[assignment.pk])


def _amend_url(decision: Decision) -> str:
    return f"{reverse('cadres:decision_create', args=[decision.campaign_id])}?amends={decision.pk}&amp;kind=amend"


def test_replacing_a_cadre_of_an_issued_decision_is_refused_and_changes_nothing(staff_client, assignment):
    CadreFactory(code="TD-007")
    data = {"replacement": "TD-007", "on": "2021-09-01", "reason": "F0", "version": version_of(assignment)}
    response = staff_client.post(_replace_url(assignment), data)
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == ["decision_issued"]
    assert _amend_url(assignment.decision) in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.recalled_on is None and assignment.replaced_by is None
    assert Assignment.objects.count() == 1


def test_the_replace_page_of_an_issued_decision_links_to_amending_it(staff_client, assignment):
    page = staff_client.get(_replace_url(assignment)).content.decode()
    assert 'id="decision-issued"' in page and _amend_url(assignment.decision) in page
    draft = AssignmentFactory(decision=DecisionFactory(), starts_on=D(2021, 8, 17))
    page = staff_client.get(_replace_url(draft)).content.decode()
    assert 'id="decision-issued"' not in page


# Django admin.


def _admin_data(assignment: Assignment, **changes) -> dict:
    data = {
        "cadre": assignment.cadre_id,
        "campaign": assignment.campaign_id,
        "decision": assignment.decision_id or "",
        "locality": assignment.locality_id,
        "host_organisation": "",
        "tasks": assignment.tasks,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "recall_reason": "",
    }
    return {**data, **changes}


def test_admin_refuses_to_add_an_assignment_to_an_issued_decision(admin_client, assignment):
    new = Assignment(
        cadre=CadreFactory(),
        campaign=assignment.campaign,
        decision=assignment.decision,
        locality=LocalityFactory(),
        starts_on=D(2021, 8, 20),
        ends_on=D(2021, 9, 18),
    )
    response = admin_client.post(reverse("admin:cadres_assignment_add"), _admin_data(new))
    assert response.status_code == 200
    assert [error.code for error in response.context["adminform"].form.errors.as_data()["decision"]] == [
        "decision_issued"
    ]
    assert Assignment.objects.count() == 1


def test_admin_refuses_to_take_an_assignment_off_an_issued_decision(admin_client, assignment):
    url = reverse("admin:cadres_assignment_change", args=[assignment.pk])
    response = admin_client.post(url, _admin_data(assignment, decision=""))
    assert response.status_code == 200 and "decision" in response.context["adminform"].form.errors
    assignment.refresh_from_db()
    assert assignment.decision is not None


def test_admin_deletes_no_assignment_of_an_issued_decision(admin_client, assignment):
    draft = AssignmentFactory(decision=DecisionFactory(), starts_on=D(2021, 8, 17))
    assert admin_client.get(reverse("admin:cadres_assignment_delete", args=[assignment.pk])).status_code == 403
    changelist = reverse("admin:cadres_assignment_changelist")
    selected = {"action": "delete_selected", "_selected_action": [assignment.pk, draft.pk]}
    page = admin_client.post(changelist, selected).content.decode()
    assert assignment.decision.reference in page
    admin_client.post(changelist, {**selected, "post": "yes"})
    assert Assignment.objects.filter(pk__in=[assignment.pk, draft.pk]).count() == 2


def test_admin_deletes_no_assignment_of_an_issued_decision_from_its_cadres_page(admin_client, assignment):
    cadre = assignment.cadre
    data = {
        "code": cadre.code,
        "full_name": cadre.full_name,
        "position": cadre.position,
        "unit": cadre.unit_id,
        "phone": cadre.phone,
        "email": cadre.email,
        "is_active": "on",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": assignment.pk,
        "assignments-0-cadre": cadre.pk,
        "assignments-0-campaign": assignment.campaign_id,
        "assignments-0-locality": assignment.locality_id,
        "assignments-0-starts_on": assignment.starts_on.isoformat(),
        "assignments-0-ends_on": assignment.ends_on.isoformat(),
        "assignments-0-DELETE": "on",
    }
    response = admin_client.post(reverse("admin:cadres_cadre_change", args=[cadre.pk]), data)
    assert response.status_code == 200
    [formset] = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert [error.code for error in formset.non_form_errors().as_data()] == ["decision_issued"]
    assert Assignment.objects.filter(pk=assignment.pk).exists()


# The print page, laid out from cadres/documents/layout.py.


def test_the_print_page_takes_every_word_of_the_document_from_its_layout(staff_client, assignment, monkeypatch):
    """Whatever the layout says is what the page prints: no wording of its own."""
    made = documents.decision_layout

    def marked(*args, **kwargs):
        layout = made(*args, **kwargs)
        return dataclasses.replace(
            layout,
            title="TITLE-MARK",
            decides="DECIDES-MARK",
            articles=[documents.Article("LABEL-MARK", "ARTICLE-MARK")],
            recipients_title="RECIPIENTS-MARK",
            annex_title="ANNEX-MARK",
            annex_subtitle="SUBTITLE-MARK",
            annex_header=["HEADER-MARK"],
            annulled=["ANNULLED-MARK"],
        )

    monkeypatch.setattr(decision_views, "decision_layout", marked)
    page = staff_client.get(reverse("cadres:decision_print", args=[assignment.decision_id])).content.decode()
    marks = ["ANNULLED-MARK", "TITLE-MARK", "DECIDES-MARK", "LABEL-MARK", "ARTICLE-MARK", "RECIPIENTS-MARK"]
    marks += ["ANNEX-MARK", "SUBTITLE-MARK", "HEADER-MARK"]
    assert [page.index(mark) for mark in marks] == sorted(page.index(mark) for mark in marks)
    for word in ("QUYẾT ĐỊNH", "Điều 1.", "Nơi nhận:", "DANH SÁCH CÁN BỘ", "Họ và tên"):
        assert word not in page.split('<article class="document"')[1], word


def test_the_print_page_and_the_files_share_the_articles_and_the_annex(staff_client, assignment):
    decision = assignment.decision
    response = staff_client.get(reverse("cadres:decision_print", args=[decision.pk]))
    layout = response.context["layout"]
    assert layout == decision_views._document_of(response.wsgi_request, decision.pk)
    page = response.content.decode()
    assert layout.articles[0].text.startswith("Phân công 1 đồng chí") and layout.articles[0].text in page
    row = layout.annex_rows[0]
    assert (row.name, row.starts_on, row.ends_on) == (assignment.cadre.full_name, "17/08/2021", "15/09/2021")


# The message after an annulment or an amendment without a list.


def _amending_post(decision: Decision, number: int) -> dict:
    return {
        "number": str(number),
        "signed_on": "2021-09-01",
        "issuing_unit": str(decision.issuing_unit_id),
        "summary": "Về việc bãi bỏ Quyết định số 12",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Thanh Tâm",
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "300",
    }


def _messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("kind", "msgid", "name"),
    [
        (AmendmentKind.ANNUL, "Decision %(reference)s recorded: it annuls decision %(annulled)s.", "annulled"),
        (AmendmentKind.AMEND, "Decision %(reference)s recorded: it amends decision %(amended)s.", "amended"),
    ],
)
def test_an_annulment_or_an_amendment_of_the_text_says_what_it_does(staff_client, assignment, kind, msgid, name):
    # Over since 15/09/2021: nothing to recall first.
    decision = assignment.decision
    url = reverse("cadres:decision_create", args=[decision.campaign_id]) + f"?amends={decision.pk}&kind={kind}"
    response = staff_client.post(url, _amending_post(decision, 13))
    new = Decision.objects.get(number=13)
    assert response.status_code == 302 and new.amends == decision
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext(msgid) % {"reference": new.reference, name: decision.reference}
    assert _messages_of(response) == [expected]


# The access helper of the pages that change a decision.


def test_a_decision_to_change_is_found_only_in_the_campaigns_the_user_manages(assignment):
    decision = assignment.decision
    district = LocalityFactory(kind="city")
    Assignment.objects.filter(pk=assignment.pk).update(locality=LocalityFactory(parent=district))
    reader = RoleFactory(kind=RoleKind.SUPERVISOR, locality=district, unit=None).user
    organiser = RoleFactory(kind=RoleKind.ORGANISER, unit=decision.campaign.organising_unit).user
    request = RequestFactory().get("/")
    request.user = reader
    assert get_decision_for_user(request, decision.pk) == decision
    with pytest.raises(Http404):
        get_decision_for_user(request, decision.pk, for_change=True)
    request.user = organiser
    assert get_decision_for_user(request, decision.pk, for_change=True) == decision
    assert not hasattr(decision_views, "_get_decision_to_change")


# A draft typed by mistake (an annulment, say) is deleted; it takes effect only once issued.


def _annulment_draft(original: Decision) -> Decision:
    return DecisionFactory(
        campaign=original.campaign,
        number=13,
        signed_on=D(2021, 8, 20),
        amends=original,
        amendment_kind=AmendmentKind.ANNUL,
    )


def test_a_draft_annulment_does_not_yet_annul_and_is_deleted(staff_client, assignment):
    original = assignment.decision
    draft = _annulment_draft(original)
    page = staff_client.get(reverse("cadres:decision_detail", args=[original.pk])).content.decode()
    assert 'id="annulment-draft"' in page and 'id="annulled"' not in page
    response = staff_client.post(reverse("cadres:decision_delete", args=[draft.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "cadres:campaign_detail", args=[original.campaign_id]
    )
    assert not Decision.objects.filter(pk=draft.pk).exists()
    page = staff_client.get(reverse("cadres:decision_detail", args=[original.pk])).content.decode()
    assert 'id="annul"' in page  # it can be annulled again, properly this time


def test_an_issued_decision_or_one_with_a_list_is_not_deleted(staff_client, assignment):
    issued = assignment.decision
    draft_with_list = DecisionFactory(campaign=issued.campaign, number=14, signed_on=D(2021, 8, 20))
    AssignmentFactory(campaign=issued.campaign, decision=draft_with_list, starts_on=D(2021, 8, 17))
    for decision, code in [(issued, "issued"), (draft_with_list, "has_assignments")]:
        with pytest.raises(ValidationError) as refused:
            decision.delete()
        assert refused.value.code == code
        response = staff_client.post(reverse("cadres:decision_delete", args=[decision.pk]))
        assert response.status_code == 302 and response.url == reverse("cadres:decision_detail", args=[decision.pk])
        assert Decision.objects.filter(pk=decision.pk).exists()
