import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports.models import EscalationStatus, ReminderLog, ReportStatus, Urgency
from reports.reminders import (
    ASSIGNED,
    ENDING_SOON,
    NO_NOTE,
    REPORT_DUE,
    URGENT_ESCALATION,
    send_reminders,
)
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    DailyNoteFactory,
    EscalationFactory,
    MissionReportFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2021, 8, 20)


def _assignment(email="mai@example.vn", **kwargs):
    kwargs.setdefault("starts_on", D(2021, 8, 17))
    return AssignmentFactory(cadre=CadreFactory(email=email), **kwargs)


def _run(kind, day=DAY, **kwargs):
    return send_reminders(day=day, kinds=[kind], **kwargs)


def _recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def test_it_tells_the_cadre_once_about_a_new_assignment():
    today = timezone.localdate()
    assignment = _assignment(starts_on=today + datetime.timedelta(days=2))
    assert [r.object_key for r in _run(ASSIGNED, day=today)] == [f"assignment:{assignment.pk}"]
    assert _recipients() == ["mai@example.vn"]
    assert assignment.locality.display_name in mail.outbox[0].body
    _run(ASSIGNED, day=today)
    _run(ASSIGNED, day=today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1


def test_an_old_assignment_is_not_announced_again():
    _assignment(starts_on=timezone.localdate())
    assert _run(ASSIGNED, day=timezone.localdate() + datetime.timedelta(days=3)) == []


def test_it_reminds_a_cadre_without_a_note_that_evening_once_a_day():
    silent = _assignment()
    filed = _assignment(email="lam@example.vn")
    DailyNoteFactory(assignment=filed, day=DAY)
    _assignment(email="later@example.vn", starts_on=D(2021, 8, 25))
    _run(NO_NOTE)
    assert _recipients() == ["mai@example.vn"]
    assert "20/08/2021" in mail.outbox[0].subject or "20/08/2021" in mail.outbox[0].body
    _run(NO_NOTE)
    assert len(mail.outbox) == 1
    _run(NO_NOTE, day=DAY + datetime.timedelta(days=1))
    assert sorted(_recipients()[1:]) == ["lam@example.vn", "mai@example.vn"]
    assert ReminderLog.objects.filter(kind=NO_NOTE, object_key=f"assignment:{silent.pk}").count() == 2


def test_it_warns_three_days_before_the_end():
    assignment = _assignment()  # 17/08 to 15/09
    assert _run(ENDING_SOON, day=D(2021, 9, 11)) == []
    _run(ENDING_SOON, day=D(2021, 9, 12))
    _run(ENDING_SOON, day=D(2021, 9, 12))
    assert _recipients() == ["mai@example.vn"]
    assert assignment.ends_on == D(2021, 9, 15)


def test_it_says_the_report_is_due_the_day_the_report_opens():
    assignment = _assignment()  # the report opens on 11/09, five days before the end on 15/09
    assert _run(REPORT_DUE, day=D(2021, 9, 10)) == []
    _run(REPORT_DUE, day=D(2021, 9, 11))
    _run(REPORT_DUE, day=D(2021, 9, 11))
    assert _recipients() == ["mai@example.vn"]
    MissionReportFactory(assignment=assignment, status=ReportStatus.SUBMITTED)
    ReminderLog.objects.all().delete()
    assert _run(REPORT_DUE, day=D(2021, 9, 11)) == []


def test_it_tells_every_staff_member_with_an_email_about_an_urgent_escalation_once():
    StaffUserFactory(email="vanphong@example.vn")
    StaffUserFactory(email="")
    urgent = EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu oxy y tế")
    EscalationFactory(urgency=Urgency.NORMAL)
    EscalationFactory(urgency=Urgency.URGENT, status=EscalationStatus.RESOLVED)
    _run(URGENT_ESCALATION)
    _run(URGENT_ESCALATION, day=DAY + datetime.timedelta(days=1))
    assert _recipients() == ["vanphong@example.vn"]
    assert "Thiếu oxy y tế" in mail.outbox[0].subject
    assert f"/escalations/{urgent.pk}/manage/" in mail.outbox[0].body


def test_a_cadre_without_an_email_is_skipped():
    _assignment(email="")
    assert _run(NO_NOTE) == []


def test_the_cadre_account_email_is_used_when_the_record_has_none(cadre):
    cadre.user.email = "account@example.vn"
    cadre.user.save()
    AssignmentFactory(cadre=cadre, starts_on=D(2021, 8, 17))
    _run(NO_NOTE)
    assert _recipients() == ["account@example.vn"]


def test_a_dry_run_sends_and_logs_nothing():
    _assignment()
    assert len(_run(NO_NOTE, dry_run=True)) == 1
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_command_sends_every_kind_once_a_day_and_prints_a_summary():
    StaffUserFactory(email="vanphong@example.vn")
    _assignment()
    EscalationFactory(urgency=Urgency.URGENT)
    out = io.StringIO()
    call_command("send_reminders", "--day", "2021-08-20", stdout=out)
    sent = len(mail.outbox)
    assert sent >= 2 and "no_note: 1" in out.getvalue() and "urgent_escalation: 1" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--day", "2021-08-20", stdout=out)
    assert len(mail.outbox) == sent and "0 reminder" in out.getvalue()


def test_the_command_dry_run_sends_nothing():
    _assignment()
    out = io.StringIO()
    call_command("send_reminders", "--day", "2021-08-20", "--kind", "no_note", "--dry-run", stdout=out)
    assert mail.outbox == [] and "Would send 1" in out.getvalue()


def test_the_command_refuses_a_bad_day():
    with pytest.raises(CommandError):
        call_command("send_reminders", "--day", "20/08/2021", stdout=io.StringIO())
