"""The scheduled run: which notices are written for whom, once, and how each channel's delivery is recorded."""

import datetime
import io
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.utils import timezone

from notices.models import MAX_ATTEMPTS, Channel, Delivery, DeliveryStatus, Kind, Notice, Preferences
from notices.sending import send_notices
from reports.models import EscalationStatus, LocalOutcome, ReportStatus, Urgency
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CadreUserFactory,
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


def _run(kind, day=DAY, now=None, **kwargs):
    return send_notices(now=now or timezone.now(), day=day, kinds=[kind], **kwargs)


def _recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def _later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


# What is written, for whom, once.


def test_it_tells_the_cadre_once_about_a_new_assignment():
    today = timezone.localdate()
    assignment = AssignmentFactory(cadre=CadreUserFactory(email="mai@example.vn"), starts_on=today)
    run = _run(Kind.ASSIGNED, day=today)
    notice = Notice.objects.get()
    assert run.written == [notice] and notice.key == f"assignment:{assignment.pk}"
    assert notice.user == assignment.cadre.user and notice.cadre == assignment.cadre and notice.read_at is None
    assert notice.url == "/me/" and assignment.locality.display_name in notice.title
    assert _recipients() == ["mai@example.vn"] and assignment.locality.display_name in mail.outbox[0].body
    _run(Kind.ASSIGNED, day=today)
    _run(Kind.ASSIGNED, day=today + datetime.timedelta(days=1), now=_later(24 * 60))
    assert Notice.objects.count() == 1 and len(mail.outbox) == 1


def test_an_old_assignment_is_not_announced():
    _assignment(starts_on=timezone.localdate())
    assert _run(Kind.ASSIGNED, day=timezone.localdate(), now=_later(3 * 24 * 60)).written == []


def test_it_tells_a_cadre_without_a_note_once_a_day():
    silent = _assignment()
    filed = _assignment(email="lam@example.vn")
    DailyNoteFactory(assignment=filed, day=DAY)
    _assignment(email="later@example.vn", starts_on=D(2021, 8, 25))
    _run(Kind.NO_NOTE)
    assert _recipients() == ["mai@example.vn"]
    assert "20/08/2021" in mail.outbox[0].subject
    assert f"20/08/2021 ({silent.locality.display_name})" in Notice.objects.get().body
    _run(Kind.NO_NOTE)
    assert len(mail.outbox) == 1
    _run(Kind.NO_NOTE, day=DAY + datetime.timedelta(days=1))
    assert sorted(_recipients()[1:]) == ["lam@example.vn", "mai@example.vn"]
    assert Notice.objects.filter(kind=Kind.NO_NOTE, cadre=silent.cadre).count() == 2


def test_the_missing_note_waits_for_the_evening(settings):
    settings.NOTICE_EVENING_HOUR = 19
    today = timezone.localdate()
    AssignmentFactory(cadre=CadreFactory(email="mai@example.vn"), starts_on=today)
    afternoon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(16, 0)))
    evening = timezone.make_aware(datetime.datetime.combine(today, datetime.time(19, 5)))
    assert _run(Kind.NO_NOTE, day=None, now=afternoon).written == []
    assert len(_run(Kind.NO_NOTE, day=None, now=evening).written) == 1


def test_it_warns_three_days_before_the_end():
    _assignment()  # 17/08 to 15/09
    assert _run(Kind.ENDING_SOON, day=D(2021, 9, 11)).written == []
    _run(Kind.ENDING_SOON, day=D(2021, 9, 12))
    _run(Kind.ENDING_SOON, day=D(2021, 9, 12))
    assert _recipients() == ["mai@example.vn"]


def test_it_says_the_report_is_due_the_day_the_report_opens_unless_handed_in():
    assignment = _assignment()  # the report opens on 11/09, five days before the end on 15/09
    assert _run(Kind.REPORT_DUE, day=D(2021, 9, 10)).written == []
    _run(Kind.REPORT_DUE, day=D(2021, 9, 11))
    _run(Kind.REPORT_DUE, day=D(2021, 9, 11))
    assert _recipients() == ["mai@example.vn"]
    assert Notice.objects.get().url == f"/me/assignments/{assignment.pk}/report/"
    handed_in = _assignment(email="lam@example.vn")
    MissionReportFactory(assignment=handed_in, status=ReportStatus.SUBMITTED)
    assert _run(Kind.REPORT_DUE, day=D(2021, 9, 11)).written == []


def test_a_returned_report_is_told_once_each_time_it_is_returned():
    report = MissionReportFactory(
        assignment=_assignment(), status=ReportStatus.RETURNED, review_comment="Thiếu số liệu tiêm chủng"
    )
    MissionReportFactory(assignment=_assignment(email="lam@example.vn"), status=ReportStatus.ACCEPTED)
    report.reviewed_at = timezone.now()
    report.save()
    _run(Kind.REPORT_RETURNED)
    _run(Kind.REPORT_RETURNED)
    notice = Notice.objects.get()
    assert notice.cadre == report.assignment.cadre and "Thiếu số liệu tiêm chủng" in notice.body
    assert notice.url == f"/me/assignments/{report.assignment_id}/report/"
    report.reviewed_at = timezone.now() + datetime.timedelta(minutes=1)  # returned again after a new submission
    report.save()
    _run(Kind.REPORT_RETURNED, now=_later(2))
    assert Notice.objects.count() == 2 and _recipients() == ["mai@example.vn", "mai@example.vn"]


def test_an_answer_to_an_escalation_is_told_to_its_cadre_once_per_answerer():
    escalation = EscalationFactory(assignment=_assignment(), subject="Thiếu oxy")
    EscalationFactory(assignment=_assignment(email="lam@example.vn"))  # not answered
    escalation.local_outcome, escalation.local_comment = LocalOutcome.ANSWERED, "Xã đã cấp 5 bình"
    escalation.local_at, escalation.status = timezone.now(), EscalationStatus.RESOLVED
    escalation.save()
    _run(Kind.ESCALATION_ANSWERED)
    _run(Kind.ESCALATION_ANSWERED)
    notice = Notice.objects.get()
    assert "Thiếu oxy" in notice.title and "Xã đã cấp 5 bình" in notice.body
    assert notice.url == f"/me/escalations/{escalation.pk}/"
    escalation.answer, escalation.answered_at = "Tỉnh bổ sung 10 bình", timezone.now()
    escalation.save()
    _run(Kind.ESCALATION_ANSWERED, now=_later(1))
    assert Notice.objects.count() == 2 and "Tỉnh bổ sung 10 bình" in Notice.objects.first().body


def test_an_urgent_escalation_is_told_to_every_staff_member_once_in_the_app_and_by_email_where_they_have_one():
    with_email = StaffUserFactory(email="vanphong@example.vn")
    without = StaffUserFactory(email="")
    urgent = EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu oxy y tế")
    EscalationFactory(urgency=Urgency.NORMAL)
    EscalationFactory(urgency=Urgency.URGENT, status=EscalationStatus.RESOLVED)
    _run(Kind.URGENT_ESCALATION)
    _run(Kind.URGENT_ESCALATION, day=DAY + datetime.timedelta(days=1))
    assert {n.user for n in Notice.objects.all()} == {with_email, without}
    assert _recipients() == ["vanphong@example.vn"]
    assert "Thiếu oxy y tế" in mail.outbox[0].subject
    assert f"/escalations/{urgent.pk}/manage/" in mail.outbox[0].body


def test_a_cadre_without_an_account_or_an_email_gets_nothing_and_one_without_an_account_gets_email():
    _assignment(email="")
    _assignment(email="lam@example.vn")
    _run(Kind.NO_NOTE)
    assert _recipients() == ["lam@example.vn"]
    assert list(Notice.objects.values_list("user", flat=True)) == [None, None]  # nobody reads them in the app
    assert Delivery.objects.filter(notice__cadre__email="").count() == 0


def test_the_cadre_account_email_is_used_when_the_record_has_none(cadre):
    cadre.user.email = "account@example.vn"
    cadre.user.save()
    AssignmentFactory(cadre=cadre, starts_on=D(2021, 8, 17))
    _run(Kind.NO_NOTE)
    assert _recipients() == ["account@example.vn"]


def test_a_person_who_turned_email_off_reads_the_notice_in_the_app_only(cadre):
    cadre.email = "mai@example.vn"
    cadre.save()
    Preferences.objects.create(user=cadre.user, by_email=False)
    AssignmentFactory(cadre=cadre, starts_on=D(2021, 8, 17))
    _run(Kind.NO_NOTE)
    assert mail.outbox == [] and Notice.objects.get().user == cadre.user
    assert not Delivery.objects.exists()


def test_a_dry_run_writes_and_sends_nothing():
    _assignment()
    assert len(_run(Kind.NO_NOTE, dry_run=True).written) == 1
    assert mail.outbox == [] and not Notice.objects.exists()


def test_an_escalation_subject_with_line_breaks_is_sent_on_one_line():
    StaffUserFactory(email="vanphong@example.vn")
    EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu oxy\r\nBcc: everyone@example.vn")
    EscalationFactory(urgency=Urgency.URGENT, subject="Thiếu xe cứu thương")
    assert len(_run(Kind.URGENT_ESCALATION).written) == 2
    subjects = sorted(message.subject for message in mail.outbox)
    assert all(subject.startswith("[Đồng hành] ") for subject in subjects)
    assert subjects[0].endswith(": Thiếu oxy Bcc: everyone@example.vn")
    assert all(message.message()["Bcc"] is None for message in mail.outbox)


# The command.


def test_the_command_writes_every_kind_once_and_prints_a_summary():
    StaffUserFactory(email="vanphong@example.vn")
    _assignment()
    EscalationFactory(urgency=Urgency.URGENT)
    out = io.StringIO()
    call_command("send_notices", "--day", "2021-08-20", stdout=out)
    sent = len(mail.outbox)
    assert sent >= 2 and "no_note: " in out.getvalue() and "urgent_escalation: 1" in out.getvalue()
    out = io.StringIO()
    call_command("send_notices", "--day", "2021-08-20", stdout=out)
    assert len(mail.outbox) == sent and "Wrote 0 notice(s)" in out.getvalue()


def test_the_command_dry_run_sends_nothing():
    _assignment()
    out = io.StringIO()
    call_command("send_notices", "--day", "2021-08-20", "--kind", "no_note", "--dry-run", stdout=out)
    assert mail.outbox == [] and "Would write 1" in out.getvalue() and not Notice.objects.exists()


def test_the_command_refuses_a_bad_day():
    with pytest.raises(CommandError):
        call_command("send_notices", "--day", "20/08/2021", stdout=io.StringIO())


def test_the_command_says_when_nothing_leaves_the_machine(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    _assignment()
    out, error = _command()
    assert out.startswith("EMAIL_URL is not set: the messages are printed here.")
    assert error is None and "mai@example.vn" in capsys.readouterr().out


def test_the_vapid_key_command_prints_a_key_push_can_use(settings):
    from notices import push

    out = io.StringIO()
    call_command("vapid_key", stdout=out)
    name, _, key = out.getvalue().strip().partition("=")
    settings.VAPID_PRIVATE_KEY = key
    assert name == "VAPID_PRIVATE_KEY" and len(push.public_key()) == 87  # 65 bytes, base64url


# One failure never stops the others; a failure is retried, and recorded as delivered only once accepted.

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
        call_command("send_notices", "--day", "2021-08-20", "--kind", Kind.NO_NOTE, *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_message_the_mail_server_refuses_fails_alone_and_is_tried_again_later(picky_mail_server, caplog):
    _no_note_for("mai@example.vn", REFUSED, "lam@example.vn")
    with caplog.at_level(logging.WARNING, logger="notices.sending"):
        out, error = _command()
    assert sorted(_recipients()) == ["lam@example.vn", "mai@example.vn"]
    assert "Wrote 3 notice(s)" in out and "Delivered 2" in out and "Failed 1" in out and REFUSED in out
    assert error is not None and "1 delivery(ies) failed" in str(error)
    logged = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(logged) == 1 and REFUSED in logged[0] and "No such user" in logged[0]
    refused = Delivery.objects.get(target=REFUSED)
    assert refused.status == DeliveryStatus.PENDING and refused.attempts == 1 and refused.delivered_at is None
    assert refused.next_try_at > timezone.now() and "No such user" in refused.last_error
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2

    picky_mail_server.tried = []
    out, error = _command()  # too early for the next try
    assert picky_mail_server.tried == [] and error is None
    send_notices(now=_later(6), day=DAY, kinds=[Kind.NO_NOTE])
    assert picky_mail_server.tried == [REFUSED]  # only the failed one is tried again
    assert len(mail.outbox) == 2


def test_a_message_the_backend_did_not_take_is_not_counted_as_delivered(picky_mail_server):
    _no_note_for("mai@example.vn", IGNORED)
    out, error = _command()
    assert "Delivered 1" in out and "Failed 1" in out and error is not None
    assert list(Delivery.objects.filter(status=DeliveryStatus.DELIVERED).values_list("target", flat=True)) == [
        "mai@example.vn"
    ]


def test_a_failed_message_is_delivered_at_a_later_try_once_the_mail_server_takes_it(picky_mail_server, settings):
    _no_note_for("ok@example.vn", REFUSED)
    _command()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run = send_notices(now=_later(6), day=DAY, kinds=[Kind.NO_NOTE])
    assert [d.target for d in run.delivered] == [REFUSED] and run.failed == []
    assert _recipients() == ["ok@example.vn", REFUSED]
    assert Delivery.objects.get(target=REFUSED).attempts == 2


def test_a_delivery_is_given_up_after_its_last_try(picky_mail_server):
    _no_note_for(REFUSED)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        send_notices(now=now, day=DAY, kinds=[Kind.NO_NOTE])
        now += datetime.timedelta(days=1)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert len(picky_mail_server.tried) == MAX_ATTEMPTS


def test_an_email_delivery_records_its_channel_and_time():
    _assignment()
    _run(Kind.NO_NOTE)
    delivery = Delivery.objects.get()
    assert delivery.channel == Channel.EMAIL and delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at is not None and delivery.attempts == 1


def test_a_past_campaign_entered_today_announces_nothing():
    _assignment()  # 2021, made just now
    assert _run(Kind.ASSIGNED, day=DAY).written == []


class _Stop(Exception):
    pass


def test_the_scheduler_loop_goes_on_after_a_failed_run(monkeypatch, picky_mail_server):
    """`send_notices --every 300` (compose.yaml's scheduler): a run with failures, or that crashed, is followed
    by the next one."""
    from notices.management.commands import send_notices as command

    _no_note_for(REFUSED)
    runs, sleeps = [], []
    real_run = command.send_notices

    def flaky_run(**kwargs):
        runs.append(kwargs)
        if len(runs) == 2:
            raise ConnectionError("the database went away")
        return real_run(**{**kwargs, "day": DAY}, now=timezone.now() + datetime.timedelta(days=len(runs)))

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise _Stop

    monkeypatch.setattr(command, "send_notices", flaky_run)
    monkeypatch.setattr(command.time, "sleep", sleep)
    with pytest.raises(_Stop):
        call_command("send_notices", "--every", "300", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(runs) == 3 and sleeps == [300, 300, 300]
    assert picky_mail_server.tried == [REFUSED, REFUSED]  # the first and third runs tried it


def test_the_scheduler_loop_refuses_a_short_period():
    with pytest.raises(CommandError):
        call_command("send_notices", "--every", "1", stdout=io.StringIO())


def test_a_new_answer_of_the_province_is_told_again():
    escalation = EscalationFactory(assignment=_assignment(), subject="Thiếu oxy")
    escalation.answer, escalation.answered_at = "Đã chuyển Sở Y tế", timezone.now()
    escalation.save()
    _run(Kind.ESCALATION_ANSWERED)
    escalation.answer, escalation.answered_at = "Sở Y tế đã cấp 10 bình", timezone.now() + datetime.timedelta(hours=1)
    escalation.save()  # reopened, then answered again
    _run(Kind.ESCALATION_ANSWERED, now=_later(61))
    _run(Kind.ESCALATION_ANSWERED, now=_later(62))
    assert [n.body.splitlines()[-1] for n in Notice.objects.order_by("created_at")] == [
        "Đã chuyển Sở Y tế",
        "Sở Y tế đã cấp 10 bình",
    ]


def test_a_mission_made_to_end_within_three_days_is_told_at_once_and_once():
    _assignment(starts_on=D(2021, 8, 17), ends_on=D(2021, 8, 22))
    _run(Kind.ENDING_SOON, day=D(2021, 8, 20))
    _run(Kind.ENDING_SOON, day=D(2021, 8, 21))
    notice = Notice.objects.get()
    assert "22/08/2021" in notice.title


def test_a_report_due_is_told_at_the_first_run_after_missed_ones():
    _assignment()  # the report opens on 11/09
    assert len(_run(Kind.REPORT_DUE, day=D(2021, 9, 12)).written) == 1
    assert _run(Kind.REPORT_DUE, day=D(2021, 9, 13)).written == []
    assert _run(Kind.REPORT_DUE, day=D(2021, 9, 20)).written == []  # a week late it would be noise


def test_a_notice_that_cannot_be_written_stops_no_other(monkeypatch, caplog):
    from notices.events import Due

    broken = _assignment(email="broken@example.vn")
    _assignment(email="lam@example.vn")
    real_body = Due.body

    def body(due):
        if due.cadre == broken.cadre:
            raise ValueError("a template error")
        return real_body(due)

    monkeypatch.setattr(Due, "body", body)
    with caplog.at_level(logging.ERROR, logger="notices.sending"):
        run = _run(Kind.NO_NOTE)
    assert [n.cadre.email for n in run.written] == ["lam@example.vn"] and _recipients() == ["lam@example.vn"]
    assert "not written" in caplog.text
