"""Django's PostgreSQL backend whose health check asks the socket before it asks the server.

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's first query, by
sending `SELECT 1`: a round trip on every request. An idle connection that the server still holds
has nothing to read; one the server has closed (a restart, a terminated backend, an idle timeout)
has its farewell or the end of the stream waiting. So: an idle connection with nothing to read is
usable; anything else (data waiting, a transaction left open, a broken socket) gets Django's own
check, which reconnects when the server has gone. The app still recovers from a database restart
without a restart of its own (tests/test_outage.py), and a request pays for it only then.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        if not waiting and connection.info.transaction_status == pq.TransactionStatus.IDLE:
            return True
        return super().is_usable()
