"""eCampus (the Centre's Moodle): every table of contracts/moodle.md → raw_ecampus.<table> (no prefix).

The table prefix comes from the sources file (`ecampus: {url: …, table_prefix: mdl_}`, default `mdl_`).
Incremental where Moodle keeps a modification time (see `orchestration.sources.moodle`); a key scan of
every table flags rows Moodle removed (a deleted user's enrolments and role assignments are physically
deleted: they stay here with `_vanished_at`). All tables load in one transaction.

A deployment whose sources file has no `ecampus` section has no eCampus: the asset records that
(metadata `configured: false`) and only creates the raw tables, empty, if they do not exist yet.
"""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration.settings import load_sources
from orchestration.sources import moodle
from orchestration.sources.map import ExtractConfig
from orchestration.sources.sql_tables import ensure_empty_tables, extract_system
from orchestration.warehouse import EXTRACT_MEMORY_LIMIT, build_connection, full_reload_requested
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "ecampus"
RAW_SCHEMA = "raw_ecampus"
DEFAULT_PREFIX = "mdl_"


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, name], group_name=SYSTEM, description=f"eCampus Moodle `{name}` table, history kept")
        for name in moodle.ECAMPUS_TABLES
    ],
    compute_kind="sqlalchemy",
    pool=BUILD_DB_POOL,
)
def ecampus_tables(context: AssetExecutionContext, config: ExtractConfig):
    """Read eCampus's contract tables (incrementally) and merge them into raw_ecampus, in one transaction."""
    sources = load_sources()
    if SYSTEM not in sources.raw:
        context.log.warning(f"{sources.path} has no '{SYSTEM}' section: eCampus is not extracted")
        with build_connection() as con:
            ensure_empty_tables(con, RAW_SCHEMA, moodle.contracts(moodle.ECAMPUS_TABLES), moodle.column_type)
        for name in moodle.ECAMPUS_TABLES:
            yield MaterializeResult(asset_key=[SYSTEM, name], metadata={"configured": False})
        return
    prefix = str(sources.section(SYSTEM).get("table_prefix", DEFAULT_PREFIX) or "")
    full_reload = full_reload_requested(context.run.tags, config.full_reload)
    with build_connection(memory_limit=EXTRACT_MEMORY_LIMIT) as con:
        outcomes = extract_system(
            con, "eCampus", sources.url(SYSTEM), moodle.contracts(moodle.ECAMPUS_TABLES), RAW_SCHEMA,
            prefix=prefix, full_reload=full_reload,
        )
    for name in moodle.ECAMPUS_TABLES:
        yield MaterializeResult(
            asset_key=[SYSTEM, name],
            metadata={**outcomes[name].metadata(), "table_prefix": prefix, "full_reload": full_reload},
        )


assets = [ecampus_tables]
