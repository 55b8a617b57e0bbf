"""One writer at a time: a refresh started while another run holds the warehouse exits at once (75) in one
line, or waits with --wait; Dagster runs wait for it; the lock is released when a run fails."""
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml
from dagster import AssetExecutionContext, asset, materialize

from orchestration.concurrency import EXIT_BUSY, WRITER_LOCK_FILE, WRITER_TAG
from orchestration.refresh import execute_refresh, failure_report
from orchestration.resources import WarehouseResource
from tests.conftest import run_sql

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Another process holding the warehouse, as a refresh started by hand would: takes the lock, says so, sleeps.
HOLDER = (
    "import sys, time\n"
    "from orchestration.concurrency import WriterLock\n"
    "WriterLock(sys.argv[1], 'holder-run', 'a test holder').acquire()\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def hold(folder: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)], cwd=PROJECT_ROOT,
                              env=env(), stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def lock_is_free(folder: Path) -> bool:
    """Whether another open of the lock file could take it now (as another process would)."""
    with open(folder / WRITER_LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def refresh_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration.refresh", *args], cwd=PROJECT_ROOT, env=env(),
                          capture_output=True, text=True, timeout=900)


def test_a_second_refresh_exits_at_once_in_one_line_naming_the_holder(warehouse):
    holder = hold(warehouse, 120)
    try:
        started = time.monotonic()
        done = refresh_command()
        assert done.returncode == EXIT_BUSY, done.stdout + done.stderr
        assert time.monotonic() - started < 60  # at once: no wait for the holder
        [line] = done.stderr.splitlines()
        assert line.startswith(f"the warehouse {warehouse} is held by run holder-run (a test holder), "
                               f"pid {holder.pid}, since 20")
        assert line.endswith("wait for it to finish, or rerun with --wait")
        assert "lock" not in line.lower()  # no raw DuckDB lock error
        assert sorted(p.name for p in warehouse.iterdir()) == [WRITER_LOCK_FILE]  # nothing else written
    finally:
        holder.kill()  # SIGKILL: the OS frees the lock all the same
        holder.wait()
    assert lock_is_free(warehouse)


def test_with_wait_a_second_refresh_waits_for_the_holder_then_runs(sample_warehouse):
    warehouse = sample_warehouse  # refreshed already: the waiting run then proves nothing changed, quickly
    holder = hold(warehouse, 5)
    try:
        done = refresh_command("--wait")
        assert holder.poll() == 0  # the holder finished first
        assert done.returncode == 0, done.stdout + done.stderr
        waiting = [line for line in done.stdout.splitlines() if line.startswith("waiting for the warehouse")]
        assert waiting and "held by run holder-run" in waiting[0]
        assert "nothing changed since" in done.stdout  # it ran to the end, under the lock
        assert lock_is_free(warehouse)
        assert (warehouse / WRITER_LOCK_FILE).read_text() == ""  # no stale holder left in it
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_released_when_a_run_fails(warehouse, sample_sources):
    from orchestration.definitions import defs

    run_sql(sample_sources.parent / "map.sqlite", "alter table registration drop column fellowship;")
    result = execute_refresh()  # the refresh command's lock, and the run's own inside it
    assert not result.success and any("fellowship" in line for line in failure_report(result))
    assert lock_is_free(warehouse)

    result = defs.get_job_def("refresh").execute_in_process(raise_on_error=False)  # a Dagster run's lock
    assert not result.success
    assert lock_is_free(warehouse)


def test_a_dagster_run_waits_for_a_refresh_started_by_hand(tmp_path):
    holder = hold(tmp_path, 3)
    held_at, seen = time.monotonic(), {}

    @asset
    def writes_the_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> None:
        seen["after_the_holder"] = time.monotonic() - held_at >= 2.5
        seen["free_to_others"] = lock_is_free(tmp_path)

    try:
        assert materialize([writes_the_warehouse],
                           resources={"warehouse": WarehouseResource(warehouse_dir=str(tmp_path))}).success
    finally:
        holder.kill()
        holder.wait()
    assert seen == {"after_the_holder": True, "free_to_others": False}  # it ran after the holder, holding the lock
    assert lock_is_free(tmp_path)


def test_writer_jobs_are_serialised_in_the_run_queue():
    from orchestration.definitions import defs

    writers = []
    for name in sorted(job.name for job in defs.jobs):
        job = defs.get_job_def(name)
        if any("warehouse" in node.definition.required_resource_keys for node in job.graph.nodes):
            writers.append(name)
            assert job.tags.get(WRITER_TAG) == "true", f"job {name} writes the warehouse without the {WRITER_TAG} tag"
    assert {"refresh", "platforms_refresh"} <= set(writers)

    config = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))
    assert {"key": WRITER_TAG, "limit": 1} in config["concurrency"]["runs"]["tag_concurrency_limits"]
