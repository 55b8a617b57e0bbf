"""The floor of each refresh stage: the same work done the plainest way, with no warehouse code.

- extraction: every row of every source read once with the standard reader of its format (sqlite3 or a
  SQLAlchemy cursor for SQL sources, csv for CSV drops and files, openpyxl for workbooks), into nothing;
- transform: the compiled SQL of every dbt model of the last build, run once, in dependency order, in one
  DuckDB connection on a copy of the build file (raw tables and seeds as the build left them; a Python
  model's table is copied as built, since it has no SQL to run);
- checks: the compiled SQL of every dbt test and the projected query of every Great Expectations suite,
  run once in one connection.

A stage far above its floor spends its time in the machinery (start-up, parsing, data moved through
Python), not in the work itself.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import yaml

CSV_ENCODINGS = ("utf-8-sig", "cp1252")


def _read_sqlite(path: Path) -> int:
    rows = 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        tables = [name for (name,) in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            cursor = con.execute(f'select * from "{table}"')
            while batch := cursor.fetchmany(10_000):
                rows += len(batch)
    return rows


def _read_sql_url(url: str, folder: Path) -> int:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        return _read_sqlite(path if path.is_absolute() else folder / path)
    import sqlalchemy  # another engine: the plainest portable reader

    rows = 0
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as con:
        for table in sqlalchemy.inspect(con).get_table_names():
            result = con.exec_driver_sql(f"select * from {table}")
            while batch := result.fetchmany(10_000):
                rows += len(batch)
    engine.dispose()
    return rows


def _read_csv(path: Path) -> int:
    for encoding in CSV_ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as handle:
                return sum(1 for _ in csv.reader(handle))
        except UnicodeDecodeError:
            continue
    return 0


def _read_workbook(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
    book.close()
    return rows


def _read_file_or_folder(path: Path) -> int:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    rows = 0
    for file in files:
        suffix = file.suffix.lower()
        if suffix == ".csv":
            rows += _read_csv(file)
        elif suffix in (".xlsx", ".xlsm"):
            rows += _read_workbook(file)
        elif suffix in (".sqlite", ".db"):
            rows += _read_sqlite(file)
        else:
            file.read_bytes()
    return rows


def _expand(value: str) -> str:
    return os.path.expandvars(value)


def extraction_floor(sources_file: Path) -> dict[str, dict[str, float]]:
    """Seconds and rows to read every source of the sources file once, by source system."""
    folder = sources_file.parent
    sections: dict[str, Any] = yaml.safe_load(sources_file.read_text(encoding="utf-8")) or {}
    floors = {}
    for system, section in sections.items():
        if not isinstance(section, dict):
            continue
        started, rows = time.perf_counter(), 0
        for key, value in section.items():
            if not isinstance(value, str):
                continue
            if key == "url":
                rows += _read_sql_url(_expand(value), folder)
            elif key == "registry":
                registry = yaml.safe_load((folder / value).read_text(encoding="utf-8")) or {}
                for platform in registry.get("platforms", []):
                    url = os.environ.get(platform.get("url_env", ""), "")
                    if url:
                        rows += _read_sql_url(url, folder)
                    else:  # the demo's platforms: one SQLite file per platform beside the registry
                        candidate = folder / "platforms" / f"{platform['code']}.sqlite"
                        rows += _read_sqlite(candidate) if candidate.exists() else 0
            elif (folder / value).exists():
                rows += _read_file_or_folder(folder / value)
        floors[system] = {"seconds": time.perf_counter() - started, "rows": rows}
    return floors


def latest_run_manifest(warehouse: Path) -> Path:
    """The manifest of the warehouse's last dbt build (its dbt target folder, WAREHOUSE_DIR/dbt_target)."""
    path = warehouse / "dbt_target" / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no dbt manifest at {path}: run a refresh first")
    return path


def _ordered(nodes: dict[str, dict]) -> list[dict]:
    done: set[str] = set()
    order: list[dict] = []

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        order.append(nodes[unique_id])

    for unique_id in sorted(nodes):
        visit(unique_id)
    return order


def _copy_build(build_db: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="floor-"))
    copy = folder / build_db.name  # same file name: compiled SQL names the catalog after it
    shutil.copyfile(build_db, copy)
    return copy


def attach_raw(con: duckdb.DuckDBPyConnection, raw_db: Path) -> None:
    """The raw layer under the alias dbt's compiled SQL names it by (dbt_project/profiles.yml)."""
    con.execute(f"attach '{raw_db}' as raw (read_only)")


def transform_floor(build_db: Path, manifest_path: Path, raw_db: Path) -> dict[str, float]:
    """Seconds to run every model's compiled SQL once, in order, in one DuckDB connection."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    copy = _copy_build(build_db)
    try:
        con = duckdb.connect(str(copy))
        attach_raw(con, raw_db)
        started = time.perf_counter()
        for node in _ordered(models):
            relation = node["relation_name"]
            materialized = node["config"]["materialized"]
            if node["language"] != "sql" or not node.get("compiled_code"):
                con.execute(f"create or replace table {relation} as select * from {relation}")
                continue
            kind = "view" if materialized == "view" else "table"
            con.execute(f"create schema if not exists {node['database']}.{node['schema']}")
            con.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")
        seconds = time.perf_counter() - started
        con.close()
        return {"seconds": seconds, "models": len(models)}
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def checks_floor(build_db: Path, manifest_path: Path, gx_queries: list[str], raw_db: Path) -> dict[str, float]:
    """Seconds to run every dbt test's compiled SQL and every GX suite's projected query once."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    tests = [v for v in manifest["nodes"].values() if v["resource_type"] == "test" and v.get("compiled_code")]
    con = duckdb.connect(str(build_db), read_only=True)
    attach_raw(con, raw_db)
    started = time.perf_counter()
    for test in tests:
        con.execute(f"select count(*) from ({test['compiled_code']}) as failures").fetchall()
    dbt_seconds = time.perf_counter() - started
    for query in gx_queries:
        con.execute(query).fetch_arrow_table()
    total = time.perf_counter() - started
    con.close()
    return {"seconds": total, "dbt_tests_seconds": dbt_seconds, "dbt_tests": len(tests), "gx_queries": len(gx_queries)}
