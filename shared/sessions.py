"""Database sessions read in the same round trip as the data versions (shared/caching.py).

Every signed-in request reads its session, and every page built from a cache reads the data
versions: Django's database session store and the versions' own query would make that two round
trips. This store reads both with one statement (the session's row, if any, beside each topic's
version) and hands the versions to shared.caching, which then reads them no more this request.
Writing, expiry and everything else are Django's database sessions unchanged (SESSION_ENGINE).
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from shared import caching
from shared.models import DataVersion


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        # One row per topic read each request (or one row if none was ever written), each beside the session's data.
        sql = (
            f"SELECT s.{quote('session_data')}, v.{quote('topic')}, v.{quote('number')} "
            "FROM (SELECT 1 AS one) AS request "
            f"LEFT JOIN {quote(self.model._meta.db_table)} AS s "
            f"ON s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s "
            f"LEFT JOIN {quote(DataVersion._meta.db_table)} AS v "
            f"ON v.{quote('topic')} IN ({', '.join(['%s'] * len(caching.READ_EACH_REQUEST))})"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now, *caching.READ_EACH_REQUEST])
            rows = cursor.fetchall()
        caching.remember_versions({topic: number for _data, topic, number in rows if topic is not None})
        data = rows[0][0]
        if data is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=data)
