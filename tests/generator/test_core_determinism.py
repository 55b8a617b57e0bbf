"""Same seed, same core sources: the core part generated again on its own gives byte-identical CSV files
and identical contents of the tables it writes (the other parts add tables to the same databases)."""
from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import DEMO_SEED

CORE_TABLES = {
    "map.sqlite": ["activity", "participant", "registration"],
    "ecampus.sqlite": ["mdl_user", "mdl_user_info_field", "mdl_user_info_data", "mdl_course", "mdl_course_categories",
                       "mdl_enrol", "mdl_user_enrolments", "mdl_context", "mdl_role", "mdl_role_assignments"],
}


@pytest.fixture(scope="module")
def core_again(tmp_path_factory):
    from demo.generator import core

    base = tmp_path_factory.mktemp("core_again")
    out, truth = base / "out", base / "truth"
    out.mkdir()
    truth.mkdir()
    core.generate(out, truth, seed=DEMO_SEED, scale=1)
    return out, truth


def table_rows(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"select * from {table} order by 1").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("db,table", [(db, t) for db, ts in CORE_TABLES.items() for t in ts])
def test_core_tables_are_identical(generated_demo, core_again, db, table):
    assert table_rows(generated_demo[0] / db, table) == table_rows(core_again[0] / db, table)


def test_solicomm_drops_are_byte_identical(generated_demo, core_again):
    a = sorted(p.relative_to(generated_demo[0]) for p in (generated_demo[0] / "solicomm").rglob("*") if p.is_file())
    b = sorted(p.relative_to(core_again[0]) for p in (core_again[0] / "solicomm").rglob("*") if p.is_file())
    assert a == b and a
    for rel in a:
        assert (generated_demo[0] / rel).read_bytes() == (core_again[0] / rel).read_bytes(), rel


@pytest.mark.parametrize("name", ["record_persons_core.csv", "expected_core.csv"])
def test_truth_is_byte_identical(generated_demo, core_again, name):
    assert (generated_demo[1] / name).read_bytes() == (core_again[1] / name).read_bytes()
