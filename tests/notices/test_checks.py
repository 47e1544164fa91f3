"""`check --deploy`: the notices need a mail server to send email, and a readable VAPID key to push."""

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


def test_a_deploy_without_a_push_key_is_told_push_is_off(settings):
    settings.VAPID_PRIVATE_KEY = ""
    [info] = [m for m in run_checks(include_deployment_checks=True) if m.id == "donghanh.I002"]
    assert "VAPID_PRIVATE_KEY" in info.msg and "vapid_key" in info.hint


def test_a_push_key_that_cannot_be_read_or_a_bad_subject_fails_the_deploy_check(settings):
    settings.VAPID_PRIVATE_KEY = "not-a-key"
    settings.VAPID_SUBJECT = "vanphong@example.vn"
    assert {"donghanh.E002", "donghanh.E003"} <= set(_ids(include_deployment_checks=True))


def test_a_good_push_key_and_subject_pass(settings):
    from notices.push import new_private_key

    settings.VAPID_PRIVATE_KEY = new_private_key()
    settings.VAPID_SUBJECT = "mailto:vanphong@example.vn"
    found = set(_ids(include_deployment_checks=True))
    assert not found & {"donghanh.I002", "donghanh.E002", "donghanh.E003"}
