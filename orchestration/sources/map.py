"""MAP (activity & participant management): contract tables → raw_map.* in the build database.

Incremental on `updated_at` (activity, participant, registration, organisation): the watermark is the
largest `updated_at` already in the raw table, so it survives across runs and moves only when a load
commits. `service_client` and `service_feedback` have no `updated_at` and are read whole (only changed
rows are written). A key scan flags rows gone from MAP (`_vanished_at`). An erased participant (names,
e-mail and birth year nulled, `updated_at` moved) is re-read, so their keyed hashes leave the raw table;
a participant row physically deleted loses its keys too.
"""
from orchestration.extract.contract import Column, TableContract, columns
from orchestration.extract.sql import sql_source
from orchestration.pseudonymise import People

SYSTEM = "map"
SECTION_KEYS = ("url",)
PARTICIPANTS = People(email="email", first="first_name", last="last_name", birth_year="birth_year")
UPDATED = (Column("updated_at", "timestamp"),)

CONTRACTS = [
    TableContract(
        "activity",
        columns("activity_id", "int") + columns(
            "activity_code title service_type delivery_mode") + (Column("is_open_course", "bool"),) + columns(
            "technical_programme pb_outcome programme_code") + columns("start_date end_date", "date") + columns(
            "status ilo_partnership other_partnership ils_marker sdt_marker gender_marker") + columns(
            "ecampus_course_id", "int") + UPDATED,
        key=("activity_id",), cursor=("updated_at",),
    ),
    TableContract(
        "participant",
        columns("participant_id", "int") + columns("first_name last_name email gender") + columns(
            "birth_year", "int") + columns("nationality constituent_group institution") + columns(
            "ecampus_user_id", "int") + UPDATED,
        key=("participant_id",), cursor=("updated_at",), people=PARTICIPANTS, erase_on_vanish=PARTICIPANTS.keys,
    ),
    TableContract(
        "registration",
        columns("registration_id activity_id participant_id", "int") + columns("status fellowship") + (
            Column("registered_at", "date"),) + UPDATED,
        key=("registration_id",), cursor=("updated_at",), watermark="max(updated_at)",
    ),
    # Organisation names are not personal data: kept in clear. The contract requires the non-training
    # tables too: a MAP without them is a named error.
    TableContract(
        "organisation", columns("organisation_id", "int") + columns("name country organisation_type") + UPDATED,
        key=("organisation_id",), cursor=("updated_at",),
    ),
    TableContract("service_client", columns("activity_id organisation_id", "int"),
                  key=("activity_id", "organisation_id")),
    TableContract("service_feedback", columns("feedback_id activity_id", "int") + (
        Column("submitted_on", "date"), Column("score", "int")), key=("feedback_id",)),
]

map_tables = sql_source(SYSTEM, "MAP", lambda: CONTRACTS, name="map_tables", optional=False)
assets = [map_tables]
