"""Adding a source is one module, its section in the sources file and one staging folder: a toy source
added so, in this test alone, appears in the Definitions, the freshness groups and source_watermarks."""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration.definitions import build_definitions
from orchestration.extract.registry import source_systems, validate_sources
from orchestration.freshness import source_freshness
from orchestration.settings import PROJECT_ROOT, SourcesFileError, load_sources
from tests.fixtures.files.support import run_asset

TOY_MODULE = '''
"""A toy source: one CSV of items."""
from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import SourceFile, file_source, parse_csv

SYSTEM = "toy"
SECTION_KEYS = ("file",)
CONTRACTS = [TableContract("items", (Column("item_id", required=True), Column("made_on", "date")),
                           key=("item_id",), watermark="max(made_on)")]


def files(sources):
    return [SourceFile(sources.file(SYSTEM, "file"), "toy file")]


def parse(item, data):
    return {"items": parse_csv(item.path, data, CONTRACTS[0])}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="toy_items")]
'''

TOY_STAGING = {
    "_toy__sources.yml": """
        version: 2
        sources:
          - name: toy
            database: raw
            schema: raw_toy
            tables:
              - name: items
        """,
    "stg_toy__items.sql": "select item_id, made_on from {{ source('toy', 'items') }} where _vanished_at is null\n",
}


@pytest.fixture
def toy(tmp_path, monkeypatch):
    package = tmp_path / "toy_sources"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "toy.py").write_text(TOY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    folder = tmp_path / "deployment"
    folder.mkdir()
    (folder / "items.csv").write_text("item_id,made_on\na,2024-03-01\nb,2024-05-02\n")
    (folder / "sources.yml").write_text("toy: {file: items.csv}\n")
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(folder / "sources.yml"))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    yield source_systems(("orchestration.sources", "toy_sources"))
    for name in [m for m in sys.modules if m.startswith("toy_sources")]:
        del sys.modules[name]


def test_a_toy_source_reaches_definitions_freshness_and_watermarks(toy, tmp_path):
    toy_system = next(s for s in toy if s.name == "toy")
    defs = build_definitions(toy)
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey(["toy", "items"])).group_name == "toy"
    assert "toy" in source_freshness(toy)
    assert graph.get(AssetKey(["toy", "items"])).freshness_policy is not None

    sources = load_sources()
    validate_sources(sources, toy)  # its section is known through the registry alone
    with pytest.raises(SourcesFileError, match="section 'toy' has no 'file'"):
        validate_sources(type(sources)(sources.path, {"toy": {}}), toy)
    with pytest.raises(SourcesFileError, match="unknown section"):
        validate_sources(type(sources)(sources.path, {"toy": {"file": "x"}}), source_systems())

    assert run_asset(toy_system.module.assets[0]).success

    # dbt: a copy of the project with the toy's staging folder, built against the test's warehouse.
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    staging = project / "models" / "staging" / "toy"
    staging.mkdir()
    for name, text in TOY_STAGING.items():
        (staging / name).write_text(textwrap.dedent(text))
    build_db, raw_db = tmp_path / "warehouse" / "build.duckdb", tmp_path / "warehouse" / "raw.duckdb"
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--select", "stg_toy__items", "stg_warehouse__source_extractions", "source_watermarks",
         "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True, text=True, cwd=project, env={**os.environ, "WAREHOUSE_BUILD_DB": str(build_db),
                                                        "WAREHOUSE_RAW_DB": str(raw_db)})
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(build_db), read_only=True) as con:
        assert con.execute("select source_system, data_watermark, rows_held, last_extracted_at is not null "
                           "from marts.source_watermarks").fetchall() == [("toy", "2024-05-02", 2, True)]
        con.execute(f"attach '{raw_db}' as raw (read_only)")  # the staging views read the raw file
        assert con.execute("select count(*) from staging.stg_toy__items").fetchone() == (2,)
