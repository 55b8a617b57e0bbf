"""The calibrated demo through the whole warehouse: identity resolution, every Annex 1 indicator, the
reconciliation against the published report, and the reports."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from demo.reference import ANNEX1_PUBLISHED_CSV
from orchestration.refresh import execute_refresh, failure_report


@pytest.fixture(scope="module")
def demo_marts(generated_demo, tmp_path_factory):
    out, _truth = generated_demo
    warehouse = tmp_path_factory.mktemp("demo_warehouse")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_DIR", str(warehouse))
        mp.setenv("WAREHOUSE_SOURCES", str(out / "sources.yml"))
        result = execute_refresh()
        assert result.success, failure_report(result)
    con = duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True)
    yield warehouse, con
    con.close()


def value(con, code, measure, period):
    row = con.execute(
        "select value from annex1_indicators where indicator_code = ? and measure = ? and period = ?",
        [code, measure, period],
    ).fetchall()
    return row[0][0] if row else None


def test_unique_distance_learners_are_counted_once_per_period(demo_marts):
    _, con = demo_marts
    assert value(con, "1.1b", "unique_distance_learners", "2022") == 50_993
    assert value(con, "1.1b", "unique_distance_learners", "2023") == 51_447
    assert value(con, "1.1b", "unique_distance_learners", "2022-23") == 97_344
    assert value(con, "1.1b", "unique_distance_learners", "2020-21") == 73_275
    in_both = con.execute(
        "select count(*) from (select person_key from fct_unique_distance_learners where period in ('2022', '2023') "
        "group by person_key having count(*) = 2)"
    ).fetchall()[0][0]
    assert in_both == 5_096


def test_every_computed_published_figure_agrees_except_the_known_cases(demo_marts):
    _, con = demo_marts
    rows = con.execute(
        "select indicator_code, measure, period, kind, published_value, computed_value, agrees, explanation "
        "from annex1_reconciliation"
    ).fetchall()
    assert len(rows) == 244
    disagreeing = [r for r in rows if not r[6]]
    assert all(r[7] for r in disagreeing), [r for r in disagreeing if not r[7]]
    assert {(r[0], r[1], r[2]) for r in disagreeing} == {
        ("1.A", "direct_enrolment_growth", "2020-21"),
        ("1.B", "indirect_enrolments", "2020-21"),
        ("1.B", "indirect_enrolments", "2022-23"),
        ("1.B", "indirect_enrolment_growth", "2022-23"),
        ("1.1c", "core_constituent_share", "2023"),
        ("1.1c", "core_constituent_share", "2022-23"),
    }


def test_every_indicator_has_rows_wherever_the_report_has_a_value(demo_marts):
    _, con = demo_marts
    held = {tuple(r) for r in con.execute("select indicator_code, measure, period from annex1_indicators").fetchall()}
    with open(ANNEX1_PUBLISHED_CSV, encoding="utf-8") as handle:
        published = [r for r in csv.DictReader(handle) if r["kind"] == "result" and r["period"] in ("2022", "2023", "2022-23")]
    missing = [(r["indicator_code"], r["measure"], r["period"]) for r in published
               if (r["indicator_code"], r["measure"], r["period"]) not in held]
    assert missing == []
    assert {r["indicator_code"] for r in published} <= {code for code, _, _ in held}


def test_stars_and_catalogue_are_published(demo_marts):
    warehouse, con = demo_marts
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert {"fct_enrolments", "dim_persons", "dim_activities", "fct_unique_distance_learners",
            "fct_constituent_participation", "fct_funding_agreements", "annex1_indicators",
            "annex1_reconciliation", "indicator_catalogue"} <= tables
    statuses = dict(con.execute(
        "select status, count(*) from annex1_indicators where period = '2022-23' group by status").fetchall())
    assert statuses.get("achieved", 0) > 0 and statuses.get("not_achieved", 0) > 0
    assert (warehouse / "reports" / "annex1_en.html").exists()
    assert (warehouse / "reports" / "annex1.xlsx").exists()


FIGURES_BEFORE = Path(__file__).with_name("figures_before_redesign.json")
FIGURES_HASH = Path(__file__).resolve().parents[2] / "scripts" / "figures_hash.py"


def test_published_figures_are_held_and_1a_1b_come_per_year(demo_marts):
    """The figures published before the redesign are unchanged (content hash of annex1_indicators without
    run ids, build times and watermarks, and of annex1_reconciliation), bar the 1.A/1.B per-year rows."""
    warehouse, con = demo_marts
    done = subprocess.run(
        [sys.executable, str(FIGURES_HASH), str(warehouse / "marts.duckdb"), "--only-baseline-rows", "--json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(done.stdout) == json.loads(FIGURES_BEFORE.read_text(encoding="utf-8"))

    per_year = {
        (code, measure, period): round(v, 6)
        for code, measure, period, v in con.execute(
            "select indicator_code, measure, period, value from annex1_indicators "
            "where indicator_code in ('1.A', '1.B') and period_type = 'year'"
        ).fetchall()
    }
    growths = [("1.A", "direct_enrolment_growth"), ("1.B", "indirect_enrolment_growth")]
    # a year over the previous year wherever that is a reporting year with data (2020 has no growth: 2019 is
    # before the first reporting year); the demo's sources reach into 2024
    assert {(c, m, p) for c, m, p in per_year if m.endswith("_growth")} == {
        (c, m, y) for c, m in growths for y in ("2021", "2022", "2023", "2024")
    }
    assert {p for c, m, p in per_year if m == "indirect_enrolments"} == {"2020", "2021", "2022", "2023", "2024"}

    def direct(period):
        return (value(con, "1.1a", "face_to_face_registrations", period)
                + value(con, "1.1b", "distance_enrolments", period))

    def indirect(period):
        return value(con, "1.2", "external_platform_enrolments", period)

    assert per_year[("1.A", "direct_enrolment_growth", "2023")] == round(100 * (direct("2023") / direct("2022") - 1), 6)
    assert per_year[("1.B", "indirect_enrolment_growth", "2023")] == round(100 * (indirect("2023") / indirect("2022") - 1), 6)
    assert per_year[("1.B", "indirect_enrolments", "2023")] == indirect("2023") == 12_818
