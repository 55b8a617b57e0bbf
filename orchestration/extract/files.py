"""File sources (SoliComm drops, PMSU workbook, finance/HR, evaluation, submissions): reading and the asset factory.

- Reading delimited text: encoding by byte-order mark (UTF-8 with BOM, else UTF-8, else Windows-1252),
  records with their physical line numbers and raw text, so a malformed row can be set aside with its
  line and the rule it broke (`Reject`).
- Typed parsing of a table's records, vectorised with pandas: wrong field counts, unparseable dates and
  numbers, missing required values become rejects; the rest a typed frame.
- Content hashes: `raw_<system>.files_loaded` remembers the sha256 of every file loaded, so an unchanged
  file costs nothing. A full reload (`orchestration.extract.merge.full_reload_requested`) ignores it.
- `file_source`: the asset of a file source that declares only its contracts, the files it reads and a
  parser; writes go through the merge engine, one transaction per run.

A missing required file, sheet or column raises `FileSourceError`, naming the file and the column.
"""

import csv
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

import duckdb
import pandas as pd
import pyarrow as pa
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration.concurrency import BUILD_DB_POOL
from orchestration.resources import WarehouseResource
from orchestration.extract.contract import Column, SourceContractError, TableContract
from orchestration.extract.merge import (
    ExtractConfig, Extraction, Staged, ensure_tables, full_reload_requested, q, record_extraction, run, snapshot,
    with_scope,
)

log = logging.getLogger(__name__)

UTF8_BOM = b"\xef\xbb\xbf"


class FileSourceError(SourceContractError):
    """A file source lacks a required file, sheet or column, or holds a value that cannot be loaded."""


# --------------------------------------------------------------------------------------------- reading


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when a BOM says so; else UTF-8 if valid, else Windows-1252.

    Detection rather than the date rule of the SoliComm contract: a drop re-exported in the other encoding
    still reads correctly. Bytes Windows-1252 leaves undefined become U+FFFD rather than failing the file.
    """
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


class Record:
    """One record: the physical line where it starts (header is line 1), its fields and its raw text."""

    __slots__ = ("line", "fields", "_raw", "_lines", "_end")

    def __init__(self, line: int, fields: list[str], raw: str | None = None, lines: list[str] | None = None,
                 end: int | None = None) -> None:
        self.line, self.fields, self._raw, self._lines, self._end = line, fields, raw, lines, end

    @property
    def raw(self) -> str:
        if self._raw is None:  # built only for the few records that are set aside
            self._raw = "".join(self._lines[self.line - 1:self._end]).rstrip("\r\n")
        return self._raw


@dataclass
class DelimitedFile:
    path: Path
    header: list[str]  # lower-cased, stripped
    records: list[Record]
    encoding: str
    sha256: str


def read_delimited(path: Path, delimiter: str, data: bytes | None = None) -> DelimitedFile:
    """Every non-blank record of a delimited text file, with its line number and raw text."""
    if data is None:
        if not path.is_file():
            raise FileSourceError(f"required file {path} is missing")
        data = path.read_bytes()
    text, encoding = decode_text(data)
    lines = [piece + "\n" for piece in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=False)
    header_fields = next(reader, None)
    if header_fields is None:
        raise FileSourceError(f"{path}: the file is empty (no header row)")
    header = [h.strip().lower() for h in header_fields]
    records: list[Record] = []
    append = records.append
    start = reader.line_num + 1
    for fields in reader:
        end = reader.line_num
        if len(fields) > 1 or (fields and fields[0].strip()):
            append(Record(start, fields, None, lines, end))
        start = end + 1
    return DelimitedFile(path, header, records, encoding, hashlib.sha256(data).hexdigest())


def require_columns(where: str, header: Sequence[str], required: Iterable[str]) -> None:
    present = set(header)
    missing = [c for c in required if c not in present]
    if missing:
        raise FileSourceError(f"{where}: required column(s) {', '.join(missing)} missing")


# --------------------------------------------------------------------------------------------- parsing


@dataclass
class Reject:
    line: int
    rule: str
    raw: str


def _parse_dates(values: pd.Series, dmy_only: bool) -> pd.Series:
    parsed = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    if not dmy_only:
        iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        parsed = parsed.fillna(iso)
    return parsed


def parse_records(
    where: str,
    table: DelimitedFile,
    columns: Sequence[Column],
    mask: Callable[[Record], str] | None = None,
) -> tuple[pd.DataFrame, list[Reject]]:
    """Typed DataFrame of the well-formed records (plus `_line`) and the rejects, each with its rule.

    Raises FileSourceError naming the file and column when a contract column is missing from the header;
    extra columns are ignored.
    """
    require_columns(where, table.header, [c.name for c in columns])
    mask = mask or (lambda record: mask_emails(record.raw))
    width = len(table.header)
    rejects: list[Reject] = []
    good: list[Record] = []
    for record in table.records:
        if len(record.fields) != width:
            rejects.append(Reject(record.line, f"wrong number of fields: {len(record.fields)}, expected {width}",
                                  mask(record)))
        else:
            good.append(record)
    index = [table.header.index(c.name) for c in columns]
    transposed = list(zip(*[r.fields for r in good])) if good else [()] * width
    frame = pd.DataFrame({c.name: pd.Series(transposed[i], dtype="str").str.strip()
                          for c, i in zip(columns, index)})
    frame["_line"] = pd.Series([r.line for r in good], dtype="int64")
    bad_rule = pd.Series([None] * len(frame), dtype="object")
    out = pd.DataFrame({"_line": frame["_line"]})
    for column in columns:
        values = frame[column.name]
        empty = (values.eq("") | values.isna()).to_numpy(dtype=bool)
        empty = pd.Series(empty, index=frame.index)
        if column.kind == "text":
            converted = values.where(~empty, None)
            invalid = pd.Series(False, index=frame.index)
        elif column.kind in ("int", "float"):
            cleaned = values.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
            converted = pd.to_numeric(cleaned.where(~empty, None), errors="coerce")
            invalid = ~empty & converted.isna()
            if column.kind == "int":
                fractional = converted.notna() & (converted != converted.round())
                invalid |= fractional
                converted = converted.where(~invalid).astype("Int64")
            else:
                converted = converted.astype("Float64")
        elif column.kind in ("date_dmy", "date"):
            converted = _parse_dates(values.where(~empty, None), dmy_only=column.kind == "date_dmy")
            invalid = ~empty & converted.isna()
        elif column.kind == "bool01":
            converted = values.map({"0": False, "1": True, "": None}).astype("boolean")
            invalid = ~empty & converted.isna()
        else:  # pragma: no cover - programming error
            raise ValueError(column.kind)
        what = {"date_dmy": "date (DD/MM/YYYY)", "date": "date", "int": "integer", "float": "number",
                "bool01": "0/1 flag"}.get(column.kind, "value")
        bad_rule = bad_rule.where(bad_rule.notna() | ~invalid, f"unparseable {what} in {column.name}")
        if column.required:
            bad_rule = bad_rule.where(bad_rule.notna() | ~empty, f"missing {column.name}")
        out[column.name] = converted
    bad = bad_rule.notna()
    if bad.any():
        raw_by_line = {r.line: r for r in good}
        for line, rule in zip(frame.loc[bad, "_line"], bad_rule[bad]):
            rejects.append(Reject(int(line), rule, mask(raw_by_line[int(line)])))
    out = out.loc[~bad].reset_index(drop=True)
    rejects.sort(key=lambda r: r.line)
    return out, rejects


_EMAIL_ANYWHERE = re.compile(r"[^\s;,\"'<>]+@[^\s;,\"'<>]+")


def mask_emails(text: str) -> str:
    return _EMAIL_ANYWHERE.sub("<email>", text)


def parse_text_date(value: object) -> date | None:
    """A date cell or text: datetime/date objects, ISO `YYYY-MM-DD` or `DD/MM/YYYY`; None when empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unparseable date {text!r}")


# --------------------------------------------------------------------------------------------- state


FILES_LOADED_COLUMNS = {
    "file_name": "varchar", "path": "varchar", "sha256": "varchar", "rows_read": "bigint",
    "rows_loaded": "bigint", "rows_rejected": "bigint", "loaded_at": "timestamp",
}

REJECTS_COLUMNS = {
    "file_name": "varchar", "line_number": "bigint", "rule": "varchar", "raw_line": "varchar",
    "rejected_at": "timestamp",
}


def ensure_state_tables(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(f'create schema if not exists "{schema}"')
    ddl = ", ".join(f'"{n}" {t}' for n, t in FILES_LOADED_COLUMNS.items())
    con.execute(f'create table if not exists "{schema}".files_loaded ({ddl})')


def ensure_rejects_table(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(f'create schema if not exists "{schema}"')
    ddl = ", ".join(f'"{n}" {t}' for n, t in REJECTS_COLUMNS.items())
    con.execute(f'create table if not exists "{schema}".rejects ({ddl})')


def loaded_sha(con: duckdb.DuckDBPyConnection, schema: str, file_name: str) -> str | None:
    row = con.execute(
        f'select sha256 from "{schema}".files_loaded where file_name = ?', [file_name]
    ).fetchone()
    return row[0] if row else None


def record_file_loaded(
    con: duckdb.DuckDBPyConnection, schema: str, file_name: str, path: Path, sha: str,
    rows_read: int, rows_loaded: int, rows_rejected: int,
) -> None:
    con.execute(f'delete from "{schema}".files_loaded where file_name = ?', [file_name])
    con.execute(
        f'insert into "{schema}".files_loaded values (?, ?, ?, ?, ?, ?, now()::timestamp)',
        [file_name, str(path), sha, rows_read, rows_loaded, rows_rejected],
    )


def replace_rejects(con: duckdb.DuckDBPyConnection, schema: str, file_name: str, rejects: list[Reject]) -> None:
    """The rejects of a file's current version replace those of its previous version."""
    con.execute(f'delete from "{schema}".rejects where file_name = ?', [file_name])
    if rejects:
        con.executemany(
            f'insert into "{schema}".rejects values (?, ?, ?, ?, now()::timestamp)',
            [(file_name, r.line, r.rule, r.raw) for r in rejects],
        )


def sources_section(sources, system: str) -> dict | None:
    """The deployment's section for `system`, or None when the deployment does not configure it."""
    section = sources.raw.get(system)
    return section if isinstance(section, dict) else None


# --------------------------------------------------------------------------------------------- CSV tables


def parse_csv(
    path: Path, data: bytes, contract: TableContract, delimiter: str = ",",
    validate: Callable[[pd.DataFrame], pd.Series] | None = None,
) -> "ParsedTable":
    """One CSV parsed against its contract. Rejects: malformed rows (field count, unparseable values,
    missing required values), rows `validate` gives a rule for, and duplicate keys (a later line wins)."""
    table = read_delimited(path, delimiter, data=data)
    frame, rejects = parse_records(str(path), table, [c for c in contract.columns if not c.derived])
    raw = {r.line: r.raw for r in table.records}
    rules = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    if validate is not None and len(frame):
        rules = validate(frame).reindex(frame.index)
    key = [k for k in contract.key if not contract.column(k).derived]
    duplicate = frame.duplicated(key, keep="last")
    rules = rules.where(rules.notna() | ~duplicate, f"duplicate {', '.join(key)} (a later line wins)")
    bad = rules.notna()
    for line, rule in zip(frame.loc[bad, "_line"], rules[bad]):
        rejects.append(Reject(int(line), rule, mask_emails(raw[int(line)])))
    rejects.sort(key=lambda r: r.line)
    frame = frame.loc[~bad].drop(columns=["_line"]).reset_index(drop=True)
    return ParsedTable(frame, rejects, len(table.records))


def to_arrow(rows: pd.DataFrame | pa.Table, contract: TableContract) -> pa.Table:
    """A parsed frame as the contract's typed Arrow table (derived columns included when present)."""
    if isinstance(rows, pa.Table):
        return rows
    arrays, names = [], []
    for column in contract.columns:
        if column.name not in rows.columns:
            continue
        values = rows[column.name]
        if column.arrow_type == pa.date32():
            values = pd.to_datetime(values).dt.date
        arrays.append(pa.array(values.astype(object).where(values.notna(), None).tolist(), type=column.arrow_type))
        names.append(column.name)
    return pa.Table.from_arrays(arrays, names=names)


# --------------------------------------------------------------------------------------------- the asset


@dataclass(frozen=True)
class SourceFile:
    """One file a source reads. scope: its value of the scope column (one survey file's rows); table: the
    contract table it holds, when a source has one file per table."""

    path: Path
    label: str = "required file"
    scope: str | None = None
    table: str | None = None


@dataclass
class ParsedTable:
    rows: pd.DataFrame | pa.Table
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int | None = None


Parser = Callable[[SourceFile, bytes], dict[str, ParsedTable]]


def _files_present(con, schema: str, contracts: Sequence[TableContract], scope_column: str) -> set[str]:
    scopes: set[str] = set()
    for contract in contracts:
        scopes |= {s for (s,) in run(con, f"select distinct {q(scope_column)} from {q(schema)}.{q(contract.name)} "
                                          "where _vanished_at is null")}
    return scopes


def file_source(
    system: str,
    contracts: Sequence[TableContract],
    files: Callable[[object], list[SourceFile]],
    parse: Parser,
    *,
    name: str,
    compute_kind: str = "csv",
    scope_column: str | None = None,
    description: str = "",
):
    """The extract asset of a file source: one asset per contract table, one transaction per run.

    files(sources): the files to read (called only when the sources file configures the system); a file
    whose sha256 is the one last loaded is not read. parse(file, bytes): {table: ParsedTable}. With
    `scope_column`, each file replaces its own scope's rows, and the rows of a file gone from the folder
    are flagged vanished. Rejects go to raw_<system>.rejects, replacing the file's previous ones.
    """
    schema = f"raw_{system}"
    by_name = {c.name: c for c in contracts}

    @multi_asset(
        name=name,
        specs=[AssetSpec([system, c.name], group_name=system, description=c.description) for c in contracts]
        + [AssetSpec([system, "rejects"], group_name=system,
                     description="Rows set aside by the loader: file, line, rule, raw line (e-mails masked)")],
        compute_kind=compute_kind,
        pool=BUILD_DB_POOL,
    )
    def _asset(context: AssetExecutionContext, config: ExtractConfig, warehouse: WarehouseResource):
        sources = warehouse.load_sources()
        with warehouse.raw_connection() as con:
            ensure_tables(con, schema, contracts, scope_column)
            ensure_state_tables(con, schema)
            ensure_rejects_table(con, schema)
            if sources_section(sources, system) is None:
                context.log.warning(f"{system} is not configured in the sources file: nothing extracted")
                record_extraction(con, system, schema, contracts, context.run.run_id, None, 0, 0)
                for key in [c.name for c in contracts] + ["rejects"]:
                    yield MaterializeResult(asset_key=[system, key], metadata={
                        "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": "", "configured": False})
                return
            full = full_reload_requested(context.run.tags, config.full_reload)
            found = files(sources)
            read, unchanged = [], []
            for item in found:
                if not item.path.is_file():
                    raise FileSourceError(f"{item.label} {item.path} is missing")
                data = item.path.read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                if not full and loaded_sha(con, schema, item.path.name) == sha:
                    unchanged.append(item)
                    continue
                read.append((item, sha, parse(item, data)))
            totals = {c.name: dict(rows_read=0, rows_loaded=0, rows_rejected=0, rows_vanished=0) for c in contracts}
            with Extraction(con, system, schema, contracts, context.run.run_id, full_reload=full) as load:
                for item, sha, tables in read:
                    rejects = []
                    for table, parsed in tables.items():
                        contract = by_name[table]
                        rows = to_arrow(parsed.rows, contract)
                        outcome = load.merge(
                            snapshot(contract, rows, scope_column, item.scope,
                                     parsed.rows_read if parsed.rows_read is not None else rows.num_rows),
                            [item.scope], scope_column)[item.scope]
                        total = totals[table]
                        total["rows_read"] += outcome.rows_read
                        total["rows_loaded"] += outcome.rows_loaded
                        total["rows_rejected"] += outcome.rows_rejected + len(parsed.rejects)
                        total["rows_vanished"] += outcome.rows_vanished
                        rejects += parsed.rejects
                    rejects.sort(key=lambda r: r.line)
                    replace_rejects(con, schema, item.path.name, rejects)
                    record_file_loaded(con, schema, item.path.name, item.path, sha,
                                       sum(p.rows_read or 0 for p in tables.values()),
                                       sum(totals[t]["rows_loaded"] for t in tables), len(rejects))
                    for reject in rejects:
                        context.log.warning(f"{item.path.name} line {reject.line}: {reject.rule}")
                if scope_column:  # a file gone from the folder: its rows stay, flagged vanished
                    present = {f.scope for f in found}
                    gone = sorted(_files_present(con, schema, contracts, scope_column) - present)
                    for contract in contracts if gone else ():
                        empty = with_scope(contract.empty(), scope_column, None)
                        staged = Staged(contract, [], [], empty.schema, empty.select([scope_column, *contract.key]).schema)
                        for outcome in load.merge(staged, gone, scope_column).values():
                            totals[contract.name]["rows_vanished"] += outcome.rows_vanished
                    run(con, f"delete from {q(schema)}.files_loaded where not list_contains(?::varchar[], file_name)",
                        [[f.path.name for f in found]])
            watermark = run(con, f"select data_watermark from raw_warehouse.source_extractions "
                                 f"where source_system = ? order by extracted_at desc nulls last limit 1", [system])
        common = {"watermark": (watermark[0][0] if watermark else None) or "",
                  "full_reload": full}
        if scope_column:
            common["files_loaded"] = ", ".join(i.path.name for i, _, _ in read) or "none"
            common["files_unchanged"] = ", ".join(i.path.name for i in unchanged) or "none"
        if not read and unchanged:
            common["skipped"] = ", ".join(i.path.name for i in unchanged) + " unchanged since last loaded"
        for contract in contracts:
            yield MaterializeResult(asset_key=[system, contract.name], metadata={**totals[contract.name], **common})
        rejected = sum(t["rows_rejected"] for t in totals.values())
        yield MaterializeResult(asset_key=[system, "rejects"], metadata={"rows_loaded": rejected, **common})

    return _asset


def in_range(frame: pd.DataFrame, column: str, low: float, high: float) -> pd.Series:
    """Rule text where a numeric column is outside [low, high] (empty values are fine)."""
    values = frame[column]
    bad = values.notna() & ((values < low) | (values > high))
    return pd.Series([f"{column} outside {low:g}-{high:g}" if b else None for b in bad], index=frame.index,
                     dtype="object")


def one_of(frame: pd.DataFrame, column: str, allowed: Iterable[str]) -> pd.Series:
    """Rule text where a text column holds a value outside `allowed` (empty values are fine)."""
    allowed = set(allowed)
    values = frame[column]
    bad = values.notna() & ~values.isin(allowed)
    return pd.Series([f"{column} not one of {', '.join(sorted(allowed))}" if b else None for b in bad],
                     index=frame.index, dtype="object")


def first_rule(*rules: pd.Series) -> pd.Series:
    out = rules[0]
    for rule in rules[1:]:
        out = out.where(out.notna(), rule)
    return out
