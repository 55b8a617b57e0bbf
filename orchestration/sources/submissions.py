"""Unit submissions (CSV, or the first sheet of an .xlsx) → raw_submissions.submissions (contract: submissions.md).

The loader only loads: every well-formed row, its values as written, with its line and file; rows with a
wrong field count, a missing key value or a duplicate key go to raw_submissions.rejects. The rules are
dbt's (models/intermediate/submissions/): validation against the indicator catalogue (unknown indicator
or measure, computed indicator, malformed value or date: refused with the reason), and the latest
resubmission wins (`is_current`). Rows removed from the file stay, flagged `_vanished_at`.
"""
import hashlib
from pathlib import Path

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import (
    DelimitedFile, FileSourceError, ParsedTable, Record, SourceFile, file_source, parse_records, read_delimited,
)
from orchestration.extract.files import Reject, mask_emails

SYSTEM = "submissions"
SECTION_KEYS = ("file",)
KEY = ("indicator_code", "measure", "period", "submitted_on", "submitted_by")

CONTRACTS = [TableContract(
    "submissions",
    (Column("indicator_code", required=True), Column("measure", required=True), Column("period", required=True),
     Column("value"), Column("text"), Column("submitted_by", required=True), Column("submitted_on", required=True),
     Column("line_number", "int", derived=True), Column("source_file", derived=True)),
    key=KEY,
    watermark="max(try_cast(submitted_on as date))",
    description="Unit submissions as written, every version kept (validated and made current in dbt)",
)]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "year"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, data: bytes | None = None) -> DelimitedFile:
    """The submissions file as records: a CSV, or the first sheet of an Excel workbook."""
    if not path.is_file():
        raise FileSourceError(f"submissions file {path} is missing")
    data = path.read_bytes() if data is None else data
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


def files(sources) -> list[SourceFile]:
    return [SourceFile(sources.file(SYSTEM, "file"), "submissions file")]


def parse(item: SourceFile, data: bytes) -> dict[str, ParsedTable]:
    table = read_table(item.path, data)
    contract = CONTRACTS[0]
    frame, rejects = parse_records(str(item.path), table, [c for c in contract.columns if not c.derived])
    duplicate = frame.duplicated(list(KEY), keep="last")
    raw = {r.line: r.raw for r in table.records}
    rejects += [Reject(int(line), "duplicate of a later line (same indicator, measure, period, date and unit)",
                       mask_emails(raw[int(line)])) for line in frame.loc[duplicate, "_line"]]
    frame = frame.loc[~duplicate].rename(columns={"_line": "line_number"}).assign(source_file=item.path.name)
    return {"submissions": ParsedTable(frame, sorted(rejects, key=lambda r: r.line), len(table.records))}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="unit_submissions")]
unit_submissions = assets[0]
