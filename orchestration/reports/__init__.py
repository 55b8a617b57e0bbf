"""The Annex 1 report: WAREHOUSE_DIR/reports/annex1_en.html, annex1_fr.html and annex1.xlsx.

Laid out as Annex 1 of the Centre's implementation report: one row per indicator and measure, grouped by
dimension (immediate outcome), with baseline, target and the results of the years and the biennium asked
(by default the latest biennium in the marts and its two years), rounded to the precision the Centre
publishes, with the status against target; headline tiles and charts (inline SVG) as the indicator
catalogue declares them; the reconciliation with the published figures and the provenance of the run.

- data.py      reads the published marts.duckdb (read-only, degrading on an older build)
- periods.py   years and bienniums, the default periods
- texts.py     EN/FR texts, from templates/messages/<lang>.yml
- formats.py   rounding and number formatting (Babel, CLDR)
- layout.py    the table, reconciliation and tiles of one language
- charts.py    matplotlib charts (kinds in templates/charts.yml, series in the catalogue)
- html.py      the pages (templates/annex1.html.j2); xlsx.py the workbook
- write.py     `write_reports(marts_db, out_dir, periods=None)`, atomic; usable without Dagster
- quality.py   the data-quality page (quality_en.html, quality_fr.html) from the data_quality_* marts
- asset.py     the Dagster assets `annex1_report`, `data_quality_page`; __main__.py
               `python -m orchestration.reports [PERIOD ...]` (both)
"""
from orchestration.reports.asset import annex1_report, data_quality_page
from orchestration.reports.periods import default_periods
from orchestration.reports.write import reports_dir, write_quality_page, write_reports

assets = [annex1_report, data_quality_page]

__all__ = ["annex1_report", "assets", "data_quality_page", "default_periods", "reports_dir", "write_quality_page",
           "write_reports"]
