import datetime
import io
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit
from demo import scale_data
from demo.scale_data import CODE_PREFIX
from localities.models import LEVEL_OF_KIND, Level, Locality, ZoneStatus
from reports.models import DailyNote, Escalation, MissionReport, Recommendation
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)
TINY = {
    "provinces": 3,
    "districts": 6,
    "communes": 30,
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
    call_command("generate_scale_data", stdout=out, seed=7, today=TODAY, **{**TINY, **options})
    return out.getvalue()


def test_it_loads_the_requested_counts():
    output = _generate()

    assert Locality.objects.filter(level=Level.PROVINCE).count() == 3
    assert Locality.objects.filter(level=Level.DISTRICT).count() == 6
    assert Locality.objects.filter(level=Level.COMMUNE).count() == 30
    assert ZoneStatus.objects.count() == 3 * 36
    assert ProvincialUnit.objects.count() == 10
    assert Cadre.objects.count() == 40
    assert Campaign.objects.count() == Decision.objects.count() == 3 * 2
    assert Assignment.objects.count() == 90
    assert DailyNote.objects.count() == 900
    assert Escalation.objects.count() == 40
    assert MissionReport.objects.count() == 50
    assert 50 <= Recommendation.objects.count() <= 50 * 3
    assert "rows/s" in output


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


def test_the_same_seed_gives_the_same_people_and_places():
    _generate()
    first = list(Cadre.objects.order_by("pk").values_list("full_name", "unit__name"))
    places = list(Locality.objects.order_by("pk").values_list("name", flat=True))
    for model in (Recommendation, MissionReport, Escalation, DailyNote, Assignment, Decision, Campaign, Cadre):
        model.objects.all().delete()
    ProvincialUnit.objects.filter(parent__isnull=False).delete()
    ProvincialUnit.objects.all().delete()
    ZoneStatus.objects.all().delete()
    Locality.objects.filter(level=Level.COMMUNE).delete()
    Locality.objects.filter(level=Level.DISTRICT).delete()
    Locality.objects.all().delete()

    _generate()

    assert list(Cadre.objects.order_by("pk").values_list("full_name", "unit__name")) == first
    assert list(Locality.objects.order_by("pk").values_list("name", flat=True)) == places


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

    _generate(force=True)

    assert Cadre.objects.filter(pk=real.pk, code="TD-001").exists()
    assert Cadre.objects.count() == 1 + 40 + 40
    assert DailyNote.objects.count() == 900 + 900


def test_force_still_refuses_a_database_it_does_not_support(monkeypatch):
    CadreFactory()
    monkeypatch.setattr(scale_data, "SUPPORTED_VENDORS", {"mysql"})

    with pytest.raises(CommandError, match="only supported on PostgreSQL and SQLite"):
        _generate(force=True)


def test_it_refuses_counts_that_cannot_be_met():
    with pytest.raises(CommandError, match="reports cannot outnumber assignments"):
        _generate(reports=91)
    assert not Cadre.objects.exists()


def test_after_loading_new_rows_get_fresh_ids():
    _generate()

    cadre = CadreFactory()

    assert cadre.pk == Cadre.objects.exclude(pk=cadre.pk).order_by("-pk").first().pk + 1
