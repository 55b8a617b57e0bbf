"""Unit submissions (CSV, or the first sheet of an .xlsx) → raw_submissions.submissions and
raw_submissions.refused (contract: submissions.md).

Every row is validated against the indicator catalogue (orchestration/catalogue.py): an unknown
indicator code or measure, a submission for an indicator computed from records, an unparseable value or
date are refused — kept in raw_submissions.refused with the reason, logged, and counted in the metadata
(`rows_rejected`, `refused`). Accepted rows are all kept (history, one row per indicator, measure,
period, submitted_on and submitted_by); `is_current` marks, per (indicator_code, measure, period), the
row with the latest `submitted_on` (of equal dates, the later line). Rows removed from the file stay,
flagged `_vanished_at`, and are never current.

An unchanged file (same sha256) costs nothing. Full reload: run tag `warehouse/full_reload=true` or
WAREHOUSE_FULL_RELOAD=1, or run config `{"full_reload": true}`. One transaction for both tables.
"""
import hashlib
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration.catalogue import catalogue
from orchestration.settings import load_sources
from orchestration.sources.files import (
    FileExtractConfig,
    Column,
    FileSourceError,
    ensure_state_tables,
    ensure_table,
    full_reload_requested,
    loaded_sha,
    merge_snapshot,
    parse_records,
    parse_text_date,
    read_delimited,
    record_file_loaded,
    sources_section,
    DelimitedFile,
    Record,
)
from orchestration.warehouse import build_connection
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "submissions"
RAW_SCHEMA = "raw_submissions"
COLUMNS = ["indicator_code", "measure", "period", "value", "text", "submitted_by", "submitted_on"]
KEY = ["indicator_code", "measure", "period", "submitted_on", "submitted_by"]

TABLES = {
    "submissions": {
        "indicator_code": "varchar", "measure": "varchar", "period": "varchar", "value": "double",
        "text": "varchar", "submitted_by": "varchar", "submitted_on": "date", "line_number": "bigint",
        "source_file": "varchar", "is_current": "boolean",
    },
}
REFUSED_DDL = (
    "source_file varchar, line_number bigint, indicator_code varchar, measure varchar, period varchar, "
    "value varchar, text varchar, submitted_by varchar, submitted_on varchar, reason varchar, refused_at timestamp"
)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "year"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path) -> DelimitedFile:
    """The submissions file as records: a CSV, or the first sheet of an Excel workbook."""
    if not path.is_file():
        raise FileSourceError(f"submissions file {path} is missing")
    data = path.read_bytes()
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_delimited(path, ",", data=data)
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None) or ()
        header = [str(h).strip().lower() if h is not None else "" for h in header_row]
        records = []
        for number, values in enumerate(rows, start=2):
            fields = [_cell_text(v).strip() for v in values]
            if any(fields):
                records.append(Record(number, fields, ",".join(fields)))
    finally:
        workbook.close()
    return DelimitedFile(path, header, records, "xlsx", hashlib.sha256(data).hexdigest())


def validate(path: Path, table: DelimitedFile) -> tuple[pd.DataFrame, list[dict]]:
    """(accepted rows, refused rows with their reason)."""
    columns = [Column(c) for c in COLUMNS]
    frame, malformed = parse_records(str(path), table, columns)
    by_line = {r.line: r for r in table.records}
    index = {c: table.header.index(c) for c in COLUMNS}
    refused = []

    def refuse(line: int, reason: str) -> None:
        fields = by_line[line].fields
        row = {c: (fields[i].strip() if i < len(fields) else None) for c, i in index.items()}
        refused.append({"line_number": line, **row, "reason": reason})

    for reject in malformed:
        refuse(reject.line, reject.rule)
    cat = catalogue()
    accepted = []
    for row in frame.to_dict("records"):
        reason = cat.refusal(row["indicator_code"], row["measure"])
        value = None
        submitted_on = None
        if reason is None and not row["period"]:
            reason = "missing period"
        if reason is None and row["value"] is not None:
            try:
                value = float(str(row["value"]).replace(" ", "").replace("%", ""))
            except ValueError:
                reason = f"value {row['value']!r} is not a number"
        if reason is None:
            try:
                submitted_on = parse_text_date(row["submitted_on"])
            except ValueError:
                reason = f"unparseable submitted_on {row['submitted_on']!r}"
            if submitted_on is None and reason is None:
                reason = "missing submitted_on"
        if reason is None and value is None and not row["text"]:
            reason = "neither value nor text"
        if reason is not None:
            refuse(int(row["_line"]), reason)
            continue
        accepted.append({**row, "value": value, "submitted_on": pd.Timestamp(submitted_on),
                         "line_number": int(row["_line"])})
    out = pd.DataFrame(accepted, columns=COLUMNS + ["line_number"])
    # The same submission twice (same key): the later line is kept, the earlier refused as a duplicate.
    duplicate = out.duplicated(KEY, keep="last")
    for line in out.loc[duplicate, "line_number"]:
        refuse(int(line), "duplicate of a later line (same indicator, measure, period, date and unit)")
    out = out.loc[~duplicate].reset_index(drop=True)
    out["source_file"] = path.name
    out["submitted_on"] = pd.to_datetime(out["submitted_on"])
    out["value"] = out["value"].astype("Float64")
    refused.sort(key=lambda r: r["line_number"])
    return out, refused


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, "submissions"], group_name=SYSTEM,
                  description="Accepted unit submissions, every version kept; is_current marks the latest "
                              "per (indicator_code, measure, period)"),
        AssetSpec([SYSTEM, "refused"], group_name=SYSTEM,
                  description="Unit submissions refused (unknown indicator or measure, computed indicator, "
                              "malformed), with the reason"),
    ],
    compute_kind="csv",
    pool=BUILD_DB_POOL,
)
def unit_submissions(context: AssetExecutionContext, config: FileExtractConfig):
    sources = load_sources()
    with build_connection() as con:
        ensure_table(con, RAW_SCHEMA, "submissions", TABLES["submissions"])
        con.execute(f"create table if not exists {RAW_SCHEMA}.refused ({REFUSED_DDL})")
        ensure_state_tables(con, RAW_SCHEMA)
        if sources_section(sources, SYSTEM) is None:
            context.log.warning("unit submissions are not configured in the sources file: nothing extracted")
            for table in ("submissions", "refused"):
                yield MaterializeResult(asset_key=[SYSTEM, table], metadata={
                    "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": "", "configured": False})
            return
        path = sources.file(SYSTEM, "file")
        table = read_table(path)
        if not full_reload_requested(context, config) and loaded_sha(con, RAW_SCHEMA, path.name) == table.sha256:
            newest = con.execute(f"select max(submitted_on)::varchar from {RAW_SCHEMA}.submissions").fetchone()[0]
            for name in ("submissions", "refused"):
                yield MaterializeResult(asset_key=[SYSTEM, name], metadata={
                    "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": newest or "",
                    "skipped": f"{path.name} unchanged since it was last loaded"})
            return
        accepted, refused = validate(path, table)
        con.begin()
        try:
            merge = merge_snapshot(con, RAW_SCHEMA, "submissions", accepted.assign(is_current=False), KEY)
            con.execute(
                f"update {RAW_SCHEMA}.submissions t set is_current = coalesce(c.is_current, false) "
                f"from {RAW_SCHEMA}.submissions s left join (select indicator_code, measure, period, "
                "submitted_on, submitted_by, row_number() over (partition by indicator_code, measure, period "
                "order by submitted_on desc, line_number desc) = 1 as is_current "
                f"from {RAW_SCHEMA}.submissions where _vanished_at is null) c using "
                "(indicator_code, measure, period, submitted_on, submitted_by) "
                "where t.indicator_code = s.indicator_code and t.measure = s.measure and t.period = s.period "
                "and t.submitted_on = s.submitted_on and t.submitted_by = s.submitted_by"
            )
            con.execute(f"delete from {RAW_SCHEMA}.refused")
            if refused:
                con.executemany(
                    f"insert into {RAW_SCHEMA}.refused values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
                    [(path.name, r["line_number"], *(r.get(c) for c in COLUMNS), r["reason"]) for r in refused],
                )
            record_file_loaded(con, RAW_SCHEMA, path.name, path, table.sha256, len(table.records),
                               len(accepted), len(refused))
            con.commit()
        except Exception:
            con.rollback()
            raise
    for r in refused:
        context.log.warning(
            f"submission refused ({path.name} line {r['line_number']}): {r['indicator_code']} {r['measure']} "
            f"{r['period']} by {r['submitted_by']}: {r['reason']}"
        )
    newest = accepted["submitted_on"].max() if len(accepted) else None
    watermark = newest.date().isoformat() if newest is not None and not pd.isna(newest) else ""
    refused_text = "; ".join(f"line {r['line_number']} {r['indicator_code']} {r['measure']}: {r['reason']}"
                             for r in refused) or "none"
    yield MaterializeResult(asset_key=[SYSTEM, "submissions"], metadata={
        "rows_read": len(table.records), "rows_loaded": len(accepted), "rows_rejected": len(refused),
        "rows_vanished": merge.rows_vanished, "refused": refused_text, "watermark": watermark})
    yield MaterializeResult(asset_key=[SYSTEM, "refused"], metadata={
        "rows_read": len(refused), "rows_loaded": len(refused), "rows_rejected": 0, "refused": refused_text,
        "watermark": watermark})


assets = [unit_submissions]
