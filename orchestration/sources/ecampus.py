"""eCampus (the Centre's Moodle): every table of contracts/moodle.md → raw_ecampus.<table> (no prefix).

The table prefix comes from the sources file (`ecampus: {url: …, table_prefix: mdl_}`, default `mdl_`).
Incremental where Moodle keeps a modification time (see `orchestration.sources.moodle`); a key scan of
every table flags rows Moodle removed (a deleted user's enrolments and role assignments are physically
deleted: they stay here with `_vanished_at`). All tables load in one transaction.

A deployment whose sources file has no `ecampus` section has no eCampus: the asset records that
(metadata `configured: false`) and only creates the raw tables, empty, if they do not exist yet.
"""
from orchestration.extract.sql import sql_source
from orchestration.sources import moodle

SYSTEM = "ecampus"
SECTION_KEYS = ("url",)

ecampus_tables = sql_source(
    SYSTEM, "eCampus", lambda: moodle.contracts(moodle.ECAMPUS_TABLES), name="ecampus_tables",
    default_prefix="mdl_", description="eCampus Moodle `{table}` table, history kept",
)
assets = [ecampus_tables]
