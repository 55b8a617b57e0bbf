"""The SQL sources over real connections: PostgreSQL and MariaDB on 127.0.0.1 (and SQLite, for comparison).

Each test copies the MAP and Moodle fixtures into a uniquely named schema/database and drops it afterwards.
Without a reachable server the test skips, naming the reason; with the environment variable CI set it fails.
"""
import datetime as dt

import duckdb
import pytest

from orchestration.sources import moodle
from orchestration.sources import map as map_source
from orchestration.extract.sql import Database, SourceContractError, extract, extract_system
from tests.fixtures.sql_sources import MAP, MOODLE, execute, server_database, write_tables

ENGINES = ["sqlite", "postgresql", "mariadb"]


@pytest.fixture(params=ENGINES)
def source_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite'}"
    else:
        with server_database(request.param) as url:
            yield url


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "raw.duckdb")) as connection:
        yield connection


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_map_incremental_history_and_erasure(source_url, con):
    write_tables(source_url, MAP)
    first = extract_system(con, "map", "MAP", source_url, map_source.CONTRACTS, "raw_map")
    assert {t: o.rows_loaded for t, o in first.items()} == {
        "activity": 2, "participant": 3, "registration": 3, "organisation": 1, "service_client": 1,
        "service_feedback": 2}
    second = extract_system(con, "map", "MAP", source_url, map_source.CONTRACTS, "raw_map")
    assert all(o.rows_loaded == 0 for o in second.values())
    assert second["participant"].incremental and not second["service_client"].incremental

    execute(source_url,
            "update participant set first_name = null, last_name = null, email = null, birth_year = null, "
            "updated_at = '2024-01-01 00:00:00' where participant_id = 101",
            "delete from registration where registration_id = 1003",
            "delete from service_client where activity_id = 2")
    third = extract_system(con, "map", "MAP", source_url, map_source.CONTRACTS, "raw_map")
    assert third["participant"].rows_loaded == 1
    assert third["participant"].watermark.startswith("2024-01-01")
    assert (third["registration"].rows_vanished, third["service_client"].rows_vanished) == (1, 1)
    assert rows(con, "select email_key, name_key, birth_year_key, constituent_group from raw_map.participant "
                     "where participant_id = 101") == [(None, None, None, "workers")]
    assert rows(con, "select count(*), count(_vanished_at) from raw_map.registration") == [(3, 1)]
    assert rows(con, "select name from raw_map.organisation") == [("Confédération Générale des Entreprises",)]
    assert rows(con, "select count(*) from raw_map.service_feedback where score is null") == [(1,)]


def test_moodle_with_prefix_deleted_users_and_removed_enrolments(source_url, con):
    write_tables(source_url, MOODLE, prefix="mdl_")
    first = extract_system(con, "ecampus", "eCampus", source_url, moodle.contracts(moodle.ECAMPUS_TABLES), "raw_ecampus",
                           prefix="mdl_")
    assert first["user_enrolments"].rows_loaded == 5 and first["feedback_value"].rows_loaded == 1
    assert rows(con, "select id, email_domain, email_key is null, deleted from raw_ecampus.user "
                     "where id in (3, 4) order by id") == [(3, "example.org", False, 0), (4, None, True, 1)]
    assert rows(con, "select data, birth_year_key is not null from raw_ecampus.user_info_data where fieldid = 2") \
        == [(None, True), (None, True)]
    assert rows(con, "select sumgrades from raw_ecampus.quiz_attempts where id = 1") == [(8.5,)]

    execute(source_url, "delete from mdl_user_enrolments where userid = 4",
            f"update mdl_user_enrolments set status = 1, timemodified = {1672531200 + 9000} where id = 3")
    second = extract_system(con, "ecampus", "eCampus", source_url, moodle.contracts(moodle.ECAMPUS_TABLES), "raw_ecampus",
                            prefix="mdl_")
    ue = second["user_enrolments"]
    assert (ue.rows_loaded, ue.rows_vanished, ue.incremental) == (1, 1, True)
    assert all(o.rows_loaded == 0 for t, o in second.items() if t != "user_enrolments")
    assert rows(con, "select id, status, _vanished_at is not null from raw_ecampus.user_enrolments order by id") == \
        [(1, 0, False), (2, 0, False), (3, 1, False), (4, 0, True), (5, 0, False)]


def test_missing_table_is_one_clear_error_and_nothing_is_written(source_url, con):
    write_tables(source_url, MOODLE, prefix="mdl_", only=moodle.PLATFORM_TABLES[:-1])  # no role_assignments
    with pytest.raises(SourceContractError, match=r"platform x .*required table 'mdl_role_assignments'"):
        extract(con, "platforms", "raw_platforms", [Database("platform x", source_url, "mdl_", "x",
                                                tuple(moodle.contracts(moodle.PLATFORM_TABLES)))],
                scope_column="platform_code")
    assert rows(con, "select count(*) from duckdb_tables() where schema_name = 'raw_platforms'") == [(0,)]


def test_platforms_share_tables_each_replacing_only_its_own_rows(source_url, con, tmp_path):
    write_tables(source_url, MOODLE, prefix="mdl_", only=moodle.PLATFORM_TABLES)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    write_tables(other, MOODLE, prefix="moodle_", only=moodle.PLATFORM_TABLES)
    dbs = [Database("platform a", source_url, "mdl_", "a", tuple(moodle.contracts(moodle.PLATFORM_TABLES))),
           Database("platform b", other, "moodle_", "b", tuple(moodle.contracts(moodle.PLATFORM_TABLES)))]
    result = extract(con, "platforms", "raw_platforms", dbs, scope_column="platform_code", isolate_failures=True)
    assert not result.failures
    assert rows(con, "select platform_code, count(*) from raw_platforms.user_enrolments group by 1 order by 1") == \
        [("a", 5), ("b", 5)]
    execute(source_url, "delete from mdl_user_enrolments where id = 5")
    unreachable = Database("platform b", None, "moodle_", "b", dbs[1].contracts, "platform b: PLATFORM_B_URL not set")
    again = extract(con, "platforms", "raw_platforms", [dbs[0], unreachable], scope_column="platform_code", isolate_failures=True,
                    now=dt.datetime(2030, 1, 1))
    assert list(again.failures) == ["platform b"]
    assert again.outcomes["platform a"]["user_enrolments"].rows_vanished == 1
    assert rows(con, "select platform_code, count(*), count(_vanished_at) from raw_platforms.user_enrolments "
                     "group by 1 order by 1") == [("a", 5, 1), ("b", 5, 0)]
