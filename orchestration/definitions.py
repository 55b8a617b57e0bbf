"""The code location: merges what each domain module contributes; nothing else."""
from dagster import Definitions

from orchestration import checks, dbt, jobs, publish
from orchestration.sources import map as map_source

defs = Definitions(
    assets=[*map_source.assets, *dbt.assets, *publish.assets],
    asset_checks=checks.checks,
    jobs=jobs.jobs,
    resources={"dbt": dbt.dbt_resource},
)
