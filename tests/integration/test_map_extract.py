"""MAP extraction: contract errors are clear and lose nothing; history and erasure are kept."""
from pathlib import Path

import duckdb

from orchestration import backups
from orchestration.refresh import execute_refresh, failure_report
from orchestration.restore import restore
from orchestration.sources.map import map_tables
from tests.conftest import run_sql
from tests.reliability.support import (
    assert_history_kept, places_holding, published_files, raw_contents, run_extract, tables_holding,
)


def test_a_renamed_required_column_is_named_and_nothing_loaded_is_lost(sample_warehouse, sample_sources):
    warehouse = sample_warehouse
    history, published = raw_contents(warehouse / "raw.duckdb"), published_files(warehouse)

    run_sql(sample_sources.parent / "map.sqlite", "alter table registration rename column fellowship to has_fellowship;")
    result = execute_refresh()

    assert not result.success
    report = "\n".join(failure_report(result))
    assert "table 'registration' is missing required column(s) fellowship" in report
    assert_history_kept(history, raw_contents(warehouse / "raw.duckdb"))
    assert published_files(warehouse) == published


def participant_keys(raw: Path, participant_id: int) -> set[str]:
    with duckdb.connect(str(raw), read_only=True) as con:
        email, name, birth_year, tokens = con.execute(
            "select email_key, name_key, birth_year_key, name_token_keys from raw_map.participant "
            "where participant_id = ?", [participant_id]).fetchone()
    return {k for k in (email, name, birth_year, *(tokens or ())) if k is not None}


def test_vanished_rows_stay_counted_and_erased_personal_data_leaves(sample_warehouse, sample_sources):
    warehouse = sample_warehouse
    # 107 is in MAP only: her keyed hashes are held by her participant row and derived from it, nowhere else.
    erased = participant_keys(warehouse / "raw.duckdb", 107)
    assert len(erased) == 5 and set(tables_holding(warehouse / "raw.duckdb", erased)) == {
        f"raw.duckdb:raw_map.participant.{c}" for c in ("email_key", "name_key", "name_token_keys", "birth_year_key")}
    assert places_holding(warehouse, erased)  # in the build and its staging/identity models too
    [last_night] = backups.list_backups()

    # Erasure on request: names, e-mail and birth year nulled in MAP; a registration row vanishes.
    run_sql(sample_sources.parent / "map.sqlite",
            "update participant set first_name = null, last_name = null, email = null, birth_year = null, "
            "updated_at = '2024-01-01 00:00:00' where participant_id in (101, 107);"
            "delete from registration where registration_id = 1001;")
    assert execute_refresh().success

    # Gone from every file the refresh keeps: raw, build, marts, parquet, reports, dbt artifacts, and
    # tonight's backup. (Earlier backups keep them until pruned: see tests/reliability/README.md.)
    assert places_holding(warehouse, erased) == {}
    assert tables_holding(backups.list_backups()[-1].raw_file, erased) == {}
    assert tables_holding(last_night.raw_file, erased)

    with duckdb.connect(str(warehouse / "raw.duckdb"), read_only=True) as con:
        keys = con.execute(
            "select email_key, name_key, birth_year_key from raw_map.participant where participant_id = 101"
        ).fetchone()
        vanished = con.execute(
            "select _vanished_at is not null from raw_map.registration where registration_id = 1001"
        ).fetchone()
    assert keys == (None, None, None)
    assert vanished == (True,)
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        row = con.execute(
            "select is_counted, has_vanished_from_source from fct_enrolments "
            "where enrolment_key = 'map:registration:1001'"
        ).fetchone()
        count = con.execute(
            "select value from annex1_indicators where measure = 'face_to_face_registrations' and period = '2022'"
        ).fetchone()[0]
    assert row == (True, True)
    assert count == 6  # her registration 1007 (2022) still counted too
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select is_counted from fct_enrolments where enrolment_key = 'map:registration:1007'"
                           ).fetchone() == (True,)

    # Restoring last night's backup brings the keys back into raw.duckdb; the next extraction erases them
    # again, since MAP still holds the erasure.
    restore(last_night)
    assert tables_holding(warehouse / "raw.duckdb", erased)
    assert run_extract(map_tables).success
    assert tables_holding(warehouse / "raw.duckdb", erased) == {}
