"""Shared fixtures: every test runs against its own WAREHOUSE_DIR and sources, with a fixed HMAC key."""
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
TEST_KEY = "test-key-not-secret"


@pytest.fixture(autouse=True)
def fixed_hmac_key(monkeypatch):
    from orchestration import pseudonymise

    monkeypatch.setenv(pseudonymise.KEY_ENV, TEST_KEY)
    pseudonymise.reset_key_cache()
    yield
    pseudonymise.reset_key_cache()


@pytest.fixture
def sample_sources(tmp_path) -> Path:
    """The hand-made sample world (demo/sample: every source system), written fresh for one test; returns the sources file."""
    from demo.sample import build

    return build(tmp_path / "sources")


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory) -> Path:
    """The one WAREHOUSE_DIR of this session's tests (emptied for each test). One path, so dbt's
    partial-parse state stays valid across tests: a new path changes dbt's profile, and dbt then
    re-parses the whole project."""
    return tmp_path_factory.mktemp("tests") / "warehouse"


@pytest.fixture(scope="session")
def sample_refresh(warehouse_path, tmp_path_factory):
    """The sample world refreshed once per session into `warehouse_path`, then set aside: (its warehouse
    folder, the run's failure report: failed steps and checks, blocking or not, the run's result). Tests read
    it as it is or get a copy (`sample_warehouse`); none writes into it."""
    from demo.sample import build
    from orchestration import pseudonymise
    from orchestration.refresh import execute_refresh, failure_report

    sources = build(tmp_path_factory.mktemp("sample_sources"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_DIR", str(warehouse_path))
        mp.setenv("WAREHOUSE_SOURCES", str(sources))
        mp.setenv(pseudonymise.KEY_ENV, TEST_KEY)
        pseudonymise.reset_key_cache()
        shutil.rmtree(warehouse_path, ignore_errors=True)
        try:
            result = execute_refresh()
        finally:
            pseudonymise.reset_key_cache()
        report = failure_report(result)
        assert result.success, "\n".join(report)
    kept = tmp_path_factory.mktemp("refreshed_sample") / "warehouse"
    shutil.move(warehouse_path, kept)
    return kept, report, result


@pytest.fixture(scope="session")
def refreshed_sample(sample_refresh) -> Path:
    """The warehouse folder of the session's sample refresh (read only: copy it with `sample_warehouse`)."""
    return sample_refresh[0]


@pytest.fixture
def warehouse(warehouse_path, monkeypatch, sample_sources) -> Path:
    """An empty WAREHOUSE_DIR pointed at this test's sample sources; returns the warehouse folder."""
    shutil.rmtree(warehouse_path, ignore_errors=True)
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_path))
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(sample_sources))
    return warehouse_path


@pytest.fixture
def sample_warehouse(refreshed_sample, warehouse) -> Path:
    """`warehouse` as the sample's first refresh left it (built once per session, copied in): a test that
    starts from a refreshed warehouse saves that refresh. Same sources content, same key, same path."""
    shutil.copytree(refreshed_sample, warehouse, symlinks=True)
    return warehouse


def run_sql(sqlite_path: Path, sql: str) -> None:
    with sqlite3.connect(sqlite_path) as con:
        con.executescript(sql)


DEMO_SEED = 20231231


@pytest.fixture(scope="session")
def generated_demo(tmp_path_factory):
    """(out, truth) of the full demo (`demo.generator.generate`, every part) at scale 1, once per session."""
    from demo.generator.__main__ import generate

    base = tmp_path_factory.mktemp("generated_demo")
    out, truth = base / "sources", base / "truth"
    generate(out, truth, seed=DEMO_SEED, scale=1)
    return out, truth


# Periods of the independent reference: the published ones (tests/generator/published_core.py) and the
# demo's open 2024 and 2024-25, where its sources still reach.
REFERENCE_PERIODS = {"2024": (2024,), "2024-25": (2024, 2025)}


def external_platform_enrolments(truth: Path, periods: dict[str, tuple[int, ...]]) -> tuple[dict, dict]:
    """(all, employer platforms) counted external-platform enrolments per period, from the platforms
    part's truth per platform and year: the input 1.1c's core share takes from the platforms part."""
    import csv
    from collections import Counter

    every, employers = Counter(), Counter()
    with open(truth / "expected_platforms_by_platform.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            every[int(row["year"])] += int(row["counted_enrolments"])
            if row["constituent_group"] == "employers":
                employers[int(row["year"])] += int(row["counted_enrolments"])
    return ({p: sum(every[y] for y in years) for p, years in periods.items()},
            {p: sum(employers[y] for y in years) for p, years in periods.items()})


@pytest.fixture(scope="session")
def core_reference(generated_demo):
    """The core indicators computed independently from the written sources (tests/generator/
    reference_methodology.py), for the published periods and 2024/2024-25; once per session, for the
    generator's tests and the warehouse's. The external-platform input is the platforms part's truth,
    which is the published assumption (published_core.EXTERNAL*) wherever that has one."""
    from tests.generator import reference_methodology as ref
    from tests.generator.published_core import EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS

    out, truth = generated_demo
    periods = {**PERIODS, **REFERENCE_PERIODS}
    external, external_employers = external_platform_enrolments(truth, periods)
    assert {p: external[p] for p in EXTERNAL} == EXTERNAL
    assert {p: external_employers[p] for p in EXTERNAL_EMPLOYERS} == EXTERNAL_EMPLOYERS
    return ref.compute(out, external, external_employers, periods)


# The inner loop (`make test-fast`) leaves out every test that builds a warehouse or the scale-1 demo:
# they are marked `slow` by the fixtures they use (or by a `pytest.mark.slow` of their own).
SLOW_FIXTURES = {"warehouse", "sample_warehouse", "sample_refresh", "generated_demo", "core_reference"}


# Under pytest-xdist (`make test` runs one worker per core, `--dist loadgroup`), the tests of the scale-1 demo
# run on one worker, so the demo is generated and refreshed once; the small sample world is refreshed once
# per worker, which keeps the sample's many tests spread over every core.
SHARED_WORLDS = {"demo": {"generated_demo", "core_reference"}}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    grouping = getattr(config.option, "loadgroup", False)  # set in xdist's workers under --dist loadgroup
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        for world, needs in SHARED_WORLDS.items():
            if needs & fixtures:
                item.add_marker(pytest.mark.xdist_group(world))
                if grouping:
                    # pytest 9's structured node ids ignore the `@group` suffix xdist 3.8 writes into the legacy
                    # `_nodeid` (pytest-xdist#1386): write it where pytest 9 reads it, as xdist's pending fix does.
                    item._id = NodeId.parse(f"{item.nodeid}@{world}")
                break
