"""Unit submissions `indicator_submissions.csv` (contract: submissions.md).

One row per published result or baseline (annex1-published.csv, kind=result or baseline) of the indicators the methodology lists as
submitted by units; numbers in `value`, text results in `text`. Also:
- a resubmission: an earlier, different value superseded by a later `submitted_on` (the later one wins);
- one row for an indicator code the catalogue does not know, and one for an indicator the warehouse computes
  from records (3.A): both must be refused (truth/refused_submissions.csv).
"""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from demo.reference import ANNEX1_PUBLISHED_CSV

PUBLISHED = ANNEX1_PUBLISHED_CSV

SUBMITTED = ["2.10", "3.2", "4.1", "5.A", "5.1", "5.2", "5.3", "5.4", "6.A", "6.1", "6.2", "7.A", "7.1", "7.2",
             "7.3", "8.A", "8.1", "8.2", "R", "C"]
UNIT = {"2.10": "LIP", "3.2": "PRODEV", "4.1": "ICTS", "5.A": "HRS", "5.1": "HRS", "5.2": "HRS", "5.3": "HRS",
        "5.4": "HRS", "6.A": "FSU", "6.1": "FSU", "6.2": "FSU", "7.A": "ICTS", "7.1": "ICTS", "7.2": "ICTS",
        "7.3": "ICTS", "8.A": "DIR", "8.1": "FIS", "8.2": "DIR", "R": "DIR", "C": "DIR"}
COLUMNS = ["indicator_code", "measure", "period", "value", "text", "submitted_by", "submitted_on"]
# (code, period, earlier value, days before the final submission)
RESUBMITTED = [("5.3", "2023", "45", 24), ("7.1", "2023", "58", 17)]
REFUSED = [
    {"indicator_code": "5.5", "measure": "staff_wellbeing_index", "period": "2023", "value": "3.9", "text": "",
     "submitted_by": "HRS", "reason": "unknown indicator code"},
    {"indicator_code": "3.A", "measure": "earned_net_contribution_share", "period": "2023", "value": "61",
     "text": "", "submitted_by": "FIS", "reason": "indicator computed from records"},
]


def _published_results() -> list[dict]:
    with open(PUBLISHED, encoding="utf-8") as f:
        # results, and the baselines: what the units submitted for the previous biennium
        return [r for r in csv.DictReader(f) if r["kind"] in ("result", "baseline") and r["indicator_code"] in SUBMITTED]


def _day(rng: random.Random, period: str) -> date:
    # results of a year are submitted in the first quarter of the next year
    year = int(period[:4]) + (1 if len(period) == 4 else 2)
    d = date(year, 1, 15) + timedelta(days=rng.randint(0, 70))
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def build(seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """(rows of the file, expected latest submissions, refused rows)."""
    rng = random.Random(f"{seed}:files:submissions")
    rows, latest = [], []
    for r in _published_results():
        d = _day(rng, r["period"])
        value, text = r["value"], ("" if r["value"] else r["note"])
        row = {"indicator_code": r["indicator_code"], "measure": r["measure"], "period": r["period"],
               "value": value, "text": text, "submitted_by": UNIT[r["indicator_code"]], "submitted_on": d}
        for code, period, earlier, days in RESUBMITTED:
            if code == r["indicator_code"] and period == r["period"]:
                rows.append({**row, "value": earlier, "submitted_on": d - timedelta(days=days)})
        rows.append(row)
        latest.append(row)
    refused = []
    for x in REFUSED:
        row = {k: x[k] for k in COLUMNS if k in x}
        row["submitted_on"] = _day(rng, x["period"])
        rows.append(row)
        refused.append({**row, "reason": x["reason"]})
    # units send their rows in batches: group by unit then date
    rows.sort(key=lambda r: (r["submitted_on"], r["submitted_by"], r["indicator_code"], r["period"]))
    return rows, latest, refused


def write(out: Path, rows: list[dict]) -> None:
    with open(out / "indicator_submissions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "submitted_on": r["submitted_on"].isoformat()})


def expected(latest: list[dict]) -> list[tuple[str, str, str, float]]:
    return [(r["indicator_code"], r["measure"], r["period"], float(r["value"])) for r in latest if r["value"] != ""]
