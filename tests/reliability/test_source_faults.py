"""One broken source on a published warehouse (the sample world, tests/conftest.py `sample_warehouse`): the
fault is named, the refresh loses nothing already loaded, and marts.duckdb and parquet/ stay byte for byte.

The faults that write nothing cost a refresh of a few seconds: the failed extraction stops the build, or,
for a refused SoliComm drop, an ignored column or an unreachable platform, no source changed, so the
refresh finds nothing to rebuild (orchestration/changes.py) and republishes nothing.
"""
import sqlite3

import duckdb
import pytest
from openpyxl import load_workbook

from demo.sample import PLATFORM_CODE, PLATFORM_URL_ENV
from demo.sample.files import DROP_FILES, write_drop_files
from orchestration.changes import nothing_changed_message
from orchestration.refresh import execute_refresh, failure_report
from tests.reliability.support import (
    REFUSED_DROPS, assert_history_kept, published_files, raw_contents, tables_holding,
)


@pytest.fixture
def published(sample_warehouse):
    """(raw history, published files) of the sample's published warehouse before the fault."""
    return raw_contents(sample_warehouse / "raw.duckdb"), published_files(sample_warehouse)


def assert_nothing_lost_and_nothing_republished(folder, published) -> None:
    history, files = published
    assert_history_kept(history, raw_contents(folder / "raw.duckdb"))
    assert published_files(folder) == files


def test_a_renamed_workbook_header_is_named_and_the_loaded_agreements_stay(sample_warehouse, sample_sources, published):
    workbook_path = sample_sources.parent / "agreements.xlsx"
    workbook = load_workbook(workbook_path)
    [currency] = [c for c in workbook["Register"][1] if c.value == "Currency"]
    currency.value = "Currency code"  # a hand edit of the header
    workbook.save(workbook_path)

    result = execute_refresh()
    assert not result.success
    assert f"{workbook_path}: sheet 'Register' is missing required column(s) Currency" in "\n".join(
        failure_report(result))
    assert_nothing_lost_and_nothing_republished(sample_warehouse, published)
    assert published[0]["raw_pmsu.register"]  # the agreements loaded earlier, kept


def next_drop(landing, edit) -> str:
    """A new SoliComm drop: the newest one's files, one of them changed by `edit(name, text) -> text`, with a
    manifest that agrees with what `edit` returns (unless the edit happens after it is written)."""
    newest = sorted(p for p in landing.iterdir() if p.is_dir())[-1]
    texts = {name: (newest / name).read_bytes().decode("utf-8-sig") for name in DROP_FILES}
    name = "2023-07-01"
    write_drop_files(landing, name, {n: edit(n, t) for n, t in texts.items()})
    return name


def truncate_in_transfer(landing, drop: str) -> None:
    """The copy of enrolments.csv stopped part-way: the manifest, written first, describes the whole file."""
    path = landing / drop / "enrolments.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def with_malformed_enrolment(name: str, text: str) -> str:
    # An enrolment on a date that does not exist: one rejected row of a small file, over the 1% limit.
    return text + "9001;2;1;31/02/2023;;active\r\n" if name == "enrolments.csv" else text


@pytest.mark.parametrize("fault, words", [
    ("truncated", "enrolments.csv sha256"),
    ("malformed", "enrolments.csv has 1 rejected rows of"),
])
def test_a_broken_solicomm_drop_is_refused_whole_and_named(sample_warehouse, sample_sources, published, fault, words):
    landing = sample_sources.parent / "solicomm"
    drop = next_drop(landing, with_malformed_enrolment if fault == "malformed" else lambda name, text: text)
    if fault == "truncated":
        truncate_in_transfer(landing, drop)

    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))  # a warning: the previous snapshot stays in force
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "solicomm_drops_loaded_cleanly"]
    assert not check.passed and f"SoliComm drop {drop}" in check.description and words in check.description
    assert nothing_changed_message(result) is not None  # nothing of the drop was loaded: nothing to rebuild
    assert_nothing_lost_and_nothing_republished(sample_warehouse, published)
    # the refusal itself is recorded for the data-quality page, naming the drop and the rule
    refusals = raw_contents(sample_warehouse / "raw.duckdb")[REFUSED_DROPS][len(published[0].get(REFUSED_DROPS, [])):]
    assert [(str(r[0]), words in r[2]) for r in refusals] == [(drop, True)]


def rows_read(result, system: str, table: str) -> int:
    [event] = [e for e in result.get_asset_materialization_events()
               if list(e.materialization.asset_key.path) == [system, table]]
    return event.materialization.metadata["rows_read"].value


def test_an_extra_source_column_is_ignored(sample_warehouse, sample_sources, published):
    phone = "+39 600 000 108"  # personal data the contract does not know
    with sqlite3.connect(sample_sources.parent / "map.sqlite") as con:
        con.execute("alter table participant add column phone text")
        # 108 is the row at the participant watermark's instant: read again by every incremental read (>=).
        con.execute("update participant set phone = ? where participant_id = 108", [phone])
    con.close()

    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))
    assert rows_read(result, "map", "participant") >= 1  # the row with the new column was read
    assert tables_holding(sample_warehouse / "raw.duckdb", {phone}) == {}
    with duckdb.connect(str(sample_warehouse / "raw.duckdb"), read_only=True) as con:
        assert "phone" not in {c for (c,) in con.execute("select column_name from duckdb_columns() "
                                                         "where schema_name = 'raw_map'").fetchall()}
    assert nothing_changed_message(result) is not None  # the row read again is the row held
    assert_nothing_lost_and_nothing_republished(sample_warehouse, published)


def test_an_unreachable_platform_is_named_the_others_load_and_its_history_stays(
        sample_warehouse, sample_sources, published, monkeypatch):
    dotenv = sample_sources.parent / ".env"  # where the platform's URL is set: gone from both
    dotenv.write_text("".join(line for line in dotenv.read_text().splitlines(True)
                              if not line.startswith(PLATFORM_URL_ENV)))
    monkeypatch.delenv(PLATFORM_URL_ENV, raising=False)

    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "platforms_reachable"]
    assert not check.passed and f"platform {PLATFORM_CODE}" in check.description
    assert PLATFORM_URL_ENV in check.description
    with duckdb.connect(str(sample_warehouse / "raw.duckdb"), read_only=True) as con:  # the other sources ran
        extracted = {s for (s,) in con.execute("select source_system from raw_warehouse.source_extractions "
                                               "where run_id = ?", [result.run_id]).fetchall()}
    assert {"map", "ecampus", "solicomm", "pmsu"} <= extracted
    assert published[0]["raw_platforms.user_enrolments"]  # its history, kept (with everything else)
    assert nothing_changed_message(result) is not None
    assert_nothing_lost_and_nothing_republished(sample_warehouse, published)
