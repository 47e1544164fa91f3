"""The scheduled run (`manage.py send_notices`, every five minutes): write the notices due, then deliver them.

Writing is idempotent: a notice's (kind, key, person) is unique, so a second run,
or two runs at once, write nothing twice. A delivery is marked delivered only
when its channel accepted the message; a failure is logged, leaves it waiting
for its next try (RETRY_DELAYS), and never stops the other deliveries. Each
delivery is claimed by one UPDATE before it is sent (_claim), so that two runs
at once do not send one message twice, and no transaction is open while it goes.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cadres.models import Cadre
from notices import push
from notices.events import Due, due
from notices.models import Channel, Delivery, DeliveryStatus, Kind, Notice, Preferences, PushSubscription
from shared import caching

logger = logging.getLogger(__name__)

# Django's email backends that send nothing, and where their messages go instead.
MAIL_KEPT_HERE = {
    "django.core.mail.backends.console.EmailBackend": "EMAIL_URL is not set: the messages are printed here",
    "django.core.mail.backends.filebased.EmailBackend": "EMAIL_URL names no mail server: the messages go to files",
    "django.core.mail.backends.locmem.EmailBackend": "EMAIL_URL names no mail server: the messages stay in memory",
    "django.core.mail.backends.dummy.EmailBackend": "EMAIL_URL names no mail server: the messages are dropped",
}
BATCH = 500
# How long a run keeps a delivery it is sending from the others (a push times out after 10 s, an email after
# EMAIL_TIMEOUT): a run that dies while sending leaves the delivery to be tried again after it.
CLAIM_LEASE = datetime.timedelta(minutes=10)


def mail_kept_here() -> str | None:
    """Where the messages go when EMAIL_URL names no mail server; None when they are sent."""
    return MAIL_KEPT_HERE.get(settings.EMAIL_BACKEND)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


def cadre_email(cadre: Cadre) -> str:
    if cadre.email:
        return cadre.email
    return cadre.user.email if cadre.user_id and cadre.user.email else ""


def is_evening(now: datetime.datetime) -> bool:
    """The missing-note notice waits for the evening, local time (NOTICE_EVENING_HOUR)."""
    return timezone.localtime(now).hour >= settings.NOTICE_EVENING_HOUR


@dataclass
class Run:
    written: list[Notice] = field(default_factory=list)  # or, in a dry run, what would be
    delivered: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    gone: list[Delivery] = field(default_factory=list)  # to devices no longer subscribed


class _Channels:
    """Where each person's notices go, read once per run for everyone concerned."""

    def __init__(self, dues: list[Due]):
        user_ids = {d.user_id for d in dues if d.user_id}
        self.preferences = {p.user_id: p for p in Preferences.objects.filter(user_id__in=user_ids)}
        self.subscriptions = defaultdict(list)
        if push.is_configured():
            for subscription in PushSubscription.objects.filter(user_id__in=user_ids).order_by("pk"):
                self.subscriptions[subscription.user_id].append(subscription)
        cadre_ids = {d.cadre.pk for d in dues if d.cadre}
        self.cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=cadre_ids).select_related("user")}
        self.users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}

    def email(self, d: Due) -> str:
        if d.cadre:
            return cadre_email(self.cadres[d.cadre.pk])
        return self.users[d.user_id].email

    def deliveries(self, d: Due) -> list[Delivery]:
        """The channels chosen: push to each of the person's devices, and email when they have an address.
        A cadre without an account has no choice to make, and no device: email only."""
        chosen = self.preferences.get(d.user_id) or Preferences()
        found = []
        if d.user_id and chosen.by_push:
            for subscription in self.subscriptions[d.user_id]:
                found.append(
                    Delivery(channel=Channel.PUSH, target=f"push:{subscription.pk}", subscription=subscription)
                )
        address = self.email(d)
        if address and (chosen.by_email or not d.user_id):
            found.append(Delivery(channel=Channel.EMAIL, target=address))
        return found


def _already_written(dues: list[Due]) -> set[tuple]:
    """The (kind, key, recipient) of the dues that already have their notice: one query per kind and batch."""
    found = set()
    by_kind = defaultdict(list)
    for d in dues:
        by_kind[d.kind].append(d)
    for kind, group in by_kind.items():
        for start in range(0, len(group), BATCH):
            keys = {d.key for d in group[start : start + BATCH]}
            for key, cadre_id, user_id in Notice.objects.filter(kind=kind, key__in=keys).values_list(
                "key", "cadre_id", "user_id"
            ):
                found.add((kind, key, ("cadre", cadre_id) if cadre_id else ("user", user_id)))
    return found


def _write_one(d: Due, channels: _Channels, *, now: datetime.datetime, dry_run: bool) -> Notice:
    notice = Notice(
        kind=d.kind,
        key=d.key,
        cadre=d.cadre,
        user_id=d.user_id,
        title=d.title[:200],
        body=d.body(),
        url=d.url,
        created_at=now,
    )
    if dry_run:
        return notice
    with transaction.atomic():
        notice.save()
        deliveries = channels.deliveries(d)
        for delivery in deliveries:
            delivery.notice, delivery.next_try_at = notice, now
        Delivery.objects.bulk_create(deliveries)
    return notice


def write(dues: list[Due], *, now: datetime.datetime, dry_run: bool = False) -> list[Notice]:
    """Write the notices not yet written, each with its deliveries, in one transaction each."""
    written_before = _already_written(dues)
    new = [d for d in dues if (d.kind, d.key, d.recipient_id) not in written_before]
    channels = _Channels(new) if new else None
    written = []
    for d in new:
        try:
            notice = _write_one(d, channels, now=now, dry_run=dry_run)
        except IntegrityError:
            continue  # another run wrote it first
        except Exception:  # one notice that cannot be made (its text, a value the database refuses) stops no other
            logger.exception("Notice %s %s for %s %s not written", d.kind, d.key, *d.recipient_id)
            continue
        written.append(notice)
    if written and not dry_run:
        caching.bump(caching.NOTICES)  # the header's unread counts
    return written


def _payload(notice: Notice) -> dict:
    """What the service worker shows (static/js/sw.js): a title, a line of text, the page a tap opens."""
    return {
        "title": notice.title,
        "body": " ".join(notice.body.split())[:240],
        "url": reverse("notices:open", args=[notice.pk]),
        "tag": f"notice-{notice.pk}",
    }


def _email(delivery: Delivery) -> None:
    notice = delivery.notice
    person = notice.user
    name = notice.cadre.full_name if notice.cadre_id else person.get_full_name() or person.get_username()
    body = render_to_string("notices/email/notice.txt", {"notice": notice, "name": name, "link": site_url(notice.url)})
    # A subject cannot hold a line break (Django raises BadHeaderError): an old escalation's subject might.
    subject = " ".join(f"[Đồng hành] {notice.title}".split())
    if send_mail(subject, body, None, [delivery.target]) != 1:
        raise push.PushFailed("the email backend took no message")


def _send(delivery: Delivery) -> None:
    """Hand one delivery to its channel; raises PushFailed (or anything the mail server raises) when refused."""
    if delivery.channel == Channel.EMAIL:
        _email(delivery)
        return
    if delivery.subscription is None:
        raise push.PushFailed("the device unsubscribed", retry=False)
    push.send(delivery.subscription.info(), _payload(delivery.notice))


def _claim(pk: int, now: datetime.datetime) -> Delivery | None:
    """The delivery, if this run is the one to send it: one UPDATE moves its next try past the time a send may
    take, so that another run (another server's timer) leaves it alone, and a run that dies while sending
    leaves it to be tried again after CLAIM_LEASE. No transaction stays open while a push or an email goes."""
    claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_try_at__lte=now).update(
        next_try_at=timezone.now() + CLAIM_LEASE
    )
    if not claimed:
        return None  # another run has it, or had it
    return Delivery.objects.select_related("notice__cadre", "notice__user", "subscription").get(pk=pk)


def _deliver_one(pk: int, now: datetime.datetime, run: Run) -> None:
    delivery = _claim(pk, now)
    if delivery is None:
        return
    try:
        _send(delivery)
    except push.PushFailed as error:
        if error.gone:  # the browser unsubscribed or was reset: nothing failed, the device is forgotten
            delivery.failed(str(error), retry=False)
            PushSubscription.objects.filter(pk=delivery.subscription_id).delete()
            run.gone.append(delivery)
            return
        _failed(delivery, str(error), retry=error.retry, run=run)
        return
    except Exception as error:  # the mail server away, a refused address, a message that cannot be made
        _failed(delivery, f"{type(error).__name__}: {error}", retry=True, run=run)
        return
    delivery.delivered()
    if delivery.subscription_id:
        PushSubscription.objects.filter(pk=delivery.subscription_id).update(last_delivered_at=timezone.now())
    run.delivered.append(delivery)


def _failed(delivery: Delivery, error: str, *, retry: bool, run: Run) -> None:
    delivery.failed(error, retry=retry)
    logger.warning(
        "Notice %s not delivered by %s to %s (attempt %s%s): %s",
        delivery.notice_id,
        delivery.channel,
        delivery.target,
        delivery.attempts,
        "" if delivery.status == DeliveryStatus.PENDING else ", given up",
        error,
    )
    run.failed.append(delivery)


def deliver(*, now: datetime.datetime, run: Run) -> None:
    """Every delivery due, each on its own: one that fails is retried later and does not stop the others."""
    pks = list(Delivery.objects.due(now).order_by("next_try_at", "pk").values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for pk in pks:
            _deliver_one(pk, now, run)


def send_notices(
    *,
    now: datetime.datetime | None = None,
    day: datetime.date | None = None,
    kinds: list[str] | None = None,
    dry_run: bool = False,
    deliver_now: bool = True,
) -> Run:
    """Write what is due at `now` (the missing notes of `day`, in the evening or for a past day), then deliver
    what is due (unless `deliver_now` is false: the demo leaves that to the scheduler)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    kinds = list(kinds or Kind.values)
    if Kind.NO_NOTE in kinds and day >= timezone.localdate(now) and not is_evening(now):
        kinds.remove(Kind.NO_NOTE)
    run = Run()
    with translation.override(settings.LANGUAGE_CODE):
        run.written = write(list(due(now, day, kinds)), now=now, dry_run=dry_run)
    if deliver_now and not dry_run:
        deliver(now=now, run=run)
    return run
