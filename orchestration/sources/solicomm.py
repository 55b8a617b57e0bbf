"""SoliComm nightly CSV drops → raw_solicomm.* (contract: solicomm.md).

Every run loads, in date order, every complete drop newer than the newest drop already loaded (on the
first run: all of them), so what the warehouse counts does not depend on when it was started.

- Complete = `manifest.json` exists and every file's sha256 and data-row count agree with it. An
  incomplete or disagreeing drop is not loaded: a warning names it (and the failed check
  `solicomm_drops_loaded_cleanly` shows it); the previous snapshot stays in force. Once a later drop has
  loaded, an earlier drop that never loaded is superseded and not loaded afterwards (a full reload
  replays every drop in the landing folder, in order).
- Encoding by byte-order mark: UTF-8 with BOM, else UTF-8, else Windows-1252 (drops before 2022-06-01).
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

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
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
    DelimitedFile, FileSourceError, Record, Reject, mask_emails, parse_records, read_delimited, sources_section, to_arrow,
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


def read_verified_drop(drop: Drop) -> tuple[dict[str, DelimitedFile], str]:
    """The three files of a drop, checked against the manifest (sha256 and data-row count).

    Returns the parsed files and the manifest's sha256; raises DropNotLoadable naming what disagrees.
    """
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
        data = path.read_bytes()
        parsed = read_delimited(path, ";", data=data)
        expected_sha = str(listed[file_name].get("sha256", "")).lower()
        if parsed.sha256 != expected_sha:
            raise DropNotLoadable(f"{name}: {file_name} sha256 {parsed.sha256} disagrees with the manifest's "
                                  f"{expected_sha or '(none)'}")
        expected_rows = listed[file_name].get("rows")
        if expected_rows is None or int(expected_rows) != len(parsed.records):
            raise DropNotLoadable(f"{name}: {file_name} has {len(parsed.records)} data rows, the manifest "
                                  f"says {expected_rows}")
        files[table] = parsed
    return files, hashlib.sha256(manifest_bytes).hexdigest()


# ------------------------------------------------------------------------------------------ parsing


def _member_mask(header: list[str]):
    personal = [header.index(c) for c in (MEMBERS.email, MEMBERS.first, MEMBERS.last, MEMBERS.birth_year)
                if c in header]

    def mask(record: Record) -> str:
        fields = list(record.fields)
        if len(fields) == len(header):
            for i in personal:
                if fields[i]:
                    fields[i] = "***"
        else:  # fields may have shifted: keep only the first (the member id)
            fields = fields[:1] + ["***" if f else "" for f in fields[1:]]
        return mask_emails(";".join(fields))

    return mask


@dataclass
class ParsedDrop:
    frames: dict[str, pd.DataFrame]
    rejects: dict[str, list[Reject]]
    rows_read: dict[str, int]
    problems: list[str] = field(default_factory=list)  # files over the reject limit

    @property
    def rows_rejected(self) -> int:
        return sum(len(r) for r in self.rejects.values())


def _reject_duplicates(frame: pd.DataFrame, key: str, records: dict[int, Record], mask, rejects: list[Reject]):
    dup = frame.duplicated(key, keep="first")
    for line in frame.loc[dup, "_line"]:
        rejects.append(Reject(int(line), f"duplicate {key}", mask(records[int(line)])))
    return frame.loc[~dup]


def parse_drop(drop: Drop, files: dict[str, DelimitedFile]) -> ParsedDrop:
    frames, rejects, rows_read = {}, {}, {}
    for table, contract in CONTRACT.items():
        columns = [c for c in contract.columns if not c.derived]
        parsed = files[table]
        where = f"SoliComm drop {drop.snapshot_date}: {table}.csv"
        mask = _member_mask(parsed.header) if table == "members" else (lambda r: mask_emails(r.raw))
        frame, table_rejects = parse_records(where, parsed, columns, mask=mask)
        records = {r.line: r for r in parsed.records}
        frame = _reject_duplicates(frame, KEYS[table], records, mask, table_rejects)
        if table == "enrolments":
            for ref, parent in (("member_id", "members"), ("course_id", "courses")):
                known = set(frames[parent][KEYS[parent]].tolist())
                missing = pd.Series([v not in known for v in frame[ref].tolist()], index=frame.index, dtype=bool)
                for line in frame.loc[missing, "_line"]:
                    table_rejects.append(
                        Reject(int(line), f"{ref} not in the drop's {parent}.csv", mask(records[int(line)]))
                    )
                frame = frame.loc[~missing]
        frames[table] = frame
        rejects[table] = sorted(table_rejects, key=lambda r: r.line)
        rows_read[table] = len(parsed.records)

    for table, frame in frames.items():
        frames[table] = frame.drop(columns=["_line"]).assign(snapshot_date=pd.Timestamp(drop.snapshot_date))

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
                files, manifest_sha = read_verified_drop(drop)
                parsed = parse_drop(drop, files)
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

