"""Time the SQL extracts (MAP, eCampus, every external platform) through Dagster; print rows and seconds.

    python -m benchmarks.extract --sources /tmp/demo1/sources.yml [--warehouse /tmp/wh] [--runs 2]

The first run loads everything into a fresh build database (unless --keep); later runs are reruns with no
source change (incremental: nothing to load). Targets (issue 4): scale 1 ≤ 40 s, scale 10 ≤ 3 min, rerun
with no change ≤ 10 s. Generate the demo elsewhere than the repository's demo/sources, e.g.
`python -m demo.generator --out /tmp/demo1 --truth /tmp/truth1 --scale 1`.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extract", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, required=True, help="the deployment's sources file")
    parser.add_argument("--warehouse", type=Path, help="WAREHOUSE_DIR (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=2, help="runs in a row (the first from an empty warehouse)")
    parser.add_argument("--keep", action="store_true", help="do not empty the warehouse first")
    args = parser.parse_args(argv)

    warehouse = args.warehouse or Path(tempfile.mkdtemp(prefix="extract-bench-"))
    if warehouse.exists() and not args.keep:
        shutil.rmtree(warehouse)
    os.environ["WAREHOUSE_SOURCES"] = str(args.sources.resolve())
    os.environ["WAREHOUSE_DIR"] = str(warehouse.resolve())
    os.environ.setdefault("WAREHOUSE_HMAC_KEY", "benchmark-key")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

    from dagster import DagsterInstance, materialize

    from orchestration.resources import WarehouseResource
    from orchestration.sources import ecampus, platforms
    from orchestration.sources import map as map_source

    steps = [("map", [map_source.map_tables]), ("ecampus", [ecampus.ecampus_tables]),
             ("platforms", [platforms.platforms_registry, platforms.platform_tables])]
    instance = DagsterInstance.ephemeral()
    print(f"sources:   {args.sources}\nwarehouse: {warehouse}")
    for run in range(1, args.runs + 1):
        total = 0.0
        print(f"\nrun {run}{' (from an empty warehouse)' if run == 1 and not args.keep else ' (no source change)'}")
        for name, assets in steps:
            started = time.perf_counter()
            result = materialize(assets, instance=instance, raise_on_error=False,
                                 resources={"warehouse": WarehouseResource()})
            seconds = time.perf_counter() - started
            total += seconds
            read = loaded = 0
            tables = []
            for node in {a.node_def.name for a in assets}:
                for m in result.asset_materializations_for_node(node):
                    if m.partition is not None:
                        continue
                    meta = {k: v.value for k, v in m.metadata.items()}
                    read += int(meta.get("rows_read", 0) or 0)
                    loaded += int(meta.get("rows_loaded", 0) or 0)
                    tables.append(f"{m.asset_key.path[-1]}={meta.get('rows_loaded', 0)}")
            status = "ok" if result.success else "FAILED"
            print(f"  {name:<10} {seconds:6.1f} s  {status}  rows read {read:>9,}  loaded {loaded:>9,}")
            if run == 1:
                print("             loaded per table: " + ", ".join(tables))
            for check in result.get_asset_check_evaluations():
                if not check.passed:
                    print(f"             check {check.check_name} failed: {check.description}")
        print(f"  {'total':<10} {total:6.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory {peak:,.0f} MB; raw database {(warehouse / 'raw.duckdb').stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
