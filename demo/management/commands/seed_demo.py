from django.core.management.base import BaseCommand
from django.db import transaction

from demo.mission_reports import load_demo_notes
from demo.records import DEMO_PASSWORD, load_demo
from notices.sending import send_notices


class Command(BaseCommand):
    help = "Load the 2021 Bình Dương deployment and demo accounts (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts = load_demo()
            load_demo_notes()
            # What the demo people are told (their notice lists); the scheduler delivers them.
            notices = send_notices(deliver_now=False).written
        self.stdout.write(self.style.SUCCESS("Demo data loaded: Bình Dương, 2021."))
        self.stdout.write(f"{len(notices)} new notice(s) for the demo accounts (send_notices delivers them).")
        self.stdout.write(f"Demo accounts (demo only), password '{DEMO_PASSWORD}':")
        for username, role in accounts:
            self.stdout.write(f"  {username:<10} {role}")
