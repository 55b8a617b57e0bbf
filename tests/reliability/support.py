"""What the adversarial suite asserts after a fault, in one place: the published files byte for byte, the
raw history row for row, the figures by content hash, and where a value still lives in the warehouse."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
from dagster import DagsterInstance, materialize

from orchestration.extract.merge import EXTRACTIONS_SCHEMA, EXTRACTIONS_TABLE
from orchestration.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT
from tests.fixtures.files.support import error_text

_spec = importlib.util.spec_from_file_location("figures_hash", PROJECT_ROOT / "scripts" / "figures_hash.py")
figures_hash = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures_hash)

EXTRACTIONS = f"{EXTRACTIONS_SCHEMA}.{EXTRACTIONS_TABLE}"
REFUSED_DROPS = "raw_solicomm.drops_refused"
APPEND_ONLY = (EXTRACTIONS, REFUSED_DROPS)  # logs a run appends to even when it loads nothing


def published_files(warehouse: Path) -> dict[str, bytes]:
    """marts.duckdb and every parquet file, byte for byte."""
    files = [warehouse / "marts.duckdb", *sorted((warehouse / "parquet").resolve().glob("*.parquet"))]
    return {path.name: path.read_bytes() for path in files}


def figures(folder: Path) -> dict[str, str]:
    """Content hashes of annex1_indicators and annex1_reconciliation (run ids, build times left out)."""
    with duckdb.connect(str(folder / "marts.duckdb"), read_only=True) as con:
        return {table: figures_hash.table_hash(con, table, only_baseline_rows=False)[0] for table in figures_hash.KEYS}


def raw_contents(path: Path) -> dict[str, list]:
    """Every raw table's rows in rowid order, `_extracted_at` (the last run that saw a row) left out."""
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables() "
                                         "where schema_name like 'raw_%' order by all").fetchall():
            columns = {c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = ? "
                                                 "and table_name = ?", [schema, table]).fetchall()}
            exclude = " exclude (_extracted_at)" if "_extracted_at" in columns else ""
            out[f"{schema}.{table}"] = con.execute(f'select *{exclude} from "{schema}"."{table}" order by rowid').fetchall()
    return out


def assert_history_kept(before: dict[str, list], after: dict[str, list]) -> None:
    """Every raw row held before is held after, unchanged; the extraction log only grew (a run appends its
    rows there even when it loaded nothing, and a refused SoliComm drop its refusal). `files_loaded` records which file a source's last read found
    (path, hash, time: a test's sources are a fresh copy of the session's), not history: left out."""
    for log in APPEND_ONLY:
        assert after.get(log, [])[:len(before.get(log, []))] == before.get(log, []), f"{log} was rewritten"
    same = [t for t in before if t not in APPEND_ONLY and not t.endswith(".files_loaded")]
    changed = [t for t in same if after.get(t) != before[t]]
    assert not changed, f"raw tables changed: {changed}"


def run_extract(*assets, tags: dict | None = None):
    """One source's extract assets as a Dagster run of their own against the test's warehouse (the writer
    lock and the key guard included), instead of a whole refresh."""
    return materialize(list(assets), instance=DagsterInstance.ephemeral(), tags=tags or {},
                       resources={"warehouse": WarehouseResource()}, raise_on_error=False)


def failure_text(result) -> str:
    """Every step failure's message down to its cause, and every failed check's description."""
    checks = [e.description or "" for e in result.get_asset_check_evaluations() if not e.passed]
    return "\n".join([error_text(result), *checks])


def tables_holding(path: Path, values: set[str]) -> dict[str, set[str]]:
    """`file:schema.table.column` -> which of `values` it holds, over every text and text-list column of
    every table of a DuckDB file (its views read tables that are scanned themselves), or of a Parquet file."""
    found: dict[str, set[str]] = {}
    parquet = path.suffix == ".parquet"
    with duckdb.connect(":memory:" if parquet else str(path), read_only=not parquet) as con:
        if parquet:
            con.execute(f"create table main.\"{path.stem}\" as select * from read_parquet(?)", [str(path)])
        columns = con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() c "
            "join duckdb_tables() t using (database_name, schema_name, table_name) "
            "where not t.internal and data_type in ('VARCHAR', 'VARCHAR[]') order by all").fetchall()
        for schema, table, column, dtype in columns:
            value = f'unnest("{column}")' if dtype.endswith("[]") else f'"{column}"'
            held = {v for (v,) in con.execute(
                f'select distinct v from (select {value} as v from "{schema}"."{table}") where list_contains(?::varchar[], v)',
                [sorted(values)]).fetchall()}
            if held:
                found[f"{path.name}:{schema}.{table}.{column}"] = held
    return found


def places_holding(folder: Path, values: set[str]) -> dict[str, set[str]]:
    """Where in the warehouse folder (backups aside) `values` still are: any table of a DuckDB or Parquet
    file, or the bytes of any other file (reports, dbt artifacts, state files)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "backups" not in p.relative_to(folder).parts):
        if path.suffix in (".duckdb", ".parquet"):
            found |= tables_holding(path, values)
        elif path.suffix not in (".wal", ".lock"):
            data = path.read_bytes()
            if held := {v for v in values if v.encode() in data}:
                found[str(path.relative_to(folder))] = held
    return found
