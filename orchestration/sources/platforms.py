"""External Moodle platforms (contracts/platforms.md): the registry and one dynamic partition per platform.

The registry (sources file `platforms: {registry: platforms.yml}`) is re-read at every run, so adding a
platform is a registry edit, not a code change:

- `platforms/registry` (not partitioned) → raw_platforms.registry (code, name, intermediary,
  constituent_group, active, since, table_prefix; never the URL). A platform removed from the file stays,
  flagged `_vanished_at`. It also adds any new platform code as a partition of `platforms`.
- `platforms/<table>` for the Moodle tables the platform indicators need, partitioned by the dynamic
  partitions `platforms` (one per registry code). Raw tables are shared by all platforms
  (raw_platforms.<table>, `platform_code` first and part of every key); a platform's load replaces only
  its own rows, in its own transaction.
- `platforms_registry_sensor` re-reads the registry every minute, adds new codes as partitions and
  requests one `platforms_refresh` run for them (a partition range: one process, one writer).

How runs pick platforms:
- a partitioned run (`platforms_refresh` job, the sensor, a backfill; `BackfillPolicy.single_run`, so a
  range runs in one process) extracts the platforms of its partition key(s);
- a run without a partition key (the whole-graph `refresh` job) extracts every platform of the registry.

A platform whose database cannot be reached (its `url_env` unset, connection refused…) or breaks the
contract fails on its own, with its name; the others load; its rows already loaded stay as they were.
In a partitioned run the step then fails naming the platform(s) (after the others were written); in the
whole-graph refresh the non-blocking check `platforms_reachable` fails naming them, and the refresh goes on
with the last good data of that platform. A retired platform (`active: false`) whose database is gone is
skipped, not failed: its rows stay as loaded.
"""

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import yaml
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    AssetSpec,
    BackfillPolicy,
    DefaultSensorStatus,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset,
    define_asset_job,
    in_process_executor,
    multi_asset,
    sensor,
)

from orchestration.settings import Sources, SourcesFileError, load_sources, resolve_sqlalchemy_url
from orchestration.sources import moodle
from orchestration.extract.contract import Column, SourceUnreachableError, TableContract, columns
from orchestration.extract.merge import (
    ExtractConfig, Extraction, TableOutcome, ensure_tables, full_reload_requested, record_extraction, snapshot,
)
from orchestration.extract.sql import Database, extract
from orchestration.resources import WarehouseResource
from orchestration.warehouse import EXTRACT_MEMORY_LIMIT
from orchestration.concurrency import BUILD_DB_POOL, WRITER_TAGS

SYSTEM = "platforms"
SECTION_KEYS = ("registry",)
RAW_SCHEMA = "raw_platforms"
PARTITIONS = "platforms"
DEFAULT_PREFIX = "mdl_"
CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REGISTRY = TableContract(
    "registry",
    columns("code name intermediary constituent_group") + (Column("active", "bool"), Column("since", "date"),
                                                           Column("table_prefix")),
    key=("code",),
)

platform_partitions = DynamicPartitionsDefinition(name=PARTITIONS)
# Dagster's run tags for a partition range (documented, but not exported as constants).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


class RegistryError(ValueError):
    """The platform registry is missing or malformed."""


@dataclass(frozen=True)
class Platform:
    code: str
    name: str | None
    intermediary: str | None
    constituent_group: str | None
    url_env: str
    table_prefix: str
    active: bool
    since: dt.date | None

    def url(self, sources: Sources) -> str:
        """The platform's SQLAlchemy URL (relative SQLite paths: relative to the sources file's folder)."""
        value = os.environ.get(self.url_env)
        if not value:
            raise SourceUnreachableError(
                f"platform {self.code}: environment variable {self.url_env} (its database URL) is not set"
            )
        try:
            return resolve_sqlalchemy_url(value, sources.folder, f"platform {self.code}: {self.url_env}")
        except SourcesFileError as exc:
            raise SourceUnreachableError(str(exc)) from exc


def registry_path(sources: Sources) -> Any:
    return sources.file(SYSTEM, "registry")


def load_registry(sources: Sources) -> list[Platform]:
    """The registry's platforms, validated (a malformed entry is one clear error naming it)."""
    path = registry_path(sources)
    if not path.exists():
        raise RegistryError(f"platform registry {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    entries = raw.get("platforms") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a list under 'platforms'")
    platforms, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: platform #{number}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: expected a mapping")
        code = str(entry.get("code") or "").strip()
        if not CODE.match(code):
            raise RegistryError(f"{where}: 'code' {code!r} is missing or not of the form [a-z0-9-]")
        if code in seen:
            raise RegistryError(f"{where}: code {code} appears twice")
        seen.add(code)
        if not entry.get("url_env"):
            raise RegistryError(f"{where} ({code}): 'url_env' is missing")
        since = entry.get("since")
        if isinstance(since, str):
            try:
                since = dt.date.fromisoformat(since)
            except ValueError as exc:
                raise RegistryError(f"{where} ({code}): 'since' {since!r} is not a date") from exc
        active = entry.get("active", True)
        platforms.append(Platform(
            code=code,
            name=entry.get("name"),
            intermediary=entry.get("intermediary"),
            constituent_group=entry.get("constituent_group"),
            url_env=str(entry["url_env"]),
            table_prefix=str(entry.get("table_prefix", DEFAULT_PREFIX) or ""),
            active=active if isinstance(active, bool) else str(active).lower() in ("true", "yes", "1"),
            since=since if isinstance(since, dt.date) else None,
        ))
    return platforms


def add_new_partitions(instance, codes: list[str]) -> list[str]:
    existing = set(instance.get_dynamic_partitions(PARTITIONS))
    new = [c for c in codes if c not in existing]
    if new:
        instance.add_dynamic_partitions(PARTITIONS, new)
    return new


# ------------------------------------------------------------------------------------------------ registry

REGISTRY_KEY = AssetKey([SYSTEM, "registry"])


@asset(key=REGISTRY_KEY, group_name=SYSTEM, compute_kind="yaml", pool=BUILD_DB_POOL,
       description="The external platform registry (no URLs), history kept; adds new platforms as partitions")
def platforms_registry(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    sources = warehouse.load_sources()
    if SYSTEM not in sources.raw:
        context.log.warning(f"{sources.path} has no '{SYSTEM}' section: no external platforms")
        with warehouse.raw_connection() as con:
            ensure_tables(con, RAW_SCHEMA, [REGISTRY])
        return MaterializeResult(metadata={"configured": False})
    platforms = load_registry(sources)
    rows = pa.Table.from_pylist(
        [{c.name: getattr(p, c.name) for c in REGISTRY.columns} for p in platforms], schema=REGISTRY.arrow_schema())
    with warehouse.raw_connection() as con:
        # Its own transaction; not an extraction of the platforms' data (no source_extractions row).
        with Extraction(con, SYSTEM, RAW_SCHEMA, [REGISTRY], context.run.run_id, record=False) as load:
            written = load.merge_one(snapshot(REGISTRY, rows))
    new = add_new_partitions(context.instance, [p.code for p in platforms])
    return MaterializeResult(metadata={
        "rows_read": len(platforms), "rows_loaded": written.rows_loaded, "rows_rejected": written.rows_rejected,
        "rows_vanished": written.rows_vanished, "watermark": "", "platforms": len(platforms),
        "active": sum(p.active for p in platforms), "new_partitions": ", ".join(new),
    })


# ------------------------------------------------------------------------------------------------ tables

TABLE_KEYS = [AssetKey([SYSTEM, name]) for name in moodle.PLATFORM_TABLES]
REACHABLE_CHECK = "platforms_reachable"


@multi_asset(
    specs=[
        AssetSpec(key, group_name=SYSTEM, deps=[REGISTRY_KEY],
                  description=f"`{key.path[-1]}` of every external platform's Moodle (platform_code first)")
        for key in TABLE_KEYS
    ],
    check_specs=[AssetCheckSpec(REACHABLE_CHECK, asset=TABLE_KEYS[0], blocking=False,
                                description="every platform of the run could be read")],
    partitions_def=platform_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    compute_kind="sqlalchemy",
    pool=BUILD_DB_POOL,
)
def platform_tables(context: AssetExecutionContext, config: ExtractConfig, warehouse: WarehouseResource):
    """Extract the platforms of the run (its partition keys, or every registry platform without any)."""
    sources = warehouse.load_sources()
    if SYSTEM not in sources.raw:
        context.log.warning(f"{sources.path} has no '{SYSTEM}' section: no external platforms")
        with warehouse.raw_connection() as con:
            contracts = moodle.contracts(moodle.PLATFORM_TABLES)
            ensure_tables(con, RAW_SCHEMA, contracts, scope_column="platform_code")
            record_extraction(con, SYSTEM, RAW_SCHEMA, contracts, context.run.run_id, None, 0, 0)
        for key in TABLE_KEYS:
            yield MaterializeResult(asset_key=key, metadata={"configured": False})
        yield AssetCheckResult(asset_key=TABLE_KEYS[0], check_name=REACHABLE_CHECK, passed=True)
        return
    registry = {p.code: p for p in load_registry(sources)}
    partitioned = context.has_partition_key or context.has_partition_key_range
    codes = list(context.partition_keys) if partitioned else list(registry)
    if not partitioned:
        add_new_partitions(context.instance, codes)
    full_reload = full_reload_requested(context.run.tags, config.full_reload)

    skipped: dict[str, str] = {}
    databases = []
    for code in codes:
        platform = registry.get(code)
        if platform is None:
            skipped[code] = "no longer in the registry: its rows stay as loaded"
            continue
        try:
            url, reason = platform.url(sources), ""
        except SourceUnreachableError as exc:
            url, reason = None, str(exc)
        databases.append(Database(f"platform {code}", url, platform.table_prefix, code,
                                  tuple(moodle.contracts(moodle.PLATFORM_TABLES)), reason))
    with warehouse.raw_connection(memory_limit=EXTRACT_MEMORY_LIMIT) as con:
        result = extract(con, SYSTEM, RAW_SCHEMA, databases, scope_column="platform_code", full_reload=full_reload,
                         isolate_failures=True, run_id=context.run.run_id)
    loaded = {db.scope: result.outcomes[db.label] for db in databases if db.label in result.outcomes}
    failures: dict[str, str] = {}
    for db in databases:
        exc = result.failures.get(db.label)
        if exc is None:
            continue
        if isinstance(exc, SourceUnreachableError) and not registry[db.scope].active:
            skipped[db.scope] = f"retired and unreachable: its rows stay as loaded ({exc})"
        else:
            message = str(exc)
            failures[db.scope] = message if message.startswith(db.label) else f"{db.label}: {type(exc).__name__}: {message}"
    for code, reason in skipped.items():
        context.log.info(f"platform {code} skipped: {reason}")
    for message in failures.values():
        context.log.error(message)

    summary = _summary(loaded, failures, skipped)
    if not partitioned or failures:
        # Record each platform that loaded as its own partition's materialization.
        for code, outcomes in loaded.items():
            for key in TABLE_KEYS:
                context.log_event(AssetMaterialization(
                    asset_key=key, partition=code, metadata=outcomes[key.path[-1]].metadata()))
    if partitioned and failures:
        raise Failure(
            description=f"{len(failures)} platform(s) failed; the others loaded: " + "; ".join(failures.values()),
            metadata={"failed_platforms": ", ".join(failures), "loaded_platforms": ", ".join(loaded)},
        )
    for key in TABLE_KEYS:
        yield MaterializeResult(asset_key=key, metadata={
            **_totals(loaded, key.path[-1]), "platforms_loaded": len(loaded), "full_reload": full_reload,
            **({"platforms": MetadataValue.md(summary)} if key == TABLE_KEYS[0] else {}),
        })
    yield AssetCheckResult(
        asset_key=TABLE_KEYS[0], check_name=REACHABLE_CHECK, passed=not failures,
        description=("every platform loaded" if not failures
                     else f"{len(failures)} platform(s) failed, their last good data kept: "
                     + "; ".join(failures.values())),
        metadata={"failed_platforms": ", ".join(failures), "skipped_platforms": ", ".join(skipped)},
    )


def _totals(loaded: dict[str, dict[str, TableOutcome]], table: str) -> dict[str, Any]:
    outcomes = [o[table] for o in loaded.values()]
    watermarks = [o.watermark for o in outcomes if o.watermark]
    return {
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "rows_vanished": sum(o.rows_vanished for o in outcomes),
        "watermark": max(watermarks, key=lambda w: (len(w), w)) if watermarks else "",
    }


def _summary(loaded, failures, skipped) -> str:
    lines = ["| platform | outcome | user_enrolments loaded |", "|---|---|---|"]
    for code, outcomes in loaded.items():
        lines.append(f"| {code} | loaded | {outcomes['user_enrolments'].rows_loaded} |")
    for code, message in failures.items():
        lines.append(f"| {code} | FAILED: {message} | |")
    for code, reason in skipped.items():
        lines.append(f"| {code} | skipped: {reason} | |")
    return "\n".join(lines)


platforms_refresh_job = define_asset_job(
    name="platforms_refresh",
    selection=AssetSelection.assets(*TABLE_KEYS),
    partitions_def=platform_partitions,
    executor_def=in_process_executor,
    tags=WRITER_TAGS,  # a writer job: one writer run at a time (orchestration/concurrency.py)
    description="Extract the external platforms of the chosen partition(s) (one per registry code).",
)


@sensor(job=platforms_refresh_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Re-reads the platform registry; adds new platforms as partitions and loads them")
def platforms_registry_sensor(context: SensorEvaluationContext):
    sources = load_sources()
    if SYSTEM not in sources.raw:
        return SkipReason(f"{sources.path} has no '{SYSTEM}' section")
    codes = [p.code for p in load_registry(sources)]
    existing = set(context.instance.get_dynamic_partitions(PARTITIONS))
    new = [c for c in codes if c not in existing]
    if not new:
        return SkipReason(f"no new platform in the registry ({len(codes)} known)")
    # New partitions are appended in this order, so they form one range: one run, one DuckDB writer.
    request = RunRequest(
        run_key=f"platforms-added:{','.join(new)}",
        tags={RANGE_START_TAG: new[0], RANGE_END_TAG: new[-1]},
    )
    return SensorResult(
        run_requests=[request],
        dynamic_partitions_requests=[platform_partitions.build_add_request(new)],
    )


assets = [platforms_registry, platform_tables]
jobs = [platforms_refresh_job]
sensors = [platforms_registry_sensor]
