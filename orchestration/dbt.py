"""dbt (staging → intermediate → marts) as Dagster assets, one `dbt build` per run.

dbt sources keep dagster-dbt's default keys ([source, table]), which are the extract assets' keys, so the
graph is one lineage from the source tables to the published marts. Models are grouped by their layer.
"""

import contextlib
import graphlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey, MaterializeResult
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.concurrency import BUILD_DB_POOL
from orchestration.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT

# WAREHOUSE_DBT_PROJECT_DIR runs the warehouse on another copy of the dbt project: tests that break a model
# on purpose break a copy, never the repository's files.
DBT_PROJECT_DIR = Path(os.environ.get("WAREHOUSE_DBT_PROJECT_DIR") or PROJECT_ROOT / "dbt_project").resolve()
PUBLIC_SCHEMA = "marts"  # every table dbt builds in this schema is published

# This environment's dbt, so every entry point works without an activated virtualenv (PATH untouched).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() \
    else (shutil.which("dbt") or "dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


PROJECT_PARTS = ["dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests"]


def project_files() -> list[Path]:
    """Every file of the dbt project that dbt parses (models and their YAML, macros, seeds, tests)."""
    files = []
    for name in PROJECT_PARTS:
        path = DBT_PROJECT_DIR / name
        files += [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file()) if path.exists() else []
    return files


def project_fingerprint() -> str:
    """A hash of the project's files and the dbt version: what the docs site depends on."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(version("dbt-core").encode())
    for f in project_files():
        digest.update(str(f.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(f.stat().st_mtime > built for f in project_files())


# `dagster dev` re-parses on every reload; other entry points (jobs, tests) parse when the project changed.
def _parse() -> None:
    subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                    str(DBT_PROJECT_DIR)], check=True, cwd=DBT_PROJECT_DIR)


@contextlib.contextmanager
def _parse_lock():
    """Held while a process decides whether to parse and parses: dbt writes target/manifest.json in place,
    so two processes starting at once (a job beside `dagster dev`, parallel test workers) would otherwise
    parse together and one could read the other's half-written manifest."""
    import fcntl

    target = Path(dbt_project.manifest_path).parent
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


with _parse_lock():
    if _manifest_is_stale(dbt_project) or os.environ.get("DAGSTER_IS_DEV_CLI"):
        _parse()


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "reference"  # staging / intermediate / marts / (seeds)


translator = WarehouseDbtTranslator()


@contextlib.contextmanager
def invocation_env(values: dict[str, str]):
    """Set `values` in the environment only while dagster-dbt starts the dbt process (it copies os.environ
    then), and put the previous values back."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator, pool=BUILD_DB_POOL
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # The build path and the Dagster run id (the published figures' provenance, annex1_indicators.run_id)
    # reach dbt as environment variables, not --vars: dbt re-parses the whole project whenever --vars change
    # (about 5 s a run), while a changed env var only re-parses the one model that reads it. The target
    # folder is the warehouse's own, so its partial-parse state (and the last run's artifacts) survive
    # between runs of the same warehouse.
    from orchestration.changes import NOTHING_CHANGED_KEY, decide

    since = decide(context.run.run_id)
    if since is not None:
        # Nothing changed since the published build, which the build database still holds: no `dbt build`.
        # Every selected model is reported (so the checks and the publication downstream run and do no work
        # either); its tests are not re-run, so their latest evaluation stays the published build's.
        context.log.info(f"nothing changed since {since}: dbt build not run")
        deps = {spec.key: {dep.asset_key for dep in spec.deps} for spec in context.assets_def.specs}
        for key in graphlib.TopologicalSorter(deps).static_order():  # Dagster wants them in dependency order
            if key not in context.selected_asset_keys:
                continue
            yield MaterializeResult(asset_key=key, metadata={NOTHING_CHANGED_KEY: str(since), "dbt_build": False})
        return
    with invocation_env(warehouse.dbt_env(run_id=context.run.run_id)):
        invocation = dbt.cli(["build"], context=context, target_path=warehouse.dbt_target_path)
    yield from invocation.stream()


def public_model_keys() -> list[AssetKey]:
    """Asset keys of the models dbt builds in the public schema (what publish copies)."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    return sorted(
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == PUBLIC_SCHEMA
    )


dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
assets = [warehouse_dbt_models]
