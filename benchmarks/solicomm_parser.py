"""SoliComm extract, this checkout's parser against an earlier revision's, on one landing folder.

    python -m benchmarks.solicomm_parser --landing /tmp/demo/sources/solicomm [--old-rev 873d1cc]

Loads every drop with each parser into its own fresh raw database (same HMAC key), prints both times and
the floor (the same CSV files read with Python's csv module, no warehouse code), then compares the
raw_solicomm tables and rejects row for row (run times aside). Exit status 1 when they differ.
The default old revision is the last one with the line-by-line Python parser (issue 12).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OLD_REV = "873d1cc"
RUN_TIME_COLUMNS = {"_extracted_at", "loaded_at", "rejected_at"}  # when the run happened, not what it loaded
TABLES = ("members", "courses", "enrolments", "rejects", "drops_loaded")


def load_old(rev: str):
    source = subprocess.run(["git", "show", f"{rev}:orchestration/sources/solicomm.py"], check=True,
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]).stdout
    path = Path(tempfile.mkdtemp(prefix="solicomm-old-")) / "solicomm_old.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("solicomm_old", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def floor_seconds(landing: Path) -> tuple[float, int]:
    from benchmarks.floors import _read_csv

    started, rows = time.perf_counter(), 0
    for path in sorted(landing.rglob("*.csv")):
        rows += _read_csv(path)
    return time.perf_counter() - started, rows


def differences(old_db: Path, new_db: Path) -> dict[str, tuple[int, int, int]]:
    """{table: (rows old, rows only in old, rows only in new)}."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{old_db}' as old (read_only)")
    con.execute(f"attach '{new_db}' as new (read_only)")
    out = {}
    for table in TABLES:
        names = [n for (n,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'old' and schema_name = 'raw_solicomm' "
            "and table_name = ? order by column_index", [table]).fetchall() if n not in RUN_TIME_COLUMNS]
        cols = ", ".join(f'"{n}"' for n in names)
        old, new = f"select {cols} from old.raw_solicomm.{table}", f"select {cols} from new.raw_solicomm.{table}"
        count = con.execute(f"select count(*) from old.raw_solicomm.{table}").fetchone()[0]
        only_old = con.execute(f"select count(*) from ({old} except all {new})").fetchone()[0]
        only_new = con.execute(f"select count(*) from ({new} except all {old})").fetchone()[0]
        out[table] = (count, only_old, only_new)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.solicomm_parser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, required=True, help="the SoliComm landing folder")
    parser.add_argument("--old-rev", default=OLD_REV, help=f"the revision of the old parser (default {OLD_REV})")
    parser.add_argument("--skip-old", action="store_true", help="time the new parser and the floor only")
    args = parser.parse_args(argv)
    os.environ.setdefault("WAREHOUSE_HMAC_KEY", "benchmark-key")
    work = Path(tempfile.mkdtemp(prefix="solicomm-bench-"))

    from orchestration.sources import solicomm as new

    runs = [("new", new)] + ([] if args.skip_old else [("old", load_old(args.old_rev))])
    seconds = {}
    for label, module in runs:
        started = time.perf_counter()
        report = module.extract_solicomm(args.landing, warn=lambda message: None, raw_db=work / f"{label}.duckdb")
        seconds[label] = time.perf_counter() - started
        print(f"{label:>5}: {seconds[label]:7.1f} s  drops loaded {len(report.loaded)}, not loaded "
              f"{len(report.not_loaded)}, rows loaded {sum(report.rows_loaded.values())}, rejected "
              f"{sum(report.rows_rejected.values())}")
    floor, rows = floor_seconds(args.landing)
    print(f"floor: {floor:7.1f} s  (csv module over the same {rows} lines of CSV, no warehouse code)")
    if args.skip_old:
        return 0
    same = True
    for table, (count, only_old, only_new) in differences(work / "old.duckdb", work / "new.duckdb").items():
        same &= not (only_old or only_new)
        print(f"raw_solicomm.{table:<12} {count:>8} rows; only old {only_old}, only new {only_new}")
    print("IDENTICAL" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
