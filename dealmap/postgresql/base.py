"""Django's PostgreSQL backend, less the health check of a connection that just answered.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every
request that reuses a connection: a round trip, a tenth of an uncached map page
under load (docs/benchmarks.md). A connection that ran a query less than
HEALTH_CHECK_IDLE seconds ago is taken as alive; one idle for longer (the case
the check is for: a database restarted, a proxy or firewall that dropped an idle
link) is checked as before. A database that restarts inside that second fails
one request per process, as without health checks.
"""

import time

from django.db.backends.postgresql import base

HEALTH_CHECK_IDLE = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    last_used = 0.0

    def close_if_health_check_failed(self):
        if self.connection is not None and time.monotonic() - self.last_used < HEALTH_CHECK_IDLE:
            self.health_check_done = True
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self.last_used = time.monotonic()
        return cursor
