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
    # one pass over persons: per-year sums, and per-person activity flags for the distinct counts
    C = ("employers", "workers", "government_labour")
    f2f = [0] * 4; f2f_w = [0] * 4; dist = [0] * 4; dist_w = [0] * 4; ilo_f = [0] * 4
    core_f = {c: [0] * 4 for c in C}; core_d = {c: [0] * 4 for c in C}
    g_units = [0] * 4; g_men = [0] * 4
    active = []  # (dist years mask, masters mask, ilo trained mask, ilo dist mask, woman)
    for p in ps:
        woman, ilo, c = p.gender == "F", p.is_ilo, p.constituent
        dm = mm = tm = idm = 0
        for i in range(4):
            fi, di = p.f2f[i], p.dist[i]
            if fi:
                f2f[i] += fi
                if woman:
                    f2f_w[i] += fi
                if c in core_f:
                    core_f[c][i] += fi
                if ilo:
                    ilo_f[i] += fi
            if di:
                dm |= 1 << i
                dist[i] += di
                if woman:
                    dist_w[i] += di
                if c in core_d:
                    core_d[c][i] += di
            if p.masters[i]:
                mm |= 1 << i
            if ilo and (fi or di):
                tm |= 1 << i
            if ilo and di:
                idm |= 1 << i
            u = p.gm3_f2f[i] + p.gm3_dist[i]
            if u:
                g_units[i] += u
                if p.gender == "M":
                    g_men[i] += u
        if dm or mm or tm:
            active.append((dm, mm, tm, idm, woman))
    for period, years in PERIODS:
        idx = [YI[y] for y in years]
        mask = sum(1 << i for i in idx)
        tot = lambda arr: sum(arr[i] for i in idx)
        F, FW, D, DW = tot(f2f), tot(f2f_w), tot(dist), tot(dist_w)
        cf = {c: tot(core_f[c]) for c in C}
        cd = {c: tot(core_d[c]) for c in C}
        add("1.1a", "face_to_face_registrations", period, F)
        add("1.1a", "women_share", period, pct(FW, F))
        add("1.1a", "employers", period, cf["employers"])
        add("1.1a", "workers", period, cf["workers"])
        add("1.1a", "labour_ministries", period, cf["government_labour"])
        add("1.1a", "blended_share", period, pct(sum(regs_blended[y] for y in years), F))
        add("1.1b", "distance_enrolments", period, D)
        add("1.1b", "unique_distance_learners", period, sum(1 for a in active if a[0] & mask))
        add("1.1b", "women_share", period, pct(DW, D))
        add("1.1b", "employers", period, cd["employers"])
        add("1.1b", "workers", period, cd["workers"])
        add("1.1b", "labour_ministries", period, cd["government_labour"])
        add("1.1c", "women_share", period, pct(FW + DW, F + D))
        if period not in ("2020", "2021"):  # the platforms' yearly split of 2020-21 is not ours to assume
            ext = sum(T.EXTERNAL[y] for y in years) * w.scale
            ext_emp = sum(T.EXTERNAL_EMPLOYERS[y] for y in years) * w.scale
            add("1.1c", "core_constituent_share", period,
                pct(sum(cf.values()) + sum(cd.values()) + ext_emp, F + D + ext))
        add("1.3", "masters_students", period, sum(1 for a in active if a[1] & mask))
        add("1.5", "ilo_officials_face_to_face", period, tot(ilo_f))
        add("1.5", "ilo_officials_unique_distance", period, sum(1 for a in active if a[3] & mask))
        trained = [a for a in active if a[2] & mask]
        add("B.2", "women_among_ilo_officials_share", period, pct(sum(a[4] for a in trained), len(trained)))
        add("B.3", "men_in_gender_training_share", period, pct(tot(g_men), tot(g_units)))
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
    totals = {period: sum(f2f[YI[y]] + dist[YI[y]] for y in years) for period, years in PERIODS}
    add("1.A", "direct_enrolment_growth", "2022-23", 100.0 * (totals["2022-23"] / totals["2020-21"] - 1))
    return out


def write_expected(w: World, truth: Path):
    rows = expected(w)
    with open(truth / "expected_core.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["indicator_code", "measure", "period", "value"])
        for code, measure, period, value in rows:
            wr.writerow([code, measure, period, "" if value is None else repr(float(value))])
