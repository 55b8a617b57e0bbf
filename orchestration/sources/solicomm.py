"""SoliComm nightly CSV drops → raw_solicomm.* (contract: solicomm.md).

Every run loads, in date order, every complete drop newer than the newest drop already loaded (on the
first run: all of them), so what the warehouse counts does not depend on when it was started.

- Complete = `manifest.json` exists and every file's sha256 and data-row count agree with it. An
  incomplete or disagreeing drop is not loaded: a warning names it (and the failed check
  `solicomm_drops_loaded_cleanly` shows it); the previous snapshot stays in force. Once a later drop has
  loaded, an earlier drop that never loaded is superseded and not loaded afterwards (a full reload
  replays every drop in the landing folder, in order).
- Encoding by byte-order mark: UTF-8 with BOM, else UTF-8, else Windows-1252 (drops before 2022-06-01).
- Reading: DuckDB's CSV reader (`read_csv`, every column VARCHAR, `store_rejects`) splits the records; one
  streamed pass over the bytes gives the sha256, the line count and whether the file is valid UTF-8 (a
  Windows-1252 file, or one with bad bytes, is first transcoded as a stream to a temporary UTF-8 file:
  DuckDB reads no Windows-1252 without the `encodings` extension, which would be downloaded). The lines
  DuckDB refuses and the rows the rules reject are read back with the csv module, so the field counts,
  raw lines and physical line numbers in the rejects are those the csv module gives; the rules themselves
  run in SQL. Scale 1 demo (17 drops, 672 k CSV lines; `python -m benchmarks.solicomm_parser`): the whole
  SoliComm extract 13.6 s (the line-by-line Python parser: 20.5 s; the csv module alone over the same files:
  0.4 s); reading and the rules alone 3.0 s (before: 5.8 s, floor 0.3 s); what remains is mostly the
  members' keyed hashes (pseudonymise.People) and the merge.
- Malformed rows (wrong field count, unparseable date or 0/1 flag, missing id, duplicate id, an enrolment
  whose member or course is not in the same drop) go to `raw_solicomm.rejects` with the drop date, file,
  line, rule and the raw line with personal data masked. A file with more than 1% of its rows rejected
  fails that drop (warning naming drop, file and count; nothing of it loaded).
- History: rows never deleted. A row missing from a later drop keeps its last version, flagged
  `_vanished_at` = the date of the first drop it was missing from. In SoliComm a member vanishes only when
  erased on request: a vanished member's match keys (email_key, name_key, name_token_keys,
  birth_year_key) are nulled, while their enrolments stay (flagged) and keep counting. The e-mail domain,
  gender, country and organisation type are not identifying and are kept (the counts need them).
- `raw_solicomm.drops_loaded` records every drop loaded; a rerun with no new drop reads no file.
  `raw_solicomm.drops_refused` records each refusal of a drop, with its reason (one row per run that refused it).

Each loaded drop is one DuckDB transaction (all its tables at once): a failure later in a run keeps the
drops already loaded. Full reload on demand: run tag `warehouse/full_reload=true` (or
WAREHOUSE_FULL_RELOAD=1, or run config `{"full_reload": true}`) replays every drop of the landing folder over the existing history.
"""

import codecs
import csv
import hashlib
import json
import logging
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    DefaultSensorStatus,
    MaterializeResult,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    multi_asset,
    sensor,
)

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import (
    UTF8_BOM, FileSourceError, Reject, mask_emails, require_columns, sources_section, to_arrow,
)
from orchestration.extract.merge import (
    ExtractConfig, Extraction, ensure_tables as ensure_raw_tables, full_reload_requested, record_extraction, snapshot,
)
from orchestration.pseudonymise import People
from orchestration.resources import WarehouseResource
from orchestration.settings import load_sources
from orchestration.warehouse import raw_connection
from orchestration.concurrency import BUILD_DB_POOL

log = logging.getLogger(__name__)

SYSTEM = "solicomm"
SECTION_KEYS = ("landing",)
RAW_SCHEMA = "raw_solicomm"
REJECT_LIMIT = 0.01  # share of a file's rows
MANIFEST = "manifest.json"
_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MEMBERS = People(email="email", first="first_name", last="last_name", birth_year="birth_year")
SNAPSHOT = Column("snapshot_date", "date", derived=True)  # the drop's date, set by the loader

CONTRACTS = [
    TableContract(
        "members",
        (Column("member_id", required=True), Column("email"), Column("first_name"), Column("last_name"),
         Column("gender"), Column("birth_year"), Column("country"), Column("organisation_type"),
         Column("organisation_name"), Column("created_on", "date_dmy"), Column("updated_on", "date_dmy"), SNAPSHOT),
        key=("member_id",), people=MEMBERS,
        # A member vanishes only when erased on request: the match keys go; the e-mail domain (not
        # identifying, needed by the counts) stays.
        erase_on_vanish=tuple(k for k in MEMBERS.keys if k != "email_domain"),
    ),
    TableContract(
        "courses",
        (Column("course_id", required=True), Column("code"), Column("title"), Column("language"),
         Column("self_paced", "bool01"), Column("archived", "bool01"), SNAPSHOT),
        key=("course_id",),
    ),
    TableContract(
        "enrolments",
        (Column("enrolment_id", required=True), Column("member_id", required=True),
         Column("course_id", required=True), Column("enrolled_on", "date_dmy", required=True),
         Column("completed_on", "date_dmy"), Column("status"), SNAPSHOT),
        key=("enrolment_id",), watermark="max(snapshot_date)",
    ),
]
CONTRACT = {c.name: c for c in CONTRACTS}
KEYS = {c.name: c.key[0] for c in CONTRACTS}
REJECTS_DDL = (
    "snapshot_date date, file_name varchar, line_number bigint, rule varchar, raw_line varchar, "
    "rejected_at timestamp"
)
DROPS_LOADED_DDL = (
    "snapshot_date date, folder varchar, manifest_sha256 varchar, members_rows bigint, courses_rows bigint, "
    "enrolments_rows bigint, rows_rejected bigint, loaded_at timestamp"
)
# One row per drop refused by a run (incomplete, disagreeing with its manifest, too many rejects): a drop
# refused night after night has a row each night (the data-quality page counts them by night).
DROPS_REFUSED_DDL = "snapshot_date date, folder varchar, reason varchar, run_id varchar, refused_at timestamp"


class DropNotLoadable(Exception):
    """This drop cannot be loaded (incomplete, disagreeing with its manifest, or too many rejects)."""


# ------------------------------------------------------------------------------------------ the drops


@dataclass(frozen=True)
class Drop:
    snapshot_date: date
    folder: Path


def drops_folder(landing: Path) -> Path:
    """The folder holding the dated drops: the landing folder itself, or its `solicomm/` subfolder."""
    if not landing.is_dir():
        raise FileSourceError(f"SoliComm landing folder {landing} is missing")
    if not any(_DATE_FOLDER.match(p.name) for p in landing.iterdir() if p.is_dir()):
        nested = landing / "solicomm"
        if nested.is_dir():
            return nested
    return landing


def list_drops(landing: Path) -> list[Drop]:
    folder = drops_folder(landing)
    drops = []
    for path in folder.iterdir():
        if path.is_dir() and _DATE_FOLDER.match(path.name):
            try:
                drops.append(Drop(date.fromisoformat(path.name), path))
            except ValueError:
                log.warning("SoliComm: folder %s is not a valid date; ignored", path)
    return sorted(drops, key=lambda d: d.snapshot_date)


# ------------------------------------------------------------------------------------------ reading a file
#
# DuckDB's CSV reader splits the records; Python streams the bytes once (sha256, encoding, line count) and
# reads back with the csv module only the few records set aside: the lines DuckDB refused (a wrong field
# count, a stray quote) and the rows the rules reject (their raw text and fields, masked). The line numbers
# are physical lines, as the rejects table has always recorded them.

DELIMITER = ";"
_BLOCK = 1 << 20
# The characters str.strip() removes (values are trimmed as Python trimmed them).
STRIP_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) \
    + "\u2028\u2029\u202f\u205f\u3000"
_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in STRIP_CHARS) + "]"  # the same set as an RE2 class
# DD/MM/YYYY as strptime's %d/%m/%Y matches it (day and month may lack their zero, the year has 4 digits).
_DMY = r"(3[01]|[12][0-9]|0[1-9]|[1-9])/(1[0-2]|0[1-9]|[1-9])/[0-9]{4}"


@dataclass
class ReadFile:
    """One drop file as DuckDB read it: temp table `table` holds (line, c0…) of every non-blank record with
    the right field count; `wrong_width` the others (already rejects)."""

    table: str
    path: Path  # the UTF-8 file read (a transcoded copy for Windows-1252 drops)
    header: list[str]
    rows: int  # non-blank records: what the manifest counts
    wrong_width: list[Reject]
    sha256: str


def _scan(path: Path) -> tuple[str, int, bool, bool]:
    """One pass over the bytes: (sha256, physical lines, has a BOM, is valid UTF-8)."""
    digest, newlines, last = hashlib.sha256(), 0, b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid, bom = True, None
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
            newlines += block.count(b"\n")
            if bom is None:
                bom = block.startswith(UTF8_BOM)
                block = block[len(UTF8_BOM):] if bom else block
            if valid:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    valid = False
            last = block[-1:] or last
        if valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    lines = newlines + (1 if last and last != b"\n" else 0)
    return digest.hexdigest(), lines, bool(bom), valid


def _as_utf8(path: Path, bom: bool, scratch: Path) -> Path:
    """A UTF-8 copy, streamed: Windows-1252 without a BOM, else UTF-8 with bad bytes as U+FFFD (as decoded
    before: bytes Windows-1252 leaves undefined become U+FFFD too)."""
    decoder = codecs.getincrementaldecoder("utf-8" if bom else "cp1252")(errors="replace")
    target = scratch / f"{path.parent.name}-{path.name}"
    with open(path, "rb") as source, open(target, "wb") as out:
        first = True
        for block in iter(lambda: source.read(_BLOCK), b""):
            if first and bom:
                block = block[len(UTF8_BOM):]
            first = False
            out.write(decoder.decode(block).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return target


def _records_at(path: Path, wanted: set[int], by_offset: bool) -> dict[int, tuple[int, list[str], str, int]]:
    """The records starting at the wanted byte offsets (or line numbers), read with the csv module:
    {wanted: (line, fields, raw text, lines spanned)}."""
    found: dict[int, tuple[int, list[str], str, int]] = {}
    if not wanted:
        return found
    with open(path, "rb") as handle:
        offset, number = 0, 0
        for raw in handle:
            number += 1
            key = offset if by_offset else number
            offset += len(raw)
            if key not in wanted:
                continue
            first, taken = number, [raw]

            def more():
                yield taken[0].decode("utf-8").lstrip("\ufeff") if first == 1 else taken[0].decode("utf-8")
                for line in handle:
                    taken.append(line)
                    yield line.decode("utf-8")

            fields = next(csv.reader(more(), delimiter=DELIMITER, quotechar='"', strict=False), [])
            text = b"".join(taken).decode("utf-8").rstrip("\r\n")
            found[key] = (first, fields, text, len(taken))
            number += len(taken) - 1
            offset += sum(map(len, taken[1:]))
            if len(found) == len(wanted):
                break
    return found


def _record_lines(path: Path, header_lines: int) -> list[int]:
    """The first physical line of every non-blank record after the header (the csv module's records):
    needed only when a file has blank lines or records over several lines."""
    starts = []
    with open(path, "rb") as handle:
        lines = (line.decode("utf-8") for line in handle)
        reader = csv.reader(lines, delimiter=DELIMITER, quotechar='"', strict=False)
        start = 1
        for fields in reader:
            end = reader.line_num
            if start > header_lines and (len(fields) > 1 or (fields and fields[0].strip())):
                starts.append(start)
            start = end + 1
    return starts


def _is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


def read_file(con, path: Path, name: str, table: str, scratch: Path, mask) -> ReadFile:
    """Read one drop file into temp table `table` (see ReadFile). Raises FileSourceError when it is empty."""
    sha, lines, bom, valid = _scan(path)
    source = path if valid else _as_utf8(path, bom, scratch)
    header_record = _records_at(source, {1}, by_offset=False).get(1)
    if header_record is None:
        raise FileSourceError(f"{path}: the file is empty (no header row)")
    _, header_fields, _, header_lines = header_record
    header = [h.strip().lower() for h in header_fields]
    width = len(header)
    rejects_table, rejects_scan = f"{table}_refused", f"{table}_scan"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    con.execute(f"drop table if exists {rejects_table}; drop table if exists {rejects_scan}")
    con.execute(
        f"create or replace temp table {table}_read as select * from read_csv(?, delim = ';', quote = '\"', "
        f"escape = '\"', header = true, auto_detect = false, columns = {columns}, store_rejects = true, "
        f"rejects_table = '{rejects_table}', rejects_scan = '{rejects_scan}', rejects_limit = 0, "
        f"max_line_size = 100000000)", [str(source)])
    good = con.execute(f"select count(*) from {table}_read").fetchone()[0]
    refused_at = {o for (o,) in con.execute(f"select distinct line_byte_position from {rejects_table}").fetchall()}
    con.execute(f"drop table {rejects_table}; drop table {rejects_scan}")
    refused = _records_at(source, refused_at, by_offset=True)
    if len(refused) != len(refused_at):
        raise FileSourceError(f"{name}: could not read back the lines the CSV reader refused")
    wrong_width, quirks = [], []  # quirks: lines DuckDB refused that the csv module reads with the right width
    for line, fields, text, _ in refused.values():
        if _is_blank(fields):
            continue
        if len(fields) == width:
            quirks.append((line, fields))
        else:
            wrong_width.append(Reject(line, f"wrong number of fields: {len(fields)}, expected {width}",
                                      mask(fields, text, header)))
    refused_lines = {line for line, *_ in refused.values()}
    data_lines = lines - header_lines
    if data_lines == good + len(refused) and all(span == 1 for *_, span in refused.values()):
        # one record per physical line: the accepted rows are the lines not refused, in order
        all_lines = np.arange(header_lines + 1, lines + 1, dtype=np.int64)
        good_lines = all_lines[~np.isin(all_lines, np.fromiter(refused_lines, np.int64, len(refused_lines)))]
    else:
        good_lines = np.array([n for n in _record_lines(source, header_lines) if n not in refused_lines], np.int64)
        if len(good_lines) != good:
            raise FileSourceError(f"{name}: DuckDB's CSV reader and the csv module split the records differently "
                                  f"({good} and {len(good_lines)} rows); the file needs looking at")
    con.register("_good_lines", pa.table({"line": good_lines}))
    try:
        names = ", ".join(f"c{i}" for i in range(width))
        con.execute(f"create or replace temp table {table} as select l.line, {names} from "
                    f"(select rowid as ord, * from {table}_read) r positional join _good_lines l order by r.ord")
    finally:
        con.unregister("_good_lines")
    con.execute(f"drop table {table}_read")
    if quirks:
        con.executemany(f"insert into {table} values ({', '.join(['?'] * (width + 1))})",
                        [[line, *fields] for line, fields in quirks])
    rows = good + len(quirks) + len(wrong_width)
    return ReadFile(table, source, header, rows, wrong_width, sha)


def read_verified_drop(con, drop: Drop, scratch: Path) -> tuple[dict[str, ReadFile], str]:
    """The three files of a drop read into temp tables, checked against the manifest (sha256 and data-row
    count). Returns them and the manifest's sha256; raises DropNotLoadable naming what disagrees."""
    name = f"SoliComm drop {drop.snapshot_date} ({drop.folder})"
    manifest_path = drop.folder / MANIFEST
    if not manifest_path.is_file():
        raise DropNotLoadable(f"{name} is incomplete: no {MANIFEST} yet")
    manifest_bytes = manifest_path.read_bytes()
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8-sig"))
        listed = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DropNotLoadable(f"{name}: {MANIFEST} is not valid ({exc})") from exc
    stated_date = str(manifest.get("snapshot_date", drop.snapshot_date))
    if stated_date != drop.snapshot_date.isoformat():
        raise DropNotLoadable(f"{name}: {MANIFEST} names snapshot_date {stated_date}")
    files = {}
    for table in CONTRACT:
        file_name = f"{table}.csv"
        path = drop.folder / file_name
        if file_name not in listed:
            raise DropNotLoadable(f"{name}: {MANIFEST} does not list {file_name}")
        if not path.is_file():
            raise DropNotLoadable(f"{name} is incomplete: {file_name} is missing")
        where = f"SoliComm drop {drop.snapshot_date}: {file_name}"
        read = read_file(con, path, where, f"_solicomm_{table}", scratch, MASKS[table])
        expected_sha = str(listed[file_name].get("sha256", "")).lower()
        if read.sha256 != expected_sha:
            raise DropNotLoadable(f"{name}: {file_name} sha256 {read.sha256} disagrees with the manifest's "
                                  f"{expected_sha or '(none)'}")
        expected_rows = listed[file_name].get("rows")
        if expected_rows is None or int(expected_rows) != read.rows:
            raise DropNotLoadable(f"{name}: {file_name} has {read.rows} data rows, the manifest "
                                  f"says {expected_rows}")
        files[table] = read
    return files, hashlib.sha256(manifest_bytes).hexdigest()


# ------------------------------------------------------------------------------------------ parsing


def _mask_members(fields: list[str], text: str, header: list[str]) -> str:
    """A member's line with its personal fields as *** (all but the id when the fields may have shifted)."""
    fields = list(fields)
    if len(fields) == len(header):
        for name in (MEMBERS.email, MEMBERS.first, MEMBERS.last, MEMBERS.birth_year):
            if name in header and fields[header.index(name)]:
                fields[header.index(name)] = "***"
    else:
        fields = fields[:1] + ["***" if f else "" for f in fields[1:]]
    return mask_emails(";".join(fields))


def _mask_emails_only(fields: list[str], text: str, header: list[str]) -> str:
    return mask_emails(text)


# How a rejected line is kept: (its fields, its raw text, the file's header) -> the masked line.
MASKS = {"members": _mask_members, "courses": _mask_emails_only, "enrolments": _mask_emails_only}


@dataclass
class ParsedDrop:
    frames: dict[str, pa.Table]
    rejects: dict[str, list[Reject]]
    rows_read: dict[str, int]
    problems: list[str] = field(default_factory=list)  # files over the reject limit

    @property
    def rows_rejected(self) -> int:
        return sum(len(r) for r in self.rejects.values())


def _stripped(value: str) -> str:
    """SQL of a text value stripped as str.strip() does (the regexp replace only where there is a space)."""
    return (f"case when regexp_matches({value}, '^{_SPACE}|{_SPACE}$') "
            f"then regexp_replace({value}, '^{_SPACE}+|{_SPACE}+$', '', 'g') else {value} end")


def _typed(column: Column, value: str) -> tuple[str, str | None]:
    """(SQL of the typed value, SQL true when the value does not parse) of a trimmed text value."""
    if column.kind == "text":
        return value, None
    if column.kind == "date_dmy":
        typed = f"case when regexp_full_match({value}, '{_DMY}') then try_strptime({value}, '%d/%m/%Y')::date end"
    elif column.kind == "bool01":
        typed = f"case {value} when '0' then false when '1' then true end"
    else:  # pragma: no cover - programming error
        raise ValueError(column.kind)
    return typed, f"{value} is not null and ({typed}) is null"


_WHAT = {"date_dmy": "date (DD/MM/YYYY)", "bool01": "0/1 flag"}


def parse_drop(con, drop: Drop, files: dict[str, ReadFile]) -> ParsedDrop:
    """The rules of the contract, in SQL over the read files: the first broken rule of a row is its reject."""
    frames, rejects, rows_read = {}, {}, {}
    for table, contract in CONTRACT.items():
        read, key = files[table], KEYS[table]
        columns = [c for c in contract.columns if not c.derived]
        require_columns(f"SoliComm drop {drop.snapshot_date}: {table}.csv", read.header, [c.name for c in columns])
        source = {c.name: f"c{read.header.index(c.name)}" for c in columns}
        trimmed = ", ".join(f"nullif({_stripped(source[c.name])}, '') as {c.name}" for c in columns)
        typed, rules = [], []
        for column in columns:
            value, invalid = _typed(column, column.name)
            typed.append(f"{value} as {column.name}")
            if invalid:
                rules.append(f"when {invalid} then 'unparseable {_WHAT[column.kind]} in {column.name}'")
            if column.required:
                rules.append(f"when {column.name} is null then 'missing {column.name}'")
        checked = f"_solicomm_{table}_checked"
        con.execute(
            f"create or replace temp table {checked} as select line, {', '.join(typed)}, "
            f"case {' '.join(rules)} end as rule from (select line, {trimmed} from {read.table})")
        con.execute(f"update {checked} set rule = 'duplicate {key}' where rule is null and line in ("
                    f"select line from (select line, row_number() over (partition by {key} order by line) as n "
                    f"from {checked} where rule is null) where n > 1)")
        if table == "enrolments":
            for ref, parent in (("member_id", "members"), ("course_id", "courses")):
                con.execute(f"update {checked} set rule = '{ref} not in the drop''s {parent}.csv' where rule is "
                            f"null and {ref} not in (select {KEYS[parent]} from _solicomm_{parent}_checked "
                            f"where rule is null)")
        ruled = dict(con.execute(f"select line, rule from {checked} where rule is not null").fetchall())
        table_rejects = list(read.wrong_width) + [
            Reject(line, ruled[line], MASKS[table](fields, text, read.header))
            for line, fields, text, _ in _records_at(read.path, set(ruled), by_offset=False).values()]
        rejects[table] = sorted(table_rejects, key=lambda r: r.line)
        rows_read[table] = read.rows
        names = ", ".join(c.name for c in columns)
        frames[table] = con.sql(
            f"select {names}, ?::date as snapshot_date from {checked} where rule is null order by line",
            params=[drop.snapshot_date]).to_arrow_table()
        con.execute(f"drop table {read.table}")
    for table in CONTRACT:
        con.execute(f"drop table if exists _solicomm_{table}_checked")

    result = ParsedDrop(frames, rejects, rows_read)
    for table in CONTRACT:
        read, rejected = rows_read[table], len(rejects[table])
        if read and rejected / read > REJECT_LIMIT:
            first = rejects[table][0]
            result.problems.append(
                f"SoliComm drop {drop.snapshot_date}: {table}.csv has {rejected} rejected rows of {read} "
                f"({100 * rejected / read:.1f}%, over the {100 * REJECT_LIMIT:.0f}% limit; first: line "
                f"{first.line}, {first.rule}); drop not loaded, the previous snapshot stays in force"
            )
    return result


# ------------------------------------------------------------------------------------------ writing


def ensure_tables(con) -> None:
    ensure_raw_tables(con, RAW_SCHEMA, CONTRACTS)
    con.execute(f"create table if not exists {RAW_SCHEMA}.rejects ({REJECTS_DDL})")
    con.execute(f"create table if not exists {RAW_SCHEMA}.drops_loaded ({DROPS_LOADED_DDL})")
    con.execute(f"create table if not exists {RAW_SCHEMA}.drops_refused ({DROPS_REFUSED_DDL})")


def newest_loaded(con) -> date | None:
    return con.execute(f"select max(snapshot_date) from {RAW_SCHEMA}.drops_loaded").fetchone()[0]


def write_drop(load: Extraction, drop: Drop, parsed: ParsedDrop, manifest_sha: str) -> dict[str, int]:
    """Merge one drop into the raw tables (in `load`'s transaction). Returns rows vanished per table.

    A row missing from the drop vanishes at the drop's date."""
    con, vanished = load.con, {}
    when = datetime.combine(drop.snapshot_date, datetime.min.time())
    for table, contract in CONTRACT.items():
        rows = contract.prepare(to_arrow(parsed.frames[table], contract))
        vanished[table] = load.merge_one(snapshot(contract, rows), vanished_at=when).rows_vanished
    con.execute(f"delete from {RAW_SCHEMA}.rejects where snapshot_date = ?", [drop.snapshot_date])
    rows = [
        (drop.snapshot_date, f"{table}.csv", r.line, r.rule, r.raw)
        for table in CONTRACT for r in parsed.rejects[table]
    ]
    if rows:
        con.executemany(f"insert into {RAW_SCHEMA}.rejects values (?, ?, ?, ?, ?, now()::timestamp)", rows)
    con.execute(f"delete from {RAW_SCHEMA}.drops_loaded where snapshot_date = ?", [drop.snapshot_date])
    con.execute(
        f"insert into {RAW_SCHEMA}.drops_loaded values (?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
        [drop.snapshot_date, str(drop.folder), manifest_sha, len(parsed.frames["members"]),
         len(parsed.frames["courses"]), len(parsed.frames["enrolments"]), parsed.rows_rejected],
    )
    return vanished


@dataclass
class ExtractReport:
    loaded: list[str] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)  # one message per drop not loaded
    rows_read: dict[str, int] = field(default_factory=lambda: {t: 0 for t in CONTRACT})
    rows_loaded: dict[str, int] = field(default_factory=lambda: {t: 0 for t in CONTRACT})
    rows_rejected: dict[str, int] = field(default_factory=lambda: {t: 0 for t in CONTRACT})
    rows_vanished: dict[str, int] = field(default_factory=lambda: {t: 0 for t in CONTRACT})
    watermark: str = ""
    configured: bool = True


def extract_solicomm(landing: Path | None, full_reload: bool = False, warn=log.warning,
                     run_id: str | None = None, raw_db: Path | None = None) -> ExtractReport:
    """Load every new complete drop of `landing` (None: not configured, only the empty tables)."""
    report = ExtractReport()
    with raw_connection(path=raw_db) as con:
        ensure_tables(con)
        if landing is None:
            report.configured = False
            record_extraction(con, SYSTEM, RAW_SCHEMA, CONTRACTS, run_id, None, 0, 0)
            return report
        drops = list_drops(landing)
        since = None if full_reload else newest_loaded(con)
        for drop in drops:
            if since is not None and drop.snapshot_date <= since:
                continue
            try:
                with tempfile.TemporaryDirectory(prefix="solicomm-") as scratch:
                    files, manifest_sha = read_verified_drop(con, drop, Path(scratch))
                    parsed = parse_drop(con, drop, files)
                if parsed.problems:
                    raise DropNotLoadable("; ".join(parsed.problems))
            except DropNotLoadable as exc:
                warn(str(exc))
                report.not_loaded.append(str(exc))
                con.execute(f"insert into {RAW_SCHEMA}.drops_refused values (?, ?, ?, ?, now()::timestamp)",
                            [drop.snapshot_date, str(drop.folder), str(exc), run_id])
                continue
            with Extraction(con, SYSTEM, RAW_SCHEMA, CONTRACTS, run_id, full_reload=full_reload) as load:
                vanished = write_drop(load, drop, parsed, manifest_sha)
            report.loaded.append(drop.snapshot_date.isoformat())
            for table in CONTRACT:
                report.rows_read[table] += parsed.rows_read[table]
                report.rows_loaded[table] += len(parsed.frames[table])
                report.rows_rejected[table] += len(parsed.rejects[table])
                report.rows_vanished[table] += vanished[table]
        if not report.loaded:  # no new drop: the extraction is recorded all the same
            with Extraction(con, SYSTEM, RAW_SCHEMA, CONTRACTS, run_id):
                pass
        newest = newest_loaded(con)
        report.watermark = newest.isoformat() if newest else ""
    return report


def configured_landing(sources=None) -> Path | None:
    sources = sources or load_sources()
    section = sources_section(sources, SYSTEM)
    if section is None:
        return None
    return sources.file(SYSTEM, "landing")


# ------------------------------------------------------------------------------------------ Dagster

CHECK_NAME = "solicomm_drops_loaded_cleanly"


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, "members"], group_name=SYSTEM,
                  description="SoliComm members, one row per member_id, pseudonymised; history kept"),
        AssetSpec([SYSTEM, "courses"], group_name=SYSTEM, description="SoliComm courses; history kept"),
        AssetSpec([SYSTEM, "enrolments"], group_name=SYSTEM,
                  description="SoliComm enrolments; vanished (erased members') rows kept, flagged"),
        AssetSpec([SYSTEM, "rejects"], group_name=SYSTEM,
                  description="Malformed SoliComm rows set aside: drop, file, line, rule, masked raw line"),
        AssetSpec([SYSTEM, "drops_refused"], group_name=SYSTEM,
                  description="SoliComm drops not loaded, one row per run that refused one: drop, reason"),
    ],
    check_specs=[
        AssetCheckSpec(CHECK_NAME, asset=AssetKey([SYSTEM, "enrolments"]),
                       description="Every SoliComm drop seen by the run was complete, agreed with its manifest "
                                   "and stayed under 1% rejected rows")
    ],
    compute_kind="csv",
    pool=BUILD_DB_POOL,
)
def solicomm_drops(context: AssetExecutionContext, config: ExtractConfig, warehouse: WarehouseResource):
    """Load, in date order, every complete SoliComm drop not loaded yet."""
    landing = configured_landing(warehouse.load_sources())
    if landing is None:
        context.log.warning("SoliComm is not configured in the sources file: nothing extracted")
    report = extract_solicomm(landing, full_reload_requested(context.run.tags, config.full_reload),
                              warn=context.log.warning, run_id=context.run.run_id, raw_db=warehouse.raw_db_path)
    common = {"drops_loaded": ", ".join(report.loaded) or "none", "watermark": report.watermark}
    if not report.configured:
        common["configured"] = False
    for table in CONTRACT:
        yield MaterializeResult(
            asset_key=[SYSTEM, table],
            metadata={
                "rows_read": report.rows_read[table], "rows_loaded": report.rows_loaded[table],
                "rows_rejected": report.rows_rejected[table], "rows_vanished": report.rows_vanished[table],
                **common,
            },
        )
    total_rejected = sum(report.rows_rejected.values())
    yield MaterializeResult(
        asset_key=[SYSTEM, "rejects"],
        metadata={"rows_read": total_rejected, "rows_loaded": total_rejected, "rows_rejected": 0, **common},
    )
    yield MaterializeResult(asset_key=[SYSTEM, "drops_refused"],
                            metadata={"rows_loaded": len(report.not_loaded), **common})
    yield AssetCheckResult(
        check_name=CHECK_NAME,
        asset_key=AssetKey([SYSTEM, "enrolments"]),
        passed=not report.not_loaded,
        severity=AssetCheckSeverity.WARN,
        description="; ".join(report.not_loaded) or "every drop seen was loaded",
        metadata={"drops_not_loaded": len(report.not_loaded)},
    )


@sensor(
    name="solicomm_new_drop",
    job_name="refresh",
    minimum_interval_seconds=600,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a refresh when a complete SoliComm drop (manifest written) newer than the last seen "
                "lands. Stopped by default: the nightly schedule also picks new drops up.",
)
def solicomm_new_drop(context: SensorEvaluationContext):
    try:
        landing = configured_landing()
    except Exception as exc:  # noqa: BLE001 - a broken sources file is the refresh's error to report
        return SkipReason(f"sources file not readable: {exc}")
    if landing is None:
        return SkipReason("SoliComm is not configured in the sources file")
    try:
        complete = [d for d in list_drops(landing) if (d.folder / MANIFEST).is_file()]
    except FileSourceError as exc:
        return SkipReason(str(exc))
    if not complete:
        return SkipReason(f"no complete drop in {landing}")
    newest = complete[-1].snapshot_date.isoformat()
    if context.cursor and newest <= context.cursor:
        return SkipReason(f"no drop newer than {context.cursor}")
    context.update_cursor(newest)
    return RunRequest(run_key=f"solicomm-{newest}", tags={"solicomm/drop": newest})


assets = [solicomm_drops]
sensors = [solicomm_new_drop]

