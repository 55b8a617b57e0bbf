"""The period sign-off register: WAREHOUSE_DIR/signoff/, apart from every file a refresh rewrites.

- `register.jsonl`: one JSON event per line, appended, never rewritten: `close` (a period's published figures
  signed off, with their provenance: the publication's run id and build time, each source's watermark, a hash
  of the sources file, the code version, who, when, the note) and `reopen` (who, when, why). Each event
  carries the hash of the previous one and its own (a hash chain): an edited, removed or reordered line is
  detected (`verify`).
- `<seq>-<period>/`: what a close froze, one Parquet file per part (written before its event is appended; the
  event holds each file's sha256): `figures` (every annex1_indicators row of the period, and of its two years
  when it is a biennium), `rows` (every fct_enrolments row of its years, with its person), `records` (the
  person of every identity record of a person counted in its years), `links` (the identity links touching
  them, with their rule), `submissions` (the units' current submissions of its periods). The last four let
  a later refresh attribute differences (annex1_restatements). A folder without its event means the register
  lost its last lines (truncated), which `verify` reports too.

Closing a biennium freezes the biennium and its two years: Annex 1 reports the three together. A year
already covered by a closed biennium (or a biennium one of whose years is closed) cannot be closed again;
reopening names the period that was closed.

The refresh loads the open sign-offs into the build database's `signoff` schema (`signoff_register`, read by
dbt's source `signoff`), so `annex1_restatements` and `annex1_indicators.is_signed_off` are built from them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.settings import PROJECT_ROOT, build_db_path, marts_db_path, sources_path, warehouse_dir

SIGNOFF_DIR_NAME = "signoff"
REGISTER_NAME = "register.jsonl"
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2}))?$")

# The parts a close freezes: (query on marts.duckdb attached as `marts` and build.duckdb as `build`) and the
# columns the loader gives their table in the build's `signoff` schema (with close_id first).
PARTS: dict[str, tuple[str, str]] = {
    "figures": (
        """select indicator_code, measure, period, period_type, value, value_text, unit, origin
           from marts.main.annex1_indicators where period in ({periods})""",
        "indicator_code varchar, measure varchar, period varchar, period_type varchar, value double, "
        "value_text varchar, unit varchar, origin varchar",
    ),
    "rows": (
        """select enrolment_key, source_system, channel, year, person_key, is_counted, has_vanished_from_source
           from marts.main.fct_enrolments where year in ({years})""",
        "enrolment_key varchar, source_system varchar, channel varchar, year integer, person_key varchar, "
        "is_counted boolean, has_vanished_from_source boolean",
    ),
    "records": (
        """select record_key, person_key from build.intermediate.int_persons_resolved
           where person_key in (select person_key from marts.main.fct_enrolments
                                where is_counted and year in ({years}))""",
        "record_key varchar, person_key varchar",
    ),
    "links": (
        """select l.record_key_a, l.record_key_b, l.rule from build.intermediate.int_identity_links l
           where l.record_key_a in (select record_key from frozen_records)
              or l.record_key_b in (select record_key from frozen_records)""",
        "record_key_a varchar, record_key_b varchar, rule varchar",
    ),
    "submissions": (
        """select indicator_code, measure, period, submitted_on, line_number
           from build.intermediate.int_submissions__accepted where is_current and period in ({periods})""",
        "indicator_code varchar, measure varchar, period varchar, submitted_on date, line_number bigint",
    ),
}
# Columns of the loaded `signoff.closes` table (one row per open sign-off and period it froze).
CLOSES_COLUMNS = ("close_id integer, closed_period varchar, period varchar, signed_by varchar, "
                  "signed_at timestamp, note varchar, run_id varchar, built_at timestamp")


class SignoffError(ValueError):
    """A sign-off or reopening that cannot be done (the message says why and what to do)."""


class RegisterCorrupt(SignoffError):
    """The register was edited, truncated or reordered: its hash chain or snapshots do not hold."""


@dataclass(frozen=True)
class Period:
    name: str  # as closed: `2022-23` or `2023`

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = PERIOD_PATTERN.match(text.strip())
        if not match or (match.group(2) and int(match.group(2)) != (int(match.group(1)) + 1) % 100):
            raise SignoffError(f"period {text!r}: expected a year (2023) or a biennium of two years (2022-23)")
        return cls(text.strip())

    @property
    def years(self) -> list[int]:
        first = int(self.name[:4])
        return [first, first + 1] if "-" in self.name else [first]

    @property
    def periods(self) -> list[str]:
        """What closing it freezes: a biennium and its two years, or the year."""
        return [self.name, *map(str, self.years)] if "-" in self.name else [self.name]


def signoff_dir(folder: Path | None = None) -> Path:
    return (folder or warehouse_dir()) / SIGNOFF_DIR_NAME


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _event_hash(event: dict[str, Any]) -> str:
    body = {k: v for k, v in event.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def code_version() -> str:
    """`git describe` of the checkout when there is one, else the installed package's version."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=10)
        if done.returncode == 0 and done.stdout.strip():
            return f"git {done.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"package {version('itcilo-warehouse')}"
    except PackageNotFoundError:
        return "unknown"


def read_events(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every event of the register, verified (RegisterCorrupt when the chain or a snapshot does not hold)."""
    register = signoff_dir(folder) / REGISTER_NAME
    events: list[dict[str, Any]] = []
    if register.exists():
        for number, line in enumerate(register.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                event = json.loads(line)
            except ValueError:
                raise RegisterCorrupt(f"{register}: line {number} is not a JSON event (truncated or edited)") from None
            previous = events[-1]["hash"] if events else None
            if event.get("seq") != number or event.get("previous") != previous or event.get("hash") != _event_hash(event):
                raise RegisterCorrupt(f"{register}: line {number} breaks the hash chain (an event was edited, "
                                      "removed or reordered); restore the register from a backup")
            events.append(event)
    verify_snapshots(events, folder)
    return events


def verify_snapshots(events: list[dict[str, Any]], folder: Path | None = None) -> None:
    base = signoff_dir(folder)
    closes = {event["seq"]: event for event in events if event["event"] == "close"}
    for seq, event in closes.items():
        for part, digest in event["snapshot"].items():
            path = base / event["snapshot_dir"] / f"{part}.parquet"
            if not path.exists() or _sha256(path) != digest:
                raise RegisterCorrupt(f"{path}: missing or changed since close #{seq} of {event['period']} "
                                      "(its sha256 is in the register)")
    if base.exists():
        for child in base.iterdir():
            seq = child.name.split("-", 1)[0]
            if child.is_dir() and seq.isdigit() and int(seq) not in closes:
                raise RegisterCorrupt(f"{child}: a close's snapshot with no event in {base / REGISTER_NAME} "
                                      "(the register lost its last lines?); restore it from a backup")


def open_closes(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The close event in force for each closed period name (as closed): closes not reopened since."""
    current: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["event"] == "close":
            current[event["period"]] = event
        else:
            current.pop(event["period"], None)
    return current


def signed_off_periods(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every period frozen now (a closed biennium's years included) → the close event that froze it."""
    return {period: event for event in open_closes(events).values() for period in event["periods"]}


def _append(folder: Path | None, event: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Append one event (the only way the register is written): chained to the last, fsynced."""
    event = {"seq": len(events) + 1, **event, "previous": events[-1]["hash"] if events else None}
    event["hash"] = _event_hash(event)
    base = signoff_dir(folder)
    base.mkdir(parents=True, exist_ok=True)
    with open(base / REGISTER_NAME, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return event


def _published_provenance(marts: Path, build: Path) -> dict[str, Any]:
    if not marts.exists():
        raise SignoffError(f"{marts} does not exist: the warehouse was never published; run a refresh first")
    with duckdb.connect(str(marts), read_only=True) as con:
        row = con.execute("select any_value(run_id), any_value(built_at)::varchar, any_value(source_watermarks)::varchar "
                          "from annex1_indicators").fetchone()
    if row[0] is None:
        raise SignoffError(f"{marts}: annex1_indicators is empty; nothing to sign off")
    if not build.exists():
        raise SignoffError(f"{build} is missing: rebuild it (a refresh) before signing off")
    with duckdb.connect(str(build), read_only=True) as con:
        built = con.execute("select any_value(run_id) from marts.annex1_indicators").fetchone()[0]
    if built != row[0]:
        raise SignoffError(f"{build} holds build {built}, not the published {row[0]} (a failed or unpublished "
                           "build since): run a refresh first, so the identity records match the figures")
    return {"run_id": row[0], "built_at": row[1], "source_watermarks": json.loads(row[2] or "{}")}


def close(period: str, by: str, note: str, folder: Path | None = None) -> dict[str, Any]:
    """Sign off `period`'s published figures; returns the close event. SignoffError when it cannot."""
    if not by.strip():
        raise SignoffError("--by: say who signs the period off")
    target = Period.parse(period)
    folder = folder or warehouse_dir()
    events = read_events(folder)
    frozen = signed_off_periods(events)
    for name in target.periods:
        if name in frozen:
            event = frozen[name]
            raise SignoffError(f"{name} is already signed off (close #{event['seq']} of {event['period']} by "
                               f"{event['by']} at {event['at']}); reopen {event['period']} first")
    marts, build = folder / marts_db_path().name, folder / build_db_path().name
    provenance = _published_provenance(marts, build)
    seq = len(events) + 1
    snapshot_dir = f"{seq:04d}-{target.name}"
    staging = signoff_dir(folder) / f".{snapshot_dir}.tmp"
    staging.mkdir(parents=True, exist_ok=True)
    periods = ", ".join(f"'{p}'" for p in target.periods)
    years = ", ".join(map(str, target.years))
    with duckdb.connect() as con:
        con.execute(f"attach '{marts}' as marts (read_only)")
        con.execute(f"attach '{build}' as build (read_only)")
        counts = {}
        for part, (query, _) in PARTS.items():
            con.execute(f"create temp table frozen_{part} as {query.format(periods=periods, years=years)}")
            con.execute(f"copy frozen_{part} to '{staging / (part + '.parquet')}' (format parquet)")
            counts[part] = con.execute(f"select count(*) from frozen_{part}").fetchone()[0]
    if counts["figures"] == 0:
        raise SignoffError(f"{marts}: annex1_indicators has no figure of {', '.join(target.periods)}")
    snapshot = {part: _sha256(staging / f"{part}.parquet") for part in PARTS}
    sources = sources_path()
    event = _append(folder, {
        "event": "close", "period": target.name, "periods": target.periods, "by": by, "at": _now(), "note": note,
        **provenance,
        "sources_file": str(sources), "sources_sha256": _sha256(sources) if sources.exists() else None,
        "code_version": code_version(), "snapshot_dir": snapshot_dir, "snapshot": snapshot, "rows": counts,
    }, events)
    staging.rename(signoff_dir(folder) / snapshot_dir)
    return event


def reopen(period: str, by: str, reason: str, folder: Path | None = None) -> dict[str, Any]:
    """Record the reopening of a closed period; returns the event. SignoffError when it is not closed."""
    if not by.strip() or not reason.strip():
        raise SignoffError("--by and --reason: say who reopens the period and why (both are recorded)")
    target = Period.parse(period)
    events = read_events(folder)
    closes = open_closes(events)
    if target.name not in closes:
        within = signed_off_periods(events).get(target.name)
        hint = f"; it is signed off as part of {within['period']}: reopen {within['period']}" if within else ""
        raise SignoffError(f"{target.name} is not signed off{hint}")
    return _append(folder, {"event": "reopen", "period": target.name, "by": by, "at": _now(), "reason": reason,
                            "reopens": closes[target.name]["seq"]}, events)


def register_fingerprint(folder: Path | None = None) -> str | None:
    """The hash of the register's last event (None: nothing ever signed off): a refresh rebuilds when it moves."""
    register = signoff_dir(folder) / REGISTER_NAME
    if not register.exists():
        return None
    lines = register.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1]).get("hash") if lines else None


def load_into(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> dict[str, int]:
    """(Re)write the build's `signoff` schema from the open sign-offs: closes, figures, rows, records, links,
    submissions (empty when nothing is signed off). Returns rows per table."""
    events = read_events(folder)
    closes = open_closes(events).values()
    base = signoff_dir(folder)
    con.execute("create schema if not exists signoff")
    con.execute(f"create or replace table signoff.closes ({CLOSES_COLUMNS})")
    for event in closes:
        for period in event["periods"]:
            con.execute("insert into signoff.closes values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [event["seq"], event["period"], period, event["by"], event["at"][:19], event["note"],
                         event["run_id"], event["built_at"]])
    rows = {"closes": con.execute("select count(*) from signoff.closes").fetchone()[0]}
    for part, (_, columns) in PARTS.items():
        con.execute(f"create or replace table signoff.{part} (close_id integer, {columns})")
        for event in closes:
            path = str(base / event["snapshot_dir"] / f"{part}.parquet").replace("'", "''")
            con.execute(f"insert into signoff.{part} by name select {event['seq']} as close_id, * "
                        f"from read_parquet('{path}')")
        rows[part] = con.execute(f"select count(*) from signoff.{part}").fetchone()[0]
    return rows


def signed_figures(folder: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(indicator, measure, period) → the signed figure and its close event, for every period frozen now
    (what the report prints for a signed-off period)."""
    events = read_events(folder)
    figures: dict[tuple[str, str, str], dict[str, Any]] = {}
    for event in open_closes(events).values():
        path = signoff_dir(folder) / event["snapshot_dir"] / "figures.parquet"
        with duckdb.connect() as con:
            for code, measure, period, value, text in con.execute(
                    f"select indicator_code, measure, period, value, value_text from read_parquet('{path}')").fetchall():
                figures[(code, measure, period)] = {"value": value, "text": text, "close": event}
    return figures
