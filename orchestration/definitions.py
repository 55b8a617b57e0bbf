"""The code location: merges what each domain module contributes; nothing else."""
from dagster import Definitions

from orchestration import checks, dbt, jobs, publish, schedules, sensors
from orchestration.sources import ecampus, evaluation, finance, platforms, pmsu, solicomm, submissions
from orchestration.sources import map as map_source

SOURCE_MODULES = [map_source, ecampus, platforms, solicomm, pmsu, finance, evaluation, submissions]

defs = Definitions(
    assets=[asset for module in SOURCE_MODULES for asset in module.assets] + dbt.assets + publish.assets,
    asset_checks=checks.checks + [check for module in SOURCE_MODULES for check in getattr(module, "checks", [])],
    jobs=jobs.jobs,
    schedules=schedules.schedules,
    sensors=sensors.sensors,
    resources={"dbt": dbt.dbt_resource},
)
