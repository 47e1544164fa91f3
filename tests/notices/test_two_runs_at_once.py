"""Two runs at once (two servers' timers, or a slow run and the next) never send one delivery twice, and no
transaction is open while a message goes (a slow mail server would hold every request of the site on SQLite).

A run claims each delivery with one UPDATE that moves its next try past CLAIM_LEASE: another run finds it not
due; a run that died while sending leaves it to be tried again once the lease is over.
"""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notices import sending
from notices.models import Delivery, DeliveryStatus, Kind
from notices.sending import CLAIM_LEASE, Run, deliver, send_notices
from tests.factories import AssignmentFactory, CadreFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 8, 20)


def _waiting_delivery() -> Delivery:
    AssignmentFactory(cadre=CadreFactory(email="mai@example.vn"), starts_on=DAY - datetime.timedelta(days=3))
    send_notices(day=DAY, kinds=[Kind.NO_NOTE], deliver_now=False)
    return Delivery.objects.get()


def test_a_delivery_another_run_claimed_is_left_to_it():
    delivery = _waiting_delivery()
    now = timezone.now()
    assert sending._claim(delivery.pk, now) is not None  # the other run has it, and is sending it
    run = Run()
    deliver(now=now, run=run)
    assert run.delivered == [] and run.failed == [] and mail.outbox == []


def test_a_delivery_whose_run_died_while_sending_is_tried_again_after_the_lease():
    delivery = _waiting_delivery()
    sending._claim(delivery.pk, timezone.now())  # and the run dies here
    deliver(now=timezone.now() + CLAIM_LEASE / 2, run=Run())
    assert mail.outbox == []
    deliver(now=timezone.now() + CLAIM_LEASE + datetime.timedelta(seconds=1), run=Run())
    deliver(now=timezone.now() + CLAIM_LEASE * 2, run=Run())
    assert len(mail.outbox) == 1 and Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_no_transaction_is_open_while_a_message_goes(transactional_db, monkeypatch):
    _waiting_delivery()
    seen = []
    monkeypatch.setattr(sending, "_send", lambda delivery: seen.append(connection.in_atomic_block))
    run = Run()
    deliver(now=timezone.now(), run=run)
    assert seen == [False] and len(run.delivered) == 1
