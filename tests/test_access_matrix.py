"""Who may open which page: every URL of the project, for every role, from the URL resolver.

EXPECTED holds the policy of each URL name. The resolver is walked, not a hand-kept
list, so a URL added without a line in EXPECTED fails `test_every_url_has_an_expected_outcome`.
Only GETs are made: a POST-only view answers 405, which the policy records.

The roles: anonymous, the cadre who owns the objects in the URLs, another cadre
(who has objects of their own), a logged-in user with no role, office staff of every
campaign, and a superuser; then the scoped roles of accounts/roles.py, each with a
twin of another scope: the organiser staff of the campaign and of another organiser,
a supervisor of the district, the focal point of the cadre's unit and of another unit,
the official of the district and of another district. Objects of one cadre answer 404
to another, and every object answers 404 to a role that does not reach it (REACH).
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import RoleKind
from cadres import roster
from cadres.models import Nomination
from notices.models import Kind, Notice
from reports.models import LocalAssessment, MissionReport, Rating, ReportStatus
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CampaignFactory,
    DecisionFactory,
    LocalityFactory,
    ProvincialUnitFactory,
    RoleFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE_ROLES = ["anonymous", "cadre", "other_cadre", "no_role", "staff", "superuser"]
SCOPED_ROLES = ["organiser", "other_organiser", "supervisor", "unit", "other_unit", "locality", "other_locality"]
ROLES = BASE_ROLES + SCOPED_ROLES
ORGANISERS = {"organiser", "other_organiser"}

# Outcomes of a GET.
OK = 200
LOGIN = "redirect to the login page"
ADMIN_LOGIN = "redirect to the admin login page"
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
REDIRECT = "redirect"


@dataclass(frozen=True)
class Policy:
    name: str
    outcomes: dict

    def on(self, obj: str, query: str = "") -> "Rule":
        """The URL's kwargs are filled from `obj`, one of the objects the `world` fixture makes."""
        return Rule(self, obj, query)


@dataclass(frozen=True)
class Rule:
    policy: Policy
    obj: str | None = None
    query: str = ""
    outcomes: dict = field(default_factory=dict)

    def expected(self, role: str):
        outcome = self.policy.outcomes[role]
        return outcome(self.obj) if callable(outcome) else outcome


# What each scoped role reaches of the world's objects (those of the cadre who owns them, on a
# mission in a ward of the district): the others answer 404. Organisers plan from the whole roster
# and every locality; a host locality does not read a cadre's notes and reports.
REACH = {
    "organiser": {"campaign", "decision", "assignment", "cadre", "locality", "note", "escalation", "report",
                  "recommendation", "unit"},
    "other_organiser": {"cadre", "locality", "unit"},
    "supervisor": {"campaign", "decision", "assignment", "cadre", "locality", "note", "escalation", "report",
                   "recommendation", "unit"},
    "unit": {"campaign", "decision", "assignment", "cadre", "locality", "note", "escalation", "report",
             "recommendation", "unit"},
    "other_unit": set(),
    "locality": {"campaign", "decision", "assignment", "cadre", "locality", "escalation", "unit"},
    "other_locality": set(),
}  # fmt: skip
# What an organiser changes: their campaigns' rows, and the roster and localities they plan from.
MANAGES = {"organiser": REACH["organiser"], "other_organiser": {"cadre", "locality", "unit"}}


def _reads(role: str):
    """An office page: OK with no object or one the role reaches, else 404."""
    return lambda obj: OK if obj is None or obj in REACH[role] else NOT_FOUND


def _changes(role: str):
    """A page that changes a campaign: an organiser's own rows, 404 for others'; 403 to the read-only roles."""
    if role not in ORGANISERS:
        return FORBIDDEN
    return lambda obj: OK if obj is None or obj in MANAGES[role] else NOT_FOUND


def _policy(name: str, scoped=None, **outcomes) -> Policy:
    """`scoped`: the outcome of every scoped role, or a function of the role giving it."""
    assert set(outcomes) == set(BASE_ROLES), name
    for role in SCOPED_ROLES:
        outcomes[role] = scoped(role) if callable(scoped) else scoped
    return Policy(name, outcomes)


PUBLIC = _policy("public", OK, anonymous=OK, cadre=OK, other_cadre=OK, no_role=OK, staff=OK, superuser=OK)
LOGGED_IN = _policy(
    "any logged-in user", OK, anonymous=LOGIN, cadre=OK, other_cadre=OK, no_role=OK, staff=OK, superuser=OK
)
STAFF_ONLY = _policy(
    "the office roles, each what it reaches",
    _reads,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=OK,
    superuser=OK,
)
# A page that changes a campaign or what organisers plan from: office staff and organisers.
ORGANISER_ONLY = _policy(
    "organisers, each their own",
    _changes,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=OK,
    superuser=OK,
)
# The administrative map is the whole deployment's: office staff of every campaign and administrators.
MAP_KEEPER_ONLY = _policy(
    "office staff of every campaign",
    FORBIDDEN,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=OK,
    superuser=OK,
)
ORGANISER_POST_ONLY = _policy(
    "organisers, POST only",
    lambda role: NOT_ALLOWED if role in ORGANISERS else FORBIDDEN,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=NOT_ALLOWED,
    superuser=NOT_ALLOWED,
)
# The host locality's own part: its officials, on what lies in their area.
HOST_ONLY = _policy(
    "host locality officials, in their area",
    lambda role: _reads(role) if role in ("locality", "other_locality") else FORBIDDEN,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=FORBIDDEN,
    superuser=FORBIDDEN,
)
# A page that only sends an organiser on to another (the proposals chosen, to a new decision).
ORGANISER_REDIRECT = _policy(
    "organisers, each their own: sent on",
    lambda role: (lambda obj: REDIRECT if obj in MANAGES[role] else NOT_FOUND) if role in ORGANISERS else FORBIDDEN,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=REDIRECT,
    superuser=REDIRECT,
)
OFFICE_POST_ONLY = _policy(
    "office roles, POST only",
    NOT_ALLOWED,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=NOT_ALLOWED,
    superuser=NOT_ALLOWED,
)
# A roster preview: the staff member who uploaded the file (here "staff"); other staff get 404.
UPLOADER_ONLY = _policy(
    "the staff member who uploaded it",
    lambda role: NOT_FOUND if role in ORGANISERS else FORBIDDEN,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=OK,
    superuser=NOT_FOUND,
)
# Pages of the cadre's own: every cadre has one (their mission, a new note).
CADRE_ONLY = _policy(
    "cadres",
    FORBIDDEN,
    anonymous=LOGIN,
    cadre=OK,
    other_cadre=OK,
    no_role=FORBIDDEN,
    staff=FORBIDDEN,
    superuser=FORBIDDEN,
)
# A cadre's object that only that cadre may change.
OWNER_ONLY = _policy(
    "the owning cadre",
    FORBIDDEN,
    anonymous=LOGIN,
    cadre=OK,
    other_cadre=NOT_FOUND,
    no_role=FORBIDDEN,
    staff=FORBIDDEN,
    superuser=FORBIDDEN,
)
# A cadre's object that staff read too.
OWNER_OR_STAFF = _policy(
    "the owning cadre or the office roles that reach it",
    _reads,
    anonymous=LOGIN,
    cadre=OK,
    other_cadre=NOT_FOUND,
    no_role=NOT_FOUND,
    staff=OK,
    superuser=OK,
)
HOME = _policy(
    "each role to its first page",
    REDIRECT,
    anonymous=LOGIN,
    cadre=REDIRECT,
    other_cadre=REDIRECT,
    no_role=FORBIDDEN,
    staff=REDIRECT,
    superuser=REDIRECT,
)
POST_ONLY = _policy(
    "POST only", NOT_ALLOWED, anonymous=NOT_ALLOWED, cadre=NOT_ALLOWED, other_cadre=NOT_ALLOWED, no_role=NOT_ALLOWED,
    staff=NOT_ALLOWED, superuser=NOT_ALLOWED,
)  # fmt: skip
# set_language changes the language on POST only; a GET just sends the browser back.
SENDS_BACK = _policy(
    "sends back",
    REDIRECT,
    anonymous=REDIRECT,
    cadre=REDIRECT,
    other_cadre=REDIRECT,
    no_role=REDIRECT,
    staff=REDIRECT,
    superuser=REDIRECT,
)
# Django admin: superusers only (provincial staff are not `is_staff`); everyone else goes to its login.
SUPERUSER_ONLY = _policy(
    "superuser (Django admin)",
    ADMIN_LOGIN,
    anonymous=ADMIN_LOGIN,
    cadre=ADMIN_LOGIN,
    other_cadre=ADMIN_LOGIN,
    no_role=ADMIN_LOGIN,
    staff=ADMIN_LOGIN,
    superuser=OK,
)
ADMIN_LOGIN_PAGE = _policy(
    "the admin login page",
    OK,
    anonymous=OK,
    cadre=OK,
    other_cadre=OK,
    no_role=OK,
    staff=OK,
    superuser=REDIRECT,
)
ADMIN_LOGOUT = _policy(
    "admin logout (POST only)",
    REDIRECT,
    anonymous=REDIRECT,
    cadre=REDIRECT,
    other_cadre=REDIRECT,
    no_role=REDIRECT,
    staff=REDIRECT,
    superuser=NOT_ALLOWED,
)
# The autocomplete answers only with its parameters, and never to a bare GET.
ADMIN_AUTOCOMPLETE = _policy(
    "admin autocomplete",
    ADMIN_LOGIN,
    anonymous=ADMIN_LOGIN,
    cadre=ADMIN_LOGIN,
    other_cadre=ADMIN_LOGIN,
    no_role=ADMIN_LOGIN,
    staff=ADMIN_LOGIN,
    superuser=FORBIDDEN,
)
ADMIN_VIEW_ON_SITE = _policy(
    "admin 'view on site' (models have no public page)",
    ADMIN_LOGIN,
    anonymous=ADMIN_LOGIN,
    cadre=ADMIN_LOGIN,
    other_cadre=ADMIN_LOGIN,
    no_role=ADMIN_LOGIN,
    staff=ADMIN_LOGIN,
    superuser=NOT_FOUND,
)
# django-axes keeps its login records read-only: nobody adds one by hand.
ADMIN_READ_ONLY = _policy(
    "admin, read-only records",
    ADMIN_LOGIN,
    anonymous=ADMIN_LOGIN,
    cadre=ADMIN_LOGIN,
    other_cadre=ADMIN_LOGIN,
    no_role=ADMIN_LOGIN,
    staff=ADMIN_LOGIN,
    superuser=FORBIDDEN,
)

# A decision's signed scan, where it has none (the world's decision): nothing to serve to those who read it.
# test_a_decisions_signed_scan_answers_as_its_page stores one and expects the decision page's policy.
NO_SCAN_YET = _policy(
    "the office roles, a decision without a scan",
    NOT_FOUND,
    anonymous=LOGIN,
    cadre=FORBIDDEN,
    other_cadre=FORBIDDEN,
    no_role=FORBIDDEN,
    staff=NOT_FOUND,
    superuser=NOT_FOUND,
)

# Notices (notices/): every signed-in person's own, whatever their role. A notice opens for the one it is for
# (marked read, then on to its page); to anyone else it does not exist.
OWN_NOTICE = _policy(
    "the person the notice is for",
    NOT_FOUND,
    anonymous=LOGIN,
    cadre=REDIRECT,
    other_cadre=NOT_FOUND,
    no_role=NOT_FOUND,
    staff=NOT_FOUND,
    superuser=NOT_FOUND,
)
LOGGED_IN_POST_ONLY = _policy(
    "any logged-in user, POST only",
    NOT_ALLOWED,
    anonymous=LOGIN,
    cadre=NOT_ALLOWED,
    other_cadre=NOT_ALLOWED,
    no_role=NOT_ALLOWED,
    staff=NOT_ALLOWED,
    superuser=NOT_ALLOWED,
)

# Every URL name of the project. "admin:*" covers the admin's model pages; its own pages are listed.
EXPECTED = {
    "home": HOME.on(None),
    "healthz": PUBLIC.on(None),
    "phone:service_worker": PUBLIC.on(None),
    "phone:manifest": PUBLIC.on(None),
    "login": PUBLIC.on(None),
    "logout": POST_ONLY.on(None),
    "password_change": LOGGED_IN.on(None),
    "password_change_done": LOGGED_IN.on(None),
    "set_language": SENDS_BACK.on(None),
    # Staff: dashboard, units, campaigns, decisions, assignments, cadres, roster import.
    "cadres:dashboard": STAFF_ONLY.on(None),
    "cadres:unit_list": STAFF_ONLY.on(None),
    "cadres:unit_create": ORGANISER_ONLY.on(None),
    "cadres:unit_edit": ORGANISER_ONLY.on("unit"),
    "cadres:campaign_list": STAFF_ONLY.on(None),
    "cadres:campaign_create": ORGANISER_ONLY.on(None),
    "cadres:campaign_detail": STAFF_ONLY.on("campaign"),
    "cadres:campaign_edit": ORGANISER_ONLY.on("campaign"),
    "cadres:campaign_quotas": ORGANISER_ONLY.on("campaign"),
    "cadres:decision_create": ORGANISER_ONLY.on("campaign"),
    "cadres:decision_detail": STAFF_ONLY.on("decision"),
    "cadres:decision_print": STAFF_ONLY.on("decision"),
    "cadres:decision_docx": STAFF_ONLY.on("decision"),
    "cadres:decision_pdf": STAFF_ONLY.on("decision"),
    "cadres:decision_scan": NO_SCAN_YET.on("decision"),
    "cadres:decision_scan_upload": ORGANISER_POST_ONLY.on("decision"),
    "cadres:decision_delete": ORGANISER_POST_ONLY.on("decision"),
    "cadres:cadre_search": STAFF_ONLY.on(None, "?q=Nguy"),
    "cadres:locality_search": STAFF_ONLY.on(None, "?q=Ph"),
    "cadres:assignment_list": STAFF_ONLY.on(None),
    "cadres:assignment_export": STAFF_ONLY.on(None),
    "cadres:assignment_detail": STAFF_ONLY.on("assignment"),
    "cadres:assignment_edit": ORGANISER_ONLY.on("assignment"),
    "cadres:assignment_extend": ORGANISER_ONLY.on("assignment"),
    "cadres:assignment_recall": ORGANISER_ONLY.on("assignment"),
    "cadres:assignment_replace": ORGANISER_ONLY.on("assignment"),
    "cadres:cadre_list": STAFF_ONLY.on(None),
    "cadres:cadre_export": STAFF_ONLY.on(None),
    "cadres:cadre_create": ORGANISER_ONLY.on(None),
    "cadres:cadre_detail": STAFF_ONLY.on("cadre"),
    "cadres:cadre_edit": ORGANISER_ONLY.on("cadre"),
    "cadres:roster_import": ORGANISER_ONLY.on(None),
    "cadres:roster_template": ORGANISER_ONLY.on(None),
    "cadres:roster_preview": UPLOADER_ONLY.on("roster_token"),
    "cadres:roster_confirm": ORGANISER_POST_ONLY.on("roster_token"),
    # Nominations: a sending unit proposes, the organisers decide.
    "cadres:nomination_list": STAFF_ONLY.on("campaign"),
    "cadres:nominations_to_decision": ORGANISER_REDIRECT.on("campaign"),
    "cadres:nomination_decline": ORGANISER_POST_ONLY.on("campaign"),
    # The host locality: who is in its area, arrivals and departures, escalations, assessments.
    "cadres:host_list": HOST_ONLY.on(None),
    "cadres:assignment_presence": OFFICE_POST_ONLY.on("assignment"),
    "reports:escalation_local": HOST_ONLY.on("escalation"),
    "reports:assessment_edit": HOST_ONLY.on("assignment"),
    # Staff: localities.
    "cadres:locality_list": STAFF_ONLY.on(None),
    "cadres:locality_detail": STAFF_ONLY.on("locality"),
    "cadres:locality_grade": ORGANISER_ONLY.on("locality"),
    "cadres:locality_change": MAP_KEEPER_ONLY.on("locality"),
    # Cadres, and what staff may read of theirs.
    "phone:my_mission": CADRE_ONLY.on(None),
    "phone:outbox": CADRE_ONLY.on(None),
    "phone:area_map": CADRE_ONLY.on(None),
    "reports:note_create": CADRE_ONLY.on(None, "?day={yesterday}"),
    "reports:note_detail": OWNER_OR_STAFF.on("note"),
    "reports:note_edit": OWNER_ONLY.on("note"),
    "reports:note_photo": OWNER_OR_STAFF.on("note"),
    "reports:escalation_create": CADRE_ONLY.on(None),
    "reports:escalation_detail": OWNER_OR_STAFF.on("escalation"),
    "reports:report_edit": OWNER_ONLY.on("assignment"),
    "reports:report_detail": OWNER_OR_STAFF.on("report"),
    # Staff: notes, compliance, escalations, reports, recommendations.
    "reports:notes_inbox": STAFF_ONLY.on(None),
    "reports:notes_export": STAFF_ONLY.on(None),
    "reports:compliance": STAFF_ONLY.on(None),
    "reports:escalation_inbox": STAFF_ONLY.on(None),
    "reports:escalation_export": STAFF_ONLY.on(None),
    "reports:escalation_manage": ORGANISER_ONLY.on("escalation"),
    "reports:report_list": STAFF_ONLY.on(None),
    "reports:report_export": STAFF_ONLY.on(None),
    "reports:report_review": ORGANISER_ONLY.on("report"),
    "reports:report_print": STAFF_ONLY.on("report"),
    "reports:recommendation_list": STAFF_ONLY.on(None),
    "reports:recommendation_export": STAFF_ONLY.on(None),
    "reports:recommendation_update": ORGANISER_ONLY.on("recommendation"),
    "reports:year_summary": STAFF_ONLY.on(None),
    "reports:year_summary_export": STAFF_ONLY.on(None),
    # Notices: everyone's own.
    "notices:list": LOGGED_IN.on(None),
    "notices:open": OWN_NOTICE.on("notice"),
    "notices:read_all": LOGGED_IN_POST_ONLY.on(None),
    "notices:settings": LOGGED_IN.on(None),
    "notices:subscribe": LOGGED_IN_POST_ONLY.on(None),
    "notices:unsubscribe": LOGGED_IN_POST_ONLY.on(None),
    # Django admin.
    "admin:*": SUPERUSER_ONLY.on("admin"),
    "admin:login": ADMIN_LOGIN_PAGE.on(None),
    "admin:logout": ADMIN_LOGOUT.on(None),
    "admin:autocomplete": ADMIN_AUTOCOMPLETE.on(None),
    "admin:view_on_site": ADMIN_VIEW_ON_SITE.on("admin"),
    "admin:axes_accessattempt_add": ADMIN_READ_ONLY.on(None),
    "admin:axes_accesslog_add": ADMIN_READ_ONLY.on(None),
    "admin:axes_accessfailurelog_add": ADMIN_READ_ONLY.on(None),
}

# Accounts (cadres/views/accounts.py), and the password pages of the one-time link (accounts/urls.py). Organisers
# handle cadres' and officials' accounts, organiser staff's of their own units only (cadres.models.accounts_managed_by);
# REACH and MANAGES are about campaign rows, so the two account pages' policies say it here.
ANY_ORGANISERS_ACCOUNT = Policy(
    "organisers, a cadre's account", {**ORGANISER_ONLY.outcomes, "organiser": OK, "other_organiser": OK}
)
OWN_UNITS_ACCOUNT = Policy(
    "organisers, their own unit's staff", {**ORGANISER_ONLY.outcomes, "organiser": OK, "other_organiser": NOT_FOUND}
)
EXPECTED.update(
    {
        "cadres:account_list": ORGANISER_ONLY.on(None),
        "cadres:account_create": ORGANISER_ONLY.on(None),
        "cadres:account_create_for_cadre": ANY_ORGANISERS_ACCOUNT.on("cadre_without_account"),
        "cadres:account_handover_new": ORGANISER_ONLY.on(None),
        "cadres:account_detail": OWN_UNITS_ACCOUNT.on("colleague_account"),
        "cadres:account_handover": ANY_ORGANISERS_ACCOUNT.on("cadre_account"),
        "cadres:account_deactivate": ORGANISER_POST_ONLY.on("cadre_account"),
        "cadres:account_reactivate": ORGANISER_POST_ONLY.on("cadre_account"),
        "cadres:account_reset": ORGANISER_POST_ONLY.on("cadre_account"),
        "password_reset": PUBLIC.on(None),
        "password_reset_done": PUBLIC.on(None),
        "password_reset_confirm": PUBLIC.on("used_link"),
        "password_reset_complete": PUBLIC.on(None),
    }
)


def rule_for(name: str) -> Rule | None:
    if name in EXPECTED:
        return EXPECTED[name]
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return EXPECTED.get(f"{namespace}:*") if namespace else None


@dataclass
class Route:
    name: str | None
    pattern: str
    converters: list[str]
    positional: int = 0  # unnamed groups of a re_path(), as django-simple-history's admin adds


def project_routes() -> list[Route]:
    """Every URL pattern of the project, with its namespaced name, walking includes recursively."""

    def walk(patterns, prefix: str, namespace: str | None, converters: list[str]):
        for pattern in patterns:
            # Named groups of both path() converters and the admin's re_path() patterns.
            regex = pattern.pattern.regex
            keys = converters + list(regex.groupindex)
            unnamed = regex.groups - len(regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, keys)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield Route(name, prefix + str(pattern.pattern), keys, unnamed)

    return list(walk(get_resolver().url_patterns, "", None, []))


def test_every_url_has_an_expected_outcome():
    names = {route.name for route in project_routes() if route.name}
    missing = sorted(name for name in names if rule_for(name) is None)
    assert not missing, f"URLs without an expected outcome in EXPECTED: {missing}"
    stale = sorted(key for key in EXPECTED if not key.endswith(":*") and key not in names)
    assert not stale, f"EXPECTED lists URLs that no longer exist: {stale}"


def test_only_the_admin_has_urls_without_a_name():
    # An unnamed URL could not be listed in EXPECTED; the admin's are its old-style redirects.
    unnamed = [route.pattern for route in project_routes() if not route.name and not route.pattern.startswith("admin/")]
    assert not unnamed


@pytest.fixture
def world(mission_world):
    own, others = mission_world["own"], mission_world["others"]
    users = {
        "cadre": own["cadre"].user,
        "other_cadre": others["cadre"].user,
        "no_role": UserFactory(),
        "staff": StaffUserFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        **scoped_users(mission_world),
    }
    upload = roster.store_upload(
        uploaded_by=users["staff"], filename="danh-sach.csv", rows=[], check=roster.check_roster([])
    )
    # The host locality's assessment and a unit's proposal: every model has a row for the admin's pages.
    LocalAssessment.objects.create(assignment=own["past_assignment"], rating=Rating.GOOD, text="Nhiệt tình.")
    Nomination.objects.create(
        campaign=mission_world["campaign"], unit=own["cadre"].unit, cadre=CadreFactory(unit=own["cadre"].unit)
    )
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    objects = {
        **own,
        "campaign": mission_world["campaign"],
        "decision": mission_world["decision"],
        "locality": mission_world["locality"],
        "roster_token": upload.token,
        "unit": own["cadre"].unit,
        # Accounts: the cadre's, another organiser staff of the campaign's unit, a cadre without one, a dead link.
        "cadre_account": own["cadre"].user,
        "colleague_account": RoleFactory(unit=mission_world["campaign"].organising_unit).user,
        "cadre_without_account": CadreFactory(),
        "used_link": "used-link",
        "notice": Notice.objects.create(
            user=own["cadre"].user, kind=Kind.ASSIGNED, key="assignment:1", title="Bạn được cử đi cơ sở", url="/me/"
        ),
    }
    return {"clients": clients, "objects": objects, "today": mission_world["today"]}


def scoped_users(mission_world) -> dict:
    """A user for each of SCOPED_ROLES, the other_* ones with objects of their own elsewhere."""
    campaign, district = mission_world["campaign"], mission_world["district"]
    other_campaign = CampaignFactory()  # Another organiser's, with its own mission elsewhere.
    AssignmentFactory(campaign=other_campaign, decision=DecisionFactory(campaign=other_campaign))
    other_district = LocalityFactory(name="Thuận An", kind="city")
    other_unit = CadreFactory(unit=ProvincialUnitFactory()).unit
    held_on = {
        "organiser": {"kind": RoleKind.ORGANISER, "unit": campaign.organising_unit},
        "other_organiser": {"kind": RoleKind.ORGANISER, "unit": other_campaign.organising_unit},
        "supervisor": {"kind": RoleKind.SUPERVISOR, "locality": district},
        "unit": {"kind": RoleKind.UNIT, "unit": mission_world["own"]["cadre"].unit},
        "other_unit": {"kind": RoleKind.UNIT, "unit": other_unit},
        "locality": {"kind": RoleKind.LOCALITY, "locality": district},
        "other_locality": {"kind": RoleKind.LOCALITY, "locality": LocalityFactory(parent=other_district)},
    }
    return {role: RoleFactory(**fields).user for role, fields in held_on.items()}


def _admin_model(route: Route):
    """The model of an admin URL such as admin/cadres/assignment/<path:object_id>/change/."""
    parts = route.pattern.split("/")
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, IndexError, ValueError):
        return None


def _admin_kwargs(route: Route, objects: dict, keys: list[str] | None = None) -> dict:
    kwargs = {}
    model = _admin_model(route)
    for key in route.converters if keys is None else keys:
        if key in ("object_id", "id"):
            instance = model.objects.order_by("pk").first() if model else None
            kwargs[key] = str(instance.pk) if instance else "1"
        elif key == "app_label":
            kwargs[key] = "cadres"
        elif key == "content_type_id":
            kwargs[key] = str(ContentType.objects.get_for_model(objects["cadre"]).pk)
    if route.name == "admin:view_on_site":
        kwargs["object_id"] = str(objects["cadre"].pk)
    return kwargs


def _past_version_url(route: Route) -> str:
    """django-simple-history's admin page of one past version: a pattern with unnamed groups."""
    instance = _admin_model(route).objects.order_by("pk").first()
    record = instance.history.order_by("history_id").first() if instance else None
    return reverse(route.name, args=[instance.pk, record.history_id] if record else ["1", "1"])


def url_of(route: Route, rule: Rule, world) -> str:
    objects = world["objects"]
    if route.name.endswith("_simple_history"):
        return _past_version_url(route)
    if rule.obj == "admin" and route.positional:
        # The object's id, then the history record's (only superusers get as far as looking them up).
        object_id = _admin_kwargs(route, objects, keys=["object_id"])["object_id"]
        return reverse(route.name, args=[object_id, *["1"] * (route.positional - 1)])
    if rule.obj == "admin":
        kwargs = _admin_kwargs(route, objects)
    elif rule.obj is None:
        kwargs = {}
    else:
        value = objects[rule.obj]
        kwargs = {key: getattr(value, "pk", value) for key in route.converters}
    yesterday = world["today"] - datetime.timedelta(days=1)
    return reverse(route.name, kwargs=kwargs) + rule.query.format(yesterday=yesterday.isoformat())


def _outcome(response):
    if response.status_code == 302:
        if response.url.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if response.url.startswith(reverse("login")):
            return LOGIN
        return REDIRECT
    return response.status_code


def _check(world, role: str, routes: list[Route]) -> tuple[int, list[str]]:
    client = world["clients"][role]
    client.raise_request_exception = False
    wrong = []
    for route in routes:
        rule = rule_for(route.name)
        url = url_of(route, rule, world)
        got = _outcome(client.get(url))
        expected = rule.expected(role)
        if got != expected:
            wrong.append(f"{route.name} {url} [{rule.policy.name}]: expected {expected!r}, got {got!r}")
    return len(routes), wrong


def _named(admin: bool) -> list[Route]:
    return [route for route in project_routes() if route.name and route.name.startswith("admin:") == admin]


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role_as_expected(world, role):
    checked, wrong = _check(world, role, _named(admin=False))
    assert checked > 50
    assert not wrong, f"{len(wrong)} of {checked} URLs answer {role} wrongly:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "superuser"])
def test_only_superusers_get_into_the_admin(world, role):
    checked, wrong = _check(world, role, _named(admin=True))
    assert not wrong, f"{len(wrong)} of {checked} admin URLs answer {role} wrongly:\n" + "\n".join(wrong)


# The admin's pages a superuser opens: every model's list and add page, and the change,
# history (and one past version) and delete pages of an object of each model that has one.
ADMIN_PAGES_OPENED = ("_changelist", "_add", "_change", "_history", "_simple_history", "_delete")


def test_a_superuser_opens_the_admin(world):
    objects = world["objects"]
    assert objects["note"].pk  # the world has objects of every model the admin shows
    routes = [route for route in _named(admin=True) if route.name.endswith(ADMIN_PAGES_OPENED)]
    routes = [route for route in routes if "object_id" not in route.converters or _admin_model(route).objects.exists()]
    special = [route for route in _named(admin=True) if route.name in EXPECTED]
    index = [route for route in _named(admin=True) if route.name in ("admin:index", "admin:password_change")]
    checked, wrong = _check(world, "superuser", routes + special + index)
    assert checked > 40
    assert not wrong, f"{len(wrong)} of {checked} admin URLs answer the superuser wrongly:\n" + "\n".join(wrong)


def test_someone_elses_objects_answer_404_to_a_cadre(world):
    """The object-level rule in plain words: every URL of a cadre's object, opened by another cadre."""
    client = world["clients"]["other_cadre"]
    objects = world["objects"]
    urls = [
        reverse("reports:note_detail", args=[objects["note"].pk]),
        reverse("reports:note_edit", args=[objects["note"].pk]),
        reverse("reports:note_photo", args=[objects["note"].pk]),
        reverse("reports:escalation_detail", args=[objects["escalation"].pk]),
        reverse("reports:report_detail", args=[objects["report"].pk]),
        reverse("reports:report_edit", args=[objects["assignment"].pk]),
        reverse("reports:escalation_create") + f"?note={objects['note'].pk}",
        reverse("notices:open", args=[objects["notice"].pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)


# A report never submitted is its cadre's draft: nobody else reads it. A returned report was submitted
# once and reviewed: staff keep reading it while the cadre revises it.
DRAFT_REPORT = {
    "reports:report_detail": _policy(
        "a draft report: its cadre only",
        NOT_FOUND,
        anonymous=LOGIN,
        cadre=OK,
        other_cadre=NOT_FOUND,
        no_role=NOT_FOUND,
        staff=NOT_FOUND,
        superuser=NOT_FOUND,
    ),
    "reports:report_review": _policy(
        "a draft report's review: nobody",
        lambda role: NOT_FOUND if role in ORGANISERS else FORBIDDEN,
        anonymous=LOGIN,
        cadre=FORBIDDEN,
        other_cadre=FORBIDDEN,
        no_role=FORBIDDEN,
        staff=NOT_FOUND,
        superuser=NOT_FOUND,
    ),
    "reports:report_print": _policy(
        "a draft report's print: nobody",
        NOT_FOUND,
        anonymous=LOGIN,
        cadre=FORBIDDEN,
        other_cadre=FORBIDDEN,
        no_role=FORBIDDEN,
        staff=NOT_FOUND,
        superuser=NOT_FOUND,
    ),
}


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED])
@pytest.mark.parametrize("role", ROLES)
def test_a_report_never_submitted_is_its_cadres_alone(world, role, status):
    report = world["objects"]["report"]
    submitted_at = None if status == ReportStatus.DRAFT else report.submitted_at
    MissionReport.objects.filter(pk=report.pk).update(status=status, submitted_at=submitted_at)
    client = world["clients"][role]
    wrong = []
    for name, draft_policy in DRAFT_REPORT.items():
        policy = draft_policy if status == ReportStatus.DRAFT else EXPECTED[name].policy
        expected = Rule(policy, "report").expected(role)
        got = _outcome(client.get(reverse(name, args=[report.pk])))
        if got != expected:
            wrong.append(f"{name} [{policy.name}]: expected {expected!r}, got {got!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_a_decisions_signed_scan_answers_as_its_page(world, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decision = world["objects"]["decision"]
    decision.attach_scan(SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"), by=None)
    url = reverse("cadres:decision_scan", args=[decision.pk])
    assert _outcome(world["clients"][role].get(url)) == EXPECTED["cadres:decision_detail"].expected(role)
