"""System checks of what the reminder emails need in production."""

from django.core import checks

from notices.reminders import mail_kept_here


def check_mail_server(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` warns when EMAIL_URL names no mail server: the reminders would never leave the machine."""
    kept_here = mail_kept_here()
    if not kept_here:
        return []
    return [
        checks.Warning(
            f"The reminder emails (send_reminders) would reach nobody ({kept_here}).",
            hint="Set EMAIL_URL to the mail server, e.g. smtp+tls://user:password@mail.example.vn:587.",
            id="donghanh.W001",
        )
    ]
