"""`python -m orchestration.reports [PERIOD ...]`: write the reports and the data-quality page for the current
WAREHOUSE_DIR and print their paths (default periods: the latest complete biennium and its two years). The
report is written first: a fault in the page leaves it written (exit status 1, the fault named)."""
from __future__ import annotations

import sys

from orchestration.reports.write import reports_dir, write_quality_page, write_reports


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
    try:
        pages = write_quality_page(marts, reports_dir())
    except Exception as error:  # noqa: BLE001 - the report is written; the page's fault is named, not hidden
        sys.exit(f"data-quality page not written: {type(error).__name__}: {error}")
    print("Data-quality page:")
    for key in ("en", "fr"):
        print(f"  {pages[key]}")


if __name__ == "__main__":
    main()
