"""kill -9 while dbt builds: the published marts.duckdb and parquet/ stay byte for byte, the raw history
stays whole, and the next refresh rebuilds (the killed build never passes for the published one) and
publishes the same figures."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.changes import FORCE_BUILD_ENV, PUBLICATION_FILE, nothing_changed_message
from orchestration.refresh import execute_refresh, failure_report
from orchestration.settings import PROJECT_ROOT
from tests.reliability.support import assert_history_kept, figures, published_files, raw_contents


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((int(stat.parent.name), (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return found


def wait_for_dbt_writing(refresh: subprocess.Popen, build: Path, timeout: float = 180) -> list[int]:
    """Until the refresh's `dbt build` runs and has written into build.duckdb (its write-ahead log); its pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert refresh.poll() is None, f"the refresh ended before dbt built: {refresh.communicate()}"
        dbt = [pid for pid, cmd in children(refresh.pid) if "dbt" in cmd and " build" in cmd]
        if dbt and build.with_name(build.name + ".wal").exists():
            return dbt
        time.sleep(0.2)
    raise AssertionError("dbt did not start writing build.duckdb in time")


def test_kill_9_during_the_dbt_build_leaves_the_published_files_and_the_next_refresh_publishes_the_same(
        sample_warehouse):
    folder = sample_warehouse
    published, publication = published_files(folder), (folder / PUBLICATION_FILE).read_bytes()
    published_figures, history = figures(folder), raw_contents(folder / "raw.duckdb")

    # A forced rebuild (no source changed), so the killed run's dbt build is the only thing going on.
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), FORCE_BUILD_ENV: "1"}
    refresh = subprocess.Popen([sys.executable, "-m", "orchestration.refresh"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        dbt = wait_for_dbt_writing(refresh, folder / "build.duckdb")
    finally:
        os.killpg(refresh.pid, signal.SIGKILL)  # the refresh and its dbt process, as a crashed host would
        refresh.wait()
    assert refresh.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in dbt) and time.monotonic() < deadline:
        time.sleep(0.1)  # (reaped by init once killed)
    assert not any(Path(f"/proc/{pid}").exists() for pid in dbt), "dbt survived the kill"

    assert published_files(folder) == published
    assert (folder / PUBLICATION_FILE).read_bytes() == publication
    assert not list(folder.glob(".marts.duckdb.*.tmp"))
    assert_history_kept(history, raw_contents(folder / "raw.duckdb"))

    result = execute_refresh()  # not refused as busy: the kill freed the writer lock
    assert result.success, "\n".join(failure_report(result))
    assert nothing_changed_message(result) is None  # the half-built build.duckdb was rebuilt, not trusted
    assert figures(folder) == published_figures
    assert json.loads((folder / PUBLICATION_FILE).read_text())["run_id"] == result.run_id
