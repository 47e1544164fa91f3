from django.core.management.base import BaseCommand

from notices.push import new_private_key


class Command(BaseCommand):
    help = (
        "Print a new VAPID private key for Web Push, to set as VAPID_PRIVATE_KEY. Keep it: browsers subscribed "
        "with the public key derived from it, and a new key means every device subscribes again."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"VAPID_PRIVATE_KEY={new_private_key()}")
