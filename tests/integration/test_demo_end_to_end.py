"""The calibrated demo through the whole warehouse, judged by what the warehouse does not compute itself:
every figure against the independent reference (tests/generator/reference_methodology.py) or the generator's
truth, every identity record's person against the generator's persons, the agreement with the published
report by this test's own rounding rule, and the provenance of every figure against the run that built it."""
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import duckdb
import pytest

from demo.reference import ANNEX1_PUBLISHED_CSV
from orchestration import pseudonymise, signoff
from orchestration.close import main as close_main
from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import REFERENCE_PERIODS, external_platform_enrolments
from tests.generator.published_core import PERIODS


@dataclass
class Refresh:
    warehouse: Path
    truth: Path
    run_id: str
    started: datetime  # UTC, naive as built_at
    finished: datetime


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@pytest.fixture(scope="module")
def demo_refresh(generated_demo, tmp_path_factory) -> Refresh:
    out, truth = generated_demo
    warehouse = tmp_path_factory.mktemp("demo_warehouse")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_DIR", str(warehouse))
        mp.setenv("WAREHOUSE_SOURCES", str(out / "sources.yml"))
        started = utc_now()
        result = execute_refresh()
        finished = utc_now()
        assert result.success, failure_report(result)
    return Refresh(warehouse, truth, result.run_id, started, finished)


@pytest.fixture(scope="module")
def demo_marts(demo_refresh):
    con = duckdb.connect(str(demo_refresh.warehouse / "marts.duckdb"), read_only=True)
    yield demo_refresh.warehouse, con
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


# The figures the generator's truth files give (the reference computes the core ones).
TRUTH_FILES = ("expected_files.csv", "expected_outcomes.csv", "expected_platforms.csv")
# annex1_indicators rows neither the reference nor the truth gives: the outcome measures of the open
# biennium 2024-25 (the outcomes part's truth stops at the year 2024).
NOT_COVERED = {
    ("2.1", "knowledge_gain_share", "2024-25"),
    ("2.2", "satisfaction_overall", "2024-25"),
    ("2.2", "satisfaction_face_to_face", "2024-25"),
    ("2.2", "satisfaction_distance", "2024-25"),
    ("A.2", "participants_ils_score2_share", "2024-25"),
    ("A.2", "participants_sdt_score2_share", "2024-25"),
}
# Growth over the previous period (methodology: 1.A direct, 1.B indirect enrolments), from the figures above.
GROWTHS = {
    ("1.A", "direct_enrolment_growth"): (("1.1a", "face_to_face_registrations"), ("1.1b", "distance_enrolments")),
    ("1.B", "indirect_enrolment_growth"): (("1.2", "external_platform_enrolments"),),
}
FIRST_REPORTING_YEAR = 2020


def previous_period(period: str) -> str:
    """`2023` -> `2022`; `2022-23` -> `2020-21`."""
    first = int(period[:4])
    if "-" in period:
        return f"{first - 2}-{str(first - 1)[2:]}"
    return str(first - 1)


def independent_figures(core_reference, truth: Path) -> dict[tuple[str, str, str], float | str | None]:
    """The figures as known outside the warehouse: the reference's, the truth files', the external-platform
    counts of 2024 (the platforms part's truth per platform), the submitted texts, and the growths derived
    from these."""
    figures = {k: v for k, v in core_reference.items() if isinstance(k, tuple)}
    for name in TRUTH_FILES:
        with open(truth / name, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                figures.setdefault((row["indicator_code"], row["measure"], row["period"]),
                                   float(row["value"]) if row["value"] != "" else None)
    every, employers = external_platform_enrolments(truth, REFERENCE_PERIODS)
    for period in REFERENCE_PERIODS:
        figures.setdefault(("1.2", "external_platform_enrolments", period), every[period])
        figures.setdefault(("1.B", "indirect_enrolments", period), every[period])
        figures.setdefault(("1.1b", "employer_external_platform_enrolments", period), employers[period])
    with open(truth / "expected_submission_texts.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            figures.setdefault((row["indicator_code"], row["measure"], row["period"]), row["text"])
    for period in {**PERIODS, **REFERENCE_PERIODS}:
        before = previous_period(period)
        if int(before[:4]) < FIRST_REPORTING_YEAR:
            continue
        for (code, measure), terms in GROWTHS.items():
            now = [figures.get((c, m, period)) for c, m in terms]
            then = [figures.get((c, m, before)) for c, m in terms]
            if None not in now + then and sum(then):
                figures.setdefault((code, measure, period), 100 * (sum(now) / sum(then) - 1))
    return figures


def test_every_figure_equals_the_independent_reference_or_the_truth(demo_marts, demo_refresh, core_reference):
    _, con = demo_marts
    figures = independent_figures(core_reference, demo_refresh.truth)
    rows = con.execute("select indicator_code, measure, period, value, value_text from annex1_indicators").fetchall()
    held = {(code, measure, period): (v, text) for code, measure, period, v, text in rows}
    assert len(held) == len(rows)
    wrong = []
    for key, (v, text) in held.items():
        if key not in figures:
            continue
        expected = figures[key]
        if isinstance(expected, str):
            ok = text == expected and v is None
        elif expected is None:
            ok = v is None
        else:
            ok = v is not None and abs(v - expected) <= 1e-9
        if not ok:
            wrong.append((key, v, text, expected))
    assert wrong == []
    assert {key for key in held if key not in figures} == NOT_COVERED
    # and the other way: no figure the reference or the truth has goes missing
    missing = {key for key, v in figures.items() if v is not None and int(key[2][:4]) >= FIRST_REPORTING_YEAR
               and key not in held}
    assert missing == set()


def test_every_identity_record_is_the_person_the_generator_made(demo_refresh):
    """Same partition: two records are one person in the warehouse iff they are one in the generator. The
    eCampus guest account (the generator's person 0) stands for no one: the warehouse holds no record of it."""
    with open(demo_refresh.truth / "record_persons_core.csv", encoding="utf-8") as f:
        truth = {f"{r['system']}:{r['record_id']}": r["person_id"] for r in csv.DictReader(f) if r["person_id"] != "0"}
    con = duckdb.connect(str(demo_refresh.warehouse / "build.duckdb"), read_only=True)
    try:
        resolved = dict(con.execute("select record_key, person_key from intermediate.int_persons_resolved").fetchall())
    finally:
        con.close()
    marts = duckdb.connect(str(demo_refresh.warehouse / "marts.duckdb"), read_only=True)
    try:
        records_of = dict(marts.execute("select person_key, records from dim_persons").fetchall())
    finally:
        marts.close()
    assert set(resolved) == set(truth)

    def partition(person_of: dict[str, str]) -> set[frozenset]:
        groups = defaultdict(set)
        for record, person in person_of.items():
            groups[person].add(record)
        return {frozenset(g) for g in groups.values()}

    assert partition(resolved) == partition(truth)
    sizes = defaultdict(int)
    for person in resolved.values():
        sizes[person] += 1
    assert records_of == sizes  # the published persons are these


def agrees_as_published(computed: float | None, computed_text: str | None, published: str, note: str):
    """This test's own reading of the rule: the published figure p, h half a unit of its last decimal, takes
    p - h <= x < p + h, i.e. floor(x / unit + 1/2) is p / unit, in decimal (ties towards +infinity, below zero
    too); texts equal but for case and surrounding spaces (None: nothing to compare)."""
    if published.strip():
        if computed is None:
            return False
        figure = Decimal(published.strip())
        unit = Decimal(1).scaleb(figure.as_tuple().exponent)
        return (Decimal(repr(computed)) / unit + Decimal("0.5")).to_integral_value(ROUND_FLOOR) * unit == figure
    if computed_text is None:
        return None
    return computed_text.strip().lower() == note.strip().lower()


def test_every_computed_published_figure_agrees_except_the_known_cases(demo_marts):
    _, con = demo_marts
    computed = {(code, measure, period): (v, text) for code, measure, period, v, text in con.execute(
        "select indicator_code, measure, period, value, value_text from annex1_indicators").fetchall()}
    explained = {(code, measure, period) for code, measure, period in con.execute(
        "select indicator_code, measure, period from annex1_reconciliation where explanation is not null").fetchall()}
    warehouse_agrees = {(code, measure, kind, period): agrees for code, measure, kind, period, agrees in con.execute(
        "select indicator_code, measure, kind, period, agrees from annex1_reconciliation").fetchall()}
    with open(ANNEX1_PUBLISHED_CSV, encoding="utf-8") as handle:
        published = [r for r in csv.DictReader(handle) if r["kind"] in ("result", "baseline")]
    assert len(published) == 244
    judged = {}
    for r in published:
        key = (r["indicator_code"], r["measure"], r["period"])
        v, text = computed.get(key, (None, None))
        judged[(*key[:2], r["kind"], key[2])] = agrees_as_published(v, text, r["value"], r["note"])
    disagreeing = {(code, measure, period) for (code, measure, _kind, period), ok in judged.items() if ok is False}
    assert disagreeing == {
        ("1.A", "direct_enrolment_growth", "2020-21"),
        ("1.B", "indirect_enrolments", "2020-21"),
        ("1.B", "indirect_enrolments", "2022-23"),
        ("1.B", "indirect_enrolment_growth", "2022-23"),
        ("1.1c", "core_constituent_share", "2023"),
        ("1.1c", "core_constituent_share", "2022-23"),
    }
    assert disagreeing <= explained
    assert None not in judged.values()  # every published text has its computed text
    assert warehouse_agrees == judged  # the reconciliation (and so the report) says the same


def test_provenance_is_the_run_that_built_the_figures(demo_marts, demo_refresh):
    """run_id is the refresh's Dagster run, built_at within it, and every source system's watermark is the
    one its extraction in this run recorded."""
    from orchestration.definitions import SOURCE_SYSTEMS

    _, con = demo_marts
    rows = con.execute("select run_id, built_at, source_watermarks from annex1_indicators").fetchall()
    assert {run_id for run_id, _, _ in rows} == {demo_refresh.run_id}
    assert all(demo_refresh.started <= built <= demo_refresh.finished for _, built, _ in rows)
    raw = duckdb.connect(str(demo_refresh.warehouse / "raw.duckdb"), read_only=True)
    try:
        extractions = raw.execute(
            "select source_system, run_id, data_watermark, rows_held from raw_warehouse.source_extractions "
            "order by extracted_at").fetchall()
    finally:
        raw.close()
    assert {run_id for _, run_id, _, _ in extractions} == {demo_refresh.run_id}
    seen = {system: watermark for system, _, watermark, _ in extractions}  # the latest extraction of each
    held = {system: rows for system, _, _, rows in extractions}
    assert set(seen) == {system.name for system in SOURCE_SYSTEMS}
    # A source holding no row has no watermark (the demo's steward decisions file is a header only).
    assert all(seen[system] for system in seen if held[system]) and any(held.values())
    assert [system for system in seen if not held[system]] == ["identity_decisions"]
    for _, _, watermarks in rows:
        assert json.loads(watermarks) == seen


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


# The period-close test of tests/integration/test_period_close.py on the demo: the learners it changes are
# chosen from the demo's data, and the deltas are read against the signed figures.
B23 = "2022-23"
LATE_START = int(datetime(2023, 6, 15, 12, tzinfo=timezone.utc).timestamp())  # a 2023 start, in any time zone


def distance_figures(marts: Path) -> dict[tuple[str, str], float]:
    """(measure, period) → 1.1b's distance enrolments and unique distance learners."""
    with duckdb.connect(str(marts), read_only=True) as con:
        return {(measure, period): v for measure, period, v in con.execute(
            "select measure, period, value from annex1_indicators where indicator_code = '1.1b' "
            "and measure in ('distance_enrolments', 'unique_distance_learners')").fetchall()}


def two_ordinary_2023_learners(warehouse: Path) -> tuple[int, int, int]:
    """(user A, user B, a distance course A is not in): two eCampus users who are persons of that one record,
    ordinary (neither deleted, nologin nor guest; an e-mail no other record has, so no shared mailbox), with
    counted distance enrolments in 2023 and no other year; merging them moves 2023 and 2022-23 only."""
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        con.execute(f"attach '{warehouse / 'raw.duckdb'}' as raw (read_only)")  # the staging views read it
        con.execute(f"attach '{warehouse / 'marts.duckdb'}' as published (read_only)")
        users = [int(u) for (u,) in con.execute("""
            with single as (
                select person_key, min(record_key) as record_key from intermediate.int_persons_resolved
                group by person_key having count(*) = 1),
            mailboxes as (
                select email_key from intermediate.int_identity_records group by email_key having count(*) = 1),
            distance as (
                select person_key from published.fct_enrolments where channel = 'distance' and is_counted
                group by person_key having bool_and(year = 2023))
            select r.source_record_id
            from single as s
            inner join distance as d on d.person_key = s.person_key
            inner join intermediate.int_identity_records as r on r.record_key = s.record_key
            inner join mailboxes as m on m.email_key = r.email_key
            inner join staging.stg_ecampus__users as u on u.user_id::varchar = r.source_record_id
            where r.source_system = 'ecampus' and not u.is_deleted and not u.is_nologin and not u.is_guest_account
            order by r.source_record_id::bigint limit 2""").fetchall()]
        courses = [int(c) for (c,) in con.execute(
            "select course_id from intermediate.int_distance_courses where course_id not in "
            "(select course_id::bigint from intermediate.int_distance_enrolments where identity_record_key = ?) "
            "order by course_id", [f"ecampus:{users[0]}"]).fetchall()]
    assert len(users) == 2 and courses
    return users[0], users[1], courses[0]


def add_late_enrolment_and_linking_participant(sources: Path, user_a: int, user_b: int, course: int) -> None:
    """A 2023 student enrolment of A in `course`, modified after every row eCampus holds (the extraction's
    cursor), and a MAP participant linking A (L1: A's eCampus account) and B (L2: B's e-mail and names; no
    birth year or nationality, so no L3 link)."""
    with sqlite3.connect(sources / "ecampus.sqlite") as con:
        (enrol,) = con.execute("select min(id) from mdl_enrol where courseid = ? and enrol = 'manual' "
                               "and status = 0", [course]).fetchone()
        (context,) = con.execute("select id from mdl_context where contextlevel = 50 and instanceid = ?",
                                 [course]).fetchone()
        (student,) = con.execute("select id from mdl_role where shortname = 'student'").fetchone()
        (modified,) = con.execute("select max(max(timecreated, timemodified)) + 3600 from mdl_user_enrolments").fetchone()
        assert enrol is not None
        con.execute("insert into mdl_user_enrolments (status, enrolid, userid, timestart, timeend, timecreated, "
                    "timemodified) values (0, ?, ?, ?, 0, ?, ?)", [enrol, user_a, LATE_START, modified, modified])
        con.execute("insert into mdl_role_assignments (roleid, contextid, userid, timemodified) "
                    "values (?, ?, ?, ?)", [student, context, user_a, modified])
        email, first, last = con.execute("select email, firstname, lastname from mdl_user where id = ?",
                                         [user_b]).fetchone()
    with sqlite3.connect(sources / "map.sqlite") as con:
        (updated,) = con.execute("select max(updated_at) from participant").fetchone()
        later = (datetime.fromisoformat(updated) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        con.execute("insert into participant (first_name, last_name, email, gender, birth_year, nationality, "
                    "constituent_group, institution, ecampus_user_id, updated_at) "
                    "values (?, ?, ?, null, null, null, null, null, ?, ?)", [first, last, email, user_a, later])


def test_closing_2022_23_on_the_demo_keeps_the_signed_figures_and_restates_late_data_and_merged_persons(
        demo_refresh, generated_demo, tmp_path, monkeypatch, capsys):
    warehouse, sources = tmp_path / "warehouse", tmp_path / "sources"
    shutil.copytree(demo_refresh.warehouse, warehouse, symlinks=True)
    shutil.copytree(generated_demo[0], sources, symlinks=True)
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(sources / "sources.yml"))
    # demo_refresh (module scope) ran before the per-test key was set: it built with its local key file,
    # copied with the warehouse
    monkeypatch.delenv(pseudonymise.KEY_ENV)
    pseudonymise.reset_key_cache()
    marts = warehouse / "marts.duckdb"
    signed = distance_figures(marts)
    user_a, user_b, course = two_ordinary_2023_learners(warehouse)

    close_main([B23, "--by", "A. Director", "--note", "Implementation report 2022-23"])
    assert "signed off 2022-23 (2022-23, 2022, 2023)" in capsys.readouterr().out
    (close,) = signoff.read_events()
    assert close["periods"] == [B23, "2022", "2023"] and close["by"] == "A. Director"

    add_late_enrolment_and_linking_participant(sources, user_a, user_b, course)
    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))

    # today's figures: +1 distance enrolment and -1 unique learner in 2023 and 2022-23, 2022 untouched
    delta = {("distance_enrolments", "2023"): 1, ("distance_enrolments", B23): 1, ("distance_enrolments", "2022"): 0,
             ("unique_distance_learners", "2023"): -1, ("unique_distance_learners", B23): -1,
             ("unique_distance_learners", "2022"): 0}
    now = distance_figures(marts)
    assert {key: now[key] - signed[key] for key in delta} == delta
    with duckdb.connect(str(marts), read_only=True) as con:
        flags = dict(con.execute("select period, bool_and(is_signed_off) from annex1_indicators "
                                 "where period in ('2022', '2023', '2022-23') group by period").fetchall())
        rows = con.execute(
            """select measure, period, signed_value, current_value, difference, causes, rows_added::varchar,
                      persons_merged, identity_links_added::varchar
               from annex1_restatements where indicator_code = '1.1b'
                 and measure in ('distance_enrolments', 'unique_distance_learners') order by 1, 2""").fetchall()
    assert flags == {"2022": True, "2023": True, B23: True}
    causes, added, links = "rows_added, persons_merged", '{"ecampus":1}', '{"L1":1,"L2":1}'
    expected = []
    for measure, period in sorted(delta):
        moved = (causes, added, 1, links) if delta[measure, period] else (None, None, None, None)
        expected.append((measure, period, signed[measure, period], now[measure, period], delta[measure, period],
                         *moved))
    assert rows == expected

    # the signed register and the report keep the signed figures
    register = signoff.signed_figures(warehouse)
    assert register[("1.1b", "distance_enrolments", B23)]["value"] == signed["distance_enrolments", B23]
    assert register[("1.1b", "unique_distance_learners", "2023")]["value"] == signed["unique_distance_learners", "2023"]
    page = (warehouse / "reports" / "annex1_en.html").read_text(encoding="utf-8")
    assert "Restatements" in page and "A. Director" in page and 'class="restated"' in page
    from orchestration.reports.data import load_report_data

    line = next(line for line in load_report_data(marts).lines if line.key == ("1.1b", "unique_distance_learners"))
    for period in (B23, "2023"):
        assert line.figures[period].value == signed["unique_distance_learners", period]
        assert line.figures[period].current_value == now["unique_distance_learners", period]

    # the reopen/close cycle is in the audit trail
    close_main(["--reopen", B23, "--by", "A. Director", "--reason", "late eCampus data and a merged learner"])
    close_main([B23, "--by", "A. Director", "--note", "restated"])
    events = signoff.read_events()
    assert [(e["seq"], e["event"], e["period"]) for e in events] == [(1, "close", B23), (2, "reopen", B23),
                                                                     (3, "close", B23)]
    assert events[1]["reason"] == "late eCampus data and a merged learner" and events[1]["reopens"] == 1
    assert (signoff.signed_figures(warehouse)[("1.1b", "unique_distance_learners", B23)]["value"]
            == now["unique_distance_learners", B23])
