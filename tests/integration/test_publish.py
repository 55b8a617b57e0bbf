"""Blue/green publication: a failed check publishes nothing; readers never block or break a refresh."""
import subprocess
import sys
import textwrap

import duckdb

from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import run_sql
from tests.fixtures.dbt_copy import copy_dbt_project, refresh_with_project

COUNT_F2F_2022 = (
    "select value from annex1_indicators where indicator_code = '1.1a' "
    "and measure = 'face_to_face_registrations' and period = '2022'"
)


def test_failing_blocking_check_leaves_previous_marts_byte_for_byte(sample_warehouse, sample_sources):
    warehouse = sample_warehouse
    marts = warehouse / "marts.duckdb"
    before = marts.read_bytes()

    # A constituent code no indicator knows would silently drop out of the counts: dim_persons' dbt
    # accepted_values test refuses it, the build stops and nothing is published.
    run_sql(sample_sources.parent / "map.sqlite",
            "update participant set constituent_group = 'martians', updated_at = datetime('now') where participant_id = 101;"
            "insert into registration values (1022, 1, 107, 'attended', 0, '2022-02-01', datetime('now'));")
    result = execute_refresh()

    assert not result.success
    assert marts.read_bytes() == before
    report = "\n".join(failure_report(result))
    assert "FAILED check accepted_values_dim_persons_constituent_group" in report and "marts/dim_persons" in report
    published = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["published_marts"]]
    assert published == []
    # the offending rows stay queryable in the build database (dbt stores failures as views)
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        views = [name for (name,) in con.execute(
            "select view_name from duckdb_views() where schema_name = 'test_failures' "
            "and view_name like 'accepted_values_dim_persons%'").fetchall()]
        offending = [row[0] for view in views for row in con.execute(f'select * from test_failures."{view}"').fetchall()]
    assert offending == ["martians"]


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = sys.argv[2]
    print(con.execute(query).fetchone()[0], flush=True)
    for line in sys.stdin:          # one query per line received, until stdin closes
        print(con.execute(query).fetchone()[0], flush=True)
    """
)


def start_reader(marts):
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(marts), COUNT_F2F_2022],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )


def test_open_reader_never_blocks_a_refresh_and_new_readers_see_new_figures(sample_warehouse, sample_sources):
    marts = sample_warehouse / "marts.duckdb"
    reader = start_reader(marts)
    try:
        assert float(reader.stdout.readline()) == 6

        run_sql(sample_sources.parent / "map.sqlite",
                "insert into registration values (1022, 1, 107, 'attended', 0, '2022-02-01', datetime('now'));")
        result = execute_refresh()
        assert result.success, failure_report(result)

        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert float(reader.stdout.readline()) == 6  # the open reader keeps its consistent snapshot

        new_reader = start_reader(marts)
        assert float(new_reader.stdout.readline()) == 7
        new_reader.stdin.close()
        new_reader.wait(timeout=30)
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_a_contract_breach_of_a_public_mart_fails_the_build_and_publishes_nothing(sample_warehouse, tmp_path):
    """A BI reader's schema is a public mart's model contract: renaming or retyping one of its columns fails
    the dbt build before publication, and marts.duckdb stays byte for byte as it was."""
    marts = sample_warehouse / "marts.duckdb"
    before = marts.read_bytes()
    project = copy_dbt_project(tmp_path)
    model = project / "models" / "marts" / "enrolments" / "dim_activities.sql"
    original = model.read_text(encoding="utf-8")
    breaches = {
        "renamed": original.replace("    title,\n", "    title as activity_title,\n"),
        "retyped": original.replace("    start_year,\n", "    start_year::varchar as start_year,\n"),
    }
    for breach, sql in breaches.items():
        assert sql != original, breach
        model.write_text(sql, encoding="utf-8")
        done = refresh_with_project(project)
        assert done.returncode == 1, (breach, done.stdout[-2000:])
        assert "contract" in done.stderr.lower() and "dim_activities" in done.stderr, (breach, done.stderr[-4000:])
        assert "left as it was" in done.stderr, breach
        assert marts.read_bytes() == before, breach
