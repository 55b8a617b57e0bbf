"""MAP extraction: contract errors are clear and lose nothing; history and erasure are kept."""
import duckdb

from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import run_sql


def raw_rows(warehouse, table):
    with duckdb.connect(str(warehouse / "raw.duckdb"), read_only=True) as con:
        return con.execute(f"select * from raw_map.{table}").fetchall()


def test_missing_required_column_is_named_and_nothing_loaded_is_lost(sample_warehouse, sample_sources):
    warehouse = sample_warehouse
    before = raw_rows(warehouse, "registration")
    marts_before = (warehouse / "marts.duckdb").read_bytes()

    run_sql(sample_sources.parent / "map.sqlite", "alter table registration drop column fellowship;")
    result = execute_refresh()

    assert not result.success
    report = "\n".join(failure_report(result))
    assert "table 'registration' is missing required column(s) fellowship" in report
    assert raw_rows(warehouse, "registration") == before
    assert (warehouse / "marts.duckdb").read_bytes() == marts_before


def test_vanished_rows_stay_counted_and_erased_personal_data_leaves(sample_warehouse, sample_sources):
    warehouse = sample_warehouse
    # Erasure on request: names, e-mail and birth year nulled in MAP; a registration row vanishes.
    run_sql(sample_sources.parent / "map.sqlite",
            "update participant set first_name = null, last_name = null, email = null, birth_year = null, "
            "updated_at = '2024-01-01 00:00:00' where participant_id = 101;"
            "delete from registration where registration_id = 1001;")
    assert execute_refresh().success

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
    assert count == 6
