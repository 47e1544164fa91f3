"""Model.objects.visible_to(user), which every page starts from: staff see everything (but a cadre's
draft report), a cadre the rows of their own cadre record, anyone else nothing.

The pages' outcomes per role are in tests/test_access_matrix.py; this holds the querysets themselves.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.backends import UserBackend
from accounts.roles import CADRE_GROUP
from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit, Quota, RosterUpload
from localities.models import Locality
from reports.models import DailyNote, Escalation, MissionReport, Recommendation, ReportStatus
from tests.factories import MissionReportFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    Locality,
    ProvincialUnit,
    Cadre,
    Campaign,
    Decision,
    Quota,
    Assignment,
    RosterUpload,
    DailyNote,
    Escalation,
    MissionReport,
    Recommendation,
]


def _as_signed_in(user):
    """The user as a request has it: read with its roles and cadre record (accounts/backends.py)."""
    return UserBackend().get_user(user.pk)


def _visible(model, user) -> set:
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def _pks(*objects) -> set:
    return {obj.pk for obj in objects}


def test_staff_see_every_row(mission_world, staff_user):
    staff = _as_signed_in(staff_user)
    for model in MODELS:
        if model is not RosterUpload:  # Its uploader's alone, whatever the role (below).
            assert _visible(model, staff) == set(model.objects.values_list("pk", flat=True)), model


def test_a_cadre_sees_the_rows_of_their_own_record(mission_world):
    own = mission_world["own"]
    cadre = own["cadre"]
    user = _as_signed_in(cadre.user)
    assert _visible(Assignment, user) == _pks(own["past_assignment"], own["assignment"])
    assert _visible(DailyNote, user) == _pks(own["note"])
    assert _visible(Escalation, user) == _pks(own["escalation"])
    assert _visible(MissionReport, user) == _pks(own["report"])
    assert _visible(Recommendation, user) == _pks(own["recommendation"])
    assert _visible(Cadre, user) == _pks(cadre)
    assert _visible(ProvincialUnit, user) == {cadre.unit_id}
    # Where they were sent, by what: each once, though both assignments name them.
    assert list(Campaign.objects.visible_to(user).values_list("pk", flat=True)) == [mission_world["campaign"].pk]
    assert list(Decision.objects.visible_to(user).values_list("pk", flat=True)) == [mission_world["decision"].pk]
    assert list(Locality.objects.visible_to(user).values_list("pk", flat=True)) == [mission_world["locality"].pk]
    # What units are asked for is the planners' business.
    assert _visible(Quota, user) == set()


@pytest.mark.parametrize("who", ["no_role", "anonymous"])
def test_anyone_else_sees_nothing(mission_world, who):
    user = AnonymousUser() if who == "anonymous" else _as_signed_in(UserFactory())
    for model in MODELS:
        assert _visible(model, user) == set(), model


def test_a_cadre_in_the_cadre_group_without_a_cadre_record_sees_nothing(mission_world):
    user = _as_signed_in(UserFactory(group=CADRE_GROUP))
    for model in MODELS:
        assert _visible(model, user) == set(), model


def test_a_draft_report_and_its_recommendations_are_its_cadres_alone(mission_world, staff_user):
    own = mission_world["own"]
    draft = MissionReportFactory(assignment=own["assignment"], status=ReportStatus.DRAFT, submitted_at=None)
    recommendation = RecommendationFactory(report=draft)
    cadre, staff = _as_signed_in(own["cadre"].user), _as_signed_in(staff_user)
    assert draft.pk in _visible(MissionReport, cadre) and recommendation.pk in _visible(Recommendation, cadre)
    assert draft.pk not in _visible(MissionReport, staff)
    assert recommendation.pk not in _visible(Recommendation, staff)
    # Returned for revision, it was submitted once: staff keep it.
    MissionReport.objects.filter(pk=draft.pk).update(status=ReportStatus.RETURNED)
    assert draft.pk in _visible(MissionReport, staff) and recommendation.pk in _visible(Recommendation, staff)


def test_a_roster_preview_is_its_uploaders_alone(staff_user, superuser):
    upload = RosterUpload.objects.create(uploaded_by=staff_user, filename="danh-sach.xlsx")
    assert _visible(RosterUpload, _as_signed_in(staff_user)) == {upload.pk}
    assert _visible(RosterUpload, _as_signed_in(superuser)) == set()
    assert _visible(RosterUpload, AnonymousUser()) == set()


@pytest.mark.parametrize("who", ["staff", "cadre", "no_role"])
def test_the_scope_is_built_without_a_query(mission_world, staff_user, django_assert_num_queries, who):
    user = {"staff": staff_user, "cadre": mission_world["own"]["cadre"].user, "no_role": UserFactory()}[who]
    user = _as_signed_in(user)
    with django_assert_num_queries(0):
        for model in MODELS:
            model.objects.visible_to(user)
