import datetime
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notices.reminders import KINDS, mail_kept_here, send_reminders


class Command(BaseCommand):
    help = (
        "Send the day's reminder emails: new assignments, missing daily notes, missions ending in 3 days, "
        "reports due, urgent escalations. Run daily at 19:00 Asia/Ho_Chi_Minh; running it twice the same "
        "day sends nothing twice. A message that could not be sent is logged and tried again at the next run; "
        "the command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="The day to remind about, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--kind", action="append", choices=KINDS, help="Only this kind of reminder (may be repeated)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; send nothing.")

    def handle(self, *args, day=None, kind=None, dry_run=False, **options):
        try:
            day = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--day: {error}") from None
        kept_here = mail_kept_here()
        if kept_here:
            self.stdout.write(self.style.WARNING(f"{kept_here}, nothing is sent."))
        run = send_reminders(day=day, kinds=kind, dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for reminder in run.sent:
            self.stdout.write(f"  {reminder.kind:<18} {reminder.recipient:<32} {reminder.object_key}")
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(run.sent)} reminder(s) for {day:%d/%m/%Y}: {_summary(run.sent)}.")
        )
        if run.failed:
            for reminder in run.failed:
                self.stdout.write(f"  {reminder.kind:<18} {reminder.recipient:<32} {reminder.object_key}")
            self.stdout.write(self.style.ERROR(f"Failed {len(run.failed)}: {_summary(run.failed)} (see the log)."))
            raise CommandError(
                f"{len(run.failed)} reminder(s) could not be sent; they will be tried again at the next run."
            )


def _summary(reminders) -> str:
    counts = Counter(reminder.kind for reminder in reminders)
    return ", ".join(f"{name}: {counts[name]}" for name in KINDS if counts[name]) or "nothing"
