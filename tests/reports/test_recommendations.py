import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Addressee, RecommendationStatus, ReportStatus
from shared.concurrency import version_of
from tests.factories import (
    AssignmentFactory,
    LocalityFactory,
    MissionReportFactory,
    RecommendationFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("reports:recommendation_list")
EXPORT = reverse("reports:recommendation_export")


def _update(recommendation) -> str:
    return reverse("reports:recommendation_update", args=[recommendation.pk])


def _form(recommendation, **data) -> dict:
    """The row's form as posted, with the version it was opened on (shared/concurrency.py)."""
    prefix = f"r{recommendation.pk}"
    data.setdefault("version", version_of(recommendation))
    return {f"{prefix}-{name}": value for name, value in data.items()}


@pytest.mark.parametrize("page", ["list", "export", "update"])
def test_it_sends_anonymous_users_to_login(client, page):
    url = {"list": LIST, "export": EXPORT, "update": _update(RecommendationFactory())}[page]
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ["list", "export", "update"])
def test_it_refuses_cadres(cadre_client, page):
    url = {"list": LIST, "export": EXPORT, "update": _update(RecommendationFactory())}[page]
    assert cadre_client.get(url).status_code == 403


def test_it_tracks_the_recommendations_of_submitted_and_accepted_reports_only(staff_client):
    submitted = RecommendationFactory()
    accepted = RecommendationFactory(report__status=ReportStatus.ACCEPTED)
    RecommendationFactory(report__status=ReportStatus.DRAFT)
    RecommendationFactory(report__status=ReportStatus.RETURNED)
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert {item for item, _form in response.context["forms"]} == {submitted, accepted}
    assert 'data-count="2"' in response.content.decode()


def test_it_filters_by_campaign_locality_status_and_addressee(staff_client):
    district = LocalityFactory()
    report = MissionReportFactory(assignment=AssignmentFactory(locality=LocalityFactory(parent=district)))
    inside = RecommendationFactory(report=report, addressed_to=Addressee.LOCAL, status=RecommendationStatus.DONE)
    RecommendationFactory(report=report)
    RecommendationFactory(addressed_to=Addressee.LOCAL, status=RecommendationStatus.DONE)
    query = {
        "campaign": report.assignment.campaign_id,
        "locality": district.pk,
        "status": "done",
        "addressed_to": "local",
    }
    response = staff_client.get(LIST, query)
    assert [item for item, _form in response.context["forms"]] == [inside]


def test_staff_update_the_status_owner_and_response(staff_client):
    owner = StaffUserFactory()
    recommendation = RecommendationFactory()
    data = _form(recommendation, status="in_progress", owner=owner.pk, response="Ban Tổ chức đang tổng hợp.")
    response = staff_client.post(_update(recommendation), {**data, "next": f"{LIST}?status=new"})
    assert response.status_code == 302 and response.url == f"{LIST}?status=new"
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.IN_PROGRESS
    assert recommendation.owner == owner and recommendation.response == "Ban Tổ chức đang tổng hợp."


def test_it_does_not_redirect_elsewhere(staff_client):
    recommendation = RecommendationFactory()
    data = _form(recommendation, status="done", owner="", response="")
    response = staff_client.post(_update(recommendation), {**data, "next": "https://example.com/"})
    assert response.url == LIST


def test_a_bad_status_is_shown_again_and_not_saved(staff_client):
    recommendation = RecommendationFactory()
    response = staff_client.post(_update(recommendation), _form(recommendation, status="lost", owner="", response=""))
    assert response.status_code == 200 and response.context["form"].has_error("status", "invalid_choice")
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.NEW


def test_a_draft_reports_recommendation_cannot_be_updated(staff_client):
    recommendation = RecommendationFactory(report__status=ReportStatus.DRAFT)
    assert staff_client.get(_update(recommendation)).status_code == 404


def test_the_export_applies_the_filter_and_writes_real_dates(staff_client):
    done = RecommendationFactory(
        text="Hỗ trợ túi an sinh cho công nhân ở trọ.",
        status=RecommendationStatus.DONE,
        report__submitted_at=datetime.datetime(2021, 9, 15, 3, 0, tzinfo=datetime.UTC),
    )
    RecommendationFactory()
    response = staff_client.get(EXPORT, {"status": "done"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = rows[1]
    assert "Hỗ trợ túi an sinh cho công nhân ở trọ." in row
    assert done.report.assignment.cadre.full_name in row
    assert datetime.datetime(2021, 9, 15) in row


@pytest.mark.parametrize("count", [3, 30])
def test_its_query_count_does_not_grow_with_the_recommendations(staff_client, django_assert_max_num_queries, count):
    StaffUserFactory.create_batch(3)
    for _ in range(count):
        RecommendationFactory(
            report=MissionReportFactory(
                assignment=AssignmentFactory(locality=LocalityFactory(parent=LocalityFactory()))
            ),
            owner=StaffUserFactory(),
        )
    with django_assert_max_num_queries(13):
        response = staff_client.get(LIST)
    assert response.context["page"].paginator.count == count
