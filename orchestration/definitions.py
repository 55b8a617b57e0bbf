"""The code location: merges what each domain module contributes; nothing else.

A source module exposes `assets` and may expose `checks`, `jobs` and `sensors` (e.g. the SoliComm drop
sensor, the platform registry sensor) that belong with it.
"""
from dagster import Definitions

from orchestration import checks, dbt, freshness, jobs, publish, reports, schedules, sensors
from orchestration.sources import ecampus, evaluation, finance, platforms, pmsu, solicomm, submissions
from orchestration.sources import map as map_source

SOURCE_MODULES = [map_source, ecampus, platforms, solicomm, pmsu, finance, evaluation, submissions]


def collected(name: str) -> list:
    return [item for module in SOURCE_MODULES for item in getattr(module, name, [])]


defs = Definitions(
    assets=freshness.with_source_freshness(collected("assets")) + dbt.assets + publish.assets + reports.assets,
    asset_checks=checks.checks + collected("checks"),
    jobs=jobs.jobs + collected("jobs"),
    schedules=schedules.schedules,
    sensors=sensors.sensors + collected("sensors"),
    resources={"dbt": dbt.dbt_resource},
)
