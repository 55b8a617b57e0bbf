"""Benchmark of the nightly refresh: each stage beside its floor, the whole run, the peak memory.

    python -m benchmarks.refresh [--scales 1 10] [--scenarios full nochange night] [--sources PATH]

For each scale, a demo world is generated once into benchmarks/.worlds/scale-<N>/ (or --sources is used
as it is), then each scenario runs the refresh job in this process against a warehouse of its own:
- full: from an empty warehouse;
- nochange: a rerun with no source change;
- night: one day of changes appended by the demo generator (`--append-day`), then a refresh.
Each stage (extraction, transform, checks, publish, report, docs) is printed beside its floor measured
in the same run (benchmarks/floors.py), with the ratio, and the peak memory of the whole process tree
(this process and every child, dbt included) sampled every 0.1 s. Results are appended to
benchmarks/history.csv, one row per scale, scenario and stage, so that the history of a change is visible.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
WORLDS = Path(__file__).with_name(".worlds")
HISTORY = Path(__file__).with_name("history.csv")
SCENARIOS = ("full", "nochange", "night")
STAGES = ("extraction", "transform", "checks", "publish", "report", "docs", "other")


class TreePeakMemory:
    """Peak resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreePeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def stage_of(step_key: str) -> str:
    name = step_key.lower()
    if "gx_" in name:
        return "checks"
    if "dbt" in name:
        return "transform"  # dbt build: models and their dbt tests
    for stage in ("docs", "report", "publish"):  # published_docs is docs, not publish
        if stage in name:
            return stage
    return "extraction"


def step_durations(instance, run_id: str) -> dict[str, float]:
    from dagster import DagsterEventType

    starts, durations = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            durations[event.step_key] = entry.timestamp - starts.get(event.step_key, entry.timestamp)
    return durations


def ensure_world(scale: int) -> Path:
    folder = WORLDS / f"scale-{scale}"
    sources = folder / "sources" / "sources.yml"
    if not sources.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating the scale-{scale} demo into {folder} ...", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "demo.generator", "--out", str(folder / "sources"),
                        "--truth", str(folder / "truth"), "--scale", str(scale)], check=True, cwd=ROOT)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return sources


def append_night(sources: Path) -> bool:
    """One day of changes appended by the demo generator; False when the generator cannot."""
    truth = sources.parent.parent / "truth"
    done = subprocess.run([sys.executable, "-m", "demo.generator", "--append-day", "--out", str(sources.parent),
                           "--truth", str(truth)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  night scenario skipped: the generator could not append a day ({done.stderr.strip()[-200:]})")
    return done.returncode == 0


def gx_queries() -> list[str]:
    """The projected query of each Great Expectations suite, when the checks module exposes them."""
    from orchestration import checks

    builder = getattr(checks, "suite_query", None)
    if builder is None:
        return []
    return [builder(spec) for spec in checks.suite_specs()] if hasattr(checks, "suite_specs") else []


def run_scenario(scale: int, scenario: str, sources: Path, warehouse: Path) -> list[dict]:
    os.environ["WAREHOUSE_SOURCES"] = str(sources)
    os.environ["WAREHOUSE_DIR"] = str(warehouse)
    from dagster import DagsterInstance

    from benchmarks import floors
    from orchestration.refresh import execute_refresh, failure_report

    instance = DagsterInstance.ephemeral()
    with TreePeakMemory() as memory:
        started = time.perf_counter()
        result = execute_refresh(instance)
        total = time.perf_counter() - started
    if not result.success:
        print("\n".join(failure_report(result)), file=sys.stderr)
    stages = dict.fromkeys(STAGES, 0.0)
    for step, seconds in step_durations(instance, result.run_id).items():
        stages[stage_of(step)] += seconds
    stages["other"] = max(0.0, total - sum(stages.values()))

    build_db, raw_db = warehouse / "build.duckdb", warehouse / "raw.duckdb"
    manifest = floors.latest_run_manifest(warehouse)
    floor = {
        "extraction": sum(f["seconds"] for f in floors.extraction_floor(sources).values()),
        "transform": floors.transform_floor(build_db, manifest, raw_db)["seconds"],
        "checks": floors.checks_floor(build_db, manifest, gx_queries(), raw_db)["seconds"],
    }
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    rows = [
        {"when": now, "commit": commit, "scale": scale, "scenario": scenario, "stage": stage,
         "seconds": round(seconds, 2), "floor_seconds": round(floor[stage], 2) if stage in floor else "",
         "ratio": round(seconds / floor[stage], 1) if floor.get(stage) else "", "ok": result.success,
         "peak_mb": ""}
        for stage, seconds in stages.items()
    ]
    rows.append({"when": now, "commit": commit, "scale": scale, "scenario": scenario, "stage": "total",
                 "seconds": round(total, 2), "floor_seconds": round(sum(floor.values()), 2),
                 "ratio": round(total / sum(floor.values()), 1), "ok": result.success,
                 "peak_mb": round(memory.peak / 2**20)})
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'scale':>5} {'scenario':9} {'stage':11} {'seconds':>8} {'floor':>7} {'ratio':>6} {'peak MB':>8}")
    for r in rows:
        print(f"{r['scale']:>5} {r['scenario']:9} {r['stage']:11} {r['seconds']:>8} {r['floor_seconds']:>7} "
              f"{r['ratio']:>6} {r['peak_mb']:>8}{'' if r['ok'] else '  FAILED'}")


def append_history(rows: list[dict]) -> None:
    new = not HISTORY.exists()
    with HISTORY.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        if new:
            writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.refresh", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--sources", type=Path, help="use this sources file instead of a generated world")
    parser.add_argument("--no-history", action="store_true", help=f"do not append to {HISTORY.name}")
    args = parser.parse_args(argv)
    os.environ.setdefault("WAREHOUSE_HMAC_KEY", "benchmark-key")
    all_rows = []
    for scale in args.scales:
        world = args.sources.resolve() if args.sources else ensure_world(scale)
        # A copy of the world per benchmark: the night scenario appends to it.
        work = WORLDS / f"run-scale-{scale}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(world.parent, work / "sources")
        if (world.parent.parent / "truth").is_dir():  # the generator's night appends to its truth too
            shutil.copytree(world.parent.parent / "truth", work / "truth")
        sources = work / "sources" / world.name
        warehouse = work / "warehouse"
        for scenario in args.scenarios:
            if scenario == "night" and not append_night(sources):
                continue
            print(f"scale {scale}: {scenario} ...", flush=True)
            rows = run_scenario(scale, scenario, sources, warehouse)
            print_table(rows)
            all_rows += rows
    if all_rows:
        print("\nsummary")
        print_table([r for r in all_rows if r["stage"] == "total"])
        if not args.no_history:
            append_history(all_rows)
            print(f"appended to {HISTORY}")


if __name__ == "__main__":
    main()
