"""External evaluation survey files `external_evaluation_<year>.csv` → raw_evaluation.responses
(contract: evaluation.md).

Every file of the folder is one partition of the table (column `survey_file`): a changed file replaces
its own rows only; an unchanged one (sha256 in raw_evaluation.files_loaded) costs nothing; a file removed
from the folder keeps its rows, flagged `_vanished_at`. Malformed rows (field count, an answer that is not
1-5, `gave_example` not yes/no, missing respondent_id, duplicate respondent_id) are set aside in
raw_evaluation.rejects and counted. All files are written in one transaction. Full reload: run tag
`warehouse/full_reload=true`, WAREHOUSE_FULL_RELOAD=1, or the asset's run config `{"full_reload": true}`.
"""
import re

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.settings import load_sources
from orchestration.sources.files import (
    FileExtractConfig,
    Column,
    FileSourceError,
    ensure_rejects_table,
    ensure_state_tables,
    ensure_table,
    first_rule,
    full_reload_requested,
    in_range,
    one_of,
    sources_section,
    stage_csv,
    write_staged,
)
from orchestration.warehouse import build_connection
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "evaluation"
RAW_SCHEMA = "raw_evaluation"
FILE_PATTERN = re.compile(r"^external_evaluation_(\d{4})\.csv$")
ITEMS = ("relevant", "theory_to_practice", "can_apply")

CONTRACT = [
    Column("respondent_id", required=True), Column("survey_year", "int", required=True), Column("modality"),
    Column("relevant", "int"), Column("theory_to_practice", "int"), Column("can_apply", "int"),
    Column("gave_example"),
]
KEY = ["survey_file", "respondent_id"]
TABLE = {"survey_file": "varchar", **{c.name: c.sql_type for c in CONTRACT}}


def validate(frame):
    return first_rule(*(in_range(frame, item, 1, 5) for item in ITEMS), one_of(frame, "gave_example", ("yes", "no")))


@asset(
    key=[SYSTEM, "responses"],
    group_name=SYSTEM,
    description="External evaluation answers, one row per (survey_file, respondent_id); history kept",
    compute_kind="csv",
    pool=BUILD_DB_POOL,
)
def evaluation_responses(context: AssetExecutionContext, config: FileExtractConfig) -> MaterializeResult:
    sources = load_sources()
    with build_connection() as con:
        ensure_table(con, RAW_SCHEMA, "responses", TABLE)
        ensure_state_tables(con, RAW_SCHEMA)
        ensure_rejects_table(con, RAW_SCHEMA)
        if sources_section(sources, SYSTEM) is None:
            context.log.warning("the external evaluation is not configured in the sources file: nothing extracted")
            return MaterializeResult(metadata={"rows_read": 0, "rows_loaded": 0, "rows_rejected": 0,
                                               "watermark": "", "configured": False})
        folder = sources.file(SYSTEM, "folder")
        if not folder.is_dir():
            raise FileSourceError(f"external evaluation folder {folder} is missing")
        paths = sorted(p for p in folder.iterdir() if p.is_file() and FILE_PATTERN.match(p.name))
        if not paths:
            context.log.warning(f"no external_evaluation_<year>.csv file in {folder}")
        full = full_reload_requested(context, config)
        staged = []
        for path in paths:
            item = stage_csv(con, RAW_SCHEMA, path, CONTRACT, ["respondent_id"], full, validate=validate,
                             label="external evaluation file")
            if not item.skipped:
                item.frame.insert(0, "survey_file", path.name)
            staged.append(item)
        con.begin()
        try:
            vanished = 0
            for item in staged:
                merge = write_staged(con, RAW_SCHEMA, "responses", item, KEY,
                                     partition={"survey_file": item.path.name})
                vanished += merge.rows_vanished if merge else 0
            present = [p.name for p in paths]
            removed = con.execute(
                f"update {RAW_SCHEMA}.responses set _vanished_at = now()::timestamp where _vanished_at is null "
                f"and not list_contains(?::varchar[], survey_file) returning 1", [present]
            ).fetchall()
            vanished += len(removed)
            con.execute(f"delete from {RAW_SCHEMA}.files_loaded where not list_contains(?::varchar[], file_name)",
                        [present])
            con.commit()
        except Exception:
            con.rollback()
            raise
    loaded = [s for s in staged if not s.skipped]
    for item in loaded:
        for reject in item.rejects:
            context.log.warning(f"{item.path.name} line {reject.line}: {reject.rule}")
    newest = max((int(FILE_PATTERN.match(p.name).group(1)) for p in paths), default=None)
    return MaterializeResult(metadata={
        "rows_read": sum(s.rows_read for s in loaded),
        "rows_loaded": sum(len(s.frame) for s in loaded),
        "rows_rejected": sum(len(s.rejects) for s in loaded),
        "rows_vanished": vanished,
        "files_loaded": ", ".join(s.path.name for s in loaded) or "none",
        "files_unchanged": ", ".join(s.path.name for s in staged if s.skipped) or "none",
        "watermark": f"external_evaluation_{newest}.csv" if newest else "",
    })


assets = [evaluation_responses]
