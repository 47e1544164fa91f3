"""The year-end summary (reports/summary.py, /summary/): per host locality and per sending unit, for a period.

A small world in 2021: a district and two of its wards, a unit with a department and another unit. Each
figure is checked by hand, then against the list its link opens, for office staff and for scoped roles.
"""

import datetime
import io
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import RoleKind
from reports.models import Escalation, EscalationStatus, LocalAssessment, Rating, RecommendationStatus, ReportStatus
from reports.summary import Period, year_summary
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    RecommendationFactory,
    RoleFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:year_summary")
EXPORT = reverse("reports:year_summary_export")
YEAR = Period(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
IN_2021 = {"date_from": "01/01/2021", "date_to": "31/12/2021"}


def _moment(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day} 10:00"))


def _raised(escalation: Escalation, day: str) -> Escalation:
    # created_at is set on creation: moved afterwards, as a row raised that day.
    Escalation.objects.filter(pk=escalation.pk).update(created_at=_moment(day))
    return escalation


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    unit = ProvincialUnitFactory(name="Ban Tổ chức")
    department = ProvincialUnitFactory(name="Phòng Tuyên giáo", parent=unit)
    other_unit = ProvincialUnitFactory(name="Sở Y tế")
    district = LocalityFactory(name="Dĩ An", kind="city")
    ward_a = LocalityFactory(name="Đông Hòa", parent=district)
    ward_b = LocalityFactory(name="Tân Bình", parent=district)
    campaign = CampaignFactory(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2022, 12, 31))
    c1 = CadreFactory(unit=department)
    c2 = CadreFactory(unit=unit)
    c3 = CadreFactory(unit=other_unit)
    c4 = CadreFactory(unit=other_unit)

    def assign(cadre, place, starts_on, ends_on, **more):
        return AssignmentFactory(
            cadre=cadre, campaign=campaign, locality=place, starts_on=starts_on, ends_on=ends_on, **more
        )

    # Over the new year: 12 of its days in 2021.
    a1 = assign(c1, ward_a, datetime.date(2021, 12, 20), datetime.date(2022, 1, 18))
    # Left on 10/09, five days early: 25 days.
    a2 = assign(
        c2,
        ward_a,
        datetime.date(2021, 8, 17),
        datetime.date(2021, 9, 15),
        arrived_on=datetime.date(2021, 8, 17),
        left_on=datetime.date(2021, 9, 10),
    )
    a3 = assign(c3, ward_b, datetime.date(2021, 8, 17), datetime.date(2021, 9, 15))  # 30 days
    a4 = assign(c1, ward_b, datetime.date(2021, 3, 1), datetime.date(2021, 3, 10))  # 10 days
    a5 = assign(c2, ward_a, datetime.date(2020, 5, 1), datetime.date(2020, 5, 30))  # another year
    a6 = assign(c4, district, datetime.date(2021, 6, 1), datetime.date(2021, 6, 5))  # the district itself: 5 days

    _raised(EscalationFactory(assignment=a2, status=EscalationStatus.RESOLVED), "2021-08-20")
    _raised(EscalationFactory(assignment=a2), "2021-08-21")
    _raised(EscalationFactory(assignment=a5, status=EscalationStatus.RESOLVED), "2020-05-10")
    _raised(EscalationFactory(assignment=a6), "2021-06-02")

    r2 = MissionReportFactory(
        assignment=a2, status=ReportStatus.ACCEPTED, rating=Rating.EXCELLENT, submitted_at=_moment("2021-09-12")
    )
    LocalAssessment.objects.create(assignment=a2, rating=Rating.GOOD, text="Nhiệt tình.")
    r3 = MissionReportFactory(assignment=a3, submitted_at=_moment("2021-09-16"))
    r1 = MissionReportFactory(assignment=a1, submitted_at=_moment("2022-01-17"))  # another year
    MissionReportFactory(assignment=a4, status=ReportStatus.DRAFT, submitted_at=None)  # the cadre's still
    RecommendationFactory(report=r2, status=RecommendationStatus.DONE)
    RecommendationFactory(report=r2)
    RecommendationFactory(report=r3)
    RecommendationFactory(report=r1)
    return {
        "unit": unit,
        "department": department,
        "other_unit": other_unit,
        "district": district,
        "ward_a": ward_a,
        "ward_b": ward_b,
        "campaign": campaign,
    }


def _rows_by_place(summary) -> dict:
    return {row.locality.name: row.figures for row in summary.localities}


def _rows_by_unit(summary) -> dict:
    return {row.unit.name: row.figures for row in summary.units}


def test_it_counts_each_host_locality_within_the_period(world):
    summary = year_summary(StaffUserFactory(), YEAR)
    places = _rows_by_place(summary)
    assert list(places) == ["Dĩ An", "Đông Hòa", "Tân Bình"]
    ward_a = places["Đông Hòa"]
    # The 2020 mission is left out; the one over the new year counts its 2021 days, the early departure its own.
    assert (ward_a.cadres, ward_a.assignments, ward_a.days) == (2, 2, 12 + 25)
    assert (ward_a.escalations, ward_a.escalations_resolved) == (2, 1)
    # The report submitted in 2022 belongs to 2022.
    assert ward_a.reports == 1
    assert ward_a.ratings == {"excellent": 1, "good": 0, "completed": 0, "not_completed": 0}
    assert ward_a.local_ratings == {"excellent": 0, "good": 1, "completed": 0, "not_completed": 0}
    assert ward_a.recommendations == 2
    assert ward_a.recommendation_statuses["done"] == 1
    assert ward_a.recommendation_statuses["new"] == 1
    ward_b = places["Tân Bình"]
    # A draft is not a report to the province.
    assert (ward_b.cadres, ward_b.assignments, ward_b.days, ward_b.reports, ward_b.recommendations) == (2, 2, 40, 1, 1)
    assert sum(ward_b.ratings.values()) == 0
    district = places["Dĩ An"]
    assert (district.cadres, district.assignments, district.days, district.escalations) == (1, 1, 5, 1)
    total = summary.total.figures
    # c1 went to both wards: one cadre.
    assert (total.cadres, total.assignments, total.days) == (4, 5, 82)
    assert (total.escalations, total.escalations_resolved, total.reports, total.recommendations) == (3, 1, 2, 3)


def test_it_folds_departments_into_their_unit(world):
    units = _rows_by_unit(year_summary(StaffUserFactory(), YEAR))
    assert list(units) == ["Ban Tổ chức", "Sở Y tế"]
    unit = units["Ban Tổ chức"]
    assert (unit.cadres, unit.assignments, unit.days, unit.reports, unit.ratings["excellent"]) == (2, 3, 47, 1, 1)
    other = units["Sở Y tế"]
    assert (other.cadres, other.assignments, other.days, other.reports) == (2, 2, 35, 1)


def test_a_period_cuts_the_days_at_its_ends(world):
    august = Period(datetime.date(2021, 8, 20), datetime.date(2021, 8, 31))
    places = _rows_by_place(year_summary(StaffUserFactory(), august))
    assert set(places) == {"Đông Hòa", "Tân Bình"}
    assert places["Đông Hòa"].days == 12
    assert places["Tân Bình"].days == 12
    # Left before the period: the assignment counts, not a day of it.
    after_leaving = Period(datetime.date(2021, 9, 12), datetime.date(2021, 9, 14))
    ward_a = _rows_by_place(year_summary(StaffUserFactory(), after_leaving))["Đông Hòa"]
    assert (ward_a.assignments, ward_a.days) == (1, 0)


def _figure_links(html: str) -> list[tuple[str, str, int]]:
    """(figure's name, link, number shown) of every linked number of the page."""
    cells = re.findall(r'<td class="number" data-figure="([^"]+)"><a href="([^"]+)">([\d.,]+)</a></td>', html)
    return [(name, unescape(url), int(re.sub(r"\D", "", shown))) for name, url, shown in cells]


def _list_count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    counts = re.findall(r'data-count="(\d+)"', response.content.decode())
    assert len(counts) == 1, url
    return int(counts[0])


def _check_every_link(client: Client) -> list[tuple[str, str, int]]:
    response = client.get(PAGE, IN_2021)
    assert response.status_code == 200
    links = _figure_links(response.content.decode())
    for name, url, shown in links:
        assert _list_count(client, url) == shown, (name, url)
    return links


def test_each_number_opens_a_list_showing_that_number(world):
    links = _check_every_link(_client(StaffUserFactory()))
    # Every figure but the distinct cadres and the days: 3 places and the total (18 each), 2 units and the total (6).
    assert len(links) == 4 * 18 + 3 * 6
    shown = {name for name, _url, count in links if count}
    assert {"assignments", "escalations", "escalations_resolved", "reports", "ratings:excellent"} <= shown
    assert {"local_ratings:good", "recommendations", "recommendation_statuses:done"} <= shown


@pytest.mark.parametrize("kind", [RoleKind.UNIT, RoleKind.LOCALITY, RoleKind.SUPERVISOR])
def test_each_number_of_a_scoped_role_opens_its_list_showing_that_number(world, kind):
    anchor = {"unit": world["unit"]} if kind == RoleKind.UNIT else {"locality": world["ward_a"]}
    role = RoleFactory(kind=kind, **anchor)
    assert _check_every_link(_client(role.user))


def test_a_sending_unit_sees_only_its_cadres_figures(world):
    role = RoleFactory(kind=RoleKind.UNIT, unit=world["unit"])
    summary = year_summary(role.user, YEAR)
    assert list(_rows_by_unit(summary)) == ["Ban Tổ chức"]
    places = _rows_by_place(summary)
    assert set(places) == {"Đông Hòa", "Tân Bình"}
    assert (places["Tân Bình"].cadres, places["Tân Bình"].days, places["Tân Bình"].reports) == (1, 10, 0)
    assert (summary.total.figures.cadres, summary.total.figures.assignments, summary.total.figures.days) == (2, 3, 47)


def test_a_host_locality_sees_its_area_and_no_report(world):
    role = RoleFactory(kind=RoleKind.LOCALITY, locality=world["ward_a"])
    summary = year_summary(role.user, YEAR)
    places = _rows_by_place(summary)
    assert list(places) == ["Đông Hòa"]
    # Reports are the cadre's word to the province and their unit, not to the host.
    assert (places["Đông Hòa"].assignments, places["Đông Hòa"].escalations, places["Đông Hòa"].reports) == (2, 2, 0)


def test_a_cadre_is_refused(world, cadre_client):
    assert cadre_client.get(PAGE).status_code == 403
    assert cadre_client.get(EXPORT).status_code == 403


def test_the_workbook_holds_both_tables(world, staff_client):
    response = staff_client.get(EXPORT, IN_2021)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Địa phương nơi đến", "Đơn vị cử cán bộ"]
    places = [[cell.value for cell in row] for row in workbook["Địa phương nơi đến"].iter_rows()]
    assert places[0][:9] == [
        "STT",
        "Địa bàn",
        "Trực thuộc",
        "Số cán bộ",
        "Số lượt phân công",
        "Số ngày công tác",
        "Kiến nghị đã nêu",
        "Kiến nghị đã giải quyết",
        "Báo cáo đã nộp",
    ]
    assert len(places[0]) == 3 + 18 + 2
    assert places[2][:9] == [2, "Phường Đông Hòa", "Thành phố Dĩ An", 2, 2, 37, 2, 1, 1]
    assert places[-1][3:9] == [4, 5, 82, 3, 1, 2]
    units = [[cell.value for cell in row] for row in workbook["Đơn vị cử cán bộ"].iter_rows()]
    assert units[1][:7] == [1, "Ban Tổ chức", 2, 3, 47, 1, 1]
    assert units[2][:6] == [2, "Sở Y tế", 2, 2, 35, 1]
    assert units[3][2:6] == [4, 5, 82, 2]


def _more_of_everything(world, count: int) -> None:
    for number in range(count):
        unit = ProvincialUnitFactory(parent=world["unit"] if number % 2 else None)
        place = LocalityFactory(parent=world["district"])
        assignment = AssignmentFactory(
            cadre=CadreFactory(unit=unit),
            campaign=world["campaign"],
            locality=place,
            starts_on=datetime.date(2021, 7, 1),
            ends_on=datetime.date(2021, 7, 30),
        )
        _raised(EscalationFactory(assignment=assignment), "2021-07-02")
        report = MissionReportFactory(assignment=assignment, submitted_at=_moment("2021-07-30"))
        RecommendationFactory(report=report)


def test_its_queries_do_not_grow_with_the_rows(world, django_assert_max_num_queries):
    user = StaffUserFactory()
    with CaptureQueriesContext(connection) as few:
        year_summary(user, YEAR)
    _more_of_everything(world, 12)
    with django_assert_max_num_queries(len(few)):
        summary = year_summary(user, YEAR)
    assert len(summary.localities) == 15
    # Six grouped counts, the places and their names, the units, what the user may filter by, the cadres in all;
    # one more reads the user's groups (accounts/roles.py).
    assert len(few) <= 13


def test_the_page_reads_a_fixed_number_of_queries(world, staff_user, staff_client, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(PAGE, IN_2021).status_code == 200
    _more_of_everything(world, 12)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        assert staff_client.get(PAGE, IN_2021).status_code == 200


def test_without_a_period_it_sums_up_the_current_year(staff_client):
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    assert response.context["summary"].period == Period.year_of(timezone.localdate())


def test_one_day_typed_gives_the_rest_of_its_year(staff_client):
    response = staff_client.get(PAGE, {"date_from": "16/08/2021"})
    assert response.context["summary"].period == Period(datetime.date(2021, 8, 16), datetime.date(2021, 12, 31))


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "31/12/2021", "date_to": "01/01/2021"},
        {"date_from": "hôm qua", "date_to": "31/12/2021"},
        {"date_from": "31/02/2021"},
        {"date_to": "01/01/0001"},
        {"date_from": "9" * 5000},
    ],
)
def test_a_bad_period_is_explained_not_a_server_error(world, staff_client, query):
    response = staff_client.get(PAGE, query)
    assert response.status_code == 200
    assert response.context["summary"] is None
    assert 'role="alert"' in response.content.decode()
    assert 'id="by-locality"' not in response.content.decode()
    # The export sends the period back to the page, which says what is wrong.
    export = staff_client.get(EXPORT, query)
    assert export.status_code == 302
    assert export["Location"].startswith(PAGE)


def test_the_staff_menu_links_to_it(staff_client):
    assert f'href="{PAGE}"' in staff_client.get(reverse("cadres:dashboard")).content.decode()
