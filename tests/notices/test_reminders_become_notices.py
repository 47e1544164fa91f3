"""Upgrading: the email reminders already sent become read notices, so the first run does not send them again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("notices", "0001_initial")]
AFTER = [("notices", "0002_notices_and_deliveries")]


@pytest.fixture
def old_state(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "notices"]
    yield executor.loader.project_state([*others, *BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_reminder_sent_becomes_a_read_notice_with_its_email_delivered(old_state):
    apps = old_state
    User = apps.get_model("auth", "User")
    Cadre = apps.get_model("cadres", "Cadre")
    Assignment = apps.get_model("cadres", "Assignment")
    ReminderLog = apps.get_model("notices", "ReminderLog")
    staff = User.objects.create(username="vanphong", email="VanPhong@example.vn")
    cadre_user = User.objects.create(username="mai")
    unit = apps.get_model("cadres", "ProvincialUnit").objects.create(name="Sở Y tế")
    cadre = Cadre.objects.create(code="CB-1", full_name="Lê Thị Mai", unit=unit, user=cadre_user, position="")
    province = apps.get_model("localities", "Locality").objects.create(
        code="74", name="Bình Dương", kind="province", level=1
    )
    campaign = apps.get_model("cadres", "Campaign").objects.create(
        name="Tăng cường cơ sở",
        organising_unit=unit,
        starts_on=datetime.date(2021, 8, 1),
        ends_on=datetime.date(2021, 12, 31),
    )
    assignment = Assignment.objects.create(
        cadre=cadre,
        campaign=campaign,
        locality=province,
        starts_on=datetime.date(2021, 8, 17),
        ends_on=datetime.date(2021, 9, 15),
    )
    today = datetime.date.today()
    yesterday = today - datetime.timedelta(days=1)
    sent = timezone.make_aware(datetime.datetime(2021, 8, 20, 19, 0))
    for kind, key, recipient, day in [
        ("no_note", f"assignment:{assignment.pk}", "mai@example.vn", yesterday),
        ("no_note", f"assignment:{assignment.pk}", "mai@example.vn", today),
        ("assigned", f"assignment:{assignment.pk}", "mai@example.vn", yesterday),
        ("no_note", f"assignment:{assignment.pk}", "mai@example.vn", datetime.date(2021, 8, 20)),  # long past
        ("urgent_escalation", "escalation:9", "vanphong@example.vn", datetime.date(2021, 8, 20)),
        ("urgent_escalation", "escalation:9", "gone@example.vn", datetime.date(2021, 8, 20)),
        ("assigned", "assignment:999999", "gone@example.vn", today),
    ]:
        ReminderLog.objects.create(kind=kind, object_key=key, recipient=recipient, day=day)
    ReminderLog.objects.update(sent_at=sent)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "notices"]
    apps = executor.loader.project_state([*others, *AFTER]).apps
    Notice = apps.get_model("notices", "Notice")
    notices = {(n.kind, n.key): n for n in Notice.objects.all()}
    assert sorted(notices) == [
        ("assigned", f"assignment:{assignment.pk}"),
        ("no_note", f"assignment:{assignment.pk}@{yesterday.isoformat()}"),
        ("no_note", f"assignment:{assignment.pk}@{today.isoformat()}"),
        ("urgent_escalation", "escalation:9"),
    ]
    mine = notices[("no_note", f"assignment:{assignment.pk}@{today.isoformat()}")]
    assert mine.cadre_id == cadre.pk and mine.user_id == cadre_user.pk and mine.read_at == sent
    assert today.strftime("%d/%m/%Y") in mine.title
    assert notices[("urgent_escalation", "escalation:9")].user_id == staff.pk
    delivery = apps.get_model("notices", "Delivery").objects.get(notice=mine.pk)
    assert (delivery.channel, delivery.target, delivery.status) == ("email", "mai@example.vn", "delivered")
