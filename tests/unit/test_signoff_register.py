"""The sign-off register (orchestration/signoff.py) on a tiny hand-made published warehouse: append-only
events, reopening recorded, clear refusals, tampering and truncation detected, the loader's tables."""
import json
import subprocess

import duckdb
import pytest

from orchestration import signoff
from orchestration.signoff import RegisterCorrupt, SignoffError

RUN = "run-1"


def publish_tiny_warehouse(folder, run_id=RUN, build_run_id=None):
    """marts.duckdb and build.duckdb with just the tables a close reads."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = """create table {t} as select * from (values
        ('1.1b', 'distance_enrolments', '2022-23', 'biennium', 13.0, null, 'count', 'computed'),
        ('1.1b', 'distance_enrolments', '2022', 'year', 4.0, null, 'count', 'computed'),
        ('1.1b', 'distance_enrolments', '2023', 'year', 9.0, null, 'count', 'computed'),
        ('1.1b', 'distance_enrolments', '2020-21', 'biennium', 5.0, null, 'count', 'computed'),
        ('5.1', 'm', '2022-23', 'biennium', null, 'Completed', 'text', 'submitted'))
        t(indicator_code, measure, period, period_type, value, value_text, unit, origin)"""
    with duckdb.connect(str(folder / "marts.duckdb")) as con:
        con.execute(figures.format(t="annex1_indicators_values"))
        con.execute(f"""create table annex1_indicators as select *, '{run_id}' as run_id,
                        timestamp '2024-01-02 03:04:05' as built_at, '{{"ecampus": "2023-12-31"}}'::json as source_watermarks
                        from annex1_indicators_values""")
        con.execute("""create table fct_enrolments as select * from (values
            ('e1', 'ecampus', 'distance', 2023, 'P1', true, false),
            ('e2', 'ecampus', 'distance', 2021, 'P2', true, false))
            t(enrolment_key, source_system, channel, year, person_key, is_counted, has_vanished_from_source)""")
    with duckdb.connect(str(folder / "build.duckdb")) as con:
        con.execute("create schema marts; create schema intermediate")
        con.execute(f"create table marts.annex1_indicators as select '{build_run_id or run_id}' as run_id")
        con.execute("""create table intermediate.int_persons_resolved as select * from (values
            ('ecampus:1', 'P1'), ('map:1', 'P1'), ('ecampus:2', 'P2')) t(record_key, person_key)""")
        con.execute("""create table intermediate.int_identity_links as select * from (values
            ('map:1', 'ecampus:1', 'L1')) t(record_key_a, record_key_b, rule)""")
        con.execute("""create table intermediate.int_submissions__accepted as select * from (values
            ('5.1', 'm', '2022-23', date '2023-11-30', 4, true)) t(indicator_code, measure, period, submitted_on,
            line_number, is_current)""")
    return folder


@pytest.fixture
def published(tmp_path, monkeypatch):
    sources = tmp_path / "sources.yml"
    sources.write_text("map: {url: 'sqlite:///map.sqlite'}\n", encoding="utf-8")
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(sources))
    return publish_tiny_warehouse(tmp_path / "warehouse")


def register_lines(folder):
    return (folder / "signoff" / "register.jsonl").read_text(encoding="utf-8").splitlines()


def test_a_biennium_close_freezes_it_and_its_years_with_their_provenance(published):
    event = signoff.close("2022-23", "A. Director", "report 2022-23", published)
    assert event["periods"] == ["2022-23", "2022", "2023"]
    assert (event["run_id"], event["built_at"]) == (RUN, "2024-01-02 03:04:05")
    assert event["source_watermarks"] == {"ecampus": "2023-12-31"}
    assert len(event["sources_sha256"]) == 64 and event["code_version"] and event["at"]
    assert event["rows"] == {"figures": 4, "rows": 1, "records": 2, "links": 1, "submissions": 1}
    figures = signoff.signed_figures(published)
    assert set(figures) == {("1.1b", "distance_enrolments", p) for p in ("2022-23", "2022", "2023")} | {
        ("5.1", "m", "2022-23")}
    assert figures[("5.1", "m", "2022-23")]["text"] == "Completed"
    assert set(signoff.signed_off_periods(signoff.read_events(published))) == {"2022-23", "2022", "2023"}


def test_closing_twice_or_reopening_an_open_period_is_a_clear_error(published):
    signoff.close("2022-23", "A. Director", "", published)
    with pytest.raises(SignoffError, match=r"2022-23 is already signed off \(close #1 of 2022-23 by A. Director"):
        signoff.close("2022-23", "B", "", published)
    with pytest.raises(SignoffError, match="2023 is already signed off .*reopen 2022-23 first"):
        signoff.close("2023", "B", "", published)
    with pytest.raises(SignoffError, match="2020-21 is not signed off"):
        signoff.reopen("2020-21", "B", "why", published)
    with pytest.raises(SignoffError, match="signed off as part of 2022-23: reopen 2022-23"):
        signoff.reopen("2023", "B", "why", published)
    with pytest.raises(SignoffError, match="--reason"):
        signoff.reopen("2022-23", "B", " ", published)
    with pytest.raises(SignoffError, match="expected a year .* or a biennium"):
        signoff.close("2022-24", "B", "", published)
    assert len(register_lines(published)) == 1  # refusals write nothing


def test_reopening_is_recorded_and_the_register_only_grows(published):
    signoff.close("2022-23", "A. Director", "first", published)
    before = (published / "signoff" / "register.jsonl").read_bytes()
    signoff.reopen("2022-23", "A. Director", "late data", published)
    assert signoff.signed_off_periods(signoff.read_events(published)) == {}
    signoff.close("2022-23", "A. Director", "second", published)
    after = (published / "signoff" / "register.jsonl").read_bytes()
    assert after.startswith(before)  # appended, earlier events byte for byte
    events = signoff.read_events(published)
    assert [(e["seq"], e["event"]) for e in events] == [(1, "close"), (2, "reopen"), (3, "close")]
    assert events[1]["reason"] == "late data" and events[1]["reopens"] == 1
    assert signoff.open_closes(events)["2022-23"]["note"] == "second"


def test_an_edited_removed_or_truncated_event_is_detected(published):
    signoff.close("2022-23", "A. Director", "", published)
    signoff.close("2020-21", "A. Director", "", published)
    register = published / "signoff" / "register.jsonl"
    original = register.read_text(encoding="utf-8")
    lines = original.splitlines()

    edited = json.loads(lines[0])
    edited["by"] = "someone else"
    register.write_text("\n".join([json.dumps(edited), lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(RegisterCorrupt, match="line 1 breaks the hash chain"):
        signoff.read_events(published)

    register.write_text(lines[1] + "\n", encoding="utf-8")  # the first event removed
    with pytest.raises(RegisterCorrupt, match="line 1 breaks the hash chain"):
        signoff.read_events(published)

    register.write_text(lines[0] + "\n", encoding="utf-8")  # the last event removed: its snapshot remains
    with pytest.raises(RegisterCorrupt, match="a close's snapshot with no event"):
        signoff.read_events(published)

    register.write_text(original[:-20], encoding="utf-8")  # cut mid-line
    with pytest.raises(RegisterCorrupt, match="line 2 is not a JSON event"):
        signoff.read_events(published)

    register.write_text(original, encoding="utf-8")
    figures = published / "signoff" / "0001-2022-23" / "figures.parquet"
    figures.write_bytes(figures.read_bytes() + b"x")
    with pytest.raises(RegisterCorrupt, match="figures.parquet: missing or changed since close #1"):
        signoff.read_events(published)
    with pytest.raises(RegisterCorrupt):  # nothing is signed on top of a broken register
        signoff.close("2024", "B", "", published)


def test_closing_refuses_an_unpublished_warehouse_or_a_build_that_is_not_the_published_one(tmp_path, published):
    with pytest.raises(SignoffError, match="never published"):
        signoff.close("2022-23", "A", "", tmp_path / "empty")
    stale = publish_tiny_warehouse(tmp_path / "stale", build_run_id="run-2")
    with pytest.raises(SignoffError, match="holds build run-2, not the published run-1"):
        signoff.close("2022-23", "A", "", stale)
    with pytest.raises(SignoffError, match="no figure of 2024"):
        signoff.close("2024", "A", "", published)
    assert not (published / "signoff" / "register.jsonl").exists()


def test_the_code_version_without_git_is_the_package_version(monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert signoff.code_version().startswith("package ")


def test_the_loader_writes_the_open_signoffs_and_empty_tables_when_none(published):
    with duckdb.connect() as con:
        assert set(signoff.load_into(con, published).values()) == {0}
        signoff.close("2022-23", "A. Director", "", published)
        rows = signoff.load_into(con, published)
        assert rows["closes"] == 3 and rows["figures"] == 4 and rows["records"] == 2
        assert con.execute("select distinct close_id, signed_by from signoff.figures join signoff.closes "
                           "using (close_id)").fetchall() == [(1, "A. Director")]
        signoff.reopen("2022-23", "A. Director", "why", published)
        assert set(signoff.load_into(con, published).values()) == {0}


def test_the_close_period_job_signs_off_and_reopens_with_the_same_config(published, monkeypatch):
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    monkeypatch.setenv("WAREHOUSE_DIR", str(published))
    job = defs.resolve_job_def("close_period")
    config = {"ops": {"close_period_op": {"config": {"period": "2022-23", "by": "A. Director", "note": "n"}}}}
    with DagsterInstance.ephemeral() as instance:
        assert job.execute_in_process(run_config=config, instance=instance).success
        reopen = {"ops": {"close_period_op": {"config": {"period": "2022-23", "by": "A. Director", "reopen": True,
                                                         "reason": "late data"}}}}
        assert job.execute_in_process(run_config=reopen, instance=instance).success
        failed = job.execute_in_process(run_config=reopen, instance=instance, raise_on_error=False)
        assert not failed.success  # reopening an open period is refused
    assert [e["event"] for e in signoff.read_events(published)] == ["close", "reopen"]
