"""Finance (Oracle ERP) and HR yearly extracts → raw_finance.net_contribution, raw_finance.staff
(contract: finance-hr.md).

Both CSV files (UTF-8, `,`, header) are read in one transaction. A file whose content is unchanged since it
was last loaded (sha256 in raw_finance.files_loaded) costs nothing. Malformed rows (field count, a year or
amount that is not a number, missing key, duplicate key) are set aside in raw_finance.rejects and counted.
Rows that disappear from a file stay, flagged `_vanished_at`. Full reload: run tag
`warehouse/full_reload=true`, WAREHOUSE_FULL_RELOAD=1, or the asset's run config `{"full_reload": true}`.
"""
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration.settings import load_sources
from orchestration.sources.files import (
    FileExtractConfig,
    Column,
    ensure_rejects_table,
    ensure_state_tables,
    ensure_table,
    full_reload_requested,
    sources_section,
    stage_csv,
    write_staged,
)
from orchestration.warehouse import build_connection
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "finance"
RAW_SCHEMA = "raw_finance"

CONTRACT = {
    "net_contribution": [
        Column("year", "int", required=True), Column("source", required=True),
        Column("revenue_keur", "float"), Column("direct_expenses_keur", "float"),
    ],
    "staff": [
        Column("year", "int", required=True), Column("position_ref", required=True), Column("unit"),
        Column("unit_type"), Column("fte", "float"), Column("staff_cost_keur", "float"), Column("cost_type"),
    ],
}
KEYS = {"net_contribution": ["year", "source"], "staff": ["year", "position_ref"]}
DESCRIPTIONS = {
    "net_contribution": "Net contribution by year and source (thousands of euros), one row per (year, source)",
    "staff": "Staff positions as at 31 December, one row per (year, position_ref)",
}


@multi_asset(
    specs=[AssetSpec([SYSTEM, t], group_name=SYSTEM, description=DESCRIPTIONS[t]) for t in CONTRACT],
    compute_kind="csv",
    pool=BUILD_DB_POOL,
)
def finance_extracts(context: AssetExecutionContext, config: FileExtractConfig):
    """Read the finance and HR extracts that changed; one transaction for both."""
    sources = load_sources()
    with build_connection() as con:
        for table, columns in CONTRACT.items():
            ensure_table(con, RAW_SCHEMA, table, {c.name: c.sql_type for c in columns})
        ensure_state_tables(con, RAW_SCHEMA)
        ensure_rejects_table(con, RAW_SCHEMA)
        if sources_section(sources, SYSTEM) is None:
            context.log.warning("finance/HR is not configured in the sources file: nothing extracted")
            for table in CONTRACT:
                yield MaterializeResult(asset_key=[SYSTEM, table], metadata={
                    "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "watermark": "", "configured": False})
            return
        full = full_reload_requested(context, config)
        staged = {
            table: stage_csv(con, RAW_SCHEMA, sources.file(SYSTEM, table), columns, KEYS[table], full,
                             label=f"finance/HR file '{table}'")
            for table, columns in CONTRACT.items()
        }
        con.begin()
        try:
            merges = {table: write_staged(con, RAW_SCHEMA, table, staged[table], KEYS[table]) for table in CONTRACT}
            con.commit()
        except Exception:
            con.rollback()
            raise
    for table in CONTRACT:
        for reject in staged[table].rejects:
            context.log.warning(f"{staged[table].path.name} line {reject.line}: {reject.rule}")
        yield MaterializeResult(asset_key=[SYSTEM, table], metadata=staged[table].metadata(merges[table]))


assets = [finance_extracts]
