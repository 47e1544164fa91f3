"""Reminder emails, sent by `manage.py send_reminders` once a day.

A scheduler runs the command every evening (cron: `CRON_TZ=Asia/Ho_Chi_Minh`
then `0 19 * * * cd /srv/dong-hanh && .venv/bin/python manage.py send_reminders`),
so "no note by evening" means no note when the command runs.

Every email sent leaves a ReminderLog row written in the same transaction, so
running the command again the same day sends nothing twice. Reminders about an
event (an assignment, the end of a mission, an urgent escalation) go out once
whatever the day; the missing-note reminder goes out once per day.

Each message is sent on its own: one the mail server refuses (or that cannot
be made) is logged, leaves no ReminderLog row, and is tried again at the next
run, while the others go out.
"""

import datetime
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cadres.models import Assignment, Cadre
from notices.models import ReminderLog
from reports.forms.review import staff_users
from reports.models import HANDED_IN_STATUSES, REPORT_WINDOW_DAYS, Escalation, Urgency, report_opens_on

ASSIGNED = "assigned"
NO_NOTE = "no_note"
ENDING_SOON = "ending_soon"
REPORT_DUE = "report_due"
URGENT_ESCALATION = "urgent_escalation"
KINDS = [ASSIGNED, NO_NOTE, ENDING_SOON, REPORT_DUE, URGENT_ESCALATION]

# Kinds sent again each day while the cause lasts; the others are sent once.
DAILY_KINDS = {NO_NOTE}
DAYS_BEFORE_END = 3

# Django's email backends that send nothing, and where their messages go instead.
MAIL_KEPT_HERE = {
    "django.core.mail.backends.console.EmailBackend": "EMAIL_URL is not set: the messages are printed here",
    "django.core.mail.backends.filebased.EmailBackend": "EMAIL_URL names no mail server: the messages go to files",
    "django.core.mail.backends.locmem.EmailBackend": "EMAIL_URL names no mail server: the messages stay in memory",
    "django.core.mail.backends.dummy.EmailBackend": "EMAIL_URL names no mail server: the messages are dropped",
}

logger = logging.getLogger(__name__)


def mail_kept_here() -> str | None:
    """Where the messages go when EMAIL_URL names no mail server; None when they are sent."""
    return MAIL_KEPT_HERE.get(settings.EMAIL_BACKEND)


@dataclass
class Reminder:
    kind: str
    recipient: str
    object_key: str
    subject: str
    context: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"notices/email/{self.kind}.txt"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def cadre_email(cadre: Cadre) -> str:
    if cadre.email:
        return cadre.email
    return cadre.user.email if cadre.user_id and cadre.user.email else ""


def _assignments():
    return Assignment.objects.filter(recalled_on__isnull=True, cadre__is_active=True).select_related(
        "cadre__user", "locality__parent", "campaign"
    )


def _for_cadre(kind: str, assignment: Assignment, subject: str, **context) -> Reminder | None:
    recipient = cadre_email(assignment.cadre)
    if not recipient:
        return None
    return Reminder(
        kind=kind,
        recipient=recipient,
        object_key=f"assignment:{assignment.pk}",
        subject=subject,
        context={
            "assignment": assignment,
            "cadre": assignment.cadre,
            "mission_url": site_url(reverse("phone:my_mission")),
            **context,
        },
    )


def assigned(day: datetime.date) -> Iterator[Reminder]:
    """Assignments created since the start of the day before `day`, not yet over."""
    since = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    for assignment in _assignments().filter(created_at__gte=since, created_at__lt=until, ends_on__gte=day):
        yield _for_cadre(ASSIGNED, assignment, _("You are assigned to %(place)s") % _place(assignment))


def no_note(day: datetime.date) -> Iterator[Reminder]:
    for assignment in _assignments().active_on(day).exclude(notes__day=day):
        yield _for_cadre(
            NO_NOTE,
            assignment,
            _("No daily note yet for %(day)s") % {"day": date_format(day, "SHORT_DATE_FORMAT")},
            day=day,
        )


def ending_soon(day: datetime.date) -> Iterator[Reminder]:
    for assignment in _assignments().filter(ends_on=day + datetime.timedelta(days=DAYS_BEFORE_END)):
        yield _for_cadre(ENDING_SOON, assignment, _("Your mission ends in %(days)d days") % {"days": DAYS_BEFORE_END})


def report_due(day: datetime.date) -> Iterator[Reminder]:
    """On the day the end-of-mission report opens, unless it is already submitted."""
    candidates = (
        _assignments()
        .filter(ends_on__gte=day, ends_on__lte=day + datetime.timedelta(days=REPORT_WINDOW_DAYS))
        .exclude(report__status__in=HANDED_IN_STATUSES)
    )
    for assignment in candidates:
        if report_opens_on(assignment) == day:
            yield _for_cadre(REPORT_DUE, assignment, _("Your end-of-mission report is due"))


@functools.cache
def staff_emails(organising_unit_id: int) -> list[str]:
    """The addresses of those who handle a campaign of that organising unit (reports.forms.review.staff_users)."""
    users = staff_users([organising_unit_id]).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def urgent_escalations(day: datetime.date) -> Iterator[Reminder]:
    escalations = (
        Escalation.objects.open()
        .filter(urgency=Urgency.URGENT)
        .select_related("assignment__cadre", "assignment__locality__parent", "assignment__campaign")
        .order_by("created_at")
    )
    staff_emails.cache_clear()
    for escalation in escalations:
        for recipient in staff_emails(escalation.assignment.campaign.organising_unit_id):
            yield Reminder(
                kind=URGENT_ESCALATION,
                recipient=recipient,
                object_key=f"escalation:{escalation.pk}",
                subject=_("Urgent escalation: %(subject)s") % {"subject": escalation.subject},
                context={
                    "escalation": escalation,
                    "assignment": escalation.assignment,
                    "manage_url": site_url(reverse("reports:escalation_manage", args=[escalation.pk])),
                },
            )


COLLECTORS = {
    ASSIGNED: assigned,
    NO_NOTE: no_note,
    ENDING_SOON: ending_soon,
    REPORT_DUE: report_due,
    URGENT_ESCALATION: urgent_escalations,
}


def _place(assignment: Assignment) -> dict:
    locality = assignment.locality
    place = locality.display_name
    if locality.parent_id:
        place = f"{place}, {locality.parent.display_name}"
    return {"place": place}


def already_sent(reminder: Reminder, day: datetime.date) -> bool:
    logs = ReminderLog.objects.filter(kind=reminder.kind, recipient=reminder.recipient, object_key=reminder.object_key)
    if reminder.kind in DAILY_KINDS:
        logs = logs.filter(day=day)
    return logs.exists()


class NotSent(Exception):
    """The email backend took no message and raised nothing."""


def one_line(text: str) -> str:
    """`text` without line breaks, which a mail header cannot hold (Django raises BadHeaderError)."""
    return " ".join(text.split())


def deliver(reminder: Reminder, *, day: datetime.date) -> bool:
    """Log and send in one transaction: a failed send leaves no log row, a logged one is not sent again.

    False when it was sent already; raises when it could not be sent.
    """
    if already_sent(reminder, day):
        return False
    context = {**reminder.context, "day": day, "site_url": settings.SITE_URL}
    body = render_to_string(reminder.template, context)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    kind=reminder.kind, recipient=reminder.recipient, object_key=reminder.object_key, day=day
                )
        except IntegrityError:
            return False  # another run got there first
        # An escalation's subject written before the forms refused line breaks (or through the ORM) still goes out.
        if send_mail(one_line(f"[Đồng hành] {reminder.subject}"), body, None, [reminder.recipient]) != 1:
            raise NotSent(f"the email backend took no message for {reminder.recipient}")
    return True


def due_reminders(day: datetime.date, kinds: list[str] | None = None) -> Iterator[Reminder]:
    for kind in kinds or KINDS:
        for reminder in COLLECTORS[kind](day):
            if reminder is not None:
                yield reminder


@dataclass
class ReminderRun:
    sent: list[Reminder] = field(default_factory=list)  # or, in a dry run, what would be
    failed: list[Reminder] = field(default_factory=list)


def send_reminders(*, day: datetime.date, kinds: list[str] | None = None, dry_run: bool = False) -> ReminderRun:
    """Send what is due on `day`, each message on its own: one that fails does not stop the others."""
    run = ReminderRun()
    with translation.override(settings.LANGUAGE_CODE):
        for reminder in due_reminders(day, kinds):
            if dry_run:
                if not already_sent(reminder, day):
                    run.sent.append(reminder)
                continue
            try:
                if deliver(reminder, day=day):
                    run.sent.append(reminder)
            except Exception:  # a refused address, a bad header, the mail server away: the next run tries again
                logger.exception(
                    "Reminder %s about %s to %s not sent", reminder.kind, reminder.object_key, reminder.recipient
                )
                run.failed.append(reminder)
    return run
