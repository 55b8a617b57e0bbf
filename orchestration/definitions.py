"""The code location: merges what each domain module contributes; nothing else.

The source systems come from the registry (`orchestration.extract.registry`): each source module exposes
`assets` and may expose `checks`, `jobs` and `sensors` (e.g. the SoliComm drop sensor, the platform
registry sensor) that belong with it.
"""
from typing import Sequence

from dagster import Definitions

from orchestration import checks, dbt, freshness, jobs, publish, reports, schedules, sensors
from orchestration.extract.registry import SourceSystem, collected, source_systems
from orchestration.resources import WarehouseResource


def build_definitions(systems: Sequence[SourceSystem]) -> Definitions:
    return Definitions(
        assets=freshness.with_source_freshness(collected(systems, "assets"), systems)
        + dbt.assets + publish.assets + reports.assets,
        asset_checks=checks.checks + collected(systems, "checks"),
        jobs=jobs.jobs + collected(systems, "jobs"),
        schedules=schedules.schedules,
        sensors=sensors.sensors + collected(systems, "sensors"),
        resources={"dbt": dbt.dbt_resource, "warehouse": WarehouseResource()},
    )


SOURCE_SYSTEMS = source_systems()
defs = build_definitions(SOURCE_SYSTEMS)
