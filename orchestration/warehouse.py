"""The build database: connections (the history-keeping writes are `orchestration.extract.merge`'s).

One file (WAREHOUSE_DIR/build.duckdb) holds raw tables, dbt's staging/intermediate/marts and check
inputs. It is private to the refresh: analysts read the published marts.duckdb, never this file.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from orchestration.settings import build_db_path

# DuckDB allows one writer process per file. Runs launched side by side (e.g. one run per new platform
# partition from the registry sensor) wait for the file instead of failing; the wait is bounded.
LOCK_TIMEOUT_ENV = "WAREHOUSE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_SECONDS = 600
# DuckDB takes 80% of RAM by default. The SQL extracts hold it to EXTRACT_MEMORY_LIMIT (DuckDB spills to
# disk beyond), keeping the process under the 4 GB budget at scale 10; the environment variable overrides it.
MEMORY_LIMIT_ENV = "WAREHOUSE_DUCKDB_MEMORY_LIMIT"
EXTRACT_MEMORY_LIMIT = "2GB"

@contextmanager
def build_connection(read_only: bool = False, memory_limit: str | None = None,
                     path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the build database (`path`, default the settings' one); waits (bounded) while
    another process holds its lock.

    memory_limit: DuckDB's (e.g. "2GB"); WAREHOUSE_DUCKDB_MEMORY_LIMIT wins when set; else DuckDB's default."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or memory_limit
    config = {"memory_limit": limit} if limit else {}
    path = Path(path) if path is not None else build_db_path()
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
