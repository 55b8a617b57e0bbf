"""The whole graph, materialised once from the hand-made sample world (demo/sample: every source system)
into a temporary WAREHOUSE_DIR. Its figures are checked against the hand count in test_sample_world.py."""
import duckdb
import pytest

from tests.fixtures.privacy import assert_features_keyed, clear_features


SYSTEMS = {"map", "ecampus", "platforms", "solicomm", "pmsu", "finance", "evaluation", "submissions",
           "identity_decisions"}
NOT_YET_USED = {"identity_decisions"}  # the sample's stewards have decided nothing yet: a header-only file


@pytest.fixture
def warehouse(sample_refresh):
    """The session's refresh of the sample world (tests/conftest.py), read only."""
    return sample_refresh[0]


def test_the_sample_world_passes_every_check(sample_refresh):
    # A clean world: no check, blocking or not, fails on it.
    assert sample_refresh[1] == []


def test_every_source_of_the_world_reaches_the_warehouse(warehouse):
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        rows = dict(con.execute("select source_system, rows_held from source_watermarks").fetchall())
    assert set(rows) == SYSTEMS
    assert all(rows[system] > 0 for system in SYSTEMS - NOT_YET_USED), rows
    assert all(rows[system] == 0 for system in NOT_YET_USED), rows


def test_published_tables_are_plain_names_in_the_default_schema(warehouse):
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by 2").fetchall()
    assert ("main", "annex1_indicators") in tables
    assert ("main", "fct_enrolments") in tables
    assert all(schema == "main" for schema, _ in tables)


# Names and e-mail addresses (local parts included) of MAP, eCampus, SoliComm and the platform; e-mail
# domains alone are kept in clear by the methodology.
CLEAR_TEXTS = ["García", "GARCÍA", "jm.garcia", "aicha.diallo", "Петренко", "Okafor", "mariana.silva",
               "josemaria.garcia", "J.M.Garcia", "lan.nguyen", "Lan.Nguyen", "Yusuf", "Paolo.Rossi", "Gómez",
               "Fernández", "formacion@", "Asante", "k.asante", "Quispe", "rosa.quispe", "oleg@fpsu", "ahmed.hassan"]


def test_no_clear_text_personal_data_in_the_warehouse(warehouse):
    # the review queue's features of these people: no clear phonetic code or e-mail local part either
    clear = clear_features([t for t in CLEAR_TEXTS if "." not in t and "@" not in t],
                           [t + "@x.org" for t in CLEAR_TEXTS if "." in t and "@" not in t])
    checked = {}
    for db in ("raw.duckdb", "build.duckdb", "marts.duckdb"):
        with duckdb.connect(str(warehouse / db), read_only=True) as con:
            checked[db] = assert_features_keyed(con, clear, db)
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where not internal"
            ).fetchall()
            for schema, table in tables:
                dump = str(con.execute(f'select * from "{schema}"."{table}"').fetchall())
                for text in CLEAR_TEXTS:
                    assert text not in dump, f"{text!r} found in {db} {schema}.{table}"
    assert checked["raw.duckdb"] > 0 and checked["build.duckdb"] > 0  # the features are there, as hashes
