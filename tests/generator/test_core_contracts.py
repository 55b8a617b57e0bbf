"""Every source the core part writes conforms to its contract (shared/contracts: map.md, moodle.md,
solicomm.md): tables, required columns, value domains, encodings, manifests."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sqlite3

import pytest

MAP_COLUMNS = {
    "activity": ["activity_id", "activity_code", "title", "service_type", "delivery_mode", "is_open_course",
                 "technical_programme", "pb_outcome", "programme_code", "start_date", "end_date", "status",
                 "ilo_partnership", "other_partnership", "ils_marker", "sdt_marker", "gender_marker",
                 "ecampus_course_id", "updated_at"],
    "participant": ["participant_id", "first_name", "last_name", "email", "gender", "birth_year", "nationality",
                    "constituent_group", "institution", "ecampus_user_id", "updated_at"],
    "registration": ["registration_id", "activity_id", "participant_id", "status", "fellowship", "registered_at",
                     "updated_at"],
}
MOODLE_COLUMNS = {
    "user": ["id", "auth", "deleted", "suspended", "username", "email", "firstname", "lastname", "country", "lang",
             "timecreated", "timemodified"],
    "user_info_field": ["id", "shortname", "datatype", "param1"],
    "user_info_data": ["id", "userid", "fieldid", "data"],
    "course": ["id", "category", "fullname", "shortname", "idnumber", "startdate", "enddate", "visible",
               "timecreated", "timemodified"],
    "course_categories": ["id", "name", "idnumber", "parent", "path"],
    "enrol": ["id", "enrol", "courseid", "status"],
    "user_enrolments": ["id", "status", "enrolid", "userid", "timestart", "timeend", "timecreated", "timemodified"],
    "context": ["id", "contextlevel", "instanceid"],
    "role": ["id", "shortname"],
    "role_assignments": ["id", "roleid", "contextid", "userid"],
}
SOLICOMM_COLUMNS = {
    "members.csv": ["member_id", "email", "first_name", "last_name", "gender", "birth_year", "country",
                    "organisation_type", "organisation_name", "created_on", "updated_on"],
    "courses.csv": ["course_id", "code", "title", "language", "self_paced", "archived"],
    "enrolments.csv": ["enrolment_id", "member_id", "course_id", "enrolled_on", "completed_on", "status"],
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_TS = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def columns(con, table):
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


@pytest.fixture(scope="module")
def map_db(generated_demo):
    con = sqlite3.connect(generated_demo[0] / "map.sqlite")
    yield con
    con.close()


@pytest.fixture(scope="module")
def ecampus_db(generated_demo):
    con = sqlite3.connect(generated_demo[0] / "ecampus.sqlite")
    yield con
    con.close()


# ---------------------------------------------------------------------------- MAP
@pytest.mark.parametrize("table", sorted(MAP_COLUMNS))
def test_map_table_has_contract_columns(map_db, table):
    assert set(MAP_COLUMNS[table]) <= set(columns(map_db, table))


def test_map_value_domains(map_db):
    q = lambda sql: {r[0] for r in map_db.execute(sql)}
    assert q("select distinct service_type from activity") == {
        "standard_course", "tailored_course", "masters_edition", "product_development", "advisory_service",
        "event_facilitation", "communication_campaign"}
    assert q("select distinct delivery_mode from activity") == {None, "campus", "field", "distance", "blended"}
    assert q("select distinct status from activity") == {"planned", "confirmed", "delivered", "cancelled"}
    assert q("select distinct status from registration") == {"registered", "attended", "cancelled", "no_show"}
    assert q("select distinct gender from participant") <= {None, "F", "M", "X"}
    assert q("select distinct constituent_group from participant") <= {
        None, "employers", "workers", "government_labour", "government_other", "ilo_staff", "un_staff", "ngo",
        "private_sector", "academia", "other"}
    for col in ("is_open_course", "ilo_partnership", "other_partnership"):
        assert q(f"select distinct {col} from activity") == {0, 1}
    assert q("select distinct fellowship from registration") == {0, 1}
    for col in ("ils_marker", "sdt_marker", "gender_marker"):
        assert q(f"select distinct {col} from activity") <= {0, 1, 2, 3}
    assert all(len(n) == 3 for n in q("select distinct nationality from participant where nationality is not null"))
    assert map_db.execute("select count(*) from activity where delivery_mode is not null and service_type in "
                          "('product_development','advisory_service','event_facilitation',"
                          "'communication_campaign')").fetchone()[0] == 0


def test_map_dates_and_timestamps_are_iso_text(map_db):
    for s, e, u in map_db.execute("select start_date, end_date, updated_at from activity"):
        assert ISO_DATE.fullmatch(s) and ISO_DATE.fullmatch(e) and ISO_TS.fullmatch(u)
    for r, u in map_db.execute("select registered_at, updated_at from registration"):
        assert ISO_TS.fullmatch(r) and ISO_TS.fullmatch(u)
    assert map_db.execute("select count(*) from participant where updated_at not like '____-__-__ __:__:__'"
                          ).fetchone()[0] == 0


def test_map_keys_and_links(map_db, ecampus_db):
    assert map_db.execute("select count(*) from registration r left join activity a using (activity_id) "
                          "where a.activity_id is null").fetchone()[0] == 0
    assert map_db.execute("select count(*) from registration r left join participant p using (participant_id) "
                          "where p.participant_id is null").fetchone()[0] == 0
    users = {r[0] for r in ecampus_db.execute("select id from mdl_user")}
    links = [r[0] for r in map_db.execute("select ecampus_user_id from participant where ecampus_user_id is not null")]
    assert links and set(links) <= users


def test_map_erased_participants_keep_group_gender_nationality(map_db):
    rows = map_db.execute("select gender, constituent_group, nationality, email, birth_year from participant "
                          "where first_name is null and last_name is null").fetchall()
    assert len(rows) >= 20
    assert all(r[3] is None and r[4] is None for r in rows)
    assert sum(r[1] is not None for r in rows) > len(rows) / 2


# ---------------------------------------------------------------------------- eCampus
@pytest.mark.parametrize("table", sorted(MOODLE_COLUMNS))
def test_moodle_table_has_contract_columns(ecampus_db, table):
    assert set(MOODLE_COLUMNS[table]) <= set(columns(ecampus_db, f"mdl_{table}"))


def test_moodle_conventions(ecampus_db):
    q = lambda sql: ecampus_db.execute(sql).fetchall()
    assert q("select username from mdl_user where id = 1") == [("guest",)]
    assert q("select category from mdl_course where id = 1") == [(0,)]
    tops = {r[0] for r in q("select idnumber from mdl_course_categories where parent = 0")}
    assert {"selfguided", "tutored", "f2f", "masters", "sandbox"} <= tops
    for path, parent, cid in q("select path, parent, id from mdl_course_categories"):
        assert path == (f"/{cid}" if parent == 0 else f"/{parent}/{cid}")
    fields = dict(q("select shortname, param1 from mdl_user_info_field"))
    assert fields["gender"].split("\n") == ["Female", "Male", "Other", "Prefer not to say"]
    assert fields["constituent"].split("\n")[0] == "Employers' organisation"
    assert len(fields["constituent"].split("\n")) == 10
    assert {r[0] for r in q("select shortname from mdl_role")} >= {"student", "teacher", "editingteacher", "manager"}
    # deleted users: username = old e-mail + timestamp, email = MD5 hash, no enrolments
    deleted = q("select id, username, email from mdl_user where deleted = 1")
    assert deleted
    assert all(re.fullmatch(r"[0-9a-f]{32}", e) and re.search(r"\.\d{9,10}$", u) for _, u, e in deleted)
    assert q("select count(*) from mdl_user_enrolments where userid in (select id from mdl_user where deleted = 1)"
             ) == [(0,)]
    assert q("select count(*) from mdl_user where auth = 'nologin'")[0][0] > 0
    assert all(len(r[0]) in (0, 2) for r in q("select distinct country from mdl_user"))


def test_moodle_traps_occur(ecampus_db):
    q = lambda sql: ecampus_db.execute(sql).fetchone()[0]
    assert q("select count(*) from mdl_user_enrolments where timestart = 0") > 1000
    assert q("""select count(*) from (select ue.userid, e.courseid from mdl_user_enrolments ue
               join mdl_enrol e on e.id = ue.enrolid group by 1, 2 having count(*) > 1)""") > 100
    assert q("select count(*) from mdl_course where visible = 0") > 0
    assert q("select count(*) from mdl_user_enrolments where userid = 1") > 0
    assert q("select count(*) from mdl_user_enrolments ue join mdl_enrol e on e.id = ue.enrolid "
             "where e.courseid = 1") > 0
    assert q("""select count(*) from mdl_role_assignments ra join mdl_role r on r.id = ra.roleid
               where r.shortname in ('teacher', 'editingteacher')""") > 100
    # enrolments on 31 December 23:00-23:59 UTC (already the next year in Rome)
    assert q("select count(*) from mdl_user_enrolments where (timestart % 86400) >= 82800 "
             "and strftime('%m-%d', timestart, 'unixepoch') = '12-31'") > 10


# ---------------------------------------------------------------------------- SoliComm
def drops(out):
    return sorted(d for d in (out / "solicomm").iterdir() if d.is_dir())


def test_solicomm_drops_have_the_contract_files(generated_demo):
    ds = drops(generated_demo[0])
    assert len(ds) >= 10
    for d in ds:
        dt.date.fromisoformat(d.name)
        for name in SOLICOMM_COLUMNS:
            assert (d / name).exists(), d / name


def test_solicomm_encoding_follows_the_drop_date(generated_demo):
    for d in drops(generated_demo[0]):
        for name, cols in SOLICOMM_COLUMNS.items():
            data = (d / name).read_bytes()
            if dt.date.fromisoformat(d.name) < dt.date(2022, 6, 1):
                assert not data.startswith(b"\xef\xbb\xbf"), d / name
                text = data.decode("cp1252")
            else:
                assert data.startswith(b"\xef\xbb\xbf"), d / name
                text = data.decode("utf-8-sig")
            header = next(csv.reader([text.splitlines()[0]], delimiter=";"))
            assert header == cols


def test_solicomm_values_and_dates(generated_demo):
    newest = drops(generated_demo[0])[-1]
    text = (newest / "members.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    good = [r for r in rows if None not in r]  # the odd malformed line has extra fields
    assert {r["gender"] for r in good} <= {"F", "M", "O", ""}
    assert {r["organisation_type"] for r in good} <= {"trade_union", "employers_org", "government", "other"}
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r["created_on"]) for r in good)
    assert any(any(ord(ch) > 0x2FF for ch in r["first_name"] + r["last_name"]) for r in good)  # non-Latin
    enr = list(csv.DictReader((newest / "enrolments.csv").read_bytes().decode("utf-8-sig").splitlines(),
                              delimiter=";"))
    assert {r["status"] for r in enr} >= {"active", "completed", "withdrawn"}


def test_solicomm_manifests(generated_demo):
    """Complete drops: manifest rows and sha256 agree; one drop has no manifest, one disagrees."""
    incomplete, inconsistent = [], []
    for d in drops(generated_demo[0]):
        mf = d / "manifest.json"
        if not mf.exists():
            incomplete.append(d.name)
            continue
        m = json.loads(mf.read_text(encoding="utf-8"))
        assert m["snapshot_date"] == d.name
        agree = True
        for name, meta in m["files"].items():
            data = (d / name).read_bytes()
            rows = len(data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252").splitlines()) - 1
            agree &= meta["rows"] == rows and meta["sha256"] == hashlib.sha256(data).hexdigest()
        if not agree:
            inconsistent.append(d.name)
    assert len(incomplete) == 1 and len(inconsistent) == 1
    assert drops(generated_demo[0])[-1].name not in incomplete + inconsistent


def test_solicomm_malformed_rows_stay_under_one_percent(generated_demo):
    for d in drops(generated_demo[0]):
        for name, cols in SOLICOMM_COLUMNS.items():
            data = (d / name).read_bytes()
            text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252")
            rows = list(csv.reader(text.splitlines()[1:], delimiter=";"))
            bad = sum(len(r) != len(cols) for r in rows)
            assert bad <= max(0, len(rows) // 100), (d.name, name, bad)


def test_solicomm_erased_members_vanish_with_their_enrolments(generated_demo):
    ds = [d for d in drops(generated_demo[0]) if (d / "manifest.json").exists()]

    def members(d):
        data = (d / "members.csv").read_bytes()
        text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp1252")
        return {r[0] for r in csv.reader(text.splitlines()[1:], delimiter=";")}
    seen, vanished = set(), set()
    for d in ds:
        m = members(d)
        vanished |= seen - m
        seen |= m
    assert len(vanished) >= 20
    last = (ds[-1] / "enrolments.csv").read_bytes().decode("utf-8-sig")
    assert not {r[1] for r in csv.reader(last.splitlines()[1:], delimiter=";")} & vanished
