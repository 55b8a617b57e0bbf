"""Period close on the hand-made sample world (the issue's test, on the sample rather than the demo: a demo
refresh costs about 2 minutes, the sample's about 50 s, and the sample's figures are worked out by hand).

Close 2022-23 (which freezes 2022 and 2023 too), then a late 2023 distance enrolment (Paolo, eCampus 506, in
a second course) and a new MAP participant that links two persons counted in 2022-23 (L1: it knows Paolo's
eCampus account; L2: Ana's e-mail, eCampus 507); refresh. Distance enrolments move +1 and unique learners
-1 in 2023 and 2022-23; the register and the report still show the signed figures; annex1_restatements
shows the difference with both causes; a reopening and a new close are in the audit trail.
"""
import os
from pathlib import Path

import duckdb
import pytest

from orchestration import signoff
from orchestration.close import main as close_main
from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import run_sql

LATE_ENROLMENT = """
insert into mdl_user_enrolments values (30, 0, 101, 506, 1690000000, 0, 1700000000, 1700000000);
insert into mdl_role_assignments values (30, 5, 20, 506);
"""
LINKING_RECORD = """
insert into participant values (113, 'Ana', 'Costa', 'ana.costa@oit-ilo.org', 'F', 1991, 'PRT', 'ngo', null, 506,
                                '2024-03-01 09:00:00');
"""
B23 = "2022-23"


def figures(marts: Path, measure: str) -> dict[str, float]:
    with duckdb.connect(str(marts), read_only=True) as con:
        return dict(con.execute("select period, value from annex1_indicators where indicator_code = '1.1b' "
                                "and measure = ?", [measure]).fetchall())


def test_a_signed_off_period_keeps_its_figures_and_restates_late_data_and_merged_persons(sample_warehouse, capsys):
    marts = sample_warehouse / "marts.duckdb"
    sources = Path(os.environ["WAREHOUSE_SOURCES"]).parent
    signed_enrolments, signed_learners = figures(marts, "distance_enrolments"), figures(marts, "unique_distance_learners")
    assert (signed_enrolments["2023"], signed_enrolments[B23]) == (9, 13)
    assert (signed_learners["2023"], signed_learners[B23]) == (7, 9)

    close_main([B23, "--by", "A. Director", "--note", "Implementation report 2022-23"])
    assert "signed off 2022-23 (2022-23, 2022, 2023)" in capsys.readouterr().out
    (close,) = signoff.read_events()
    assert close["periods"] == [B23, "2022", "2023"] and close["by"] == "A. Director"
    assert close["run_id"] and close["built_at"] and "ecampus" in close["source_watermarks"]
    assert len(close["sources_sha256"]) == 64 and close["code_version"]

    run_sql(sources / "ecampus.sqlite", LATE_ENROLMENT)
    run_sql(sources / "map.sqlite", LINKING_RECORD)
    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))

    # annex1_indicators keeps the current values, and says the period is signed off
    now_enrolments, now_learners = figures(marts, "distance_enrolments"), figures(marts, "unique_distance_learners")
    assert (now_enrolments["2023"], now_enrolments[B23], now_enrolments["2022"]) == (10, 14, 4)
    assert (now_learners["2023"], now_learners[B23], now_learners["2022"]) == (6, 8, 3)
    with duckdb.connect(str(marts), read_only=True) as con:
        flags = dict(con.execute("select period, bool_and(is_signed_off) from annex1_indicators group by period "
                                 "having bool_and(is_signed_off) = bool_or(is_signed_off)").fetchall())
        assert flags == {"2020": False, "2021": False, "2020-21": False, "2022": True, "2023": True, B23: True}
        rows = con.execute(
            """select measure, period, signed_value, current_value, difference, causes, rows_added::varchar,
                      persons_merged, identity_links_added::varchar
               from annex1_restatements where indicator_code = '1.1b'
                 and measure in ('distance_enrolments', 'unique_distance_learners') order by 1, 2""").fetchall()
        unchanged = con.execute("select count(*) from annex1_restatements where period = '2022' and is_restated "
                                "and indicator_code = '1.1b' and measure = 'distance_enrolments'").fetchone()[0]
    causes = "rows_added, persons_merged"
    links = '{"L1":1,"L2":1}'
    assert rows == [
        ("distance_enrolments", "2022", 4, 4, 0, None, None, None, None),
        ("distance_enrolments", "2022-23", 13, 14, 1, causes, '{"ecampus":1}', 1, links),
        ("distance_enrolments", "2023", 9, 10, 1, causes, '{"ecampus":1}', 1, links),
        ("unique_distance_learners", "2022", 3, 3, 0, None, None, None, None),
        ("unique_distance_learners", "2022-23", 9, 8, -1, causes, '{"ecampus":1}', 1, links),
        ("unique_distance_learners", "2023", 7, 6, -1, causes, '{"ecampus":1}', 1, links),
    ]
    assert unchanged == 0

    # the signed register still holds the signed figures
    signed = signoff.signed_figures(sample_warehouse)
    assert signed[("1.1b", "distance_enrolments", B23)]["value"] == 13
    assert signed[("1.1b", "unique_distance_learners", "2023")]["value"] == 7

    # the report prints the signed figures, with a marked note where today's value differs, and restatements
    page = (sample_warehouse / "reports" / "annex1_en.html").read_text(encoding="utf-8")
    assert "Restatements" in page and "A. Director" in page
    assert 'class="restated"' in page
    from orchestration.reports.data import load_report_data

    data = load_report_data(marts)
    line = next(line for line in data.lines if line.key == ("1.1b", "unique_distance_learners"))
    assert line.figures[B23].value == 9 and line.figures[B23].current_value == 8
    assert line.figures["2023"].value == 7 and line.figures["2023"].current_value == 6

    # the reopen/close cycle is in the audit trail
    close_main(["--reopen", B23, "--by", "A. Director", "--reason", "late eCampus data and a merged learner"])
    close_main([B23, "--by", "A. Director", "--note", "restated"])
    events = signoff.read_events()
    assert [(e["seq"], e["event"], e["period"]) for e in events] == [(1, "close", B23), (2, "reopen", B23),
                                                                     (3, "close", B23)]
    assert events[1]["reason"] == "late eCampus data and a merged learner" and events[1]["reopens"] == 1
    assert signoff.signed_figures(sample_warehouse)[("1.1b", "unique_distance_learners", B23)]["value"] == 8


def test_closing_refuses_a_warehouse_never_published(warehouse, capsys):
    with pytest.raises(SystemExit) as exited:
        close_main([B23, "--by", "A. Director"])
    assert exited.value.code == 2
    assert "never published" in capsys.readouterr().err
