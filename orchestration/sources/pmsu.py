"""PMSU register of funding agreements (Excel workbook) → raw_pmsu.register, raw_pmsu.rates (contract: pmsu.md).

Hand-edited workbook: values are stripped of trailing spaces, amounts typed as text with spaces, commas
(or apostrophes) as thousands separators are read as numbers, blank rows are skipped. A Signed agreement
whose amount is not a number or which has no signing date, an unparseable date or a duplicate Ref is a
clear error naming the Ref (nothing is written). A row with data but no Ref is set aside in
raw_pmsu.rejects. The loader only loads: the conversion to euros at the signing month's rate is dbt's
(models/intermediate/agreements/int_agreements__in_euros.sql).
"""
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import FileSourceError, ParsedTable, Reject, SourceFile, file_source, parse_text_date

SYSTEM = "pmsu"
SECTION_KEYS = ("workbook",)

REGISTER_COLUMNS = ["Ref", "Partner", "Partner category", "Country", "Amount", "Currency", "Signed on", "Period",
                    "Status", "Notes"]
RATES_COLUMNS = ["Month", "Currency", "Rate"]
STATUSES = {"signed": "Signed", "draft": "Draft", "cancelled": "Cancelled", "canceled": "Cancelled"}

CONTRACTS = [
    TableContract(
        "register",
        (Column("ref"), Column("partner"), Column("partner_category"), Column("country"), Column("amount", "float"),
         Column("currency"), Column("signed_on", "date"), Column("period"), Column("status"), Column("notes"),
         Column("sheet_row", "int")),
        key=("ref",),
        watermark="max(signed_on)",
        description="PMSU funding agreements, one row per Ref, cleaned; history kept",
    ),
    TableContract(
        "rates", (Column("month"), Column("currency"), Column("rate", "float")), key=("month", "currency"),
        description="Monthly UN operational rates (euros per unit), one row per month and currency",
    ),
]


def column_name(label: str) -> str:
    return re.sub(r"\s+", "_", label.strip().lower())


_SEPARATORS = re.compile(r"[\s\u00a0\u202f'’]")


def parse_amount(value: object) -> float | None:
    """A number typed as text: `1 234 567`, `1,234,567`, `1234567 `, `1,234.50`, `1234,5`."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if pd.isna(value) else float(value)
    text = _SEPARATORS.sub("", str(value))
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(",", "")  # commas as thousands separators, dot decimal
    elif "," in text:
        text = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text) else text.replace(",", ".")
    return float(text)  # ValueError when it is not a number


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _month(value: object) -> str | None:
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    text = _text(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(-\d{1,2})?( .*)?", text)
    if not match:
        raise ValueError(f"unparseable month {text!r}")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def _sheet_rows(workbook, path: Path, sheet: str, required: list[str]):
    """(header index by column name, [(row number, values)]) of a sheet; blank rows skipped."""
    if sheet not in workbook.sheetnames:
        raise FileSourceError(f"{path}: required sheet '{sheet}' is missing")
    rows = workbook[sheet].iter_rows(values_only=True)
    header_row = next(rows, None) or ()
    header = {column_name(str(h)): i for i, h in enumerate(header_row) if h is not None and str(h).strip()}
    missing = [label for label in required if column_name(label) not in header]
    if missing:
        raise FileSourceError(f"{path}: sheet '{sheet}' is missing required column(s) {', '.join(missing)}")
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append((number, values))
    return header, out


def read_workbook(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[Reject]]:
    """(register, rates, rejects); raises FileSourceError naming the Ref of any agreement it cannot read."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rate_header, rate_rows = _sheet_rows(workbook, path, "Rates", RATES_COLUMNS)
        reg_header, reg_rows = _sheet_rows(workbook, path, "Register", REGISTER_COLUMNS)
    finally:
        workbook.close()

    def cell(values, header, label):
        i = header[column_name(label)]
        return values[i] if i < len(values) else None

    rates, errors = {}, []
    for number, values in rate_rows:
        try:
            month = _month(cell(values, rate_header, "Month"))
            currency = (_text(cell(values, rate_header, "Currency")) or "").upper()
            rate = parse_amount(cell(values, rate_header, "Rate"))
        except ValueError as exc:
            errors.append(f"sheet Rates row {number}: {exc}")
            continue
        if month and currency and rate is not None:
            rates[(month, currency)] = rate
    rates_frame = pd.DataFrame(
        [(m, c, r) for (m, c), r in sorted(rates.items())], columns=["month", "currency", "rate"]
    )

    register, rejects = [], []
    for number, values in reg_rows:
        row = {column_name(label): cell(values, reg_header, label) for label in REGISTER_COLUMNS}
        ref = _text(row["ref"])
        if ref is None:
            raw = "; ".join("" if v is None else str(v) for v in values)
            rejects.append(Reject(number, "missing Ref", raw))
            continue
        status_text = _text(row["status"]) or ""
        status = STATUSES.get(status_text.lower(), status_text or None)
        signed = status == "Signed"
        try:
            amount = parse_amount(row["amount"])
        except ValueError:
            amount = None
            if signed:
                errors.append(f"agreement {ref} (Register row {number}): Amount {row['amount']!r} is not a number")
        try:
            signed_on = parse_text_date(row["signed_on"])
        except ValueError:
            signed_on = None
            errors.append(f"agreement {ref} (Register row {number}): Signed on {row['signed_on']!r} is not a date")
        if signed and signed_on is None:
            errors.append(f"agreement {ref} (Register row {number}) is Signed but has no 'Signed on' date")
        register.append({
            "ref": ref, "partner": _text(row["partner"]), "partner_category": _text(row["partner_category"]),
            "country": _text(row["country"]), "amount": amount,
            "currency": (_text(row["currency"]) or "").upper() or None,
            "signed_on": pd.Timestamp(signed_on) if signed_on else pd.NaT, "period": _text(row["period"]),
            "status": status, "notes": _text(row["notes"]), "sheet_row": number,
        })
    frame = pd.DataFrame(register, columns=[c.name for c in CONTRACTS[0].columns])
    duplicated = frame.loc[frame["ref"].duplicated(), "ref"].tolist()
    if duplicated:
        errors.append(f"duplicate Ref(s) {', '.join(sorted(set(duplicated)))}")
    if errors:
        raise FileSourceError(f"PMSU workbook {path}: " + "; ".join(errors))
    return frame, rates_frame, rejects


def files(sources) -> list[SourceFile]:
    return [SourceFile(sources.file(SYSTEM, "workbook"), "PMSU workbook")]


def parse(item: SourceFile, data: bytes) -> dict[str, ParsedTable]:
    register, rates, rejects = read_workbook(item.path)
    return {"register": ParsedTable(register, rejects, len(register) + len(rejects)), "rates": ParsedTable(rates)}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="pmsu_workbook", compute_kind="excel")]
pmsu_workbook = assets[0]
