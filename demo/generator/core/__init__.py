"""Core part of the demo generator: persons and their records in MAP, eCampus and SoliComm.

Writes into `out`: map.sqlite (activity, participant, registration), ecampus.sqlite (mdl_ user, profile,
course, category, enrolment, context and role tables) and solicomm/<date>/ drops; into `truth`:
record_persons_core.csv, expected_core.csv and planted_near_duplicates.csv. Targets: targets.py; plan of
persons: persons.py; identities and records: identity.py; planted look-alikes: lookalikes.py; registrations, courses and enrolments: world.py; file shapes: writers.py.
"""
from __future__ import annotations

import time
from pathlib import Path

from . import lookalikes
from .truth import write_expected, write_record_persons
from .world import World
from .writers import assign_ecampus_ids, write_ecampus, write_map, write_solicomm

ASSUMPTIONS = """\
Assumptions of the core part's expected figures (expected_core.csv)
- 1.1c core_constituent_share uses external-platform enrolments as the platforms part is to produce them:
  the published 1.2 figures (5145 for 2020-21, 11190 for 2022, 12818 for 2023) and employer-platform
  enrolments of 8621 (2022) and 7711 (2023). The 2020-21 employer-platform enrolments are unpublished:
  2000 is assumed (800 in 2020, 1200 in 2021), giving 22.3% for 2020-21. Yearly 2020 and 2021 core shares
  are not given because the platforms' yearly split is not the core part's to assume.
- 1.1c core_constituent_share 2023 and 2022-23 follow the rule (about 17.7% and 19.8%), not the published
  26% and 24% (known inconsistency, see methodology.md).
- Person id 0 is the eCampus guest account, -1 the site administrator.
"""


def generate(out: Path, truth: Path, seed: int, scale: int = 1) -> None:
    out, truth = Path(out), Path(truth)
    t0 = time.perf_counter()
    w = World(seed, scale)
    w.build_records()
    w.build_registrations()
    w.build_courses()
    w.build_enrolments()
    assign_ecampus_ids(w)
    write_map(w, out / "map.sqlite")
    write_ecampus(w, out / "ecampus.sqlite")
    write_solicomm(w, out / "solicomm")
    write_record_persons(w, truth)
    lookalikes.write_truth(w.planted, truth)
    write_expected(w, truth)
    (truth / "assumptions_core.txt").write_text(ASSUMPTIONS, encoding="utf-8")
    print(f"core: {len(w.persons)} persons written in {time.perf_counter() - t0:.1f}s")
