"""A night with no source change rebuilds, re-checks and republishes nothing; a change or
WAREHOUSE_FORCE_BUILD=1 or a changed dbt project rebuilds and publishes."""
import json
import time

import duckdb

from orchestration import changes, refresh
from orchestration.changes import FORCE_BUILD_ENV, NOTHING_CHANGED_KEY, PUBLICATION_FILE, nothing_changed_message
from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import run_sql
from tests.integration.test_publish import COUNT_F2F_2022
from tests.reliability.support import published_files


def published_run_id(warehouse):
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        [(run_id,)] = con.execute("select distinct run_id from annex1_indicators").fetchall()
    return run_id


def figure(warehouse):
    with duckdb.connect(str(warehouse / "marts.duckdb"), read_only=True) as con:
        return con.execute(COUNT_F2F_2022).fetchone()[0]


def dbt_materializations(result):
    return [e.materialization for e in result.get_asset_materialization_events()
            if e.step_key == "warehouse_dbt_models"]


def timed_refresh():
    started = time.perf_counter()
    result = execute_refresh()
    seconds = time.perf_counter() - started
    assert result.success, failure_report(result)
    return result, seconds


def test_a_night_with_no_change_does_no_work_and_a_change_or_force_rebuilds(
        sample_warehouse, sample_sources, monkeypatch, capsys):
    warehouse = sample_warehouse
    first_run = published_run_id(warehouse)
    assert json.loads((warehouse / PUBLICATION_FILE).read_text())["run_id"] == first_run
    before = published_files(warehouse)
    run_results = warehouse / "dbt_target" / "run_results.json"  # dbt rewrites it on every invocation
    dbt_ran = run_results.read_bytes()

    unchanged, unchanged_seconds = timed_refresh()

    assert run_results.read_bytes() == dbt_ran  # no dbt build
    models = dbt_materializations(unchanged)
    assert models and all(m.metadata["dbt_build"].value is False for m in models)
    assert not [e for e in unchanged.get_asset_check_evaluations() if e.check_name.startswith(("not_null", "unique"))]
    assert published_files(warehouse) == before
    message = nothing_changed_message(unchanged)
    assert message is not None and message.startswith(f"nothing changed since {first_run} (")
    gx = [e for e in unchanged.get_asset_check_evaluations() if e.check_name.startswith("gx_")]
    assert gx and all(e.passed and e.metadata["revalidated"].value is False for e in gx)

    refresh.main([])  # what the operator reads
    assert f"nothing changed since {first_run}" in capsys.readouterr().out

    # A new registration in MAP: rebuilt and published, with the new figure and the new run's provenance.
    assert figure(warehouse) == 6
    run_sql(sample_sources.parent / "map.sqlite",
            "insert into registration values (1022, 1, 107, 'attended', 0, '2022-02-01', datetime('now'));")
    changed, changed_seconds = timed_refresh()
    assert nothing_changed_message(changed) is None
    assert run_results.read_bytes() != dbt_ran
    assert all(NOTHING_CHANGED_KEY not in m.metadata for m in dbt_materializations(changed))
    assert figure(warehouse) == 7 and published_run_id(warehouse) == changed.run_id
    assert json.loads((warehouse / PUBLICATION_FILE).read_text())["run_id"] == changed.run_id
    print(f"\nno-change night: {unchanged_seconds:.1f} s; night with a change (full dbt build): {changed_seconds:.1f} s")
    assert unchanged_seconds < 0.6 * changed_seconds

    # The operator's escape hatch and a changed dbt project are decided by the same one place (`decide`),
    # whose rebuild the change above went through: asked directly, each rebuilds (the build state `decide`
    # records is put back after each question, so every answer is about the published build alone).
    def rebuilds() -> bool:
        state = warehouse / changes.BUILD_STATE_FILE
        kept = state.read_bytes()
        try:
            return changes.decide("probe") is None
        finally:
            state.write_bytes(kept)

    assert not rebuilds()  # nothing changed since the changed night's publication
    monkeypatch.setenv(FORCE_BUILD_ENV, "1")
    assert rebuilds()
    monkeypatch.delenv(FORCE_BUILD_ENV)
    assert not rebuilds()
    fingerprint = changes.current_state()["dbt_project"]
    monkeypatch.setattr("orchestration.dbt.project_fingerprint", lambda: fingerprint[::-1])
    assert rebuilds()  # a seed or model edited since the publication is a change
