"""The whole graph, materialised from the hand-made MAP sample into a temporary WAREHOUSE_DIR."""
import duckdb
import pytest

from orchestration.refresh import execute_refresh

# Worked out by hand from demo/sample/map.sql (attended registrations of delivered standard/tailored
# courses on campus, in the field or blended; year of the activity's start):
# 2022: activity 1 (campus) 3 + activity 2 (blended) 3; 2023: activity 4 (field) 4 + activity 9 (campus,
# starts 2023-12-31) 3. Not counted: cancelled/no-show/registered, the cancelled and planned editions,
# the distance course, the masters edition, the advisory service.
EXPECTED_1_1A = {
    ("face_to_face_registrations", "2022"): 6,
    ("face_to_face_registrations", "2023"): 7,
    ("face_to_face_registrations", "2022-23"): 13,
    ("women_share", "2022"): 100 * 4 / 6,
    ("women_share", "2023"): 100 * 2 / 7,
    ("women_share", "2022-23"): 100 * 6 / 13,  # pooled, unknown gender stays in the denominator
    ("employers", "2022"): 2,
    ("employers", "2023"): 2,
    ("employers", "2022-23"): 4,
    ("workers", "2022"): 1,
    ("workers", "2023"): 2,
    ("workers", "2022-23"): 3,
    ("labour_ministries", "2022"): 1,
    ("labour_ministries", "2023"): 3,  # includes the erased participant, whose registration still counts
    ("labour_ministries", "2022-23"): 4,
    ("blended_share", "2022"): 50.0,
    ("blended_share", "2023"): 0.0,
    ("blended_share", "2022-23"): 100 * 3 / 13,
}


def published_1_1a(marts_db) -> dict:
    with duckdb.connect(str(marts_db), read_only=True) as con:
        rows = con.execute(
            "select measure, period, value from annex1_indicators where indicator_code = '1.1a'"
        ).fetchall()
    return {(measure, period): value for measure, period, value in rows}


def test_refresh_publishes_the_1_1a_figures_of_the_sample(warehouse):
    result = execute_refresh()
    assert result.success
    values = published_1_1a(warehouse / "marts.duckdb")
    assert set(values) == set(EXPECTED_1_1A)
    for key, expected in EXPECTED_1_1A.items():
        assert values[key] == pytest.approx(expected), key


def test_published_tables_are_plain_names_in_the_default_schema(warehouse):
    assert execute_refresh().success
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by 2").fetchall()
    assert ("main", "annex1_indicators") in tables
    assert ("main", "fct_enrolments") in tables
    assert all(schema == "main" for schema, _ in tables)


def test_no_clear_text_personal_data_in_the_warehouse(warehouse, sample_sources):
    assert execute_refresh().success
    clear_texts = ["García", "GARCÍA", "jm.garcia", "aicha.diallo", "Петренко", "Okafor", "mariana.silva"]
    for db in ("build.duckdb", "marts.duckdb"):
        with duckdb.connect(str(warehouse / db), read_only=True) as con:
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where not internal"
            ).fetchall()
            for schema, table in tables:
                dump = str(con.execute(f'select * from "{schema}"."{table}"').fetchall())
                for text in clear_texts:
                    assert text not in dump, f"{text!r} found in {db} {schema}.{table}"
