"""PMSU register of funding agreements (Excel workbook) → raw_pmsu.register, raw_pmsu.rates (contract: pmsu.md).

Hand-edited workbook: values are stripped of trailing spaces, amounts typed as text with spaces, commas
(or apostrophes) as thousands separators are read as numbers, blank rows are skipped. Every agreement
gets `amount_eur` at the rate of its signing month (sheet Rates: euros for one unit; EUR needs no rate),
with the rate and month used. A Signed agreement whose month/currency has no rate, whose amount is not a
number or which has no signing date is a clear error naming its Ref (nothing is written). A row with
data but no Ref is set aside in raw_pmsu.rejects.

An unchanged workbook (same sha256 as the last one loaded) costs nothing. Full reload: run tag
`warehouse/full_reload=true`, WAREHOUSE_FULL_RELOAD=1, or the asset's run config `{"full_reload": true}`.
"""
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration.settings import load_sources
from orchestration.sources.files import (
    FileExtractConfig,
    FileSourceError,
    Reject,
    ensure_rejects_table,
    ensure_state_tables,
    ensure_table,
    full_reload_requested,
    loaded_sha,
    merge_snapshot,
    parse_text_date,
    record_file_loaded,
    replace_rejects,
    sha256_of,
    sources_section,
)
from orchestration.warehouse import build_connection
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "pmsu"
RAW_SCHEMA = "raw_pmsu"

REGISTER_COLUMNS = ["Ref", "Partner", "Partner category", "Country", "Amount", "Currency", "Signed on", "Period",
                    "Status", "Notes"]
RATES_COLUMNS = ["Month", "Currency", "Rate"]
STATUSES = {"signed": "Signed", "draft": "Draft", "cancelled": "Cancelled", "canceled": "Cancelled"}

TABLES = {
    "register": {
        "ref": "varchar", "partner": "varchar", "partner_category": "varchar", "country": "varchar",
        "amount": "double", "currency": "varchar", "signed_on": "date", "period": "varchar", "status": "varchar",
        "notes": "varchar", "rate_month": "varchar", "rate_eur_per_unit": "double", "amount_eur": "double",
        "sheet_row": "bigint",
    },
    "rates": {"month": "varchar", "currency": "varchar", "rate": "double"},
}


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
    """(register, rates, rejects); raises FileSourceError naming the Ref of any agreement it cannot convert."""
    from openpyxl import load_workbook

    if not path.is_file():
        raise FileSourceError(f"PMSU workbook {path} is missing")
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

    register, rejects, missing_rates = [], [], []
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
        currency = (_text(row["currency"]) or "").upper() or None
        if signed and signed_on is None:
            errors.append(f"agreement {ref} (Register row {number}) is Signed but has no 'Signed on' date")
        rate_month = f"{signed_on.year:04d}-{signed_on.month:02d}" if signed_on else None
        rate = None
        if rate_month and currency:
            rate = 1.0 if currency == "EUR" else rates.get((rate_month, currency))
            if rate is None and signed:
                missing_rates.append(f"{ref} ({currency} {rate_month})")
        register.append({
            "ref": ref, "partner": _text(row["partner"]), "partner_category": _text(row["partner_category"]),
            "country": _text(row["country"]), "amount": amount, "currency": currency,
            "signed_on": pd.Timestamp(signed_on) if signed_on else pd.NaT, "period": _text(row["period"]),
            "status": status, "notes": _text(row["notes"]), "rate_month": rate_month,
            "rate_eur_per_unit": rate,
            "amount_eur": amount * rate if amount is not None and rate is not None else None,
            "sheet_row": number,
        })
    if missing_rates:
        errors.append(
            f"no rate in sheet Rates for the signing month of Signed agreement(s) {', '.join(missing_rates)}"
        )
    frame = pd.DataFrame(register, columns=list(TABLES["register"]))
    duplicated = frame.loc[frame["ref"].duplicated(), "ref"].tolist()
    if duplicated:
        errors.append(f"duplicate Ref(s) {', '.join(sorted(set(duplicated)))}")
    if errors:
        raise FileSourceError(f"PMSU workbook {path}: " + "; ".join(errors))
    frame["signed_on"] = pd.to_datetime(frame["signed_on"])
    return frame, rates_frame, rejects


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, "register"], group_name=SYSTEM,
                  description="PMSU funding agreements, one row per Ref, cleaned, with amount_eur; history kept"),
        AssetSpec([SYSTEM, "rates"], group_name=SYSTEM,
                  description="Monthly UN operational rates (euros per unit), one row per month and currency"),
    ],
    compute_kind="excel",
    pool=BUILD_DB_POOL,
)
def pmsu_workbook(context: AssetExecutionContext, config: FileExtractConfig):
    """Read the PMSU workbook when its content changed; one transaction for both tables."""
    sources = load_sources()
    with build_connection() as con:
        for table, columns in TABLES.items():
            ensure_table(con, RAW_SCHEMA, table, columns)
        ensure_state_tables(con, RAW_SCHEMA)
        ensure_rejects_table(con, RAW_SCHEMA)
        if sources_section(sources, SYSTEM) is None:
            context.log.warning("PMSU is not configured in the sources file: nothing extracted")
            for table in TABLES:
                yield MaterializeResult(asset_key=[SYSTEM, table], metadata={
                    "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": "", "configured": False})
            return
        path = sources.file(SYSTEM, "workbook")
        if not path.is_file():
            raise FileSourceError(f"PMSU workbook {path} is missing")
        sha = sha256_of(path)
        if not full_reload_requested(context, config) and loaded_sha(con, RAW_SCHEMA, path.name) == sha:
            for table in TABLES:
                yield MaterializeResult(asset_key=[SYSTEM, table], metadata={
                    "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": sha,
                    "skipped": f"{path.name} unchanged since it was last loaded"})
            return
        register, rates, rejects = read_workbook(path)
        con.begin()
        try:
            reg = merge_snapshot(con, RAW_SCHEMA, "register", register, ["ref"])
            rat = merge_snapshot(con, RAW_SCHEMA, "rates", rates, ["month", "currency"])
            replace_rejects(con, RAW_SCHEMA, path.name, rejects)
            record_file_loaded(con, RAW_SCHEMA, path.name, path, sha, len(register) + len(rejects),
                               len(register), len(rejects))
            con.commit()
        except Exception:
            con.rollback()
            raise
    for message in rejects:
        context.log.warning(f"PMSU {path.name} Register row {message.line}: {message.rule}")
    yield MaterializeResult(asset_key=[SYSTEM, "register"], metadata={
        "rows_read": len(register) + len(rejects), "rows_loaded": reg.rows_loaded, "rows_rejected": len(rejects),
        "rows_vanished": reg.rows_vanished, "watermark": sha})
    yield MaterializeResult(asset_key=[SYSTEM, "rates"], metadata={
        "rows_read": len(rates), "rows_loaded": rat.rows_loaded, "rows_rejected": 0,
        "rows_vanished": rat.rows_vanished, "watermark": sha})


assets = [pmsu_workbook]
