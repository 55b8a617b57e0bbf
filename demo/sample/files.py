"""Writers of the file sources in their contract's shape, shared by the sample world and the file-source
tests (tests/fixtures/files/builders.py): a SoliComm drop with its manifest, a PMSU workbook."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

BOM = b"\xef\xbb\xbf"
UTF8_FROM = "2022-06-01"  # SoliComm drops before this date are Windows-1252 without a byte-order mark
DROP_FILES = ("members.csv", "courses.csv", "enrolments.csv")
REGISTER_HEADER = ["Ref", "Partner", "Partner category", "Country", "Amount", "Currency", "Signed on", "Period",
                   "Status", "Notes"]


def write_drop_files(landing: Path, snapshot_date: str, texts: dict[str, str], encoding: str | None = None,
                     manifest: bool = True, tamper: dict | None = None, rows: dict[str, int] | None = None) -> Path:
    """One drop folder `landing/<snapshot_date>` from the text of its three files, the manifest written last.

    Encoding by contract (cp1252 before 2022-06-01, else UTF-8 with BOM) unless given.
    rows: each file's data-row count for the manifest (default: its lines after the header).
    tamper: {"file.csv": {"rows": n} or {"sha256": "..."}} overrides manifest entries.
    """
    folder = landing / snapshot_date
    folder.mkdir(parents=True, exist_ok=True)
    if encoding is None:
        encoding = "cp1252" if snapshot_date < UTF8_FROM else "utf-8-sig"
    entries = {}
    for name in DROP_FILES:
        text = texts[name]
        data = BOM + text.encode("utf-8") if encoding == "utf-8-sig" else text.encode(encoding)
        (folder / name).write_bytes(data)
        count = rows[name] if rows else len([line for line in text.splitlines() if line]) - 1
        entries[name] = {"rows": count, "sha256": hashlib.sha256(data).hexdigest()}
    for name, override in (tamper or {}).items():
        entries[name].update(override)
    if manifest:
        (folder / "manifest.json").write_text(
            json.dumps({"snapshot_date": snapshot_date, "files": entries}), encoding="utf-8")
    return folder


def write_workbook(path: Path, register: list[list], rates: list[list], register_header=None) -> Path:
    """agreements.xlsx with sheets Register and Rates (rows as given; None rows are blank rows)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(register_header or REGISTER_HEADER)
    for row in register:
        sheet.append(row if row is not None else [None] * len(REGISTER_HEADER))
    rates_sheet = workbook.create_sheet("Rates")
    rates_sheet.append(["Month", "Currency", "Rate"])
    for row in rates:
        rates_sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
