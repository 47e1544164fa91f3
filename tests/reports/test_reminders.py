import datetime
import io
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.utils import timezone

from notices.models import ReminderLog
from notices.reminders import (
    ASSIGNED,
    ENDING_SOON,
    NO_NOTE,
    REPORT_DUE,
    URGENT_ESCALATION,
    send_reminders,
)
from reports.models import EscalationStatus, ReportStatus, Urgency
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
    return send_reminders(day=day, kinds=[kind], **kwargs).sent


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


# One bad message never stops the others.

REFUSED = "refused@example.vn"  # the mail server refuses it
IGNORED = "ignored@example.vn"  # the backend takes nothing and says so (0 sent)


class PickyBackend(locmem.EmailBackend):
    """The test outbox, with a mail server that refuses one address and silently drops another."""

    tried: list[str] = []

    def send_messages(self, messages):
        self.tried.extend(address for message in messages for address in message.to)
        if any(REFUSED in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 No such user")})
        if any(IGNORED in message.to for message in messages):
            return 0
        return super().send_messages(messages)


@pytest.fixture
def picky_mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.PickyBackend"
    PickyBackend.tried = []
    return PickyBackend


def _no_note_for(*emails):
    return {email: _assignment(email=email) for email in emails}


def _command(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("send_reminders", "--day", "2021-08-20", "--kind", NO_NOTE, *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_an_escalation_subject_with_line_breaks_is_sent_on_one_line():
    StaffUserFactory(email="vanphong@example.vn")
    EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu oxy\r\nBcc: everyone@example.vn")
    EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu xe cứu thương")
    assert len(_run(URGENT_ESCALATION)) == 2
    first, second = (message.subject for message in mail.outbox)
    assert first.startswith("[Đồng hành] ") and first.endswith(": Thiếu oxy Bcc: everyone@example.vn")
    assert second.endswith(": Thiếu xe cứu thương")
    assert all(message.message()["Bcc"] is None for message in mail.outbox)


def test_a_message_the_mail_server_refuses_fails_alone_and_is_tried_again(picky_mail_server, caplog):
    assignments = _no_note_for("mai@example.vn", REFUSED, "lam@example.vn")
    with caplog.at_level(logging.ERROR, logger="notices.reminders"):
        out, error = _command()
    assert sorted(_recipients()) == ["lam@example.vn", "mai@example.vn"]
    assert "Sent 2 reminder(s)" in out and "Failed 1" in out and REFUSED in out
    assert error is not None and "1 reminder(s) could not be sent" in str(error)
    logged = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(logged) == 1 and f"assignment:{assignments[REFUSED].pk}" in logged[0].getMessage()
    assert logged[0].exc_info  # the mail server's answer is in the log
    assert not ReminderLog.objects.filter(recipient=REFUSED).exists()
    assert ReminderLog.objects.count() == 2

    picky_mail_server.tried = []
    out, error = _command()
    assert picky_mail_server.tried == [REFUSED]  # only the failed one is tried again
    assert "Sent 0 reminder(s)" in out and "Failed 1" in out and error is not None
    assert len(mail.outbox) == 2


def test_a_message_the_backend_did_not_take_is_not_counted_as_sent(picky_mail_server):
    _no_note_for("mai@example.vn", IGNORED)
    out, error = _command()
    assert "Sent 1 reminder(s)" in out and "Failed 1" in out and error is not None
    assert list(ReminderLog.objects.values_list("recipient", flat=True)) == ["mai@example.vn"]


def test_a_failed_message_is_sent_at_the_next_run_once_the_mail_server_takes_it(picky_mail_server, settings):
    _no_note_for(REFUSED.replace("refused", "ok"), REFUSED)
    _command()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out, error = _command()
    assert error is None and "Sent 1 reminder(s)" in out and "Failed" not in out
    assert _recipients() == ["ok@example.vn", REFUSED]


def test_the_command_says_when_nothing_leaves_the_machine(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    _no_note_for("mai@example.vn")
    out, error = _command()
    assert out.startswith("EMAIL_URL is not set: the messages are printed here, nothing is sent.")
    assert error is None and "mai@example.vn" in capsys.readouterr().out


def test_the_command_says_nothing_about_the_mail_server_when_there_is_one(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    out, error = _command("--dry-run")
    assert "EMAIL_URL" not in out and error is None
