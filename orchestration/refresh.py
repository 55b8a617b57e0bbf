"""`python -m orchestration.refresh`: run the refresh job once, against WAREHOUSE_SOURCES into WAREHOUSE_DIR.

Runs are recorded in DAGSTER_HOME when it is set (so `dagster dev` shows them), else in a throwaway instance.
Exits with status 1 when the run fails, naming the failed step or check and what it found.
"""
import os
import sys

from dagster import DagsterInstance, ExecuteInProcessResult

from orchestration.settings import load_sources, marts_db_path, warehouse_dir


def execute_refresh(instance: DagsterInstance | None = None) -> ExecuteInProcessResult:
    from orchestration.definitions import SOURCE_SYSTEMS, defs
    from orchestration.extract.registry import validate_sources

    # Fail early, with a clear message, on a missing or malformed sources file or an unknown section.
    validate_sources(load_sources(), SOURCE_SYSTEMS)

    if instance is None:
        instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    return defs.get_job_def("refresh").execute_in_process(instance=instance, run_config=quiet, raise_on_error=False)


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


def main() -> None:
    print(f"sources:   {load_sources().path}\nwarehouse: {warehouse_dir()}")
    result = execute_refresh()
    if not result.success:
        print("\n".join(failure_report(result)), file=sys.stderr)
        print(f"refresh failed; {marts_db_path()} was left as it was", file=sys.stderr)
        sys.exit(1)
    from orchestration.changes import nothing_changed_message

    print(nothing_changed_message(result) or f"published: {marts_db_path()}")


if __name__ == "__main__":
    main()
