"""A deliberately broken deduplication rule is caught by Great Expectations and publishes nothing."""
import duckdb

from tests.fixtures.dbt_copy import copy_dbt_project, refresh_with_project

# Every record its own person: the duplicated MAP participant 102/111 of the sample becomes two persons.
BROKEN_MODEL = '''
def model(dbt, session):
    dbt.config(materialized="table")
    return dbt.ref("int_identity_records").query(
        "records", "select record_key, 'P' || md5(record_key) as person_key, record_key as person_first_record_key from records"
    )
'''


def test_a_duplicated_person_fails_the_gx_check_and_leaves_marts_unchanged(sample_warehouse, tmp_path):
    marts = sample_warehouse / "marts.duckdb"
    before = marts.read_bytes()
    with duckdb.connect(str(sample_warehouse / "build.duckdb"), read_only=True) as con:
        links = con.execute("select rule, record_key_a, record_key_b from intermediate.int_identity_links").fetchall()
    assert ("L2", "map:102", "map:111") in links

    project = copy_dbt_project(tmp_path)
    (project / "models" / "intermediate" / "persons" / "int_persons_resolved.py").write_text(BROKEN_MODEL)
    done = refresh_with_project(project)

    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-4000:]
    assert "gx_identity_links_resolved" in done.stderr
    assert "expect_column_pair_values_to_be_equal" in done.stderr and "map:102" in done.stderr
    assert marts.read_bytes() == before
