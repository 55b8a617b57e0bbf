"""A plain-Python reference implementation of methodology.md for the indicators built on MAP, eCampus and
SoliComm (persons, registrations, enrolments, activities), reading the source files directly.

It shares no code with the generator: it is the executable reading of the rule book the generated demo is
checked against, and a reference for the warehouse. One function per rule; no shortcuts through the
generator's ground truth.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
REPO = Path(__file__).resolve().parents[2]
TRAINING = ("standard_course", "tailored_course", "masters_edition")
NON_TRAINING = ("product_development", "advisory_service", "event_facilitation", "communication_campaign")
CORE = ("employers", "workers", "government_labour")
EC_GENDER = {"Female": "F", "Male": "M", "Other": "X", "Prefer not to say": None}
EC_CONSTITUENT_MENU = ["employers", "workers", "government_labour", "government_other", "ilo_staff", "un_staff",
                       "ngo", "private_sector", "academia", "other"]
SC_GENDER = {"F": "F", "M": "M", "O": "X", "": None}
SC_CONSTITUENT = {"trade_union": "workers", "employers_org": "employers", "government": "government_other",
                  "other": "other", "": None}


# ============================================================================ normalisation rules
def alpha3_to_alpha2() -> dict[str, str]:
    with open(REPO / "dbt_project" / "seeds" / "countries.csv", encoding="utf-8") as f:
        return {row["alpha3"]: row["alpha2"] for row in csv.DictReader(f)}


_EMAIL_FORM = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_email(address: str | None) -> str | None:
    """L2: trim, NFKC, lower case, drop +tag; gmail/googlemail: drop dots, use gmail.com. None if unusable."""
    if not address:
        return None
    e = unicodedata.normalize("NFKC", address).strip().lower()
    if not _EMAIL_FORM.fullmatch(e):
        return None   # empty, not local@domain.tld, or a Moodle deleted-user hash
    local, domain = e.rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def normalise_name(first: str | None, last: str | None) -> str:
    """L3: NFKD, drop combining marks, lower case, punctuation and hyphens to spaces, collapse, sort tokens."""
    s = unicodedata.normalize("NFKD", f"{first or ''} {last or ''}")
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in s)
    return " ".join(sorted(s.split()))


def rome_year(epoch_seconds: int) -> int:
    return dt.datetime.fromtimestamp(epoch_seconds, ROME).year


def parse_birth_year(value) -> int | None:
    if value is None:
        return None
    s = str(value).strip()
    return int(s) if re.fullmatch(r"\d{4}", s) else None


# ============================================================================ source records
@dataclass
class Record:
    key: tuple            # (system, id)
    email: str | None     # normalised
    raw_email: str | None
    name: str             # normalised ('' when unknown)
    birth_year: int | None
    country: str | None   # alpha-2
    gender: str | None = None
    constituent: str | None = None
    updated: str = ""     # for MAP priority
    ecampus_user_id: int | None = None


@dataclass
class Sources:
    activities: dict = field(default_factory=dict)       # activity_id -> row
    registrations: list = field(default_factory=list)    # (activity_id, participant_id, status)
    records: dict = field(default_factory=dict)          # key -> Record
    ec_enrolments: list = field(default_factory=list)    # (user_id, course_id, year)
    ec_courses: dict = field(default_factory=dict)       # course_id -> (idnumber, top category idnumber)
    sc_enrolments: list = field(default_factory=list)    # (member_id, year)
    sc_report: dict = field(default_factory=dict)        # drop -> status / set-aside counts


def load_map(path: Path, src: Sources) -> None:
    a3 = alpha3_to_alpha2()
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    for row in con.execute("SELECT * FROM activity"):
        src.activities[row["activity_id"]] = dict(row)
    src.registrations = [tuple(r) for r in con.execute(
        "SELECT activity_id, participant_id, status FROM registration")]
    for r in con.execute("SELECT * FROM participant"):
        key = ("map", r["participant_id"])
        src.records[key] = Record(key, normalise_email(r["email"]), r["email"],
                                  normalise_name(r["first_name"], r["last_name"]), parse_birth_year(r["birth_year"]),
                                  a3.get(r["nationality"]) if r["nationality"] else None, r["gender"],
                                  r["constituent_group"], r["updated_at"], r["ecampus_user_id"])
    con.close()


def load_ecampus(path: Path, src: Sources, prefix: str = "mdl_") -> None:
    con = sqlite3.connect(path)
    p = prefix
    fields = {fid: name for fid, name in con.execute(f"SELECT id, shortname FROM {p}user_info_field")}
    profile: dict[int, dict] = defaultdict(dict)
    for uid, fid, data in con.execute(f"SELECT userid, fieldid, data FROM {p}user_info_data"):
        profile[uid][fields.get(fid)] = data
    menu = dict(zip(["Employers' organisation", "Workers' organisation", "Ministry of Labour",
                     "Other government institution", "ILO", "Other UN agency", "NGO", "Private sector", "Academia",
                     "Other"], EC_CONSTITUENT_MENU))
    for uid, deleted, email, first, last, country, tmod in con.execute(
            f"SELECT id, deleted, email, firstname, lastname, country, timemodified FROM {p}user"):
        prof = profile.get(uid, {})
        key = ("ecampus", uid)
        src.records[key] = Record(key, None if deleted else normalise_email(email), None if deleted else email,
                                  normalise_name(first, last), parse_birth_year(prof.get("birthyear")),
                                  country or None, EC_GENDER.get(prof.get("gender")),
                                  menu.get(prof.get("constituent")), str(tmod))
    # courses: idnumber and the idnumber of the top-level category
    cats = {cid: (idn, path) for cid, idn, path in con.execute(f"SELECT id, idnumber, path FROM {p}course_categories")}
    for cid, cat, idn in con.execute(f"SELECT id, category, idnumber FROM {p}course"):
        top = None
        if cat in cats:
            top_id = int(cats[cat][1].strip("/").split("/")[0])
            top = cats.get(top_id, (None,))[0]
        src.ec_courses[cid] = (idn or "", top)
    # learner enrolments: student role in the course context + an enrolment instance row of that course;
    # not the guest, not deleted, not nologin; year from the earliest start of the pair
    excluded = {uid for uid, in con.execute(
        f"SELECT id FROM {p}user WHERE deleted = 1 OR username = 'guest' OR auth = 'nologin'")}
    student_role = {rid for rid, in con.execute(f"SELECT id FROM {p}role WHERE shortname = 'student'")}
    course_of_context = {cx: inst for cx, inst in con.execute(
        f"SELECT id, instanceid FROM {p}context WHERE contextlevel = 50")}
    students = {(uid, course_of_context[cx]) for rid, cx, uid in con.execute(
        f"SELECT roleid, contextid, userid FROM {p}role_assignments") if rid in student_role and cx in course_of_context}
    course_of_enrol = dict(con.execute(f"SELECT id, courseid FROM {p}enrol"))
    earliest: dict[tuple, int] = {}
    for enrolid, uid, tstart, tcreated in con.execute(
            f"SELECT enrolid, userid, timestart, timecreated FROM {p}user_enrolments"):
        pair = (uid, course_of_enrol.get(enrolid))
        if pair[1] in (None, 1) or uid in excluded or pair not in students:
            continue
        t = tstart if tstart != 0 else tcreated
        if pair not in earliest or t < earliest[pair]:
            earliest[pair] = t
    rows = [(uid, cid, t) for (uid, cid), t in earliest.items()]
    src.ec_enrolments = [(uid, cid, rome_year(t)) for uid, cid, t in rows]
    con.close()


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1252")
    return list(csv.reader(text.splitlines(), delimiter=";", quotechar='"'))


def _date(s: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(s, "%d/%m/%Y").date()
    except ValueError:
        return None


def drop_is_complete(folder: Path) -> tuple[bool, str]:
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return False, "no manifest"
    m = json.loads(manifest.read_text(encoding="utf-8"))
    for name, meta in m["files"].items():
        f = folder / name
        if not f.exists():
            return False, f"{name} missing"
        if hashlib.sha256(f.read_bytes()).hexdigest() != meta["sha256"]:
            return False, f"{name} checksum"
        if len(_read_csv(f)) - 1 != meta["rows"]:
            return False, f"{name} rows"
    return True, "ok"


def load_solicomm(landing: Path, src: Sources) -> None:
    """Every complete drop in date order; members' latest version wins; enrolments are never dropped."""
    members: dict[int, list[str]] = {}
    enrolments: dict[int, list[str]] = {}
    for folder in sorted(d for d in landing.iterdir() if d.is_dir()):
        ok, why = drop_is_complete(folder)
        if not ok:
            src.sc_report[folder.name] = why
            continue
        set_aside = 0
        m_rows, c_rows, e_rows = (_read_csv(folder / n) for n in ("members.csv", "courses.csv", "enrolments.csv"))
        these_members, these_courses = {}, set()
        for row in m_rows[1:]:
            if len(row) != len(m_rows[0]) or _date(row[9]) is None:
                set_aside += 1
                continue
            these_members[int(row[0])] = row
        for row in c_rows[1:]:
            if len(row) != len(c_rows[0]):
                set_aside += 1
                continue
            these_courses.add(int(row[0]))
        for row in e_rows[1:]:
            if (len(row) != len(e_rows[0]) or _date(row[3]) is None or int(row[1]) not in these_members
                    or int(row[2]) not in these_courses):
                set_aside += 1
                continue
            enrolments[int(row[0])] = row
        members.update(these_members)
        src.sc_report[folder.name] = f"loaded, {set_aside} rows set aside"
    for mid, row in members.items():
        key = ("solicomm", mid)
        src.records[key] = Record(key, normalise_email(row[1]), row[1], normalise_name(row[2], row[3]),
                                  parse_birth_year(row[5]), row[6] or None, SC_GENDER.get(row[4]),
                                  SC_CONSTITUENT.get(row[7]))
    src.sc_enrolments = [(int(row[1]), _date(row[3]).year) for row in enrolments.values()]


def load_sources(out: Path) -> Sources:
    src = Sources()
    load_map(out / "map.sqlite", src)
    load_ecampus(out / "ecampus.sqlite", src)
    load_solicomm(out / "solicomm", src)
    return src


# ============================================================================ identity resolution
class UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def shared_mailbox_excluded(a: Record, b: Record) -> bool:
    """Same address, different people: both birth years known and different, or both names known and
    sharing no token."""
    if a.birth_year and b.birth_year and a.birth_year != b.birth_year:
        return True
    return bool(a.name and b.name and not set(a.name.split()) & set(b.name.split()))


def resolve_persons(records: dict) -> dict:
    """record key -> person key (the smallest record key of its connected group)."""
    uf = UnionFind()
    for key in records:
        uf.find(key)
    # L1: MAP link to an eCampus account
    for key, r in records.items():
        if key[0] == "map" and r.ecampus_user_id is not None and ("ecampus", r.ecampus_user_id) in records:
            uf.union(key, ("ecampus", r.ecampus_user_id))
    # L2: equal normalised e-mail, except shared mailboxes
    by_email = defaultdict(list)
    for r in records.values():
        if r.email:
            by_email[r.email].append(r)
    for group in by_email.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                if not shared_mailbox_excluded(group[i], group[j]):
                    uf.union(group[i].key, group[j].key)
    # L3: equal normalised name (>= 2 tokens), birth year and country
    by_l3 = defaultdict(list)
    for r in records.values():
        if r.name.count(" ") >= 1 and r.birth_year and r.country:
            by_l3[(r.name, r.birth_year, r.country)].append(r.key)
    for keys in by_l3.values():
        for k in keys[1:]:
            uf.union(keys[0], k)
    return {key: uf.find(key) for key in records}


@dataclass
class PersonAttributes:
    gender: str | None
    constituent: str | None
    ilo_official: bool


def person_attributes(records: dict, person_of: dict) -> dict:
    """First source that has the value: most recently updated MAP record, eCampus profile, SoliComm member."""
    members = defaultdict(list)
    for key, person in person_of.items():
        members[person].append(records[key])
    out = {}
    for person, recs in members.items():
        maps = sorted((r for r in recs if r.key[0] == "map"), key=lambda r: r.updated, reverse=True)
        ecs = sorted((r for r in recs if r.key[0] == "ecampus"), key=lambda r: r.updated, reverse=True)
        scs = [r for r in recs if r.key[0] == "solicomm"]

        def first_known(attr):
            if maps and getattr(maps[0], attr) is not None:
                return getattr(maps[0], attr)
            for r in ecs + scs:
                if getattr(r, attr) is not None:
                    return getattr(r, attr)
            return None
        constituent = first_known("constituent")
        ilo = constituent == "ilo_staff" or any(r.email and r.email.endswith("@ilo.org") for r in recs)
        out[person] = PersonAttributes(first_known("gender"), constituent, ilo)
    return out


# ============================================================================ counted events
@dataclass
class Event:
    kind: str          # 'f2f' or 'distance'
    year: int
    person: tuple
    blended: bool = False
    gender_specific: bool = False


def distance_course_ids(src: Sources) -> set[int]:
    codes = {a["activity_code"]: a for a in src.activities.values()}
    out = set()
    for cid, (idnumber, top) in src.ec_courses.items():
        if cid == 1:
            continue
        act = codes.get(idnumber) if idnumber else None
        if act is not None:
            if act["service_type"] in ("standard_course", "tailored_course") and act["delivery_mode"] == "distance":
                out.add(cid)
        elif top in ("selfguided", "tutored"):
            out.add(cid)
    return out


def counted_events(src: Sources, person_of: dict) -> list[Event]:
    events = []
    acts = src.activities
    for aid, pid, status in src.registrations:
        a = acts[aid]
        if (status == "attended" and a["status"] == "delivered"
                and a["service_type"] in ("standard_course", "tailored_course")
                and a["delivery_mode"] in ("campus", "field", "blended")):
            events.append(Event("f2f", int(a["start_date"][:4]), person_of[("map", pid)],
                                a["delivery_mode"] == "blended", a["gender_marker"] == 3))
    dist = distance_course_ids(src)
    gm3_codes = {a["activity_code"] for a in acts.values() if a["gender_marker"] == 3}
    for uid, cid, year in src.ec_enrolments:
        if cid in dist:
            events.append(Event("distance", year, person_of[("ecampus", uid)],
                                gender_specific=src.ec_courses[cid][0] in gm3_codes))
    for mid, year in src.sc_enrolments:
        events.append(Event("distance", year, person_of[("solicomm", mid)]))
    return events


# ============================================================================ indicators
def pct(n, d):
    return 100.0 * n / d if d else None


def compute(out: Path, external: dict, external_employers: dict,
            periods: dict[str, tuple[int, ...]]) -> dict[tuple[str, str, str], float]:
    """Figures of the core indicators for each period; `external*` are the external-platform enrolments
    per period (needed for 1.1c core share), produced by another part."""
    src = load_sources(out)
    person_of = resolve_persons(src.records)
    attrs = person_attributes(src.records, person_of)
    events = counted_events(src, person_of)
    acts = list(src.activities.values())
    res: dict[tuple[str, str, str], float] = {}
    for period, years in periods.items():
        f2f = [e for e in events if e.kind == "f2f" and e.year in years]
        dist = [e for e in events if e.kind == "distance" and e.year in years]
        woman = lambda e: attrs[e.person].gender == "F"
        group = lambda e: attrs[e.person].constituent
        ilo = lambda e: attrs[e.person].ilo_official
        res[("1.1a", "face_to_face_registrations", period)] = len(f2f)
        res[("1.1a", "women_share", period)] = pct(sum(map(woman, f2f)), len(f2f))
        res[("1.1b", "distance_enrolments", period)] = len(dist)
        res[("1.1b", "unique_distance_learners", period)] = len({e.person for e in dist})
        res[("1.1b", "women_share", period)] = pct(sum(map(woman, dist)), len(dist))
        for measure, code in (("employers", "employers"), ("workers", "workers"),
                              ("labour_ministries", "government_labour")):
            res[("1.1a", measure, period)] = sum(group(e) == code for e in f2f)
            res[("1.1b", measure, period)] = sum(group(e) == code for e in dist)
        res[("1.1a", "blended_share", period)] = pct(sum(e.blended for e in f2f), len(f2f))
        res[("1.1c", "women_share", period)] = pct(sum(map(woman, f2f + dist)), len(f2f) + len(dist))
        if period in external:
            core = sum(group(e) in CORE for e in f2f + dist) + external_employers[period]
            res[("1.1c", "core_constituent_share", period)] = pct(core, len(f2f) + len(dist) + external[period])
        res[("1.5", "ilo_officials_face_to_face", period)] = sum(map(ilo, f2f))
        res[("1.5", "ilo_officials_unique_distance", period)] = len({e.person for e in dist if ilo(e)})
        trained = {e.person for e in f2f + dist if ilo(e)}
        res[("B.2", "women_among_ilo_officials_share", period)] = pct(
            sum(attrs[p].gender == "F" for p in trained), len(trained))
        gs = [e for e in f2f + dist if ilo(e) and e.gender_specific]
        res[("B.3", "men_in_gender_training_share", period)] = pct(
            sum(attrs[e.person].gender == "M" for e in gs), len(gs))
        # masters students: distinct persons
        masters = {person_of[("map", pid)] for aid, pid, st in src.registrations
                   if st == "attended" and src.activities[aid]["service_type"] == "masters_edition"
                   and src.activities[aid]["status"] == "delivered"
                   and int(src.activities[aid]["start_date"][:4]) in years}
        res[("1.3", "masters_students", period)] = len(masters)
        # activity-based
        delivered = [a for a in acts if a["status"] == "delivered" and int(a["start_date"][:4]) in years]
        tr = [a for a in delivered if a["service_type"] in TRAINING]
        nt = [a for a in delivered if a["service_type"] in NON_TRAINING]
        op = [a for a in delivered if a["is_open_course"]]
        res[("1.4", "ilo_partnership_share", period)] = pct(sum(a["ilo_partnership"] for a in tr), len(tr))
        res[("1.6", "other_partnership_share", period)] = pct(sum(a["other_partnership"] for a in tr), len(tr))
        res[("1.7", "non_training_share", period)] = pct(len(nt), len(tr) + len(nt))
        res[("2.9", "diploma_programme_share", period)] = pct(sum(a["programme_code"] is not None for a in tr),
                                                              len(tr))
        res[("A.1", "open_courses_ils_share", period)] = pct(sum(a["ils_marker"] >= 2 for a in op), len(op))
        res[("A.1", "open_courses_sdt_share", period)] = pct(sum(a["sdt_marker"] >= 2 for a in op), len(op))
        res[("B.1", "open_courses_gender_share", period)] = pct(sum(a["gender_marker"] >= 2 for a in op), len(op))
    if "2022-23" in periods and "2020-21" in periods:
        direct = lambda p: res[("1.1a", "face_to_face_registrations", p)] + res[("1.1b", "distance_enrolments", p)]
        res[("1.A", "direct_enrolment_growth", "2022-23")] = 100.0 * (direct("2022-23") / direct("2020-21") - 1)
    res["_solicomm_report"] = src.sc_report
    return res
