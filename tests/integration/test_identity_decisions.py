"""Stewards' decisions on the hand-made sample world, one refresh: a `same` merges two persons (unique
distance learners -1 in 2023 and 2022-23, an L4 link with its evidence, steward_links on the figure); a
`different` the rules overrule and a decision on a record that does not exist are reported in
identity_decisions_unresolved; bad rows are set aside with file, line and rule. The empty decisions file of
the sample (its figures, tests/integration/test_sample_world.py) is the no-decision case."""
import os
from pathlib import Path

import duckdb

from orchestration.refresh import execute_refresh, failure_report

DECISIONS = """record_a,record_b,decision,decided_by,decided_on,reason
ecampus:506,ecampus:507,same,Giulia Rossi,2024-03-04,same person: a private and a work account
map:105,ecampus:502,different,Giulia Rossi,2024-03-04,two colleagues sharing one account
ecampus:509,solicomm:999,same,Giulia Rossi,2024-03-05,member since erased
ecampus:505,solicomm:5,maybe,Giulia Rossi,2024-03-05,unsure
"""


def unique_learners(con) -> dict[str, tuple[float, int]]:
    return {p: (v, n) for p, v, n in con.execute(
        "select period, value, steward_links from annex1_indicators "
        "where indicator_code = '1.1b' and measure = 'unique_distance_learners'").fetchall()}


def test_decisions_merge_report_and_reject(sample_warehouse):
    sources = Path(os.environ["WAREHOUSE_SOURCES"]).parent
    with duckdb.connect(str(sample_warehouse / "marts.duckdb"), read_only=True) as con:
        before = unique_learners(con)
        enrolments_before = con.execute("select period, value from annex1_indicators where "
                                        "measure = 'distance_enrolments' order by 1").fetchall()
    assert {p: before[p] for p in ("2022", "2023", "2022-23")} == {"2022": (3, 0), "2023": (7, 0), "2022-23": (9, 0)}

    (sources / "identity_decisions.csv").write_text(DECISIONS, encoding="utf-8")
    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))

    with duckdb.connect(str(sample_warehouse / "marts.duckdb"), read_only=True) as con:
        after = unique_learners(con)
        assert con.execute("select period, value from annex1_indicators where measure = 'distance_enrolments' "
                           "order by 1").fetchall() == enrolments_before
    assert {p: after[p] for p in ("2022", "2023", "2022-23")} == {"2022": (3, 0), "2023": (6, 1), "2022-23": (8, 1)}
    assert {p: v for p, (v, _) in after.items() if p not in ("2023", "2022-23")} == \
        {p: v for p, (v, _) in before.items() if p not in ("2023", "2022-23")}

    with duckdb.connect(str(sample_warehouse / "build.duckdb"), read_only=True) as con:
        assert con.execute("select record_key_a, record_key_b, decided_by, decided_on::varchar, decision_reason "
                           "from intermediate.int_identity_links where rule = 'L4'").fetchall() == [
            ("ecampus:506", "ecampus:507", "Giulia Rossi", "2024-03-04", "same person: a private and a work account")]
        assert con.execute("select pair_key, status, line_number from intermediate.identity_decisions_unresolved "
                           "order by 1").fetchall() == [
            ("ecampus:502|map:105", "different_but_rule_linked", 3),
            ("ecampus:509|solicomm:999", "record_missing", 4)]
        # the `different` against the rule links is reported, not applied: map:105 and ecampus:502 stay one person
        assert con.execute("select count(distinct person_key) from intermediate.int_persons_resolved "
                           "where record_key in ('map:105', 'ecampus:502')").fetchone() == (1,)
    with duckdb.connect(str(sample_warehouse / "raw.duckdb"), read_only=True) as con:
        assert con.execute("select file_name, line_number, rule from raw_identity_decisions.rejects").fetchall() == [
            ("identity_decisions.csv", 5, "decision 'maybe' not one of same, different")]
