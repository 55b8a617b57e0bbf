"""The one merge/history engine of every source, SQL or file.

`merge` writes one contract table's reads into its raw table, keeping history:
- rows with a null key, and all but one row of a duplicated key, are rejected (counted);
- new or changed rows (compared by value on every column read) replace their previous version;
  unchanged rows are not rewritten, so a rerun with no source change writes 0 rows;
- rows whose key is no longer in the source get `_vanished_at` (and their `erase_on_vanish` columns
  nulled: the keys of a physically erased person leave the warehouse); rows that come back lose it;
- `_extracted_at` of every row still in the source is set to the run's time (the last run that saw it);
- with a scope column (one platform, one survey file), only the rows of the scopes given are touched.

`Extraction` is one source's transaction: its merges, then one row in `raw_warehouse.source_extractions`
(rows held, written, vanished, and the data watermark of the contract that declares one), committed
together, or nothing at all. Statements run once per table whatever the number of scopes: DuckDB
statements cost ~1-2 ms each here.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import duckdb
import pyarrow as pa
from dagster import Config

from orchestration.extract.contract import TableContract

EXTRACTIONS_SCHEMA = "raw_warehouse"
EXTRACTIONS_TABLE = "source_extractions"
EXTRACTIONS_DDL = (
    "source_system varchar, run_id varchar, extracted_at timestamp, data_watermark varchar, rows_held bigint, "
    "rows_written bigint, rows_vanished bigint"
)

# A full reload (every table re-read and rewritten, watermarks and file hashes ignored): run tag
# `warehouse/full_reload=true`, environment variable WAREHOUSE_FULL_RELOAD=1 (`make refresh`), or the
# asset's run config `{"full_reload": true}`.
FULL_RELOAD_TAG = "warehouse/full_reload"
FULL_RELOAD_ENV = "WAREHOUSE_FULL_RELOAD"


class ExtractConfig(Config):
    """Run config of every extract asset. full_reload: re-read every row or file and rewrite it."""

    full_reload: bool = False


def full_reload_requested(tags: Mapping[str, str] | None = None, configured: bool = False) -> bool:
    truthy = {"1", "true", "yes"}
    return (
        configured
        or str((tags or {}).get(FULL_RELOAD_TAG, "")).lower() in truthy
        or os.environ.get(FULL_RELOAD_ENV, "").lower() in truthy
    )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def run(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    """Execute on DuckDB and fetch every row (DuckDB refuses new work while a result is unfinished)."""
    return con.execute(query, params or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> Any:
    rows = run(con, query, params)
    return rows[0][0] if rows else None


def q(name: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class TableOutcome:
    table: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_vanished: int
    watermark: str
    incremental: bool

    def metadata(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_vanished": self.rows_vanished,
            "watermark": self.watermark,
            "read": "incremental" if self.incremental else "full",
        }


def raw_columns(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, set[str]]:
    """The raw tables of `schema` and their columns (one catalogue query per extraction)."""
    tables: dict[str, set[str]] = {}
    for table, column in run(
        con, "select table_name, column_name from duckdb_columns() where schema_name = ? and not internal "
        "and database_name = current_database()", [schema],
    ):
        tables.setdefault(table, set()).add(column)
    return tables


def cursor_marks(
    con: duckdb.DuckDBPyConnection, schema: str, contract: TableContract, existing: dict[str, set[str]],
    scope_column: str | None,
) -> dict[str | None, Any]:
    """Largest cursor value already loaded, per scope (kept in the raw table itself: survives across runs)."""
    if not contract.cursor or not set(contract.cursor) <= existing.get(contract.name, set()):
        return {}
    if scope_column and scope_column not in existing[contract.name]:
        return {}
    group = q(scope_column) if scope_column else "null"
    maxes = ", ".join(f"max({q(c)})" for c in contract.cursor)
    out = {}
    for row in run(con, f"select {group}, {maxes} from {q(schema)}.{q(contract.name)} group by all"):
        values = [v for v in row[1:] if v is not None]
        if values:
            out[row[0]] = max(values)
    return out


def with_scope(table: pa.Table, scope_column: str | None, scope: str | None) -> pa.Table:
    if not scope_column:
        return table
    return table.add_column(0, scope_column, pa.array([scope] * table.num_rows, type=pa.string()))


@dataclass
class Staged:
    """Everything read of one contract table (over all scopes), before it is written.

    batches: the rows read (prepared); keys: the keys still in the source (a key scan, or the batches'
    own keys when the table was read whole); schema/key_schema: for reads that returned nothing."""

    contract: TableContract
    batches: list[pa.Table] = field(default_factory=list)
    keys: list[pa.Table] = field(default_factory=list)
    schema: pa.Schema | None = None
    key_schema: pa.Schema | None = None
    rows_read: dict[str | None, int] = field(default_factory=dict)
    incremental: dict[str | None, bool] = field(default_factory=dict)
    rejected: dict[str | None, int] = field(default_factory=dict)  # set aside before (malformed file rows)


def snapshot(contract: TableContract, table: pa.Table, scope_column: str | None = None, scope: str | None = None,
             rows_read: int | None = None) -> Staged:
    """A complete snapshot of a table (a file, a registry), of one scope when given, ready to merge."""
    table = with_scope(table, scope_column, scope)
    names = ([scope_column] if scope_column else []) + list(contract.key)
    keys = table.select(names)
    return Staged(contract, [table], [keys], table.schema, keys.schema,
                  {scope: table.num_rows if rows_read is None else rows_read}, {scope: False})


def _create_temp(con: duckdb.DuckDBPyConnection, name: str, tables: list[pa.Table], schema: pa.Schema,
                 types: dict[str, str]) -> None:
    """A temp table of the reads, typed as the raw table already is (so comparing with it is by value)."""
    tables = [t for t in tables if t.num_rows] or [schema.empty_table()]
    data = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    casts = ", ".join(f"cast({q(c)} as {types[c]}) as {q(c)}" if c in types else q(c) for c in data.column_names)
    con.register("_arrow", data)
    try:
        run(con, f"create or replace temp table {q(name)} as select {casts} from _arrow")
    finally:
        con.unregister("_arrow")


def column_types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    return dict(run(con, "select column_name, data_type from duckdb_columns() where schema_name = ? "
                         "and table_name = ? and database_name = current_database()", [schema, table]))


def merge(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    staged: Staged,
    scopes: Sequence[str | None],
    scope_column: str | None,
    now: dt.datetime,
    full_reload: bool,
    existing: dict[str, set[str]],
    vanished_at: dt.datetime | None = None,
) -> dict[str | None, TableOutcome]:
    """Merge one table's reads into `schema`.`table`, keeping history. Runs inside the caller's transaction.

    vanished_at: the time given to rows that vanish (default `now`; a SoliComm drop's date)."""
    contract = staged.contract
    name, target = contract.name, f"{q(schema)}.{q(contract.name)}"
    s_in, k_in, c_in = f"_in_{name}", f"_keys_{name}", f"_changed_{name}"
    known = name in existing
    types = column_types(con, schema, name) if known else {}
    _create_temp(con, s_in, staged.batches, staged.schema, types)
    _create_temp(con, k_in, staged.keys, staged.key_schema, types)
    staged.batches, staged.keys = [], []
    described = run(con, f"select column_name, column_type from (describe {q(s_in)})")
    cols = [c for c, _ in described]
    scope_key = ([scope_column] if scope_column else []) + list(contract.key)
    key_cols = ", ".join(q(k) for k in scope_key)
    group = q(scope_column) if scope_column else "null"

    not_null = " and ".join(f"{q(k)} is not null" for k in contract.key)
    rejected: dict[str | None, int] = {}
    if scalar(con, f"select count(*) - count(distinct ({key_cols})) filter (where {not_null}) from {q(s_in)}"):
        rejected = dict(run(con, f"select {group}, count(*) - count(distinct ({key_cols})) filter (where {not_null}) "
                                 f"from {q(s_in)} group by all"))
        run(con, f"create or replace temp table {q(s_in)} as select * from {q(s_in)} where {not_null} "
                 f"qualify row_number() over (partition by {key_cols}) = 1")

    ts = f"'{now.isoformat(sep=' ')}'::timestamp"
    gone = f"'{(vanished_at or now).isoformat(sep=' ')}'::timestamp"
    if not known:
        run(con, f"create table {target} as select *, {ts} as _extracted_at, null::timestamp as _vanished_at "
                 f"from {q(s_in)} limit 0")
        existing[name] = set(cols) | {"_extracted_at", "_vanished_at"}
    for column, dtype in described:  # a column new to the raw table (the contract grew…)
        if column not in existing[name]:
            run(con, f"alter table {target} add column {q(column)} {dtype}")
            existing[name].add(column)
    col_list = ", ".join(q(c) for c in cols)
    on_key = " and ".join(f"t.{q(k)} is not distinct from s.{q(k)}" for k in scope_key)
    in_scope = f"{q(scope_column)} in ({', '.join(literal(s) for s in scopes)})" if scope_column else "true"
    t_in_scope = f"t.{in_scope}" if scope_column else "true"

    if full_reload:
        run(con, f"create or replace temp table {q(c_in)} as select * from {q(s_in)}")
    else:
        run(con, f"create or replace temp table {q(c_in)} as select {col_list} from {q(s_in)} "
                 f"except select {col_list} from {target} where {in_scope}")
    loaded = dict(run(con, f"select {group}, count(*) from {q(c_in)} group by all"))
    if loaded:
        run(con, f"delete from {target} t where {t_in_scope} and exists (select 1 from {q(c_in)} s where {on_key})")
        run(con, f"insert into {target} by name select {col_list}, {ts} as _extracted_at, "
                 f"null::timestamp as _vanished_at from {q(c_in)}")

    erase = "".join(f", {q(c)} = null" for c in contract.erase_on_vanish if c in cols)
    vanish_where = (f"{t_in_scope} and t._vanished_at is null "
                    f"and not exists (select 1 from {q(k_in)} s where {on_key})")
    t_group = f"t.{q(scope_column)}" if scope_column else "null"
    vanished = dict(run(con, f"select {t_group}, count(*) from {target} t where {vanish_where} group by all"))
    if vanished:
        run(con, f"update {target} t set _vanished_at = {gone}{erase} where {vanish_where}")
    # Every row still in the source was seen by this run; a row that had vanished and is back loses its flag.
    run(con, f"update {target} t set _extracted_at = {ts}, _vanished_at = null where {t_in_scope} "
             f"and exists (select 1 from {q(k_in)} s where {on_key})")
    marks = cursor_marks(con, schema, contract, existing, scope_column)
    for temp in (s_in, k_in, c_in):
        run(con, f"drop table if exists {q(temp)}")
    return {
        scope: TableOutcome(
            name, staged.rows_read.get(scope, 0), int(loaded.get(scope, 0)),
            int(rejected.get(scope, 0)) + staged.rejected.get(scope, 0), int(vanished.get(scope, 0)),
            f"{contract.parent[0]}'s" if contract.parent else "" if marks.get(scope) is None else str(marks[scope]),
            staged.incremental.get(scope, False),
        )
        for scope in scopes
    }


def ensure_tables(con: duckdb.DuckDBPyConnection, schema: str, contracts: Sequence[TableContract],
                  scope_column: str | None = None) -> list[str]:
    """Create the raw tables of `contracts` that do not exist yet, empty and typed from the contract (a
    system or table a deployment lacks), so later layers find every table; returns the tables created."""
    run(con, f"create schema if not exists {q(schema)}")
    existing = raw_columns(con, schema)
    created = []
    for contract in contracts:
        if contract.name in existing:
            continue
        empty = with_scope(contract.empty(), scope_column, None)
        con.register("_arrow", empty)
        try:
            run(con, f"create table {q(schema)}.{q(contract.name)} as select *, null::timestamp as _extracted_at, "
                     f"null::timestamp as _vanished_at from _arrow")
        finally:
            con.unregister("_arrow")
        created.append(contract.name)
    return created


def ensure_extractions_table(con: duckdb.DuckDBPyConnection) -> None:
    run(con, f"create schema if not exists {EXTRACTIONS_SCHEMA}")
    run(con, f"create table if not exists {EXTRACTIONS_SCHEMA}.{EXTRACTIONS_TABLE} ({EXTRACTIONS_DDL})")


def record_extraction(
    con: duckdb.DuckDBPyConnection, system: str, schema: str, contracts: Sequence[TableContract],
    run_id: str | None, extracted_at: dt.datetime | None, rows_written: int, rows_vanished: int,
) -> None:
    """Append the extraction's row to raw_warehouse.source_extractions (in the caller's transaction).

    rows_held and data_watermark come from the contract declaring a `watermark`; extracted_at None: the
    source is not configured in this deployment (never read)."""
    ensure_extractions_table(con)
    marked = next((c for c in contracts if c.watermark), None)
    watermark, held = None, 0
    if marked is not None and marked.name in raw_columns(con, schema):
        watermark, held = run(con, f"select ({marked.watermark})::varchar, count(*) "
                                   f"from {q(schema)}.{q(marked.name)}")[0]
    run(con, f"insert into {EXTRACTIONS_SCHEMA}.{EXTRACTIONS_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [system, run_id, extracted_at, watermark, held, rows_written, rows_vanished])


class Extraction:
    """One source's load: a DuckDB transaction of its merges and its source_extractions row (unless
    `record` is False: a side table such as the platform registry, which is no extraction of the data).

        with Extraction(con, "finance", "raw_finance", CONTRACTS, run_id) as load:
            load.merge(snapshot(contract, table))
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, system: str, schema: str,
                 contracts: Sequence[TableContract], run_id: str | None = None, now: dt.datetime | None = None,
                 full_reload: bool = False, record: bool = True) -> None:
        self.record = record
        self.con, self.system, self.schema, self.contracts = con, system, schema, list(contracts)
        self.run_id, self.now, self.full_reload = run_id, now or utc_now(), full_reload
        self.rows_written = self.rows_vanished = 0
        self.existing: dict[str, set[str]] = {}

    def __enter__(self) -> "Extraction":
        run(self.con, f"create schema if not exists {q(self.schema)}")
        ensure_extractions_table(self.con)
        self.existing = raw_columns(self.con, self.schema)
        self.con.begin()
        return self

    def merge(self, staged: Staged, scopes: Sequence[str | None] = (None,), scope_column: str | None = None,
              vanished_at: dt.datetime | None = None) -> dict[str | None, TableOutcome]:
        outcomes = merge(self.con, self.schema, staged, scopes, scope_column, self.now, self.full_reload,
                         self.existing, vanished_at)
        self.rows_written += sum(o.rows_loaded for o in outcomes.values())
        self.rows_vanished += sum(o.rows_vanished for o in outcomes.values())
        return outcomes

    def merge_one(self, staged: Staged, vanished_at: dt.datetime | None = None) -> TableOutcome:
        return self.merge(staged, vanished_at=vanished_at)[None]

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self.con.rollback()
            return
        try:
            if self.record:
                record_extraction(self.con, self.system, self.schema, self.contracts, self.run_id, self.now,
                                  self.rows_written, self.rows_vanished)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
