"""Shared machinery of the file sources (SoliComm drops, PMSU workbook, finance/HR, evaluation, submissions).

- Reading delimited text: encoding by byte-order mark (UTF-8 with BOM, else UTF-8, else Windows-1252),
  records with their physical line numbers and raw text, so a malformed row can be set aside with its
  line and the rule it broke (`Reject`).
- Typed parsing of a table's records, vectorised with pandas: wrong field counts, unparseable dates and
  numbers, missing required values become rejects; the rest a typed DataFrame.
- Content hashes: `raw_<system>.files_loaded` remembers the sha256 of every file loaded, so an unchanged
  file costs nothing (`unchanged`). A full reload ignores it: run tag `warehouse/full_reload=true`
  (Dagster UI: "Launch run" → tags), environment variable `WAREHOUSE_FULL_RELOAD=1`, or the asset's run
  config `{"full_reload": true}` (`FileExtractConfig`).
- History-keeping writes (`merge_snapshot`) optionally restricted to one partition (one survey file, …),
  into tables created up front from explicit column types (`ensure_table`), so a source not configured in
  the deployment still leaves empty, well-typed raw tables for dbt.

A missing required file or column raises `FileSourceError`, naming the file and the column.
"""
from __future__ import annotations

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
from dagster import Config

from orchestration import warehouse

log = logging.getLogger(__name__)

UTF8_BOM = b"\xef\xbb\xbf"

HISTORY_COLUMNS = {"_extracted_at": "timestamp", "_vanished_at": "timestamp"}


class FileSourceError(RuntimeError):
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


@dataclass(frozen=True)
class Column:
    """A contract column: its DuckDB type and how its text is parsed.

    kind: text | int | float | date_dmy (DD/MM/YYYY) | date (ISO or DD/MM/YYYY) | bool01
    """

    name: str
    kind: str = "text"
    required: bool = False  # an empty value is a reject

    @property
    def sql_type(self) -> str:
        return {"text": "varchar", "int": "bigint", "float": "double", "date_dmy": "date", "date": "date",
                "bool01": "boolean"}[self.kind]


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


class FileExtractConfig(Config):
    """Run config of a file extract asset. full_reload: re-read every file even when unchanged."""

    full_reload: bool = False


def full_reload_requested(context, config: FileExtractConfig | None = None) -> bool:
    """Run tag `warehouse/full_reload=true`, WAREHOUSE_FULL_RELOAD=1, or run config `{"full_reload": true}`."""
    try:
        tags = context.run.tags if context is not None else {}
    except Exception:  # noqa: BLE001 - a context without a run (direct invocation)
        tags = {}
    return warehouse.full_reload_requested(tags, bool(config and config.full_reload))


def ensure_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: dict[str, str]) -> None:
    """Create `schema.table` with the given column types (+ history columns) when it does not exist."""
    con.execute(f'create schema if not exists "{schema}"')
    cols = {**columns, **HISTORY_COLUMNS}
    ddl = ", ".join(f'"{name}" {sql_type}' for name, sql_type in cols.items())
    con.execute(f'create table if not exists "{schema}"."{table}" ({ddl})')


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


# --------------------------------------------------------------------------------------------- writing


@dataclass
class MergeResult:
    rows_loaded: int
    rows_vanished: int
    newly_vanished_keys: pd.DataFrame = field(default_factory=pd.DataFrame)


def merge_snapshot(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    snapshot: pd.DataFrame,
    key: Sequence[str],
    partition: dict[str, object] | None = None,
    vanished_at: object | None = None,
) -> MergeResult:
    """Upsert a full snapshot (of one partition, when given), keeping rows that vanished from the source.

    The table must exist (`ensure_table`). Rows present replace their previous version (`_vanished_at`
    cleared); rows of the partition no longer present stay, flagged `_vanished_at` (= `vanished_at`, or
    now). Runs inside the caller's transaction.
    """
    target = f'"{schema}"."{table}"'
    name = f"_snapshot_{table}"
    con.register(name, snapshot)
    try:
        on_key = " and ".join(f't."{k}" = s."{k}"' for k in key)
        where_partition = ""
        params: list[object] = []
        if partition:
            where_partition = " and " + " and ".join(f't."{k}" = ?' for k in partition)
            params = list(partition.values())
        con.execute(f"delete from {target} t where exists (select 1 from {name} s where {on_key})")
        con.execute(
            f"insert into {target} by name select *, now()::timestamp as _extracted_at, "
            f"null::timestamp as _vanished_at from {name}"
        )
        when = "?::timestamp" if vanished_at is not None else "now()::timestamp"
        when_params = [vanished_at] if vanished_at is not None else []
        vanished = con.execute(
            f"update {target} t set _vanished_at = {when} where _vanished_at is null{where_partition} "
            f"and not exists (select 1 from {name} s where {on_key}) returning {', '.join(key)}",
            when_params + params,
        ).df()
    finally:
        con.unregister(name)
    return MergeResult(rows_loaded=len(snapshot), rows_vanished=len(vanished), newly_vanished_keys=vanished)


def sources_section(sources, system: str) -> dict | None:
    """The deployment's section for `system`, or None when the deployment does not configure it."""
    section = sources.raw.get(system)
    return section if isinstance(section, dict) else None


# --------------------------------------------------------------------------------------------- CSV tables


@dataclass
class StagedFile:
    """A CSV file read and parsed (or skipped because unchanged), ready to be written in a transaction."""

    path: Path
    sha256: str
    skipped: bool
    frame: pd.DataFrame | None = None
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0

    def metadata(self, merge: MergeResult | None = None) -> dict:
        if self.skipped:
            return {"rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": self.sha256,
                    "skipped": f"{self.path.name} unchanged since it was last loaded"}
        meta = {"rows_read": self.rows_read, "rows_loaded": len(self.frame), "rows_rejected": len(self.rejects),
                "watermark": self.sha256}
        if merge is not None:
            meta["rows_vanished"] = merge.rows_vanished
        return meta


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    path: Path,
    columns: Sequence[Column],
    key: Sequence[str],
    full_reload: bool,
    delimiter: str = ",",
    validate: Callable[[pd.DataFrame], pd.Series] | None = None,
    label: str = "",
) -> StagedFile:
    """Read and parse one CSV unless its content is unchanged since it was last loaded.

    Rejects: malformed rows (field count, unparseable values, missing required values), duplicate keys,
    and rows `validate` gives a rule for (a Series of rule texts, None where the row is fine).
    """
    if not path.is_file():
        raise FileSourceError(f"{label or 'required file'} {path} is missing")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not full_reload and loaded_sha(con, schema, path.name) == sha:
        return StagedFile(path, sha, skipped=True)
    table = read_delimited(path, delimiter, data=data)
    frame, rejects = parse_records(str(path), table, columns)
    raw = {r.line: r.raw for r in table.records}
    rules = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    if validate is not None and len(frame):
        rules = validate(frame).reindex(frame.index)
    duplicate = frame.duplicated(list(key), keep="last")
    rules = rules.where(rules.notna() | ~duplicate, f"duplicate {', '.join(key)} (a later line wins)")
    bad = rules.notna()
    for line, rule in zip(frame.loc[bad, "_line"], rules[bad]):
        rejects.append(Reject(int(line), rule, mask_emails(raw[int(line)])))
    rejects.sort(key=lambda r: r.line)
    frame = frame.loc[~bad].drop(columns=["_line"]).reset_index(drop=True)
    return StagedFile(path, sha, skipped=False, frame=frame, rejects=rejects, rows_read=len(table.records))


def write_staged(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, staged: StagedFile, key: Sequence[str],
    partition: dict[str, object] | None = None,
) -> MergeResult | None:
    """Merge a staged file into its table, replace its rejects, remember its hash (caller's transaction)."""
    if staged.skipped:
        return None
    merge = merge_snapshot(con, schema, table, staged.frame, key, partition=partition)
    replace_rejects(con, schema, staged.path.name, staged.rejects)
    record_file_loaded(con, schema, staged.path.name, staged.path, staged.sha256, staged.rows_read,
                       len(staged.frame), len(staged.rejects))
    return merge


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
