"""Nightly operations: schedule, failure-report sensor, freshness, pools, retries, PostgreSQL storage."""
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import (
    FreshnessPolicy,
    DagsterInstance,
    Definitions,
    OpExecutionContext,
    build_run_status_sensor_context,
    build_schedule_context,
    in_process_executor,
    job,
    op,
)

from orchestration.concurrency import BUILD_DB_POOL, is_transient, retry_transient_errors
from orchestration.definitions import defs
from orchestration.freshness import SOURCE_GROUPS
from orchestration.refresh import execute_refresh, failure_report
from orchestration.schedules import nightly_refresh_schedule
from orchestration.sensors import failure_report_sensor
from tests.conftest import run_sql

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# --- what `dagster dev` shows -------------------------------------------------------------------------

def test_definitions_validate_and_list_the_schedule_sensors_and_freshness():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    schedule = defs.get_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 2 * * *", "Europe/Rome", "refresh",
    )
    assert "failure_report_sensor" in {s.name for s in defs.sensors}

    graph = defs.resolve_asset_graph()
    sources = [k for k in graph.get_all_asset_keys() if graph.get(k).group_name in SOURCE_GROUPS]
    assert sources, "no source assets"
    for key in sources + [k for k in graph.get_all_asset_keys() if k.path[0].startswith("published_")]:
        policy = graph.get(key).freshness_policy
        assert isinstance(policy, FreshnessPolicy), key
        assert (policy.deadline_cron, policy.timezone) == ("0 6 * * *", "Europe/Rome")


def test_the_nightly_schedule_requests_a_refresh_at_two_in_rome():
    tick = datetime(2026, 3, 30, 2, 0, tzinfo=ZoneInfo("Europe/Rome"))  # the night after the DST change
    result = nightly_refresh_schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))
    [request] = result.run_requests
    assert request.tags["dagster/schedule_name"] == "nightly_refresh"
    refresh = defs.get_job_def("refresh")
    assert refresh.executor_def is in_process_executor
    assert refresh.tags["dagster/max_retries"] == "2"
    assert refresh.tags["dagster/retry_on_asset_or_op_failure"] == "false"


# --- one concurrency pool for the build file ---------------------------------------------------------

def build_file_nodes():
    """Every asset and check node of the refresh job, with its pool (all of them open build.duckdb)."""
    refresh = defs.get_job_def("refresh")
    return {node.name: node.definition.pool for node in refresh.graph.nodes}


def test_publication_runs_in_the_build_file_pool():
    pools = build_file_nodes()
    assert pools["published_marts"] == BUILD_DB_POOL
    assert pools["published_docs"] == BUILD_DB_POOL


def test_every_writer_of_the_build_file_is_in_the_pool():
    # The report and the data-quality page only read the published marts.duckdb: no slot of the build file.
    outside = sorted(
        name for name, pool in build_file_nodes().items()
        if pool != BUILD_DB_POOL and name not in ("annex1_report", "data_quality_page")
    )
    assert outside == []


# --- retries of transient failures -------------------------------------------------------------------

def test_transient_errors_are_retried_and_other_errors_fail_at_once():
    attempts = {"transient": 0, "broken": 0}

    @op
    def flaky(context: OpExecutionContext):
        attempts["transient"] += 1
        with retry_transient_errors(context.retry_number, wait_seconds=0):
            if context.retry_number < 2:
                raise ConnectionResetError("connection reset by peer")

    @op
    def broken(context: OpExecutionContext):
        attempts["broken"] += 1
        with retry_transient_errors(context.retry_number, wait_seconds=0):
            raise ValueError("table 'registration' is missing required column(s) fellowship")

    @job(executor_def=in_process_executor)
    def flaky_job():
        flaky()

    @job(executor_def=in_process_executor)
    def broken_job():
        broken()

    assert flaky_job.execute_in_process().success
    assert attempts["transient"] == 3
    assert not broken_job.execute_in_process(raise_on_error=False).success
    assert attempts["broken"] == 1


def test_what_counts_as_transient():
    import duckdb
    import sqlalchemy.exc

    assert is_transient(TimeoutError("read timed out"))
    assert is_transient(duckdb.IOException('Could not set lock on file "build.duckdb": Conflicting lock is held'))
    assert is_transient(sqlalchemy.exc.OperationalError("select 1", {}, Exception("server closed the connection unexpectedly")))
    assert not is_transient(ValueError("table 'registration' is missing required column(s) fellowship"))
    assert not is_transient(KeyError("activity_id"))


# --- the failure report -------------------------------------------------------------------------------

class Webhook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhook.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Webhook.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/warehouse", Webhook.received
    server.shutdown()
    server.server_close()


def test_a_failed_check_publishes_nothing_and_is_reported_to_the_webhook(sample_warehouse, sample_sources, webhook,
                                                                        monkeypatch):
    warehouse = sample_warehouse
    url, received = webhook
    marts = warehouse / "marts.duckdb"
    before = marts.read_bytes()
    # A constituent code no indicator knows would silently drop out of the counts: dim_persons' dbt
    # accepted_values test refuses it, the build stops and nothing is published, not even the night's new
    # registration (updated_at = now: MAP is extracted incrementally on it).
    run_sql(sample_sources.parent / "map.sqlite",
            "update participant set constituent_group = 'martians', updated_at = datetime('now') where participant_id = 101;"
            "insert into registration values (1022, 1, 107, 'attended', 0, '2022-02-01', datetime('now'));")
    instance = DagsterInstance.ephemeral()
    result = execute_refresh(instance)
    assert not result.success
    assert marts.read_bytes() == before
    summary = "\n".join(failure_report(result))
    assert "FAILED check accepted_values_dim_persons_constituent_group" in summary and "marts/dim_persons" in summary
    assert [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["published_marts"]] == []
    # the offending rows stay queryable in the build database (dbt stores failures as views)
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        views = [name for (name,) in con.execute(
            "select view_name from duckdb_views() where schema_name = 'test_failures' "
            "and view_name like 'accepted_values_dim_persons%'").fetchall()]
        offending = [row[0] for view in views for row in con.execute(f'select * from test_failures."{view}"').fetchall()]
    assert offending == ["martians"]

    monkeypatch.setenv("WAREHOUSE_FAILURE_WEBHOOK", url)
    context = build_run_status_sensor_context(
        sensor_name="failure_report_sensor", dagster_instance=instance,
        dagster_run=result.dagster_run, dagster_event=result.get_run_failure_event(),
    ).for_run_failure()
    failure_report_sensor(context)

    report = json.loads((warehouse / "failures" / f"{result.run_id}.json").read_text(encoding="utf-8"))
    [check] = report["failed_checks"]
    # The rule is a dbt test now (structural rules live in dbt YAML).
    assert check["check"].startswith("accepted_values_dim_persons_constituent_group") and check["asset"] == "marts/dim_persons"
    assert "martians" in check["description"]  # the offending value, from dbt's stored failures
    assert any(step["step"] for step in report["failed_steps"])
    markdown = (warehouse / "failures" / f"{result.run_id}.md").read_text(encoding="utf-8")
    assert "accepted_values_dim_persons_constituent_group" in markdown and "martians" in markdown
    assert received == [("application/json", report)]

    # A webhook that cannot be reached is logged; the report on disk stays and the sensor does not fail.
    monkeypatch.setenv("WAREHOUSE_FAILURE_WEBHOOK", "http://127.0.0.1:9/unreachable")
    (warehouse / "failures" / f"{result.run_id}.json").unlink()
    failure_report_sensor(context)
    assert (warehouse / "failures" / f"{result.run_id}.json").exists()


def test_failed_extract_step_is_reported_with_its_assets(warehouse, sample_sources):
    run_sql(sample_sources.parent / "map.sqlite", "alter table registration drop column fellowship;")
    instance = DagsterInstance.ephemeral()
    result = execute_refresh(instance)
    assert not result.success
    context = build_run_status_sensor_context(
        sensor_name="failure_report_sensor", dagster_instance=instance,
        dagster_run=result.dagster_run, dagster_event=result.get_run_failure_event(),
    ).for_run_failure()
    failure_report_sensor(context)
    report = json.loads((warehouse / "failures" / f"{result.run_id}.json").read_text(encoding="utf-8"))
    [step] = [s for s in report["failed_steps"] if "fellowship" in (s["message"] or "")]
    assert "map/registration" in step["assets"]


# --- production deployment: PostgreSQL storage --------------------------------------------------------

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


@pytest.fixture
def postgres_database():
    """A uniquely-named database on the local PostgreSQL, dropped afterwards."""
    import psycopg2

    try:
        admin = psycopg2.connect(connect_timeout=5, **PG)
    except psycopg2.OperationalError as error:
        message = f"PostgreSQL is not reachable on {PG['host']}:{PG['port']} as {PG['user']}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    admin.autocommit = True
    name = f"dagster_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def test_refresh_and_a_scheduled_run_on_postgres_storage(sample_warehouse, postgres_database, tmp_path, monkeypatch):
    """Both runs start from the refreshed sample: with nothing changed they still run every step and record
    every event in the PostgreSQL storage, without rebuilding what the session's refresh built."""
    import psycopg2

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")  # the production file itself
    for var, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": PG["host"], "DAGSTER_PG_PORT": str(PG["port"]),
                       "DAGSTER_PG_USERNAME": PG["user"], "DAGSTER_PG_PASSWORD": "",
                       "DAGSTER_PG_DB": postgres_database}.items():
        monkeypatch.setenv(var, value)

    instance = DagsterInstance.get()
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert {"SCHEDULER", "SENSOR", "FRESHNESS_DAEMON"} <= set(instance.get_required_daemon_types())

        started = time.perf_counter()
        manual = execute_refresh(instance)
        seconds = time.perf_counter() - started
        assert manual.success, failure_report(manual)
        print(f"\nrefresh with PostgreSQL storage: {seconds:.1f} s")

        # A scheduled-style run: evaluate the schedule's 02:00 tick, run the request it yields.
        tick = datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("Europe/Rome"))
        [request] = nightly_refresh_schedule.evaluate_tick(
            build_schedule_context(instance=instance, scheduled_execution_time=tick)
        ).run_requests
        scheduled = defs.get_job_def(request.job_name or nightly_refresh_schedule.job_name).execute_in_process(
            instance=instance, run_config=request.run_config, tags=request.tags, raise_on_error=False,
        )
        assert scheduled.success, failure_report(scheduled)

        pool = instance.event_log_storage.get_concurrency_info(BUILD_DB_POOL)
        assert pool.slot_count == 1 and pool.claimed_slots == [] and pool.pending_steps == []
    finally:
        instance.dispose()

    with psycopg2.connect(**{**PG, "dbname": postgres_database}) as con, con.cursor() as cur:
        cur.execute("select run_id, status from runs order by create_timestamp")
        runs = cur.fetchall()
        assert runs == [(manual.run_id, "SUCCESS"), (scheduled.run_id, "SUCCESS")]
        cur.execute("select value from run_tags where run_id = %s and key = 'dagster/schedule_name'", [scheduled.run_id])
        assert cur.fetchall() == [("nightly_refresh",)]
        cur.execute(
            "select run_id, count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION' "
            "and asset_key like %s group by run_id",
            ['%published_marts%'],
        )
        assert dict(cur.fetchall()) == {manual.run_id: 1, scheduled.run_id: 1}


def test_report_masks_passwords_of_connection_urls():
    from orchestration.sensors import _short

    masked = _short("MAP (oracle+oracledb://reader:s3cret@map-db/MAP): table 'registration' is missing")
    assert "s3cret" not in masked and "oracle+oracledb://reader:***@map-db/MAP" in masked
