"""Concurrency and transient-failure retries for everything that touches the DuckDB build file.

One writer run at a time, across runs and processes. A refresh's checks and its publication must see
the data its own extracts wrote, so writer runs are serialised whole, not only step by step:
- in Dagster's run queue: every writer job carries the run tag `WRITER_TAG`, limited to one run in
  progress (deploy/dagster.yaml: `concurrency: runs: tag_concurrency_limits`);
- across processes (`python -m orchestration.refresh` by hand beside the daemon's runs): an OS file lock,
  `WAREHOUSE_DIR/writer.lock` (`WriterLock`, fcntl.flock), held for the whole run by the refresh command
  and by the warehouse resource of every run (orchestration/resources.py). The file holds the holder's run
  id, pid and start time, so a run that finds it taken says who holds the warehouse and since when. The
  OS releases it when the holder exits, however it exits (a crash or kill -9 included).

Step by step, DuckDB allows one writer per file, and a read-only open fails while another process holds
the write lock. So every asset and check that opens WAREHOUSE_DIR/raw.duckdb or build.duckdb (extracts, the
backup, dbt, the GX checks, publish) also runs in one Dagster concurrency pool, `BUILD_DB_POOL`, whose limit is 1
(deploy/dagster.yaml: `concurrency: pools: default_limit: 1`): a run that is no writer run (a partial
materialisation from the UI) still queues for the build file instead of failing on its lock.

Transient failures (a source database dropping the connection, a timeout, the build file briefly locked
by a process outside Dagster) are retried by the step itself: wrap the code that talks to the outside
in `retry_transient_errors()`; a transient error becomes Dagster's `RetryRequested` (up to
`MAX_STEP_RETRIES`, exponential wait), anything else (a broken contract, a failed check) fails at once.
Crashed run workers are retried as whole runs (the refresh job's `dagster/max_retries` tag).
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from dagster import RetryRequested

BUILD_DB_POOL = "duckdb_build"

WRITER_TAG = "warehouse/writer"
WRITER_TAGS = {WRITER_TAG: "true"}
WRITER_LOCK_FILE = "writer.lock"
EXIT_BUSY = 75  # EX_TEMPFAIL: the warehouse is busy, try again later
# A Dagster run that finds the lock held (by a refresh started by hand) waits for it, at most as long as
# run monitoring lets a run live (deploy/dagster.yaml: max_runtime_seconds).
RUN_WAIT_SECONDS = 4 * 3600

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


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse's writer lock: the message is the one line to show."""


# Locks this process holds, by folder: re-entrant, so the refresh command's lock covers the run it executes
# in-process (whose warehouse resource asks for the same lock). [open file, depth]
_held: dict[Path, list] = {}


class WriterLock:
    """`WAREHOUSE_DIR/writer.lock`, held for a whole run.

        with WriterLock(folder, run_id).acquire(wait=False):   # WarehouseBusy at once when held
            ...
    wait: False (fail at once), True (wait as long as it takes) or a number of seconds."""

    def __init__(self, folder: Path, run_id: str | None, command: str = "") -> None:
        self.folder = Path(folder).resolve()
        self.path = self.folder / WRITER_LOCK_FILE
        self.run_id, self.command = run_id, command
        self.acquired = False

    def holder(self) -> str:
        """Who holds the lock, as the file says (empty while its holder is still writing it)."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if not info:
            return "another run (starting)"
        what = f" ({info['command']})" if info.get("command") else ""
        return f"run {info.get('run_id')}{what}, pid {info.get('pid')}, since {info.get('started_at')}"

    def busy_message(self) -> str:
        return (f"the warehouse {self.folder} is held by {self.holder()}: wait for it to finish, or rerun "
                f"with --wait")

    def acquire(self, wait: bool | float = False, on_wait: Callable[[str], None] | None = None) -> "WriterLock":
        if self.folder in _held:
            _held[self.folder][1] += 1
            self.acquired = True
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        deadline = None if wait is True else time.monotonic() + (0 if wait is False else float(wait))
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    message = self.busy_message()
                    handle.close()
                    raise WarehouseBusy(message) from None
                if on_wait is not None and not told:
                    on_wait(f"waiting for the warehouse {self.folder}: held by {self.holder()}")
                    told = True
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        handle.write(json.dumps({"run_id": self.run_id, "pid": os.getpid(), "started_at": started,
                                 "command": self.command}))
        handle.flush()
        _held[self.folder] = [handle, 1]
        self.acquired = True
        return self

    def release(self) -> None:
        if not self.acquired:
            return
        self.acquired = False
        entry = _held.get(self.folder)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[self.folder]
        handle = entry[0]
        try:
            handle.seek(0)
            handle.truncate()  # no stale holder to read once it is free
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    def __enter__(self) -> "WriterLock":
        if not self.acquired:
            self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
