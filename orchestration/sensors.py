"""Sensors of this module: the run-failure report.

When any run of this code location fails (the nightly refresh, a SoliComm load, a run started in the UI),
`failure_report_sensor` writes a short report — which steps failed and their assets, which checks failed
and what they found, the error message — to WAREHOUSE_DIR/failures/<run_id>.md (for people) and
<run_id>.json (for machines). When WAREHOUSE_FAILURE_WEBHOOK is set, the JSON is POSTed there; its `text`
field holds the Markdown summary, which Slack, Mattermost and Teams incoming webhooks display as is.
A webhook that cannot be reached is logged and does not hide the report on disk.
"""
from __future__ import annotations

import json
import logging
import os
import re
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from dagster import DagsterEventType, DefaultSensorStatus, EventLogEntry, RunFailureSensorContext, run_failure_sensor

from orchestration.settings import warehouse_dir

WEBHOOK_ENV = "WAREHOUSE_FAILURE_WEBHOOK"
FAILURES_FOLDER = "failures"
MAX_MESSAGE_CHARS = 2000

log = logging.getLogger(__name__)


def _root_message(error) -> str | None:
    while error is not None and error.cause is not None:  # the user's error, not Dagster's wrapper
        error = error.cause
    return error.message.strip() if error is not None else None


_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]+):[^@\s]+@")


def _short(text: str | None) -> str | None:
    """The message, cut to a readable length, with any password of a connection URL masked."""
    if text is None:
        return None
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


STORED_FAILURES_SAMPLE = 5


def stored_failures_sample(metadata: dict[str, Any]) -> str | None:
    """What a failed dbt test found: dbt keeps its offending rows as a view in the build file (schema
    `test_failures`, dbt_project.yml), named by the test's alias in the manifest; a few of them, read-only."""
    unique_id = getattr(metadata.get("unique_id"), "value", metadata.get("unique_id"))
    if not unique_id:
        return None
    try:
        import duckdb

        from orchestration.dbt import dbt_project
        from orchestration.settings import build_db_path
        from orchestration.warehouse import attach_raw

        node = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))["nodes"][unique_id]
        relation = f'{node["config"].get("schema") or "test_failures"}."{node["alias"]}"'
        with duckdb.connect(str(build_db_path()), read_only=True) as con:
            attach_raw(con)  # a stored failure on a staging model reads the raw file through its view
            query = con.execute(f"select * from {relation} limit {STORED_FAILURES_SAMPLE}")
            columns = [c[0] for c in query.description]
            rows = [dict(zip(columns, row)) for row in query.fetchall()]
    except Exception as exc:  # the report must be written even when the build file is gone or locked
        return f"dbt test {unique_id} failed (its stored failures could not be read: {exc})"
    count = getattr(metadata.get("dagster_dbt/failed_row_count"), "value", "")
    return f"dbt test failed: {count} offending rows, e.g. {rows} (all in build.duckdb, view {relation})"


def build_failure_report(
    run_id: str, job_name: str, tags: dict[str, str], entries: Iterable[EventLogEntry], run_message: str | None = None
) -> dict[str, Any]:
    """The report of one failed run, from its event log."""
    planned_assets: dict[str, set[str]] = {}
    planned_checks: dict[str, set[str]] = {}
    materialized: set[str] = set()
    failed_steps: list[dict[str, Any]] = []
    failed_checks: list[dict[str, Any]] = []
    for entry in entries:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        if kind == DagsterEventType.ASSET_MATERIALIZATION_PLANNED and event.asset_key is not None:
            planned_assets.setdefault(event.step_key or "", set()).add(event.asset_key.to_user_string())
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED and event.event_specific_data is not None:
            planned = event.event_specific_data
            planned_checks.setdefault(event.step_key or "", set()).add(
                f"{planned.asset_key.to_user_string()}:{planned.check_name}"
            )
        elif kind == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key is not None:
            materialized.add(event.asset_key.to_user_string())
        elif kind == DagsterEventType.STEP_FAILURE:
            error = getattr(event.event_specific_data, "error", None)
            failed_steps.append({"step": event.step_key, "message": _short(_root_message(error) or event.message)})
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation is not None and not evaluation.passed:
                failed_checks.append(
                    {
                        "check": evaluation.check_name,
                        "asset": evaluation.asset_key.to_user_string(),
                        "description": _short(evaluation.description or stored_failures_sample(evaluation.metadata or {})),
                    }
                )
    for step in failed_steps:  # the assets and checks the failed step did not deliver
        step["assets"] = sorted(planned_assets.get(step["step"] or "", set()) - materialized)
        step["checks"] = sorted(planned_checks.get(step["step"] or "", set())) if not step["assets"] else []
    not_refreshed = set().union(*planned_assets.values()) - materialized if planned_assets else set()
    report = {
        "run_id": run_id,
        "job": job_name,
        "trigger": tags.get("dagster/schedule_name") or tags.get("dagster/sensor_name") or "manual",
        "reported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "warehouse_dir": str(warehouse_dir()),
        "failed_steps": failed_steps,
        "failed_checks": failed_checks,
        "assets_not_refreshed": sorted(not_refreshed),
        "message": _short(run_message),
    }
    report["text"] = report_markdown(report)
    return report


def report_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"**Warehouse run failed**: job `{report['job']}`, run `{report['run_id']}` ({report['trigger']}), "
        f"{report['reported_at']}.",
    ]
    not_refreshed = set(report["assets_not_refreshed"])
    if "published_marts" in not_refreshed:
        lines.append("The published marts.duckdb and parquet/ were left as they were (the previous figures).")
    elif "published_docs" in not_refreshed:
        lines.append("marts.duckdb and parquet/ were published; docs/ was left as it was.")
    for step in report["failed_steps"]:
        what = step["assets"] or step["checks"]
        label = f" ({'assets' if step['assets'] else 'checks'}: {', '.join(what)})" if what else ""
        lines.append(f"- step `{step['step']}`{label}: {step['message']}")
    for check in report["failed_checks"]:
        lines.append(f"- check `{check['check']}` on `{check['asset']}`: {check['description']}")
    if not report["failed_steps"] and not report["failed_checks"] and report["message"]:
        lines.append(f"- {report['message']}")
    if report["assets_not_refreshed"]:
        lines.append(f"Not refreshed by this run: {len(report['assets_not_refreshed'])} assets.")
    return "\n".join(lines)


def write_failure_report(report: dict[str, Any], folder: Path | None = None) -> Path:
    """Write <run_id>.json and <run_id>.md under WAREHOUSE_DIR/failures; return the JSON's path."""
    folder = folder or warehouse_dir() / FAILURES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report['run_id']}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(report["text"] + "\n", encoding="utf-8")
    return path


def post_failure_report(report: dict[str, Any], url: str, timeout: float = 10.0) -> int:
    """POST the report as JSON; returns the HTTP status."""
    request = urllib.request.Request(
        url,
        data=json.dumps(report, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "itcilo-warehouse"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
        return response.status


@run_failure_sensor(
    name="failure_report_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Writes WAREHOUSE_DIR/failures/<run_id>.md/.json for every failed run; POSTs it to "
    f"${WEBHOOK_ENV} when set.",
)
def failure_report_sensor(context: RunFailureSensorContext) -> None:
    run = context.dagster_run
    report = build_failure_report(
        run.run_id,
        run.job_name,
        dict(run.tags),
        context.instance.all_logs(run.run_id),
        run_message=context.failure_event.message if context.failure_event else None,
    )
    path = write_failure_report(report)
    context.log.info(f"failure report written to {path}")
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        try:
            status = post_failure_report(report, url)
            context.log.info(f"failure report posted to the webhook (HTTP {status})")
        except Exception as error:  # the report on disk stays; say why the post failed
            context.log.warning(f"could not post the failure report to {WEBHOOK_ENV}: {error}")


sensors = [failure_report_sensor]
