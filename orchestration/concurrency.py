"""Concurrency and transient-failure retries for everything that touches the DuckDB build file.

DuckDB allows one writer per file, and a read-only open fails while another process holds the write
lock. So every asset and check that opens WAREHOUSE_DIR/build.duckdb (extracts, dbt, the GX checks,
publish) runs in one Dagster concurrency pool, `BUILD_DB_POOL`, whose limit is 1
(deploy/dagster.yaml: `concurrency: pools: default_limit: 1`). Runs started by the schedule, a sensor
or a click in the UI then queue for the build file instead of failing on its lock.

Transient failures (a source database dropping the connection, a timeout, the build file briefly locked
by a process outside Dagster) are retried by the step itself: wrap the code that talks to the outside
in `retry_transient_errors()`; a transient error becomes Dagster's `RetryRequested` (up to
`MAX_STEP_RETRIES`, exponential wait), anything else (a broken contract, a failed check) fails at once.
Crashed run workers are retried as whole runs (the refresh job's `dagster/max_retries` tag).
"""
from __future__ import annotations

import errno
from contextlib import contextmanager
from typing import Iterator

from dagster import RetryRequested

BUILD_DB_POOL = "duckdb_build"

MAX_STEP_RETRIES = 3
FIRST_RETRY_WAIT_SECONDS = 15.0

_TRANSIENT_ERRNOS = {
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EHOSTUNREACH,
    errno.ENETUNREACH, errno.EPIPE, errno.EAGAIN,
}
_TRANSIENT_MESSAGES = (
    "could not set lock on file",  # DuckDB: another process holds the build file
    "conflicting lock",
    "server closed the connection",
    "connection reset",
    "connection refused",
    "timeout expired",
    "timed out",
    "too many connections",
    "lost connection",
    "gone away",  # MySQL/MariaDB
    "ora-03113", "ora-03114", "ora-12170", "ora-12541",  # Oracle: end of channel, timeout, no listener
)


def is_transient(error: BaseException) -> bool:
    """True for errors that are worth retrying as they are (network, timeouts, a held lock)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, TimeoutError)):
            return True
        if isinstance(current, OSError) and current.errno in _TRANSIENT_ERRNOS:
            return True
        try:  # SQLAlchemy marks connection-level failures explicitly
            from sqlalchemy import exc as sa_exc

            if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
                return True
            if isinstance(current, (sa_exc.DisconnectionError, sa_exc.TimeoutError)):
                return True
        except ImportError:  # pragma: no cover
            pass
        text = str(current).lower()
        if any(marker in text for marker in _TRANSIENT_MESSAGES):
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_wait_seconds(attempt: int) -> float:
    """Exponential: 15 s, 30 s, 60 s."""
    return FIRST_RETRY_WAIT_SECONDS * (2 ** max(attempt, 0))


@contextmanager
def retry_transient_errors(attempt: int = 0, wait_seconds: float | None = None) -> Iterator[None]:
    """Turn a transient error raised inside the block into a Dagster step retry; re-raise the others.

    `attempt` is `context.retry_number` (to back off exponentially); `wait_seconds` overrides the wait.
    """
    try:
        yield
    except RetryRequested:
        raise
    except Exception as error:
        if not is_transient(error):
            raise
        wait = retry_wait_seconds(attempt) if wait_seconds is None else wait_seconds
        raise RetryRequested(max_retries=MAX_STEP_RETRIES, seconds_to_wait=wait) from error
