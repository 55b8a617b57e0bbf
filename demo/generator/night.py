"""One night of changes appended to a generated demo (`python -m demo.generator --append-day`).

A real night at the Centre, in the sources' own shapes, about 1/365 of a year (2023) of activity at the
demo's scale: new MAP activities, participants and registrations; new eCampus accounts, enrolments and
post-test attempts; one new SoliComm drop (a full snapshot with its manifest); new enrolments on one external
platform; a few updates (MAP `updated_at` and Moodle `timemodified` move on the rows changed) and erasures
(a MAP participant erased on request, a Moodle user deleted, a SoliComm member erased). Nothing else in the
past data changes, so an incremental extraction sees exactly the night.

Night n is dated n days after the latest date anywhere in the base demo (so every cursor a warehouse keeps
moves forward); nights are appended in order, each from its own RNG (seed, n): the same base and the same
nights give the same files. Every change is placed so that the published periods (2020-2023) keep their
figures: new activity is dated in the night, updates touch no counted attribute (an updated participant is
its person's only MAP record), erasures touch single-record persons, a new attempt never replaces an
earlier best attempt. The truth follows: record_persons_core.csv gains the person of every new record,
expected_platforms_by_platform.csv the night's counted platform enrolments, nights.json the night's volume.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import random
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

from . import platforms as plat
from .core import targets as T
from .core.identity import SC_ORG, IdentityBuilder, Rec, md5_hash
from .core.persons import Person
from .core.refdata import ALPHA3, norm_email, norm_name
from .core.writers import (COURSE_COLS, ENROL_COLS, MEMBER_COLS, _d, _institution, _ts, member_row, user_rows,
                           write_drop)

ALPHA2 = {a3: a2 for a2, a3 in ALPHA3.items()}
STATE = "nights.json"
SC_SHARE = 0.15          # SoliComm's share of distance enrolments
NEW_ACCOUNT_SHARE = 0.4  # distance enrolments of the night by accounts created that night
CONSTITUENTS = (["employers"] * 3 + ["workers"] * 5 + ["government_labour"] * 4 + ["government_other"] * 20 +
                ["ngo"] * 13 + ["private_sector"] * 18 + ["academia"] * 13 + ["un_staff"] * 4 + ["other"] * 12 +
                [None] * 8)


def _rome_day(epoch: int) -> dt.date:
    return dt.datetime.fromtimestamp(epoch + 3600, dt.timezone.utc).date()  # the generator's CET


def _sc_date(s: str) -> dt.date:
    d, m, y = s.split("/")
    return dt.date(int(y), int(m), int(d))


def _read_sc(path: Path, ncols: int) -> list[list[str]]:
    data = path.read_bytes()
    text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252")
    return [r for r in csv.reader(text.splitlines()[1:], delimiter=";") if len(r) == ncols]


def _complete_drops(landing: Path) -> list[Path]:
    return sorted(d for d in landing.iterdir() if d.is_dir() and (d / "manifest.json").exists())


def _last_id(landing: Path, name: str) -> int:
    """The largest id any drop ever held (ids are never re-used; the generator's junk lines sit at 9e8)."""
    best = 0
    for d in landing.iterdir():
        if (d / name).exists():
            data = (d / name).read_bytes()
            for line in data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252").splitlines()[1:]:
                first = line.split(";", 1)[0]
                if first.isdigit() and best < int(first) < 900000000:
                    best = int(first)
    return best


def latest_day(out: Path) -> dt.date:
    """The latest date anywhere in the demo's time columns: a night after it moves every cursor forward."""
    days = []
    with sqlite3.connect(out / "map.sqlite") as con:
        for t, c in (("activity", "updated_at"), ("participant", "updated_at"), ("registration", "updated_at"),
                     ("registration", "registered_at"), ("organisation", "updated_at")):
            v = con.execute(f"select max({c}) from {t}").fetchone()[0]
            if v:
                days.append(dt.date.fromisoformat(v[:10]))
    moodle = [("user", "timecreated"), ("user", "timemodified"), ("user_enrolments", "timestart"),
              ("user_enrolments", "timecreated"), ("user_enrolments", "timemodified"), ("course", "timemodified"),
              ("course", "timecreated"), ("role_assignments", "timemodified")]
    dbs = [(out / "ecampus.sqlite", "mdl_", moodle + [("quiz_attempts", "timestart"), ("quiz_attempts", "timefinish"),
                                                      ("feedback_completed", "timemodified")])]
    dbs += [(out / "platforms" / f"{p.code}.sqlite", p.prefix, moodle) for p in plat.PLATFORMS]
    for path, prefix, cols in dbs:
        with sqlite3.connect(path) as con:
            for t, c in cols:
                v = con.execute(f"select max({c}) from {prefix}{t}").fetchone()[0]
                if v:
                    days.append(_rome_day(int(v)))
    days += [dt.date.fromisoformat(d.name) for d in (out / "solicomm").iterdir() if d.is_dir()]
    return max(days)


class Night:
    def __init__(self, out: Path, truth: Path, n: int, day: dt.date, seed: int, scale: int, state: dict):
        self.out, self.truth, self.n, self.day, self.seed, self.scale = out, truth, n, day, seed, scale
        self.state = state  # nights.json, carried from night to night
        self.rng = random.Random(f"{seed}:night:{n}")
        self.volume: Counter = Counter()
        with open(truth / "record_persons_core.csv", encoding="utf-8") as f:
            self.person_of = {(r["system"], int(r["record_id"])): int(r["person_id"]) for r in csv.DictReader(f)}
        self.records_of: dict[int, list] = defaultdict(list)
        for key, pid in self.person_of.items():
            self.records_of[pid].append(key)
        self.protected: set[int] = set()  # persons of the planted pairs: their records stay as planted
        planted = truth / "planted_near_duplicates.csv"
        if planted.exists():
            with open(planted, encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    self.protected.update((int(r["person_a"]), int(r["person_b"])))
        self.next_pid = max(self.person_of.values()) + 1
        self.new_rows: list[tuple] = []   # (system, record id, person id)
        self.ib = IdentityBuilder(seed)
        self.ib.rng = self.rng
        self.lo = calendar.timegm((day.year, day.month, day.day, 0, 0, 0)) - 3600  # 00:00 CET

    def per_night(self, yearly: float) -> int:
        return max(1, round(yearly * self.scale / 365))

    def t(self) -> int:
        """A time in the night's working day (07:00-23:00 CET)."""
        return self.lo + self.rng.randrange(7 * 3600, 23 * 3600)

    def single_record_persons(self, system: str) -> list[int]:
        """Record ids of `system` whose person has no other record (changing them moves no link)."""
        return sorted(k[1] for pid, keys in self.records_of.items() if len(keys) == 1 and keys[0][0] == system
                      and pid > 0 and pid not in self.protected for k in keys)

    # ------------------------------------------------------------------ new persons
    def register_existing_keys(self, map_con, ec_con, members: list[list[str]]):
        """The link keys of every existing record: a new person must never link to an old one."""
        def add(email, first, last, by, country):
            e = norm_email(email)
            if e:
                self.ib.emails.add(e)
            n = norm_name(first, last)
            if n and " " in n and by and country:
                self.ib.l3[(n, by, country)] = -1
        for first, last, email, by, nat in map_con.execute(
                "select first_name, last_name, email, birth_year, nationality from participant"):
            add(email, first, last, by, ALPHA2.get(nat))
        by_of = dict(ec_con.execute("select d.userid, trim(d.data) from mdl_user_info_data d join "
                                    "mdl_user_info_field f on f.id = d.fieldid where f.shortname = 'birthyear'"))
        for uid, email, first, last, country in ec_con.execute(
                "select id, email, firstname, lastname, country from mdl_user where deleted = 0"):
            by = by_of.get(uid)
            add(email, first, last, int(by) if by and by.isdigit() else None, country or None)
        for m in members:
            add(m[1], m[2], m[3], int(m[5]) if m[5].isdigit() else None, m[6] or None)

    def new_person(self, n_map=0, n_ec=0, n_sc=0) -> list[Rec]:
        rng = self.rng
        cons = rng.choice(list(SC_ORG)) if n_sc and not (n_map or n_ec) else rng.choice(CONSTITUENTS)
        g = rng.choices(["F", "M", "X", None], [45, 47, 2, 6])[0]
        p = Person(self.next_pid, g, cons)
        self.next_pid += 1
        p.ident = self.ib.ident(p)
        return self.ib.records(p, n_map=n_map, n_ec=n_ec, n_sc=n_sc)

    # ================================================================== the night
    def run(self) -> Counter:
        landing = self.out / "solicomm"
        prev = _complete_drops(landing)[-1]
        members = _read_sc(prev / "members.csv", len(MEMBER_COLS))
        with sqlite3.connect(self.out / "map.sqlite") as mcon, sqlite3.connect(self.out / "ecampus.sqlite") as econ:
            self.register_existing_keys(mcon, econ, members)
            ec_users = self.new_accounts()
            self.ecampus(econ, ec_users)
            self.map(mcon)
        self.solicomm(landing, prev, members)
        self.platform()
        self.write_truth()
        return self.volume

    def new_accounts(self) -> list[Rec]:
        """New persons of the night: eCampus learners, some also registered in MAP (L1 link)."""
        ec_enrol = self.per_night(T.DIST[2023] * (1 - SC_SHARE))
        self.n_ec_enrol = ec_enrol
        self.map_persons = []
        recs = []
        for _ in range(round(ec_enrol * NEW_ACCOUNT_SHARE)):
            both = self.rng.random() < 0.15
            rs = self.new_person(n_map=int(both), n_ec=1)
            if both:
                self.map_persons.append(rs)
            recs += [r for r in rs if r.system == "ecampus"]
        return recs

    # ------------------------------------------------------------------ eCampus
    def ecampus(self, con, new_users: list[Rec]):
        rng, q = self.rng, lambda sql, *a: con.execute(sql, a).fetchall()
        max_id = lambda t: q(f"select coalesce(max(id), 0) from mdl_{t}")[0][0]
        uid = max_id("user")
        usernames = {u for (u,) in q("select username from mdl_user")}
        users, info = [], []
        for r in new_users:
            uid += 1
            r.rid, r.t_created = uid, self.t()
            row, data = user_rows(r, rng, usernames, modified=r.t_created)
            users.append(row)
            info += data
            self.new_rows.append(("ecampus", r.rid, r.pid))
        con.executemany("insert into mdl_user (id, auth, deleted, suspended, username, email, firstname, lastname, "
                        "country, lang, timecreated, timemodified) values (?,?,?,?,?,?,?,?,?,?,?,?)", users)
        con.executemany("insert into mdl_user_info_data (userid, fieldid, data) values (?,?,?)", info)
        self.volume["ecampus.user (new)"] += len(users)
        # enrolments: the new accounts and returning learners, in self-guided courses (long-lived)
        student = q("select id from mdl_role where shortname = 'student'")[0][0]
        cats = dict(q("select id, idnumber from mdl_course_categories"))
        top = {cid: cats[int(path.split("/")[1])] for cid, path in q("select id, path from mdl_course_categories")}
        courses = [c for c, cat in q("select id, category from mdl_course where visible = 1 order by id")
                   if top.get(cat) == "selfguided"]
        ctx = dict(q("select instanceid, id from mdl_context where contextlevel = 50"))
        instances = defaultdict(dict)
        for eid, method, cid in q("select id, enrol, courseid from mdl_enrol where status = 0"):
            instances[cid].setdefault(method, eid)
        pairs = set(q("select ra.userid, x.instanceid from mdl_role_assignments ra join mdl_context x "
                      "on x.id = ra.contextid where x.contextlevel = 50"))
        learners = [u for (u,) in q("select distinct ra.userid from mdl_role_assignments ra join mdl_user u on "
                                    "u.id = ra.userid where ra.roleid = ? and u.deleted = 0 and u.auth <> 'nologin' "
                                    "and u.id > 2 order by 1", student)]
        learners = [u for u in learners if self.person_of.get(("ecampus", u), 0) > 0]
        who = [r.rid for r in new_users]
        who += [rng.choice(learners) for _ in range(self.n_ec_enrol - len(who))]
        ue_id, ra_id = max_id("user_enrolments"), max_id("role_assignments")
        ues, ras = [], []
        for u in who:
            for _ in range(20):
                c = rng.choice(courses)
                if (u, c) not in pairs:
                    break
            pairs.add((u, c))
            t = self.t()
            ue_id += 1
            ra_id += 1
            inst = instances[c].get("self") or instances[c].get("manual")
            ues.append((ue_id, 0, inst, u, 0 if rng.random() < 0.1 else t, 0, 2, t, t))
            ras.append((ra_id, student, ctx[c], u, t))
        con.executemany("insert into mdl_user_enrolments (id, status, enrolid, userid, timestart, timeend, "
                        "modifierid, timecreated, timemodified) values (?,?,?,?,?,?,?,?,?)", ues)
        con.executemany("insert into mdl_role_assignments (id, roleid, contextid, userid, timemodified) "
                        "values (?,?,?,?,?)", ras)
        self.volume["ecampus.user_enrolments (new)"] += len(ues)
        self.volume["ecampus.role_assignments (new)"] += len(ras)
        self.attempts(con, student)
        # updates: profile edits of learners (language), enrolments suspended by their tutor
        for u in rng.sample(learners, 5 * self.scale):
            con.execute("update mdl_user set lang = ?, timemodified = ? where id = ?",
                        (rng.choice(["en", "fr", "es", "pt", "ar"]), self.t(), u))
        old = q("select id from mdl_user_enrolments where status = 0 and id <= ? order by id", ue_id - len(ues))
        for (e,) in rng.sample(old, 3 * self.scale):
            con.execute("update mdl_user_enrolments set status = 1, timemodified = ? where id = ?", (self.t(), e))
        self.volume["ecampus.user (updated)"] += 5 * self.scale
        self.volume["ecampus.user_enrolments (updated)"] += 3 * self.scale
        # deletion: an account nobody counts (no enrolment, no role), its person's only record
        idle = {u for (u,) in q("select id from mdl_user u where deleted = 0 and auth = 'manual' and id > 2 and not "
                                "exists (select 1 from mdl_user_enrolments e where e.userid = u.id) and not exists "
                                "(select 1 from mdl_role_assignments a where a.userid = u.id)")}
        for u in rng.sample([u for u in self.single_record_persons("ecampus") if u in idle], self.scale):
            email, = q("select email from mdl_user where id = ?", u)[0]
            tdel = self.t()
            uname = f"{email.strip().lower()}.{tdel}"
            con.execute("update mdl_user set deleted = 1, username = ?, email = ?, timemodified = ? where id = ?",
                        (uname, md5_hash(uname), tdel, u))
            con.execute("delete from mdl_user_info_data where userid = ?", (u,))
            self.volume["ecampus.user (deleted)"] += 1

    def attempts(self, con, student: int):
        """Post-test attempts of the night, on (user, quiz) pairs with no attempt yet (a new attempt of an
        old pair could become its best one and move an earlier year's 2.1)."""
        rng, q = self.rng, lambda sql, *a: con.execute(sql, a).fetchall()
        quizzes = q("select q.id, q.course, q.sumgrades from mdl_quiz q join mdl_course_modules cm on "
                    "cm.instance = q.id join mdl_modules m on m.id = cm.module and m.name = 'quiz' "
                    "where cm.idnumber like 'postkat%' order by q.id")
        by_course = defaultdict(list)
        for qid, cid, sg in quizzes:
            by_course[cid].append((qid, sg))
        tried = set(q("select userid, quiz from mdl_quiz_attempts"))
        students = q("select ra.userid, x.instanceid from mdl_role_assignments ra join mdl_context x on "
                     "x.id = ra.contextid and x.contextlevel = 50 join mdl_user u on u.id = ra.userid "
                     "where ra.roleid = ? and u.deleted = 0 order by ra.id desc limit 20000", student)
        cand = sorted({(u, qid, sg) for u, cid in students for qid, sg in by_course.get(cid, ())
                       if (u, qid) not in tried})
        n = self.per_night(len(q("select 1 from mdl_quiz_attempts where timestart >= ? and timestart < ?",
                                 calendar.timegm((2023, 1, 1, 0, 0, 0)), calendar.timegm((2024, 1, 1, 0, 0, 0))))
                           / self.scale)
        aid = q("select coalesce(max(id), 0) from mdl_quiz_attempts")[0][0]
        rows = []
        for u, qid, sg in rng.sample(cand, min(n, len(cand))):
            start = self.t()
            for attempt in (1, 2) if rng.random() < 0.15 else (1,):
                aid += 1
                state = "finished" if attempt == 2 or rng.random() < 0.9 else rng.choice(["inprogress", "abandoned"])
                end = start + rng.randrange(300, 2400)
                grade = round(float(sg) * rng.betavariate(4, 2) * 2) / 2 if state == "finished" else None
                rows.append((aid, qid, u, attempt, state, 0, start, end if state == "finished" else 0, grade))
                start = end + rng.randrange(60, 1800)
        con.executemany("insert into mdl_quiz_attempts (id, quiz, userid, attempt, state, preview, timestart, "
                        "timefinish, sumgrades) values (?,?,?,?,?,?,?,?,?)", rows)
        self.volume["ecampus.quiz_attempts (new)"] += len(rows)

    # ------------------------------------------------------------------ MAP
    def map(self, con):
        rng, q = self.rng, lambda sql, *a: con.execute(sql, a).fetchall()
        ts = lambda: _ts(self.t())
        # activities opened for registration tonight
        codes = {c for (c,) in q("select activity_code from activity")}
        aid = q("select max(activity_id) from activity")[0][0]
        acts = []
        for _ in range(self.per_night(T.TRAINING[2023] + sum(T.NON_TRAINING[2023]))):
            aid += 1
            code = f"A{rng.randrange(9700000, 9999999)}"
            while code in codes:
                code = f"A{rng.randrange(9700000, 9999999)}"
            codes.add(code)
            kinds = [("standard_course", "campus"), ("standard_course", "distance"), ("tailored_course", "field"),
                     ("standard_course", "blended"), ("advisory_service", None), ("event_facilitation", None)]
            st, mode = rng.choice(kinds[:4] if not acts else kinds)  # at least one course to register to
            start = self.day + dt.timedelta(days=rng.randrange(30, 150))
            acts.append((aid, code, f"New activity {code}", st, mode, int(mode is not None and rng.random() < 0.3),
                         "ACTEMP", None, None,
                         start.isoformat(), (start + dt.timedelta(days=rng.randrange(3, 40))).isoformat(), "planned",
                         int(rng.random() < 0.5), int(rng.random() < 0.3), rng.randint(0, 3), rng.randint(0, 3),
                         rng.randint(0, 2), None, ts()))
        con.executemany(f"insert into activity values ({','.join('?' * 19)})", acts)
        self.volume["map.activity (new)"] += len(acts)
        # new participants (the new persons registered in MAP)
        pid = q("select max(participant_id) from participant")[0][0]
        parts = []
        for recs in self.map_persons:
            for r in recs:
                if r.system != "map":
                    continue
                pid += 1
                r.rid = pid
                parts.append((pid, r.first, r.last, r.email, r.gender, r.by, ALPHA3.get(r.country),
                              r.constituent, _institution(r, rng), r.link.rid if r.link is not None else None, ts()))
                self.new_rows.append(("map", pid, r.pid))
        con.executemany(f"insert into participant values ({','.join('?' * 11)})", parts)
        self.volume["map.participant (new)"] += len(parts)
        # registrations to activities not started yet: tonight's new participants and returning ones
        upcoming = [a for (a,) in q("select activity_id from activity where status in ('planned', 'confirmed') "
                                    "and start_date > ? and service_type in ('standard_course', "
                                    "'tailored_course') order by 1", self.day.isoformat())]
        participants = [p for (p,) in q("select participant_id from participant where first_name is not null "
                                        "order by 1")]
        rid = q("select max(registration_id) from registration")[0][0]
        regs = []
        for k in range(self.per_night(T.F2F[2023] * 1.3)):
            rid += 1
            t = ts()
            who = parts[k][0] if k < len(parts) else rng.choice(participants)
            regs.append((rid, rng.choice(upcoming), who, "registered", int(rng.random() < 0.1), t, t))
        con.executemany("insert into registration values (?,?,?,?,?,?,?)", regs)
        self.volume["map.registration (new)"] += len(regs)
        # updates: a participant's institution (its person's only MAP record: the priority stays), a planned
        # activity confirmed, a registration cancelled
        live = {p for (p,) in q("select participant_id from participant where first_name is not null and "
                                "coalesce(email, '') not like '%@ilo.org%'")}
        single = [p for p in self.single_record_persons("map") if p in live]
        updated = rng.sample(single, 5 * self.scale)
        for p in updated:
            con.execute("update participant set institution = ?, updated_at = ? where participant_id = ?",
                        (rng.choice(["Ministry of Labour", "University", "Private company", "Oxfam"]), ts(), p))
        planned = q("select activity_id from activity where status = 'planned' and activity_id <= ? order by 1",
                    aid - len(acts))
        for (a,) in rng.sample(planned, min(len(planned), 2 * self.scale)):
            con.execute("update activity set status = 'confirmed', updated_at = ? where activity_id = ?", (ts(), a))
        open_regs = q("select r.registration_id from registration r join activity a using (activity_id) where "
                      "r.status = 'registered' and a.status in ('planned', 'confirmed') and r.registration_id <= ? "
                      "order by 1", rid - len(regs))
        for (r,) in rng.sample(open_regs, min(len(open_regs), 3 * self.scale)):
            con.execute("update registration set status = 'cancelled', updated_at = ? where registration_id = ?",
                        (ts(), r))
        self.volume["map.participant (updated)"] += 5 * self.scale
        self.volume["map.activity (updated)"] += min(len(planned), 2 * self.scale)
        self.volume["map.registration (updated)"] += min(len(open_regs), 3 * self.scale)
        # erasure on request (map.md): names, e-mail and birth year nulled; group, gender, nationality kept
        for p in rng.sample([p for p in single if p not in updated], self.scale):
            con.execute("update participant set first_name = null, last_name = null, email = null, birth_year = "
                        "null, institution = null, updated_at = ? where participant_id = ?", (ts(), p))
            self.volume["map.participant (erased)"] += 1

    # ------------------------------------------------------------------ SoliComm
    def solicomm(self, landing: Path, prev: Path, members: list[list[str]]):
        rng, day = self.rng, self.day
        courses = _read_sc(prev / "courses.csv", len(COURSE_COLS))
        enrols = _read_sc(prev / "enrolments.csv", len(ENROL_COLS))
        ids = self.state.get("solicomm_last_ids") or {"member_id": _last_id(landing, "members.csv"),
                                                       "enrolment_id": _last_id(landing, "enrolments.csv")}
        mid, eid = ids["member_id"], ids["enrolment_id"]
        n_enrol = self.per_night(T.DIST[2023] * SC_SHARE)
        new = []
        for _ in range(round(n_enrol * NEW_ACCOUNT_SHARE)):
            r = self.new_person(n_sc=1)[0]
            mid += 1
            r.rid, r.t_created, r.t_updated = mid, day, day
            new.append(member_row(r))
            self.new_rows.append(("solicomm", r.rid, r.pid))
        # erasure on request: the member and its enrolments leave the snapshot (loaded ones stay counted)
        present = {int(m[0]) for m in members}
        gone = set(rng.sample([m for m in self.single_record_persons("solicomm") if m in present], self.scale))
        members = [m for m in members if int(m[0]) not in gone]
        enrols = [e for e in enrols if int(e[1]) not in gone]
        # updates: members' organisation name, enrolments completed tonight
        for m in rng.sample(members, 5 * self.scale):
            m[8], m[10] = rng.choice(["Ministère / Ministry", "Other organisation", "Confédération syndicale"]) + \
                " (updated)", _d(day)
        active = [e for e in enrols if e[5] == "active"]
        for e in rng.sample(active, min(len(active), 5 * self.scale)):
            e[4], e[5] = _d(day), "completed"
        open_courses = [int(c[0]) for c in courses if c[5] == "0"]
        old_members = [int(m[0]) for m in members]
        who = [int(m[0]) for m in new] + [rng.choice(old_members) for _ in range(n_enrol - len(new))]
        added = []
        for m in who:
            eid += 1
            added.append([eid, m, rng.choice(open_courses), _d(day), "", "active"])
        write_drop(landing / day.isoformat(), day, members + new, courses, enrols + added)
        self.state["solicomm_last_ids"] = {"member_id": mid, "enrolment_id": eid}
        self.volume["solicomm.drop"] += 1
        self.volume["solicomm.members (new)"] += len(new)
        self.volume["solicomm.enrolments (new)"] += len(added)
        self.volume["solicomm.members (updated)"] += 5 * self.scale
        self.volume["solicomm.enrolments (updated)"] += min(len(active), 5 * self.scale)
        self.volume["solicomm.members (erased)"] += len(gone)

    # ------------------------------------------------------------------ one external platform
    def platform(self):
        rng = self.rng
        live = [p for p in plat.PLATFORMS if not p.retired and p.since <= self.day]
        p = rng.choice(live)
        self.platform_code = p.code
        x = p.prefix
        con = sqlite3.connect(self.out / "platforms" / f"{p.code}.sqlite")
        try:
            q = lambda sql, *a: con.execute(sql, a).fetchall()
            b = plat._Builder(p, rng, plat._Names(self.seed))
            b.next_user = q(f"select max(id) from {x}user")[0][0] + 1
            b.used_usernames = {u for (u,) in q(f"select username from {x}user")}
            n = self.per_night(T.EXTERNAL[2023])
            for _ in range(round(n * NEW_ACCOUNT_SHARE)):
                t = self.t()
                b.new_user(t)
                b.users[-1] = b.users[-1][:-1] + (t,)  # created tonight: not modified since
            con.executemany(f"insert into {x}user (id, auth, deleted, suspended, username, email, firstname, "
                            f"lastname, country, lang, timecreated, timemodified) values (?,?,?,?,?,?,?,?,?,?,?,?)",
                            b.users)
            student = q(f"select id from {x}role where shortname = 'student'")[0][0]
            ctx = dict(q(f"select instanceid, id from {x}context where contextlevel = 50"))
            instances = {}
            for eid, cid in q(f"select id, courseid from {x}enrol where status = 0 and enrol in ('self', 'manual') "
                                 f"order by enrol = 'manual', id"):
                instances.setdefault(cid, eid)
            courses = sorted(c for c in instances if c != 1 and c in ctx)
            pairs = set(q(f"select ra.userid, x.instanceid from {x}role_assignments ra join {x}context x on "
                          f"x.id = ra.contextid where x.contextlevel = 50"))
            old = [u for (u,) in q(f"select id from {x}user where deleted = 0 and auth = 'manual' and "
                                   f"username <> 'guest' and id > 2 order by id")]
            who = [u[0] for u in b.users] + [rng.choice(old) for _ in range(n - len(b.users))]
            ue = q(f"select coalesce(max(id), 0) from {x}user_enrolments")[0][0]
            ra = q(f"select coalesce(max(id), 0) from {x}role_assignments")[0][0]
            ues, ras = [], []
            for u in who:
                for _ in range(20):
                    c = rng.choice(courses)
                    if (u, c) not in pairs:
                        break
                else:
                    continue
                pairs.add((u, c))
                t = self.t()
                ue += 1
                ra += 1
                ues.append((ue, 0, instances[c], u, t, 0, t, t))
                ras.append((ra, student, ctx[c], u, t, 2))
            con.executemany(f"insert into {x}user_enrolments (id, status, enrolid, userid, timestart, timeend, "
                            f"timecreated, timemodified) values (?,?,?,?,?,?,?,?)", ues)
            con.executemany(f"insert into {x}role_assignments (id, roleid, contextid, userid, timemodified, "
                            f"modifierid) values (?,?,?,?,?,?)", ras)
            con.commit()
        finally:
            con.close()
        self.platform_counted = len(ues)
        self.volume[f"platform {p.code}.user (new)"] += len(b.users)
        self.volume[f"platform {p.code}.user_enrolments (new)"] += len(ues)

    # ------------------------------------------------------------------ truth
    def write_truth(self):
        rows = sorted([(s, i, p) for (s, i), p in self.person_of.items()] + self.new_rows)
        with open(self.truth / "record_persons_core.csv", "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f)
            wr.writerow(["system", "record_id", "person_id"])
            wr.writerows(rows)
        path = self.truth / "expected_platforms_by_platform.csv"
        with open(path, encoding="utf-8") as f:
            table = list(csv.reader(f))
        header, body = table[0], table[1:]
        key = (self.platform_code, str(self.day.year))
        for r in body:
            if (r[0], r[3]) == key:
                r[4] = str(int(r[4]) + self.platform_counted)
                break
        else:
            p = next(p for p in plat.PLATFORMS if p.code == self.platform_code)
            body.append([p.code, p.group, "true", key[1], str(self.platform_counted)])
            order = {p.code: i for i, p in enumerate(plat.PLATFORMS)}
            body.sort(key=lambda r: (order[r[0]], int(r[3])))
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([header] + body)


def append_day(out: Path, truth: Path, day: int | None = None, date: dt.date | None = None,
               seed: int | None = None, scale: int | None = None) -> dict:
    """Append one night to the demo in `out` (truth in `truth`); returns the night's record in nights.json."""
    out, truth = Path(out), Path(truth)
    meta_path = truth / "demo.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    seed = seed if seed is not None else meta.get("seed")
    scale = scale if scale is not None else meta.get("scale")
    if seed is None or scale is None:
        raise SystemExit(f"{meta_path} is missing: give --seed and --scale of the demo")
    state_path = truth / STATE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else \
        {"base_date": latest_day(out).isoformat(), "nights": []}
    base = dt.date.fromisoformat(state["base_date"])
    last = state["nights"][-1]["night"] if state["nights"] else 0
    if date is not None:
        day = (date - base).days
    day = day if day is not None else last + 1
    if day <= last:
        raise SystemExit(f"night {day} ({base + dt.timedelta(days=day)}) is not after the last appended night "
                         f"{last}: nights are appended in order")
    night = Night(out, truth, day, base + dt.timedelta(days=day), seed, scale, state)
    volume = night.run()
    record = {"night": day, "date": night.day.isoformat(), "volume": dict(sorted(volume.items()))}
    state["nights"].append(record)
    state_path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return record


def parse_date(s: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise ValueError(s)
    return dt.date.fromisoformat(s)
