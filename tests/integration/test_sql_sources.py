"""SQL sources through Dagster, from SQLite: MAP, eCampus (non-default prefix) and the external platforms.

Incremental loads, history (vanished rows kept and flagged), erasure, pseudonymisation, contract errors, and
the platform registry (new platform, retired platform, unreachable platform).
"""
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import DagsterInstance, Definitions, build_sensor_context, materialize

from orchestration.sources import ecampus, platforms
from orchestration.sources import map as map_source
from tests.fixtures.files.support import RESOURCES
from tests.fixtures.privacy import assert_features_keyed, clear_features
from tests.fixtures.sql_sources import CLEAR_TEXTS, MAP, MOODLE, execute, write_tables


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """A deployment with MAP, eCampus (prefix moodle_) and two platforms; returns its folder."""
    folder = tmp_path / "sources"
    (folder / "platforms").mkdir(parents=True)
    write_tables(sqlite_url(folder / "map.sqlite"), MAP)
    write_tables(sqlite_url(folder / "ecampus.sqlite"), MOODLE, prefix="moodle_")
    for code, prefix in (("alpha", "mdl_"), ("beta", "moodle_")):
        write_tables(sqlite_url(folder / "platforms" / f"{code}.sqlite"), MOODLE, prefix=prefix,
                     only=platforms.moodle.PLATFORM_TABLES)
    (folder / "sources.yml").write_text(
        'map: {url: "sqlite:///map.sqlite"}\n'
        'ecampus: {url: "${TEST_ECAMPUS_URL}", table_prefix: moodle_}\n'
        "platforms: {registry: platforms.yml}\n", encoding="utf-8")
    (folder / ".env").write_text(
        "TEST_ECAMPUS_URL=sqlite:///ecampus.sqlite\nPLATFORM_ALPHA_URL=sqlite:///platforms/alpha.sqlite\n",
        encoding="utf-8")
    monkeypatch.setenv("PLATFORM_BETA_URL", sqlite_url(folder / "platforms" / "beta.sqlite"))
    write_registry(folder, [platform("alpha"), platform("beta", prefix="moodle_")])
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(folder / "sources.yml"))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    for name in ("TEST_ECAMPUS_URL", "PLATFORM_ALPHA_URL", "PLATFORM_GAMMA_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


def platform(code, prefix="mdl_", active=True, group="employers"):
    return {"code": code, "name": f"Platform {code}", "intermediary": f"Intermediary {code}",
            "constituent_group": group, "url_env": f"PLATFORM_{code.upper()}_URL", "table_prefix": prefix,
            "active": active, "since": "2021-03-01"}


def write_registry(folder: Path, entries: list[dict]) -> None:
    (folder / "platforms.yml").write_text(yaml.safe_dump({"platforms": entries}, allow_unicode=True), encoding="utf-8")


def raw_db(folder: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(folder.parent / "warehouse" / "raw.duckdb"), read_only=True)


def query(folder, sql):
    with raw_db(folder) as con:
        return con.execute(sql).fetchall()


def metadata(result, node, table):
    for m in result.asset_materializations_for_node(node):
        if m.asset_key.path[-1] == table and m.partition is None:
            return {k: v.value for k, v in m.metadata.items()}
    raise AssertionError(f"no materialization of {table}")


# ------------------------------------------------------------------------------------------------------ MAP


def test_map_second_run_loads_nothing_and_one_change_loads_one_row(deployment):
    first = materialize([map_source.map_tables], resources=RESOURCES)
    assert first.success
    assert metadata(first, "map_tables", "participant")["rows_loaded"] == 3
    assert metadata(first, "map_tables", "service_client")["rows_loaded"] == 1

    second = materialize([map_source.map_tables], resources=RESOURCES)
    for table in MAP:
        meta = metadata(second, "map_tables", table)
        assert meta["rows_loaded"] == 0, table
        assert set(meta) >= {"rows_read", "rows_loaded", "rows_rejected", "watermark"}
    assert metadata(second, "map_tables", "participant")["read"] == "incremental"
    assert metadata(second, "map_tables", "participant")["watermark"].startswith("2023-01-07 10:00:00")

    execute(sqlite_url(deployment / "map.sqlite"),
            "update registration set status = 'no_show', updated_at = '2023-03-01 08:00:00.000000' "
            "where registration_id = 1002")
    third = materialize([map_source.map_tables], resources=RESOURCES)
    meta = metadata(third, "map_tables", "registration")
    # Read from the watermark on (>=: rows of the watermark's own instant are read again, unchanged).
    assert (meta["rows_loaded"], meta["read"]) == (1, "incremental") and meta["rows_read"] <= 3
    assert meta["watermark"].startswith("2023-03-01 08:00:00")
    assert query(deployment, "select status from raw_map.registration where registration_id = 1002") == [("no_show",)]


def test_map_erasure_removes_keys_and_a_removed_row_stays_flagged(deployment):
    assert materialize([map_source.map_tables], resources=RESOURCES).success
    execute(sqlite_url(deployment / "map.sqlite"),
            "update participant set first_name = null, last_name = null, email = null, birth_year = null, "
            "updated_at = '2024-01-01 00:00:00.000000' where participant_id = 101",
            "delete from registration where registration_id = 1003",
            "delete from participant where participant_id = 102")  # physically erased
    assert materialize([map_source.map_tables], resources=RESOURCES).success

    rows = query(deployment, "select participant_id, email_key, email_domain, name_key, name_token_keys, "
                             "birth_year_key, constituent_group, _vanished_at is not null "
                             "from raw_map.participant order by 1")
    assert rows[0] == (101, None, None, None, None, None, "workers", False)
    assert rows[1][1:6] == (None, None, None, None, None) and rows[1][6:] == ("ilo_staff", True)
    assert rows[2][1] is not None and rows[2][4] is not None  # untouched participant keeps its keys
    assert query(deployment, "select status, _vanished_at is not null from raw_map.registration "
                             "where registration_id = 1003") == [("no_show", True)]


def test_full_reload_by_run_tag_rewrites_every_row(deployment):
    assert materialize([map_source.map_tables], resources=RESOURCES).success
    again = materialize([map_source.map_tables], resources=RESOURCES, tags={"warehouse/full_reload": "true"})
    meta = metadata(again, "map_tables", "participant")
    assert (meta["rows_read"], meta["rows_loaded"], meta["read"], meta["full_reload"]) == (3, 3, "full", True)


def test_missing_column_is_named_and_nothing_already_loaded_is_lost(deployment):
    assert materialize([ecampus.ecampus_tables], resources=RESOURCES).success
    before = query(deployment, "select * from raw_ecampus.user_enrolments order by id")
    execute(sqlite_url(deployment / "ecampus.sqlite"),
            "update moodle_user_enrolments set status = 1, timemodified = timemodified + 5000 where id = 3",
            "alter table moodle_role_assignments drop column contextid")
    result = materialize([ecampus.ecampus_tables], resources=RESOURCES, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error
    while failure.cause is not None:
        failure = failure.cause
    assert "eCampus" in failure.message
    assert "table 'moodle_role_assignments' is missing required column(s) contextid" in failure.message
    assert query(deployment, "select * from raw_ecampus.user_enrolments order by id") == before


# ------------------------------------------------------------------------------------------------------ eCampus


def test_ecampus_with_prefix_pseudonymises_users_and_keeps_removed_enrolments(deployment):
    first = materialize([ecampus.ecampus_tables], resources=RESOURCES)
    assert first.success
    for table in platforms.moodle.ECAMPUS_TABLES:
        assert metadata(first, "ecampus_tables", table)["rows_loaded"] > 0, table
    columns = [r[0] for r in query(deployment, "select column_name from (describe raw_ecampus.user)")]
    assert {"username", "email", "firstname", "lastname"}.isdisjoint(columns)
    assert {"username_key", "email_key", "email_domain", "name_key", "name_token_keys", "country"} <= set(columns)
    assert "mnethostid" not in columns  # extra source column ignored
    users = dict((r[0], r[1:]) for r in query(
        deployment, "select id, username_key, email_key, email_domain, name_key, deleted from raw_ecampus.user"))
    assert users[3][1] is not None and users[3][2] == "example.org"
    assert users[4][0] is not None and users[4][1] is None and users[4][2] is None  # deleted: MD5 e-mail
    assert users[4][3] is not None and users[4][4] == 1
    assert users[1][0] is not None  # the guest account is kept (staging excludes it)
    assert query(deployment, "select id from raw_ecampus.user where is_guest_account") == [(1,)]
    profile = query(deployment, "select fieldid, data, birth_year_key is not null from raw_ecampus.user_info_data "
                                "order by id")
    assert profile == [(1, "Female", False), (2, None, True), (3, "Employers' organisation", False), (2, None, True)]
    assert query(deployment, "select timestart, timecreated from raw_ecampus.user_enrolments where id = 1") == \
        [(0, 1672531300)]  # timestart = 0 kept as it is
    assert ("config",) not in query(deployment, "select table_name from duckdb_tables() "
                                                "where schema_name = 'raw_ecampus'")

    # Moodle deletes user 4's enrolments and role assignments; one new enrolment appears.
    execute(sqlite_url(deployment / "ecampus.sqlite"),
            "delete from moodle_user_enrolments where userid = 4",
            "delete from moodle_role_assignments where userid = 4",
            "insert into moodle_user_enrolments values (6, 0, 2, 5, 1672540000, 0, 1672540000, 1672540000)")
    second = materialize([ecampus.ecampus_tables], resources=RESOURCES)
    meta = metadata(second, "ecampus_tables", "user_enrolments")
    assert (meta["rows_loaded"], meta["rows_vanished"], meta["read"]) == (1, 1, "incremental")
    assert metadata(second, "ecampus_tables", "role_assignments")["rows_vanished"] == 1
    assert metadata(second, "ecampus_tables", "user")["rows_loaded"] == 0
    assert query(deployment, "select id, _vanished_at is not null from raw_ecampus.user_enrolments order by id") == \
        [(1, False), (2, False), (3, False), (4, True), (5, False), (6, False)]

    third = materialize([ecampus.ecampus_tables], resources=RESOURCES)
    assert all(metadata(third, "ecampus_tables", t)["rows_loaded"] == 0 for t in platforms.moodle.ECAMPUS_TABLES)


def test_no_clear_text_personal_data_reaches_the_raw_layer(deployment):
    assert materialize([map_source.map_tables, ecampus.ecampus_tables, platforms.platforms_registry,
                        platforms.platform_tables], resources=RESOURCES).success
    with raw_db(deployment) as con:
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables()").fetchall():
            dump = str(con.execute(f'select * from "{schema}"."{table}"').fetchall())
            for text in CLEAR_TEXTS:
                assert text not in dump, f"{text!r} in {schema}.{table}"
        # the review queue's features: keyed hashes only (names and e-mails of the fixture's people)
        clear = clear_features(["Zoë Ångström", "Kwame Mensah", "Søren Kierkegaard", "Ada Okonkwo", "伟 李"],
                               ["Zoe.Angstrom@Example.org", "li.wei@example.cn", "soren.k@example.dk"])
        assert assert_features_keyed(con, clear, "raw.duckdb") > 0
        assert con.execute("select count(*) from raw_ecampus.user_info_data where birth_decade_key is not null"
                           ).fetchall() == [(2,)]  # the two birth years


# ------------------------------------------------------------------------------------------------------ platforms


def test_platforms_load_with_their_code_and_the_registry_has_no_url(deployment):
    instance = DagsterInstance.ephemeral()
    result = materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES)
    assert result.success
    assert sorted(instance.get_dynamic_partitions("platforms")) == ["alpha", "beta"]
    assert query(deployment, "select platform_code, count(*) from raw_platforms.user_enrolments group by 1 "
                             "order by 1") == [("alpha", 5), ("beta", 5)]
    columns = [r[0] for r in query(deployment, "select column_name from (describe raw_platforms.registry)")]
    assert columns[:7] == ["code", "name", "intermediary", "constituent_group", "active", "since", "table_prefix"]
    assert not any("url" in c for c in columns)
    assert [r[0] for r in query(deployment, "select column_name from (describe raw_platforms.user)")][0] == \
        "platform_code"
    partitions = instance.get_materialized_partitions(platforms.TABLE_KEYS[0])
    assert partitions == {"alpha", "beta"}


def test_unreachable_platform_fails_alone_with_its_name_and_keeps_its_last_good_data(deployment, monkeypatch):
    write_tables(sqlite_url(deployment / "platforms" / "gamma.sqlite"), MOODLE, only=platforms.moodle.PLATFORM_TABLES,
                 prefix="mdl_")
    monkeypatch.setenv("PLATFORM_GAMMA_URL", sqlite_url(deployment / "platforms" / "gamma.sqlite"))
    write_registry(deployment, [platform("alpha"), platform("beta", prefix="moodle_"), platform("gamma")])
    instance = DagsterInstance.ephemeral()
    assert materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES).success
    gamma_before = query(deployment, "select * from raw_platforms.user_enrolments where platform_code = 'gamma' "
                                     "order by id")

    monkeypatch.delenv("PLATFORM_GAMMA_URL")
    execute(sqlite_url(deployment / "platforms" / "alpha.sqlite"),
            "insert into mdl_user_enrolments values (9, 0, 1, 5, 1672540000, 0, 1672540000, 1672540000)")
    # The whole-graph refresh: the run goes on, the non-blocking check names the platform.
    result = materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES)
    assert result.success
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "platforms_reachable")
    assert not check.passed and "platform gamma" in check.description and "PLATFORM_GAMMA_URL" in check.description
    assert query(deployment, "select count(*) from raw_platforms.user_enrolments where platform_code = 'alpha'") == [(6,)]
    assert query(deployment, "select * from raw_platforms.user_enrolments where platform_code = 'gamma' "
                             "order by id") == gamma_before

    # Its own partition run fails with its name; another platform's partition run succeeds.
    job = platforms_refresh()
    failed = job.execute_in_process(instance=instance, partition_key="gamma", raise_on_error=False)
    assert not failed.success
    error = next(e for e in failed.all_events if e.is_step_failure).event_specific_data.error
    assert "platform gamma" in error.message and "PLATFORM_GAMMA_URL" in error.message
    assert job.execute_in_process(instance=instance, partition_key="alpha").success


def test_retired_platform_keeps_its_data_and_a_new_platform_is_discovered_by_the_sensor(deployment, monkeypatch):
    instance = DagsterInstance.ephemeral()
    assert materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES).success
    context = build_sensor_context(instance=instance)
    assert platforms.platforms_registry_sensor(context).skip_message.startswith("no new platform")

    # beta retires (its database is gone); delta appears in the registry.
    monkeypatch.delenv("PLATFORM_BETA_URL")
    write_tables(sqlite_url(deployment / "platforms" / "delta.sqlite"), MOODLE, prefix="mdl_",
                 only=platforms.moodle.PLATFORM_TABLES)
    monkeypatch.setenv("PLATFORM_DELTA_URL", sqlite_url(deployment / "platforms" / "delta.sqlite"))
    write_registry(deployment, [platform("alpha"), platform("beta", prefix="moodle_", active=False),
                                platform("delta", group="workers")])

    evaluation = platforms.platforms_registry_sensor(build_sensor_context(instance=instance))
    assert [r.partitions_def_name for r in evaluation.dynamic_partitions_requests] == ["platforms"]
    assert list(evaluation.dynamic_partitions_requests[0].partition_keys) == ["delta"]
    [request] = evaluation.run_requests
    assert request.tags[platforms.RANGE_START_TAG] == request.tags[platforms.RANGE_END_TAG] == "delta"

    instance.add_dynamic_partitions("platforms", ["delta"])
    job = platforms_refresh()
    assert job.execute_in_process(instance=instance, tags=request.tags).success
    assert query(deployment, "select count(*) from raw_platforms.user where platform_code = 'delta'") == [(6,)]

    result = materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES)
    assert result.success
    assert next(e for e in result.get_asset_check_evaluations()).passed  # retired and gone: skipped, not failed
    assert query(deployment, "select count(*), count(_vanished_at) from raw_platforms.user_enrolments "
                             "where platform_code = 'beta'") == [(5, 0)]
    assert query(deployment, "select code, active from raw_platforms.registry order by code") == \
        [("alpha", True), ("beta", False), ("delta", True)]

    write_registry(deployment, [platform("alpha"), platform("delta", group="workers")])  # beta leaves the file
    assert materialize([platforms.platforms_registry, platforms.platform_tables], instance=instance, resources=RESOURCES).success
    assert query(deployment, "select _vanished_at is not null from raw_platforms.registry where code = 'beta'") == \
        [(True,)]
    assert query(deployment, "select count(*), count(_vanished_at) from raw_platforms.user_enrolments "
                             "where platform_code = 'beta'") == [(5, 0)]


def platforms_refresh():
    defs = Definitions(assets=[platforms.platforms_registry, platforms.platform_tables], jobs=platforms.jobs, resources=RESOURCES)
    return defs.get_job_def("platforms_refresh")
