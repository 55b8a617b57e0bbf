"""Assembles the core world: persons' records, MAP registrations, the eCampus course catalogue and
enrolments, SoliComm memberships and enrolments. Writers live in writers.py."""
from __future__ import annotations

import calendar
import datetime as dt
import random

import numpy as np

from . import targets as T
from .activities import Activity, build_activities
from .identity import SC_ORG, IdentityBuilder, Rec
from .lookalikes import Planter
from .persons import YI, Person, Planner

UTC = dt.timezone.utc


def rome_year_bounds(y: int) -> tuple[int, int]:
    """Epoch seconds of 1 January 00:00 Europe/Rome (CET, UTC+1) of y and y+1."""
    return (calendar.timegm((y, 1, 1, 0, 0, 0)) - 3600, calendar.timegm((y + 1, 1, 1, 0, 0, 0)) - 3600)


def epoch(d: dt.date, hour=9) -> int:
    return calendar.timegm((d.year, d.month, d.day, hour, 0, 0)) - 3600


class Course:
    __slots__ = ("id", "category", "fullname", "shortname", "idnumber", "startdate", "enddate", "visible",
                 "timecreated", "kind", "activity", "lo", "hi", "weight", "enrol_ids", "gm3")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class World:
    def __init__(self, seed: int, scale: int):
        self.seed, self.scale = seed, scale
        self.rng = random.Random(f"{seed}:core")
        self.nrng = np.random.default_rng([seed, 4242])
        self.persons: list[Person] = Planner(seed, scale).run()
        self.person_kind = {p.pid: p.kind for p in self.persons}
        self.acts: list[Activity] = build_activities(random.Random(f"{seed}:core:activities"), scale)
        self.ib = IdentityBuilder(seed)
        self.map_recs: list[Rec] = []
        self.ec_recs: list[Rec] = []
        self.sc_recs: list[Rec] = []
        self.registrations: list[tuple] = []   # (activity, rec, status, fellowship)
        self.ec_enrol: list[tuple] = []        # (rec, course, t, role)  role: student/teacher/...
        self.ec_special: list[tuple] = []      # (rec, course, t, kind): 'role_only', 'enrol_only'
        self.sc_enrol: list[tuple] = []        # (rec, sc_course_index, date, status, completed_on)
        self.blended_regs = {y: 0 for y in T.YEARS}

    # ================================================================== persons -> records
    def build_records(self):
        rng = self.rng
        ps = self.persons
        learners = [p for p in ps if p.kind == "learner"]
        # erased MAP participants: single-record persons with one face-to-face registration
        f2f_only = [p for p in learners if sum(p.f2f) == 1 and not any(p.dist) and not any(p.masters)]
        erased_map = set(p.pid for p in rng.sample(f2f_only, 40 * self.scale))
        # SoliComm members erased on request: single-record persons, whose attributes cannot matter
        sc_cand = [p for p in learners if not any(p.f2f) and not any(p.masters) and p.dist[3] == 0
                   and p.gender in ("M", None) and p.constituent in ("government_other", "other")]
        erased_sc = set(p.pid for p in rng.sample(sc_cand, 90 * self.scale))
        # mononyms (Indonesia): single-token names never link by name
        mono = rng.sample([p for p in learners if any(p.dist) and p.pid not in erased_sc], 30 * self.scale)
        mono_names = ["Suharti", "Sukarno", "Wahyuni", "Mulyadi", "Sutrisno"]
        mono_ids = {}
        for j, p in enumerate(mono):
            mono_ids[p.pid] = (mono_names[j % 5], 1970 + (j // 5) % 3)
        for p in ps:
            if p.pid in mono_ids:
                p.ident = self.ib.mononym_ident(p, *mono_ids[p.pid])
            else:
                p.ident = self.ib.ident(p)
        shared = self._shared_mailboxes(learners, erased_map)
        for p in ps:
            kw = self._structure(p, p.pid in erased_map, p.pid in erased_sc)
            recs = self.ib.records(p, shared_mailbox=shared.get(p.pid), **kw)
            if p.pid in erased_map:
                r = recs[0]
                r.first = r.last = r.email = r.by = None
                r.erased = True
            if p.pid in erased_sc:
                recs[0].erased = True
            p.recs = recs
            for r in recs:
                (self.map_recs if r.system == "map" else self.ec_recs if r.system == "ecampus"
                 else self.sc_recs).append(r)
        planter = Planter(self)
        planter.plant(excluded=erased_map | erased_sc)
        self.planted = planter.pairs
        for p in ps:
            p.ident = None  # identities are only needed while records are drawn (memory at large scales)

    def _structure(self, p: Person, erased_map: bool, erased_sc: bool) -> dict:
        rng = self.rng
        if erased_map:
            return dict(n_map=1, n_ec=0, n_sc=0)
        if erased_sc:
            return dict(n_map=0, n_ec=0, n_sc=1)
        has_f, has_m, has_d = any(p.f2f), any(p.masters), any(p.dist)
        n_map = n_ec = n_sc = deleted = 0
        u = rng.random()
        if has_f or has_m or (p.kind == "noise" and u < 0.4):
            n_map = 1 + (u < 0.06) + (u < 0.006)
        elif has_d and u < 0.08:
            n_map = 1  # registered in MAP for a tutor-supported distance course
        if p.kind == "noise":
            v = rng.random()
            if n_map == 0:
                n_ec, n_sc = (1, 0) if v < 0.7 else (0, 1)
            elif v < 0.3:
                n_ec = 1
        elif has_d:
            v = rng.random()
            if v < 0.70:
                n_ec = 1
            elif v < 0.78:
                n_ec = 2
            elif v < 0.88:
                n_sc = 1
            elif v < 0.97:
                n_ec, n_sc = 1, 1
            elif v < 0.985:
                n_sc = 2
            else:
                n_ec, deleted = 1, 1
                n_map = max(n_map, 1)
            if any(p.gm3_dist) and n_ec == 0:
                n_ec = 1
        else:
            if (has_f and rng.random() < 0.55) or (has_m and rng.random() < 0.8):
                n_ec = 1
            if has_f and rng.random() < 0.01:
                n_ec, deleted = max(n_ec, 1), 1
        if n_sc and p.constituent is None:
            n_sc, n_ec = 0, max(n_ec, 1)
        if n_sc and not n_map and not n_ec and p.constituent not in SC_ORG:
            n_ec = 1
        fall = bool(n_map and n_ec and rng.random() < 0.08)
        return dict(n_map=n_map, n_ec=n_ec, n_sc=n_sc, deleted_ec=deleted, fallthrough=fall)

    def _shared_mailboxes(self, learners, erased) -> dict[int, str]:
        """Ministries', unions' and federations' generic addresses typed in MAP for several participants."""
        rng = self.rng
        cand = [p for p in learners if any(p.f2f) and not any(p.dist) and p.pid not in erased
                and p.constituent in ("employers", "workers", "government_labour") and p.ident.by]
        rng.shuffle(cand)
        by_country: dict[tuple, list] = {}
        for p in cand:
            by_country.setdefault((p.ident.a2, p.constituent), []).append(p)
        out, n = {}, 0
        for (a2, cons), group in sorted(by_country.items()):
            chosen = []
            for p in group:
                if all(p.ident.by != q.ident.by and not (p.ident.tokens & q.ident.tokens) for q in chosen):
                    chosen.append(p)
                if len(chosen) == 3:
                    break
            if len(chosen) < 2:
                continue
            box = {"employers": "info@{c}-employers.org", "workers": "secretariat@ctu-{c}.org",
                   "government_labour": "training@labour.gov.{c}"}[cons].format(c=a2.lower())
            for p in chosen:
                out[p.pid] = box
            n += 1
            if n >= 25 * self.scale:
                break
        return out

    # ================================================================== MAP registrations
    def build_registrations(self):
        rng = self.rng
        acts = [a for a in self.acts]
        delivered = lambda a, y: a.status == "delivered" and a.start.year == y
        for y in T.YEARS:
            i = YI[y]
            f2f = [a for a in acts if delivered(a, y) and a.service_type in ("standard_course", "tailored_course")
                   and a.mode in ("campus", "field", "blended")]
            blended = [a for a in f2f if a.mode == "blended"]
            other = [a for a in f2f if a.mode != "blended"]
            total = T.F2F[y] * self.scale
            nb = T.F2F_BLENDED[y] * self.scale
            slots = self._slots(blended, nb) + self._slots(other, total - nb)
            regs = []   # (person, gm3 flag)
            for p in self.persons:
                for k in range(p.f2f[i]):
                    regs.append((p, k < p.gm3_f2f[i]))
            assert len(regs) == len(slots), (y, len(regs), len(slots))
            g_slots = [a for a in slots if a.gm3]
            n_slots = [a for a in slots if not a.gm3]
            rng.shuffle(g_slots)
            rng.shuffle(n_slots)
            assign = [None] * len(regs)
            order = list(range(len(regs)))
            rng.shuffle(order)
            for j in order:
                p, g = regs[j]
                if p.is_ilo:
                    assign[j] = g_slots.pop() if g else n_slots.pop()
            rest = g_slots + n_slots
            rng.shuffle(rest)
            for j in order:
                if assign[j] is None:
                    assign[j] = rest.pop()
            self._fix_duplicates(regs, assign)
            for (p, _g), a in zip(regs, assign):
                maps = [r for r in p.recs if r.system == "map"]
                self.registrations.append((a, rng.choice(maps), "attended", rng.random() < 0.2))
                if a.mode == "blended":
                    self.blended_regs[y] += 1
            # masters editions
            eds = [a for a in acts if delivered(a, y) and a.service_type == "masters_edition"]
            for p in self.persons:
                if p.masters[i]:
                    maps = [r for r in p.recs if r.system == "map"]
                    ed = rng.choice(eds)
                    self.registrations.append((ed, maps[-1] if len(maps) == 1 else rng.choice(maps), "attended",
                                               rng.random() < 0.3))
                    if len(maps) > 1 and rng.random() < 0.3:  # the duplicate record registered too
                        self.registrations.append((ed, maps[0], "registered", False))
        self._noise_registrations()

    def _slots(self, acts: list[Activity], total: int) -> list[Activity]:
        n = len(acts)
        w = self.nrng.gamma(2.0, size=n)
        sizes = 3 + self.nrng.multinomial(total - 3 * n, w / w.sum())
        out = []
        for a, s in zip(acts, sizes):
            a.slots = int(s)
            out += [a] * int(s)
        return out

    def _fix_duplicates(self, regs, assign):
        """A person registered twice in one activity: swap one registration with another participant's."""
        rng = self.rng
        cnt: dict[tuple, int] = {}
        for (p, _), a in zip(regs, assign):
            cnt[(p.pid, a.activity_id)] = cnt.get((p.pid, a.activity_id), 0) + 1
        for j, (p, _g) in enumerate(regs):
            a = assign[j]
            if cnt[(p.pid, a.activity_id)] <= 1:
                continue
            for _ in range(10000):
                k = rng.randrange(len(regs))
                q, _gq = regs[k]
                b = assign[k]
                if b is a or q.is_ilo or (p.is_ilo and a.gm3 != b.gm3):
                    continue
                if cnt.get((p.pid, b.activity_id), 0) or cnt.get((q.pid, a.activity_id), 0):
                    continue
                cnt[(p.pid, a.activity_id)] -= 1
                cnt[(q.pid, b.activity_id)] -= 1
                cnt[(p.pid, b.activity_id)] = 1
                cnt[(q.pid, a.activity_id)] = 1
                assign[j], assign[k] = b, a
                break
            else:
                raise RuntimeError("cannot resolve duplicate registration")

    def _noise_registrations(self):
        rng = self.rng
        with_map = [p for p in self.persons if any(r.system == "map" and not r.erased for r in p.recs)]
        noise = [p for p in with_map if p.kind == "noise"]

        def rec(pool):
            p = rng.choice(pool)
            return rng.choice([r for r in p.recs if r.system == "map" and not r.erased])
        for a in self.acts:
            if a.service_type not in ("standard_course", "tailored_course", "masters_edition"):
                continue
            if a.status == "delivered" and 2020 <= a.start.year <= 2023:
                n = max(1, int((a.slots or 30) * 0.1))
                for _ in range(n):
                    st = rng.choice(["cancelled", "cancelled", "no_show", "registered"])
                    self.registrations.append((a, rec(noise if rng.random() < 0.6 else with_map), st, False))
                if a.mode == "distance" and rng.random() < 0.5:
                    for p in rng.sample(with_map, 5):
                        r = rng.choice([r for r in p.recs if r.system == "map" and not r.erased])
                        self.registrations.append((a, r, "attended", False))
            else:
                n = rng.randint(5, 25)
                for _ in range(n):
                    if a.status == "cancelled":
                        st = rng.choice(["cancelled", "registered"])
                    elif a.status in ("planned", "confirmed") and a.start.year == 2024:
                        st = "registered"
                    else:  # delivered in 2019, or 2023 activities never closed as delivered
                        st = rng.choice(["attended"] * 4 + ["no_show"])
                    self.registrations.append((a, rec(noise if rng.random() < 0.7 else with_map), st, False))
        # distance learners registered in MAP for tutor-supported courses (not face-to-face)
        dist_acts = {y: [a for a in self.acts if a.mode == "distance" and a.status == "delivered"
                         and a.start.year == y] for y in T.YEARS}
        for p in self.persons:
            maps = [r for r in p.recs if r.system == "map" and not r.erased]
            if maps and any(p.dist) and rng.random() < 0.5:
                y = T.YEARS[max(i for i in range(4) if p.dist[i])]
                self.registrations.append((rng.choice(dist_acts[y]), maps[-1], "attended", False))

    # ================================================================== eCampus catalogue
    def build_courses(self):
        rng = self.rng
        self.categories = [  # id, name, idnumber, parent
            (1, "Miscellaneous", "", 0), (2, "Self-guided courses", "selfguided", 0),
            (3, "Tutor-supported courses", "tutored", 0), (4, "Face-to-face and blended activities", "f2f", 0),
            (5, "Masters programmes", "masters", 0), (6, "Sandbox", "sandbox", 0)]
        cid = 7
        sub = {}
        for parent, names in ((2, ["Labour standards", "Social protection", "Languages", "Digital skills",
                                   "Gender and diversity"]),
                              (3, [str(y) for y in range(2019, 2025)]), (4, [str(y) for y in range(2019, 2025)])):
            for nm in names:
                self.categories.append((cid, nm, "", parent))
                sub[(parent, nm)] = cid
                cid += 1
        courses: list[Course] = [Course(id=1, category=0, fullname="ITCILO eCampus", shortname="eCampus",
                                        idnumber="", startdate=0, enddate=0, visible=1,
                                        timecreated=epoch(dt.date(2014, 3, 1)), kind="site")]

        def add(**kw):
            c = Course(id=len(courses) + 1, enrol_ids={}, gm3=False, **kw)
            courses.append(c)
            return c
        end_all = epoch(dt.date(2024, 1, 31))
        # self-guided courses, long-lived (some hidden: they still count)
        for j in range(45):
            created = epoch(dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365)))
            sc = sub[(2, rng.choice(["Labour standards", "Social protection", "Languages", "Digital skills",
                                     "Gender and diversity"]))]
            add(category=rng.choice([2, sc, sc]), fullname=f"Self-guided: {rng.choice(TOPIC_SG)} {j + 1}",
                shortname=f"SG{j + 1:03d}", idnumber=rng.choice(["", "", f"SG-{j + 1:03d}"]), startdate=created,
                enddate=0, visible=0 if j % 11 == 5 else 1, timecreated=created, kind="selfguided", lo=created,
                hi=end_all, weight=30.0 if j % 7 else 90.0)
        # courses of MAP activities
        by_code = {}
        for a in sorted(self.acts, key=lambda a: a.activity_id):
            if a.status != "delivered" or not (2019 <= a.start.year <= 2023):
                continue
            yname = str(a.start.year)
            st, en = epoch(a.start), epoch(a.end, 18)
            if a.mode == "distance":
                cat = sub[(3, yname)] if rng.random() > 0.02 else sub[(4, yname)]  # misfiled: still distance
                c = add(category=cat, fullname=a.title, shortname=f"{a.code}-D", idnumber=a.code, startdate=st,
                        enddate=en, visible=1 if rng.random() > 0.05 else 0, timecreated=st - 60 * 86400,
                        kind="map_distance", activity=a, lo=st - 35 * 86400, hi=st + 10 * 86400, weight=4.0)
                c.gm3 = a.gm3
            elif a.mode in ("campus", "field", "blended") and a.service_type != "masters_edition":
                if rng.random() < 0.75:
                    cat = sub[(4, yname)] if rng.random() > 0.02 else 2  # misfiled under self-guided: not distance
                    c = add(category=cat, fullname=a.title, shortname=f"{a.code}-F", idnumber=a.code, startdate=st,
                            enddate=en, visible=1, timecreated=st - 30 * 86400, kind="f2f", activity=a,
                            lo=st - 20 * 86400, hi=st + 5 * 86400)
                else:
                    continue
            elif a.service_type == "masters_edition":
                c = add(category=5, fullname=a.title, shortname=f"{a.code}-M", idnumber=a.code, startdate=st,
                        enddate=en, visible=1, timecreated=st - 30 * 86400, kind="masters", activity=a,
                        lo=st - 20 * 86400, hi=st + 20 * 86400)
            else:
                continue
            a.course_id = c.id if rng.random() > 0.05 else None  # MAP does not always record the course id
            by_code[a.code] = c
        # tutor-supported courses without a MAP activity (distance through their category)
        for y in range(2019, 2024):
            for j in range(8):
                st = epoch(dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(0, 350)))
                add(category=sub[(3, str(y))], fullname=f"Tutor-supported: {rng.choice(TOPIC_SG)}",
                    shortname=f"TUT{y}{j:02d}", idnumber=rng.choice(["", f"TUT-{y}-{j:02d}", f"A{y}{j:03d}X"]),
                    startdate=st, enddate=st + 50 * 86400, visible=1, timecreated=st - 40 * 86400,
                    kind="tutored", lo=st - 35 * 86400, hi=st + 15 * 86400, weight=3.0)
        # a course filed under tutor-supported whose idnumber is a blended MAP activity: not distance
        bl = [a for a in self.acts if a.mode == "blended" and a.status == "delivered" and a.code not in by_code
              and 2020 <= a.start.year <= 2023]
        for a in bl[:3]:
            st = epoch(a.start)
            add(category=3, fullname=a.title, shortname=f"{a.code}-B", idnumber=a.code, startdate=st,
                enddate=epoch(a.end), visible=1, timecreated=st - 30 * 86400, kind="f2f", activity=a,
                lo=st - 20 * 86400, hi=st + 5 * 86400)
        for j in range(10):
            created = epoch(dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(0, 1600)))
            add(category=6, fullname=f"Sandbox {j + 1} (test)", shortname=f"SANDBOX{j + 1}",
                idnumber=rng.choice(["", "test"]), startdate=created, enddate=0, visible=0, timecreated=created,
                kind="sandbox", lo=created, hi=end_all)
        for j in range(3):
            created = epoch(dt.date(2016, 5, 1) + dt.timedelta(days=400 * j))
            add(category=1, fullname=f"Legacy course {j + 1}", shortname=f"LEGACY{j + 1}", idnumber="",
                startdate=created, enddate=0, visible=1, timecreated=created, kind="misc", lo=created, hi=end_all)
        self.courses = courses
        self.course_by_code = by_code
        self.dist_courses = [c for c in courses if c.kind in ("selfguided", "map_distance", "tutored")]

    # ================================================================== eCampus enrolments
    def build_enrolments(self):
        rng = self.rng
        pools = {}
        for y in T.YEARS:
            ys, ye = rome_year_bounds(y)
            av = [c for c in self.dist_courses if c.lo < ye and c.hi > ys]
            for name, sel in (("all", av), ("nogm3", [c for c in av if not c.gm3]),
                              ("gm3", [c for c in av if c.gm3 and c.kind == "map_distance"])):
                cum, acc = [], 0.0
                for c in sel:
                    acc += c.weight
                    cum.append(acc)
                pools[(y, name)] = (sel, cum)
        self.sc_courses = self._solicomm_courses()
        for p in self.persons:
            if not any(p.dist):
                continue
            accounts = [r for r in p.recs if r.system in ("ecampus", "solicomm") and not r.deleted]
            ecs = [r for r in accounts if r.system == "ecampus"]
            used_ec: set[int] = set()
            used_sc: set[int] = set()
            for i, y in enumerate(T.YEARS):
                for k in range(p.dist[i]):
                    gm3 = k < p.gm3_dist[i]
                    acc = rng.choice(ecs) if gm3 else rng.choice(accounts)
                    if acc.system == "ecampus":
                        pool = "gm3" if gm3 else ("nogm3" if p.is_ilo else "all")
                        sel, cum = pools[(y, pool)]
                        for _ in range(30):
                            c = rng.choices(sel, cum_weights=cum)[0]
                            if c.id not in used_ec:
                                break
                        else:
                            raise RuntimeError("no free course")
                        used_ec.add(c.id)
                        self.ec_enrol.append((acc, c, self._time_in(c, y), "student"))
                    else:
                        for _ in range(30):
                            c = rng.randrange(len(self.sc_courses))
                            if c not in used_sc:
                                break
                        used_sc.add(c)
                        self.sc_enrol.append((acc, c, self._date_in(y)))
        self._side_enrolments()

    def _time_in(self, c: Course, y: int) -> int:
        rng = self.rng
        ys, ye = rome_year_bounds(y)
        lo, hi = max(c.lo, ys), min(c.hi, ye)
        u = rng.random()
        if u < 0.012 and lo == ys:
            return ys + rng.randrange(0, 3600)          # 31 December 23:xx UTC: already next year in Rome
        if u < 0.024 and hi == ye:
            return ye - rng.randrange(1, 3600)          # 31 December 22:xx UTC: still this year in Rome
        return rng.randrange(lo, hi)

    def _date_in(self, y: int) -> dt.date:
        return dt.date(y, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365))

    def _side_enrolments(self):
        """Enrolments that are not distance enrolments: course spaces of face-to-face activities and masters
        editions, sandbox and legacy courses."""
        rng = self.rng
        ec_of = {}
        for p in self.persons:
            ecs = [r for r in p.recs if r.system == "ecampus" and not r.deleted]
            if ecs:
                ec_of[p.pid] = ecs
        seen = set()
        for a, r, st, _f in self.registrations:
            c = self.course_by_code.get(a.code)
            if c is None or c.kind not in ("f2f", "masters") or st not in ("attended", "registered"):
                continue
            ecs = ec_of.get(r.pid)
            if not ecs or rng.random() < 0.1:
                continue
            acc = r.link if (r.link is not None and not r.link.deleted) else ecs[0]
            if (acc.pid, c.id) in seen:
                continue
            seen.add((acc.pid, c.id))
            self.ec_enrol.append((acc, c, rng.randrange(c.lo, c.hi), "student"))
        # the blended activities whose space sits under 'tutored': some participants there too
        extra = [c for c in self.courses if c.kind == "f2f" and c.category == 3]
        some = [r for r in self.ec_recs if not r.deleted][:200]
        for c in extra:
            for r in rng.sample(some, 15):
                self.ec_enrol.append((r, c, rng.randrange(c.lo, c.hi), "student"))
        # sandbox and legacy courses
        for c in self.courses:
            if c.kind in ("sandbox", "misc"):
                for r in rng.sample([r for r in self.ec_recs if not r.deleted], 25):
                    self.ec_enrol.append((r, c, rng.randrange(c.lo, c.hi), "student"))

    # ================================================================== SoliComm catalogue
    def _solicomm_courses(self):
        rng = self.rng
        out = []
        langs = ["en", "fr", "es", "ar", "pt", "ru"]
        for j in range(60):
            out.append(dict(code=f"SC-{rng.choice(['ILS', 'SP', 'OSH', 'GEN', 'TU', 'EMP', 'LAB'])}-{j + 1:03d}",
                            title=f"{rng.choice(TOPIC_SG)} — {rng.choice(['module', 'cours', 'curso', 'MOOC'])}"
                                  f" {j + 1}",
                            language=rng.choice(langs), self_paced=1 if rng.random() < 0.65 else 0,
                            archived=1 if j < 8 else 0, weight=rng.random() + 0.2))
        return out


TOPIC_SG = ["Introduction to international labour standards", "Social protection basics", "Gender mainstreaming",
            "Occupational safety and health essentials", "Labour migration governance", "Decent work and the SDGs",
            "Social dialogue in practice", "Introduction to the ILO", "Green jobs and just transition",
            "Equality and non-discrimination", "Freedom of association", "Skills anticipation",
            "Introducción a las normas internacionales del trabajo", "Protection sociale : les fondamentaux",
            "Égalité de genre au travail", "Seguridad y salud en el trabajo"]
