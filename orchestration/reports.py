"""The Annex 1 report: WAREHOUSE_DIR/reports/annex1_en.html, annex1_fr.html and annex1.xlsx.

Laid out as Annex 1 of the Centre's implementation report: one row per indicator and measure, grouped by
dimension (immediate outcome), with baseline, target and the results of the years and the biennium asked
(by default the latest biennium in the marts and its two years), rounded to the precision the Centre
publishes, with the status against target; then charts (inline SVG drawn by matplotlib: the pages render
offline, without JavaScript), the reconciliation with the published figures and the provenance of the run.

Reads the published marts.duckdb read-only: `annex1_indicators`, and when present `indicator_catalogue`
(names, dimensions, precision, order), `annex1_reconciliation` and `fct_funding_agreements`. A missing
table or column (an older build) degrades the report — codes instead of names, a chart left out with a
note — never fails it. Files are written under temporary names and renamed into place, so a reader never
sees a half-written report.

- `write_reports(marts_db, out_dir, periods=None)`: usable without Dagster; returns the paths written.
- `python -m orchestration.reports [PERIOD ...]`: writes them for the current WAREHOUSE_DIR, prints the paths.
- `annex1_report`: the Dagster asset (group `publish`), downstream of `published_marts`.
"""
from __future__ import annotations

import io
import os
import re
import sys
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

import duckdb

REPORTS_DIR_NAME = "reports"
TEMPLATES_DIR = Path(__file__).with_name("report_templates")
LANGUAGES = ("en", "fr")
HTML_NAMES = {"en": "annex1_en.html", "fr": "annex1_fr.html"}
XLSX_NAME = "annex1.xlsx"

BIENNIUM = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^\d{4}$")

# ----------------------------------------------------------------------------------------------------
# Labels
# ----------------------------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "other_lang_name": "Français",
        "title": "Annex 1: Indicators of the Centre's results-based management framework",
        "short_title": "Annex 1 — results framework indicators",
        "subtitle": "International Training Centre of the ILO · Implementation report {periods}",
        "computed_note": "Figures computed by the results warehouse from the source systems; rounded to the "
        "precision the Centre publishes.",
        "dimension": "Dimension",
        "indicator": "Indicator",
        "measure": "Measure",
        "baseline": "Baseline",
        "target": "Target",
        "results": "Results",
        "status": "Status",
        "outcome_indicator": "Outcome indicator",
        "output_indicator": "Output indicator",
        "indicator_generic": "Indicator",
        "achieved": "Target achieved",
        "not_achieved": "Target not achieved",
        "no_target": "No target",
        "na": "n/a",
        "submitted": "submitted by the unit",
        "computed": "computed from records",
        "legend": "Legend",
        "legend_submitted": "Figure submitted by the responsible unit (not computed from records).",
        "legend_na": "no figure for the period.",
        "key_figures": "Key figures",
        "kpi_f2f": "Face-to-face registrations",
        "kpi_distance": "Distance enrolments",
        "kpi_unique": "Unique distance learners",
        "kpi_external": "External-platform enrolments",
        "kpi_targets": "Targets achieved",
        "kpi_reconciliation": "Published figures reproduced",
        "of": "of",
        "charts": "Charts",
        "chart_enrolments": "Face-to-face registrations, distance enrolments and external-platform "
        "enrolments per year",
        "chart_women": "Share of women per year",
        "chart_unique": "Unique distance learners per year and biennium",
        "chart_agreements": "Signed funding agreements by partner category",
        "chart_no_data": "No data for this chart in the published marts.",
        "chart_no_agreements": "Chart left out: the published marts hold no table fct_funding_agreements "
        "(with partner_category and signed_year).",
        "series_f2f": "Face-to-face (1.1a)",
        "series_distance": "Distance (1.1b)",
        "series_external": "External platforms (1.2)",
        "series_women_f2f": "Face-to-face (1.1a)",
        "series_women_distance": "Distance (1.1b)",
        "series_women_all": "All participants (1.1c)",
        "series_target": "Target 1.1c",
        "series_year": "Year",
        "series_biennium": "Biennium",
        "agreements_count": "Number of agreements",
        "agreements_amount": "Amount (EUR million)",
        "reconciliation": "Reconciliation with the published report",
        "reconciliation_intro": "For every figure the Centre published: the published value, the value the "
        "warehouse computes, the difference and whether they agree at the published precision.",
        "reconciliation_summary": "{agree} of {compared} published figures computed from records agree at "
        "the published precision; {explained} differ for a documented reason; {unexplained} differ without "
        "an explanation.",
        "reconciliation_none": "The published marts hold no reconciliation table (annex1_reconciliation).",
        "reconciliation_differences": "Figures that differ",
        "reconciliation_all": "All reconciled figures ({n})",
        "no_differences": "Every compared figure agrees.",
        "period": "Period",
        "published": "Published",
        "computed_value": "Computed",
        "difference": "Difference",
        "agrees": "Agrees",
        "explanation": "Explanation",
        "yes": "yes",
        "no": "no",
        "not_compared": "not compared",
        "provenance": "Provenance",
        "run_id": "Run",
        "built_at": "Marts built at",
        "generated_at": "Report generated at",
        "source": "Source",
        "language_switch": "Version française",
        "sheet_table": "Annex 1 (EN)",
        "sheet_reconciliation": "Reconciliation",
        "baseline_period": "Baseline period",
        "target_period": "Target period",
        "code": "Code",
        "published_text": "Published (text)",
    },
    "fr": {
        "lang_name": "Français",
        "other_lang_name": "English",
        "title": "Annexe 1: Indicateurs du cadre de gestion axée sur les résultats du Centre",
        "short_title": "Annexe 1 — indicateurs du cadre de résultats",
        "subtitle": "Centre international de formation de l’OIT · Rapport sur l’exécution {periods}",
        "computed_note": "Chiffres calculés par l’entrepôt de données à partir des systèmes sources; arrondis "
        "à la précision publiée par le Centre.",
        "dimension": "Dimension",
        "indicator": "Indicateur",
        "measure": "Mesure",
        "baseline": "Base de référence",
        "target": "Cible",
        "results": "Résultats",
        "status": "Statut",
        "outcome_indicator": "Indicateur de résultat",
        "output_indicator": "Indicateur de produit",
        "indicator_generic": "Indicateur",
        "achieved": "Cible atteinte",
        "not_achieved": "Cible non atteinte",
        "no_target": "Pas de cible",
        "na": "n.d.",
        "submitted": "communiqué par l’unité",
        "computed": "calculé à partir des enregistrements",
        "legend": "Légende",
        "legend_submitted": "Chiffre communiqué par l’unité responsable (non calculé à partir des "
        "enregistrements).",
        "legend_na": "pas de chiffre pour la période.",
        "key_figures": "Chiffres clés",
        "kpi_f2f": "Inscriptions en présentiel",
        "kpi_distance": "Inscriptions à distance",
        "kpi_unique": "Apprenants à distance uniques",
        "kpi_external": "Inscriptions sur les plateformes externes",
        "kpi_targets": "Cibles atteintes",
        "kpi_reconciliation": "Chiffres publiés reproduits",
        "of": "sur",
        "charts": "Graphiques",
        "chart_enrolments": "Inscriptions en présentiel, à distance et sur les plateformes externes par année",
        "chart_women": "Part des femmes par année",
        "chart_unique": "Apprenants à distance uniques par année et par exercice biennal",
        "chart_agreements": "Accords de financement signés par catégorie de partenaire",
        "chart_no_data": "Pas de données pour ce graphique dans les tables publiées.",
        "chart_no_agreements": "Graphique omis: les tables publiées ne contiennent pas de table "
        "fct_funding_agreements (avec partner_category et signed_year).",
        "series_f2f": "Présentiel (1.1a)",
        "series_distance": "À distance (1.1b)",
        "series_external": "Plateformes externes (1.2)",
        "series_women_f2f": "Présentiel (1.1a)",
        "series_women_distance": "À distance (1.1b)",
        "series_women_all": "Ensemble des participants (1.1c)",
        "series_target": "Cible 1.1c",
        "series_year": "Année",
        "series_biennium": "Exercice biennal",
        "agreements_count": "Nombre d’accords",
        "agreements_amount": "Montant (millions d’euros)",
        "reconciliation": "Rapprochement avec le rapport publié",
        "reconciliation_intro": "Pour chaque chiffre publié par le Centre: la valeur publiée, la valeur "
        "calculée par l’entrepôt, l’écart et leur concordance à la précision publiée.",
        "reconciliation_summary": "{agree} des {compared} chiffres publiés calculés à partir des "
        "enregistrements concordent à la précision publiée; {explained} diffèrent pour une raison documentée; "
        "{unexplained} diffèrent sans explication.",
        "reconciliation_none": "Les tables publiées ne contiennent pas de table de rapprochement "
        "(annex1_reconciliation).",
        "reconciliation_differences": "Chiffres qui diffèrent",
        "reconciliation_all": "Tous les chiffres rapprochés ({n})",
        "no_differences": "Tous les chiffres comparés concordent.",
        "period": "Période",
        "published": "Publié",
        "computed_value": "Calculé",
        "difference": "Écart",
        "agrees": "Concorde",
        "explanation": "Explication",
        "yes": "oui",
        "no": "non",
        "not_compared": "non comparé",
        "provenance": "Provenance",
        "run_id": "Exécution",
        "built_at": "Tables construites le",
        "generated_at": "Rapport produit le",
        "source": "Source",
        "language_switch": "English version",
        "sheet_table": "Annexe 1 (FR)",
        "sheet_reconciliation": "Rapprochement",
        "baseline_period": "Période de référence",
        "target_period": "Période cible",
        "code": "Code",
        "published_text": "Publié (texte)",
    },
}

# Text results as the French report words them (the marts hold the English wording of submissions).
TEXT_FR = {
    "completed": "Achevée",
    "maintained": "Conservée",
    "confirmed": "Confirmée",
    "recognised": "Reconnu",
    "recognized": "Reconnu",
    "certified": "Certifié conforme",
    "obtained": "Obtenues",
    "to be defined": "À définir",
    "to be maintained": "À maintenir",
    "maintain certification": "Conserver la certification",
    "quarterly updates": "Mises à jour trimestrielles",
    "published on time": "Publié dans les délais",
    "before june 2022": "Avant juin 2022",
    "before july 2022": "Avant juillet 2022",
    "before july 2023": "Avant juillet 2023",
    "before december 2022": "Avant décembre 2022",
    "planned for the second half of 2023": "Prévue pour le second semestre 2023",
    "transition started march 2023; new policy in force january 2024": "La période de transition a commencé "
    "en mars 2023 - la nouvelle politique est entrée en vigueur en janvier 2024",
}

# Headings of the report's dimensions when the catalogue has none.
CROSS_CUTTING = {"en": "Cross-cutting policy drivers", "fr": "Moteurs politiques transversaux"}


def fallback_dimension(code: str, lang: str) -> str:
    head = code.split(".")[0]
    if head.isdigit():
        return f"Immediate outcome {head}" if lang == "en" else f"Résultat immédiat {head}"
    if head == "R":
        return "Outcome" if lang == "en" else "Résultat"
    return CROSS_CUTTING[lang]


def indicator_kind(code: str, lang: str) -> str:
    """Outcome indicators carry a letter (1.A), output indicators a number (1.1a), as in the report."""
    labels = LABELS[lang]
    suffix = code.split(".", 1)[1] if "." in code else ""
    if not suffix:
        return labels["outcome_indicator"] if code == "R" else labels["output_indicator"]
    return labels["outcome_indicator"] if suffix[0].isalpha() else labels["output_indicator"]


def humanise(measure: str) -> str:
    return measure.replace("_", " ").capitalize()


def translate_text(text: str | None, lang: str) -> str:
    if text is None:
        return ""
    if lang == "fr":
        return TEXT_FR.get(text.strip().lower(), text)
    return text


# ----------------------------------------------------------------------------------------------------
# Periods
# ----------------------------------------------------------------------------------------------------


def period_sort_key(period: str) -> tuple:
    """Each year, then the biennium after its second year (2022, 2023, 2022-23), as in the report."""
    match = BIENNIUM.match(period)
    if match:
        return (int(match.group(1)) + 1, 1, period)
    if YEAR.match(period):
        return (int(period), 0, period)
    return (10_000, 2, period)


def is_biennium(period: str) -> bool:
    return bool(BIENNIUM.match(period))


def biennium_years(period: str) -> list[str]:
    first = int(period[:4])
    return [str(first), str(first + 1)]


def default_periods(available: Iterable[str]) -> list[str]:
    """The latest biennium with both its years present (a biennium under way, or a few stray records of a
    later year, do not make a report), and its two years; else the latest biennium; else the last two years."""
    available = set(p for p in available if p)
    bienniums = sorted((p for p in available if is_biennium(p)), key=period_sort_key)
    complete = [b for b in bienniums if set(biennium_years(b)) <= available]
    if complete or bienniums:
        latest = (complete or bienniums)[-1]
        return biennium_years(latest) + [latest]
    years = sorted((p for p in available if YEAR.match(p)), key=period_sort_key)
    return years[-2:]


# ----------------------------------------------------------------------------------------------------
# Number formatting
# ----------------------------------------------------------------------------------------------------


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as the Centre publishes: 34.5 -> 35, 34.535 -> 34.54 (decimal half-up on the shortest repr)."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def format_number(value: float, decimals: int, lang: str) -> str:
    """`13,745` / `4.54` in English; `13 745` / `4,54` in French."""
    decimals = max(0, int(decimals))
    text = f"{round_half_up(value, decimals):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def reference_decimals(value: float, published: int = 0) -> int:
    """Baselines, targets and published values are published figures: show them as published (95.4, 29.75,
    75), with the decimals they carry (at most two); `published` is kept for callers wanting a floor."""
    try:
        exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(2, needed)


def format_value(value: float | None, unit: str | None, decimals: int, lang: str, text: str | None = None) -> str:
    """A figure as the report prints it: counts with thousands separators, `41%` / `41 %`, `5:1`, `2 days`."""
    if value is None:
        return translate_text(text, lang) if text else LABELS[lang]["na"]
    number = format_number(value, decimals, lang)
    unit = unit or "count"
    if unit == "percent":
        return f"{number}%" if lang == "en" else f"{number} %"
    if unit == "ratio_to_1":
        return f"{number}:1"
    if unit == "days":
        one = round_half_up(value, decimals) == 1
        if lang == "en":
            return f"{number} day" if one else f"{number} days"
        return f"{number} jour" if one else f"{number} jours"
    if unit == "level":
        return f"Level {number}" if lang == "en" else f"Niveau {number}"
    return number


def format_difference(value: float | None, unit: str | None, decimals: int, lang: str) -> str:
    if value is None:
        return ""
    text = format_value(abs(value), unit, decimals, lang)
    if round_half_up(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "−") + text


# ----------------------------------------------------------------------------------------------------
# Reading the marts (defensively: tables and columns may be missing from an older build)
# ----------------------------------------------------------------------------------------------------

INDICATOR_COLUMNS = (
    "indicator_code", "measure", "period", "period_type", "value", "value_text", "unit",
    "baseline_value", "baseline_text", "baseline_period", "target_value", "target_text", "target_period",
    "status", "origin", "numerator", "denominator", "run_id", "built_at",
)
CATALOGUE_COLUMNS = (
    "indicator_code", "measure", "dimension_en", "dimension_fr", "name_en", "name_fr",
    "measure_name_en", "measure_name_fr", "unit", "origin", "direction", "published_decimals", "sort_order",
)
RECONCILIATION_COLUMNS = (
    "indicator_code", "measure", "period", "published_value", "published_text", "computed_value",
    "difference", "agrees", "explanation",
)
AGREEMENT_COLUMNS = ("partner_category", "signed_year", "signed_on", "signed_date", "amount_eur", "status")


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


def as_int(value: Any, default: int) -> int:
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


@dataclass
class Figure:
    """One cell: a number, or a text result; with its status against target where one applies."""

    value: float | None = None
    text: str | None = None
    status: str | None = None
    period: str | None = None
    unit: str | None = None  # the row's own unit when it differs from the measure's (5.1: text, then percent)

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
        agreement_rows = None
        agreement_columns = tables.get("fct_funding_agreements", set())
        if "partner_category" in agreement_columns and agreement_columns & {"signed_year", "signed_on", "signed_date"}:
            agreement_rows = read_table(con, tables, "fct_funding_agreements", AGREEMENT_COLUMNS)
    finally:
        con.close()
    tables_read = [name for name, rows in (("annex1_indicators", indicators), ("indicator_catalogue", catalogue_rows),
                                           ("annex1_reconciliation", reconciliation_rows),
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

    # Indicator titles: the catalogue's name of the indicator (the same for all its measures in the seed).
    keys = list(dict.fromkeys(list(catalogue) + list(by_measure)))
    first_index: dict[str, int] = {}
    for (code, _), entry in catalogue.items():
        first_index.setdefault(code, entry["_index"])

    lines: list[Line] = []
    for code, measure in keys:
        entry = catalogue.get((code, measure), {})
        rows = by_measure.get((code, measure), [])
        units = [as_text(r["unit"]) for r in rows if as_text(r["unit"])]
        unit = as_text(entry.get("unit")) or (Counter(units).most_common(1)[0][0] if units else "count")
        decimals = as_int(entry.get("published_decimals"), 2 if unit == "score_1_5" else 0)
        names = {lang: as_text(entry.get(f"name_{lang}")) for lang in LANGUAGES}
        names["fr"] = names["fr"] or names["en"]
        measure_names = {lang: as_text(entry.get(f"measure_name_{lang}")) for lang in LANGUAGES}
        measure_names["fr"] = measure_names["fr"] or measure_names["en"]
        dimension = {
            lang: as_text(entry.get(f"dimension_{lang}")) or fallback_dimension(code, lang) for lang in LANGUAGES
        }
        figures: dict[str, Figure] = {}
        for row in rows:
            figures[row["period"]] = Figure(
                value=as_float(row["value"]), text=as_text(row["value_text"]),
                status=as_text(row["status"]), period=row["period"], unit=as_text(row["unit"]),
            )
        origins = [as_text(r["origin"]) for r in rows if as_text(r["origin"])]
        origin = as_text(entry.get("origin")) or (origins[0] if origins else None)
        sort_order = entry.get("sort_order")
        order = (
            code_sort_key(code),
            as_int(sort_order, 10_000) if sort_order is not None else entry.get("_index", 10_000),
            measure,
        )
        lines.append(Line(
            code=code, measure=measure, unit=unit, decimals=decimals, origin=origin,
            direction=as_text(entry.get("direction")), dimension=dimension,
            indicator_name={lang: names[lang] or "" for lang in LANGUAGES},
            measure_name={lang: measure_names[lang] or "" for lang in LANGUAGES},
            baseline=choose_reference(rows, periods, "baseline"),
            target=choose_reference(rows, periods, "target"),
            figures=figures, order=order,
        ))
    if any(as_int(catalogue.get((l.code, l.measure), {}).get("sort_order"), -1) >= 0 for l in lines):
        lines.sort(key=lambda l: (as_int(catalogue.get((l.code, l.measure), {}).get("sort_order"), 10_000),
                                  l.order))
    else:
        lines.sort(key=lambda l: l.order)
    settle_names(lines)

    units_of = {(l.code, l.measure): (l.unit, l.decimals, l.order) for l in lines}
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

    series: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    targets: dict[tuple[str, str], float] = {}
    for line in lines:
        for period, figure in line.figures.items():
            if figure.value is not None:
                series[(line.code, line.measure)][period] = figure.value
        if line.target.value is not None:
            targets[(line.code, line.measure)] = line.target.value

    run_ids = sorted({str(r["run_id"]) for r in indicators if r.get("run_id") is not None})
    built = [r["built_at"] for r in indicators if r.get("built_at") is not None]
    built_at = format_timestamp(max(built)) if built else None
    if agreement_rows is None:
        notes.append("no fct_funding_agreements: agreements chart left out")
    return ReportData(
        periods=periods, lines=lines, reconciliation=reconciliation, series=dict(series), targets=targets,
        agreements=agreement_rows, run_ids=run_ids, built_at=built_at,
        generated_at=format_timestamp(datetime.now(timezone.utc)), marts_db=marts_db, notes=notes,
        tables_read=tables_read,
    )


def settle_names(lines: list[Line]) -> None:
    """Fill the indicator title and measure label where the catalogue lacks them.

    A catalogue naming each measure (name_* differing between measures of an indicator, no measure_name_*)
    gives the indicator its first measure's name as title and each measure its own name as label.
    """
    by_code: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_code[line.code].append(line)
    for code, group in by_code.items():
        for lang in LANGUAGES:
            names = [l.indicator_name[lang] for l in group if l.indicator_name[lang]]
            distinct = len(set(names)) > 1
            title = names[0] if names else ""
            for line in group:
                if not line.measure_name[lang]:
                    line.measure_name[lang] = (line.indicator_name[lang] if distinct and line.indicator_name[lang]
                                               else humanise(line.measure))
                line.indicator_name[lang] = title


def format_timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
            return value.strftime("%Y-%m-%d %H:%M:%S UTC")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


# ----------------------------------------------------------------------------------------------------
# The table as laid out for one language
# ----------------------------------------------------------------------------------------------------


def figure_unit(line: Line, figure: Figure) -> str:
    """The unit a figure is printed in: its row's, when the row carries a number in a unit of its own."""
    if figure.value is not None and figure.unit and figure.unit != "text":
        return figure.unit
    return line.unit


def common_period(figures: Iterable[Figure]) -> str | None:
    periods = Counter(f.period for f in figures if not f.empty and f.period)
    return periods.most_common(1)[0][0] if periods else None


def layout(data: ReportData, lang: str) -> dict[str, Any]:
    """The report's table for one language: dimensions > indicators > measure rows of formatted cells."""
    labels = LABELS[lang]
    baseline_period = common_period(l.baseline for l in data.lines)
    target_period = common_period(l.target for l in data.lines)

    def reference(figure: Figure, line: Line, header_period: str | None) -> dict[str, Any]:
        if figure.empty:
            return {"text": labels["na"], "na": True, "note": None}
        decimals = reference_decimals(figure.value) if figure.value is not None else 0
        note = figure.period if figure.period and figure.period != header_period else None
        return {"text": format_value(figure.value, line.unit, decimals, lang, figure.text), "na": False,
                "note": note, "is_text": figure.value is None}

    dimensions: list[dict[str, Any]] = []
    for line in data.lines:
        dimension_name = line.dimension[lang]
        if not dimensions or dimensions[-1]["name"] != dimension_name:
            dimensions.append({"name": dimension_name, "indicators": [], "rows": 0})
        dimension = dimensions[-1]
        if not dimension["indicators"] or dimension["indicators"][-1]["code"] != line.code:
            dimension["indicators"].append({
                "code": line.code, "kind": indicator_kind(line.code, lang),
                "name": line.indicator_name[lang], "measures": [],
            })
        cells = []
        for period in data.periods:
            figure = line.figures.get(period, Figure())
            status = figure.status if figure.status in ("achieved", "not_achieved") else None
            cells.append({
                "period": period,
                "text": format_value(figure.value, figure_unit(line, figure), line.decimals, lang, figure.text),
                "na": figure.empty,
                "is_text": figure.value is None and figure.text is not None,
                "status": status,
                "status_label": labels[status] if status else None,
                "raw": figure.value,
            })
        dimension["indicators"][-1]["measures"].append({
            "measure": line.measure,
            "label": line.measure_name[lang],
            "unit": line.unit,
            "submitted": line.origin == "submitted",
            "baseline": reference(line.baseline, line, baseline_period),
            "target": reference(line.target, line, target_period),
            "cells": cells,
        })
        dimension["rows"] += 1
    statuses = Counter(
        f.status for l in data.lines for p, f in l.figures.items() if p in data.periods and f.status
    )
    return {
        "dimensions": dimensions,
        "baseline_period": baseline_period,
        "target_period": target_period,
        "achieved": statuses.get("achieved", 0),
        "with_target": statuses.get("achieved", 0) + statuses.get("not_achieved", 0),
    }


def reconciliation_view(data: ReportData, lang: str) -> dict[str, Any] | None:
    if data.reconciliation is None:
        return None
    labels = LABELS[lang]
    names = {(l.code, l.measure): l.measure_name[lang] for l in data.lines}
    rows = []
    for r in data.reconciliation:
        published_decimals = reference_decimals(r.published_value) if r.published_value is not None else 0
        computed_decimals = 0 if r.unit == "count" else min(published_decimals + 2, 4)
        if r.agrees is None:
            state = "not_compared"
        elif r.agrees:
            state = "agrees"
        else:
            state = "explained" if r.explanation else "unexplained"
        rows.append({
            "code": r.code, "measure": r.measure, "label": names.get((r.code, r.measure)) or humanise(r.measure),
            "period": r.period,
            "published": format_value(r.published_value, r.unit, published_decimals, lang, r.published_text),
            "computed": "" if r.computed_value is None else format_value(r.computed_value, r.unit, computed_decimals, lang),
            "difference": format_difference(r.difference, r.unit, computed_decimals, lang),
            "agrees": labels["yes"] if r.agrees else labels["no"] if r.agrees is False else labels["not_compared"],
            "state": state,
            "explanation": r.explanation or "",
        })
    counts = Counter(row["state"] for row in rows)
    compared = counts["agrees"] + counts["explained"] + counts["unexplained"]
    return {
        "rows": rows,
        "differences": [row for row in rows if row["state"] in ("explained", "unexplained")],
        "summary": labels["reconciliation_summary"].format(
            agree=counts["agrees"], compared=compared, explained=counts["explained"],
            unexplained=counts["unexplained"]),
        "agree": counts["agrees"], "compared": compared,
    }


def key_figures(data: ReportData, lang: str) -> list[dict[str, str]]:
    labels = LABELS[lang]
    biennium = next((p for p in reversed(data.periods) if is_biennium(p)), data.periods[-1] if data.periods else None)
    tiles = []
    for label, key in (("kpi_f2f", ("1.1a", "face_to_face_registrations")),
                       ("kpi_distance", ("1.1b", "distance_enrolments")),
                       ("kpi_unique", ("1.1b", "unique_distance_learners")),
                       ("kpi_external", ("1.2", "external_platform_enrolments"))):
        value = data.series.get(key, {}).get(biennium)
        if value is not None:
            tiles.append({"label": labels[label], "value": format_number(value, 0, lang), "period": biennium})
    return tiles


# ----------------------------------------------------------------------------------------------------
# Charts: matplotlib, rendered server-side to inline SVG
# ----------------------------------------------------------------------------------------------------

PALETTE = {"blue": "#1e2dbe", "sky": "#4aa3df", "orange": "#e8793a", "navy": "#230050", "grey": "#8a94a6",
           "teal": "#2a9d8f", "gold": "#e9b949", "rose": "#c0497a"}
SERIES_COLOURS = [PALETTE["blue"], PALETTE["sky"], PALETTE["orange"], PALETTE["teal"], PALETTE["gold"],
                  PALETTE["rose"], PALETTE["navy"], PALETTE["grey"]]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none",  # text stays text: searchable, crisp, styled by the page's fonts
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans", "Arial", "Helvetica", "DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#9aa3b2",
        "axes.labelcolor": "#2b3340",
        "xtick.color": "#2b3340",
        "ytick.color": "#2b3340",
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e3e7ee",
        "grid.linewidth": 0.8,
        "axes.axisbelow": True,
        "legend.frameon": False,
    })
    return plt


def figure_to_svg(fig, chart_id: str) -> str:
    """The figure as an inline <svg> (no XML prologue), ids unique to the chart, scaling with its box."""
    plt = _pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": chart_id}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", svg, count=1)
    svg = svg.replace("<svg ", f'<svg class="chart-svg" id="svg-{chart_id}" role="img" ', 1)
    # Matplotlib names clip paths and markers from a hash; prefix them so charts never collide.
    ids = set(re.findall(r'id="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        if old == f"svg-{chart_id}":
            continue
        new = f"{chart_id}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})").replace(
            f'href="#{old}"', f'href="#{new}"')
    return svg


def thousands_formatter(lang: str):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: format_number(x, 0, lang))


def percent_formatter(lang: str):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: format_value(x, "percent", 0, lang))


def label_bars(ax, bars, lang: str, decimals: int = 0, fontsize: float = 7) -> None:
    for bar in bars:
        height = bar.get_height()
        if height and height == height:
            ax.annotate(format_number(height, decimals, lang), (bar.get_x() + bar.get_width() / 2, height),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=fontsize, color="#2b3340")


def set_bar_gids(bars, prefix: str) -> None:
    """Name each bar (`<g id="<chart>-series0-bar1">` in the SVG) so tests and readers can find the data."""
    for index, bar in enumerate(bars):
        bar.set_gid(f"{prefix}-bar{index}")


def chart_years(data: ReportData, keys: list[tuple[str, str]]) -> list[str]:
    last = max((period_sort_key(p)[0] for p in data.periods), default=None)
    years = {p for k in keys for p in data.series.get(k, {}) if YEAR.match(p)}
    if last is not None:
        years = {y for y in years if int(y) <= last}
    return sorted(years)


def chart_enrolments(data: ReportData, lang: str, chart_id: str) -> dict[str, Any] | None:
    labels = LABELS[lang]
    keys = [("1.1a", "face_to_face_registrations"), ("1.1b", "distance_enrolments"),
            ("1.2", "external_platform_enrolments")]
    names = [labels["series_f2f"], labels["series_distance"], labels["series_external"]]
    years = chart_years(data, keys)
    if not years:
        return None
    present = [(k, n) for k, n in zip(keys, names) if any(y in data.series.get(k, {}) for y in years)]
    keys, names = [k for k, _ in present], [n for _, n in present]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    width = 0.8 / len(keys)
    points = 0
    for i, (key, name) in enumerate(zip(keys, names)):
        values = [data.series.get(key, {}).get(y, float("nan")) for y in years]
        positions = [j + (i - (len(keys) - 1) / 2) * width for j in range(len(years))]
        bars = ax.bar(positions, values, width * 0.92, label=name,
                      color=SERIES_COLOURS[[labels["series_f2f"], labels["series_distance"],
                                            labels["series_external"]].index(name)])
        set_bar_gids(bars, f"series{i}")
        label_bars(ax, bars, lang, fontsize=6.5)
        points += sum(1 for v in values if v == v)
    ax.set_xticks(range(len(years)), years)
    ax.yaxis.set_major_formatter(thousands_formatter(lang))
    ax.margins(y=0.12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(keys), fontsize=8)
    return {"id": chart_id, "title": labels["chart_enrolments"], "svg": figure_to_svg(fig, chart_id),
            "points": points}


def chart_women(data: ReportData, lang: str, chart_id: str) -> dict[str, Any] | None:
    labels = LABELS[lang]
    keys = [("1.1a", "women_share"), ("1.1b", "women_share"), ("1.1c", "women_share")]
    names = [labels["series_women_f2f"], labels["series_women_distance"], labels["series_women_all"]]
    years = chart_years(data, keys)
    if not years:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    points = 0
    top = 0.0
    ends: list[tuple[float, int, int]] = []
    for i, (key, name) in enumerate(zip(keys, names)):
        values = [data.series.get(key, {}).get(y, float("nan")) for y in years]
        if all(v != v for v in values):
            continue
        (line,) = ax.plot(range(len(years)), values, marker="o", linewidth=2, markersize=4.5, label=name,
                          color=SERIES_COLOURS[i])
        line.set_gid(f"series{i}")
        present = [(j, v) for j, v in enumerate(values) if v == v]
        points += len(present)
        top = max([top] + [v for _, v in present])
        if present:
            ends.append((present[-1][1], i, present[-1][0]))
    # Label each series at its last point, to the right, nudged apart so close values stay legible.
    placed: list[float] = []
    for value, i, j in sorted(ends):
        y = max([value] + [p + 3.2 for p in placed])
        placed.append(y)
        ax.annotate(format_value(value, "percent", 0, lang), (j, value), xytext=(j + 0.12, y),
                    textcoords="data", va="center", fontsize=7.5, color=SERIES_COLOURS[i], fontweight="bold")
    target = data.targets.get(("1.1c", "women_share"))
    if target is not None:
        ax.axhline(target, color=PALETTE["grey"], linestyle="--", linewidth=1.2,
                   label=f"{labels['series_target']} ({format_value(target, 'percent', 0, lang)})")
        top = max(top, target)
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.3, len(years) - 0.45)
    ax.set_ylim(0, max(60.0, top * 1.15))
    ax.yaxis.set_major_formatter(percent_formatter(lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    return {"id": chart_id, "title": labels["chart_women"], "svg": figure_to_svg(fig, chart_id), "points": points}


def chart_unique(data: ReportData, lang: str, chart_id: str) -> dict[str, Any] | None:
    labels = LABELS[lang]
    values = data.series.get(("1.1b", "unique_distance_learners"), {})
    last = max((period_sort_key(p)[0] for p in data.periods), default=None)
    periods = sorted((p for p in values if last is None or period_sort_key(p)[0] <= last), key=period_sort_key)
    if not periods:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    colours = [PALETTE["navy"] if is_biennium(p) else PALETTE["sky"] for p in periods]
    bars = ax.bar(range(len(periods)), [values[p] for p in periods], 0.62, color=colours)
    set_bar_gids(bars, "series0")
    label_bars(ax, bars, lang, fontsize=7)
    ax.set_xticks(range(len(periods)), periods)
    ax.yaxis.set_major_formatter(thousands_formatter(lang))
    ax.margins(y=0.12)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE["sky"], label=labels["series_year"]),
                       Patch(color=PALETTE["navy"], label=labels["series_biennium"])],
              loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    return {"id": chart_id, "title": labels["chart_unique"], "svg": figure_to_svg(fig, chart_id),
            "points": len(periods)}


def agreement_year(row: dict[str, Any]) -> str | None:
    year = row.get("signed_year")
    if year is None:
        for column in ("signed_on", "signed_date"):
            value = row.get(column)
            if value is not None:
                year = getattr(value, "year", None) or str(value)[:4]
                break
    try:
        return str(int(float(year))) if year is not None else None
    except (TypeError, ValueError):
        return None


def chart_agreements(data: ReportData, lang: str, chart_id: str) -> dict[str, Any] | None:
    labels = LABELS[lang]
    if data.agreements is None:
        return {"id": chart_id, "title": labels["chart_agreements"], "svg": None, "note": labels["chart_no_agreements"],
                "points": 0}
    years = sorted({y for p in data.periods for y in (biennium_years(p) if is_biennium(p) else [p]) if YEAR.match(y)})
    counts: dict[tuple[str, str], int] = Counter()
    amounts: dict[tuple[str, str], float] = defaultdict(float)
    has_amount = False
    for row in data.agreements:
        status = as_text(row.get("status"))
        if status is not None and status.lower() != "signed":
            continue
        year = agreement_year(row)
        if year not in years:
            continue
        category = as_text(row.get("partner_category")) or "—"
        counts[(category, year)] += 1
        amount = as_float(row.get("amount_eur"))
        if amount is not None:
            amounts[(category, year)] += amount
            has_amount = True
    if not counts:
        return {"id": chart_id, "title": labels["chart_agreements"], "svg": None, "note": labels["chart_no_data"],
                "points": 0}
    totals = Counter()
    for (category, _), n in counts.items():
        totals[category] += n
    categories = [c for c, _ in sorted(totals.items(), key=lambda kv: (kv[1], kv[0]))]
    plt = _pyplot()
    panels = 2 if has_amount else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.4, max(2.6, 1.0 + 0.5 * len(categories))),
                             sharey=True, squeeze=False, gridspec_kw={"wspace": 0.08})
    height = 0.8 / max(1, len(years))
    points = 0
    for panel, ax in enumerate(axes[0]):
        for i, year in enumerate(years):
            if panel == 0:
                values = [counts.get((c, year), 0) for c in categories]
            else:
                values = [amounts.get((c, year), 0.0) / 1e6 for c in categories]
            positions = [j - (i - (len(years) - 1) / 2) * height for j in range(len(categories))]
            bars = ax.barh(positions, values, height * 0.9, label=year,
                           color=[PALETTE["sky"], PALETTE["blue"], PALETTE["navy"], PALETTE["orange"]][i % 4])
            set_bar_gids(bars, f"panel{panel}-series{i}")
            points += len(values)
            for bar, v in zip(bars, values):
                if v:
                    ax.annotate(format_number(v, 0 if panel == 0 else 1, lang),
                                (v, bar.get_y() + bar.get_height() / 2), xytext=(3, 0), textcoords="offset points",
                                va="center", fontsize=6.5, color="#2b3340")
        ax.set_yticks(range(len(categories)), categories)
        ax.grid(axis="x", color="#e3e7ee")
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.15)
        ax.set_title(labels["agreements_count"] if panel == 0 else labels["agreements_amount"], fontsize=8.5,
                     loc="left", color="#2b3340")
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=panel == 0))
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda x, _p, d=(0 if panel == 0 else 1): format_number(x, d, lang)))
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(years), fontsize=8)
    return {"id": chart_id, "title": labels["chart_agreements"], "svg": figure_to_svg(fig, chart_id),
            "points": points}


def charts(data: ReportData, lang: str) -> list[dict[str, Any]]:
    made = []
    for name, builder in (("enrolments", chart_enrolments), ("women", chart_women), ("unique", chart_unique),
                          ("agreements", chart_agreements)):
        chart_id = f"chart-{name}-{lang}"
        result = builder(data, lang, chart_id)
        if result is None:
            result = {"id": chart_id, "title": LABELS[lang][f"chart_{name}"], "svg": None,
                      "note": LABELS[lang]["chart_no_data"], "points": 0}
        result["name"] = name
        made.append(result)
    return made


# ----------------------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------------------


def period_range(periods: list[str]) -> str:
    bienniums = [p for p in periods if is_biennium(p)]
    return bienniums[-1] if bienniums else ", ".join(periods)


def render_html(data: ReportData, lang: str) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("annex1.html.j2")
    labels = LABELS[lang]
    table = layout(data, lang)
    other = "fr" if lang == "en" else "en"
    return template.render(
        lang=lang, labels=labels, periods=data.periods,
        period_headers=[{"period": p, "biennium": is_biennium(p)} for p in data.periods],
        subtitle=labels["subtitle"].format(periods=period_range(data.periods)),
        table=table, reconciliation=reconciliation_view(data, lang), charts=charts(data, lang),
        key_figures=key_figures(data, lang),
        other_href=HTML_NAMES[other], run_ids=data.run_ids, built_at=data.built_at,
        generated_at=data.generated_at, marts_db=data.marts_db.name, tables_read=data.tables_read,
        targets_tile=(format_number(table["achieved"], 0, lang), format_number(table["with_target"], 0, lang)),
    )


# ----------------------------------------------------------------------------------------------------
# XLSX
# ----------------------------------------------------------------------------------------------------

XLSX_STATUS_FILL = {"achieved": "DCF2E6", "not_achieved": "FBE1E1"}


def xlsx_number_format(unit: str, decimals: int, lang: str) -> str:
    digits = "0" if decimals <= 0 else "0." + "0" * decimals
    if unit == "percent":
        return digits + "%"
    if unit == "ratio_to_1":
        return digits + '":1"'
    if unit == "days":
        return digits + (' "days"' if lang == "en" else ' "jours"')
    if unit == "count":
        return "#,##" + digits
    return digits


def xlsx_value(value: float | None, unit: str, decimals: int) -> float | None:
    """The figure as published (rounded), stored as a number; percentages as fractions for the % format."""
    if value is None:
        return None
    rounded = float(round_half_up(value, decimals))
    if unit == "percent":
        return rounded / 100
    return int(rounded) if decimals <= 0 else rounded


def write_table_sheet(sheet, data: ReportData, lang: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    labels = LABELS[lang]
    table = layout(data, lang)
    thin = Side(style="thin", color="C9CFD9")
    header_fill = PatternFill("solid", fgColor="1E2DBE")
    dimension_fill = PatternFill("solid", fgColor="E8EBF7")
    sheet["A1"] = labels["title"]
    sheet["A1"].font = Font(bold=True, size=14, color="1E2DBE")
    sheet["A2"] = labels["subtitle"].format(periods=period_range(data.periods))
    sheet["A3"] = labels["computed_note"]
    sheet["A3"].font = Font(italic=True, color="5A6375")
    provenance = f"{labels['run_id']}: {', '.join(data.run_ids) or '—'} · {labels['built_at']}: {data.built_at or '—'}"
    sheet["A4"] = provenance
    sheet["A4"].font = Font(color="5A6375", size=9)
    headers = [labels["dimension"], labels["code"], labels["indicator"], labels["measure"],
               labels["baseline"], labels["baseline_period"], labels["target"], labels["target_period"]]
    headers += [f"{labels['results']} ({p})" for p in data.periods] + [labels["status"]]
    header_row = 6
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(header_row, column, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    row_number = header_row + 1
    lines = {(l.code, l.measure): l for l in data.lines}
    for dimension in table["dimensions"]:
        for indicator in dimension["indicators"]:
            for measure in indicator["measures"]:
                line = lines[(indicator["code"], measure["measure"])]
                values: list[Any] = [dimension["name"], indicator["code"], indicator["name"], measure["label"]]
                formats: list[str | None] = [None] * 4
                for figure in (line.baseline, line.target):
                    if figure.value is not None:
                        decimals = reference_decimals(figure.value)
                        values.append(xlsx_value(figure.value, line.unit, decimals))
                        formats.append(xlsx_number_format(line.unit, decimals, lang))
                    else:
                        values.append(translate_text(figure.text, lang) if figure.text else None)
                        formats.append(None)
                    values.append(figure.period)
                    formats.append(None)
                status = None
                for period in data.periods:
                    figure = line.figures.get(period, Figure())
                    if figure.value is not None:
                        unit = figure_unit(line, figure)
                        values.append(xlsx_value(figure.value, unit, line.decimals))
                        formats.append(xlsx_number_format(unit, line.decimals, lang))
                    else:
                        values.append(translate_text(figure.text, lang) if figure.text else None)
                        formats.append(None)
                    if figure.status in ("achieved", "not_achieved"):
                        status = figure.status
                values.append(labels[status] if status else None)
                formats.append(None)
                for column, (value, number_format) in enumerate(zip(values, formats), start=1):
                    cell = sheet.cell(row_number, column, value)
                    cell.border = Border(bottom=thin)
                    cell.alignment = Alignment(vertical="top", wrap_text=column in (1, 3, 4) or isinstance(value, str))
                    if number_format:
                        cell.number_format = number_format
                        cell.alignment = Alignment(vertical="top", horizontal="right")
                    if column == 1:
                        cell.fill = dimension_fill
                        cell.font = Font(bold=True, color="1E2DBE")
                if status:
                    sheet.cell(row_number, len(values)).fill = PatternFill("solid", fgColor=XLSX_STATUS_FILL[status])
                row_number += 1
    widths = [20, 7, 48, 34, 12, 10, 12, 10] + [13] * len(data.periods) + [18]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 5)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(row_number - 1, header_row)}"
    sheet.row_dimensions[header_row].height = 32


def write_reconciliation_sheet(sheet, data: ReportData) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = LABELS["en"]
    headers = [labels["code"], labels["measure"], labels["period"], labels["published"], labels["published_text"],
               labels["computed_value"], labels["difference"], labels["agrees"], labels["explanation"]]
    sheet["A1"] = labels["reconciliation"] + " / " + LABELS["fr"]["reconciliation"]
    sheet["A1"].font = Font(bold=True, size=14, color="1E2DBE")
    if data.reconciliation is None:
        sheet["A3"] = labels["reconciliation_none"]
        return
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(3, column, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1E2DBE")
    for index, r in enumerate(data.reconciliation, start=4):
        published_decimals = reference_decimals(r.published_value) if r.published_value is not None else 0
        exact = 0 if r.unit == "count" else min(published_decimals + 2, 4)
        row = [r.code, r.measure, r.period,
               None if r.published_value is None else (r.published_value / 100 if r.unit == "percent" else r.published_value),
               r.published_text,
               None if r.computed_value is None else (r.computed_value / 100 if r.unit == "percent" else r.computed_value),
               None if r.difference is None else (r.difference / 100 if r.unit == "percent" else r.difference),
               r.agrees, r.explanation]
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(index, column, value)
            if column in (4, 6, 7) and value is not None:
                decimals = published_decimals if column == 4 else exact
                cell.number_format = xlsx_number_format(r.unit, decimals, "en")
            if column == 9:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r.agrees is False:
            fill = PatternFill("solid", fgColor="FFF1D6" if r.explanation else "FBE1E1")
            for column in range(1, len(row) + 1):
                sheet.cell(index, column).fill = fill
    for column, width in zip("ABCDEFGHI", (7, 34, 9, 12, 24, 12, 12, 8, 70)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "D4"
    sheet.auto_filter.ref = f"A3:I{3 + len(data.reconciliation)}"


def build_workbook(data: ReportData):
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = LABELS["en"]["sheet_table"]
    write_table_sheet(first, data, "en")
    write_table_sheet(workbook.create_sheet(LABELS["fr"]["sheet_table"]), data, "fr")
    write_reconciliation_sheet(workbook.create_sheet(LABELS["en"]["sheet_reconciliation"]), data)
    return workbook


# ----------------------------------------------------------------------------------------------------
# Writing the files
# ----------------------------------------------------------------------------------------------------


def write_reports(marts_db: Path, out_dir: Path, periods: list[str] | None = None) -> dict[str, Path]:
    """Write annex1_en.html, annex1_fr.html and annex1.xlsx into `out_dir`; returns {"en", "fr", "xlsx"} paths.

    Everything is rendered first and written under temporary names; the files are then renamed into place,
    so a reader sees either the previous reports or the new ones, never a partial file.
    """
    data = load_report_data(Path(marts_db), periods)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    targets = {lang: out_dir / HTML_NAMES[lang] for lang in LANGUAGES}
    targets["xlsx"] = out_dir / XLSX_NAME
    temporary = {key: path.with_name(f".{path.name}.{token}.tmp") for key, path in targets.items()}
    try:
        for lang in LANGUAGES:
            write_synced(temporary[lang], render_html(data, lang).encode("utf-8"))
        buffer = io.BytesIO()
        build_workbook(data).save(buffer)
        write_synced(temporary["xlsx"], buffer.getvalue())
        for key, path in targets.items():
            os.replace(temporary[key], path)
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
    return targets


def write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def reports_dir() -> Path:
    from orchestration.settings import warehouse_dir

    return warehouse_dir() / REPORTS_DIR_NAME


# ----------------------------------------------------------------------------------------------------
# Dagster
# ----------------------------------------------------------------------------------------------------

from dagster import AssetKey, MaterializeResult, MetadataValue, asset  # noqa: E402


@asset(
    deps=[AssetKey("published_marts")],
    group_name="publish",
    compute_kind="python",
    description="reports/annex1_en.html, annex1_fr.html and annex1.xlsx: the Annex 1 report (table by "
    "dimension, charts, reconciliation, provenance) in English and French, from the published marts.",
)
def annex1_report(context) -> MaterializeResult:
    from orchestration.settings import marts_db_path

    paths = write_reports(marts_db_path(), reports_dir())
    for path in paths.values():
        context.log.info(f"wrote {path}")
    return MaterializeResult(metadata={f"path_{key}": MetadataValue.path(str(path)) for key, path in paths.items()})


assets = [annex1_report]


def main(argv: list[str] | None = None) -> None:
    from orchestration.settings import marts_db_path

    periods = list(sys.argv[1:] if argv is None else argv) or None
    marts = marts_db_path()
    if not marts.exists():
        sys.exit(f"{marts} does not exist yet: run `make refresh` (or `make demo`) first")
    paths = write_reports(marts, reports_dir(), periods)
    print("Annex 1 reports:")
    for key in ("en", "fr", "xlsx"):
        print(f"  {paths[key]}")


if __name__ == "__main__":
    main()
