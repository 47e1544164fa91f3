import datetime

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.roles import CADRE_GROUP, STAFF_GROUP
from cadres.models import Assignment, Cadre, Campaign, Decision, ProvincialUnit, Role, UnitKind
from localities.models import Grading, Locality, LocalityKind, ZoneStatus

TEST_PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def group(self, create, name, **kwargs):
        _join(self, name)


def _join(user, group_name):
    if group_name:
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    user.save()


class StaffUserFactory(UserFactory):
    @factory.post_generation
    def group(self, create, name, **kwargs):
        _join(self, name or STAFF_GROUP)


class ProvincialUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProvincialUnit

    name = factory.Sequence(lambda n: f"Sở số {n}")
    short_name = factory.Sequence(lambda n: f"Sở {n}")
    kind = UnitKind.YOUTH_UNION
    document_symbol = "QĐ/TĐTN-BTC"
    place = "Bình Dương"


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Phường {n}")
    kind = LocalityKind.WARD


class ZoneStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneStatus

    locality = factory.SubFactory(LocalityFactory)
    grading = Grading.RED
    directive = "Chỉ thị 16/CT-TTg"
    valid_from = datetime.date(2021, 7, 19)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    code = factory.Sequence(lambda n: f"CB-{n:05d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    position = "Chuyên viên"
    unit = factory.SubFactory(ProvincialUnitFactory)


class CadreUserFactory(CadreFactory):
    """A cadre with a login in the cadre group."""

    user = factory.SubFactory(UserFactory, group=CADRE_GROUP)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Đợt {n}")
    organising_unit = factory.SubFactory(ProvincialUnitFactory)
    starts_on = datetime.date(2021, 8, 16)
    ends_on = datetime.date(2021, 9, 30)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    campaign = factory.SubFactory(CampaignFactory)
    issuing_unit = factory.SelfAttribute("campaign.organising_unit")
    number = factory.Sequence(lambda n: n + 1)
    signed_on = datetime.date(2021, 8, 16)
    signer_position = "BÍ THƯ"
    signer_name = "Nguyễn Văn Ký"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cadre = factory.SubFactory(CadreFactory)
    campaign = factory.SubFactory(CampaignFactory)
    locality = factory.SubFactory(LocalityFactory)
    starts_on = datetime.date(2021, 8, 17)
    ends_on = factory.LazyAttribute(lambda a: a.starts_on + datetime.timedelta(days=29))


# Reports: daily notes, escalations, end-of-mission reports, recommendations.
class DailyNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.DailyNote"

    assignment = factory.SubFactory(AssignmentFactory)
    day = factory.LazyAttribute(lambda note: note.assignment.starts_on)
    # Written in the evening of its day, as a cadre would.
    written_at = factory.LazyAttribute(
        lambda note: timezone.make_aware(datetime.datetime.combine(note.day, datetime.time(20, 0)))
    )
    activities = factory.LazyFunction(lambda: ["door_to_door", "testing"])
    situation = "Tình hình dịch trên địa bàn cơ bản được kiểm soát."


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.Escalation"

    assignment = factory.SubFactory(AssignmentFactory)
    subject = factory.Sequence(lambda n: f"Kiến nghị số {n}")
    description = "Phường thiếu nhân lực lấy mẫu xét nghiệm."
    category = "staffing"


class MissionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.MissionReport"

    assignment = factory.SubFactory(AssignmentFactory)
    results = "Hỗ trợ phường lấy mẫu xét nghiệm, tuyên truyền tại các khu nhà trọ."
    local_work = "Tổ chức Đoàn cơ sở hoạt động tốt."
    status = "submitted"
    submitted_at = factory.LazyFunction(lambda: datetime.datetime(2021, 9, 15, 9, 0, tzinfo=datetime.UTC))


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.Recommendation"

    report = factory.SubFactory(MissionReportFactory)
    text = factory.Sequence(lambda n: f"Đề xuất số {n}: bổ sung trang thiết bị y tế cho phường.")


class RoleFactory(factory.django.DjangoModelFactory):
    """A role held on a unit or a locality (accounts/roles.py); organiser staff of a new unit by default."""

    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = "organiser"
    unit = factory.LazyAttribute(lambda role: ProvincialUnitFactory() if role.kind in ("organiser", "unit") else None)
