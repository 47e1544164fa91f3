"""What the app tells people: notices read in the app, and their deliveries by push and by email.

A notice is written once per event and person (its `key` names the event; the
unique constraints make a second run write nothing), then delivered on each
channel the person chose. A delivery is marked delivered only when its channel
accepted it; one that failed waits for its next try (`next_try_at`), and gives
up after MAX_ATTEMPTS.
"""

import base64
import binascii
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from notices.push import endpoint_allowed, is_public_key
from shared import caching


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("new assignment")
    NO_NOTE = "no_note", _("daily note missing")
    ENDING_SOON = "ending_soon", _("mission ending soon")
    REPORT_DUE = "report_due", _("report due")
    REPORT_RETURNED = "report_returned", _("report returned")
    ESCALATION_ANSWERED = "escalation_answered", _("escalation answered")
    URGENT_ESCALATION = "urgent_escalation", _("urgent escalation")


class Channel(models.TextChoices):
    PUSH = "push", _("notification on the phone")
    EMAIL = "email", _("email")


class NoticeQuerySet(models.QuerySet):
    def of(self, user):
        """The notices the user reads in the app (a cadre's notice names their account when they have one)."""
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Every one of them read now; the header's counts follow (the notices' data version)."""
        count = self.unread().update(read_at=timezone.now())
        if count:
            caching.bump_after_commit(caching.NOTICES)
        return count


class Notice(models.Model):
    """One thing to tell one person. A cadre's notice names the cadre (who may have no account: it goes
    by email only) and their account when they have one; a staff member's names the account alone."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(
        _("about"), max_length=80, help_text=_("The event it tells of, e.g. assignment:12 or report:5@2021-08-20")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("page"), max_length=300, blank=True, help_text=_("The page it opens, a path on this site"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread_by_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(cadre__isnull=False), name="notice_has_a_recipient"
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "cadre"], condition=Q(cadre__isnull=False), name="notice_once_per_cadre"
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "user"], condition=Q(cadre__isnull=True), name="notice_once_per_user"
            ),
        ]

    def __str__(self):
        return self.title

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])
            caching.bump_after_commit(caching.NOTICES)


# The devices of one person that get push notices: a phone, a computer, a few browsers.
MAX_DEVICES = 10


class PushSubscription(models.Model):
    """A browser's Web Push subscription (PushSubscription.toJSON()): where to send, and the keys to encrypt with."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.URLField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("authentication secret"), max_length=100)
    device = models.CharField(_("device"), max_length=200, blank=True, help_text=_("The browser that subscribed"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_delivered_at = models.DateTimeField(_("last delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} · {self.device or self.endpoint[:40]}"

    def clean(self):
        if self.endpoint and not endpoint_allowed(self.endpoint):
            raise ValidationError({"endpoint": _("This browser's push service is not one this server sends to.")})
        if self.p256dh and not is_public_key(_b64url_bytes(self.p256dh)):
            raise ValidationError({"p256dh": _("The browser's public key is not a P-256 key.")})
        if self.auth and len(_b64url_bytes(self.auth)) != 16:
            raise ValidationError({"auth": _("The browser's authentication secret is not 16 bytes.")})

    @classmethod
    def subscribe(cls, *, user, endpoint: str, p256dh: str, auth: str, device: str = "") -> "PushSubscription":
        """This browser's subscription, for `user`. A browser signed in by someone else gets a new one: the
        previous person's notices waiting for it are not sent to the new one. A person keeps their
        MAX_DEVICES newest devices."""
        subscription = cls.objects.filter(endpoint=endpoint).first()
        if subscription is not None and subscription.user_id != user.pk:
            subscription.delete()
            subscription = None
        subscription = subscription or cls(endpoint=endpoint)
        subscription.user, subscription.p256dh, subscription.auth = user, p256dh, auth
        subscription.device = " ".join(device.split())[:200]
        subscription.full_clean(validate_unique=False)
        subscription.save()
        oldest = cls.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
        cls.objects.filter(pk__in=list(oldest[MAX_DEVICES:])).delete()
        return subscription

    def info(self) -> dict:
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _b64url_bytes(text: str) -> bytes:
    """The bytes of a base64url text (padded or not), or b"" when it is not base64url."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        return b""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("given up")


# Waits before each new try of a failed delivery; after the last, it is given up.
RETRY_DELAYS = [
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=8),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime):
        return self.filter(status=DeliveryStatus.PENDING, next_try_at__lte=now)


class Delivery(models.Model):
    """A notice on one channel to one target: an email address, or one device's push subscription."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("to"), max_length=254, help_text=_("The email address, or push:<subscription>"))
    subscription = models.ForeignKey(
        PushSubscription,
        verbose_name=_("push subscription"),
        null=True,
        blank=True,
        # A device unsubscribed: its deliveries stay, as a record of what was sent.
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try at"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-next_try_at"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel", "target"], name="delivery_once_per_target"),
        ]

    def __str__(self):
        return f"{self.notice} → {self.target} ({self.get_status_display()})"

    def delivered(self) -> None:
        self.status, self.delivered_at, self.last_error = DeliveryStatus.DELIVERED, timezone.now(), ""
        self.attempts += 1
        self.save(update_fields=["status", "delivered_at", "last_error", "attempts"])

    def failed(self, error: str, *, retry: bool = True) -> None:
        """Tried and not accepted: tried again after the next delay, or given up after the last one."""
        self.attempts += 1
        self.last_error = error[:500]
        if retry and self.attempts < MAX_ATTEMPTS:
            self.next_try_at = timezone.now() + RETRY_DELAYS[self.attempts - 1]
        else:
            self.status = DeliveryStatus.FAILED
        self.save(update_fields=["attempts", "last_error", "next_try_at", "status"])


class Preferences(models.Model):
    """The channels a person chose, besides the app, which always has every notice. No row: both on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notice_preferences",
    )
    by_push = models.BooleanField(_("notifications on my devices"), default=True)
    by_email = models.BooleanField(_("email"), default=True)

    class Meta:
        verbose_name = _("notice preferences")
        verbose_name_plural = _("notice preferences")

    def __str__(self):
        return str(self.user)

    @classmethod
    def of(cls, user) -> "Preferences":
        """The user's choice, or the default (both on) when they never chose."""
        return cls.objects.filter(user=user).first() or cls(user=user)
