"""`python -m orchestration.print_annex1 [PERIOD ...]`: print the Annex 1 figures of the published marts.duckdb.

Default periods: the previous biennium (baseline), then those of the report (the latest complete biennium
and its two years); indicators in the report's order.
"""
import sys

import duckdb

from orchestration.reports.formats import format_number, format_percent
from orchestration.reports.periods import default_periods
from orchestration.settings import marts_db_path


def cell(value, text, unit) -> str:
    """A figure for the console: a little more precise than published (percentages to 0.1, scores to 0.01)."""
    if value is None:
        return (text or "")[:11]
    if unit == "percent":
        return format_percent(value, 1, "en")
    return format_number(value, 0 if unit in ("count", "days") else 2, "en")


def annex1_table(marts_db, periods: list[str] | None = None) -> str:
    with duckdb.connect(str(marts_db), read_only=True) as con:
        rows = con.execute(
            "select i.indicator_code, i.measure, i.period, i.value, i.value_text, i.unit "
            "from annex1_indicators i left join indicator_catalogue c using (indicator_code, measure) "
            "order by c.sort_order nulls last, i.indicator_code, i.measure"
        ).fetchall()
    if not periods:
        periods = default_periods(r[2] for r in rows)
        first = int(periods[-1][:4])
        periods = [f"{first - 2}-{str(first - 1)[-2:]}"] + periods
    values: dict[tuple[str, str], dict[str, str]] = {}
    for code, measure, period, value, text, unit in rows:
        values.setdefault((code, measure), {})[period] = cell(value, text, unit)
    width = max([len(f"{c} {m}") for c, m in values] + [20])
    lines = [f"{'indicator':<{width}}" + "".join(f"{p:>12}" for p in periods)]
    for (code, measure), by_period in values.items():
        if any(p in by_period for p in periods):
            lines.append(f"{code + ' ' + measure:<{width}}" + "".join(f"{by_period.get(p, ''):>12}" for p in periods))
    return "\n".join(lines)


def main() -> None:
    marts = marts_db_path()
    if not marts.exists():
        sys.exit(f"{marts} does not exist yet: run `make refresh` (or `make demo`) first")
    print(f"Annex 1 figures in {marts}:\n")
    print(annex1_table(marts, sys.argv[1:] or None))


if __name__ == "__main__":
    main()
