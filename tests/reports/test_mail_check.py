"""`check --deploy` warns when no mail server is configured: the reminders would never leave the machine."""

import environ
import pytest
from django.core.checks import run_checks


def _ids(**kwargs) -> list[str]:
    return [message.id for message in run_checks(**kwargs)]


def test_it_warns_at_deploy_when_the_mail_is_only_printed(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    [warning] = [message for message in run_checks(include_deployment_checks=True) if message.id == "donghanh.W001"]
    assert "EMAIL_URL is not set" in warning.msg and "EMAIL_URL" in warning.hint


@pytest.mark.parametrize("url", ["smtp://mail.example.vn:25", "smtp+tls://user:password@mail.example.vn:587"])
def test_it_says_nothing_with_a_mail_server(settings, url):
    settings.DEBUG = False
    for name, value in environ.Env.email_url_config(url).items():
        setattr(settings, name, value)
    assert "donghanh.W001" not in _ids(include_deployment_checks=True)


def test_it_is_a_deploy_check_only(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "donghanh.W001" not in _ids()
