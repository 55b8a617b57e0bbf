"""Shared fixtures: every test runs against its own WAREHOUSE_DIR and sources, with a fixed HMAC key."""
import os
import sqlite3
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True)
def fixed_hmac_key(monkeypatch):
    from orchestration import pseudonymise

    monkeypatch.setenv(pseudonymise.KEY_ENV, "test-key-not-secret")
    pseudonymise.reset_key_cache()
    yield
    pseudonymise.reset_key_cache()


@pytest.fixture
def sample_sources(tmp_path) -> Path:
    """The hand-made MAP sample, written fresh for one test; returns the sources file."""
    from demo.sample import build

    return build(tmp_path / "sources")


@pytest.fixture
def warehouse(tmp_path, monkeypatch, sample_sources) -> Path:
    """A temporary WAREHOUSE_DIR pointed at the sample sources; returns the warehouse folder."""
    folder = tmp_path / "warehouse"
    monkeypatch.setenv("WAREHOUSE_DIR", str(folder))
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(sample_sources))
    return folder


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
