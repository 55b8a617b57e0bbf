"""Blue/green publication of the public marts: WAREHOUSE_DIR/marts.duckdb, parquet/ and docs/.

The refresh builds into build.duckdb. Only once every blocking check upstream has passed does
`published_marts` copy the public tables (dbt's `marts` schema) into a new file, export each of them as
Parquet into a new folder, then atomically rename the file over marts.duckdb and swap the folder in
under parquet/. Readers never see a half-written file: those holding the old file open keep reading it
(the rename does not touch their open inode), new readers open the new one. A run never writes into
marts.duckdb in place, so an open reader can never make a run fail.

parquet/ and docs/ are symbolic links to versioned hidden folders (.parquet-<version>/, .docs-<version>/):
the new version is written completely, then the link is replaced in one atomic rename. The previous
version is kept until the next publication, so a reader that listed the old folder can finish reading it.

`published_docs` runs `dbt docs generate` (documentation site + catalog of the public columns) into
docs/ after the marts are published, and checks that every public column has a description. The site
depends only on the dbt project (the catalog lists the columns the models build), so it is regenerated
only when the project's files changed since the published site (docs/.project_fingerprint).

On a night when nothing changed since the last publication (orchestration/changes.py), `published_marts`
copies nothing: marts.duckdb and parquet/ stay byte for byte, and publication.json (what they were built
from) stays too.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, DataVersion, MaterializeResult, asset,
)

from orchestration.changes import (
    NOTHING_CHANGED_KEY, last_publication, record_publication, state_version, unchanged_tonight,
)
from orchestration.checks import guarded_asset_keys
from orchestration.concurrency import BUILD_DB_POOL, retry_transient_errors
from orchestration.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR, PUBLIC_SCHEMA, project_fingerprint, public_model_keys
from orchestration.freshness import nightly_freshness
from orchestration.settings import build_db_path, marts_db_path, warehouse_dir

PARQUET_DIR_NAME = "parquet"
DOCS_DIR_NAME = "docs"
DOCS_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")
DOCS_FINGERPRINT = ".project_fingerprint"
COLUMNS_DESCRIBED_CHECK = "every_public_column_described"


def parquet_dir() -> Path:
    return warehouse_dir() / PARQUET_DIR_NAME


def docs_dir() -> Path:
    return warehouse_dir() / DOCS_DIR_NAME


def new_version_folder(public: Path, version: str) -> Path:
    """A fresh hidden folder beside `public` to write the next version into."""
    folder = public.with_name(f".{public.name}-{time.strftime('%Y%m%dT%H%M%S')}-{version[:8]}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def swap_in_folder(new_folder: Path, public: Path) -> None:
    """Point the `public` link at `new_folder` in one atomic rename; keep only the previous version."""
    previous = public.resolve() if public.is_symlink() else None
    if public.exists() and not public.is_symlink():  # a plain folder (older layout): move it aside first
        public.rename(public.with_name(f".{public.name}-replaced-{time.strftime('%Y%m%dT%H%M%S')}"))
    link = public.with_name(f".{public.name}.{new_folder.name}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(new_folder.name, target_is_directory=True)  # relative: the warehouse folder can move
    os.replace(link, public)
    keep = {new_folder.resolve(), previous}
    for old in public.parent.glob(f".{public.name}-*"):
        if old.is_dir() and old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def export_parquet(con: duckdb.DuckDBPyConnection, tables: list[str], folder: Path) -> None:
    for name in tables:
        target = str(folder / f"{name}.parquet").replace("'", "''")
        con.execute(f"copy main.\"{name}\" to '{target}' (format parquet, compression zstd)")


def publish_public_tables(
    build_db: Path, marts_db: Path, staging_name: str, parquet: Path | None = None
) -> dict[str, int]:
    """Copy every table of the build's public schema into a fresh file (and Parquet folder); swap them in.

    Returns row counts. Nothing public changes unless the file and the Parquet folder are both complete.
    """
    staging = marts_db.with_name(f".{marts_db.name}.{staging_name}.tmp")
    staging.unlink(missing_ok=True)
    parquet_folder = new_version_folder(parquet, staging_name) if parquet is not None else None
    rows: dict[str, int] = {}
    swapped = False
    try:
        con = duckdb.connect(str(staging))
        try:
            con.execute(f"attach '{build_db}' as build (read_only)")
            tables = [
                name
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'build' "
                    "and schema_name = ? order by table_name",
                    [PUBLIC_SCHEMA],
                ).fetchall()
            ]
            for name in tables:
                con.execute(f'create table main."{name}" as select * from build."{PUBLIC_SCHEMA}"."{name}"')
                rows[name] = con.execute(f'select count(*) from main."{name}"').fetchone()[0]
            con.execute("detach build")
            if parquet_folder is not None:
                export_parquet(con, tables, parquet_folder)
            con.execute("checkpoint")
        finally:
            con.close()
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, marts_db)
        if parquet_folder is not None:
            swap_in_folder(parquet_folder, parquet)
        swapped = True
    finally:
        staging.unlink(missing_ok=True)
        if parquet_folder is not None and not swapped:
            shutil.rmtree(parquet_folder, ignore_errors=True)
    return rows


@asset(
    # Every public table, and every table a blocking GX suite guards (publication waits for all checks).
    deps=sorted(set(public_model_keys()) | set(guarded_asset_keys()), key=lambda key: key.to_user_string()),
    group_name="publish",
    compute_kind="duckdb",
    pool=BUILD_DB_POOL,
    freshness_policy=nightly_freshness,
    description="marts.duckdb and parquet/<table>.parquet: the public tables, swapped in atomically once "
    "every blocking check passed.",
)
def published_marts(context: AssetExecutionContext) -> MaterializeResult:
    since = unchanged_tonight(context.run.run_id)
    if since is not None:
        # marts.duckdb, parquet/ and publication.json stay as they are. Still a materialization: the marts
        # were verified to hold this night's figures, so their freshness holds on a night with no change.
        context.log.info(f"nothing changed since {since}: {marts_db_path()} left as it is")
        return MaterializeResult(
            metadata={"path": str(marts_db_path()), "parquet": str(parquet_dir()), NOTHING_CHANGED_KEY: str(since)},
            data_version=DataVersion(state_version((last_publication() or {}).get("state"))),
        )
    started = time.perf_counter()
    with retry_transient_errors(context.retry_number):
        rows = publish_public_tables(build_db_path(), marts_db_path(), context.run_id, parquet_dir())
    publication = record_publication(context.run.run_id)
    seconds = round(time.perf_counter() - started, 2)
    context.log.info(f"published {len(rows)} tables to {marts_db_path()} and {parquet_dir()} in {seconds} s")
    return MaterializeResult(
        metadata={
            "path": str(marts_db_path()),
            "parquet": str(parquet_dir()),
            "tables": len(rows),
            "publish_seconds": seconds,
            **{f"rows.{t}": n for t, n in rows.items()},
        },
        data_version=DataVersion(state_version(publication["state"])),
    )


def generate_dbt_docs(target: Path) -> None:
    """`dbt docs generate` (with the catalog of the build database) into `target`."""
    command = [
        DBT_EXECUTABLE, "docs", "generate", "--static",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target / "logs"),
    ]
    env = {**os.environ, "WAREHOUSE_DIR": str(warehouse_dir()), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")


def undescribed_public_columns(manifest: dict, catalog: dict) -> dict[str, list[str]]:
    """Columns of the public tables (as built: the catalog) that have no description in the dbt YAML."""
    missing: dict[str, list[str]] = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or node["config"].get("schema") != PUBLIC_SCHEMA:
            continue
        described = {
            name.lower() for name, column in node.get("columns", {}).items() if (column.get("description") or "").strip()
        }
        built = catalog.get("nodes", {}).get(unique_id, {}).get("columns", {})
        absent = sorted(name for name in built if name.lower() not in described)
        if not built:
            absent = ["(table missing from the catalog)"]
        if absent:
            missing[node["name"]] = absent
    return missing


@asset(
    deps=[published_marts],
    group_name="publish",
    compute_kind="dbt",
    pool=BUILD_DB_POOL,
    freshness_policy=nightly_freshness,
    check_specs=[
        AssetCheckSpec(
            COLUMNS_DESCRIBED_CHECK,
            asset="published_docs",
            description="Every column of every public table has a description in the dbt YAML.",
        )
    ],
    description="docs/: the dbt documentation site (index.html; static_index.html opens without a server) "
    "of the published tables, swapped in atomically.",
)
def published_docs(context: AssetExecutionContext):
    started = time.perf_counter()
    public = docs_dir()
    fingerprint = project_fingerprint()
    published = public / DOCS_FINGERPRINT
    unchanged = published.exists() and published.read_text(encoding="utf-8") == fingerprint \
        and all((public / name).exists() for name in DOCS_FILES)
    if not unchanged:
        folder = new_version_folder(public, context.run_id)
        try:
            with tempfile.TemporaryDirectory(prefix="dbt-docs-") as target:
                with retry_transient_errors(context.retry_number):
                    generate_dbt_docs(Path(target))
                for name in DOCS_FILES:
                    shutil.copy2(Path(target) / name, folder / name)
            (folder / DOCS_FINGERPRINT).write_text(fingerprint, encoding="utf-8")
            swap_in_folder(folder, public)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((public / "catalog.json").read_text(encoding="utf-8"))
    missing = undescribed_public_columns(manifest, catalog)
    seconds = round(time.perf_counter() - started, 2)
    context.log.info(f"dbt docs in {public} unchanged (the dbt project has not changed since they were generated)"
                     if unchanged else f"published dbt docs to {public} in {seconds} s")
    yield MaterializeResult(metadata={"path": str(public), "docs_seconds": seconds, "regenerated": not unchanged,
                                      "project_fingerprint": fingerprint[:12]})
    yield AssetCheckResult(
        check_name=COLUMNS_DESCRIBED_CHECK,
        passed=not missing,
        severity=AssetCheckSeverity.WARN,
        description=None if not missing else "columns without a description: "
        + "; ".join(f"{table}: {', '.join(columns)}" for table, columns in missing.items()),
        metadata={"undescribed_columns": missing},
    )


assets = [published_marts, published_docs]
