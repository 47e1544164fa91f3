"""Two runs at once (two servers' timers, or a slow run and the next) never send one delivery twice.

On PostgreSQL a run claims each delivery with SELECT … FOR UPDATE SKIP LOCKED: a
delivery another run is sending is skipped, not sent again. SQLite has one
writer at a time, so two runs cannot overlap there.
"""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notices.models import Delivery, DeliveryStatus, Kind
from notices.sending import Run, deliver, send_notices
from tests.factories import AssignmentFactory, CadreFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


def test_a_delivery_another_run_holds_is_skipped_then_sent_once(transactional_db):
    AssignmentFactory(cadre=CadreFactory(email="mai@example.vn"), starts_on=datetime.date(2021, 8, 17))
    send_notices(day=datetime.date(2021, 8, 20), kinds=[Kind.NO_NOTE], deliver_now=False)
    delivery = Delivery.objects.get()
    held, release = threading.Event(), threading.Event()

    def other_run():
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=delivery.pk)
            held.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    held.wait(10)
    run = Run()
    deliver(now=timezone.now(), run=run)
    assert run.delivered == [] and mail.outbox == []  # held by the other run: not sent here
    release.set()
    thread.join()
    deliver(now=timezone.now(), run=run)
    deliver(now=timezone.now(), run=run)
    assert len(mail.outbox) == 1 and Delivery.objects.get().status == DeliveryStatus.DELIVERED
