"""MAP (activity & participant management): contract tables → raw_map.* in the build database.

Asset keys are ["map", <table>], the keys dagster-dbt gives the dbt sources of the same names, so the
extract and the dbt models form one lineage.
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from orchestration import pseudonymise
from orchestration.settings import load_sources
from orchestration.sources.sql_tables import TableContract, read_contract_tables
from orchestration.warehouse import build_connection, write_snapshot_with_history

SYSTEM = "map"
RAW_SCHEMA = "raw_map"

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
    ),
    TableContract(
        "participant",
        (
            "participant_id", "first_name", "last_name", "email", "gender", "birth_year", "nationality",
            "constituent_group", "institution", "ecampus_user_id", "updated_at",
        ),
        key=("participant_id",),
    ),
    TableContract(
        "registration",
        ("registration_id", "activity_id", "participant_id", "status", "fellowship", "registered_at", "updated_at"),
        key=("registration_id",),
    ),
]


def pseudonymise_participants(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace names, e-mail and birth year by the keyed match keys of the methodology."""
    out = frame.drop(columns=["first_name", "last_name", "email", "birth_year"])
    names = list(zip(frame["first_name"], frame["last_name"]))
    out["email_key"] = [pseudonymise.email_key(e) for e in frame["email"]]
    out["email_domain"] = [pseudonymise.email_domain(e) for e in frame["email"]]
    out["name_key"] = [pseudonymise.name_key(f, l) for f, l in names]
    out["name_token_keys"] = [pseudonymise.name_token_keys(f, l) for f, l in names]
    out["birth_year_key"] = [pseudonymise.birth_year_key(y) for y in frame["birth_year"]]
    return out


TRANSFORMS = {"participant": pseudonymise_participants}


@multi_asset(
    specs=[
        AssetSpec([SYSTEM, c.name], group_name=SYSTEM, description=f"MAP `{c.name}` table, history kept")
        for c in CONTRACTS
    ],
    compute_kind="sqlalchemy",
)
def map_tables(context: AssetExecutionContext):
    """Read MAP's contract tables and upsert them into raw_map, in one transaction."""
    url = load_sources().url(SYSTEM)
    frames = read_contract_tables("MAP", url, CONTRACTS)
    results = []
    with build_connection() as con:
        con.begin()
        for contract in CONTRACTS:
            frame = TRANSFORMS.get(contract.name, lambda f: f)(frames[contract.name])
            written = write_snapshot_with_history(con, RAW_SCHEMA, contract.name, frame, list(contract.key))
            watermark = frame["updated_at"].max() if len(frame) else None
            results.append(
                MaterializeResult(
                    asset_key=[SYSTEM, contract.name],
                    metadata={
                        "rows_read": len(frames[contract.name]),
                        "rows_loaded": written.rows_loaded,
                        "rows_rejected": 0,
                        "rows_vanished": written.rows_vanished,
                        "watermark": str(watermark) if watermark is not None else "",
                    },
                )
            )
        con.commit()
    yield from results


assets = [map_tables]
