"""The Dagster assets `annex1_report` and `data_quality_page` (group `publish`), downstream of
`published_marts`: the figures are published before either runs, so neither can hold them back, and each
writes its own files (a fault in one leaves the other's files as they are).

The reports record which publication they were written from (reports/.publication); on a night when nothing
changed since that publication (orchestration/changes.py) they are not rewritten.
"""
from __future__ import annotations

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.reports import html, xlsx
from orchestration.reports.write import reports_dir, write_quality_page, write_reports

PUBLICATION_MARK = ".publication"


@asset(
    deps=[AssetKey("published_marts")],
    group_name="publish",
    compute_kind="python",
    description="reports/annex1_en.html, annex1_fr.html and annex1.xlsx: the Annex 1 report (table by "
    "dimension, charts, reconciliation, provenance) in English and French, from the published marts.",
)
def annex1_report(context) -> MaterializeResult:
    from orchestration.changes import NOTHING_CHANGED_KEY, last_publication, unchanged_tonight
    from orchestration.settings import marts_db_path

    since = unchanged_tonight(context.run.run_id)
    mark = reports_dir() / PUBLICATION_MARK
    written = [reports_dir() / name for name in [*html.HTML_NAMES.values(), xlsx.XLSX_NAME]]
    if since is not None and mark.exists() and mark.read_text(encoding="utf-8") == since.run_id \
            and all(path.exists() for path in written):
        context.log.info(f"nothing changed since {since}: reports in {reports_dir()} left as they are")
        return MaterializeResult(metadata={NOTHING_CHANGED_KEY: str(since)})
    paths = write_reports(marts_db_path(), reports_dir())
    for path in paths.values():
        context.log.info(f"wrote {path}")
    publication = last_publication()
    if publication is not None:
        mark.write_text(publication["run_id"], encoding="utf-8")
    return MaterializeResult(metadata={f"path_{key}": MetadataValue.path(str(path)) for key, path in paths.items()})


@asset(
    deps=[AssetKey("published_marts")],
    group_name="publish",
    compute_kind="python",
    description="reports/quality_en.html and quality_fr.html: the data-quality page (rows loaded, rejected "
    "and refused by night, vanished and erased rows, identity resolution, the review queue, freshness), from "
    "the published data_quality_* marts and the review queue's file. Rewritten every night.",
)
def data_quality_page(context) -> MaterializeResult:
    from orchestration.settings import marts_db_path

    paths = write_quality_page(marts_db_path(), reports_dir())
    for path in paths.values():
        context.log.info(f"wrote {path}")
    return MaterializeResult(metadata={f"path_{key}": MetadataValue.path(str(path)) for key, path in paths.items()})
