"""Blue/green publication: a contract breach publishes nothing. (A failed check publishing nothing is
tests/integration/test_operations.py's failed-check test; readers never blocking nor breaking a refresh is
tests/integration/test_bi_access.py's.)"""
from tests.fixtures.dbt_copy import copy_dbt_project, refresh_with_project

COUNT_F2F_2022 = (
    "select value from annex1_indicators where indicator_code = '1.1a' "
    "and measure = 'face_to_face_registrations' and period = '2022'"
)


def test_a_contract_breach_of_a_public_mart_fails_the_build_and_publishes_nothing(sample_warehouse, tmp_path):
    """A BI reader's schema is a public mart's model contract: renaming or retyping one of its columns fails
    the dbt build before publication, and marts.duckdb stays byte for byte as it was. One refresh carries
    both breaches: the contract check names every column that breaks it."""
    marts = sample_warehouse / "marts.duckdb"
    before = marts.read_bytes()
    project = copy_dbt_project(tmp_path)
    model = project / "models" / "marts" / "enrolments" / "dim_activities.sql"
    original = model.read_text(encoding="utf-8")
    breached = (original.replace("    title,\n", "    title as activity_title,\n")
                .replace("    start_year,\n", "    start_year::varchar as start_year,\n"))
    assert breached.count("activity_title") == 1 and breached.count("start_year::varchar") == 1
    model.write_text(breached, encoding="utf-8")
    done = refresh_with_project(project)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "contract" in done.stderr.lower() and "dim_activities" in done.stderr, done.stderr[-4000:]
    mismatches = [line for line in done.stderr.splitlines() if line.lstrip("| ").startswith(("activity_title", "title", "start_year"))]
    assert {line.lstrip("| ").split()[0] for line in mismatches} >= {"activity_title", "start_year"}, done.stderr[-4000:]
    assert "left as it was" in done.stderr
    assert marts.read_bytes() == before
