"""The data-quality page beside the Annex 1 report: reports/quality_en.html and quality_fr.html.

What the last nights loaded, refused and resolved, for the Centre's data stewards: per source the rows
loaded and vanished by night, the rows the loaders rejected by rule, the SoliComm drops refused, the unit
submissions refused, the rows vanished and erased, identity resolution (links by rule, person sizes, the
largest persons, which flag over-merging), the probable-duplicate review queue, and each source's freshness.

Every figure has one home: the public `data_quality_*` marts (dbt_project/models/marts/quality/) and
`source_watermarks`, read from the published marts.duckdb, and the review queue's own file
(orchestration/stewardship/queue.py), read when it exists. The page only selects, orders and formats
them; it works out only the totals of records and persons (sums of data_quality_component_sizes) and a
source's staleness (its last extraction against the newest source's).
Pseudonymous keys only: person keys and record keys, never a name. A missing table (an older build)
leaves its section saying so; the page never fails the figures' publication (asset.py, write.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb

from orchestration.reports.data import read_table, table_columns
from orchestration.reports.formats import format_number, format_percent, format_timestamp
from orchestration.reports.texts import messages

QUALITY_NAMES = {"en": "quality_en.html", "fr": "quality_fr.html"}
NIGHTS_SHOWN = 7
QUEUE_PAIRS_SHOWN = 10
# A source whose last extraction is this much older than the newest source's was not read by the last night.
STALE_AFTER = timedelta(hours=20)

QUALITY_TABLES = {
    "data_quality_loads": ("source_system", "night", "extractions", "rows_loaded", "rows_vanished", "rows_held"),
    "data_quality_rejects": ("source_system", "night", "file_name", "snapshot_date", "rule", "rows_rejected"),
    "data_quality_refused_drops": ("night", "snapshot_date", "reason"),
    "data_quality_refused_submissions": ("source_file", "reason", "rows_refused"),
    "data_quality_vanished": ("source_system", "table_name", "rows_held", "rows_vanished", "rows_erased",
                              "last_vanished_at"),
    "data_quality_identity_rules": ("rule", "links", "records_linked", "persons"),
    "data_quality_component_sizes": ("records", "persons", "records_total"),
    "data_quality_largest_components": ("size_rank", "person_key", "records", "map_records", "ecampus_records",
                                        "solicomm_records", "links", "links_by_rule"),
    "source_watermarks": ("source_system", "last_extracted_at", "data_watermark", "rows_held"),
}
QUEUE_COLUMNS = ("pair_key", "match_probability", "evidence", "source_system_l", "source_system_r",
                 "person_key_l", "person_key_r", "counted_enrolments_l", "counted_enrolments_r", "scored_at")


@dataclass
class QualityData:
    tables: dict[str, list[dict[str, Any]] | None]  # QUALITY_TABLES name -> rows (None: not in the marts)
    nights: list[Any]  # the nights shown, newest first
    queue: list[dict[str, Any]] | None  # None: the review queue has not run yet
    queue_size: int
    queue_scored_at: Any
    generated_at: str
    marts_db: Path
    notes: list[str] = field(default_factory=list)


def queue_db_path() -> Path:
    from orchestration.stewardship.queue import queue_db_path as path

    return path()


def read_queue(path: Path) -> tuple[list[dict[str, Any]] | None, int, Any]:
    """The queue's top pairs (highest probability first), its size and when it was scored; None if absent."""
    from orchestration.stewardship.queue import QUEUE_TABLE

    if not path.exists():
        return None, 0, None
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = read_table(con, table_columns(con), QUEUE_TABLE, QUEUE_COLUMNS)
    finally:
        con.close()
    if rows is None:
        return None, 0, None
    scored = [r["scored_at"] for r in rows if r["scored_at"] is not None]
    rows.sort(key=lambda r: (-(r["match_probability"] or 0), r["pair_key"] or ""))
    return rows[:QUEUE_PAIRS_SHOWN], len(rows), max(scored) if scored else None


def load_quality_data(marts_db: Path, queue_db: Path | None = None, nights: int = NIGHTS_SHOWN) -> QualityData:
    marts_db = Path(marts_db)
    if not marts_db.exists():
        raise FileNotFoundError(f"{marts_db} does not exist: run the refresh first")
    con = duckdb.connect(str(marts_db), read_only=True)
    try:
        present = table_columns(con)
        tables = {name: read_table(con, present, name, columns) for name, columns in QUALITY_TABLES.items()}
    finally:
        con.close()
    notes = [f"no {name} in the marts" for name, rows in tables.items() if rows is None]
    shown = sorted({r["night"] for r in tables["data_quality_loads"] or [] if r["night"] is not None},
                   reverse=True)[:nights]
    for name in ("data_quality_loads", "data_quality_rejects", "data_quality_refused_drops"):
        if tables[name] is not None:
            tables[name] = sorted((r for r in tables[name] if r["night"] in shown or not shown),
                                  key=lambda r: (-r["night"].toordinal() if r["night"] else 0,
                                                 *(str(r.get(k) or "") for k in ("source_system", "file_name",
                                                                                 "snapshot_date", "rule"))))
    order = {"data_quality_refused_submissions": lambda r: (-(r["rows_refused"] or 0), r["reason"] or ""),
             "data_quality_vanished": lambda r: (r["source_system"], r["table_name"]),
             "data_quality_identity_rules": lambda r: r["rule"] or "",
             "data_quality_component_sizes": lambda r: r["records"] or 0,
             "data_quality_largest_components": lambda r: r["size_rank"] or 0,
             "source_watermarks": lambda r: r["source_system"] or ""}
    for name, key in order.items():
        if tables[name] is not None:
            tables[name].sort(key=key)
    queue, size, scored_at = read_queue(queue_db if queue_db is not None else queue_db_path())
    return QualityData(tables=tables, nights=shown, queue=queue, queue_size=size, queue_scored_at=scored_at,
                       generated_at=format_timestamp(datetime.now(timezone.utc)), marts_db=marts_db, notes=notes)


def freshness_view(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each source's last extraction and data watermark; `stale` when the last night did not read it."""
    labels = messages(lang)["quality"]
    read = [r["last_extracted_at"] for r in rows if r["last_extracted_at"] is not None]
    newest = max(read) if read else None
    view = []
    for row in rows:
        at = row["last_extracted_at"]
        if at is None:
            state = "not_configured"
        else:
            state = "stale" if newest - at > STALE_AFTER else "fresh"
        view.append({"source": row["source_system"], "state": state, "state_label": labels["state"][state],
                     "extracted": format_timestamp(at) if at is not None else "—",
                     "watermark": row["data_watermark"] or "—",
                     "held": format_number(row["rows_held"] or 0, 0, lang)})
    return view


def render_quality_html(data: QualityData, lang: str) -> str:
    from orchestration.reports.html import HTML_NAMES, environment

    labels = messages(lang)
    number = lambda value: "—" if value is None else format_number(value, 0, lang)  # noqa: E731
    percent = lambda value: "—" if value is None else format_percent(100 * value, 1, lang)  # noqa: E731
    tables = data.tables
    sizes = tables["data_quality_component_sizes"]
    identity = None
    if sizes is not None:
        identity = {"records": number(sum(r["records_total"] for r in sizes)),
                    "persons": number(sum(r["persons"] for r in sizes)),
                    "largest": number(max((r["records"] for r in sizes), default=0))}
    other = "fr" if lang == "en" else "en"
    return environment().get_template("quality.html.j2").render(
        lang=lang, labels=labels, q=labels["quality"], t=tables, number=number, percent=percent,
        nights=[str(n) for n in data.nights], identity=identity,
        freshness=freshness_view(tables["source_watermarks"], lang) if tables["source_watermarks"] is not None else None,
        queue=data.queue, queue_size=number(data.queue_size),
        queue_scored_at=format_timestamp(data.queue_scored_at) if data.queue_scored_at is not None else None,
        other_href=QUALITY_NAMES[other], report_href=HTML_NAMES[lang], generated_at=data.generated_at,
        marts_db=data.marts_db.name, notes=data.notes,
    )
