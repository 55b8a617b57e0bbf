"""BI access: Parquet and dbt docs published with the marts; BI tools read while a refresh runs."""
import json
import subprocess
import sys
import textwrap
import time

import duckdb

from orchestration.publish import COLUMNS_DESCRIBED_CHECK, swap_in_folder, undescribed_public_columns
from orchestration.refresh import execute_refresh, failure_report
from tests.conftest import run_sql


def public_tables(marts_db) -> list[str]:
    with duckdb.connect(str(marts_db), read_only=True) as con:
        return [name for (name,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]


def test_parquet_and_docs_are_published_with_the_marts_and_every_public_column_is_described(sample_refresh):
    warehouse, _, result = sample_refresh  # a first refresh: the docs were generated in it
    marts = warehouse / "marts.duckdb"
    tables = public_tables(marts)
    assert {"annex1_indicators", "fct_enrolments"} <= set(tables)

    parquet = warehouse / "parquet"
    assert parquet.is_symlink() and parquet.resolve().parent == warehouse
    assert sorted(p.stem for p in parquet.glob("*.parquet")) == tables
    with duckdb.connect(str(marts), read_only=True) as con:
        for table in tables:
            differing = con.execute(
                f"select count(*) from ((select * from main.\"{table}\" except all "
                f"select * from read_parquet('{parquet / table}.parquet')) union all "
                f"(select * from read_parquet('{parquet / table}.parquet') except all select * from main.\"{table}\"))"
            ).fetchone()[0]
            assert differing == 0, table

    docs = warehouse / "docs"
    assert docs.is_symlink()
    for name in ("index.html", "static_index.html", "manifest.json", "catalog.json"):
        assert (docs / name).stat().st_size > 0, name
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    documented = {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"}
    assert documented == set(tables)
    # Every column of every public table, as built, has a description in the dbt YAML.
    assert undescribed_public_columns(manifest, catalog) == {}
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == COLUMNS_DESCRIBED_CHECK]
    assert evaluation.passed


def test_an_undescribed_public_column_is_named():
    manifest = {"nodes": {
        "model.x.fct": {"resource_type": "model", "name": "fct", "config": {"schema": "marts"},
                        "columns": {"a": {"description": "A."}, "b": {"description": " "}}},
        "model.x.stg": {"resource_type": "model", "name": "stg", "config": {"schema": "staging"}, "columns": {}},
    }}
    catalog = {"nodes": {"model.x.fct": {"columns": {"a": {}, "b": {}, "c": {}}}, "model.x.stg": {"columns": {"z": {}}}}}
    assert undescribed_public_columns(manifest, catalog) == {"fct": ["b", "c"]}


def test_folder_swap_is_atomic_and_keeps_only_the_previous_version(tmp_path):
    public = tmp_path / "parquet"
    versions = []
    for i in range(3):
        folder = tmp_path / f".parquet-v{i}"
        folder.mkdir()
        (folder / "t.parquet").write_text(str(i))
        swap_in_folder(folder, public)
        versions.append(folder)
        assert (public / "t.parquet").read_text() == str(i)
    assert sorted(p.name for p in tmp_path.glob(".parquet-*")) == [".parquet-v1", ".parquet-v2"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".link")] == []


# A BI tool's reader: SQLAlchemy + duckdb_engine, read-only, as Superset and Metabase connect. Mode `new`
# takes a new connection for every read (Superset's NullPool) and also reads the Parquet files; mode
# `held` keeps one connection open across the refresh. (Within one process DuckDB shares an open database
# between its connections, so the two behaviours run in two processes, as two BI tools would.) Every read
# fetches the three 1.1a counts in separate queries.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    mode, marts, parquet, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    QUERY = text("select value from annex1_indicators where indicator_code = '1.1a' "
                 "and measure = 'face_to_face_registrations' and period = :period")
    PARQUET = ("select value from read_parquet('{folder}/annex1_indicators.parquet') where indicator_code = '1.1a' "
               "and measure = 'face_to_face_registrations' and period = :period")
    engine = create_engine(f"duckdb:///{marts}", connect_args={"read_only": True}, poolclass=NullPool)
    files = create_engine("duckdb:///:memory:", poolclass=NullPool)

    def counts(con, query):
        return [con.execute(query, {"period": p}).scalar_one() for p in ("2022", "2023", "2022-23")]

    held = engine.connect() if mode == "held" else None
    while True:
        last = stop.exists()
        row = {"t": time.time()}
        try:
            if held is not None:
                row["marts"] = counts(held, QUERY)
            else:
                with engine.connect() as con:
                    row["marts"] = counts(con, QUERY)
                with files.connect() as con:
                    row["parquet"] = counts(con, text(PARQUET.format(folder=parquet.resolve())))
        except Exception as error:
            row["error"] = repr(error)
        print(json.dumps(row), flush=True)
        if last:
            break
        time.sleep(0.02)
    """
)


def start_reader(mode, warehouse, stop):
    return subprocess.Popen(
        [sys.executable, "-c", READER, mode, str(warehouse / "marts.duckdb"), str(warehouse / "parquet"), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_bi_reader_through_sqlalchemy_sees_consistent_figures_while_a_refresh_runs(sample_warehouse, sample_sources, tmp_path):
    warehouse = sample_warehouse
    stop = tmp_path / "stop-readers"
    readers = {mode: start_reader(mode, warehouse, stop) for mode in ("new", "held")}
    try:
        time.sleep(3)  # the readers are connected and reading before the refresh starts
        # updated_at = now: MAP is extracted incrementally on updated_at.
        run_sql(sample_sources.parent / "map.sqlite",
                "insert into registration values (1022, 1, 107, 'attended', 0, '2022-02-01', "
                "strftime('%Y-%m-%d %H:%M:%S', 'now'));")
        started = time.time()
        result = execute_refresh()
        ended = time.time()
        assert result.success, failure_report(result)
        time.sleep(1)
    finally:
        stop.touch()
        outputs = {mode: reader.communicate(timeout=60) for mode, reader in readers.items()}
    reads = {}
    for mode, (out, err) in outputs.items():
        assert readers[mode].returncode == 0, err
        reads[mode] = [json.loads(line) for line in out.splitlines()]
        assert [r for r in reads[mode] if "error" in r] == [], mode
        during = [r for r in reads[mode] if started <= r["t"] <= ended]
        assert len(during) > 20, f"{mode}: only {len(during)} reads during the refresh"
        for r in reads[mode]:
            for kind in ("marts", "parquet"):
                if kind in r:
                    y2022, y2023, biennium = r[kind]
                    assert y2022 + y2023 == biennium, (mode, r)  # never a mix of two publications

    # New connections see the old figures until the swap, then the new ones; a held connection keeps its snapshot.
    assert {tuple(r["marts"]) for r in reads["new"]} == {(6, 7, 13), (7, 7, 14)}
    assert {tuple(r["parquet"]) for r in reads["new"]} == {(6, 7, 13), (7, 7, 14)}
    assert reads["new"][-1]["marts"] == reads["new"][-1]["parquet"] == [7, 7, 14]
    assert {tuple(r["marts"]) for r in reads["held"]} == {(6, 7, 13)}
