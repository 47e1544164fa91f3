import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cadres.models import Assignment, Decision, UnitKind
from cadres.services import DecisionRow, DecisionRowError, decision_create
from localities.models import LocalityKind
from shared.vietnamese import place_and_date
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    ProvincialUnitFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    youth_union = ProvincialUnitFactory(
        name="Tỉnh đoàn Bình Dương",
        kind=UnitKind.YOUTH_UNION,
        document_symbol="QĐ/TĐTN-BTC",
        issuing_body="BCH ĐOÀN TỈNH BÌNH DƯƠNG",
    )
    campaign = CampaignFactory(
        organising_unit=youth_union, assignment_days=30, starts_on=D(2021, 8, 16), ends_on=D(2021, 9, 30)
    )
    province = LocalityFactory(kind=LocalityKind.PROVINCE, name="Bình Dương", code="74")
    thu_dau_mot = LocalityFactory(kind=LocalityKind.CITY, name="Thủ Dầu Một", code="718", parent=province)
    di_an = LocalityFactory(kind=LocalityKind.CITY, name="Dĩ An", code="724", parent=province)
    phu_cuong = LocalityFactory(name="Phú Cường", parent=thu_dau_mot)
    department = ProvincialUnitFactory(name="Ban Tuyên giáo", parent=youth_union)
    mai = CadreFactory(code="TD-001", full_name="Trương Đinh Ngọc Mai", unit=department)
    lam = CadreFactory(code="TD-002", full_name="Nguyễn Tùng Lâm", unit=department)
    return {
        "campaign": campaign,
        "unit": youth_union,
        "thu_dau_mot": thu_dau_mot,
        "di_an": di_an,
        "phu_cuong": phu_cuong,
        "mai": mai,
        "lam": lam,
    }


def _post_data(scene, rows, **header):
    data = {
        "number": "125",
        "signed_on": "2021-08-16",
        "issuing_unit": str(scene["unit"].pk),
        "summary": "Về việc phân công cán bộ Tỉnh đoàn hỗ trợ cơ sở phòng, chống dịch bệnh Covid-19",
        "legal_bases": "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;",
        "signing_authority": "TM. BAN THƯỜNG VỤ",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Thanh Tâm",
        "recipients": "- Như Điều 3;\n- Lưu VP, BTC.",
        "rows-TOTAL_FORMS": str(len(rows) + 1),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "300",
    }
    data.update(header)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{index}-{key}"] = value
    # A trailing untouched row, as the browser sends it: ignored.
    data[f"rows-{len(rows)}-starts_on"] = "2021-08-16"
    return data


def _url(scene):
    return reverse("cadres:decision_create", args=[scene["campaign"].pk])


MAI = {"cadre": "TD-001", "locality": "718", "host_organisation": "Thành đoàn Thủ Dầu Một", "starts_on": "2021-08-17"}
LAM = {"cadre": "Nguyễn Tùng Lâm", "locality": "Dĩ An, Bình Dương", "host_organisation": "", "starts_on": "2021-08-20"}


def _pages(decision):
    return [
        reverse("cadres:decision_create", args=[decision.campaign.pk]),
        reverse("cadres:decision_detail", args=[decision.pk]),
        reverse("cadres:decision_print", args=[decision.pk]),
        reverse("cadres:cadre_search") + "?q=Ng",
        reverse("cadres:locality_search") + "?q=Ph",
    ]


def test_every_page_sends_anonymous_users_to_login(client):
    for url in _pages(DecisionFactory()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_every_page_refuses_cadres(cadre_client):
    for url in _pages(DecisionFactory()):
        assert cadre_client.get(url).status_code == 403, url


def test_every_page_opens_for_staff(staff_client):
    for url in _pages(DecisionFactory()):
        assert staff_client.get(url).status_code == 200, url


def test_the_form_starts_from_the_campaign_organiser_and_six_rows(staff_client, scene):
    response = staff_client.get(_url(scene))
    assert response.context["form"]["issuing_unit"].value() == scene["unit"].pk
    assert response.context["form"]["number"].value() == 1
    assert len(response.context["rows"].forms) == 6


def test_a_campaigns_first_decision_starts_from_the_organisers_latest_wording(staff_client, scene):
    DecisionFactory(
        campaign=CampaignFactory(organising_unit=scene["unit"]),
        issuing_unit=scene["unit"],
        signer_position="BÍ THƯ",
        signer_name="Nguyễn Thanh Tâm",
    )
    form = staff_client.get(_url(scene)).context["form"]
    assert (form["signer_position"].value(), form["signer_name"].value()) == ("BÍ THƯ", "Nguyễn Thanh Tâm")


def test_the_form_never_lists_every_cadre(staff_client, scene):
    for _ in range(30):
        CadreFactory()
    content = staff_client.get(_url(scene)).content.decode()
    assert "Nguyễn Tùng Lâm" not in content and "TD-001" not in content


def test_two_valid_rows_make_one_decision_and_two_assignments(staff_client, scene):
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM]))
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == reverse("cadres:decision_detail", args=[decision.pk])
    assert (decision.number, decision.year, decision.campaign) == (125, 2021, scene["campaign"])
    mai, lam = decision.assignments.order_by("starts_on")
    assert (mai.cadre, mai.locality, mai.starts_on, mai.ends_on) == (
        scene["mai"],
        scene["thu_dau_mot"],
        D(2021, 8, 17),
        D(2021, 9, 15),
    )
    assert (lam.cadre, lam.locality, lam.ends_on) == (scene["lam"], scene["di_an"], D(2021, 9, 18))
    assert mai.host_organisation == "Thành đoàn Thủ Dầu Một"


def test_a_row_conflicting_with_a_stored_assignment_saves_nothing(staff_client, scene):
    AssignmentFactory(cadre=scene["lam"], locality=scene["phu_cuong"], starts_on=D(2021, 8, 1))
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM]))
    assert response.status_code == 200
    rows = response.context["rows"].forms
    assert rows[1].has_error("cadre", "overlap")
    assert not rows[0].errors
    assert "Phú Cường" in str(rows[1].errors)
    assert Decision.objects.count() == 0
    assert Assignment.objects.count() == 1


def test_two_rows_conflicting_with_each_other_save_nothing(staff_client, scene):
    again = {**MAI, "locality": "724", "starts_on": "2021-09-01"}
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM, again]))
    assert response.status_code == 200
    rows = response.context["rows"].forms
    assert rows[0].has_error("__all__", "overlap_in_decision")
    assert rows[2].has_error("__all__", "overlap_in_decision")
    assert not rows[1].errors
    assert Decision.objects.count() == 0 and Assignment.objects.count() == 0


def test_every_conflict_shows_at_once(staff_client, scene):
    AssignmentFactory(cadre=scene["lam"], starts_on=D(2021, 8, 1))
    again = {**MAI, "starts_on": "2021-09-01"}
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM, again], number="0"))
    rows = response.context["rows"].forms
    assert rows[1].has_error("cadre", "overlap")
    assert rows[0].has_error("__all__", "overlap_in_decision")
    assert response.context["form"].has_error("number")
    assert Decision.objects.count() == 0


def test_back_to_back_rows_for_one_cadre_are_accepted(staff_client, scene):
    after = {**MAI, "starts_on": "2021-09-16", "past_end_warned": "2021-10-15", "keep_full_length": "on"}
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, after]))
    assert response.status_code == 302
    assert Assignment.objects.filter(cadre=scene["mai"]).count() == 2


def test_a_duplicate_number_in_the_same_unit_and_year_saves_nothing(staff_client, scene):
    DecisionFactory(campaign=scene["campaign"], number=125, signed_on=D(2021, 3, 1))
    response = staff_client.post(_url(scene), _post_data(scene, [MAI]))
    assert response.status_code == 200
    assert response.context["form"].has_error("number", "unique")
    assert Decision.objects.count() == 1 and Assignment.objects.count() == 0


def test_the_same_number_is_free_again_next_year(staff_client, scene):
    DecisionFactory(campaign=scene["campaign"], number=125, signed_on=D(2020, 12, 1))
    assert staff_client.post(_url(scene), _post_data(scene, [MAI])).status_code == 302
    assert Decision.objects.count() == 2


def test_it_needs_at_least_one_row(staff_client, scene):
    response = staff_client.post(_url(scene), _post_data(scene, []))
    assert response.status_code == 200
    assert response.context["rows"].non_form_errors().as_data()[0].code == "no_rows"
    assert Decision.objects.count() == 0


def test_it_reports_unknown_cadres_and_places_and_a_start_outside_the_campaign(staff_client, scene):
    row = {"cadre": "XX-999", "locality": "Atlantis", "host_organisation": "", "starts_on": "2021-10-01"}
    response = staff_client.post(_url(scene), _post_data(scene, [row]))
    (form, _empty) = response.context["rows"].forms
    assert form.has_error("cadre", "unknown")
    assert form.has_error("locality", "unknown")
    assert form.has_error("starts_on", "outside_campaign")
    assert Decision.objects.count() == 0


def test_a_name_two_cadres_share_asks_for_the_code(staff_client, scene):
    CadreFactory(full_name="Nguyễn Tùng Lâm")
    response = staff_client.post(_url(scene), _post_data(scene, [LAM]))
    assert response.context["rows"].forms[0].has_error("cadre", "ambiguous")


def test_a_ward_is_found_as_ward_and_district(staff_client, scene):
    row = {**MAI, "locality": "Phường Phú Cường, Thủ Dầu Một"}
    assert staff_client.post(_url(scene), _post_data(scene, [row])).status_code == 302
    assert Assignment.objects.get().locality == scene["phu_cuong"]


def test_the_service_refuses_a_row_taken_meanwhile_and_saves_nothing(scene):
    AssignmentFactory(cadre=scene["lam"], starts_on=D(2021, 8, 1))
    with pytest.raises(DecisionRowError) as refused:
        decision_create(
            campaign=scene["campaign"],
            issuing_unit=scene["unit"],
            number=7,
            signed_on=D(2021, 8, 16),
            signer_position="BÍ THƯ",
            signer_name="Nguyễn Thanh Tâm",
            rows=[
                DecisionRow(cadre=scene["mai"], locality=scene["di_an"], starts_on=D(2021, 8, 17)),
                DecisionRow(cadre=scene["lam"], locality=scene["di_an"], starts_on=D(2021, 8, 17)),
            ],
        )
    assert refused.value.row == 1
    assert Decision.objects.count() == 0 and Assignment.objects.count() == 1


def test_the_service_reports_a_number_taken_meanwhile_on_the_number(scene):
    DecisionFactory(campaign=scene["campaign"], number=7)
    with pytest.raises(ValidationError) as refused:
        decision_create(
            campaign=scene["campaign"],
            issuing_unit=scene["unit"],
            number=7,
            signed_on=D(2021, 8, 16),
            signer_position="BÍ THƯ",
            signer_name="Nguyễn Thanh Tâm",
            rows=[DecisionRow(cadre=scene["mai"], locality=scene["di_an"], starts_on=D(2021, 8, 17))],
        )
    assert list(refused.value.error_dict) == ["number"]
    assert Decision.objects.count() == 1


def test_a_number_the_database_refuses_is_reported_in_the_models_words(scene, monkeypatch):
    DecisionFactory(campaign=scene["campaign"], number=7)
    checked = Decision.validate_constraints
    calls = []

    def first_check_misses_it(self, exclude=None):
        # As if the other decision had been committed just after this check: only the database sees it.
        calls.append(exclude)
        if len(calls) > 1:
            checked(self, exclude)

    monkeypatch.setattr(Decision, "validate_constraints", first_check_misses_it)
    with pytest.raises(ValidationError) as refused:
        decision_create(
            campaign=scene["campaign"],
            issuing_unit=scene["unit"],
            number=7,
            signed_on=D(2021, 8, 16),
            signer_position="BÍ THƯ",
            signer_name="Nguyễn Thanh Tâm",
            rows=[DecisionRow(cadre=scene["mai"], locality=scene["di_an"], starts_on=D(2021, 8, 17))],
        )
    assert len(calls) == 2
    [error] = refused.value.error_dict["number"]
    assert error.code == "unique"
    assert error.message == translation.gettext("This unit already has a decision with this number this year.")
    assert Decision.objects.count() == 1


def test_the_cadre_search_answers_at_most_twenty(staff_client, scene):
    for number in range(25):
        CadreFactory(full_name=f"Nguyễn Văn Số {number}")
    results = staff_client.get(reverse("cadres:cadre_search"), {"q": "nguyễn"}).json()["results"]
    assert len(results) == 20
    found = staff_client.get(reverse("cadres:cadre_search"), {"q": "td-00"}).json()["results"]
    assert {result["value"] for result in found} == {"TD-001", "TD-002"}


def test_the_locality_search_offers_code_or_ward_and_district(staff_client, scene):
    results = staff_client.get(reverse("cadres:locality_search"), {"q": "Phú Cường", "day": "2021-08-17"}).json()
    assert results["results"][0]["value"] == "Phú Cường, Thủ Dầu Một"
    results = staff_client.get(reverse("cadres:locality_search"), {"q": "Dĩ An"}).json()
    assert results["results"][0]["value"] == "724"


def _decision_for(kind, symbol, issuing_body, number):
    unit = ProvincialUnitFactory(kind=kind, document_symbol=symbol, issuing_body=issuing_body, place="Bình Dương")
    decision = DecisionFactory(
        campaign=CampaignFactory(organising_unit=unit),
        number=number,
        signed_on=D(2021, 8, 16),
        signing_authority="TM. BAN THƯỜNG VỤ",
    )
    AssignmentFactory(
        campaign=decision.campaign,
        decision=decision,
        cadre=CadreFactory(full_name="Trương Đinh Ngọc Mai"),
        locality=LocalityFactory(name="Phú Cường", parent=LocalityFactory(kind=LocalityKind.CITY, name="Thủ Dầu Một")),
        host_organisation="Thành đoàn Thủ Dầu Một",
    )
    return decision


@pytest.mark.parametrize(
    ("kind", "symbol", "issuing_body", "number", "heading", "number_line"),
    [
        (
            UnitKind.STATE,
            "QĐ-UBND",
            "ỦY BAN NHÂN DÂN TỈNH BÌNH DƯƠNG",
            123,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Số: 123/QĐ-UBND",
        ),
        (UnitKind.PARTY, "QĐ/TU", "TỈNH ỦY BÌNH DƯƠNG", 45, "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 45-QĐ/TU"),
        (
            UnitKind.YOUTH_UNION,
            "QĐ/TĐTN-BTC",
            "BCH ĐOÀN TỈNH BÌNH DƯƠNG",
            12,
            "ĐOÀN TNCS HỒ CHÍ MINH",
            "Số: 12-QĐ/TĐTN-BTC",
        ),
        # The Women's Union, the Fatherland Front...: the national motto, like a state body.
        (UnitKind.MASS, "QĐ-HPN", "HỘI LIÊN HIỆP PHỤ NỮ TỈNH", 7, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 7/QĐ-HPN"),
    ],
)
def test_the_print_page_has_the_heading_of_the_issuer_kind(
    staff_client, kind, symbol, issuing_body, number, heading, number_line
):
    decision = _decision_for(kind, symbol, issuing_body, number)
    content = staff_client.get(reverse("cadres:decision_print", args=[decision.pk])).content.decode()
    assert heading in content and number_line in content and issuing_body in content
    others = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐOÀN TNCS HỒ CHÍ MINH"} - {heading}
    assert not any(other in content for other in others)
    if heading.startswith("CỘNG HÒA"):
        assert "Độc lập - Tự do - Hạnh phúc" in content
    for part in ("Bình Dương, ngày 16 tháng 8 năm 2021", "QUYẾT ĐỊNH", "Điều 1.", "Điều 2.", "Điều 3.", "Nơi nhận:"):
        assert part in content, part
    assert content.index("QUYẾT ĐỊNH") < content.index("Điều 1.") < content.index("Nơi nhận:") < content.index("STT")


def test_the_print_page_lists_the_cadres_in_a_table(staff_client):
    decision = _decision_for(UnitKind.YOUTH_UNION, "QĐ/TĐTN-BTC", "BCH ĐOÀN TỈNH BÌNH DƯƠNG", 12)
    content = staff_client.get(reverse("cadres:decision_print", args=[decision.pk])).content.decode()
    table = content[content.index('class="cadre-table"') :]
    for cell in (
        "Họ và tên",
        "Trương Đinh Ngọc Mai",
        "Phú Cường",
        "Thành đoàn Thủ Dầu Một",
        "17/08/2021",
        "15/09/2021",
    ):
        assert cell in table, cell
    assert "css/print.css" in content


def test_dates_on_documents_pad_early_days_and_months():
    assert place_and_date("Bình Dương", D(2021, 8, 16)) == "Bình Dương, ngày 16 tháng 8 năm 2021"
    assert place_and_date("Bình Dương", D(2021, 2, 5)) == "Bình Dương, ngày 05 tháng 02 năm 2021"


def test_the_detail_lists_the_assignments(staff_client):
    decision = _decision_for(UnitKind.YOUTH_UNION, "QĐ/TĐTN-BTC", "BCH ĐOÀN TỈNH BÌNH DƯƠNG", 12)
    response = staff_client.get(reverse("cadres:decision_detail", args=[decision.pk]))
    assert [a.cadre.full_name for a in response.context["assignments"]] == ["Trương Đinh Ngọc Mai"]


def test_a_row_taken_by_a_concurrent_request_is_shown_on_its_row(staff_client, scene, monkeypatch):
    from cadres import services

    def taken_meanwhile(**kwargs):
        raise DecisionRowError(["Nguyễn Tùng Lâm đã được phân công."], row=1)

    monkeypatch.setattr(services, "decision_create", taken_meanwhile)
    response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM]))
    assert response.status_code == 200
    rows = response.context["rows"].forms
    assert "Nguyễn Tùng Lâm đã được phân công." in rows[1].non_field_errors()
    assert not rows[0].errors
    assert Decision.objects.count() == 0


def test_the_empty_row_template_is_there_for_adding_rows(staff_client, scene):
    content = staff_client.get(_url(scene)).content.decode()
    template = content[content.index('<template id="decision-row-template">') :]
    assert 'name="rows-__prefix__-cadre"' in template[: template.index("</template>")]
    assert "js/decision_form.js" in content


def test_a_conflict_names_the_decision_the_cadre_is_already_on_and_links_to_it(staff_client, scene):
    earlier = DecisionFactory(
        campaign=scene["campaign"], issuing_unit=scene["unit"], number=98, signed_on=D(2021, 8, 1)
    )
    AssignmentFactory(
        cadre=scene["lam"],
        campaign=scene["campaign"],
        decision=earlier,
        locality=scene["phu_cuong"],
        starts_on=D(2021, 8, 1),
    )
    with translation.override("vi"):
        response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM]))
        link_text = translation.gettext("Open the decision")
    [message] = response.context["rows"].forms[1].errors["cadre"]
    assert "98-QĐ/TĐTN-BTC" in message
    html = response.content.decode()
    assert f'<a href="{reverse("cadres:decision_detail", args=[earlier.pk])}">{link_text}</a>' in html


def test_a_conflict_without_a_decision_names_and_links_to_the_campaign(staff_client, scene):
    other = CampaignFactory(name="Chiến dịch <hè> & tình nguyện", starts_on=D(2021, 7, 1), ends_on=D(2021, 9, 30))
    AssignmentFactory(cadre=scene["lam"], campaign=other, locality=scene["phu_cuong"], starts_on=D(2021, 8, 1))
    with translation.override("vi"):
        response = staff_client.post(_url(scene), _post_data(scene, [MAI, LAM]))
        link_text = translation.gettext("Open the campaign")
    [message] = response.context["rows"].forms[1].errors["cadre"]
    assert "Chiến dịch <hè> & tình nguyện" in message
    html = response.content.decode()
    assert "Chiến dịch &lt;hè&gt; &amp; tình nguyện" in html and "<hè>" not in html
    assert f'<a href="{reverse("cadres:campaign_detail", args=[other.pk])}">{link_text}</a>' in html


LATE = {**MAI, "starts_on": "2021-09-10"}  # 30 days: to 09/10/2021, past the campaign's 30/09/2021


def test_a_row_past_the_campaigns_end_is_not_saved_at_first_and_offers_the_choice(staff_client, scene):
    with translation.override("vi"):
        response = staff_client.post(_url(scene), _post_data(scene, [LATE]))
    assert response.status_code == 200
    [row] = response.context["rows"].forms[:1]
    assert row.has_error("__all__", "past_campaign_end")
    html = response.content.decode()
    assert (
        'type="checkbox" name="rows-0-keep_full_length"' in html
        and "checked" not in html.split("keep_full_length")[1][:40]
    )
    assert 'name="rows-0-past_end_warned" value="2021-10-09"' in html
    assert 'name="rows-1-keep_full_length"' not in html
    assert Decision.objects.count() == 0 and Assignment.objects.count() == 0


def test_confirming_without_keeping_the_full_length_ends_on_the_campaigns_last_day(staff_client, scene):
    response = staff_client.post(_url(scene), _post_data(scene, [{**LATE, "past_end_warned": "2021-10-09"}]))
    assert response.status_code == 302
    [assignment] = Assignment.objects.all()
    assert (assignment.starts_on, assignment.ends_on) == (D(2021, 9, 10), D(2021, 9, 30))


def test_keeping_the_full_length_runs_past_the_campaigns_end(staff_client, scene):
    row = {**LATE, "past_end_warned": "2021-10-09", "keep_full_length": "on"}
    response = staff_client.post(_url(scene), _post_data(scene, [row]))
    assert response.status_code == 302
    [assignment] = Assignment.objects.all()
    assert assignment.ends_on == D(2021, 10, 9)


def test_a_start_date_changed_after_the_warning_is_warned_again(staff_client, scene):
    row = {**LATE, "starts_on": "2021-09-12", "past_end_warned": "2021-10-09"}
    response = staff_client.post(_url(scene), _post_data(scene, [row]))
    assert response.status_code == 200
    assert response.context["rows"].forms[0].has_error("__all__", "past_campaign_end")
    assert Assignment.objects.count() == 0


def test_a_row_within_the_campaign_shows_no_choice(staff_client, scene):
    AssignmentFactory(cadre=scene["mai"], starts_on=D(2021, 8, 1))
    response = staff_client.post(_url(scene), _post_data(scene, [MAI]))
    assert not response.context["rows"].forms[0].has_error("__all__", "past_campaign_end")
    assert "keep_full_length" not in response.content.decode()
