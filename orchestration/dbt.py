"""dbt (staging → intermediate → marts) as Dagster assets, one `dbt build` per run.

dbt sources keep dagster-dbt's default keys ([source, table]), which are the extract assets' keys, so the
graph is one lineage from the source tables to the published marts. Models are grouped by their layer.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.concurrency import BUILD_DB_POOL
from orchestration.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PUBLIC_SCHEMA = "marts"  # every table dbt builds in this schema is published

# This environment's dbt, so every entry point works without an activated virtualenv (PATH untouched).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt")) if Path(sys.executable).with_name("dbt").exists() \
    else (shutil.which("dbt") or "dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = ["dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests"]
    for name in watched:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


# `dagster dev` re-parses on every reload; other entry points (jobs, tests) parse when the project changed.
def _parse() -> None:
    subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                    str(DBT_PROJECT_DIR)], check=True, cwd=DBT_PROJECT_DIR)


if _manifest_is_stale(dbt_project) or os.environ.get("DAGSTER_IS_DEV_CLI"):
    _parse()


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "reference"  # staging / intermediate / marts / (seeds)


translator = WarehouseDbtTranslator()


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator, pool=BUILD_DB_POOL
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # The build path comes from the resource; the Dagster run id becomes the published figures'
    # provenance (annex1_indicators.run_id).
    yield from dbt.cli(["build", "--vars", warehouse.dbt_vars(run_id=context.run.run_id)], context=context).stream()


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
