"""Every form of the project, posted with generated bad input: never a 500, never a row for invalid input.

Each test starts from a plausible, valid submission and lets hypothesis replace
fields with long strings, control characters (NUL included), other scripts, emoji,
impossible dates, wrong types and lists, drop fields, and add fields nobody asked
for. One set of objects serves all the examples of a test. When the answer is not
the redirect of a saved form, the database must be as it was.
"""

import datetime
import uuid
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadres.models import Assignment, Cadre, Campaign, Decision, Quota
from localities.models import ZoneStatus
from reports.models import DailyNote, Escalation, MissionReport, Recommendation
from shared.concurrency import version_of
from tests.factories import TEST_PASSWORD, CadreFactory, CampaignFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Lone surrogates cannot be encoded in a request; everything else can.
CHARACTERS = st.characters(blacklist_categories=("Cs",))
SHORT_TEXT = st.text(alphabet=CHARACTERS, max_size=40)
OTHER_SCRIPTS = st.sampled_from(
    ["中华人民共和国", "مرحبا بالعالم", "Привет", "Nguyễn Thị Ánh", "😷🦠💉👩🏽‍⚕️", "\u200b\u202e\ufeff", "Ⅻ ½ ٣"]
)
CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=6).map(lambda s: f"a{s}\x00b")
LONG = st.text(alphabet=CHARACTERS, min_size=1, max_size=4).map(lambda s: (s * 10_000)[:10_000])
BAD_DATES = st.sampled_from(
    ["0000-00-00", "9999-12-31", "31/02/2021", "2021-02-31", "0001-01-01", "99999-01-01", "2021-13-01", "-1", "16/8"]
)
WRONG_TYPES = st.sampled_from(
    ["abc", "12a", "-1", "0", "1e400", "NaN", "inf", "99999999999999999999999", "3.5", "true", "None", "[]", "{}"]
)
SCALAR = st.one_of(SHORT_TEXT, OTHER_SCRIPTS, CONTROL, LONG, BAD_DATES, WRONG_TYPES, st.integers().map(str))
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))
EXTRA_FIELDS = st.dictionaries(
    st.sampled_from(["id", "pk", "user", "cadre", "status", "is_superuser", "created_by", "extra", "year"]),
    VALUE,
    max_size=3,
)


def form_data(valid: dict) -> st.SearchStrategy:
    """`valid` with each field kept, replaced by a bad value, or left out; and perhaps extra fields."""

    def field(value):
        return st.one_of(st.just(value), VALUE, st.none())

    return st.tuples(st.fixed_dictionaries({name: field(value) for name, value in valid.items()}), EXTRA_FIELDS).map(
        lambda parts: {**parts[1], **{k: v for k, v in parts[0].items() if v is not None}}
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    return client


def rows_of(*models) -> dict:
    return {model.__name__: model.objects.count() for model in models}


def state_of(*instances) -> list[dict]:
    """What is stored of these objects now."""
    return [model_to_dict(type(instance).objects.get(pk=instance.pk)) for instance in instances]


def post_and_check(client, url: str, data: dict, *, models, instances=(), saved=(302,), **extra):
    """Post; assert no server error, and that nothing changed unless the answer says it was saved."""
    before = (rows_of(*models), state_of(*instances))
    response = client.post(url, data, **extra)
    assert response.status_code < 500, f"{url} answered {response.status_code} to {data!r:.300}"
    if response.status_code not in saved:
        assert (rows_of(*models), state_of(*instances)) == before, f"{url} wrote for invalid input {data!r:.300}"
    return response


# Login and password.


@FUZZ
@given(data=form_data({"username": "someone", "password": "wrong"}), page=st.sampled_from(["login", "admin:login"]))
def test_login_survives_bad_input(db, data, page):
    client = Client(raise_request_exception=False)
    post_and_check(client, reverse(page), data, models=[User])


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_a_username_longer_than_allowed_is_a_form_error(db, page):
    # It used to reach django-axes, whose record of the failure PostgreSQL refused (varchar 255): a 500.
    client = Client(raise_request_exception=False)
    response = client.post(reverse(page), {"username": "0" * 10_000, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].has_error("username", "max_length")


@pytest.fixture
def password_user(db):
    return StaffUserFactory()


@FUZZ
@given(
    data=form_data(
        {"old_password": TEST_PASSWORD, "new_password1": "Một mật khẩu dài 2021", "new_password2": "khác hẳn"}
    )
)
def test_password_change_survives_bad_input(password_user, data):
    client = client_for(password_user)
    post_and_check(client, reverse("password_change"), data, models=[User], instances=[password_user])


# Campaigns, quotas, decisions.


@pytest.fixture
def fuzz_world(mission_world):
    staff_user = StaffUserFactory()
    CadreFactory(code="CB-FUZZ-1")  # free to be assigned by a decision
    quota = Quota.objects.get(campaign=mission_world["campaign"])
    return {**mission_world, "quota": quota, "staff_user": staff_user, "staff": client_for(staff_user)}


def _campaign_data(world) -> dict:
    campaign = world["campaign"]
    return {
        "name": "30 ngày đồng hành cùng cơ sở",
        "organising_unit": str(campaign.organising_unit_id),
        "purpose": "Hỗ trợ cơ sở phòng, chống dịch.",
        "assignment_days": "30",
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
    }


@FUZZ
@given(data=st.data())
def test_campaign_create_survives_bad_input(fuzz_world, data):
    posted = data.draw(form_data(_campaign_data(fuzz_world)))
    post_and_check(fuzz_world["staff"], reverse("cadres:campaign_create"), posted, models=[Campaign])


@FUZZ
@given(data=st.data())
def test_campaign_edit_survives_bad_input(fuzz_world, data):
    campaign = fuzz_world["campaign"]
    posted = data.draw(form_data(_campaign_data(fuzz_world)))
    url = reverse("cadres:campaign_edit", args=[campaign.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Campaign], instances=[campaign])


def _management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@FUZZ
@given(data=st.data())
def test_quota_formset_survives_bad_input(fuzz_world, data):
    campaign = fuzz_world["campaign"]
    quota = fuzz_world["quota"]
    valid = {
        **_management("form", 2, 1),
        "form-0-id": str(quota.pk),
        "form-0-unit": str(quota.unit_id),
        "form-0-locality": "Đông Hòa, Dĩ An",
        "form-0-count": "3",
        "form-1-unit": str(quota.unit_id),
        "form-1-locality": "",
        "form-1-count": "1",
        "form-1-DELETE": "",
    }
    posted = data.draw(form_data(valid))
    url = reverse("cadres:campaign_quotas", args=[campaign.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Quota])


@FUZZ
@given(data=st.data())
def test_decision_create_survives_bad_input(fuzz_world, data):
    campaign = fuzz_world["campaign"]
    valid = {
        "number": "77",
        "signed_on": campaign.starts_on.isoformat(),
        "issuing_unit": str(campaign.organising_unit_id),
        "summary": "Về việc phân công cán bộ",
        "legal_bases": "Căn cứ Điều lệ Đoàn",
        "signing_authority": "TM. BAN THƯỜNG VỤ",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Văn Ký",
        "recipients": "Như Điều 1",
        **_management("rows", 1),
        "rows-0-cadre": "CB-FUZZ-1",
        "rows-0-locality": "Đông Hòa, Dĩ An",
        "rows-0-host_organisation": "Thành đoàn Dĩ An",
        "rows-0-starts_on": fuzz_world["today"].isoformat(),
    }
    posted = data.draw(form_data(valid))
    url = reverse("cadres:decision_create", args=[campaign.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Decision, Assignment])


# Assignments and cadres.


@FUZZ
@given(data=st.data())
def test_assignment_edit_survives_bad_input(fuzz_world, data):
    assignment = fuzz_world["own"]["assignment"]
    valid = {
        "locality": str(assignment.locality_id),
        "host_organisation": "Thành đoàn Dĩ An",
        "tasks": "Hỗ trợ lấy mẫu",
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat(),
        "version": version_of(assignment),
    }
    posted = data.draw(form_data(valid))
    url = reverse("cadres:assignment_edit", args=[assignment.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Assignment], instances=[assignment])


@FUZZ
@given(data=st.data(), action=st.sampled_from(["extend", "recall", "replace"]))
def test_assignment_actions_survive_bad_input(fuzz_world, data, action):
    assignment = fuzz_world["own"]["assignment"]
    today = fuzz_world["today"]
    valid = {
        "extend": {"ends_on": (assignment.ends_on + datetime.timedelta(days=5)).isoformat()},
        "recall": {"on": today.isoformat(), "reason": "Sức khỏe"},
        "replace": {"replacement": fuzz_world["others"]["cadre"].code, "on": today.isoformat(), "reason": "Thay"},
    }[action]
    posted = data.draw(form_data({**valid, "version": version_of(assignment)}))
    url = reverse(f"cadres:assignment_{action}", args=[assignment.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Assignment], instances=[assignment])


def _cadre_data(cadre) -> dict:
    return {
        "code": "CB-FUZZ-2",
        "full_name": "Trần Thị Bình",
        "position": "Chuyên viên",
        "unit": str(cadre.unit_id),
        "phone": "0912 345 678",
        "email": "binh@example.org",
        "is_party_member": "on",
        "is_active": "on",
    }


@FUZZ
@given(data=st.data())
def test_cadre_create_survives_bad_input(fuzz_world, data):
    posted = data.draw(form_data(_cadre_data(fuzz_world["own"]["cadre"])))
    post_and_check(fuzz_world["staff"], reverse("cadres:cadre_create"), posted, models=[Cadre])


@FUZZ
@given(data=st.data())
def test_cadre_edit_survives_bad_input(fuzz_world, data):
    cadre = fuzz_world["own"]["cadre"]
    posted = data.draw(form_data({**_cadre_data(cadre), "code": cadre.code}))
    url = reverse("cadres:cadre_edit", args=[cadre.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[Cadre], instances=[cadre])


UPLOAD_NAMES = st.sampled_from(["danh-sach.xlsx", "danh-sach.csv", "virus.exe", "ảnh.png", "", "a" * 300 + ".csv"])
CSV_HEADER = "Họ và tên,Chức vụ,Đơn vị,Phòng ban,Điện thoại,Email,Đảng viên,Mã cán bộ\n"
UPLOAD_BODIES = st.one_of(
    st.binary(max_size=2_000),
    st.lists(VALUE.map(str), min_size=1, max_size=8).map(lambda cells: (CSV_HEADER + ",".join(cells)).encode("utf-8")),
    st.just(b"PK\x03\x04" + b"\x00" * 100),  # the start of a zip, cut short: a corrupt .xlsx
    st.just(b'=HYPERLINK("http://x","y"),=1+1,@SUM(A1),-2+3,+1,x,y,CB-1'),
)


@FUZZ
@given(name=UPLOAD_NAMES, body=UPLOAD_BODIES, extra=EXTRA_FIELDS)
def test_roster_import_survives_bad_files(fuzz_world, name, body, extra):
    upload = SimpleUploadedFile(name or "x", body) if name else ""
    data = {**extra, "file": upload}
    post_and_check(fuzz_world["staff"], reverse("cadres:roster_import"), data, models=[Cadre])


@FUZZ
@given(data=st.data())
def test_locality_grading_survives_bad_input(fuzz_world, data):
    locality = fuzz_world["locality"]
    valid = {
        "grading": "locked_down",
        "valid_from": fuzz_world["today"].isoformat(),
        "directive": "Chỉ thị 16/CT-TTg",
        "note": "Khóa chặt, đông cứng",
    }
    posted = data.draw(form_data(valid))
    url = reverse("cadres:locality_grade", args=[locality.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[ZoneStatus])


# The cadre's side: notes, escalations, the report.

NOTE_MODELS = [DailyNote, Escalation]


def _note_data(day: datetime.date) -> dict:
    return {
        "day": day.isoformat(),
        "activities": ["door_to_door", "testing"],
        "other_activities": "Phát quà",
        "situation": "Ổn định",
        "difficulties": "Thiếu người",
        "needs": "Khẩu trang",
        "health": "well",
        "client_key": str(uuid.uuid4()),
    }


PHOTOS = st.one_of(
    st.none(),
    st.binary(max_size=500).map(lambda body: SimpleUploadedFile("anh.jpg", body, content_type="image/jpeg")),
)


@FUZZ
@given(data=st.data(), photo=PHOTOS, as_json=st.booleans())
def test_note_create_survives_bad_input(fuzz_world, data, photo, as_json):
    own = fuzz_world["own"]
    yesterday = fuzz_world["today"] - datetime.timedelta(days=1)
    posted = data.draw(form_data(_note_data(yesterday)))
    if photo is not None:
        posted["photo"] = photo
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    saved = (200, 302) if as_json else (302,)
    response = post_and_check(
        client_for(own["cadre"].user),
        reverse("reports:note_create"),
        posted,
        models=NOTE_MODELS,
        saved=saved,
        **headers,
    )
    if as_json and response.status_code == 200:
        assert response.json()["ok"] is True


@FUZZ
@given(data=st.data(), photo=PHOTOS)
def test_note_edit_survives_bad_input(fuzz_world, data, photo):
    note = fuzz_world["own"]["note"]
    posted = data.draw(form_data(_note_data(note.day)))
    if photo is not None:
        posted["photo"] = photo
    url = reverse("reports:note_edit", args=[note.pk])
    post_and_check(client_for(note.assignment.cadre.user), url, posted, models=NOTE_MODELS, instances=[note])


@FUZZ
@given(data=st.data(), from_note=st.one_of(st.booleans(), SCALAR))
def test_escalation_create_survives_bad_input(fuzz_world, data, from_note):
    own = fuzz_world["own"]
    valid = {
        "subject": "Thiếu nhân lực",
        "description": "Phường cần thêm người lấy mẫu.",
        "category": "staffing",
        "urgency": "urgent",
        "client_key": str(uuid.uuid4()),
    }
    posted = data.draw(form_data(valid))
    note = own["note"].pk if from_note is True else from_note
    url = reverse("reports:escalation_create") + (f"?{urlencode({'note': note})}" if note else "")
    post_and_check(client_for(own["cadre"].user), url, posted, models=[Escalation])


@FUZZ
@given(data=st.data(), submit=st.booleans())
def test_report_edit_survives_bad_input(fuzz_world, data, submit):
    own = fuzz_world["own"]
    valid = {
        "results": "Hỗ trợ lấy mẫu",
        "local_work": "Cơ sở Đoàn hoạt động tốt",
        "difficulties": "Thiếu người",
        **_management("recommendations", 2),
        "recommendations-0-text": "Bổ sung trang thiết bị",
        "recommendations-0-addressed_to": "province",
        "recommendations-1-text": "",
        "recommendations-1-addressed_to": "local",
        "version": version_of(MissionReport.objects.filter(assignment=own["assignment"]).first()),
    }
    posted = data.draw(form_data(valid))
    if submit:
        posted["submit"] = "1"
    url = reverse("reports:report_edit", args=[own["assignment"].pk])
    post_and_check(client_for(own["cadre"].user), url, posted, models=[MissionReport, Recommendation])


# Staff answers: escalations, reports, recommendations.


@FUZZ
@given(data=st.data(), action=st.sampled_from(["assign", "answer", "resolve", "reopen", "other", ""]))
def test_escalation_manage_survives_bad_input(fuzz_world, data, action):
    escalation = fuzz_world["own"]["escalation"]
    valid = {
        "action": action,
        "assigned_to": str(fuzz_world["staff_user"].pk),
        "answer": "Tỉnh đã điều thêm người.",
        "resolve": "on",
        "version": version_of(Escalation.objects.get(pk=escalation.pk)),
    }
    posted = data.draw(form_data(valid))
    url = reverse("reports:escalation_manage", args=[escalation.pk])
    # The resolve and reopen buttons change the escalation with no field to check, and redirect.
    post_and_check(fuzz_world["staff"], url, posted, models=[Escalation], instances=[escalation])


@FUZZ
@given(data=st.data())
def test_report_review_survives_bad_input(fuzz_world, data):
    report = fuzz_world["own"]["report"]
    valid = {
        "decision": "accept",
        "rating": "excellent",
        "comment": "Hoàn thành xuất sắc",
        "version": version_of(MissionReport.objects.get(pk=report.pk)),
    }
    posted = data.draw(form_data(valid))
    url = reverse("reports:report_review", args=[report.pk])
    post_and_check(fuzz_world["staff"], url, posted, models=[MissionReport], instances=[report])


@FUZZ
@given(data=st.data(), with_next=st.booleans())
def test_recommendation_update_survives_bad_input(fuzz_world, data, with_next):
    recommendation = fuzz_world["own"]["recommendation"]
    prefix = f"r{recommendation.pk}"
    valid = {
        f"{prefix}-status": "in_progress",
        f"{prefix}-owner": "",
        f"{prefix}-response": "Đang xử lý",
        f"{prefix}-version": version_of(recommendation),
    }
    posted = data.draw(form_data(valid))
    if with_next:
        posted["next"] = data.draw(st.one_of(SCALAR, st.just("//evil.example.org/"), st.just("/reports/")))
    url = reverse("reports:recommendation_update", args=[recommendation.pk])
    response = post_and_check(fuzz_world["staff"], url, posted, models=[Recommendation], instances=[recommendation])
    if response.status_code == 302:
        assert not response.url.startswith(("//", "http"))


# Regressions found by the fuzzing.


def test_a_decision_row_starting_at_the_end_of_the_calendar_is_a_form_error(fuzz_world):
    # The row's end (start + the campaign's length) overflowed the date type: a 500.
    campaign = CampaignFactory(starts_on=datetime.date(9999, 12, 1), ends_on=datetime.date(9999, 12, 31))
    data = {
        "number": "1",
        "signed_on": "9999-12-01",
        "issuing_unit": str(campaign.organising_unit_id),
        "summary": "Về việc phân công cán bộ",
        "signer_position": "BÍ THƯ",
        "signer_name": "Nguyễn Văn Ký",
        **_management("rows", 1),
        "rows-0-cadre": "CB-FUZZ-1",
        "rows-0-locality": "Đông Hòa, Dĩ An",
        "rows-0-starts_on": "9999-12-31",
    }
    url = reverse("cadres:decision_create", args=[campaign.pk])
    response = post_and_check(fuzz_world["staff"], url, data, models=[Decision, Assignment])
    assert response.status_code == 200
    assert response.context["rows"].forms[0].has_error("starts_on", "too_late")


def test_the_dashboard_shows_today_for_a_day_beyond_the_calendar(fuzz_world):
    # Counting the assignments ending within a week of 31/12/9999 overflowed: a 500.
    response = fuzz_world["staff"].get(reverse("cadres:dashboard"), {"day": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["day"] == fuzz_world["today"]


@pytest.mark.parametrize("query", [{"date_from": "9999-12-31"}, {"date_to": "0001-01-01"}, {"day": "9999-12-31"}])
def test_the_compliance_grid_refuses_a_day_beyond_the_calendar(fuzz_world, query):
    # Completing the range from one end (a week after 31/12/9999) overflowed: a 500.
    response = fuzz_world["staff"].get(reverse("reports:compliance"), query)
    assert response.status_code == 200
    assert response.context["form"].has_error(next(iter(query)), "out_of_range")


@pytest.mark.parametrize("page", ["cadres:cadre_search", "cadres:locality_search"])
def test_a_search_with_a_nul_character_answers_without_it(fuzz_world, page):
    # The raw parameter reached PostgreSQL, which refuses NUL in a string: a 500.
    response = fuzz_world["staff"].get(reverse(page), {"q": "Đông\x00 Hòa"})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_roster_with_nul_characters_is_refused_as_not_utf8(fuzz_world, encoding):
    # Its codes reached PostgreSQL, which refuses NUL in a string: a 500.
    unit = fuzz_world["campaign"].organising_unit.name
    row = f"Nguyễn Văn An,Chuyên viên,{unit},,0912 345 678,an@example.vn,có,CB-\x0001\n"
    upload = SimpleUploadedFile("danh-sach.csv", (CSV_HEADER + row).encode(encoding))
    response = post_and_check(fuzz_world["staff"], reverse("cadres:roster_import"), {"file": upload}, models=[Cadre])
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "encoding")


@pytest.mark.parametrize("next_url", ["0", "recommendation_list", "//evil.example.org/", "https://evil.example.org/"])
def test_a_recommendation_saved_with_a_strange_next_goes_back_to_the_list(fuzz_world, next_url):
    # A bare word was taken by redirect() for a URL name: NoReverseMatch, a 500.
    recommendation = fuzz_world["own"]["recommendation"]
    prefix = f"r{recommendation.pk}"
    data = {
        f"{prefix}-status": "in_progress",
        f"{prefix}-owner": "",
        f"{prefix}-response": "Đang xử lý",
        f"{prefix}-version": version_of(recommendation),
        "next": next_url,
    }
    response = fuzz_world["staff"].post(reverse("reports:recommendation_update", args=[recommendation.pk]), data)
    assert response.status_code == 302
    assert response.url == reverse("reports:recommendation_list")


@pytest.mark.parametrize("note", ["²", "٣", "99999999999999999999999", "0" * 10_000, "-1"])
def test_an_escalation_from_a_note_that_is_not_a_number_is_not_found(fuzz_world, note):
    # "²" passed str.isdigit() and then failed as a primary key: a 500.
    client = client_for(fuzz_world["own"]["cadre"].user)
    url = reverse("reports:escalation_create")
    assert client.get(url, {"note": note}).status_code in (200, 404)
    response = post_and_check(client, f"{url}?note={note}", {"subject": "Thiếu người"}, models=[Escalation])
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("page", ["cadres:campaign_list", "cadres:cadre_list", "reports:notes_inbox"])
def test_a_search_of_thousands_of_words_answers(fuzz_world, page):
    # One condition per word: SQLite refused the query ("Expression tree is too large"), a 503.
    # Spaces, not line breaks: a search box is one line (shared/text_validators.py) and refuses those.
    response = fuzz_world["staff"].get(reverse(page), {"q": "0 " * 5_000})
    assert response.status_code == 200


# The filters of the lists and the days of the pages are forms too, sent by GET.

QUERY_NAMES = [
    "q", "day", "date_from", "date_to", "active_on", "running_on", "status", "campaign", "locality", "unit",
    "page", "show", "grading", "parent", "category", "urgency", "addressed_to", "owner", "rating", "level",
]  # fmt: skip
STAFF_PAGES = [
    "cadres:dashboard", "cadres:unit_list", "cadres:campaign_list", "cadres:assignment_list", "cadres:cadre_list",
    "cadres:cadre_search", "cadres:locality_search", "cadres:locality_list", "reports:notes_inbox",
    "reports:compliance", "reports:escalation_inbox", "reports:report_list", "reports:recommendation_list",
]  # fmt: skip
OBJECT_PAGES = {"cadres:locality_detail": "locality", "cadres:campaign_detail": "campaign"}


@FUZZ
@given(
    page=st.sampled_from(STAFF_PAGES + list(OBJECT_PAGES)),
    query=st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(SCALAR, BAD_DATES, st.lists(BAD_DATES, max_size=2))),
)
def test_list_filters_survive_bad_input(fuzz_world, page, query):
    args = [fuzz_world[OBJECT_PAGES[page]].pk] if page in OBJECT_PAGES else []
    response = fuzz_world["staff"].get(reverse(page, args=args), query)
    assert response.status_code < 500, f"{page} answered {response.status_code} to {query!r:.300}"
