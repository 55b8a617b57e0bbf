"""Blue/green publication of the public marts into WAREHOUSE_DIR/marts.duckdb.

The refresh builds into build.duckdb. Only once every blocking check upstream has passed does this asset
copy the public tables (dbt's `marts` schema) into a new file, then atomically rename it over
marts.duckdb. Readers never see a half-written file: those holding the old file open keep reading it
(the rename does not touch their open inode), new readers open the new one. A run never writes into
marts.duckdb in place, so an open reader can never make a run fail.
"""
import os
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.dbt import PUBLIC_SCHEMA, public_model_keys
from orchestration.settings import build_db_path, marts_db_path


def publish_public_tables(build_db: Path, marts_db: Path, staging_name: str) -> dict[str, int]:
    """Copy every table of the build's public schema into a fresh file and swap it in. Returns row counts."""
    staging = marts_db.with_name(f".{marts_db.name}.{staging_name}.tmp")
    staging.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    try:
        con = duckdb.connect(str(staging))
        try:
            con.execute(f"attach '{build_db}' as build (read_only)")
            tables = [
                name
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'build' "
                    "and schema_name = ? order by table_name",
                    [PUBLIC_SCHEMA],
                ).fetchall()
            ]
            for name in tables:
                con.execute(f'create table main."{name}" as select * from build."{PUBLIC_SCHEMA}"."{name}"')
                rows[name] = con.execute(f'select count(*) from main."{name}"').fetchone()[0]
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, marts_db)
    finally:
        staging.unlink(missing_ok=True)
    return rows


@asset(
    deps=public_model_keys(),
    group_name="publish",
    compute_kind="duckdb",
    description="marts.duckdb: the public tables, swapped in atomically once every blocking check passed.",
)
def published_marts(context: AssetExecutionContext) -> MaterializeResult:
    rows = publish_public_tables(build_db_path(), marts_db_path(), context.run_id)
    context.log.info(f"published {len(rows)} tables to {marts_db_path()}")
    return MaterializeResult(metadata={"path": str(marts_db_path()), "tables": len(rows), **{f"rows.{t}": n for t, n in rows.items()}})


assets = [published_marts]
