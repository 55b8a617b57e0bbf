"""External platforms part of the demo generator: contract conformance, determinism, and an independent
count of indicators 1.2 and 1.1b (employer platforms) straight from the written registry and databases."""
from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from demo.reference import ANNEX1_PUBLISHED_CSV
from zoneinfo import ZoneInfo

import pytest
import yaml

from demo.generator import platforms

SEED = 20231231
ROME = ZoneInfo("Europe/Rome")
PUBLISHED = ANNEX1_PUBLISHED_CSV

MOODLE_COLUMNS = {
    "user": {"id", "auth", "deleted", "suspended", "username", "email", "firstname", "lastname", "country",
             "lang", "timecreated", "timemodified"},
    "course": {"id", "category", "fullname", "shortname", "idnumber", "startdate", "enddate", "visible",
               "timecreated", "timemodified"},
    "course_categories": {"id", "name", "idnumber", "parent", "path"},
    "enrol": {"id", "enrol", "courseid", "status"},
    "user_enrolments": {"id", "status", "enrolid", "userid", "timestart", "timeend", "timecreated",
                        "timemodified"},
    "context": {"id", "contextlevel", "instanceid"},
    "role": {"id", "shortname"},
    "role_assignments": {"id", "roleid", "contextid", "userid"},
}


def _generate(tmp: Path, seed: int = SEED) -> tuple[Path, Path]:
    out, truth = tmp / "out", tmp / "truth"
    out.mkdir(parents=True)
    truth.mkdir(parents=True)
    platforms.generate(out, truth, seed=seed, scale=1)
    return out, truth


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _generate(tmp_path_factory.mktemp("platforms"))


def _registry(out: Path) -> list[dict]:
    return yaml.safe_load((out / "platforms.yml").read_text(encoding="utf-8"))["platforms"]


def _env(out: Path) -> dict[str, str]:
    env = {}
    for line in (out / ".env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


def _db_path(out: Path, url: str) -> Path:
    assert url.startswith("sqlite:///")
    return out / url[len("sqlite:///"):]


def count_platform(path: Path, prefix: str, since: date) -> Counter:
    """Counted (user, course) student enrolments per Rome year, by the methodology's rule."""
    p = prefix
    sql = f"""
    with firsts as (
        select ue.userid, e.courseid,
               min(case when ue.timestart = 0 then ue.timecreated else ue.timestart end) as t
        from {p}user_enrolments ue join {p}enrol e on e.id = ue.enrolid
        group by ue.userid, e.courseid
    ), students as (
        select distinct ra.userid, cx.instanceid as courseid
        from {p}role_assignments ra
        join {p}role r on r.id = ra.roleid and r.shortname = 'student'
        join {p}context cx on cx.id = ra.contextid and cx.contextlevel = 50
    )
    select f.t from students s
    join firsts f on f.userid = s.userid and f.courseid = s.courseid
    join {p}course c on c.id = s.courseid and c.id <> 1
    join {p}user u on u.id = s.userid
    where u.deleted = 0 and u.username <> 'guest' and u.auth <> 'nologin'
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        times = [r[0] for r in con.execute(sql)]
    finally:
        con.close()
    years = Counter()
    for t in times:
        d = datetime.fromtimestamp(t, ROME).date()
        if d >= since:
            years[d.year] += 1
    return years


def independent_counts(out: Path) -> tuple[Counter, Counter]:
    env = _env(out)
    total, employers = Counter(), Counter()
    for plat in _registry(out):
        since = plat["since"] if isinstance(plat["since"], date) else date.fromisoformat(str(plat["since"]))
        c = count_platform(_db_path(out, env[plat["url_env"]]), plat["table_prefix"], since)
        total.update(c)
        if plat["constituent_group"] == "employers":
            employers.update(c)
    return total, employers


def _published(code: str, measure: str) -> dict[str, str]:
    with open(PUBLISHED, encoding="utf-8") as f:
        return {r["period"]: r["value"] for r in csv.DictReader(f)
                if r["indicator_code"] == code and r["measure"] == measure and r["kind"] in ("result", "baseline")}


def _period_value(c: Counter, period: str) -> int:
    if "-" in period:
        y1 = int(period[:4])
        return c[y1] + c[y1 + 1]
    return c[int(period)]


# ---------------------------------------------------------------------------------------------- contract
def test_registry_conforms(generated):
    out, _ = generated
    regs = _registry(out)
    assert len(regs) >= 50
    keys = {"code", "name", "intermediary", "constituent_group", "url_env", "table_prefix", "active", "since"}
    codes = set()
    for r in regs:
        assert set(r) == keys, r
        assert re.fullmatch(r"[a-z0-9-]+", r["code"])
        assert r["code"] not in codes
        codes.add(r["code"])
        assert r["constituent_group"] in {"employers", "workers", "government_labour", "other"}
        assert isinstance(r["active"], bool)
        assert isinstance(r["since"], date)
        assert re.fullmatch(r"[A-Z0-9_]+", r["url_env"])
    groups = Counter(r["constituent_group"] for r in regs)
    assert all(groups[g] >= 5 for g in ("employers", "workers", "government_labour", "other"))
    assert sum(not r["active"] for r in regs) >= 2
    assert len({r["table_prefix"] for r in regs}) >= 2
    assert len({r["since"] for r in regs}) >= 20


def test_env_and_databases_conform(generated):
    out, _ = generated
    env = _env(out)
    for r in _registry(out):
        url = env[r["url_env"]]
        assert url == f"sqlite:///platforms/{r['code']}.sqlite"
        path = _db_path(out, url)
        assert path.exists(), path
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for table, cols in MOODLE_COLUMNS.items():
                have = {row[1] for row in con.execute(f"pragma table_info({r['table_prefix']}{table})")}
                assert cols <= have, (r["code"], table, cols - have)
            assert con.execute(f"select count(*) from {r['table_prefix']}course where id = 1").fetchone()[0] == 1
            assert con.execute(f"select username from {r['table_prefix']}user where id = 1").fetchone()[0] == "guest"
            assert con.execute(f"select count(*) from {r['table_prefix']}course_categories "
                               f"where coalesce(idnumber, '') <> ''").fetchone()[0] == 0
        finally:
            con.close()


def test_traps_present(generated):
    """Every trap of moodle.md occurs somewhere."""
    out, _ = generated
    env = _env(out)
    found = Counter()
    for r in _registry(out):
        p = r["table_prefix"]
        con = sqlite3.connect(f"file:{_db_path(out, env[r['url_env']])}?mode=ro", uri=True)
        q = lambda s: con.execute(s).fetchone()[0]  # noqa: E731
        found["teacher"] += q(f"select count(*) from {p}role_assignments ra join {p}role r on r.id = ra.roleid "
                              f"where r.shortname in ('teacher', 'editingteacher')")
        found["two_methods"] += q(f"select count(*) from (select ue.userid, e.courseid from {p}user_enrolments ue "
                                  f"join {p}enrol e on e.id = ue.enrolid group by 1, 2 having count(*) > 1)")
        found["timestart0"] += q(f"select count(*) from {p}user_enrolments where timestart = 0")
        found["deleted"] += q(f"select count(*) from {p}user where deleted = 1")
        found["deleted_with_rows"] += q(f"select count(*) from {p}user u join {p}user_enrolments ue "
                                        f"on ue.userid = u.id where u.deleted = 1")
        found["nologin"] += q(f"select count(*) from {p}user u join {p}user_enrolments ue on ue.userid = u.id "
                              f"where u.auth = 'nologin'")
        found["guest"] += q(f"select count(*) from {p}user_enrolments ue join {p}user u on u.id = ue.userid "
                            f"where u.username = 'guest'")
        found["hidden"] += q(f"select count(*) from {p}course where visible = 0 and id <> 1")
        found["site"] += q(f"select count(*) from {p}user_enrolments ue join {p}enrol e on e.id = ue.enrolid "
                           f"where e.courseid = 1")
        found["student_role_not_5"] += q(f"select count(*) from {p}role where shortname = 'student' and id <> 5")
        # 23:xx UTC on 31 December, i.e. already the next year in Rome
        found["new_year_eve_utc"] += q(f"select count(*) from {p}user_enrolments where timestart > 0 and "
                                       f"strftime('%m-%d %H', timestart, 'unixepoch') = '12-31 23'")
        con.close()
    for trap, n in found.items():
        assert n > 0, trap
    # enrolments before `since` exist: counting without the `since` rule gives more
    unfiltered = with_since = 0
    for r in _registry(out):
        path = _db_path(out, env[r["url_env"]])
        unfiltered += sum(count_platform(path, r["table_prefix"], date(1970, 1, 1)).values())
        with_since += sum(count_platform(path, r["table_prefix"], r["since"]).values())
    assert unfiltered > with_since


# ---------------------------------------------------------------------------------------------- figures
def test_independent_count_matches_published(generated):
    out, truth = generated
    total, employers = independent_counts(out)
    checked = 0
    for period, value in _published("1.2", "external_platform_enrolments").items():
        assert _period_value(total, period) == int(value), period
        checked += 1
    for period, value in _published("1.1b", "employer_external_platform_enrolments").items():
        assert _period_value(employers, period) == int(value), period
        checked += 1
    assert checked == 7
    # 2020-21 employers: 800 in 2020, 1200 in 2021 (brief)
    assert (employers[2020], employers[2021]) == (800, 1200)
    # truth agrees with the independent count
    with open(truth / "expected_platforms.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["indicator_code"] == "1.2":
                assert _period_value(total, row["period"]) == int(row["value"])
            elif row["indicator_code"] == "1.1b":
                assert _period_value(employers, row["period"]) == int(row["value"])


# ---------------------------------------------------------------------------------------------- determinism
def _dump(out: Path) -> dict:
    res = {"platforms.yml": (out / "platforms.yml").read_bytes(), ".env": (out / ".env").read_bytes()}
    for db in sorted((out / "platforms").glob("*.sqlite")):
        con = sqlite3.connect(db)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' order by name")]
        res[db.name] = {t: con.execute(f"select * from {t} order by id").fetchall() for t in tables}
        con.close()
    return res


def test_deterministic(generated, tmp_path):
    out, truth = generated
    out2, truth2 = _generate(tmp_path)
    assert _dump(out) == _dump(out2)
    for f in ("expected_platforms.csv", "expected_platforms_by_platform.csv"):
        assert (truth / f).read_bytes() == (truth2 / f).read_bytes()
