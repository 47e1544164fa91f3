import datetime
import io
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection

from accounts.roles import RoleKind
from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit, Role
from demo import scale_data
from demo.scale_data import CODE_PREFIX
from localities import official
from localities.models import LEVEL_OF_KIND, REORGANISATION_2025, Level, Locality, ZoneStatus
from reports.models import DailyNote, Escalation, MissionReport, Recommendation
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)
# Today's first three provinces by code: Hà Nội and Cao Bằng went through 01/07/2025 unchanged, Tuyên Quang took
# in Hà Giang.
TINY = {
    "provinces": 3,
    "units": 10,
    "cadres": 40,
    "assignments": 90,
    "notes": 900,
    "escalations": 40,
    "reports": 50,
    "recommendations_per_report": 2,
    "campaigns_per_province": 2,
}


def _generate(**options):
    out = io.StringIO()
    call_command("generate_scale_data", stdout=out, **{"seed": 7, "today": TODAY, **TINY, **options})
    return out.getvalue()


def _today_map():
    return Locality.objects.valid_on(TODAY)


def test_it_loads_the_requested_counts():
    output = _generate()

    provinces = _today_map().filter(level=Level.PROVINCE)
    assert list(provinces.order_by("code").values_list("code", "name")) == [
        ("01", "Hà Nội"),
        ("04", "Cao Bằng"),
        ("08", "Tuyên Quang"),
    ]
    assert ZoneStatus.objects.count() == 3 * _today_map().filter(level=Level.COMMUNE).count()
    assert ProvincialUnit.objects.count() == 10
    assert Cadre.objects.count() == 40
    assert Campaign.objects.count() == Decision.objects.count() == 3 * 2
    assert Assignment.objects.count() == 90
    assert DailyNote.objects.count() == 900
    assert Escalation.objects.count() == 40
    assert MissionReport.objects.count() == 50
    assert 50 <= Recommendation.objects.count() <= 50 * 3
    assert "rows/s" in output


def test_the_places_are_the_official_units_of_both_maps():
    _generate()

    units = official.read_dataset()
    codes = {"01", "04", "08"}
    communes = {
        unit.code
        for unit in units.values()
        if unit.level == Level.COMMUNE and unit.era == official.NEW and units[unit.parent_key].code in codes
    }
    today = _today_map()
    assert set(today.filter(level=Level.COMMUNE).values_list("code", flat=True)) == communes
    assert set(today.filter(level=Level.COMMUNE).values_list("parent__code", flat=True)) == codes
    assert not today.filter(level=Level.DISTRICT).exists()  # Two levels since 01/07/2025.
    # The map of 2021 they came from: Hà Giang was merged into Tuyên Quang, its communes into today's.
    in_2021 = Locality.objects.valid_on(datetime.date(2021, 7, 1))
    assert set(in_2021.filter(level=Level.PROVINCE).values_list("code", flat=True)) == {"01", "02", "04", "08"}
    assert in_2021.filter(level=Level.DISTRICT).exists()
    old_communes = in_2021.filter(level=Level.COMMUNE).exclude(valid_to=None)
    assert old_communes.exists() and not old_communes.filter(successors=None).exists()


def test_the_activity_is_on_the_units_that_exist_all_year():
    _generate()

    today = _today_map().filter(valid_to=None)
    communes = set(today.filter(level=Level.COMMUNE).values_list("pk", flat=True))
    for assignment in Assignment.objects.select_related("locality"):
        assert assignment.locality_id in communes
        assignment.clean_locality_period()  # Its place exists on all its days.
    assert set(ZoneStatus.objects.values_list("locality_id", flat=True)) == communes
    for valid_from, exists_from in ZoneStatus.objects.values_list("valid_from", "locality__valid_from"):
        assert exists_from is None or valid_from >= exists_from
    assert set(Role.objects.exclude(locality=None).values_list("locality_id", flat=True)) <= set(
        today.values_list("pk", flat=True)
    )


def test_no_cadre_is_in_two_places_at_once():
    _generate()

    previous_by_cadre = {}
    for assignment in Assignment.objects.order_by("cadre_id", "starts_on"):
        previous = previous_by_cadre.get(assignment.cadre_id)
        if previous is not None:
            assert assignment.starts_on > previous.ends_on, (previous, assignment)
        assert assignment.ends_on >= assignment.starts_on
        previous_by_cadre[assignment.cadre_id] = assignment
    assert len(previous_by_cadre) == 40


def test_notes_fall_inside_their_assignment_and_never_in_the_future():
    _generate()

    for day, starts_on, ends_on in DailyNote.objects.values_list("day", "assignment__starts_on", "assignment__ends_on"):
        assert starts_on <= day <= ends_on
        assert day <= TODAY
    days = list(DailyNote.objects.order_by("assignment_id", "day").values_list("assignment_id", "day"))
    assert all(first != second for first, second in pairwise(days))


def test_rows_are_stored_as_the_models_would_save_them():
    _generate()

    for kind, level in Locality.objects.values_list("kind", "level").distinct():
        assert LEVEL_OF_KIND[kind] == level
    for decision in Decision.objects.all():
        assert decision.year == decision.signed_on.year
    note = DailyNote.objects.first()
    assert isinstance(note.activities, list) and note.activities
    assert note.client_key is not None
    assert all(code.startswith(CODE_PREFIX) for code in Cadre.objects.values_list("code", flat=True))
    for report in MissionReport.objects.exclude(status="draft").select_related("assignment"):
        assert report.assignment.ends_on < TODAY
    assert Assignment.objects.active_on(TODAY).exists()


def _renumber_localities_from_one():
    """As on an empty database: the official units are numbered from 1 (the rest takes explicit ids). PostgreSQL's
    sequences move on in the tests before, whose transactions are rolled back."""
    sequences = [{"table": Locality._meta.db_table, "column": "id"}]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)


def test_the_same_seed_gives_the_same_people_and_places():
    _renumber_localities_from_one()
    _generate()
    first = list(Cadre.objects.order_by("pk").values_list("full_name", "unit__name"))
    places = list(Locality.objects.order_by("pk").values_list("name", flat=True))
    accounts = list(Role.objects.order_by("pk").values_list("user__username", "kind", "unit", "locality"))
    for model in (
        Role,
        User,
        Recommendation,
        MissionReport,
        Escalation,
        DailyNote,
        Assignment,
        Decision,
        Campaign,
        Cadre,
    ):
        model.objects.all().delete()
    ProvincialUnit.objects.filter(parent__isnull=False).delete()
    ProvincialUnit.objects.all().delete()
    ZoneStatus.objects.all().delete()
    Locality.objects.filter(level=Level.COMMUNE).delete()
    Locality.objects.filter(level=Level.DISTRICT).delete()
    Locality.objects.all().delete()
    _renumber_localities_from_one()

    _generate()

    assert list(Cadre.objects.order_by("pk").values_list("full_name", "unit__name")) == first
    assert list(Locality.objects.order_by("pk").values_list("name", flat=True)) == places
    assert list(Role.objects.order_by("pk").values_list("user__username", "kind", "unit", "locality")) == accounts


def test_a_second_run_without_force_refuses():
    _generate()

    with pytest.raises(CommandError, match="previous scale data set"):
        _generate()
    assert Cadre.objects.count() == 40


def test_it_refuses_a_database_with_a_real_cadre():
    CadreFactory(code="TD-001")

    with pytest.raises(CommandError, match="real data"):
        _generate()
    assert Cadre.objects.count() == 1


def test_force_adds_the_data_set_beside_real_data_and_keeps_it():
    real = CadreFactory(code="TD-001")
    _generate(force=True)
    places, gradings = Locality.objects.count(), ZoneStatus.objects.count()

    _generate(force=True)

    assert Cadre.objects.filter(pk=real.pk, code="TD-001").exists()
    assert Cadre.objects.count() == 1 + 40 + 40
    assert DailyNote.objects.count() == 900 + 900
    # The official units are loaded once, and a commune's gradings are not drawn twice.
    assert (Locality.objects.count(), ZoneStatus.objects.count()) == (places, gradings)


def test_force_still_refuses_a_database_it_does_not_support(monkeypatch):
    CadreFactory()
    monkeypatch.setattr(scale_data, "SUPPORTED_VENDORS", {"mysql"})

    with pytest.raises(CommandError, match="only supported on PostgreSQL and SQLite"):
        _generate(force=True)


def test_it_refuses_counts_that_cannot_be_met():
    with pytest.raises(CommandError, match="reports cannot outnumber assignments"):
        _generate(reports=91)
    with pytest.raises(CommandError, match="34 provinces since 01/07/2025"):
        _generate(provinces=35)
    assert not Cadre.objects.exists()


def test_it_refuses_a_year_that_starts_before_todays_map():
    # A year of campaigns ending a month after 30/05/2026 starts on 30/06/2025, on the map before.
    with pytest.raises(CommandError, match="from 01/07/2025: build it around 2026-05-31 or later"):
        _generate(today=datetime.date(2026, 5, 30))
    assert not Locality.objects.exists()

    _generate(today=datetime.date(2026, 5, 31))

    assert Assignment.objects.order_by("starts_on").first().starts_on >= REORGANISATION_2025


def test_after_loading_new_rows_get_fresh_ids():
    _generate()

    cadre = CadreFactory()

    assert cadre.pk == Cadre.objects.exclude(pk=cadre.pk).order_by("-pk").first().pk + 1


def _user(username):
    # Read afresh: a user keeps its scope (accounts.roles.scope_of) for its lifetime.
    return User.objects.get(username=username)


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_it_makes_an_account_for_each_organiser_province_unit_and_host_locality():
    _generate()

    provinces = _today_map().filter(level=Level.PROVINCE)
    hosts = set(Assignment.objects.values_list("locality_id", flat=True))
    host_provinces = set(Locality.objects.filter(pk__in=hosts).values_list("parent_id", flat=True))
    organisers = set(Campaign.objects.values_list("organising_unit_id", flat=True))
    expected = {f"sc-organiser-{pk}" for pk in organisers} | {f"sc-supervisor-{p.pk}" for p in provinces}
    expected |= {f"sc-unit-{pk}" for pk in ProvincialUnit.objects.values_list("pk", flat=True)}
    expected |= {f"sc-province-{pk}" for pk in host_provinces} | {f"sc-commune-{pk}" for pk in hosts}
    assert set(User.objects.values_list("username", flat=True)) == expected
    assert host_provinces == set(provinces.values_list("pk", flat=True))
    assert len(expected) == 3 + 3 + 10 + 3 + len(hosts)
    assert Role.objects.filter(kind=RoleKind.LOCALITY, locality__level=Level.PROVINCE).count() == 3
    assert Role.objects.count() == len(expected)
    assert set(Role.objects.values_list("kind", flat=True)) == set(RoleKind)
    for role in Role.objects.select_related("user", "unit", "locality"):
        role.full_clean()  # Held on the right anchor, as the form would check.
        anchor = role.unit_id or role.locality_id
        assert role.user.username.endswith(f"-{anchor}")
        assert role.user.is_active and not role.user.has_usable_password()
    assert len(set(User.objects.values_list("password", flat=True))) == 1


def test_each_role_sees_its_part_and_nothing_else():
    _generate()
    province = _today_map().filter(level=Level.PROVINCE).order_by("code").first()
    in_province = Assignment.objects.filter(locality__parent=province)

    organiser = in_province.values_list("campaign__organising_unit_id", flat=True).first()
    assert _ids(Assignment.objects.visible_to(_user(f"sc-organiser-{organiser}"))) == _ids(in_province)
    assert _ids(Campaign.objects.visible_to(_user(f"sc-organiser-{organiser}"))) == _ids(
        Campaign.objects.filter(organising_unit=organiser)
    )

    supervisor = _user(f"sc-supervisor-{province.pk}")
    assert _ids(Assignment.objects.visible_to(supervisor)) == _ids(in_province)
    assert _ids(DailyNote.objects.visible_to(supervisor)) == _ids(DailyNote.objects.filter(assignment__in=in_province))

    unit = Cadre.objects.values_list("unit_id", flat=True).first()
    theirs = Assignment.objects.filter(cadre__unit=unit)
    focal_point = _user(f"sc-unit-{unit}")
    assert _ids(Cadre.objects.visible_to(focal_point)) == _ids(Cadre.objects.filter(unit=unit))
    assert _ids(Assignment.objects.visible_to(focal_point)) == _ids(theirs)
    assert _ids(DailyNote.objects.visible_to(focal_point)) == _ids(DailyNote.objects.filter(assignment__in=theirs))
    assert _ids(Escalation.objects.visible_to(focal_point)) == _ids(Escalation.objects.filter(assignment__in=theirs))

    commune = Escalation.objects.values_list("assignment__locality", flat=True).first()
    host_province = Locality.objects.get(pk=commune).parent_id
    for username, there in [
        (f"sc-commune-{commune}", Assignment.objects.filter(locality=commune)),
        (f"sc-province-{host_province}", Assignment.objects.filter(locality__parent=host_province)),
    ]:
        official = _user(username)
        assert _ids(Assignment.objects.visible_to(official)) == _ids(there)
        assert _ids(Cadre.objects.visible_to(official)) == set(there.values_list("cadre_id", flat=True))
        assert _ids(Escalation.objects.visible_to(official)) == _ids(Escalation.objects.filter(assignment__in=there))
        assert not DailyNote.objects.visible_to(official).exists()  # Notes are the cadre's word to the organisers.
    for part in (in_province, theirs, Assignment.objects.filter(locality=commune)):
        assert 0 < part.count() < Assignment.objects.count()


def test_a_forced_second_run_adds_the_accounts_of_its_own_anchors():
    _generate()
    first = User.objects.count()

    _generate(force=True)

    assert User.objects.count() == Role.objects.count() > first
    assert User.objects.filter(username__startswith="sc-organiser-").count() == 3 + 3
