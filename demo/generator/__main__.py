"""python -m demo.generator --out demo/sources --truth demo/truth [--seed N] [--scale N]

Writes one complete deployment in the contract shapes into --out (what the warehouse reads) and the
generator's ground truth into --truth (what only tests read). Each part seeds its own RNG from
(seed, part name) so parts stay deterministic independently of each other.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

DEFAULT_SEED = 20231231


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo.generator", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo/sources"))
    parser.add_argument("--truth", type=Path, default=Path("demo/truth"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.out, args.truth, seed=args.seed, scale=args.scale)


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
    print(f"demo sources written to {out} (truth in {truth}) in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
