"""The scoped roles of accounts/roles.py, across two organisers, two units and two districts.

Campaign A (organised by unit OA) sends cadre X of unit U1 to a ward of district D1 and cadre Y of
unit U2 to a ward of district D2; campaign B (organised by OB) sends cadre Z, also of U1, to D2.
Each role must see exactly its part, change only what it runs, and never read a page, a figure
or a choice computed for another scope. tests/test_access_matrix.py holds every URL's outcome.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend
from accounts.roles import RoleKind
from cadres.models import Assignment, Campaign, Decision, Role
from reports.models import DailyNote, Escalation, MissionReport, Recommendation, ReportStatus
from tests.conftest import _client_for
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DailyNoteFactory,
    DecisionFactory,
    EscalationFactory,
    LocalityFactory,
    MissionReportFactory,
    ProvincialUnitFactory,
    RecommendationFactory,
    RoleFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    today = timezone.localdate()
    start = today - datetime.timedelta(days=10)
    d1, d2 = LocalityFactory(name="Tân Uyên", kind="town"), LocalityFactory(name="Dầu Tiếng", kind="district")
    w1, w2 = LocalityFactory(name="Tân Phước Khánh", parent=d1), LocalityFactory(name="Minh Hòa", parent=d2)
    oa, ob = ProvincialUnitFactory(name="Ban Tổ chức Tỉnh ủy"), ProvincialUnitFactory(name="Tỉnh đoàn")
    u1, u2 = ProvincialUnitFactory(name="Sở Y tế"), ProvincialUnitFactory(name="Sở Tài chính")
    a = CampaignFactory(organising_unit=oa, starts_on=start, ends_on=today + datetime.timedelta(days=30))
    b = CampaignFactory(organising_unit=ob, starts_on=start, ends_on=today + datetime.timedelta(days=30))
    decision_a, decision_b = DecisionFactory(campaign=a, issuing_unit=oa), DecisionFactory(campaign=b, issuing_unit=ob)
    x, y, z = CadreFactory(unit=u1), CadreFactory(unit=u2), CadreFactory(unit=u1)
    missions = {
        "x": AssignmentFactory(cadre=x, campaign=a, decision=decision_a, locality=w1, starts_on=start),
        "y": AssignmentFactory(cadre=y, campaign=a, decision=decision_a, locality=w2, starts_on=start),
        "z": AssignmentFactory(cadre=z, campaign=b, decision=decision_b, locality=w2, starts_on=start),
    }
    notes, escalations, reports = {}, {}, {}
    for name, assignment in missions.items():
        notes[name] = DailyNoteFactory(assignment=assignment, day=today)
        escalations[name] = EscalationFactory(assignment=assignment, note=notes[name])
        reports[name] = MissionReportFactory(assignment=assignment)
        RecommendationFactory(report=reports[name])
    roles = {
        "organiser_a": {"kind": RoleKind.ORGANISER, "unit": oa},
        "organiser_b": {"kind": RoleKind.ORGANISER, "unit": ob},
        "supervisor_d2": {"kind": RoleKind.SUPERVISOR, "locality": d2},
        "supervisor_all": {"kind": RoleKind.SUPERVISOR},
        "unit_u1": {"kind": RoleKind.UNIT, "unit": u1},
        "district_d1": {"kind": RoleKind.LOCALITY, "locality": d1},
        "ward_w2": {"kind": RoleKind.LOCALITY, "locality": w2},
    }
    users = {name: RoleFactory(**fields).user for name, fields in roles.items()}
    return {
        "today": today,
        "campaigns": {"a": a, "b": b},
        "decisions": {"a": decision_a, "b": decision_b},
        "missions": missions,
        "notes": notes,
        "escalations": escalations,
        "reports": reports,
        "users": users,
        "units": {"oa": oa, "ob": ob, "u1": u1},
        "districts": {"d1": d1, "d2": d2},
    }


def _signed_in(user):
    return UserBackend().get_user(user.pk)


def _names(scene, model, user, kind: str) -> set[str]:
    """Which of x, y, z the rows of `model` that `user` sees belong to."""
    objects = scene[kind]
    visible = set(model.objects.visible_to(_signed_in(user)).values_list("pk", flat=True))
    return {name for name, obj in objects.items() if obj.pk in visible}


# Which missions (x, y, z) each role reaches: their assignments and escalations.
REACHES = {
    "organiser_a": {"x", "y"},
    "organiser_b": {"z"},
    "supervisor_d2": {"y", "z"},
    "supervisor_all": {"x", "y", "z"},
    "unit_u1": {"x", "z"},
    "district_d1": {"x"},
    "ward_w2": {"y", "z"},
}
# A note or a report is not for the host locality.
READS_NOTES = {role: ({} if role in ("district_d1", "ward_w2") else reach) for role, reach in REACHES.items()}


@pytest.mark.parametrize("role", REACHES)
def test_each_role_reaches_its_part_and_no_more(scene, role):
    user = scene["users"][role]
    assert _names(scene, Assignment, user, "missions") == REACHES[role]
    assert _names(scene, Escalation, user, "escalations") == REACHES[role]
    assert _names(scene, DailyNote, user, "notes") == set(READS_NOTES[role])
    assert _names(scene, MissionReport, user, "reports") == set(READS_NOTES[role])
    recommendations = set(Recommendation.objects.visible_to(_signed_in(user)).values_list("report_id", flat=True))
    assert recommendations == {scene["reports"][name].pk for name in READS_NOTES[role]}
    campaigns = set(Campaign.objects.visible_to(_signed_in(user)).values_list("pk", flat=True))
    expected = {scene["missions"][name].campaign_id for name in REACHES[role]}
    assert campaigns == expected
    decisions = set(Decision.objects.visible_to(_signed_in(user)).values_list("pk", flat=True))
    assert decisions == {scene["missions"][name].decision_id for name in REACHES[role]}


def test_a_person_holding_two_roles_sees_what_each_reaches(scene):
    user = scene["users"]["organiser_a"]
    RoleFactory(user=user, kind=RoleKind.UNIT, unit=scene["units"]["u1"])
    assert _names(scene, Assignment, user, "missions") == {"x", "y", "z"}
    # ... and changes only what the organiser role runs.
    managed = set(Assignment.objects.managed_by(_signed_in(user)).values_list("pk", flat=True))
    assert managed == {scene["missions"]["x"].pk, scene["missions"]["y"].pk}


def test_a_draft_report_stays_its_cadres_whatever_the_role(scene):
    MissionReport.objects.filter(pk=scene["reports"]["x"].pk).update(status=ReportStatus.DRAFT, submitted_at=None)
    for role in ("organiser_a", "supervisor_all", "unit_u1"):
        assert "x" not in _names(scene, MissionReport, scene["users"][role], "reports"), role


def _changes_refused(scene, user, expected_status: int):
    """Every page that changes campaign A's rows, posted by `user`: refused, and nothing changed."""
    client = _client_for(user)
    client.raise_request_exception = False
    mission = scene["missions"]["x"]
    campaign, report = scene["campaigns"]["a"], scene["reports"]["x"]
    recommendation = report.recommendations.get()
    posts = {
        reverse("cadres:assignment_recall", args=[mission.pk]): {"on": scene["today"].isoformat(), "reason": "x"},
        reverse("cadres:assignment_edit", args=[mission.pk]): {"host_organisation": "Đổi"},
        reverse("cadres:campaign_edit", args=[campaign.pk]): {"name": "Đổi tên"},
        reverse("cadres:campaign_quotas", args=[campaign.pk]): {},
        reverse("cadres:decision_create", args=[campaign.pk]): {"number": "99"},
        reverse("reports:escalation_manage", args=[scene["escalations"]["x"].pk]): {"action": "resolve"},
        reverse("reports:report_review", args=[report.pk]): {"decision": "accept", "rating": "good"},
        reverse("reports:recommendation_update", args=[recommendation.pk]): {f"r{recommendation.pk}-status": "done"},
    }
    before = _state(scene)
    answers = {url: client.post(url, data).status_code for url, data in posts.items()}
    assert answers == dict.fromkeys(posts, expected_status)
    assert _state(scene) == before


def _state(scene) -> tuple:
    mission, campaign = scene["missions"]["x"], scene["campaigns"]["a"]
    mission.refresh_from_db()
    campaign.refresh_from_db()
    report = MissionReport.objects.get(pk=scene["reports"]["x"].pk)
    return (
        mission.ends_on,
        mission.recalled_on,
        mission.host_organisation,
        campaign.name,
        Decision.objects.count(),
        Escalation.objects.get(pk=scene["escalations"]["x"].pk).status,
        report.status,
        report.recommendations.get().status,
    )


def test_another_organisers_staff_change_nothing_of_this_campaign(scene):
    _changes_refused(scene, scene["users"]["organiser_b"], 404)


@pytest.mark.parametrize("role", ["supervisor_all", "unit_u1", "district_d1"])
def test_the_read_only_roles_change_nothing(scene, role):
    _changes_refused(scene, scene["users"][role], 403)


def test_an_organiser_plans_campaigns_of_their_own_unit_only(scene):
    client = _client_for(scene["users"]["organiser_a"])
    fields = {"name": "Đợt 3", "assignment_days": "30", "starts_on": "01/12/2026", "ends_on": "31/12/2026"}
    response = client.post(reverse("cadres:campaign_create"), {**fields, "organising_unit": scene["units"]["ob"].pk})
    assert response.status_code == 200 and response.context["form"].errors["organising_unit"]
    assert not Campaign.objects.filter(name="Đợt 3").exists()
    response = client.post(reverse("cadres:campaign_create"), {**fields, "organising_unit": scene["units"]["oa"].pk})
    assert response.status_code == 302
    assert Campaign.objects.get(name="Đợt 3").is_managed_by(_signed_in(scene["users"]["organiser_a"]))


def _figure(html: str, figure_id: str) -> int:
    return int(re.search(rf'id="{figure_id}"[^>]*>\s*<span class="figure">([\d.,]+)</span>', html)[1])


def _listed(html: str) -> int:
    """The count a list prints above its rows (its paginator's), read from the page as a person sees it."""
    return int(re.search(r'data-count="(\d+)"', html)[1])


def test_cached_pages_and_figures_are_never_shared_across_scopes(scene):
    """Office staff open the pages first (cached); each scoped role then reads its own figures."""
    staff = _client_for(StaffUserFactory())
    day = scene["today"].isoformat()
    pages = {
        "dashboard": (reverse("cadres:dashboard"), {"day": day}),
        "assignments": (reverse("cadres:assignment_list"), {}),
        "notes": (reverse("reports:notes_inbox"), {}),
    }
    seen = {name: staff.get(url, query).content.decode() for name, (url, query) in pages.items()}
    assert _figure(seen["dashboard"], "figure-cadres") == 3
    assert (_listed(seen["assignments"]), _listed(seen["notes"])) == (3, 3)
    for role in ("unit_u1", "district_d1", "organiser_b"):
        client = _client_for(scene["users"][role])
        seen = {name: client.get(url, query).content.decode() for name, (url, query) in pages.items()}
        assert _figure(seen["dashboard"], "figure-cadres") == len(REACHES[role]), role
        assert _listed(seen["assignments"]) == len(REACHES[role]), role
        if READS_NOTES[role]:
            assert _listed(seen["notes"]) == len(READS_NOTES[role]), role
        else:
            assert "data-count" not in seen["notes"] or _listed(seen["notes"]) == 0, role


def test_filters_offer_and_accept_only_what_the_role_reaches(scene):
    staff = _client_for(StaffUserFactory())
    url = reverse("cadres:assignment_list")
    campaign_b = scene["campaigns"]["b"]
    assert campaign_b.name in staff.get(url).content.decode()  # The choices are cached for the staff's scope.
    district = _client_for(scene["users"]["district_d1"])
    page = district.get(url).content.decode()
    assert campaign_b.name not in page and scene["campaigns"]["a"].name in page
    # A campaign outside the scope named in the query is refused, not used.
    response = district.get(url, {"campaign": campaign_b.pk})
    assert response.context["filter"].form.errors["campaign"]
    # Nor does the locality filter offer another district, nor the compliance grid another campaign.
    other_district = scene["districts"]["d2"].name
    locality_options = re.search(r'<select name="locality".*?</select>', page, re.S)[0]
    assert other_district not in locality_options and scene["districts"]["d1"].name in locality_options
    compliance = reverse("reports:compliance")
    assert campaign_b.name in staff.get(compliance).content.decode()
    campaign_options = re.search(
        r'<select name="campaign".*?</select>', district.get(compliance).content.decode(), re.S
    )
    assert campaign_b.name not in campaign_options[0]


def test_someone_without_a_role_still_sees_nothing(scene):
    user = UserFactory()
    for model, kind in ((Assignment, "missions"), (Escalation, "escalations"), (DailyNote, "notes")):
        assert _names(scene, model, user, kind) == set()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": RoleKind.ORGANISER}, "unit"),
        ({"kind": RoleKind.UNIT, "locality": "d1"}, "locality"),
        ({"kind": RoleKind.LOCALITY}, "locality"),
        ({"kind": RoleKind.SUPERVISOR, "unit": "oa"}, "unit"),
    ],
)
def test_a_role_is_held_on_what_it_needs_and_nothing_else(scene, fields, field):
    anchors = {"oa": scene["units"]["oa"], "d1": scene["districts"]["d1"]}
    values = {name: anchors.get(value, value) for name, value in fields.items()}
    role = Role(user=UserFactory(), **values)
    with pytest.raises(ValidationError) as refused:
        role.full_clean()
    assert field in refused.value.message_dict


def test_the_same_role_twice_is_refused_and_a_supervisor_of_everything_is_allowed(scene):
    user = scene["users"]["organiser_a"]
    with pytest.raises(ValidationError) as refused:
        Role(user=user, kind=RoleKind.ORGANISER, unit=scene["units"]["oa"]).full_clean()
    assert refused.value.error_dict["__all__"][0].code == "duplicate"
    Role(user=user, kind=RoleKind.SUPERVISOR).full_clean()


SCOPED_PAGES = [
    ("cadres:dashboard", {}),
    ("cadres:assignment_list", {}),
    ("cadres:cadre_list", {}),
    ("cadres:campaign_list", {}),
    ("cadres:locality_list", {}),
    ("cadres:unit_list", {}),
    ("reports:notes_inbox", {}),
    ("reports:compliance", {}),
    ("reports:escalation_inbox", {}),
    ("reports:report_list", {}),
    ("reports:recommendation_list", {}),
]


def _queries(client, name, query) -> int:
    cache.clear()  # Counted as computed, not as read from the cache.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name), query).status_code == 200, name
    return len(queries)


@pytest.mark.parametrize("role", ["organiser_a", "unit_u1", "district_d1", "supervisor_d2"])
def test_a_scoped_roles_pages_read_as_many_queries_whatever_the_data(scene, role):
    client = _client_for(scene["users"][role])
    before = {name: _queries(client, name, query) for name, query in SCOPED_PAGES}
    # Five more missions in each role's reach: same campaign, same unit, same districts.
    x = scene["missions"]["x"]
    for _ in range(5):
        for name in ("x", "y"):
            mission = scene["missions"][name]
            more = AssignmentFactory(
                cadre=CadreFactory(unit=mission.cadre.unit),
                campaign=mission.campaign,
                decision=mission.decision,
                locality=mission.locality,
                starts_on=x.starts_on,
            )
            note = DailyNoteFactory(assignment=more, day=scene["today"])
            EscalationFactory(assignment=more, note=note)
            RecommendationFactory(report=MissionReportFactory(assignment=more))
    after = {name: _queries(client, name, query) for name, query in SCOPED_PAGES}
    assert after == before


def test_a_role_taken_away_or_given_counts_from_the_next_request(scene):
    """The roles' reach is cached (accounts.roles._roles_reach) under the records' version: never stale."""
    user = scene["users"]["unit_u1"]
    client = _client_for(user)
    url = reverse("cadres:assignment_detail", args=[scene["missions"]["x"].pk])
    assert client.get(url).status_code == 200
    Role.objects.filter(user=user).delete()
    assert client.get(url).status_code == 403  # No office role left.
    RoleFactory(user=user, kind=RoleKind.LOCALITY, unit=None, locality=scene["districts"]["d2"])
    assert client.get(url).status_code == 404  # Mission x is in the other district.


def test_a_scoped_page_read_from_the_cache_costs_what_a_staff_page_does(scene):
    """Session, user (with whether they hold a role) and data versions: the roles' reach comes from the cache."""
    url = reverse("cadres:assignment_list")

    def warm_queries(user) -> int:
        client = _client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert warm_queries(scene["users"]["district_d1"]) == warm_queries(StaffUserFactory())


def test_a_decisions_annex_links_only_the_assignments_the_role_opens(scene):
    """The whole document is read, but a row links to an assignment's page only where it would not answer 404."""
    page = _client_for(scene["users"]["unit_u1"]).get(
        reverse("cadres:decision_detail", args=[scene["decisions"]["a"].pk])
    )
    html = page.content.decode()
    x, y = scene["missions"]["x"], scene["missions"]["y"]
    assert reverse("cadres:assignment_detail", args=[x.pk]) in html and y.cadre.full_name in html
    assert reverse("cadres:assignment_detail", args=[y.pk]) not in html
