"""The Dagster asset `annex1_report` (group `publish`), downstream of `published_marts`."""
from __future__ import annotations

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.reports.write import reports_dir, write_reports


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
