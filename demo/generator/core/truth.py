"""Ground truth of the core part: which person each record belongs to, and the figures the planned
records yield (unrounded), computed from the plan (persons and activities), not from the written files."""
from __future__ import annotations

import csv
from pathlib import Path

from . import targets as T
from .persons import YI
from .world import World

PERIODS = [("2020", (2020,)), ("2021", (2021,)), ("2020-21", (2020, 2021)), ("2022", (2022,)),
           ("2023", (2023,)), ("2022-23", (2022, 2023))]


def write_record_persons(w: World, truth: Path):
    rows = []
    for r in w.map_recs:
        rows.append(("map", r.rid, r.pid))
    rows.append(("ecampus", 1, 0))   # the guest account
    rows.append(("ecampus", 2, -1))  # the site administrator
    for r in w.ec_recs:
        rows.append(("ecampus", r.rid, r.pid))
    for r in w.sc_recs:
        rows.append(("solicomm", r.rid, r.pid))
    rows.sort()
    with open(truth / "record_persons_core.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["system", "record_id", "person_id"])
        wr.writerows(rows)


def expected(w: World) -> list[tuple[str, str, str, float]]:
    ps = w.persons
    out = []

    def add(code, measure, period, value):
        out.append((code, measure, period, value))

    def pct(n, d):
        return 100.0 * n / d if d else None

    regs_blended = w.blended_regs
    for period, years in PERIODS:
        idx = [YI[y] for y in years]
        f2f = sum(p.f2f[i] for p in ps for i in idx)
        f2f_w = sum(p.f2f[i] for p in ps for i in idx if p.gender == "F")
        dist = sum(p.dist[i] for p in ps for i in idx)
        dist_w = sum(p.dist[i] for p in ps for i in idx if p.gender == "F")
        core_f = {c: sum(p.f2f[i] for p in ps for i in idx if p.constituent == c)
                  for c in ("employers", "workers", "government_labour")}
        core_d = {c: sum(p.dist[i] for p in ps for i in idx if p.constituent == c)
                  for c in ("employers", "workers", "government_labour")}
        uniq = sum(1 for p in ps if any(p.dist[i] for i in idx))
        add("1.1a", "face_to_face_registrations", period, f2f)
        add("1.1a", "women_share", period, pct(f2f_w, f2f))
        add("1.1a", "employers", period, core_f["employers"])
        add("1.1a", "workers", period, core_f["workers"])
        add("1.1a", "labour_ministries", period, core_f["government_labour"])
        add("1.1a", "blended_share", period, pct(sum(regs_blended[y] for y in years), f2f))
        add("1.1b", "distance_enrolments", period, dist)
        add("1.1b", "unique_distance_learners", period, uniq)
        add("1.1b", "women_share", period, pct(dist_w, dist))
        add("1.1b", "employers", period, core_d["employers"])
        add("1.1b", "workers", period, core_d["workers"])
        add("1.1b", "labour_ministries", period, core_d["government_labour"])
        add("1.1c", "women_share", period, pct(f2f_w + dist_w, f2f + dist))
        if period not in ("2020", "2021"):  # the platforms' yearly split of 2020-21 is not ours to assume
            ext = sum(T.EXTERNAL[y] for y in years) * w.scale
            ext_emp = sum(T.EXTERNAL_EMPLOYERS[y] for y in years) * w.scale
            add("1.1c", "core_constituent_share", period,
                pct(sum(core_f.values()) + sum(core_d.values()) + ext_emp, f2f + dist + ext))
        add("1.3", "masters_students", period, sum(1 for p in ps if any(p.masters[i] for i in idx)))
        ilo_f2f = sum(p.f2f[i] for p in ps for i in idx if p.is_ilo)
        add("1.5", "ilo_officials_face_to_face", period, ilo_f2f)
        add("1.5", "ilo_officials_unique_distance", period,
            sum(1 for p in ps if p.is_ilo and any(p.dist[i] for i in idx)))
        trained = [p for p in ps if p.is_ilo and any(p.dist[i] or p.f2f[i] for i in idx)]
        add("B.2", "women_among_ilo_officials_share", period,
            pct(sum(1 for p in trained if p.gender == "F"), len(trained)))
        g_units = sum(p.gm3_f2f[i] + p.gm3_dist[i] for p in ps for i in idx)
        g_men = sum(p.gm3_f2f[i] + p.gm3_dist[i] for p in ps for i in idx if p.gender == "M")
        add("B.3", "men_in_gender_training_share", period, pct(g_men, g_units))
        # activity-based
        acts = [a for a in w.acts if a.status == "delivered" and a.start.year in years]
        tr = [a for a in acts if a.training]
        nt = [a for a in acts if not a.training]
        op = [a for a in tr if a.is_open]
        add("1.4", "ilo_partnership_share", period, pct(sum(a.ilo for a in tr), len(tr)))
        add("1.6", "other_partnership_share", period, pct(sum(a.other for a in tr), len(tr)))
        add("1.7", "non_training_share", period, pct(len(nt), len(tr) + len(nt)))
        add("2.9", "diploma_programme_share", period, pct(sum(a.programme is not None for a in tr), len(tr)))
        add("A.1", "open_courses_ils_share", period, pct(sum(a.ils >= 2 for a in op), len(op)))
        add("A.1", "open_courses_sdt_share", period, pct(sum(a.sdt >= 2 for a in op), len(op)))
        add("B.1", "open_courses_gender_share", period, pct(sum(a.gm >= 2 for a in op), len(op)))
    totals = {}
    for period, years in PERIODS:
        idx = [YI[y] for y in years]
        totals[period] = sum(p.f2f[i] + p.dist[i] for p in ps for i in idx)
    add("1.A", "direct_enrolment_growth", "2022-23", 100.0 * (totals["2022-23"] / totals["2020-21"] - 1))
    return out


def write_expected(w: World, truth: Path):
    rows = expected(w)
    with open(truth / "expected_core.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["indicator_code", "measure", "period", "value"])
        for code, measure, period, value in rows:
            wr.writerow([code, measure, period, "" if value is None else repr(float(value))])
