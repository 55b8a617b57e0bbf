"""The code location: merges what each domain module contributes; nothing else.

The source systems come from the registry (`orchestration.extract.registry`): each source module exposes
`assets` and may expose `checks`, `jobs` and `sensors` (e.g. the SoliComm drop sensor, the platform
registry sensor) that belong with it.
"""
from typing import Sequence

from dagster import AssetSpec, Definitions

from orchestration import backups, checks, close, dbt, freshness, jobs, publish, reports, schedules, sensors
from orchestration.extract.registry import SourceSystem, collected, source_systems
from orchestration.resources import WarehouseResource
from orchestration.stewardship import definitions as stewardship


def extract_keys(source_assets: list) -> list:
    return [key for a in source_assets for key in getattr(a, "keys", [])]


def extraction_log(source_assets: list) -> AssetSpec:
    """raw_warehouse.source_extractions: every extract asset appends its row there (dbt's source
    `warehouse`), so it follows them all."""
    return AssetSpec(["warehouse", "source_extractions"], group_name="warehouse", deps=extract_keys(source_assets),
                     description="One row per extraction of a source system, written with its load")


def build_definitions(systems: Sequence[SourceSystem]) -> Definitions:
    source_assets = collected(systems, "assets")
    return Definitions(
        assets=freshness.with_source_freshness(source_assets, systems)
        + [extraction_log(source_assets), backups.raw_backup_asset(extract_keys(source_assets))] + close.assets
        + dbt.assets + publish.assets + reports.assets + stewardship.assets,
        asset_checks=checks.checks + collected(systems, "checks"),
        jobs=jobs.jobs + close.jobs + collected(systems, "jobs") + stewardship.jobs,
        schedules=schedules.schedules + stewardship.schedules,
        sensors=sensors.sensors + collected(systems, "sensors"),
        resources={"dbt": dbt.dbt_resource, "warehouse": WarehouseResource()},
    )


SOURCE_SYSTEMS = source_systems()
defs = build_definitions(SOURCE_SYSTEMS)
