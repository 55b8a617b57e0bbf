"""Jobs. The refresh runs the whole graph in one process (in-process executor: ~25 ms per step instead of
~1.3 s per step for the multiprocess executor on this 2-core machine), so writers to the build
database never run concurrently."""
from dagster import AssetSelection, define_asset_job, in_process_executor

refresh_job = define_asset_job(
    name="refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Extract every source, build the dbt models, run the checks, publish marts.duckdb.",
)

jobs = [refresh_job]
