"""Durable history: the raw layer (raw.duckdb) apart from dbt's disposable build, nightly backups of it,
restore, and the one-time move of an old build.duckdb's raw schemas."""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration import backups
from orchestration.changes import BUILD_STATE_FILE, nothing_changed_message
from orchestration.concurrency import EXIT_BUSY, WriterLock
from orchestration.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR, dbt_project
from orchestration.refresh import EXIT_KEY_MISMATCH, execute_refresh, failure_report
from orchestration.restore import main as restore_main
from orchestration.restore import restore
from orchestration.settings import BACKUPS_KEEP_ENV, PROJECT_ROOT
from orchestration.warehouse import migrate_raw_out_of_build, raw_schemas
from tests.reliability.support import figures, raw_contents


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def refreshed(folder: Path) -> None:
    result = execute_refresh()
    assert result.success, "\n".join(failure_report(result))
    assert nothing_changed_message(result) is None  # dbt rebuilt, the figures were published again


def test_the_raw_layer_is_its_own_file_backed_up_by_the_refresh_and_attached_read_only(sample_warehouse):
    raw, build = sample_warehouse / "raw.duckdb", sample_warehouse / "build.duckdb"
    assert rows(build, "select count(*) from duckdb_tables() where schema_name like 'raw_%'") == [(0,)]
    assert rows(raw, "select count(*) from raw_warehouse.source_extractions")[0][0] > 0

    [backup] = backups.list_backups()  # the session's refresh wrote one, once its extractions were done
    assert backup.manifest["run_id"] == rows(raw, "select distinct run_id from raw_warehouse.source_extractions")[0][0]
    assert raw_contents(backup.raw_file) == raw_contents(raw)

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    [attach] = profile["itcilo_warehouse"]["outputs"]["build"]["attach"]
    assert attach["alias"] == "raw" and attach["read_only"] is True
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    raw_sources = [s for s in manifest["sources"].values() if s["schema"].startswith("raw_")]
    assert raw_sources and {s["database"] for s in raw_sources} == {"raw"}


def test_dbt_builds_while_another_process_reads_the_raw_file(sample_warehouse, tmp_path):
    raw = sample_warehouse / "raw.duckdb"
    env = {**os.environ, "WAREHOUSE_BUILD_DB": str(sample_warehouse / "build.duckdb"), "WAREHOUSE_RAW_DB": str(raw)}
    with duckdb.connect(str(raw), read_only=True) as reader:  # e.g. an analyst's, or a backup being taken
        reader.execute("select count(*) from raw_map.participant").fetchall()
        writer = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(raw)!r})"],
                                capture_output=True, text=True)
        assert writer.returncode != 0 and "lock" in writer.stderr.lower()  # a writer would be refused meanwhile
        done = subprocess.run(
            [DBT_EXECUTABLE, "run", "--select", "path:models/staging/map", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(sample_warehouse / "dbt_target"),
             "--log-path", str(tmp_path / "logs")],
            capture_output=True, text=True, cwd=DBT_PROJECT_DIR, env=env)
    assert done.returncode == 0, done.stdout[-3000:]


def test_backups_are_skipped_when_nothing_changed_written_atomically_and_pruned(sample_warehouse, monkeypatch):
    root = sample_warehouse / "backups"
    [first] = backups.list_backups()
    assert backups.write_backup("no-change night") is None  # no source changed since the newest backup

    stale = root / f"{backups.PARTIAL_PREFIX}20200101T000000Z-1"  # a crashed backup's leftover
    stale.mkdir()
    (stale / "raw.duckdb").write_bytes(b"half")
    start = dt.datetime(2030, 1, 1, 2, 0, tzinfo=dt.timezone.utc)
    made = [backups.write_backup(f"run {n}", keep=3, now=start + dt.timedelta(days=n), skip_unchanged=False)
            for n in range(4)]
    assert [b.name for b in backups.list_backups()] == [b.name for b in made[1:]] == [
        "20300102T020000Z", "20300103T020000Z", "20300104T020000Z"]
    assert not stale.exists() and first.folder not in [p for p in root.iterdir()]
    assert sorted(p.name for p in root.iterdir()) == [b.name for b in made[1:]]  # no temporary folder left

    # A changed source (an extraction that wrote rows) is backed up; WAREHOUSE_BACKUPS_KEEP prunes.
    with duckdb.connect(str(sample_warehouse / "raw.duckdb")) as con:
        con.execute("insert into raw_warehouse.source_extractions values ('map', 'later', now()::timestamp, "
                    "'2031-01-01', 1, 1, 0)")
    monkeypatch.setenv(BACKUPS_KEEP_ENV, "2")
    newest = backups.write_backup("changed night", now=start + dt.timedelta(days=10))
    assert newest is not None and [b.name for b in backups.list_backups()] == [made[-1].name, newest.name]
    assert rows(newest.raw_file, "select count(*) from raw_warehouse.source_extractions where run_id = 'later'") == [(1,)]
    monkeypatch.setenv(BACKUPS_KEEP_ENV, "0")
    with pytest.raises(ValueError, match="WAREHOUSE_BACKUPS_KEEP='0'"):
        backups.write_backup("x")


def test_restore_is_refused_while_another_run_holds_the_writer_lock(sample_warehouse, capsys):
    [backup] = backups.list_backups()
    restore_main(["--list"])
    assert backup.name in capsys.readouterr().out
    before = (sample_warehouse / "raw.duckdb").read_bytes()

    holder = WriterLock(sample_warehouse, "the-nightly-run", "test").acquire()
    try:
        done = subprocess.run([sys.executable, "-m", "orchestration.restore", backup.name],
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    finally:
        holder.release()
    assert done.returncode == EXIT_BUSY, done.stdout + done.stderr
    assert "held by run the-nightly-run" in done.stderr
    assert (sample_warehouse / "raw.duckdb").read_bytes() == before
    assert not list(sample_warehouse.glob("raw.duckdb.replaced-*"))

    # A backup taken under another pseudonymisation key would mix hashes: refused too.
    manifest = json.loads((backup.folder / backups.MANIFEST_NAME).read_text(encoding="utf-8"))
    (backup.folder / backups.MANIFEST_NAME).write_text(json.dumps({**manifest, "key_fingerprint": "other"}))
    with pytest.raises(SystemExit) as refused:
        restore_main([str(backup.folder)])
    assert refused.value.code == EXIT_KEY_MISMATCH
    assert (sample_warehouse / "raw.duckdb").read_bytes() == before


def test_losing_the_build_file_loses_nothing(sample_warehouse):
    published = figures(sample_warehouse)
    (sample_warehouse / "build.duckdb").unlink()
    refreshed(sample_warehouse)
    assert figures(sample_warehouse) == published


def test_a_restored_backup_gives_that_nights_figures(sample_warehouse):
    published = figures(sample_warehouse)
    [backup] = backups.list_backups()
    raw = sample_warehouse / "raw.duckdb"
    # A bad night: registrations lost from the raw history (an incremental read never brings them back).
    with duckdb.connect(str(raw)) as con:
        lost = con.execute("delete from raw_map.registration where registration_id in "
                           "(select min(registration_id) from raw_map.registration)").fetchone()[0]
    assert lost == 1

    kept = restore(backup)
    assert kept is not None and kept.name.startswith("raw.duckdb.replaced-")  # the replaced file is kept aside
    assert rows(kept, "select count(*) from raw_map.registration")[0][0] == \
        rows(raw, "select count(*) from raw_map.registration")[0][0] - 1
    assert raw_contents(raw) == raw_contents(backup.raw_file)
    assert not (sample_warehouse / BUILD_STATE_FILE).exists()  # the next refresh rebuilds whatever it finds

    refreshed(sample_warehouse)
    assert figures(sample_warehouse) == published


def test_an_old_build_file_holding_the_raw_history_is_moved_into_raw_once(sample_warehouse):
    raw, build = sample_warehouse / "raw.duckdb", sample_warehouse / "build.duckdb"
    history = raw_contents(raw)
    # The layout before the split: the raw schemas inside build.duckdb, no raw.duckdb.
    with duckdb.connect(str(build)) as con:
        con.execute(f"attach '{raw}' as old_raw (read_only)")
        for schema in raw_schemas(con, "old_raw"):
            con.execute(f'create schema "{schema}"')
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables() "
                                         "where database_name = 'old_raw' order by all").fetchall():
            con.execute(f'create table "{schema}"."{table}" as select * from old_raw."{schema}"."{table}" order by rowid')
    raw.unlink()
    shutil.rmtree(sample_warehouse / "backups")

    result = execute_refresh()  # migrates under the writer lock, before anything is extracted
    assert result.success, "\n".join(failure_report(result))
    # Same extraction totals and watermarks as the published build: the history came through whole.
    assert nothing_changed_message(result) is not None
    assert rows(build, "select count(*) from duckdb_tables() where schema_name like 'raw_%'") == [(0,)]
    after = raw_contents(raw)
    extractions = "raw_warehouse.source_extractions"
    assert after[extractions][:len(history[extractions])] == history[extractions]  # tonight's rows appended
    # (files_loaded records tonight's read of the sources: this test's copy of the workbook has another hash)
    same = [t for t in history if t != extractions and not t.endswith(".files_loaded")]
    assert {t: after[t] for t in same} == {t: history[t] for t in same}
    assert backups.list_backups()  # the migrated file is backed up like any other night's
    assert migrate_raw_out_of_build(sample_warehouse) == []  # once
