"""`python -m orchestration.print_annex1`: print the Annex 1 figures held by the published marts.duckdb."""
import sys

import duckdb

from orchestration.settings import marts_db_path


def annex1_table(marts_db) -> str:
    with duckdb.connect(str(marts_db), read_only=True) as con:
        rows = con.execute(
            "select indicator_code, measure, period, value, unit from annex1_indicators "
            "order by indicator_code, measure, period"
        ).fetchall()
    # As in the report: each year, then the biennium after its second year (2022, 2023, 2022-23).
    periods = sorted({r[2] for r in rows}, key=lambda p: (int(p[:4]) + (1 if "-" in p else 0), "-" in p))
    values: dict[tuple[str, str], dict[str, str]] = {}
    for code, measure, period, value, unit in rows:
        text = "" if value is None else f"{value:,.1f}%" if unit == "percent" else f"{value:,.2f}" if unit.startswith("score") else f"{value:,.0f}"
        values.setdefault((code, measure), {})[period] = text
    width = max([len(f"{c} {m}") for c, m in values] + [20])
    lines = [f"{'indicator':<{width}}" + "".join(f"{p:>12}" for p in periods)]
    for (code, measure), by_period in values.items():
        lines.append(f"{code + ' ' + measure:<{width}}" + "".join(f"{by_period.get(p, ''):>12}" for p in periods))
    return "\n".join(lines)


def main() -> None:
    marts = marts_db_path()
    if not marts.exists():
        sys.exit(f"{marts} does not exist yet: run `make refresh` (or `make demo`) first")
    print(f"Annex 1 figures in {marts}:\n")
    print(annex1_table(marts))


if __name__ == "__main__":
    main()
