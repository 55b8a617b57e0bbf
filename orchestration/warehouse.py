"""The warehouse's two DuckDB files and their connections (the history-keeping writes are
`orchestration.extract.merge`'s).

- WAREHOUSE_DIR/raw.duckdb, the raw layer: every `raw_<system>` schema (history: vanished rows, erased
  keys, loaded file hashes, SoliComm rejects) and `raw_warehouse.source_extractions`. Only extraction writes
  it, one transaction per source; it is the one thing that cannot be rebuilt from the sources (rows that
  vanished from a source live only here), so it is backed up every night (orchestration/backups.py).
- WAREHOUSE_DIR/build.duckdb, dbt's build: staging/intermediate/marts, check inputs, stored test failures.
  Disposable: dbt attaches raw.duckdb read-only (dbt_project/profiles.yml, alias `raw`) and the next refresh
  rebuilds it whole from the raw file when it is lost. Private to the refresh: analysts read marts.duckdb.

A warehouse built before the split holds its raw schemas in build.duckdb: `migrate_raw_out_of_build` moves
them into raw.duckdb once, under the writer lock, at the start of the first run after the upgrade.
"""
from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from orchestration.settings import BUILD_DB_NAME, RAW_DB_NAME, build_db_path, raw_db_path

log = logging.getLogger(__name__)

# DuckDB allows one writer process per file. Runs launched side by side (e.g. one run per new platform
# partition from the registry sensor) wait for the file instead of failing; the wait is bounded.
LOCK_TIMEOUT_ENV = "WAREHOUSE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 600
# DuckDB takes 80% of RAM by default. The SQL extracts hold it to EXTRACT_MEMORY_LIMIT (DuckDB spills to
# disk beyond), keeping the process under the 4 GB budget at scale 10; the environment variable overrides it.
MEMORY_LIMIT_ENV = "WAREHOUSE_DUCKDB_MEMORY_LIMIT"
EXTRACT_MEMORY_LIMIT = "2GB"
RAW_SCHEMA_PATTERN = "raw_%"  # every schema extraction writes (raw_<system>, raw_warehouse)


@contextmanager
def duckdb_connection(path: Path, read_only: bool = False,
                      memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the DuckDB file `path`; waits (bounded) while another process holds its lock.

    memory_limit: DuckDB's (e.g. "2GB"); WAREHOUSE_DUCKDB_MEMORY_LIMIT wins when set; else DuckDB's default."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or memory_limit
    config = {"memory_limit": limit} if limit else {}
    path = Path(path)
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


def raw_connection(read_only: bool = False, memory_limit: str | None = None,
                   path: Path | None = None):
    """A connection to the raw layer (`path`, default the settings' raw.duckdb): extraction writes through
    it; every other reader of raw tables opens it read-only."""
    return duckdb_connection(Path(path) if path is not None else raw_db_path(), read_only, memory_limit)


def build_connection(read_only: bool = False, memory_limit: str | None = None,
                     path: Path | None = None):
    """A connection to dbt's build (`path`, default the settings' build.duckdb)."""
    return duckdb_connection(Path(path) if path is not None else build_db_path(), read_only, memory_limit)


RAW_ALIAS = "raw"  # the raw file's name in dbt's compiled SQL (dbt_project/profiles.yml `attach`)


def attach_raw(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> None:
    """Attach raw.duckdb read-only under dbt's alias, for a reader of build.duckdb's staging views (or the
    stored failures built on them), which name the raw tables `raw.raw_<system>.<table>`."""
    path = Path(path) if path is not None else raw_db_path()
    con.execute(f"attach if not exists '{str(path).replace(chr(39), chr(39) * 2)}' as {RAW_ALIAS} (read_only)")


def raw_schemas(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[str]:
    """The raw schemas of `database` (default the connection's own) that hold a table."""
    where = "database_name = current_database()" if database is None else "database_name = ?"
    return [s for (s,) in con.execute(
        f"select distinct schema_name from duckdb_tables() where {where} and schema_name like ? and not internal "
        "order by 1", ([] if database is None else [database]) + [RAW_SCHEMA_PATTERN]).fetchall()]


def migrate_raw_out_of_build(folder: Path) -> list[str]:
    """Move the raw schemas of an old build.duckdb (built before the raw layer had its own file) into
    raw.duckdb; returns the schemas moved (none when there is nothing to migrate). Call under the writer lock.

    The copy is written to a temporary file renamed to raw.duckdb once complete, then the schemas are dropped
    from build.duckdb; a crash between the two leaves raw.duckdb complete, and the next run only drops them.
    The build's marts (and the published figures) are left as they are: the next rebuild reads the raw file."""
    folder = Path(folder)
    build, raw = folder / BUILD_DB_NAME, folder / RAW_DB_NAME
    if not build.exists():
        return []
    with duckdb_connection(build, read_only=True) as con:
        schemas = raw_schemas(con)
    if not schemas:
        return []
    if not raw.exists():
        temporary = raw.with_name(f".{raw.name}.migrating.tmp")
        for stale in (temporary, temporary.with_name(temporary.name + ".wal")):  # a crashed migration's
            stale.unlink(missing_ok=True)
        with duckdb_connection(temporary) as con:
            con.execute(f"attach '{build}' as old_build (read_only)")
            tables = con.execute("select schema_name, table_name from duckdb_tables() where database_name = 'old_build' "
                                 "and schema_name like ? and not internal order by all", [RAW_SCHEMA_PATTERN]).fetchall()
            for schema in schemas:
                con.execute(f'create schema "{schema}"')
            for schema, table in tables:  # in rowid order: source_extractions' latest row is its last
                con.execute(f'create table "{schema}"."{table}" as select * from old_build."{schema}"."{table}" '
                            f'order by rowid')
            con.execute("detach old_build")
            con.execute("checkpoint")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, raw)
        log.warning("moved the raw history %s from %s into %s", ", ".join(schemas), build, raw)
    with duckdb_connection(build) as con:
        for schema in schemas:
            con.execute(f'drop schema if exists "{schema}" cascade')
    return schemas
