"""System checks of what the notices need in production."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from notices import push
from notices.sending import mail_kept_here


def check_mail_server(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` warns when EMAIL_URL names no mail server: the emails would never leave the machine."""
    kept_here = mail_kept_here()
    if not kept_here:
        return []
    return [
        checks.Warning(
            f"The notices' emails (send_notices) would reach nobody ({kept_here}).",
            hint="Set EMAIL_URL to the mail server, e.g. smtp+tls://user:password@mail.example.vn:587.",
            id="donghanh.W001",
        )
    ]


def check_push(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A VAPID key that cannot be read, or a subject the push services refuse, would fail every push."""
    if not settings.VAPID_PRIVATE_KEY:
        return [
            checks.Info(
                "Push notifications are off: VAPID_PRIVATE_KEY is not set (notices go to the app and by email).",
                hint="`python manage.py vapid_key` prints a new key to set.",
                id="donghanh.I002",
            )
        ]
    found = []
    try:
        push.public_key()
    except Exception as error:  # py_vapid raises several kinds on a malformed key
        found.append(
            checks.Error(
                f"VAPID_PRIVATE_KEY cannot be read as a P-256 private key ({type(error).__name__}).",
                hint="`python manage.py vapid_key` prints a new key to set.",
                id="donghanh.E002",
            )
        )
    subject = urlsplit(settings.VAPID_SUBJECT)
    if subject.scheme not in ("mailto", "https") or not (subject.path or subject.netloc).strip("/"):
        found.append(
            checks.Error(
                f"VAPID_SUBJECT “{settings.VAPID_SUBJECT}” is neither a mailto: nor an https: address.",
                hint="Push services contact the sender there about its messages (RFC 8292), e.g. "
                "mailto:donghanh@example.vn.",
                id="donghanh.E003",
            )
        )
    return found
