"""Finance and HR yearly extracts (contract: finance-hr.md): net contribution by source and staff positions.

3.A earned_net_contribution_share = net of all sources but voluntary contributions / net of all sources.
Year totals (revenue, direct expenses) are the report's budget table (k EUR): 2020 33,235 / 6,877;
2021 42,912 / 11,128; 2022 45,607 / 12,609; 2023 46,774 / 12,459. Voluntary contributions (net) are chosen so
that 2020 50.0 %, 2021 57.6 % (2020-21 pooled 54.2), 2022 59.4, 2023 60.0, 2022-23 pooled 59.7.

4.A support_staff_share (FTE of support units, as at 31 December): 2020 34.6, 2021 33, 2022 31, 2023 27.
4.2 indirect_staff_cost_share (pooled over a biennium): 2020-21 31.4, 2022 30.3, 2023 29.75, 2022-23 29.82.
The published 2022, 2023 and 2022-23 values can only hold together if 2022 carries about 15 % of the
biennium's staff cost. The HR extract for 2022 therefore reflects the migration of staff administration into
the ERP (report, "Transfert des responsabilités ... dans le système financier ERP"): the 2022 rows carry the
staff cost booked in the ERP after the migration (November-December 2022) only.
"""
from __future__ import annotations

import csv
import random
from fractions import Fraction
from pathlib import Path

TOTALS = {2020: (33235, 6877), 2021: (42912, 11128), 2022: (45607, 12609), 2023: (46774, 12459)}
VOLUNTARY = {2020: 13179, 2021: 13476, 2022: 13397, 2023: 13726}
# (multimedia revenue, multimedia direct, miscellaneous revenue, miscellaneous direct)
OTHER = {2020: (1210, 402, 844, 61), 2021: (1385, 488, 1102, 57), 2022: (2008, 706, 1930, 96),
         2023: (2101, 731, 2315, 88)}


def net_contribution_rows() -> list[dict]:
    rows = []
    for y, (rev, dexp) in TOTALS.items():
        mm_r, mm_d, mi_r, mi_d = OTHER[y]
        vol = VOLUNTARY[y]
        tr_r = rev - vol - mm_r - mi_r
        tr_d = dexp - mm_d - mi_d
        rows += [
            {"year": y, "source": "training_and_non_training", "revenue_keur": tr_r, "direct_expenses_keur": tr_d},
            {"year": y, "source": "multimedia", "revenue_keur": mm_r, "direct_expenses_keur": mm_d},
            {"year": y, "source": "miscellaneous", "revenue_keur": mi_r, "direct_expenses_keur": mi_d},
            {"year": y, "source": "voluntary_contributions", "revenue_keur": vol, "direct_expenses_keur": 0},
        ]
    return rows


# ----------------------------------------------------------------------------------------------- staff
SUPPORT_UNITS = ["DIR", "FIS", "HRS", "ICTS", "FSU", "PRU", "IAO", "LEG", "COM"]
TECHNICAL_UNITS = ["ACTEMP", "ACTRAV", "EPAP", "ENTERPRISE", "SPGT", "ILSGEN", "SDP", "TSD", "LIP", "MDP",
                   "PRODEV", "PMSU", "TDDIR"]
GRADES = [("G3", 52, 6), ("G4", 58, 7), ("G5", 66, 7), ("G6", 74, 8), ("G7", 82, 8),
          ("P2", 112, 10), ("P3", 138, 12), ("P4", 165, 12), ("P5", 192, 12), ("D1", 228, 10)]
SUPPORT_FTE = {2020: Fraction(346, 1000), 2021: Fraction(33, 100), 2022: Fraction(31, 100), 2023: Fraction(27, 100)}
# Yearly indirect cost share targets; 2021 and 2022 are derived so that the pooled biennium hits its target.
INDIRECT = {2020: Fraction(3122, 10000), 2023: Fraction(29747, 100000)}
INDIRECT_POOLED = {(2020, 2021): Fraction(3140, 10000), (2022, 2023): Fraction(29823, 100000)}
ERP_2022_FRACTION = 2 / 12


def _fte(rng):
    return rng.choices([1.0, 0.8, 0.5, 0.6], [86, 7, 5, 2])[0]


def staff_rows(seed: int, scale: int = 1) -> list[dict]:
    rng = random.Random(f"{seed}:files:staff")
    n_positions = 240 * scale
    # positions persist over the years; unit of a position may change
    positions = []
    for i in range(n_positions):
        support = rng.random() < 0.35
        unit = rng.choice(SUPPORT_UNITS if support else TECHNICAL_UNITS)
        grade = rng.choices(GRADES, [8, 12, 12, 8, 4, 6, 14, 14, 9, 2])[0]
        ref = "POS-" + format(rng.getrandbits(32), "08X")
        positions.append({"ref": ref, "support": support, "unit": unit, "grade": grade, "fte": _fte(rng)})
    by_year: dict[int, list[dict]] = {}
    for y in (2020, 2021, 2022, 2023):
        # a few positions vacant/abolished and created each year
        active = [p for p in positions if rng.random() < 0.94]
        for _ in range(int(0.04 * n_positions)):
            support = rng.random() < 0.3
            active.append({"ref": "POS-" + format(rng.getrandbits(32), "08X"), "support": support,
                           "unit": rng.choice(SUPPORT_UNITS if support else TECHNICAL_UNITS),
                           "grade": rng.choices(GRADES, [8, 12, 12, 8, 4, 6, 14, 14, 9, 2])[0], "fte": _fte(rng)})
        year_rows = [{"year": y, "position_ref": p["ref"], "unit": p["unit"],
                      "unit_type": "support" if p["support"] else "technical", "fte": p["fte"],
                      "grade": p["grade"]} for p in active]
        _tune_fte(year_rows, SUPPORT_FTE[y], rng)
        _raw_costs(year_rows, y, rng)
        by_year[y] = year_rows
        # positions transferred from support services to technical programmes from 2022 (report: five)
        if y == 2021:
            moved = [p for p in positions if p["support"] and p["unit"] in ("FSU", "PRU", "COM")][:5 * scale]
            for p in moved:
                p["support"], p["unit"] = False, rng.choice(["LIP", "MDP", "PRODEV"])
        if y == 2022:
            # restructuring: support posts not refilled
            for p in [p for p in positions if p["support"]][: int(0.12 * n_positions)]:
                p["support"], p["unit"] = False, rng.choice(TECHNICAL_UNITS)
    # cost types: the first year of each biennium at its own target, the other one so the pool hits its target
    for (first, second), pooled in INDIRECT_POOLED.items():
        fixed, derived = (first, second) if first in INDIRECT else (second, first)
        _tune_costs(by_year[fixed], INDIRECT[fixed], rng)
        t_fixed = sum(r["staff_cost_keur"] for r in by_year[fixed])
        i_fixed = sum(r["staff_cost_keur"] for r in by_year[fixed] if r["cost_type"] == "indirect")
        t_der = sum(r["staff_cost_keur"] for r in by_year[derived])
        target = (pooled * Fraction(t_fixed + t_der).limit_denominator(10 ** 6)
                  - Fraction(i_fixed).limit_denominator(10 ** 6)) / Fraction(t_der).limit_denominator(10 ** 6)
        _tune_costs(by_year[derived], target, rng)
    rows = []
    for y in sorted(by_year):
        for r in by_year[y]:
            del r["grade"]
        rows += sorted(by_year[y], key=lambda r: r["position_ref"])
    return rows


def _share_ok(num: float, den: float, target: Fraction, half: float = 0.004) -> bool:
    return abs(num / den - float(target)) < half


def _tune_fte(rows: list[dict], target: Fraction, rng: random.Random) -> None:
    """Move positions between support and technical units until the FTE share is within 0.4 point."""
    for _ in range(10000):
        sup = sum(r["fte"] for r in rows if r["unit_type"] == "support")
        tot = sum(r["fte"] for r in rows)
        if _share_ok(sup, tot, target):
            return
        want_support = sup / tot < float(target)
        cands = [r for r in rows if (r["unit_type"] == "technical") == want_support]
        r = rng.choice(cands)
        if want_support:
            r["unit_type"], r["unit"] = "support", rng.choice(SUPPORT_UNITS)
        else:
            r["unit_type"], r["unit"] = "technical", rng.choice(TECHNICAL_UNITS)
    raise RuntimeError("could not tune support FTE share")


def _raw_costs(rows: list[dict], year: int, rng: random.Random) -> None:
    """Yearly cost per position (k EUR, one decimal) and a first cost type."""
    infl = {2020: 1.0, 2021: 1.012, 2022: 1.035, 2023: 1.072}[year]
    part = ERP_2022_FRACTION if year == 2022 else 1.0
    for r in rows:
        _g, mean, sd = r["grade"]
        r["staff_cost_keur"] = round(max(30.0, rng.gauss(mean, sd)) * r["fte"] * infl * part, 1)
        if r["unit_type"] == "support":
            r["cost_type"] = "indirect" if rng.random() < 0.9 else "direct"
        else:
            r["cost_type"] = "direct" if rng.random() < 0.93 else "indirect"


def _tune_costs(rows: list[dict], target: Fraction, rng: random.Random) -> None:
    """Indirect cost share hit within 1e-5: move positions between direct/indirect, then fix a few costs."""
    # move whole positions between direct and indirect until within 0.8 point
    for _ in range(10000):
        ind = sum(r["staff_cost_keur"] for r in rows if r["cost_type"] == "indirect")
        tot = sum(r["staff_cost_keur"] for r in rows)
        if abs(ind / tot - float(target)) < 0.008:
            break
        to_indirect = ind / tot < float(target)
        cands = [r for r in rows if (r["cost_type"] == "direct") == to_indirect and
                 (r["unit_type"] == "support") == to_indirect]
        cands = cands or [r for r in rows if (r["cost_type"] == "direct") == to_indirect]
        rng.choice(cands)["cost_type"] = "indirect" if to_indirect else "direct"
    # exact (in tenths of k EUR): scale the indirect costs so that ind/tot is the target
    tenths = {id(r): round(r["staff_cost_keur"] * 10) for r in rows}
    ind = sum(tenths[id(r)] for r in rows if r["cost_type"] == "indirect")
    dirc = sum(tenths[id(r)] for r in rows if r["cost_type"] == "direct")
    # ind' / (ind' + dirc) = t  ->  ind' = t * dirc / (1 - t)
    need = round(target * dirc / (1 - target))
    # spread the difference over the indirect positions in proportion to their cost (a few % at most)
    cands = sorted((r for r in rows if r["cost_type"] == "indirect"), key=lambda r: -tenths[id(r)])
    factor = Fraction(need, ind)
    for r in cands:
        tenths[id(r)] = round(tenths[id(r)] * factor)
    tenths[id(cands[0])] += need - sum(tenths[id(r)] for r in cands)
    assert all(tenths[id(r)] > 0 for r in cands)
    for r in rows:
        r["staff_cost_keur"] = tenths[id(r)] / 10


def expected(net_rows: list[dict], staff: list[dict]) -> list[tuple[str, str, str, float]]:
    rows = []
    periods = {"2020": (2020,), "2021": (2021,), "2022": (2022,), "2023": (2023,), "2020-21": (2020, 2021),
               "2022-23": (2022, 2023)}
    for per, ys in periods.items():
        tot = sum(r["revenue_keur"] - r["direct_expenses_keur"] for r in net_rows if r["year"] in ys)
        earned = sum(r["revenue_keur"] - r["direct_expenses_keur"] for r in net_rows
                     if r["year"] in ys and r["source"] != "voluntary_contributions")
        rows.append(("3.A", "earned_net_contribution_share", per, earned / tot * 100))
        last = ys[-1]
        sup = sum(r["fte"] for r in staff if r["year"] == last and r["unit_type"] == "support")
        fte = sum(r["fte"] for r in staff if r["year"] == last)
        rows.append(("4.A", "support_staff_share", per, sup / fte * 100))
        ind = sum(r["staff_cost_keur"] for r in staff if r["year"] in ys and r["cost_type"] == "indirect")
        cost = sum(r["staff_cost_keur"] for r in staff if r["year"] in ys)
        rows.append(("4.2", "indirect_staff_cost_share", per, ind / cost * 100))
    return rows


def write(out: Path, net_rows: list[dict], staff: list[dict]) -> None:
    (out / "finance").mkdir(parents=True, exist_ok=True)
    with open(out / "finance" / "net_contribution.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["year", "source", "revenue_keur", "direct_expenses_keur"], lineterminator="\n")
        w.writeheader()
        w.writerows(net_rows)
    with open(out / "finance" / "staff.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["year", "position_ref", "unit", "unit_type", "fte", "staff_cost_keur", "cost_type"],
                           lineterminator="\n")
        w.writeheader()
        for r in staff:
            w.writerow({**r, "fte": f"{r['fte']:.1f}", "staff_cost_keur": f"{r['staff_cost_keur']:.1f}"})
