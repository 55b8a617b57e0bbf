"""The report's content for one language, formatted: the Annex 1 table (dimensions > indicators > measure
rows), the reconciliation and the headline tiles. The HTML and the XLSX are drawn from it."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable

from orchestration.reports.data import Figure, Line, ReportData
from orchestration.reports.formats import format_difference, format_number, format_value, reference_decimals
from orchestration.reports.periods import report_biennium
from orchestration.reports.texts import humanise, indicator_kind, messages


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
    labels = messages(lang)
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
                "signed": figure.signed,
                "current": format_value(figure.current_value, figure_unit(line, figure), line.decimals, lang,
                                        figure.current_text) if figure.restated else None,
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


def reconciliation_decimals(published_value: float | None, unit: str) -> tuple[int, int]:
    """Decimals of the published figure (as published) and of the computed one and the difference (two more,
    to show why they agree or not; counts whole)."""
    published = reference_decimals(published_value) if published_value is not None else 0
    return published, 0 if unit == "count" else min(published + 2, 4)


def reconciliation_view(data: ReportData, lang: str) -> dict[str, Any] | None:
    if data.reconciliation is None:
        return None
    labels = messages(lang)
    names = {l.key: l.measure_name[lang] for l in data.lines}
    rows = []
    for r in data.reconciliation:
        published_decimals, computed_decimals = reconciliation_decimals(r.published_value, r.unit)
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


def counts_text(value, lang: str) -> str:
    """A cause's detail, {"ecampus": 1} (JSON as read) → `ecampus 1`."""
    counts = json.loads(value) if isinstance(value, str) else (value or {})
    return ", ".join(f"{name} {format_number(n, 0, lang)}" for name, n in sorted(counts.items()))


def cause_texts(causes: list[str], details: dict[str, Any], lang: str) -> list[str]:
    labels = messages(lang)
    texts = []
    for cause in causes:
        if cause == "rows_added":
            texts.append(labels["cause_rows_added"].format(detail=counts_text(details["rows_added"], lang)))
        elif cause == "rows_vanished":
            texts.append(labels["cause_rows_vanished"].format(detail=counts_text(details["rows_vanished"], lang)))
        elif cause == "persons_merged":
            texts.append(labels["cause_persons_merged"].format(
                n=details["persons_merged"], detail=counts_text(details["identity_links_added"], lang) or "—"))
        elif cause == "persons_split":
            texts.append(labels["cause_persons_split"].format(
                n=details["persons_split"], detail=counts_text(details["identity_links_removed"], lang) or "—"))
        else:
            texts.append(labels.get(f"cause_{cause}", cause))
    return texts


def restatements_view(data: ReportData, lang: str) -> dict[str, Any] | None:
    """The sign-offs of the periods shown and their restated figures (None when no period shown is signed off)."""
    if not data.signoffs:
        return None
    labels = messages(lang)
    names = {l.key: l.measure_name[lang] for l in data.lines}
    signoffs = [{"period": e["period"], "periods": ", ".join(e["periods"]), "by": e["by"], "at": e["at"],
                 "note": e.get("note") or "", "run_id": e["run_id"], "code_version": e["code_version"]}
                for e in data.signoffs]
    rows = [{
        "code": r.code, "measure": r.measure, "label": names.get((r.code, r.measure)) or humanise(r.measure),
        "period": r.period,
        "signed": format_value(r.signed_value, r.unit, r.decimals, lang, r.signed_text),
        "current": format_value(r.current_value, r.unit, r.decimals, lang, r.current_text),
        "difference": format_difference(r.difference, r.unit, r.decimals if r.unit != "count" else 0, lang),
        "causes": cause_texts(r.causes, r.details, lang),
    } for r in data.restatements or []]
    pending = data.restatements is None or any(
        f.restated for l in data.lines for f in l.figures.values()) and not rows
    return {"signoffs": signoffs, "rows": rows, "pending": pending}


def key_figures(data: ReportData, lang: str) -> list[dict[str, str]]:
    """The headline tiles: the measures the catalogue gives a `headline_order`, in that order, with their
    value for the report's biennium."""
    period = report_biennium(data.periods)
    tiles = []
    for line in sorted((l for l in data.lines if l.headline_order is not None), key=lambda l: l.headline_order):
        figure = line.figures.get(period, Figure())
        if figure.value is not None:
            tiles.append({"label": line.measure_name[lang], "period": period, "code": line.code,
                          "value": format_value(figure.value, figure_unit(line, figure), line.decimals, lang)})
    return tiles


def targets_tile(table: dict[str, Any], lang: str) -> tuple[str, str]:
    return format_number(table["achieved"], 0, lang), format_number(table["with_target"], 0, lang)
