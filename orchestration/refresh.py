"""`python -m orchestration.refresh [--wait]`: run the refresh job once, against WAREHOUSE_SOURCES into
WAREHOUSE_DIR.

Runs are recorded in DAGSTER_HOME when it is set (so `dagster dev` shows them), else in a throwaway instance.
Exit status: 0 published; 1 the run failed (naming the failed step or check and what it found); 75 another
run holds the warehouse (one line: which run, since when; `--wait` waits for it instead); 78 the
pseudonymisation key is not the warehouse's (one line; see orchestration/guards.py).

Pre-flight, before anything is read or written: the key guard, the writer lock (held for the whole run),
the sources file; then, under the lock, the one-time move of an old build.duckdb's raw history into raw.duckdb.
`WAREHOUSE_KEY_ROTATION=1` makes the run the key rotation of deploy/README.md.
"""
import argparse
import os
import sys
import uuid
from contextlib import nullcontext

from dagster import DagsterInstance, ExecuteInProcessResult

from orchestration import guards
from orchestration.concurrency import EXIT_BUSY, WarehouseBusy, WriterLock
from orchestration.settings import load_sources, marts_db_path, raw_db_path, warehouse_dir
from orchestration.warehouse import migrate_raw_out_of_build, raw_connection

EXIT_KEY_MISMATCH = 78  # EX_CONFIG


def execute_refresh(instance: DagsterInstance | None = None, wait: bool | float = False,
                    rotation: bool | None = None) -> ExecuteInProcessResult:
    """Run the refresh job under the writer lock. Raises `guards.KeyMismatch` (another key) and
    `WarehouseBusy` (another run holds the warehouse and `wait` is False) before anything is written.

    rotation: run the key rotation (default: WAREHOUSE_KEY_ROTATION)."""
    folder = warehouse_dir()
    rotation = guards.rotation_requested() if rotation is None else rotation
    # Before the lock: a refused run leaves no trace.
    guards.verify_key(folder, rotating=rotation, starting=rotation)
    run_id = str(uuid.uuid4())
    with WriterLock(folder, run_id, "python -m orchestration.refresh").acquire(wait, on_wait=print):
        # Imported under the lock: a refresh that finds the warehouse busy says so at once.
        from orchestration.definitions import SOURCE_SYSTEMS, defs
        from orchestration.extract.merge import FULL_RELOAD_TAG
        from orchestration.extract.registry import validate_sources

        guards.verify_key(folder, rotating=rotation, starting=rotation)
        # Fail early, with a clear message, on a missing or malformed sources file or an unknown section.
        validate_sources(load_sources(), SOURCE_SYSTEMS)
        migrate_raw_out_of_build(folder)  # before the rotation below reads the raw tables
        tags = {}
        if rotation:
            built = raw_db_path().exists()
            with raw_connection() if built else nullcontext() as con:
                if guards.begin_rotation(folder, con):
                    tags = {guards.ROTATION_TAG: "true", FULL_RELOAD_TAG: "true"}
        guards.record_key(folder)  # a first build's fingerprint (nothing when one is recorded)

        if instance is None:
            instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
        quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
        result = defs.get_job_def("refresh").execute_in_process(
            instance=instance, run_config=quiet, raise_on_error=False, run_id=run_id, tags=tags)
        if tags and result.success:
            with raw_connection() as con:
                print(guards.finish_rotation(folder, con))
        return result


def failure_report(result: ExecuteInProcessResult) -> list[str]:
    """One line per failed step and per failed check, with the check's findings."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            while error is not None and error.cause is not None:  # the user error, not Dagster's wrapper
                error = error.cause
            lines.append(f"FAILED step {event.step_key}: {error.message.strip() if error else event.message}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            lines.append(
                f"FAILED check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
                f"{evaluation.description}"
            )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.refresh", description=__doc__.split("\n")[0])
    parser.add_argument("--wait", action="store_true",
                        help="when another run holds the warehouse, wait for it instead of exiting (status 75)")
    args = parser.parse_args(argv)
    print(f"sources:   {load_sources().path}\nwarehouse: {warehouse_dir()}")
    try:
        result = execute_refresh(wait=args.wait)
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        sys.exit(EXIT_BUSY)
    except guards.KeyMismatch as mismatch:
        print(mismatch, file=sys.stderr)
        sys.exit(EXIT_KEY_MISMATCH)
    if not result.success:
        print("\n".join(failure_report(result)), file=sys.stderr)
        print(f"refresh failed; {marts_db_path()} was left as it was", file=sys.stderr)
        if (guards.read_state(warehouse_dir()) or {}).get("rotating_to"):
            print(f"the key rotation is unfinished: fix the failure, then rerun with {guards.ROTATION_ENV}=1",
                  file=sys.stderr)
        sys.exit(1)
    from orchestration.changes import nothing_changed_message

    print(nothing_changed_message(result) or f"published: {marts_db_path()}")


if __name__ == "__main__":
    main()
