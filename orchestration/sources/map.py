"""MAP (activity & participant management): contract tables → raw_map.* in the build database.

Asset keys are ["map", <table>], the keys dagster-dbt gives the dbt sources of the same names, so the
extract and the dbt models form one lineage.

Incremental on `updated_at` (activity, participant, registration, organisation): the watermark is the
largest `updated_at` already in the raw table, so it survives across runs and moves only when a load
commits. `service_client` and `service_feedback` have no `updated_at` and are read whole (only changed
rows are written). A key scan flags rows gone from MAP (`_vanished_at`). An erased participant (names,
e-mail and birth year nulled, `updated_at` moved) is re-read, so their keyed hashes leave the raw table;
a participant row physically deleted loses its keys too. Full reload: see `orchestration.warehouse`.
"""

import pyarrow as pa
from dagster import AssetExecutionContext, AssetSpec, Config, MaterializeResult, multi_asset

from orchestration.settings import load_sources
from orchestration.sources.sql_tables import (
    TableContract,
    ensure_empty_tables,
    extract_system,
    pseudonymise_people,
)
from orchestration.warehouse import EXTRACT_MEMORY_LIMIT, build_connection, full_reload_requested
from orchestration.concurrency import BUILD_DB_POOL

SYSTEM = "map"
RAW_SCHEMA = "raw_map"
# The contract requires the non-training tables too (organisation, service_client, service_feedback): a
# MAP without them is a named error. (False would log and skip them, keeping their raw rows.)
NON_TRAINING_REQUIRED = True
# Types of the optional tables' columns, for their empty raw tables when MAP lacks them.
COLUMN_TYPES = {
    "organisation_id": pa.int64(), "name": pa.string(), "country": pa.string(), "organisation_type": pa.string(),
    "updated_at": pa.timestamp("us"), "activity_id": pa.int64(), "feedback_id": pa.int64(),
    "submitted_on": pa.date32(), "score": pa.int64(),
}
PERSON_KEYS = ("email_key", "email_domain", "name_key", "name_token_keys", "birth_year_key")


def pseudonymise_participants(batch: pa.Table) -> pa.Table:
    """Replace names, e-mail and birth year by the keyed match keys of the methodology."""
    return pseudonymise_people(batch, email="email", first="first_name", last="last_name", birth_year="birth_year")


CONTRACTS = [
    TableContract(
        "activity",
        (
            "activity_id", "activity_code", "title", "service_type", "delivery_mode", "is_open_course",
            "technical_programme", "pb_outcome", "programme_code", "start_date", "end_date", "status",
            "ilo_partnership", "other_partnership", "ils_marker", "sdt_marker", "gender_marker",
            "ecampus_course_id", "updated_at",
        ),
        key=("activity_id",),
        cursor=("updated_at",),
    ),
    TableContract(
        "participant",
        (
            "participant_id", "first_name", "last_name", "email", "gender", "birth_year", "nationality",
            "constituent_group", "institution", "ecampus_user_id", "updated_at",
        ),
        key=("participant_id",),
        cursor=("updated_at",),
        erase_on_vanish=PERSON_KEYS,
        transform=pseudonymise_participants,
    ),
    TableContract(
        "registration",
        ("registration_id", "activity_id", "participant_id", "status", "fellowship", "registered_at", "updated_at"),
        key=("registration_id",),
        cursor=("updated_at",),
    ),
    # Organisation names are not personal data: kept in clear.
    TableContract(
        "organisation",
        ("organisation_id", "name", "country", "organisation_type", "updated_at"),
        key=("organisation_id",),
        cursor=("updated_at",),
        required=NON_TRAINING_REQUIRED,
    ),
    TableContract(
        "service_client", ("activity_id", "organisation_id"), key=("activity_id", "organisation_id"),
        required=NON_TRAINING_REQUIRED,
    ),
    TableContract(
        "service_feedback", ("feedback_id", "activity_id", "submitted_on", "score"), key=("feedback_id",),
        required=NON_TRAINING_REQUIRED,
    ),
]


class ExtractConfig(Config):
    """Run config of an extract asset. full_reload: re-read every row (watermarks ignored) and rewrite it."""

    full_reload: bool = False


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, c.name], group_name=SYSTEM, description=f"MAP `{c.name}` table, history kept")
        for c in CONTRACTS
    ],
    compute_kind="sqlalchemy",
    pool=BUILD_DB_POOL,
)
def map_tables(context: AssetExecutionContext, config: ExtractConfig):
    """Read MAP's contract tables (incrementally) and merge them into raw_map, in one transaction."""
    url = load_sources().url(SYSTEM)
    full_reload = full_reload_requested(context.run.tags, config.full_reload)
    with build_connection(memory_limit=EXTRACT_MEMORY_LIMIT) as con:
        outcomes = extract_system(con, "MAP", url, CONTRACTS, RAW_SCHEMA, full_reload=full_reload)
        missing = [c for c in CONTRACTS if c.name not in outcomes]
        if missing:
            ensure_empty_tables(con, RAW_SCHEMA, missing, lambda table, column: COLUMN_TYPES[column])
    for contract in CONTRACTS:
        if contract.name not in outcomes:
            context.log.warning(f"MAP has no table '{contract.name}': skipped, its raw rows untouched")
            yield MaterializeResult(asset_key=[SYSTEM, contract.name], metadata={"missing_in_source": True})
            continue
        yield MaterializeResult(
            asset_key=[SYSTEM, contract.name],
            metadata={**outcomes[contract.name].metadata(), "full_reload": full_reload},
        )


assets = [map_tables]
