"""Planning of persons: who they are (gender, constituent group, ILO official) and what they did each year
(face-to-face registrations, distance enrolments, masters), constructed so the exact targets hold.

Order: ILO officials, masters students, persons active in several years or channels (random attributes),
then single-year single-channel persons who fill each (year, channel) cell exactly.
"""
from __future__ import annotations

import numpy as np

from . import targets as T

YI = {y: i for i, y in enumerate(T.YEARS)}
CORE = ("employers", "workers", "government_labour")
NONCORE = ("government_other", "ngo", "private_sector", "academia", "un_staff", "other", None)
NONCORE_P = (0.22, 0.14, 0.2, 0.14, 0.05, 0.15, 0.10)


class Person:
    __slots__ = ("pid", "gender", "constituent", "ilo_email", "f2f", "dist", "masters", "gm3_f2f", "gm3_dist",
                 "kind", "ident", "recs")

    def __init__(self, pid, gender, constituent, kind="learner"):
        self.pid = pid
        self.gender = gender            # 'F', 'M', 'X' or None: the value the methodology's priority yields
        self.constituent = constituent  # MAP code or None
        self.ilo_email = False          # ILO official through an @ilo.org address (constituent not ilo_staff)
        self.f2f = [0, 0, 0, 0]         # attended registrations in counted face-to-face courses, per year
        self.dist = [0, 0, 0, 0]        # distance enrolments per year
        self.masters = [0, 0, 0, 0]     # attended a delivered masters edition starting that year
        self.gm3_f2f = [0, 0, 0, 0]     # of the f2f registrations, how many in gender-specific activities
        self.gm3_dist = [0, 0, 0, 0]    # of the distance enrolments, how many in gender-specific courses
        self.kind = kind
        self.ident = None
        self.recs = None

    @property
    def is_ilo(self):
        return self.constituent == "ilo_staff" or self.ilo_email


class Planner:
    def __init__(self, seed: int, scale: int):
        self.rng = np.random.default_rng([seed, 1701])
        self.scale = scale
        self.persons: list[Person] = []

    def S(self, x):  # scaled count
        return x * self.scale

    def new(self, gender, constituent, kind="learner") -> Person:
        p = Person(len(self.persons) + 1, gender, constituent, kind)
        self.persons.append(p)
        return p

    def k_enrol(self):
        return int(min(12, self.rng.geometric(0.6)))

    def random_gender(self, pf=0.45):
        u = self.rng.random()
        if u < pf:
            return "F"
        if u < pf + (1 - pf) * 0.9:
            return "M"
        return "X" if self.rng.random() < 0.15 else None

    def random_constituent(self, core_p=(0.02, 0.05, 0.04)):
        u = self.rng.random()
        acc = 0.0
        for c, p in zip(CORE, core_p):
            acc += p
            if u < acc:
                return c
        return self._noncore()

    # ------------------------------------------------------------------ ILO officials
    def plan_ilo(self):
        rng = self.rng
        for bi, (y1, y2) in T.BIENNIA.items():
            i1, i2 = YI[y1], YI[y2]
            both = self.S(T.ILO_DIST_BOTH[bi])
            only1 = self.S(T.ILO_DIST_UNIQUE[y1]) - both
            only2 = self.S(T.ILO_DIST_UNIQUE[y2]) - both
            group = []
            for n, yrs in ((both, (i1, i2)), (only1, (i1,)), (only2, (i2,))):
                for _ in range(n):
                    p = self._new_ilo()
                    for i in yrs:
                        p.dist[i] = self.k_enrol()
                    group.append(p)
            # face-to-face ILO registrations: some by distance ILO learners of that year, a few in both years
            f2f_new_prev = []
            for i, y in ((i1, y1), (i2, y2)):
                regs = self.S(T.F2F_ILO[y])
                doubles = regs // 11
                npers = regs - doubles
                pool_d = [p for p in group if p.dist[i] and not p.f2f[i]]
                overlap = min(npers // 6, len(pool_d))
                chosen = [pool_d[j] for j in rng.choice(len(pool_d), overlap, replace=False)]
                cross = f2f_new_prev[: min(len(f2f_new_prev), npers // 10)] if i == i2 else []
                chosen += cross
                fresh = []
                while len(chosen) < npers:
                    p = self._new_ilo()
                    group.append(p)
                    fresh.append(p)
                    chosen.append(p)
                for p in chosen:
                    p.f2f[i] = 1
                for j in rng.choice(len(chosen), doubles, replace=False):
                    chosen[j].f2f[i] += 1
                if i == i1:
                    f2f_new_prev = fresh
            self._ilo_genders(group, y1, y2, bi)
            self._ilo_gm3(group, y1)
            self._ilo_gm3(group, y2)

    def _new_ilo(self) -> Person:
        if self.rng.random() < 0.8:
            p = self.new(None, "ilo_staff", "ilo")
        else:
            p = self.new(None, ["un_staff", "other", None][self.rng.integers(3)], "ilo")
            p.ilo_email = True
        return p

    def _ilo_genders(self, group, y1, y2, bi):
        i1, i2 = YI[y1], YI[y2]
        act = lambda p, i: p.dist[i] > 0 or p.f2f[i] > 0
        A = [p for p in group if act(p, i1) and not act(p, i2)]
        B = [p for p in group if act(p, i2) and not act(p, i1)]
        C = [p for p in group if act(p, i1) and act(p, i2)]
        w1, w2, wb = T.B2_WINDOWS[y1], T.B2_WINDOWS[y2], T.B2_WINDOWS[bi]
        mid = lambda w: (w[0] + w[1]) / 2 / 100
        best = None
        for wc in range(len(C) + 1):
            wa = round(mid(w1) * (len(A) + len(C))) - wc
            wb_ = round(mid(w2) * (len(B) + len(C))) - wc
            if not (0 <= wa <= len(A) and 0 <= wb_ <= len(B)):
                continue
            s1 = 100 * (wa + wc) / (len(A) + len(C))
            s2 = 100 * (wb_ + wc) / (len(B) + len(C))
            sb = 100 * (wa + wb_ + wc) / (len(A) + len(B) + len(C))
            if w1[0] <= s1 < w1[1] and w2[0] <= s2 < w2[1] and wb[0] <= sb < wb[1]:
                score = abs(sb - mid(wb) * 100) + abs(wc / max(1, len(C)) - 0.52)
                if best is None or score < best[0]:
                    best = (score, wa, wb_, wc)
        assert best, f"no B.2 gender split for {bi}"
        _, wa, wb_, wc = best
        for grp, w in ((A, wa), (B, wb_), (C, wc)):
            idx = set(self.rng.choice(len(grp), w, replace=False).tolist())
            for j, p in enumerate(grp):
                if j in idx:
                    p.gender = "F"
                else:
                    u = self.rng.random()
                    p.gender = "M" if u < 0.93 else ("X" if u < 0.96 else None)

    def _ilo_gm3(self, group, y):
        i = YI[y]
        (nf, mf), (nd, md) = T.GM3_UNITS[y]
        nf, mf, nd, md = self.S(nf), self.S(mf), self.S(nd), self.S(md)
        used = set()
        for attr, cnt_attr, n, m in (("gm3_f2f", "f2f", nf, mf), ("gm3_dist", "dist", nd, md)):
            pool = [p for p in group if getattr(p, cnt_attr)[i] > 0 and p.pid not in used]
            men = [p for p in pool if p.gender == "M"]
            other = [p for p in pool if p.gender != "M"]
            pick = [men[j] for j in self.rng.choice(len(men), m, replace=False)]
            pick += [other[j] for j in self.rng.choice(len(other), n - m, replace=False)]
            for p in pick:
                getattr(p, attr)[i] = 1
                used.add(p.pid)

    # ------------------------------------------------------------------ masters students
    def plan_masters(self):
        for bi, (y1, y2) in T.BIENNIA.items():
            i1, i2 = YI[y1], YI[y2]
            both = self.S(T.MASTERS_BOTH[bi])
            for n, yrs in ((both, (i1, i2)), (self.S(T.MASTERS[y1]) - both, (i1,)),
                           (self.S(T.MASTERS[y2]) - both, (i2,))):
                for _ in range(n):
                    c = self.random_constituent((0.05, 0.12, 0.10))
                    p = self.new(self.random_gender(0.55), c, "masters")
                    for i in yrs:
                        p.masters[i] = 1
                    if self.rng.random() < 0.12:  # some masters students also follow distance courses
                        p.dist[self.rng.choice(yrs)] = self.k_enrol()

    # ------------------------------------------------------------------ persons in several years/channels
    def plan_multi(self):
        S = self.S
        patterns = [((0, 1), 5000), ((0, 1, 2), 200), ((0, 1, 2, 3), 94), ((2, 3), 4800), ((1, 2, 3), 30),
                    ((1, 2), 2500), ((0, 2), 400), ((1, 3), 1200), ((0, 3), 300)]
        for yrs, n in patterns:
            for _ in range(S(n)):
                p = self.new(self.random_gender(0.42), self.random_constituent())
                for i in yrs:
                    p.dist[i] = self.k_enrol()
        # face-to-face participants also learning at a distance the same year
        for i in range(4):
            for _ in range(S(500)):
                p = self.new(self.random_gender(0.4), self.random_constituent((0.01, 0.03, 0.02)))
                p.f2f[i] = 1
                p.dist[i] = self.k_enrol()
        # face-to-face participants coming back another year
        for yrs, n in (((0, 1), 80), ((1, 2), 150), ((2, 3), 300), ((1, 3), 60)):
            for _ in range(S(n)):
                p = self.new(self.random_gender(0.4), self.random_constituent((0.01, 0.03, 0.02)))
                for i in yrs:
                    p.f2f[i] = 1

    # ------------------------------------------------------------------ fill persons
    def fill(self):
        S = self.S
        for y in T.YEARS:
            i = YI[y]
            # distance
            ps = [p for p in self.persons if p.dist[i]]
            total = S(T.DIST[y]) - sum(p.dist[i] for p in ps)
            npers = S(T.DIST_UNIQUE[y]) - len(ps)
            core = {
                "employers": S(T.DIST_EMPLOYERS[y]) - sum(p.dist[i] for p in ps if p.constituent == "employers"),
                "workers": S(T.DIST_WORKERS[y]) - sum(p.dist[i] for p in ps if p.constituent == "workers"),
                "government_labour": S(T.DIST_LABOUR[y]) - sum(p.dist[i] for p in ps
                                                               if p.constituent == "government_labour")}
            women = S(T.DIST_WOMEN[y]) - sum(p.dist[i] for p in ps if p.gender == "F")
            for cons, fem, count in self._cells(total, npers, core, women):
                p = self.new("F" if fem else self._not_woman(), cons if cons != "other" else self._noncore())
                p.dist[i] = count
            # face-to-face
            ps = [p for p in self.persons if p.f2f[i]]
            total = S(T.F2F[y]) - sum(p.f2f[i] for p in ps)
            core = {
                "employers": S(T.F2F_EMPLOYERS[y]) - sum(p.f2f[i] for p in ps if p.constituent == "employers"),
                "workers": S(T.F2F_WORKERS[y]) - sum(p.f2f[i] for p in ps if p.constituent == "workers"),
                "government_labour": S(T.F2F_LABOUR[y]) - sum(p.f2f[i] for p in ps
                                                              if p.constituent == "government_labour")}
            women = S(T.F2F_WOMEN[y]) - sum(p.f2f[i] for p in ps if p.gender == "F")
            for cons, fem, count in self._cells(total, round(total / 1.07), core, women):
                p = self.new("F" if fem else self._not_woman(), cons if cons != "other" else self._noncore())
                p.f2f[i] = count

    def _not_woman(self):
        u = self.rng.random()
        return "M" if u < 0.88 else ("X" if u < 0.9 else None)

    def _noncore(self):
        u = self.rng.random()
        acc = 0.0
        for c, pr in zip(NONCORE, NONCORE_P):
            acc += pr
            if u < acc:
                return c
        return NONCORE[-1]

    def _cells(self, total, npers, core, women):
        """Split `total` units over `npers` persons so that each core group and the women get exact sums."""
        assert all(v >= 0 for v in core.values()), core
        other = total - sum(core.values())
        assert other >= 0 and 0 <= women <= total, (total, core, women)
        sums = dict(core, other=other)
        ratio = women / total
        fw = {k: int(v * ratio) for k, v in core.items()}
        fw["other"] = women - sum(fw.values())
        assert 0 <= fw["other"] <= other
        cells = []
        for k, v in sums.items():
            cells += [(k, True, fw[k]), (k, False, v - fw[k])]
        pers = [min(s, max(1 if s else 0, int(s * npers / total))) for _, _, s in cells]
        diff = npers - sum(pers)
        order = sorted(range(len(cells)), key=lambda j: -cells[j][2])
        while diff != 0:
            moved = False
            for j in order:
                s = cells[j][2]
                if diff > 0 and pers[j] < s:
                    step = min(diff, s - pers[j], max(1, diff // 3))
                    pers[j] += step
                    diff -= step
                    moved = True
                elif diff < 0 and pers[j] > 1:
                    step = min(-diff, pers[j] - 1, max(1, -diff // 3))
                    pers[j] -= step
                    diff += step
                    moved = True
                if diff == 0:
                    break
            assert moved, "cannot place persons"
        out = []
        for (k, fem, s), n in zip(cells, pers):
            if n == 0:
                continue
            w = self.rng.gamma(0.7, size=n)
            parts = 1 + self.rng.multinomial(s - n, w / w.sum())
            over = parts > 12
            while over.any():
                extra = int((parts[over] - 12).sum())
                parts[over] = 12
                room = np.flatnonzero(parts < 12)
                for j in self.rng.choice(room, extra):
                    parts[j] += 1
                over = parts > 12
            out += [(k, fem, int(c)) for c in parts]
        order = self.rng.permutation(len(out))
        return [out[j] for j in order]

    # ------------------------------------------------------------------ persons counted nowhere
    def plan_noise(self):
        for _ in range(self.S(3000)):  # accounts without counted activity: cancelled, no-show, never enrolled
            self.new(self.random_gender(0.45), self.random_constituent((0.03, 0.05, 0.04)), "noise")

    def run(self) -> list[Person]:
        self.plan_ilo()
        self.plan_masters()
        self.plan_multi()
        self.fill()
        self.plan_noise()
        return self.persons
