"""The report's charts: matplotlib, rendered server-side to inline SVG (the pages render offline, without
JavaScript). Which charts exist and how each is drawn is in templates/charts.yml; which measures each draws
(and their series labels) is declared in the indicator catalogue (`chart`, `chart_label_en/fr`)."""
from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import yaml

from orchestration.reports.data import Line, ReportData, as_float, as_text
from orchestration.reports.formats import format_number, format_value
from orchestration.reports.periods import biennium_years, is_biennium, is_year, period_sort_key
from orchestration.reports.texts import TEMPLATES_DIR, messages

PALETTE = {"blue": "#1e2dbe", "sky": "#4aa3df", "orange": "#e8793a", "navy": "#230050", "grey": "#8a94a6",
           "teal": "#2a9d8f", "gold": "#e9b949", "rose": "#c0497a"}
SERIES_COLOURS = [PALETTE["blue"], PALETTE["sky"], PALETTE["orange"], PALETTE["teal"], PALETTE["gold"],
                  PALETTE["rose"], PALETTE["navy"], PALETTE["grey"]]
DEFAULT_KIND = "bars_by_year"


@dataclass(frozen=True)
class ChartSpec:
    id: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def declared_charts() -> tuple[ChartSpec, ...]:
    with open(TEMPLATES_DIR / "charts.yml", encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    specs = []
    for entry in entries:
        entry = dict(entry)
        chart_id, kind = entry.pop("id"), entry.pop("kind")
        if kind not in KINDS:
            raise ValueError(f"charts.yml: chart {chart_id!r} has unknown kind {kind!r} (one of {sorted(KINDS)})")
        specs.append(ChartSpec(chart_id, kind, entry))
    return tuple(specs)


def chart_specs(data: ReportData) -> list[ChartSpec]:
    """The declared charts, then one per chart id the catalogue names that charts.yml does not."""
    specs = list(declared_charts())
    known = {s.id for s in specs}
    for line in data.lines:
        if line.chart and line.chart not in known:
            specs.append(ChartSpec(line.chart, DEFAULT_KIND))
            known.add(line.chart)
    return specs


def members(data: ReportData, chart_id: str) -> list[Line]:
    """The measures the catalogue declares for a chart, in report order."""
    return [line for line in data.lines if line.chart == chart_id]


def series_label(line: Line, lang: str) -> str:
    return f"{line.chart_label.get(lang) or line.measure_name[lang]} ({line.code})"


def chart_title(spec: ChartSpec, lines: list[Line], lang: str) -> str:
    title = messages(lang)["chart_titles"].get(spec.id)
    return title or (lines[0].measure_name[lang] if lines else spec.id)


def charts(data: ReportData, lang: str) -> list[dict[str, Any]]:
    made = []
    for spec in chart_specs(data):
        chart_id = f"chart-{spec.id}-{lang}"
        lines = members(data, spec.id)
        title = chart_title(spec, lines, lang)
        result = KINDS[spec.kind](data, lines, lang, chart_id, spec.options)
        if result is None:
            result = {"svg": None, "note": messages(lang)["chart_no_data"], "points": 0}
        made.append({"id": chart_id, "name": spec.id, "title": title, **result})
    return made


# ----------------------------------------------------------------------------------------------------
# Drawing


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


def value_formatter(unit: str, lang: str):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: format_value(x, unit, 0, lang))


def label_bars(ax, bars, unit: str, lang: str, fontsize: float = 7) -> None:
    for bar in bars:
        height = bar.get_height()
        if height and height == height:
            ax.annotate(format_value(height, unit, 0, lang), (bar.get_x() + bar.get_width() / 2, height),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=fontsize, color="#2b3340")


def set_bar_gids(bars, prefix: str) -> None:
    """Name each bar (`<g id="<chart>-series0-bar1">` in the SVG) so tests and readers can find the data."""
    for index, bar in enumerate(bars):
        bar.set_gid(f"{prefix}-bar{index}")


def chart_years(data: ReportData, keys: list[tuple[str, str]]) -> list[str]:
    """The years the measures have data for, up to the last period of the report."""
    last = max((period_sort_key(p)[0] for p in data.periods), default=None)
    years = {p for k in keys for p in data.series.get(k, {}) if is_year(p)}
    if last is not None:
        years = {y for y in years if int(y) <= last}
    return sorted(years)


def bars_by_year(data: ReportData, lines: list[Line], lang: str, chart_id: str, options: dict) -> dict | None:
    """Grouped bars: a group per year, a bar per measure (colours by the measure's place in the chart)."""
    years = chart_years(data, [l.key for l in lines])
    if not years:
        return None
    present = [(i, l) for i, l in enumerate(lines) if any(y in data.series.get(l.key, {}) for y in years)]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    width = 0.8 / len(present)
    points = 0
    for i, (colour, line) in enumerate(present):
        values = [data.series.get(line.key, {}).get(y, float("nan")) for y in years]
        positions = [j + (i - (len(present) - 1) / 2) * width for j in range(len(years))]
        bars = ax.bar(positions, values, width * 0.92, label=series_label(line, lang),
                      color=SERIES_COLOURS[colour % len(SERIES_COLOURS)])
        set_bar_gids(bars, f"series{i}")
        label_bars(ax, bars, line.unit, lang, fontsize=6.5)
        points += sum(1 for v in values if v == v)
    ax.set_xticks(range(len(years)), years)
    ax.yaxis.set_major_formatter(value_formatter(present[0][1].unit, lang))
    ax.margins(y=0.12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(present), fontsize=8)
    return {"svg": figure_to_svg(fig, chart_id), "points": points}


def lines_by_year(data: ReportData, lines: list[Line], lang: str, chart_id: str, options: dict) -> dict | None:
    """A line per measure over the years, labelled at its last point; each measure's target dashed."""
    years = chart_years(data, [l.key for l in lines])
    if not years:
        return None
    labels = messages(lang)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    points = 0
    top = 0.0
    ends: list[tuple[float, int, int, str]] = []
    for i, line in enumerate(lines):
        values = [data.series.get(line.key, {}).get(y, float("nan")) for y in years]
        if all(v != v for v in values):
            continue
        (drawn,) = ax.plot(range(len(years)), values, marker="o", linewidth=2, markersize=4.5,
                           label=series_label(line, lang), color=SERIES_COLOURS[i % len(SERIES_COLOURS)])
        drawn.set_gid(f"series{i}")
        present = [(j, v) for j, v in enumerate(values) if v == v]
        points += len(present)
        top = max([top] + [v for _, v in present])
        ends.append((present[-1][1], i, present[-1][0], line.unit))
    # Label each series at its last point, to the right, nudged apart so close values stay legible.
    placed: list[float] = []
    for value, i, j, unit in sorted(ends):
        y = max([value] + [p + 3.2 for p in placed])
        placed.append(y)
        ax.annotate(format_value(value, unit, 0, lang), (j, value), xytext=(j + 0.12, y), textcoords="data",
                    va="center", fontsize=7.5, color=SERIES_COLOURS[i % len(SERIES_COLOURS)], fontweight="bold")
    for line in lines:
        target = data.targets.get(line.key)
        if target is not None:
            ax.axhline(target, color=PALETTE["grey"], linestyle="--", linewidth=1.2,
                       label=f"{labels['series_target'].format(code=line.code)} "
                             f"({format_value(target, line.unit, 0, lang)})")
            top = max(top, target)
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.3, len(years) - 0.45)
    ax.set_ylim(0, max(float(options.get("y_top", 0)), top * 1.15))
    ax.yaxis.set_major_formatter(value_formatter(lines[0].unit, lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    return {"svg": figure_to_svg(fig, chart_id), "points": points}


def bars_by_period(data: ReportData, lines: list[Line], lang: str, chart_id: str, options: dict) -> dict | None:
    """One measure (the first the catalogue declares) over its years and bienniums."""
    if not lines:
        return None
    labels = messages(lang)
    line = lines[0]
    values = data.series.get(line.key, {})
    last = max((period_sort_key(p)[0] for p in data.periods), default=None)
    periods = sorted((p for p in values if last is None or period_sort_key(p)[0] <= last), key=period_sort_key)
    if not periods:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    colours = [PALETTE["navy"] if is_biennium(p) else PALETTE["sky"] for p in periods]
    bars = ax.bar(range(len(periods)), [values[p] for p in periods], 0.62, color=colours)
    set_bar_gids(bars, "series0")
    label_bars(ax, bars, line.unit, lang, fontsize=7)
    ax.set_xticks(range(len(periods)), periods)
    ax.yaxis.set_major_formatter(value_formatter(line.unit, lang))
    ax.margins(y=0.12)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE["sky"], label=labels["series_year"]),
                       Patch(color=PALETTE["navy"], label=labels["series_biennium"])],
              loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    return {"svg": figure_to_svg(fig, chart_id), "points": len(periods)}


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


def agreements(data: ReportData, lines: list[Line], lang: str, chart_id: str, options: dict) -> dict | None:
    """Signed funding agreements of the report's years by partner category: number and amount."""
    labels = messages(lang)
    if data.agreements is None:
        return {"svg": None, "note": labels["chart_no_agreements"], "points": 0}
    years = sorted({y for p in data.periods for y in (biennium_years(p) if is_biennium(p) else [p]) if is_year(y)})
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
        return None
    totals: Counter = Counter()
    for (category, _), n in counts.items():
        totals[category] += n
    categories = [c for c, _ in sorted(totals.items(), key=lambda kv: (kv[1], kv[0]))]
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    panels = 2 if has_amount else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.4, max(2.6, 1.0 + 0.5 * len(categories))),
                             sharey=True, squeeze=False, gridspec_kw={"wspace": 0.08})
    height = 0.8 / max(1, len(years))
    points = 0
    for panel, ax in enumerate(axes[0]):
        decimals = 0 if panel == 0 else 1
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
                    ax.annotate(format_number(v, decimals, lang),
                                (v, bar.get_y() + bar.get_height() / 2), xytext=(3, 0), textcoords="offset points",
                                va="center", fontsize=6.5, color="#2b3340")
        ax.set_yticks(range(len(categories)), categories)
        ax.grid(axis="x", color="#e3e7ee")
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.15)
        ax.set_title(labels["agreements_count"] if panel == 0 else labels["agreements_amount"], fontsize=8.5,
                     loc="left", color="#2b3340")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=panel == 0))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p, d=decimals: format_number(x, d, lang)))
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(years), fontsize=8)
    return {"svg": figure_to_svg(fig, chart_id), "points": points}


KINDS: dict[str, Callable[..., dict | None]] = {
    "bars_by_year": bars_by_year,
    "lines_by_year": lines_by_year,
    "bars_by_period": bars_by_period,
    "agreements": agreements,
}
