"""dbt (staging → intermediate → marts) as Dagster assets, one `dbt build` per run.

dbt sources keep dagster-dbt's default keys ([source, table]), which are the extract assets' keys, so the
graph is one lineage from the source tables to the published marts. Models are grouped by their layer.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.concurrency import BUILD_DB_POOL
from orchestration.settings import PROJECT_ROOT, warehouse_dir

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PUBLIC_SCHEMA = "marts"  # every table dbt builds in this schema is published

warehouse_dir()  # export the absolute WAREHOUSE_DIR before dbt reads its profile
# dagster-dbt looks for `dbt` on PATH (its manifest preparer takes no executable): use this environment's,
# so every entry point works without an activated virtualenv.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
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
if _manifest_is_stale(dbt_project):
    dbt_project.preparer.prepare(dbt_project)
else:
    dbt_project.prepare_if_dev()


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
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    # The Dagster run id becomes the published figures' provenance (annex1_indicators.run_id).
    run_vars = json.dumps({"run_id": context.run_id})
    yield from dbt.cli(["build", "--vars", run_vars], context=context).stream()


def public_model_keys() -> list[AssetKey]:
    """Asset keys of the models dbt builds in the public schema (what publish copies)."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    return sorted(
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == PUBLIC_SCHEMA
    )


dbt_resource = DbtCliResource(project_dir=dbt_project)
assets = [warehouse_dbt_models]
