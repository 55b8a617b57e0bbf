"""The build database: connections and history-keeping writes of raw tables.

One file (WAREHOUSE_DIR/build.duckdb) holds raw tables, dbt's staging/intermediate/marts and check
inputs. It is private to the refresh: analysts read the published marts.duckdb, never this file.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping

import duckdb
import pandas as pd

from orchestration.settings import build_db_path

# DuckDB allows one writer process per file. Runs launched side by side (e.g. one run per new platform
# partition from the registry sensor) wait for the file instead of failing; the wait is bounded.
LOCK_TIMEOUT_ENV = "WAREHOUSE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 600
# DuckDB takes 80% of RAM by default. The SQL extracts hold it to EXTRACT_MEMORY_LIMIT (DuckDB spills to
# disk beyond), keeping the process under the 4 GB budget at scale 10; the environment variable overrides it.
MEMORY_LIMIT_ENV = "WAREHOUSE_DUCKDB_MEMORY_LIMIT"
EXTRACT_MEMORY_LIMIT = "2GB"

# A full reload of the extracts (every table re-read and rewritten, watermarks ignored) is requested by
# the run tag `warehouse/full_reload=true` or by the environment variable WAREHOUSE_FULL_RELOAD=1 (for
# `make refresh`), or per asset by run config `{"full_reload": true}`.
FULL_RELOAD_TAG = "warehouse/full_reload"
FULL_RELOAD_ENV = "WAREHOUSE_FULL_RELOAD"


def full_reload_requested(tags: Mapping[str, str] | None = None, configured: bool = False) -> bool:
    truthy = {"1", "true", "yes"}
    return (
        configured
        or str((tags or {}).get(FULL_RELOAD_TAG, "")).lower() in truthy
        or os.environ.get(FULL_RELOAD_ENV, "").lower() in truthy
    )


@contextmanager
def build_connection(read_only: bool = False, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the build database; waits (bounded) while another process holds its lock.

    memory_limit: DuckDB's (e.g. "2GB"); WAREHOUSE_DUCKDB_MEMORY_LIMIT wins when set; else DuckDB's default."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or memory_limit
    config = {"memory_limit": limit} if limit else {}
    path = build_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT_SECONDS))
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class SnapshotWrite:
    rows_loaded: int
    rows_vanished: int


def write_snapshot_with_history(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, snapshot: pd.DataFrame, key: list[str]
) -> SnapshotWrite:
    """Upsert a full snapshot of a source table, keeping rows that vanished from the source.

    Stable API used by the file sources (SoliComm, PMSU, finance, evaluation, submissions): the signature
    and behaviour stay as they are. The SQL sources use `orchestration.sources.sql_tables.merge_into_raw`
    (incremental reads, change detection, scoped to one platform).

    Rows present in the snapshot replace their previous version (`_vanished_at` cleared); rows no longer
    in the source stay, flagged with `_vanished_at` (methodology: nothing once loaded is dropped).
    Runs inside the caller's transaction.
    """
    con.register("snapshot_df", snapshot)
    target = f'"{schema}"."{table}"'
    on_key = " and ".join(f't."{k}" = s."{k}"' for k in key)
    con.execute(f'create schema if not exists "{schema}"')
    con.execute(
        f"create table if not exists {target} as select *, now()::timestamp as _extracted_at, "
        "null::timestamp as _vanished_at from snapshot_df limit 0"
    )
    con.execute(f"delete from {target} t where exists (select 1 from snapshot_df s where {on_key})")
    con.execute(
        f"insert into {target} by name select *, now()::timestamp as _extracted_at, "
        "null::timestamp as _vanished_at from snapshot_df"
    )
    vanished = con.execute(
        f"update {target} t set _vanished_at = now()::timestamp where _vanished_at is null "
        f"and not exists (select 1 from snapshot_df s where {on_key})"
    ).fetchone()[0]
    con.unregister("snapshot_df")
    return SnapshotWrite(rows_loaded=len(snapshot), rows_vanished=int(vanished))
