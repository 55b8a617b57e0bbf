"""The key guard: a run with another pseudonymisation key is refused before it reads or writes anything;
the rotation of deploy/README.md re-keys every row and keeps the figures.

Each test starts from a copy of the session's refreshed sample (tests/conftest.py `sample_warehouse`).
"""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import guards, pseudonymise
from orchestration.refresh import EXIT_KEY_MISMATCH, execute_refresh, failure_report
from tests.conftest import TEST_KEY

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KEY = TEST_KEY  # the key tests/conftest.py sets for every test
OTHER_KEY = "a-mistyped-key"


@pytest.fixture
def folder(sample_warehouse, monkeypatch):
    """The hand-made sample's warehouse, refreshed under KEY (the session's refresh, copied in)."""
    monkeypatch.delenv(guards.ROTATION_ENV, raising=False)
    return sample_warehouse


def use_key(monkeypatch, key: str | None) -> None:
    if key is None:
        monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(pseudonymise.KEY_ENV, key)
    pseudonymise.reset_key_cache()


def files_state(folder: Path) -> dict:
    """Every file of the warehouse folder: (mtime, size, content hash)."""
    state = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            state[str(path.relative_to(folder))] = (path.stat().st_mtime_ns, path.stat().st_size,
                                                    hashlib.sha256(path.read_bytes()).hexdigest())
    return state


def row_counts(folder: Path) -> dict:
    counts = {}
    for db in ("raw.duckdb", "build.duckdb"):
        with duckdb.connect(str(folder / db), read_only=True) as con:
            tables = con.execute("select schema_name, table_name from duckdb_tables() where not internal").fetchall()
            counts |= {f"{db}:{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}
    return counts


def figures(folder: Path) -> list[tuple]:
    with duckdb.connect(str(folder / "marts.duckdb"), read_only=True) as con:
        return con.execute("select indicator_code, measure, period, value from annex1_indicators "
                           "order by all").fetchall()


def keyed_values(folder: Path) -> dict[str, set]:
    """Every keyed hash held in the raw tables, by table.column."""
    out = {}
    with duckdb.connect(str(folder / "raw.duckdb"), read_only=True) as con:
        for (schema, table), cols in guards.keyed_tables(con).items():
            for col in cols:
                value = f'unnest("{col}")' if col.endswith("_keys") else f'"{col}"'  # lists: one per token
                values = con.execute(f'select distinct {value} from "{schema}"."{table}"').fetchall()
                out[f"{schema}.{table}.{col}"] = {v for (v,) in values if v is not None}
    return out


def refresh_command(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration.refresh"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_first_build_recorded_the_fingerprint_never_the_key(folder):
    state = guards.read_state(folder)
    assert state["fingerprint"] == pseudonymise.fingerprint(KEY.encode())
    assert state["origin"] == pseudonymise.KEY_ENV
    assert KEY not in (folder / guards.FINGERPRINT_FILE).read_text(encoding="utf-8")


def test_another_key_is_refused_in_one_line_and_nothing_is_written(folder, monkeypatch):
    before_files, before_rows = files_state(folder), row_counts(folder)
    marts = (folder / "marts.duckdb").read_bytes()

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), pseudonymise.KEY_ENV: OTHER_KEY}
    done = refresh_command(env)
    assert done.returncode == EXIT_KEY_MISMATCH, done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line == (
        f"WAREHOUSE_HMAC_KEY has another fingerprint ({pseudonymise.fingerprint(OTHER_KEY.encode())}) than the one "
        f"this warehouse was built with ({pseudonymise.fingerprint(KEY.encode())}, from WAREHOUSE_HMAC_KEY): "
        "set the original key, or rotate it: see deploy/README.md (Rotating the pseudonymisation key)")

    use_key(monkeypatch, OTHER_KEY)
    with pytest.raises(guards.KeyMismatch, match="has another fingerprint"):
        execute_refresh()

    assert files_state(folder) == before_files  # not even the writer lock was touched
    assert row_counts(folder) == before_rows
    assert (folder / "marts.duckdb").read_bytes() == marts


def test_an_unset_key_is_refused_and_no_local_key_is_created(folder, monkeypatch):
    before = files_state(folder)
    use_key(monkeypatch, None)
    with pytest.raises(guards.KeyMismatch, match=r"^WAREHOUSE_HMAC_KEY is not set .* set the original key"):
        execute_refresh()
    assert not (folder / pseudonymise.LOCAL_KEY_FILE).exists()
    assert files_state(folder) == before


def test_a_dagster_run_with_another_key_fails_before_its_first_step(folder, monkeypatch):
    from orchestration.definitions import defs

    before = files_state(folder)
    use_key(monkeypatch, OTHER_KEY)
    result = defs.get_job_def("refresh").execute_in_process(raise_on_error=False)
    assert not result.success
    assert not [e for e in result.all_events if e.is_step_start]
    failure = result.get_run_failure_event()
    assert "has another fingerprint" in str(failure.event_specific_data.error)
    assert files_state(folder) == before


def test_moving_the_local_key_file_into_the_variable_is_accepted_and_a_typo_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    use_key(monkeypatch, None)
    guards.record_key(tmp_path)  # a demo's first build: the local key file is created and recorded
    local = (tmp_path / pseudonymise.LOCAL_KEY_FILE).read_text(encoding="utf-8").strip()
    assert guards.read_state(tmp_path)["origin"].startswith("the local key file")

    use_key(monkeypatch, local)
    guards.verify_key(tmp_path)  # the same key, now from WAREHOUSE_HMAC_KEY
    use_key(monkeypatch, local + "x")
    with pytest.raises(guards.KeyMismatch, match=r"^WAREHOUSE_HMAC_KEY has another fingerprint .* from the local key"):
        guards.verify_key(tmp_path)


def test_an_unfinished_rotation_lets_only_the_rotation_run(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    guards.record_key(tmp_path)
    use_key(monkeypatch, OTHER_KEY)
    guards.begin_rotation(tmp_path, None)  # interrupted before its run finished
    for key, rotating in ((KEY, False), (OTHER_KEY, False), (KEY, True)):
        use_key(monkeypatch, key)
        with pytest.raises(guards.KeyMismatch, match="rotation .* is unfinished"):
            guards.verify_key(tmp_path, rotating=rotating)
    use_key(monkeypatch, OTHER_KEY)
    guards.verify_key(tmp_path, rotating=True)
    assert guards.read_state(tmp_path)["fingerprint"] == pseudonymise.fingerprint(KEY.encode())


def test_the_rotation_rekeys_every_row_and_keeps_the_figures(folder, monkeypatch):
    before_figures = figures(folder)
    # A history row whose source row is gone (as a platform's rows once it left the registry): its keys
    # were made under the old key and cannot be re-derived.
    with duckdb.connect(str(folder / "raw.duckdb")) as con:
        con.execute("insert into raw_map.participant by name select 999 as participant_id, ? as email_key, "
                    "? as name_key, 'example.org' as email_domain, 'F' as gender, 'FRA' as nationality, "
                    "'ngo' as constituent_group, timestamp '2021-01-01' as "
                    "_extracted_at, timestamp '2021-06-01' as _vanished_at",
                    [pseudonymise.email_key("gone@example.org"), pseudonymise.name_key("Gone", "Person")])
    before_keys = keyed_values(folder)
    assert before_figures and before_keys["raw_map.participant.email_key"]

    new_key = "the-rotated-key"
    use_key(monkeypatch, new_key)
    monkeypatch.setenv(guards.ROTATION_ENV, "1")
    result = execute_refresh()
    assert result.success, failure_report(result)

    state = guards.read_state(folder)
    assert state["fingerprint"] == pseudonymise.fingerprint(new_key.encode()) and not state["rotating_to"]
    [rotation] = state["rotations"]
    assert rotation["from"] == pseudonymise.fingerprint(KEY.encode())
    assert rotation["history_rows_without_keys"] == {"raw_map.participant": 1}

    assert figures(folder) == before_figures
    after_keys = keyed_values(folder)
    assert after_keys["raw_map.participant.email_key"]
    for column, values in after_keys.items():
        assert not values & before_keys.get(column, set()), f"an old-key hash survived in {column}"
    with duckdb.connect(str(folder / "raw.duckdb"), read_only=True) as con:
        assert con.execute("select email_key from raw_map.participant where participant_id = 101").fetchone() == (
            pseudonymise.email_key("jm.garcia+itc@gmail.com"),)  # under the new key
        assert con.execute("select email_key, name_key, email_domain from raw_map.participant "
                           "where participant_id = 999").fetchone() == (None, None, "example.org")

    # The old key is now the other one.
    monkeypatch.delenv(guards.ROTATION_ENV)
    use_key(monkeypatch, KEY)
    with pytest.raises(guards.KeyMismatch, match=f"from {pseudonymise.KEY_ENV}"):
        execute_refresh()
