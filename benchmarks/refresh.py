"""Benchmark of the whole refresh: `python benchmarks/refresh.py [--sources PATH] [--warehouse DIR] [--runs N]`.

Runs the refresh job in process against the given sources (default: WAREHOUSE_SOURCES or the demo) into
the given warehouse folder (default: a fresh temporary one), and prints the wall time of each step, of
the whole run, and the peak memory of the process. The second and later runs are incremental reruns.
"""
import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=Path)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.sources:
        os.environ["WAREHOUSE_SOURCES"] = str(args.sources.resolve())
    os.environ["WAREHOUSE_DIR"] = str((args.warehouse or Path(tempfile.mkdtemp(prefix="warehouse-bench-"))).resolve())
    os.environ.setdefault("WAREHOUSE_HMAC_KEY", "benchmark-key")

    from dagster import DagsterEventType, DagsterInstance

    from orchestration.refresh import execute_refresh, failure_report

    print(f"sources {os.environ.get('WAREHOUSE_SOURCES', '(default)')}\nwarehouse {os.environ['WAREHOUSE_DIR']}")
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        instance = DagsterInstance.ephemeral()
        result = execute_refresh(instance)
        total = time.perf_counter() - started
        starts, durations = {}, {}
        for entry in instance.all_logs(result.run_id):
            event = entry.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[event.step_key] = entry.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                durations[event.step_key] = entry.timestamp - starts.get(event.step_key, entry.timestamp)
        print(f"\nrun {run}: {'ok' if result.success else 'FAILED'} in {total:.1f} s")
        for step, seconds in sorted(durations.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds:7.1f} s  {step}")
        if not result.success:
            print("\n".join(failure_report(result)), file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak_mb:.0f} MB (dbt runs in a subprocess: see its own peak)")


if __name__ == "__main__":
    main()
