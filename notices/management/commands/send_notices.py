import datetime
import logging
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from notices import push
from notices.models import Kind
from notices.sending import mail_kept_here, send_notices

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Write the notices due (new assignments, missing daily notes in the evening, missions ending in 3 days, "
        "reports due or returned, escalations answered, urgent escalations for staff) and deliver them by push "
        "and email. Run it every five minutes; running it twice sends nothing twice. A delivery that failed is "
        "logged and tried again later; the command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="The day whose missing notes to tell of, YYYY-MM-DD (default: today, from the evening)."
        )
        parser.add_argument(
            "--kind", action="append", choices=Kind.values, help="Only this kind of notice (may be repeated)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would be written; write nothing.")
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Run again and again, this many seconds apart (the scheduler service of compose.yaml).",
        )

    def handle(self, *args, day=None, kind=None, dry_run=False, every=None, **options):
        if every is None:
            self.run_once(day=day, kind=kind, dry_run=dry_run)
            return
        if every < 10 or day or dry_run:
            raise CommandError("--every takes at least 10 seconds, without --day or --dry-run.")
        while True:
            _drop_broken_connections()
            try:
                self.run_once(day=None, kind=kind, dry_run=False)
            except CommandError as error:  # failed deliveries: logged, tried again at a later run
                self.stderr.write(str(error))
            except Exception:  # the database away: the next run tries again
                logger.exception("send_notices failed; trying again in %s s", every)
            time.sleep(every)

    def run_once(self, *, day, kind, dry_run):
        try:
            day = datetime.date.fromisoformat(day) if day else None
        except ValueError as error:
            raise CommandError(f"--day: {error}") from None
        kept_here = mail_kept_here()
        if kept_here:
            self.stdout.write(self.style.WARNING(f"{kept_here}."))
        if not push.is_configured():
            self.stdout.write(self.style.WARNING("VAPID_PRIVATE_KEY is not set: no push notifications."))
        run = send_notices(day=day, kinds=kind, dry_run=dry_run)
        for notice in run.written:
            self.stdout.write(f"  {notice.kind:<20} {notice.key:<36} {_to(notice)}")
        shown = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        verb = "Would write" if dry_run else "Wrote"
        self.stdout.write(self.style.SUCCESS(f"{shown}: {verb} {len(run.written)} notice(s): {_summary(run.written)}."))
        if dry_run:
            return
        self.stdout.write(f"Delivered {len(run.delivered)}: {_channels(run.delivered)}.")
        if run.gone:
            self.stdout.write(f"{len(run.gone)} device(s) no longer subscribed: forgotten.")
        if run.failed:
            for delivery in run.failed:
                self.stdout.write(f"  {delivery.channel:<6} {delivery.target:<36} {delivery.last_error}")
            self.stdout.write(self.style.ERROR(f"Failed {len(run.failed)}: {_channels(run.failed)} (see the log)."))
            raise CommandError(f"{len(run.failed)} delivery(ies) failed; they are tried again later.")


def _drop_broken_connections() -> None:
    """What Django does before each request: a connection the database dropped (a restart, a failover) or one
    past CONN_MAX_AGE is closed, and the run opens a new one. (Not inside a transaction: a test's.)"""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _to(notice) -> str:
    return f"cadre {notice.cadre_id}" if notice.cadre_id else f"user {notice.user_id}"


def _summary(notices) -> str:
    counts = Counter(notice.kind for notice in notices)
    return ", ".join(f"{kind}: {counts[kind]}" for kind in Kind.values if counts[kind]) or "nothing"


def _channels(deliveries) -> str:
    counts = Counter(delivery.channel for delivery in deliveries)
    return ", ".join(f"{channel}: {count}" for channel, count in sorted(counts.items())) or "nothing"
