"""The report's input: the published marts.duckdb, read read-only and defensively.

`annex1_indicators` is required; `indicator_catalogue` (names, dimensions, precision, order, and what the
report draws: chart series and headline tiles), `annex1_reconciliation`, `annex1_restatements` and
`fct_funding_agreements` are read when present. A missing table or column (an older build) degrades the
report, never fails it.

A signed-off period's figures are the signed ones, from the sign-off register beside marts.duckdb
(orchestration/signoff.py, read at once after a close); where today's value differs the figure keeps it
(`current_value`) for the report's marked note, and the restatements section lists the differences with
their causes (annex1_restatements, computed by the refresh).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import duckdb

from orchestration.reports.formats import format_timestamp
from orchestration.reports.periods import default_periods, is_biennium, period_sort_key
from orchestration.reports.texts import LANGUAGES, fallback_dimension, humanise

INDICATOR_COLUMNS = (
    "indicator_code", "measure", "period", "period_type", "value", "value_text", "unit",
    "baseline_value", "baseline_text", "baseline_period", "target_value", "target_text", "target_period",
    "status", "origin", "numerator", "denominator", "run_id", "built_at",
)
CATALOGUE_COLUMNS = (
    "indicator_code", "measure", "dimension_en", "dimension_fr", "name_en", "name_fr",
    "measure_name_en", "measure_name_fr", "unit", "origin", "direction", "published_decimals", "sort_order",
    "chart", "chart_label_en", "chart_label_fr", "headline_order",
)
RESTATEMENT_COLUMNS = (
    "indicator_code", "measure", "period", "closed_period", "signed_by", "signed_at", "signed_value",
    "signed_value_text", "current_value", "current_value_text", "difference", "is_restated", "causes",
    "rows_added", "rows_vanished", "persons_merged", "persons_split", "identity_links_added",
    "identity_links_removed", "is_resubmitted",
)
RECONCILIATION_COLUMNS = (
    "indicator_code", "measure", "period", "published_value", "published_text", "computed_value",
    "difference", "agrees", "explanation",
)
AGREEMENT_COLUMNS = ("partner_category", "signed_year", "signed_on", "signed_date", "amount_eur", "status")


@dataclass
class Figure:
    """One cell: a number, or a text result; with its status against target where one applies."""

    value: float | None = None
    text: str | None = None
    status: str | None = None
    period: str | None = None
    unit: str | None = None  # the row's own unit when it differs from the measure's (5.1: text, then percent)
    signed: bool = False  # the period is signed off: value and text are the signed ones
    current_value: float | None = None  # a signed figure's value today, when it differs (restated)
    current_text: str | None = None
    restated: bool = False

    @property
    def empty(self) -> bool:
        return self.value is None and self.text is None


@dataclass
class Line:
    """One row of the report: an indicator's measure."""

    code: str
    measure: str
    unit: str
    decimals: int
    origin: str | None
    direction: str | None
    dimension: dict[str, str]
    indicator_name: dict[str, str]
    measure_name: dict[str, str]
    baseline: Figure
    target: Figure
    figures: dict[str, Figure]
    order: tuple
    chart: str | None = None  # id of the chart the measure is a series of
    chart_label: dict[str, str | None] = field(default_factory=dict)
    headline_order: int | None = None  # position of its headline tile

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.measure)


@dataclass
class Reconciled:
    code: str
    measure: str
    period: str
    unit: str
    decimals: int
    published_value: float | None
    published_text: str | None
    computed_value: float | None
    difference: float | None
    agrees: bool | None
    explanation: str | None
    order: tuple


@dataclass
class Restated:
    """A signed-off figure whose current value differs, with what changed in its period since."""

    code: str
    measure: str
    period: str
    unit: str
    decimals: int
    signed_value: float | None
    signed_text: str | None
    current_value: float | None
    current_text: str | None
    difference: float | None
    causes: list[str]  # cause codes (annex1_restatements.causes)
    details: dict[str, Any]  # rows_added, rows_vanished, persons_merged, ... as read
    order: tuple


@dataclass
class ReportData:
    periods: list[str]
    lines: list[Line]
    reconciliation: list[Reconciled] | None
    series: dict[tuple[str, str], dict[str, float]]  # (code, measure) -> period -> value, every period
    targets: dict[tuple[str, str], float]
    agreements: list[dict[str, Any]] | None
    run_ids: list[str]
    built_at: str | None
    generated_at: str
    marts_db: Path
    notes: list[str] = field(default_factory=list)
    tables_read: list[str] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)  # close events in force for the periods shown
    restatements: list[Restated] | None = None  # None: no annex1_restatements in the marts (yet)


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Public tables and views of the marts file (default schema) and their columns, lower-cased."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = con.execute(
        "select lower(table_name), lower(column_name) from information_schema.columns "
        "where table_schema = 'main'"
    ).fetchall()
    for table, column in rows:
        found[table].add(column)
    return dict(found)


def read_table(con, tables: dict[str, set[str]], name: str, wanted: Iterable[str]) -> list[dict[str, Any]] | None:
    """The table's rows with every wanted column (None where the table lacks it); None if no table."""
    present = tables.get(name)
    if present is None:
        return None
    wanted = list(wanted)
    select = ", ".join(f'"{c}"' if c in present else f'null as "{c}"' for c in wanted)
    cursor = con.execute(f'select {select} from main."{name}"')
    return [dict(zip(wanted, row)) for row in cursor.fetchall()]


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_int(value: Any, default: int | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def code_sort_key(code: str) -> tuple:
    """Report order: 1.A, 1.B, 1.1a, 1.1b, 1.2 … 8.2, R, A.1 … C."""
    head, _, tail = code.partition(".")
    rank = (0, int(head)) if head.isdigit() else (1, {"R": 0}.get(head, 1), head)
    if not tail:
        sub = (0, "", 0, "")
    elif tail[0].isalpha():
        sub = (0, tail, 0, "")
    else:
        digits = re.match(r"\d+", tail).group(0)
        sub = (1, "", int(digits), tail[len(digits):])
    return (rank, sub)


def choose_reference(rows: list[dict[str, Any]], periods: list[str], prefix: str) -> Figure:
    """Baseline or target of a measure: from the row of the biennium asked if it has one, else any row."""
    wanted = [p for p in reversed(periods) if is_biennium(p)] + list(reversed(periods))
    ranked = sorted(rows, key=lambda r: (wanted.index(r["period"]) if r["period"] in wanted else len(wanted),
                                         [-x for x in period_sort_key(r["period"] or "")[:2]]))
    for row in ranked:
        value, text = as_float(row.get(f"{prefix}_value")), as_text(row.get(f"{prefix}_text"))
        if value is not None or text is not None:
            return Figure(value=value, text=text, period=as_text(row.get(f"{prefix}_period")))
    return Figure()


def load_report_data(marts_db: Path, periods: list[str] | None = None) -> ReportData:
    marts_db = Path(marts_db)
    if not marts_db.exists():
        raise FileNotFoundError(f"{marts_db} does not exist: run the refresh first")
    notes: list[str] = []
    con = duckdb.connect(str(marts_db), read_only=True)
    try:
        tables = table_columns(con)
        indicators = read_table(con, tables, "annex1_indicators", INDICATOR_COLUMNS)
        if indicators is None:
            raise ValueError(f"{marts_db} has no table annex1_indicators")
        catalogue_rows = read_table(con, tables, "indicator_catalogue", CATALOGUE_COLUMNS)
        reconciliation_rows = read_table(con, tables, "annex1_reconciliation", RECONCILIATION_COLUMNS)
        restatement_rows = read_table(con, tables, "annex1_restatements", RESTATEMENT_COLUMNS)
        agreement_rows = None
        agreement_columns = tables.get("fct_funding_agreements", set())
        if "partner_category" in agreement_columns and agreement_columns & {"signed_year", "signed_on", "signed_date"}:
            agreement_rows = read_table(con, tables, "fct_funding_agreements", AGREEMENT_COLUMNS)
    finally:
        con.close()
    tables_read = [name for name, rows in (("annex1_indicators", indicators), ("indicator_catalogue", catalogue_rows),
                                           ("annex1_reconciliation", reconciliation_rows),
                                           ("annex1_restatements", restatement_rows),
                                           ("fct_funding_agreements", agreement_rows)) if rows is not None]
    if catalogue_rows is None:
        notes.append("no indicator_catalogue: indicators shown by code and measure")

    for row in indicators:
        row["period"] = as_text(row["period"]) or ""
        row["indicator_code"] = as_text(row["indicator_code"]) or ""
        row["measure"] = as_text(row["measure"]) or ""
    available = {r["period"] for r in indicators}
    periods = list(periods) if periods else default_periods(available)

    catalogue: dict[tuple[str, str], dict[str, Any]] = {}
    for index, row in enumerate(catalogue_rows or []):
        key = (as_text(row["indicator_code"]) or "", as_text(row["measure"]) or "")
        row["_index"] = index
        catalogue.setdefault(key, row)

    by_measure: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in indicators:
        by_measure[(row["indicator_code"], row["measure"])].append(row)

    lines = [make_line(code, measure, catalogue.get((code, measure), {}), by_measure.get((code, measure), []),
                       periods)
             for code, measure in dict.fromkeys(list(catalogue) + list(by_measure))]
    if any(as_int(catalogue.get(l.key, {}).get("sort_order"), -1) >= 0 for l in lines):
        lines.sort(key=lambda l: (as_int(catalogue.get(l.key, {}).get("sort_order"), 10_000), l.order))
    else:
        lines.sort(key=lambda l: l.order)
    settle_names(lines)
    signoffs = apply_signed_figures(lines, marts_db.parent, periods, notes)

    units_of = {l.key: (l.unit, l.decimals, l.order) for l in lines}
    reconciliation = None
    if reconciliation_rows is not None:
        reconciliation = []
        for row in reconciliation_rows:
            key = (as_text(row["indicator_code"]) or "", as_text(row["measure"]) or "")
            unit, decimals, order = units_of.get(key, ("count", 0, (code_sort_key(key[0]), 10_000, key[1])))
            agrees = row["agrees"]
            reconciliation.append(Reconciled(
                code=key[0], measure=key[1], period=as_text(row["period"]) or "", unit=unit, decimals=decimals,
                published_value=as_float(row["published_value"]), published_text=as_text(row["published_text"]),
                computed_value=as_float(row["computed_value"]), difference=as_float(row["difference"]),
                agrees=None if agrees is None else bool(agrees), explanation=as_text(row["explanation"]),
                order=order,
            ))
        reconciliation.sort(key=lambda r: (r.order, period_sort_key(r.period)))

    restatements = None
    if restatement_rows is not None:
        restatements = []
        for row in restatement_rows:
            key = (as_text(row["indicator_code"]) or "", as_text(row["measure"]) or "")
            if not row["is_restated"] or (as_text(row["period"]) or "") not in periods:
                continue
            unit, decimals, order = units_of.get(key, ("count", 0, (code_sort_key(key[0]), 10_000, key[1])))
            restatements.append(Restated(
                code=key[0], measure=key[1], period=as_text(row["period"]) or "", unit=unit, decimals=decimals,
                signed_value=as_float(row["signed_value"]), signed_text=as_text(row["signed_value_text"]),
                current_value=as_float(row["current_value"]), current_text=as_text(row["current_value_text"]),
                difference=as_float(row["difference"]),
                causes=[c.strip() for c in (as_text(row["causes"]) or "").split(",") if c.strip()],
                details={name: row[name] for name in ("rows_added", "rows_vanished", "persons_merged",
                                                      "persons_split", "identity_links_added",
                                                      "identity_links_removed")},
                order=order,
            ))
        restatements.sort(key=lambda r: (r.order, period_sort_key(r.period)))

    series: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    targets: dict[tuple[str, str], float] = {}
    for line in lines:
        for period, figure in line.figures.items():
            if figure.value is not None:
                series[line.key][period] = figure.value
        if line.target.value is not None:
            targets[line.key] = line.target.value

    run_ids = sorted({str(r["run_id"]) for r in indicators if r.get("run_id") is not None})
    built = [r["built_at"] for r in indicators if r.get("built_at") is not None]
    if agreement_rows is None:
        notes.append("no fct_funding_agreements: agreements chart left out")
    return ReportData(
        periods=periods, lines=lines, reconciliation=reconciliation, series=dict(series), targets=targets,
        agreements=agreement_rows, run_ids=run_ids, built_at=format_timestamp(max(built)) if built else None,
        generated_at=format_timestamp(datetime.now(timezone.utc)), marts_db=marts_db, notes=notes,
        tables_read=tables_read, signoffs=signoffs, restatements=restatements,
    )


def apply_signed_figures(lines: list[Line], folder: Path, periods: list[str], notes: list[str]) -> list[dict]:
    """Print a signed-off period's signed figures: each figure of a frozen period takes its signed value, and
    keeps today's as `current_value` when they differ. Returns the close events of the periods shown."""
    from orchestration.signoff import SignoffError, signed_figures

    try:
        signed = signed_figures(folder)
    except SignoffError as error:
        notes.append(f"sign-off register unreadable, current values shown: {error}")
        return []
    closes: dict[int, dict] = {}
    for line in lines:
        for period in periods:
            entry = signed.get((line.code, line.measure, period))
            if entry is None:
                continue
            closes[entry["close"]["seq"]] = entry["close"]
            figure = line.figures.get(period) or Figure(period=period)
            value, text = as_float(entry["value"]), as_text(entry["text"])
            restated = (figure.value is None) != (value is None) or figure.text != text or (
                value is not None and abs(figure.value - value) > 1e-9)
            line.figures[period] = Figure(
                value=value, text=text, status=figure.status if not restated else None, period=period,
                unit=figure.unit, signed=True, restated=restated,
                current_value=figure.value if restated else None, current_text=figure.text if restated else None)
    return sorted(closes.values(), key=lambda event: event["seq"])


def make_line(code: str, measure: str, entry: dict[str, Any], rows: list[dict[str, Any]], periods: list[str]) -> Line:
    """A measure's row from its catalogue entry (possibly empty) and its rows of annex1_indicators."""
    units = [as_text(r["unit"]) for r in rows if as_text(r["unit"])]
    unit = as_text(entry.get("unit")) or (Counter(units).most_common(1)[0][0] if units else "count")
    names = {lang: as_text(entry.get(f"name_{lang}")) for lang in LANGUAGES}
    names["fr"] = names["fr"] or names["en"]
    measure_names = {lang: as_text(entry.get(f"measure_name_{lang}")) for lang in LANGUAGES}
    measure_names["fr"] = measure_names["fr"] or measure_names["en"]
    origins = [as_text(r["origin"]) for r in rows if as_text(r["origin"])]
    sort_order = entry.get("sort_order")
    return Line(
        code=code, measure=measure, unit=unit,
        decimals=as_int(entry.get("published_decimals"), 2 if unit == "score_1_5" else 0),
        origin=as_text(entry.get("origin")) or (origins[0] if origins else None),
        direction=as_text(entry.get("direction")),
        dimension={lang: as_text(entry.get(f"dimension_{lang}")) or fallback_dimension(code, lang)
                   for lang in LANGUAGES},
        indicator_name={lang: names[lang] or "" for lang in LANGUAGES},
        measure_name={lang: measure_names[lang] or "" for lang in LANGUAGES},
        baseline=choose_reference(rows, periods, "baseline"),
        target=choose_reference(rows, periods, "target"),
        figures={row["period"]: Figure(value=as_float(row["value"]), text=as_text(row["value_text"]),
                                       status=as_text(row["status"]), period=row["period"],
                                       unit=as_text(row["unit"]))
                 for row in rows},
        order=(code_sort_key(code),
               as_int(sort_order, 10_000) if sort_order is not None else entry.get("_index", 10_000), measure),
        chart=as_text(entry.get("chart")),
        chart_label={lang: as_text(entry.get(f"chart_label_{lang}")) for lang in LANGUAGES},
        headline_order=as_int(entry.get("headline_order"), None),
    )


def settle_names(lines: list[Line]) -> None:
    """Fill the indicator title and measure label where the catalogue lacks them.

    A catalogue naming each measure (name_* differing between measures of an indicator, no measure_name_*)
    gives the indicator its first measure's name as title and each measure its own name as label.
    """
    by_code: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_code[line.code].append(line)
    for group in by_code.values():
        for lang in LANGUAGES:
            names = [l.indicator_name[lang] for l in group if l.indicator_name[lang]]
            distinct = len(set(names)) > 1
            title = names[0] if names else ""
            for line in group:
                if not line.measure_name[lang]:
                    line.measure_name[lang] = (line.indicator_name[lang] if distinct and line.indicator_name[lang]
                                               else humanise(line.measure))
                line.indicator_name[lang] = title
