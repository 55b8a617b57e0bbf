"""A deliberately broken deduplication rule is caught by Great Expectations and publishes nothing."""
from pathlib import Path

import duckdb

from orchestration.refresh import execute_refresh, failure_report

COMPONENTS_MODEL = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "persons" / "int_persons_resolved.py"
)

# Every record its own person: the duplicated MAP participant 102/111 of the sample becomes two persons.
BROKEN_MODEL = '''
def model(dbt, session):
    dbt.config(materialized="table")
    return dbt.ref("int_identity_records").query(
        "records", "select record_key, 'P' || md5(record_key) as person_key, record_key as person_first_record_key from records"
    )
'''


def test_a_duplicated_person_fails_the_gx_check_and_leaves_marts_unchanged(warehouse):
    assert execute_refresh().success
    marts = warehouse / "marts.duckdb"
    before = marts.read_bytes()
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        links = con.execute("select rule, record_key_a, record_key_b from intermediate.int_identity_links").fetchall()
    assert ("L2", "map:102", "map:111") in links

    original = COMPONENTS_MODEL.read_text(encoding="utf-8")
    try:
        COMPONENTS_MODEL.write_text(BROKEN_MODEL, encoding="utf-8")
        result = execute_refresh()
    finally:
        COMPONENTS_MODEL.write_text(original, encoding="utf-8")

    assert not result.success
    report = "\n".join(failure_report(result))
    assert "gx_identity_links_resolved" in report
    assert "expect_column_pair_values_to_be_equal" in report and "map:102" in report
    assert marts.read_bytes() == before
