"""Content hashes of the published figures, to prove a change did not move a number.

`python scripts/figures_hash.py [marts.duckdb] [--json]` prints one sha256 for `annex1_indicators` (run ids,
build times and source watermarks left out: they change every night) and one for
`annex1_reconciliation`, each over the rows in key order with floats rounded to 9 decimals (a refactor may
add terms in another order). `--only-baseline-rows` leaves out the 1.A/1.B per-year rows and the columns added
in round 2 (ADDED_COLUMNS), so a hash taken before those additions can be compared.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

VOLATILE = {"run_id", "built_at", "source_watermarks"}
# Columns added after the baseline hash (round 2: the sign-off state, the steward links a figure rests on):
# left out with --only-baseline-rows as well, so that hash still compares.
ADDED_COLUMNS = {"is_signed_off", "signed_off_by", "steward_links"}
KEYS = {
    "annex1_indicators": ["indicator_code", "measure", "period"],
    "annex1_reconciliation": ["indicator_code", "measure", "kind", "period"],
}
# Round-2 additions (1.A and 1.B per year): left out to compare with a hash taken before them.
ADDED_ROWS = "not (indicator_code in ('1.A', '1.B') and period not like '%-%')"


def table_hash(con: duckdb.DuckDBPyConnection, table: str, only_baseline_rows: bool) -> tuple[str, int]:
    columns = [
        (name, dtype)
        for name, dtype in con.execute(
            "select column_name, data_type from information_schema.columns where table_name = ? "
            "order by column_name",
            [table],
        ).fetchall()
        if name not in VOLATILE and not (only_baseline_rows and name in ADDED_COLUMNS)
    ]
    select = ", ".join(
        f"round({name}, 9) as {name}" if dtype in ("DOUBLE", "FLOAT") or dtype.startswith("DECIMAL") else name
        for name, dtype in columns
    )
    where = f"where {ADDED_ROWS}" if only_baseline_rows else ""
    rows = con.execute(f"select {select} from {table} {where} order by {', '.join(KEYS[table])}").fetchall()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([None if v is None else str(v) for v in row]).encode())
    return digest.hexdigest(), len(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("marts", nargs="?", default="warehouse/marts.duckdb")
    parser.add_argument("--only-baseline-rows", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not Path(args.marts).exists():
        sys.exit(f"{args.marts} does not exist")
    with duckdb.connect(args.marts, read_only=True) as con:
        result = {t: table_hash(con, t, args.only_baseline_rows) for t in KEYS}
    if args.json:
        print(json.dumps({t: {"sha256": h, "rows": n} for t, (h, n) in result.items()}, indent=2))
    else:
        for table, (digest, rows) in result.items():
            print(f"{table:24} {rows:6} rows  {digest}")


if __name__ == "__main__":
    main()
