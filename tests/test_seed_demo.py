import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit
from demo.records import COMING_CAMPAIGN, FREE_CADRES
from localities.models import Grading, Locality, ZoneStatus, as_on
from reports.models import DailyNote, Escalation, MissionReport
from shared.models import DataVersion

pytestmark = pytest.mark.django_db
MODELS = [
    Locality,
    ZoneStatus,
    ProvincialUnit,
    Cadre,
    Campaign,
    Decision,
    Assignment,
    DailyNote,
    Escalation,
    MissionReport,
]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    assert first["Cadre"] >= 30


def test_seed_demo_loads_the_2021_deployment():
    call_command("seed_demo", stdout=io.StringIO())
    # Bình Dương's nine districts as the statistics office lists them, every demo ward with its code and place.
    districts = Locality.objects.districts().filter(parent__code="74")
    assert set(districts.values_list("code", flat=True)) == {str(code) for code in range(718, 727)}
    # Hồ Chí Minh City as it was in 2021 too, with its own districts, which it kept (code 79) on 01/07/2025.
    old_city = Locality.objects.get(code="79", valid_to=datetime.date(2025, 6, 30))
    assert old_city.children.count() >= 20
    assert old_city.successors.get().predecessors.filter(code="74").exists()
    wards_2021 = Locality.objects.filter(assignments__starts_on__year=2021).distinct()
    assert wards_2021 and all(ward.code and ward.latitude and ward.longitude for ward in wards_2021)
    mai = Cadre.objects.get(full_name="Trương Đinh Ngọc Mai")
    assert mai.unit.name == "Ban Thanh thiếu nhi Trường học"
    assert mai.unit.parent.name == "Tỉnh đoàn Bình Dương"
    assignment = mai.assignments.get(starts_on__year=2021)
    assert assignment.host_organisation == "Thành đoàn Thủ Dầu Một"
    assert assignment.decision.signed_on == datetime.date(2021, 8, 16)
    assert assignment.length_days == 30
    assert Assignment.objects.filter(decision=assignment.decision).count() == 6
    tai = Cadre.objects.get(full_name="Trịnh Đức Tài").assignments.get(starts_on__year=2021)
    assert tai.locality.name == "Tân Phước Khánh" and tai.locality.parent.name == "Tân Uyên"
    assert tai.locality.grading_on(datetime.date(2021, 8, 25)).grading == Grading.LOCKED_DOWN
    assert mai.user.check_password("dong-hanh-2021")


def test_the_demo_reads_2021_as_it_was_and_works_on_todays_units_now():
    call_command("seed_demo", stdout=io.StringIO())
    tan_uyen = Locality.objects.districts().get(code="723")
    with translation.override("vi"):
        assert as_on([tan_uyen], datetime.date(2021, 8, 25))[0].display_name == "Thị xã Tân Uyên"
        assert as_on([tan_uyen], datetime.date(2024, 1, 1))[0].display_name == "Thành phố Tân Uyên"
        tan_vinh_hiep = tan_uyen.children.get(name="Tân Vĩnh Hiệp")
        assert as_on([tan_vinh_hiep], datetime.date(2021, 8, 25))[0].display_name == "Xã Tân Vĩnh Hiệp"
    # The campaign running today sends cadres to the wards of Hồ Chí Minh City, which exist since 01/07/2025.
    today = Assignment.objects.filter(starts_on__year__gte=2025).select_related("locality__parent")
    assert today.count() >= 4
    for assignment in today:
        assert assignment.locality.valid_from == datetime.date(2025, 7, 1)
        assert assignment.locality.parent.code == "79" and assignment.locality.parent.parent_id is None
    tai = Assignment.objects.get(cadre__code="HDND-001", starts_on__year__gte=2025).locality
    assert tai.name == "Tân Khánh" and tai.predecessors.filter(name="Tân Phước Khánh").exists()


def _every_count() -> dict[str, int]:
    """Rows of every model, the historical ones (django-simple-history) included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_run_again_changes_nothing_history_included():
    call_command("seed_demo", stdout=io.StringIO())
    counts = _every_count()
    versions = dict(DataVersion.objects.values_list("topic", "number"))
    gradings = sorted(ZoneStatus.objects.values_list("pk", "grading", "valid_from", "valid_to"))
    call_command("seed_demo", stdout=io.StringIO())
    assert _every_count() == counts
    assert counts["localities.HistoricalZoneStatus"] > 0
    # Nothing was saved at all: no data version moved, no grading was reopened.
    assert dict(DataVersion.objects.values_list("topic", "number")) == versions
    assert sorted(ZoneStatus.objects.values_list("pk", "grading", "valid_from", "valid_to")) == gradings


def test_each_locality_has_one_grading_in_force_after_loading_twice():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    open_ended = Locality.objects.annotate(n=Count("zone_statuses", filter=Q(zone_statuses__valid_to__isnull=True)))
    graded = open_ended.filter(pk__in=ZoneStatus.objects.values("locality_id"))
    assert graded.count() >= 40
    assert set(graded.values_list("n", flat=True)) == {1}


# The walk-through of the README: what a first visitor does with the demo works on the first try.


@pytest.fixture
def demo_staff(db):
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(username="vanphong"))
    return client


def _free_on(day: datetime.date):
    return Cadre.objects.active().exclude(assignments__in=Assignment.objects.active_on(day))


def test_the_demo_keeps_free_cadres_on_the_2021_dates_and_in_the_coming_campaign(db):
    call_command("seed_demo", stdout=io.StringIO())
    coming = Campaign.objects.get(name=COMING_CAMPAIGN)
    assert coming.starts_on > timezone.localdate() and not coming.assignments.exists()
    free_codes = {code for code, *_rest in FREE_CADRES}
    for day in (datetime.date(2021, 8, 17), datetime.date(2021, 8, 25), coming.starts_on):
        assert free_codes <= set(_free_on(day).values_list("code", flat=True)), day


def _header(form) -> dict[str, str]:
    """The decision's header as the form offers it, sent back unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = value.isoformat() if isinstance(value, datetime.date) else str(value or "")
    return data


def test_a_decision_for_the_coming_campaign_works_on_the_first_try(demo_staff):
    coming = Campaign.objects.get(name=COMING_CAMPAIGN)
    url = reverse("cadres:decision_create", args=[coming.pk])
    opened = demo_staff.get(url)
    rows = opened.context["rows"]
    typed = [
        # Today's units: the coming campaign's wards are those of Hồ Chí Minh City since 01/07/2025.
        ("Đặng Hoàng Yến", "Thủ Dầu Một, Hồ Chí Minh"),  # by name, as suggested
        ("Huỳnh Quốc Bảo", "Dĩ An, Hồ Chí Minh"),
        ("TD-009", "25966"),  # by code: Lái Thiêu, whose code is also the 2021 ward's
    ]
    data = {**_header(opened.context["form"]), **{f"rows-{key}": value for key, value in _management(rows).items()}}
    for index, form in enumerate(rows.forms):
        data[f"rows-{index}-starts_on"] = form["starts_on"].value().isoformat()
        if index < len(typed):
            data[f"rows-{index}-cadre"], data[f"rows-{index}-locality"] = typed[index]
    response = demo_staff.post(url, data)
    assert response.status_code == 302, [row.errors for row in response.context["rows"].forms]
    decision = Decision.objects.get(campaign=coming)
    assert response.url == reverse("cadres:decision_detail", args=[decision.pk])
    assigned = decision.assignments.order_by("cadre__code")
    assert [assignment.cadre.code for assignment in assigned] == ["TD-007", "TD-008", "TD-009"]
    assert {assignment.starts_on for assignment in assigned} == {coming.starts_on}
    assert decision.signer_name  # the header came prefilled from the Youth Union's latest decision


def _management(rows) -> dict[str, str]:
    form = rows.management_form
    return {name: str(form[name].value()) for name in form.fields}


def test_the_dashboard_chart_agrees_with_the_card_on_25_08_2021(demo_staff):
    content = demo_staff.get(reverse("cadres:dashboard"), {"day": "2021-08-25"}).content.decode()
    card = re.search(r'id="figure-cadres"[^>]*>\s*<span class="figure">(\d+)</span>', content)[1]
    bar = re.search(r"<title>25/08/2021: (\d+)</title>", content)[1]
    assert bar == card == str(Assignment.objects.active_on(datetime.date(2021, 8, 25)).count())


def test_the_demo_has_an_account_for_each_role_seeing_its_part():
    """The README's demo accounts: each opens its first page and sees its own part of the 2021 story."""
    call_command("seed_demo", stdout=io.StringIO())
    day = {"day": "2021-08-25"}
    seen = {}
    for username in ("vanphong", "tinhdoan", "bantochuc", "giamsat", "soyte", "tanuyen", "tanphuockhanh"):
        user = User.objects.get(username=username)
        assert user.check_password("dong-hanh-2021"), username
        client = Client()
        client.force_login(user)
        # A district's or ward's official opens on the cadres in the area, the others on the dashboard.
        first = "cadres:host_list" if username in ("tanuyen", "tanphuockhanh") else "cadres:dashboard"
        assert client.get(reverse("home")).url == reverse(first), username
        page = client.get(reverse("cadres:assignment_list"), {"active_on": "2021-08-25", **day})
        seen[username] = int(re.search(r'data-count="(\d+)"', page.content.decode())[1])
    active = Assignment.objects.active_on(datetime.date(2021, 8, 25))
    assert seen["vanphong"] == seen["giamsat"] == active.count()
    assert seen["tinhdoan"] == active.filter(campaign__organising_unit__short_name="Tỉnh đoàn").count() > 0
    assert seen["bantochuc"] == active.filter(campaign__organising_unit__short_name="Ban Tổ chức TU").count() > 0
    assert seen["tinhdoan"] + seen["bantochuc"] == seen["vanphong"]
    assert 0 < seen["soyte"] == active.filter(cadre__unit__short_name="Sở Y tế").count()
    assert (
        0
        < seen["tanphuockhanh"]
        < seen["tanuyen"]
        == active.filter(locality__parent__name="Tân Uyên").count() + (active.filter(locality__name="Tân Uyên").count())
    )
    assert not User.objects.get(username="soyte").is_staff  # Office roles never reach Django admin.


def test_the_demo_gives_the_host_localities_and_the_unit_something_to_do():
    call_command("seed_demo", stdout=io.StringIO())

    def client_of(username):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    day = {"day": "2021-08-25"}
    ward = client_of("tanphuockhanh").get(reverse("cadres:host_list"), day)
    assert ward.context["page"].paginator.count >= 1
    district = client_of("tanuyen").get(reverse("cadres:host_list"), day)
    assert district.context["page"].paginator.count > ward.context["page"].paginator.count
    # Bến Cát's arrivals are left unconfirmed: the organisers' dashboard shows them.
    dashboard = client_of("bantochuc").get(reverse("cadres:dashboard"), day)
    assert dashboard.context["coverage"].arrivals_unconfirmed > 0
    # A forwarded escalation, the locality's assessments, and the Department of Health's proposals.
    assert Escalation.objects.filter(local_outcome="forwarded").exists()
    review = client_of("bantochuc").get(
        reverse("reports:report_review", args=[MissionReport.objects.get(assignment__cadre__code="HDND-001").pk])
    )
    assert review.context["local_assessment"] is not None
    coming = Campaign.objects.get(name=COMING_CAMPAIGN)
    nominations = client_of("soyte").get(reverse("cadres:nomination_list", args=[coming.pk]))
    assert {n.status for n in nominations.context["nominations"]} == {"proposed", "declined"}
