"""Writers of the core sources in their contract shapes: map.sqlite (activity, participant, registration),
ecampus.sqlite (mdl_ user/profile/course/enrolment/role tables) and the SoliComm landing folder."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from pathlib import Path

from .identity import EC_CONSTITUENT, EC_GENDER, SC_GENDER, SC_ORG, Rec, md5_hash
from .refdata import ALPHA3, ascii_slug
from .world import Course, World, epoch

TS = "%Y-%m-%d %H:%M:%S"


def _ts(e: int) -> str:
    return dt.datetime.fromtimestamp(e, dt.timezone.utc).replace(tzinfo=None).strftime(TS)


# ====================================================================== MAP
def write_map(w: World, path: Path):
    rng = w.rng
    con = sqlite3.connect(path)
    con.executescript("""
    CREATE TABLE activity (activity_id INTEGER PRIMARY KEY, activity_code TEXT NOT NULL UNIQUE, title TEXT,
      service_type TEXT NOT NULL, delivery_mode TEXT, is_open_course INTEGER NOT NULL, technical_programme TEXT,
      pb_outcome TEXT, programme_code TEXT, start_date TEXT, end_date TEXT, status TEXT NOT NULL,
      ilo_partnership INTEGER NOT NULL, other_partnership INTEGER NOT NULL, ils_marker INTEGER, sdt_marker INTEGER,
      gender_marker INTEGER, ecampus_course_id INTEGER, updated_at TEXT NOT NULL);
    CREATE TABLE participant (participant_id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
      gender TEXT, birth_year INTEGER, nationality TEXT, constituent_group TEXT, institution TEXT,
      ecampus_user_id INTEGER, updated_at TEXT NOT NULL);
    CREATE TABLE registration (registration_id INTEGER PRIMARY KEY,
      activity_id INTEGER NOT NULL REFERENCES activity(activity_id),
      participant_id INTEGER NOT NULL REFERENCES participant(participant_id), status TEXT NOT NULL,
      fellowship INTEGER NOT NULL, registered_at TEXT, updated_at TEXT NOT NULL);
    """)
    con.executemany("INSERT INTO activity VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (a.activity_id, a.code, a.title, a.service_type, a.mode, int(a.is_open), a.tp, a.pb, a.programme,
         a.start.isoformat(), a.end.isoformat(), a.status, int(a.ilo), int(a.other), a.ils, a.sdt, a.gm,
         a.course_id, a.updated_at.strftime(TS)) for a in sorted(w.acts, key=lambda a: a.activity_id)])
    # participants: ids in order of their first update; a person's records in planned order (latest last)
    rows = []
    for p in w.persons:
        maps = [r for r in p.recs if r.system == "map"]
        if not maps:
            continue
        t = epoch(dt.date(2018, 1, 1)) + rng.randrange(0, 5 * 365 * 86400)
        for r in maps:
            r.t_updated = t
            t += rng.randrange(86400, 400 * 86400)
        if maps[-1].erased:
            maps[-1].t_updated = max(maps[-1].t_updated, epoch(dt.date(2023, 6, 1)) + rng.randrange(0, 200 * 86400))
    recs = sorted(w.map_recs, key=lambda r: (r.t_updated, r.pid))
    for n, r in enumerate(recs, start=1):
        r.rid = n
    for r in recs:
        inst = _institution(r, rng)
        rows.append((r.rid, r.first, r.last, r.email, r.gender, r.by, ALPHA3.get(r.country) if r.country else None,
                     r.constituent, inst, r.link.rid if r.link is not None else None, _ts(r.t_updated)))
    con.executemany("INSERT INTO participant VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    regs = []
    for a, r, st, fel in w.registrations:
        t_reg = epoch(a.start) - rng.randrange(3 * 86400, 90 * 86400) + rng.randrange(0, 36000)
        t_upd = epoch(a.end) + rng.randrange(86400, 20 * 86400) if st in ("attended", "no_show") else \
            t_reg + rng.randrange(3600, 30 * 86400)
        regs.append((a.activity_id, r.rid, st, int(fel), t_reg, t_upd))
    regs.sort(key=lambda x: (x[4], x[0], x[1]))
    con.executemany("INSERT INTO registration VALUES (?,?,?,?,?,?,?)",
                    [(n, a, r, st, f, _ts(t1), _ts(t2)) for n, (a, r, st, f, t1, t2) in enumerate(regs, start=1)])
    con.executescript("""
    CREATE INDEX registration_activity_ix ON registration(activity_id);
    CREATE INDEX registration_participant_ix ON registration(participant_id);
    CREATE INDEX participant_ecampus_user_ix ON participant(ecampus_user_id);
    """)
    con.commit()
    con.close()


def _institution(r: Rec, rng) -> str | None:
    if r.erased or r.constituent is None:
        return None
    cc = r.country or "xx"
    return {"employers": f"Federation of employers ({cc})", "workers": f"National trade union confederation ({cc})",
            "government_labour": f"Ministry of Labour ({cc})", "government_other": f"Ministry of Finance ({cc})",
            "ilo_staff": "ILO", "un_staff": "UNDP", "ngo": "Oxfam", "private_sector": "Private company",
            "academia": f"University ({cc})", "other": None}.get(r.constituent)


# ====================================================================== eCampus
ROLES = [(1, "manager"), (2, "coursecreator"), (3, "editingteacher"), (4, "teacher"), (5, "student"), (6, "guest"),
         (7, "user"), (8, "frontpage")]


def assign_ecampus_ids(w: World):
    """Moodle ids follow account creation: done before MAP is written, which stores them (L1 link)."""
    rng = w.rng
    # ---- extra accounts: staff (tutors, managers), service accounts; the guest and the admin
    staff, nologin = _extra_accounts(w)
    ecs = w.ec_recs
    first_t: dict[int, int] = {}
    for r, c, t, _role in w.ec_enrol:
        k = id(r)
        if k not in first_t or t < first_t[k]:
            first_t[k] = t
    lo = epoch(dt.date(2015, 6, 1))
    for r in ecs:
        t0 = first_t.get(id(r))
        if w.person_kind[r.pid] in ("staff", "service"):
            r.t_created = lo + rng.randrange(0, 30 * 86400)
        elif t0 is None:
            r.t_created = lo + rng.randrange(0, 8 * 365 * 86400)
        else:
            r.t_created = max(lo, t0 - rng.randrange(600, 400 * 86400))
    ecs_sorted = sorted(ecs, key=lambda r: (r.t_created, r.pid))
    for n, r in enumerate(ecs_sorted, start=3):
        r.rid = n
    w.staff, w.nologin, w.ecs_sorted = staff, nologin, ecs_sorted


def write_ecampus(w: World, path: Path):
    rng = w.rng
    con = sqlite3.connect(path)
    con.executescript("""
    CREATE TABLE mdl_user (id INTEGER PRIMARY KEY, auth TEXT NOT NULL, confirmed INTEGER NOT NULL DEFAULT 1,
      deleted INTEGER NOT NULL, suspended INTEGER NOT NULL, mnethostid INTEGER NOT NULL DEFAULT 1,
      username TEXT NOT NULL, email TEXT NOT NULL, firstname TEXT NOT NULL, lastname TEXT NOT NULL,
      country TEXT NOT NULL, lang TEXT NOT NULL, timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL);
    CREATE TABLE mdl_user_info_field (id INTEGER PRIMARY KEY, shortname TEXT NOT NULL, name TEXT,
      datatype TEXT NOT NULL, param1 TEXT);
    CREATE TABLE mdl_user_info_data (id INTEGER PRIMARY KEY, userid INTEGER NOT NULL, fieldid INTEGER NOT NULL,
      data TEXT NOT NULL);
    CREATE TABLE mdl_course_categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL, idnumber TEXT,
      parent INTEGER NOT NULL, path TEXT NOT NULL, depth INTEGER NOT NULL);
    CREATE TABLE mdl_course (id INTEGER PRIMARY KEY, category INTEGER NOT NULL, fullname TEXT NOT NULL,
      shortname TEXT NOT NULL, idnumber TEXT NOT NULL, startdate INTEGER NOT NULL, enddate INTEGER NOT NULL,
      visible INTEGER NOT NULL, timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL);
    CREATE TABLE mdl_enrol (id INTEGER PRIMARY KEY, enrol TEXT NOT NULL, status INTEGER NOT NULL,
      courseid INTEGER NOT NULL);
    CREATE TABLE mdl_user_enrolments (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, enrolid INTEGER NOT NULL,
      userid INTEGER NOT NULL, timestart INTEGER NOT NULL, timeend INTEGER NOT NULL, modifierid INTEGER,
      timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL);
    CREATE TABLE mdl_context (id INTEGER PRIMARY KEY, contextlevel INTEGER NOT NULL, instanceid INTEGER NOT NULL,
      path TEXT, depth INTEGER);
    CREATE TABLE mdl_role (id INTEGER PRIMARY KEY, name TEXT, shortname TEXT NOT NULL, sortorder INTEGER);
    CREATE TABLE mdl_role_assignments (id INTEGER PRIMARY KEY, roleid INTEGER NOT NULL, contextid INTEGER NOT NULL,
      userid INTEGER NOT NULL, timemodified INTEGER NOT NULL, component TEXT NOT NULL DEFAULT '',
      itemid INTEGER NOT NULL DEFAULT 0);
    CREATE UNIQUE INDEX mdl_user_uname ON mdl_user(mnethostid, username);
    """)
    staff, nologin, ecs_sorted = w.staff, w.nologin, w.ecs_sorted
    guest_t = epoch(dt.date(2014, 3, 1))
    users = [(1, "manual", 0, 0, "guest", "root@localhost", "Guest user", " ", "", "en", guest_t, guest_t),
             (2, "manual", 0, 0, "admin", "ecampus-admin@itcilo.org", "Admin", "User", "IT", "en", guest_t, guest_t)]
    usernames = {"guest", "admin"}
    info = []
    for r in ecs_sorted:
        row, data = user_rows(r, rng, usernames)
        users.append(row)
        info += data
    con.executemany("INSERT INTO mdl_user (id, auth, deleted, suspended, username, email, firstname, lastname, "
                    "country, lang, timecreated, timemodified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", users)
    con.executemany("INSERT INTO mdl_user_info_field VALUES (?,?,?,?,?)", [
        (1, "gender", "Gender", "menu", "Female\nMale\nOther\nPrefer not to say"),
        (2, "birthyear", "Year of birth", "text", "30"),
        (3, "constituent", "Constituent group", "menu", "\n".join(EC_CONSTITUENT.values())),
        (4, "organisation", "Organisation", "text", "255")])
    con.executemany("INSERT INTO mdl_user_info_data (userid, fieldid, data) VALUES (?,?,?)", info)
    # ---- categories, courses, contexts
    cats = []
    for cid, name, idn, parent in w.categories:
        path = f"/{cid}" if parent == 0 else f"/{parent}/{cid}"
        cats.append((cid, name, idn, parent, path, path.count("/")))
    con.executemany("INSERT INTO mdl_course_categories VALUES (?,?,?,?,?,?)", cats)
    con.executemany("INSERT INTO mdl_course VALUES (?,?,?,?,?,?,?,?,?,?)", [
        (c.id, c.category, c.fullname, c.shortname, c.idnumber or "", c.startdate or 0, c.enddate or 0, c.visible,
         c.timecreated, c.timecreated + 86400) for c in w.courses])
    ctx = [(1, 10, 0)]
    cat_ctx, course_ctx = {}, {}
    for cid, *_ in w.categories:
        cat_ctx[cid] = len(ctx) + 1
        ctx.append((len(ctx) + 1, 40, cid))
    for c in w.courses:
        course_ctx[c.id] = len(ctx) + 1
        ctx.append((len(ctx) + 1, 50, c.id))
    con.executemany("INSERT INTO mdl_context (id, contextlevel, instanceid) VALUES (?,?,?)", ctx)
    con.executemany("INSERT INTO mdl_role (id, shortname, sortorder) VALUES (?,?,?)",
                    [(i, s, i) for i, s in ROLES])
    # ---- enrolment instances
    enrol = []
    for c in w.courses:
        methods = ["manual"]
        if c.id == 1:  # the site front page: a legacy manual instance, never a course
            enrol.append((len(enrol) + 1, "manual", 0, 1))
            c.enrol_ids = {"manual": len(enrol)}
            continue
        if c.kind in ("selfguided",):
            methods += ["self", "guest"] if c.id % 3 == 0 else ["self"]
        elif c.kind in ("map_distance", "tutored"):
            methods += ["self"] if c.id % 2 else ["cohort"]
            if c.id % 5 == 0:
                methods.append("guest")
        elif c.kind == "masters":
            methods.append("meta")
        for m in methods:
            enrol.append((len(enrol) + 1, m, 0 if m != "guest" else 1, c.id))
            c.enrol_ids[m] = len(enrol)
    con.executemany("INSERT INTO mdl_enrol VALUES (?,?,?,?)", enrol)
    # ---- user enrolments and role assignments
    ue, ra = [], []
    role_id = {s: i for i, s in ROLES}

    def add_ue(uid, c: Course, t, method=None):
        ids = c.enrol_ids
        m = method or ("self" if "self" in ids and rng.random() < 0.8 else "manual")
        if m not in ids:
            m = "manual"
        u = rng.random()
        if u < 0.1:
            ts, tc = 0, t
        else:
            ts, tc = t, t - (rng.randrange(0, 20 * 86400) if u < 0.2 else 0)
        st = 1 if rng.random() < 0.03 else 0
        te = 0 if rng.random() < 0.7 else ts + 180 * 86400
        ue.append((st, ids[m], uid, ts, te, 2, tc, max(tc, ts) + rng.randrange(0, 86400)))

    for r, c, t, role in w.ec_enrol:
        add_ue(r.rid, c, t)
        if rng.random() < 0.02:  # enrolled a second time through another method, later
            other = [m for m in c.enrol_ids if m not in ("guest",)]
            m2 = rng.choice(other)
            add_ue(r.rid, c, t + rng.randrange(3600, 60 * 86400), method=m2)
        ra.append((role_id[role], course_ctx[c.id], r.rid, t))
    dist = [c for c in w.courses if c.kind in ("selfguided", "map_distance", "tutored")]
    # tutors and managers: enrolled too, but not as students
    for r in staff:
        for c in rng.sample(dist, 6):
            t = rng.randrange(c.lo, c.hi)
            add_ue(r.rid, c, t, method="manual")
            ra.append((role_id[rng.choice(["teacher", "editingteacher", "editingteacher"])], course_ctx[c.id],
                       r.rid, t))
    for r in staff[:5]:
        ra.append((role_id["manager"], cat_ctx[2], r.rid, r.t_created))
        c = rng.choice(dist)
        add_ue(r.rid, c, rng.randrange(c.lo, c.hi), method="manual")
        ra.append((role_id["manager"], course_ctx[c.id], r.rid, r.t_created))
    # service accounts (auth = nologin) and the guest account enrolled as students: not learners
    for r in nologin:
        for c in rng.sample(dist, 3):
            t = rng.randrange(c.lo, c.hi)
            add_ue(r.rid, c, t, method="manual")
            ra.append((role_id["student"], course_ctx[c.id], r.rid, t))
    for c in [c for c in dist if "guest" in c.enrol_ids][:8]:
        t = rng.randrange(c.lo, c.hi)
        add_ue(1, c, t, method="guest")
        ra.append((role_id["student"], course_ctx[c.id], 1, t))
    # accounts enrolled on the site front page (course id 1): never a course
    site = w.courses[0]
    for r in rng.sample([r for r in w.ec_recs if not r.deleted and r.auth != "nologin"], 15 * w.scale):
        t = epoch(dt.date(2020, 1, 1)) + rng.randrange(0, 4 * 365 * 86400)
        add_ue(r.rid, site, t, method="manual")
        ra.append((role_id["student"], course_ctx[1], r.rid, t))
    # half-enrolled accounts of persons counted nowhere: role without enrolment, enrolment without role
    noise = [r for r in w.ec_recs if not r.deleted and w.person_kind[r.pid] == "noise"]
    for k, r in enumerate(rng.sample(noise, min(len(noise), 120 * w.scale))):
        c = rng.choice(dist)
        t = rng.randrange(c.lo, c.hi)
        if k % 2:
            ra.append((role_id["student"], course_ctx[c.id], r.rid, t))
        else:
            add_ue(r.rid, c, t)
    ue_rows = [(n, *row) for n, row in enumerate(sorted(ue, key=lambda x: (x[6], x[2], x[1])), start=1)]
    con.executemany("INSERT INTO mdl_user_enrolments VALUES (?,?,?,?,?,?,?,?,?)", ue_rows)
    ra_rows = [(n, ro, cx, u, t) for n, (ro, cx, u, t) in enumerate(sorted(ra, key=lambda x: (x[3], x[2], x[1])),
                                                                    start=1)]
    con.executemany("INSERT INTO mdl_role_assignments (id, roleid, contextid, userid, timemodified) "
                    "VALUES (?,?,?,?,?)", ra_rows)
    con.executescript("""
    CREATE INDEX mdl_userinfodata_use_ix ON mdl_user_info_data(userid);
    CREATE INDEX mdl_enrol_cou_ix ON mdl_enrol(courseid);
    CREATE INDEX mdl_userenro_enr_ix ON mdl_user_enrolments(enrolid);
    CREATE INDEX mdl_userenro_use_ix ON mdl_user_enrolments(userid);
    CREATE INDEX mdl_cont_conins_ix ON mdl_context(contextlevel, instanceid);
    CREATE INDEX mdl_roleassi_con_ix ON mdl_role_assignments(contextid);
    CREATE INDEX mdl_roleassi_use_ix ON mdl_role_assignments(userid);
    CREATE INDEX mdl_roleassi_rol_ix ON mdl_role_assignments(roleid);
    """)
    con.commit()
    con.close()


LANG = {"FR": "fr", "SN": "fr", "CI": "fr", "CM": "fr", "BJ": "fr", "ES": "es", "MX": "es", "CO": "es", "AR": "es",
        "CL": "es", "PE": "es", "VE": "es", "BR": "pt", "PT": "pt", "RU": "ru", "EG": "ar", "JO": "ar", "CN": "zh_cn"}


def user_rows(r: Rec, rng, usernames: set, modified: int | None = None) -> tuple[tuple, list[tuple]]:
    """One eCampus account: its mdl_user row and its profile rows (userid, fieldid, data). `modified`:
    timemodified when known (an account created tonight), else drawn after timecreated."""
    email = (r.email or "").strip() if not r.deleted else ""
    base = (r.email or "").strip().lower()
    uname = base.replace(" ", "") if base and "@" in base and rng.random() < 0.8 else \
        (ascii_slug(r.first or "") + ascii_slug(r.last or ""))[:20] or f"user{r.rid}"
    while uname in usernames:
        uname = f"{uname}{rng.randint(1, 99)}"
    usernames.add(uname)
    tmod = r.t_created + rng.randrange(0, 200 * 86400) if modified is None else modified
    if r.deleted:
        tdel = tmod
        uname = f"{base or uname}.{tdel}"
        usernames.add(uname)
        email = md5_hash(uname)
    susp = 1 if (not r.deleted and rng.random() < 0.01) else 0
    lang = LANG.get(r.country or "", "en")
    auth = r.auth if r.auth != "manual" else ("oauth2" if rng.random() < 0.2 else "manual")
    row = (r.rid, auth, int(r.deleted), susp, uname, email, r.first or "", r.last or "", r.country or "", lang,
           r.t_created, tmod)
    info = []
    if not r.deleted:
        if r.gender:
            info.append((r.rid, 1, EC_GENDER.get(r.gender, "Prefer not to say")))
        if r.by:
            info.append((r.rid, 2, str(r.by) if rng.random() > 0.02 else f" {r.by}"))
        elif rng.random() < 0.01:
            info.append((r.rid, 2, "n/a"))
        if r.constituent:
            info.append((r.rid, 3, EC_CONSTITUENT[r.constituent]))
    return row, info


def _extra_accounts(w: World):
    """Tutors/managers (ITCILO staff) and nologin service accounts: records of persons of their own."""
    rng = w.rng
    staff, nologin = [], []
    next_pid = max(p.pid for p in w.persons) + 1
    for j in range(60 * w.scale):
        r = Rec("ecampus", next_pid)
        next_pid += 1
        r.first, r.last = rng.choice(["Laura", "Marco", "Chiara", "Paolo", "Elena", "Ahmed", "Sofia"]), \
            rng.choice(["Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo"]) + f"-{j + 1}"
        r.email = f"tutor{j + 1:03d}@itcilo.org"
        r.country = "IT"
        staff.append(r)
    for j in range(20 * w.scale):
        r = Rec("ecampus", next_pid)
        next_pid += 1
        r.first, r.last, r.email, r.auth = "Service", f"Account {j + 1}", f"svc{j + 1:03d}@itcilo.org", "nologin"
        nologin.append(r)
    for r in staff + nologin:
        w.ec_recs.append(r)
        w.person_kind[r.pid] = "staff" if r.auth != "nologin" else "service"
    return staff, nologin


# ====================================================================== SoliComm
DROPS = [("2020-03-31", "ok"), ("2020-06-30", "ok"), ("2020-09-30", "ok"), ("2020-12-31", "ok"),
         ("2021-03-31", "ok"), ("2021-06-30", "ok"), ("2021-09-30", "incomplete"), ("2021-12-31", "ok"),
         ("2022-03-31", "ok"), ("2022-06-30", "ok"), ("2022-09-30", "ok"), ("2022-12-31", "ok"),
         ("2023-03-31", "bad_checksum"), ("2023-06-30", "ok"), ("2023-09-30", "ok"), ("2023-12-31", "ok"),
         ("2024-01-08", "ok")]
UTF8_FROM = dt.date(2022, 6, 1)
MEMBER_COLS = ["member_id", "email", "first_name", "last_name", "gender", "birth_year", "country",
               "organisation_type", "organisation_name", "created_on", "updated_on"]
COURSE_COLS = ["course_id", "code", "title", "language", "self_paced", "archived"]
ENROL_COLS = ["enrolment_id", "member_id", "course_id", "enrolled_on", "completed_on", "status"]


_D_CACHE: dict = {}


def _d(d: dt.date | None) -> str:
    if not d:
        return ""
    s = _D_CACHE.get(d)
    if s is None:
        s = _D_CACHE[d] = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return s


def write_solicomm(w: World, landing: Path):
    rng = w.rng
    drops = [(dt.date.fromisoformat(d), kind) for d, kind in DROPS]
    complete = [d for d, k in drops if k == "ok"]
    first_enr: dict[int, dt.date] = {}
    last_enr: dict[int, dt.date] = {}
    for r, c, d in w.sc_enrol:
        k = id(r)
        first_enr[k] = min(first_enr.get(k, d), d)
        last_enr[k] = max(last_enr.get(k, d), d)
    for r in w.sc_recs:
        f = first_enr.get(id(r))
        r.t_created = (f - dt.timedelta(days=rng.randrange(0, 300))) if f else \
            dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(0, 1600))
        r.t_created = max(r.t_created, dt.date(2019, 1, 15))
        r.t_updated = r.t_created + dt.timedelta(days=rng.randrange(0, 60))
        if r.erased:
            seen = max(last_enr.get(id(r), r.t_created), r.t_updated)
            d_star = next(d for d in complete if d >= seen)
            r.extra = d_star + dt.timedelta(days=rng.randrange(1, 150))   # erased on
    members = sorted(w.sc_recs, key=lambda r: (r.t_created, r.pid))
    for n, r in enumerate(members, start=1):
        r.rid = 10000 + n
    enr = []
    for r, c, d in w.sc_enrol:
        u = rng.random()
        end = None
        status = "active"
        if u < 0.45:
            end, status = d + dt.timedelta(days=rng.randrange(7, 120)), "completed"
        elif u < 0.55:
            end, status = d + dt.timedelta(days=rng.randrange(3, 60)), "withdrawn"
        enr.append((d, r, c, end, status))
    enr.sort(key=lambda x: (x[0], x[1].rid, x[2]))
    enr = [(500000 + n, *e) for n, e in enumerate(enr, start=1)]
    courses = w.sc_courses
    junk_id = 900000000
    rows_of = {id(r): member_row(r) for r in members}
    for di, (d, kind) in enumerate(drops):
        folder = landing / d.isoformat()
        present = {id(r) for r in members if r.t_created <= d and not (r.erased and r.extra <= d)}
        m_rows = [rows_of[id(r)] for r in members if id(r) in present]
        c_rows = [[j + 1, c["code"], c["title"], c["language"], c["self_paced"], c["archived"]]
                  for j, c in enumerate(courses)]
        e_rows = []
        for eid, ed, r, c, end, status in enr:
            if ed > d or id(r) not in present:
                continue
            if end is not None and end <= d:
                e_rows.append([eid, r.rid, c + 1, _d(ed), _d(end) if status == "completed" else "", status])
            else:
                e_rows.append([eid, r.rid, c + 1, _d(ed), "", "active"])
        raw_m, raw_e = [], []
        if di % 3 == 1 and len(e_rows) >= 500:  # the odd malformed line (set aside by the warehouse)
            junk_id += 10
            raw_e = [f"{junk_id + 1};{m_rows[0][0]};3;{_d(d)}",                                   # 4 fields
                     f"{junk_id + 2};{m_rows[1][0]};4;31/02/{d.year};;active",                     # bad date
                     f"{junk_id + 3};99999999;5;{_d(d)};;active",                                  # no member
                     f"{junk_id + 4};{m_rows[2][0]};999;{_d(d)};;active"]                          # no course
        if di % 4 == 2 and len(m_rows) >= 500:
            junk_id += 10
            raw_m = [f"{junk_id};test.import@example.org;Test;Import;;;IT;other;ACME; Inc;{_d(d)};{_d(d)}"]
        write_drop(folder, d, m_rows, c_rows, e_rows, raw_m, raw_e, kind)
    w.sc_enrol_rows = enr
    w.sc_drops = drops


def write_drop(folder: Path, d: dt.date, m_rows, c_rows, e_rows, raw_m=(), raw_e=(), kind="ok") -> None:
    """One SoliComm drop: the three files in the encoding of their date, then the manifest (written last)."""
    folder.mkdir(parents=True, exist_ok=True)
    enc = "utf-8-sig" if d >= UTF8_FROM else "cp1252"
    files = {"members.csv": _csv(MEMBER_COLS, m_rows, raw_m, enc),
             "courses.csv": _csv(COURSE_COLS, c_rows, [], enc),
             "enrolments.csv": _csv(ENROL_COLS, e_rows, raw_e, enc)}
    manifest = {"snapshot_date": d.isoformat(), "files": {}}
    for name, (data, nrows) in files.items():
        (folder / name).write_bytes(data)
        manifest["files"][name] = {"rows": nrows, "sha256": hashlib.sha256(data).hexdigest()}
    if kind == "incomplete":
        return  # the night's drop was interrupted before its manifest
    if kind == "bad_checksum":  # members.csv was rewritten after the manifest had been computed
        manifest["files"]["members.csv"]["sha256"] = hashlib.sha256(files["members.csv"][0] + b"#").hexdigest()
        manifest["files"]["enrolments.csv"]["rows"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def member_row(r: Rec) -> list:
    return [r.rid, (r.email or ""), r.first or "", r.last or "", SC_GENDER.get(r.gender, ""), r.by or "",
            r.country or "", SC_ORG.get(r.constituent, ""), _org_name(r), _d(r.t_created), _d(r.t_updated)]


def _org_name(r: Rec) -> str:
    return {"employers": "Employers' federation", "workers": "Confédération syndicale",
            "government_other": "Ministère / Ministry", "other": "Other organisation"}.get(r.constituent or "", "")


def _csv(cols, rows, raw, enc) -> tuple[bytes, int]:
    buf = io.StringIO()
    wr = csv.writer(buf, delimiter=";", quotechar='"', lineterminator="\r\n")
    wr.writerow(cols)
    wr.writerows(rows)
    text = buf.getvalue()
    for line in raw:
        text += line + "\r\n"
    data = text.encode(enc, errors="replace") if enc == "cp1252" else text.encode("utf-8-sig")
    return data, len(rows) + len(raw)
