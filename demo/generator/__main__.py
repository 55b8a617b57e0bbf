"""python -m demo.generator --out demo/sources --truth demo/truth [--seed N] [--scale N]
   python -m demo.generator --append-day --out DIR --truth TRUTH [--day N | --date YYYY-MM-DD]

Writes one complete deployment in the contract shapes into --out (what the warehouse reads) and the
generator's ground truth into --truth (what only tests read). Each part seeds its own RNG from
(seed, part name) so parts stay deterministic independently of each other. --append-day adds one night of
changes to a demo already written there (night.py): by default the night after the last one appended.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

DEFAULT_SEED = 20231231


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo.generator", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo/sources"))
    parser.add_argument("--truth", type=Path, default=Path("demo/truth"))
    parser.add_argument("--seed", type=int, help=f"default {DEFAULT_SEED} (appending: the demo's own)")
    parser.add_argument("--scale", type=int, help="default 1 (appending: the demo's own)")
    parser.add_argument("--append-day", action="store_true", help="append one night to the demo in --out")
    night = parser.add_mutually_exclusive_group()
    night.add_argument("--day", type=int, help="night number (days after the base demo's latest date)")
    night.add_argument("--date", help="the night's date, YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.append_day:
        from demo.generator.night import append_day, parse_date

        started = time.perf_counter()
        record = append_day(args.out, args.truth, day=args.day, date=parse_date(args.date) if args.date else None,
                            seed=args.seed, scale=args.scale)
        print(f"night {record['night']} ({record['date']}) appended in {time.perf_counter() - started:.1f}s:")
        for k, v in record["volume"].items():
            print(f"  {k:45} {v}")
        return
    if args.day is not None or args.date:
        parser.error("--day/--date go with --append-day")
    generate(args.out, args.truth, seed=DEFAULT_SEED if args.seed is None else args.seed,
             scale=args.scale or 1)


def generate(out: Path, truth: Path, seed: int = DEFAULT_SEED, scale: int = 1) -> None:
    # Imported here so that one part's import error names that part.
    from demo.generator import core, outcomes, platforms, files, sources_file

    for folder in (out, truth):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    started = time.perf_counter()
    core.generate(out, truth, seed=seed, scale=scale)       # MAP, eCampus, SoliComm (persons & enrolments)
    outcomes.generate(out, truth, seed=seed, scale=scale)   # post-tests, questionnaires, service feedback, orgs
    platforms.generate(out, truth, seed=seed, scale=scale)  # external platform registry + Moodle databases
    files.generate(out, truth, seed=seed, scale=scale)      # PMSU workbook, finance/HR, evaluation, submissions
    sources_file.write(out)
    # what --append-day needs to continue this demo
    (truth / "demo.json").write_text(json.dumps({"seed": seed, "scale": scale}) + "\n", encoding="utf-8")
    print(f"demo sources written to {out} (truth in {truth}) in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
