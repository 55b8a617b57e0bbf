"""Jobs. The refresh runs the whole graph in one process (in-process executor: ~25 ms per step instead of
~1.3 s per step for the multiprocess executor on this 2-core machine), so writers to the build
database never run concurrently within a run; across runs (schedule, sensors, UI clicks) they queue in
the `duckdb_build` concurrency pool (orchestration/concurrency.py, limit 1 in deploy/dagster.yaml).
Writer runs are serialised whole: every job that writes the warehouse carries the `warehouse/writer` run
tag (`WRITER_TAGS`; one such run in progress at a time, deploy/dagster.yaml), and its run holds the
warehouse's writer lock from its first step to its last (the warehouse resource).

Retries: a step retries its own transient errors (`retry_transient_errors`); a run whose worker crashed
(killed, out of memory, host restarted) is retried whole, from the failure, up to twice. A run that
failed on a step or a check is not retried: the data would fail the same way again.
"""
from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.concurrency import WRITER_TAGS

RUN_RETRY_TAGS = {
    "dagster/max_retries": "2",
    "dagster/retry_strategy": "FROM_FAILURE",
    "dagster/retry_on_asset_or_op_failure": "false",
}

refresh_job = define_asset_job(
    name="refresh",
    # The identity review queue is the stewards' weekly job: it never runs in, nor blocks, the night.
    selection=AssetSelection.all() - AssetSelection.groups("stewardship"),
    executor_def=in_process_executor,
    tags={**RUN_RETRY_TAGS, **WRITER_TAGS},
    description="Extract every source, build the dbt models, run the checks, publish marts.duckdb.",
)

jobs = [refresh_job]
