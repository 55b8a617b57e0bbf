"""The build database: connections and history-keeping writes of raw tables.

One file (WAREHOUSE_DIR/build.duckdb) holds raw tables, dbt's staging/intermediate/marts and check
inputs. It is private to the refresh: analysts read the published marts.duckdb, never this file.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import duckdb
import pandas as pd

from orchestration.settings import build_db_path


@contextmanager
def build_connection(read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = build_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
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
