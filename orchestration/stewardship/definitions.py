"""Dagster definitions of the review queue: an asset, its job and a weekly schedule, merged by the code
location with one line (orchestration/definitions.py):

    assets=... + stewardship.assets, jobs=... + stewardship.jobs, schedules=... + stewardship.schedules

It never blocks the nightly publication: the asset is downstream of the build but nothing published
depends on it; it runs in its own job (weekly, or on demand), outside the build file's concurrency pool,
holding build.duckdb read-only only while it copies the identity records (seconds); a held write lock
is a transient error, retried. The refresh job must leave the `stewardship` group out of its selection.
"""
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
    in_process_executor,
)

from orchestration.concurrency import retry_transient_errors
from orchestration.stewardship import queue

GROUP = "stewardship"


@asset(
    name="identity_review_queue",
    group_name=GROUP,
    deps=[
        AssetKey(["intermediate", "int_identity_records"]),
        AssetKey(["intermediate", "int_persons_resolved"]),
        AssetKey(["marts", "fct_enrolments"]),
    ],
    description="Pairs of records in different persons that the Splink model scores as probably one person "
    "(match probability >= WAREHOUSE_REVIEW_THRESHOLD, default 0.9), with evidence, counted enrolments "
    "and source record ids; WAREHOUSE_DIR/stewardship/review_queue.duckdb.",
)
def identity_review_queue(context: AssetExecutionContext) -> MaterializeResult:
    with retry_transient_errors(context.retry_number):
        result = queue.build_queue()
    return MaterializeResult(
        metadata={
            "pairs": result.size,
            "threshold": result.threshold,
            "model": result.model.name,
            "records": result.records,
            "blocked_pairs_upper_bound": result.scored_pairs,
            "seconds": round(result.seconds, 1),
            "path": MetadataValue.path(str(result.path)),
        }
    )


identity_review_job = define_asset_job(
    name="identity_review",
    selection=AssetSelection.groups(GROUP),
    executor_def=in_process_executor,
    description="Score probable duplicate identity records into the stewards' review queue.",
)

weekly_identity_review_schedule = ScheduleDefinition(
    name="weekly_identity_review",
    job=identity_review_job,
    cron_schedule="0 6 * * 1",  # Monday 06:00 Europe/Rome: after the night's refresh, before the stewards' week
    execution_timezone="Europe/Rome",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Rebuild the identity review queue every Monday at 06:00 Europe/Rome.",
)

assets = [identity_review_queue]
jobs = [identity_review_job]
schedules = [weekly_identity_review_schedule]
