import datetime
import io

import pytest
from django.core.management import call_command

from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit
from localities.models import Grading, Locality, ZoneStatus
from reports.models import DailyNote, Escalation, MissionReport

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
    districts = set(Locality.objects.districts().values_list("name", flat=True))
    assert districts == {"Thủ Dầu Một", "Dĩ An", "Thuận An", "Tân Uyên", "Bến Cát"}
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
