"""`python -m orchestration.refresh`: run the refresh job once, against WAREHOUSE_SOURCES into WAREHOUSE_DIR.

Runs are recorded in DAGSTER_HOME when it is set (so `dagster dev` shows them), else in a throwaway instance.
Exit status 1 when the run fails, with the failing step's message.
"""
import os
import sys

from dagster import DagsterInstance

from orchestration.settings import load_sources, marts_db_path, warehouse_dir


def run_refresh() -> bool:
    load_sources()  # fail early, with a clear message, on a missing or malformed sources file
    from orchestration.definitions import defs

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    result = defs.get_job_def("refresh").execute_in_process(instance=instance, raise_on_error=False)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure and event.event_specific_data is not None:
                error = getattr(event.event_specific_data, "error", None)
                print(f"FAILED {event.step_key}: {error.message.strip() if error else event.message}", file=sys.stderr)
        for evaluation in result.get_asset_check_evaluations():
            if not evaluation.passed:
                print(f"CHECK FAILED {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
                      f"{evaluation.description}", file=sys.stderr)
    return result.success


def main() -> None:
    print(f"sources: {load_sources().path}\nwarehouse: {warehouse_dir()}")
    if not run_refresh():
        sys.exit(1)
    print(f"published: {marts_db_path()}")


if __name__ == "__main__":
    main()
