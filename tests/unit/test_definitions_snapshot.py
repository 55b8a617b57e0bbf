"""A snapshot of the Dagster definitions, so lineage changes are deliberate.

After an intended change: UPDATE_SNAPSHOT=1 pytest tests/unit/test_definitions_snapshot.py
"""
import json
import os
from pathlib import Path

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def describe_definitions() -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
        }
    checks = sorted(
        f"{check.asset_key.to_user_string()}:{check.name}"
        for check in graph.asset_check_keys
        if check.name.startswith("gx_")  # dbt tests are covered by dbt's own YAML
    )
    blocking = sorted(
        f"{spec.asset_key.to_user_string()}:{spec.name}"
        for check_def in defs.asset_checks or []
        for spec in check_def.check_specs
        if spec.blocking
    )
    return {"assets": assets, "gx_checks": checks, "blocking_checks": blocking,
            "jobs": sorted(job.name for job in defs.jobs or [])}


REGENERATE = f"after an intended change, regenerate it: UPDATE_SNAPSHOT=1 pytest {Path(__file__).relative_to(SNAPSHOT.parents[2])}"


def test_definitions_match_the_snapshot():
    current = describe_definitions()
    if os.environ.get("UPDATE_SNAPSHOT"):  # only on request: a missing snapshot fails, it is not recreated
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT.name} is missing; {REGENERATE}"
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8")), f"the definitions changed; {REGENERATE}"


def test_one_connected_lineage_from_map_tables_to_publish():
    graph = defs.resolve_asset_graph()
    published = next(k for k in graph.get_all_asset_keys() if k.to_user_string() == "published_marts")
    upstream, stack = set(), [published]
    while stack:
        for parent in graph.get(stack.pop()).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                stack.append(parent)
    names = {k.to_user_string() for k in upstream}
    assert {"map/activity", "map/participant", "map/registration", "marts/annex1_indicators"} <= names


LAYERS = ["staging", "intermediate", "marts", "indicators", "annex1"]  # dbt_project/models/<layer>/


def test_the_dbt_graph_flows_one_way():
    """No model reads a later layer: staging → intermediate → marts → indicators → annex1."""
    graph = defs.resolve_asset_graph()
    layer = {
        key: LAYERS.index(graph.get(key).group_name)
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name in LAYERS
    }
    backwards = sorted(
        f"{key.to_user_string()} reads {parent.to_user_string()}"
        for key in layer
        for parent in graph.get(key).parent_keys
        if parent in layer and layer[parent] > layer[key]
    )
    assert backwards == []
    assert {graph.get(key).group_name for key in layer} == set(LAYERS)
