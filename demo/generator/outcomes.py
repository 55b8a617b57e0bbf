"""Outcome records of the demo: what learners and clients said and scored.

Runs after `core.generate`, on the databases core wrote, and ADDS the tables core does not write:

- MAP (`map.sqlite`): `organisation`, `service_client`, `service_feedback` — clients and end-of-service
  satisfaction of non-training services (indicators 1.8, 2.3, 2.4, 2.5);
- eCampus (`ecampus.sqlite`, prefix `mdl_`): `modules`, `course_modules`, `quiz`, `quiz_attempts`,
  `grade_items` (post-tests, indicator 2.1) and `feedback`, `feedback_item`, `feedback_completed`,
  `feedback_value` (end-of-activity questionnaires, indicators 2.2 and A.2).

Everything is built on core's records as the contracts describe them (which activities are delivered
advisory services, which eCampus courses serve face-to-face or distance activities, which users are
students of a course); nothing depends on how core built them. Calibration: the structure (who answers,
when) is generated first; records are then grouped in cells (year under the rule, and the year under a
mistaken reading: UTC instead of Rome time, the latest instead of the earliest of equal attempts, the
answer's year instead of the activity's); a small search chooses each cell's outcome total (pass count,
score sum) so that every published figure, per year and pooled over the biennium, holds at the published
precision under the rule — and under other defensible readings (organisation folding variants, `overall`
with or without questionnaires outside face-to-face/distance courses) — while each mistaken reading misses
at least one figure; individual outcomes are then drawn to add up exactly to those totals. Traps the contracts
name are added as records the rules must exclude (preview and unfinished attempts, pre-tests, repeated
attempts, times near midnight on 31 December UTC, anonymous and unanswered questionnaires, questionnaires
outside any course, items with other labels, duplicate organisation records, undelivered activities...).

Ground truth: `truth/expected_outcomes.csv` (indicator_code, measure, period, value), computed from the
records as they are generated.
"""
from __future__ import annotations

import bisect
import calendar
import csv
import datetime as dt
import random
import sqlite3
import time
import unicodedata
import zlib
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

ROME = ZoneInfo("Europe/Rome")
YEARS = (2020, 2021, 2022, 2023)
BIENNIA = {"2020-21": (2020, 2021), "2022-23": (2022, 2023)}
# Data are extracted in January 2024: nothing of ours happens after this instant.
END_TS = calendar.timegm((2024, 1, 20, 0, 0, 0))
DAY = 86400

TRAINING = ("standard_course", "tailored_course", "masters_edition")
F2F_MODES = ("campus", "field", "blended")

# Published figures this part is calibrated on: (code, measure) -> {period: published text}.
PUBLISHED = {
    ("1.8", "advisory_organisations"): {"2020-21": "8", "2022": "13", "2023": "17", "2022-23": "25"},
    ("2.1", "knowledge_gain_share"): {"2020-21": "82", "2022": "85", "2023": "83", "2022-23": "84"},
    ("2.2", "satisfaction_overall"): {"2020-21": "4.46", "2022": "4.49", "2023": "4.58", "2022-23": "4.54"},
    ("2.2", "satisfaction_face_to_face"): {"2020-21": "4.38", "2022": "4.52", "2023": "4.6", "2022-23": "4.57"},
    ("2.2", "satisfaction_distance"): {"2020-21": "4.46", "2022": "4.49", "2023": "4.56", "2022-23": "4.52"},
    ("2.3", "event_satisfaction"): {"2022": "4.2", "2023": "4.3", "2022-23": "4.2"},
    ("2.4", "advisory_satisfaction"): {"2022": "5", "2023": "5", "2022-23": "5"},
    ("2.5", "campaign_satisfaction"): {"2023": "5", "2022-23": "5"},
    ("A.2", "participants_ils_score2_share"): {"2020-21": "92", "2022": "91", "2023": "90", "2022-23": "91"},
    ("A.2", "participants_sdt_score2_share"): {"2020-21": "87", "2022": "86", "2023": "88", "2022-23": "87"},
}


def interval(text: str) -> tuple[float, float]:
    """Values that agree with a published figure: `4.49` -> [4.485, 4.495)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10 ** -decimals
    return float(text) - half, float(text) + half


def rome_year(ts):
    """Europe/Rome calendar year of epoch seconds (scalar or array). Rome is UTC+1 around New Year."""
    ts = np.asarray(ts, dtype=np.int64)
    return (ts + 3600).astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970


def rome_midnight(date_text: str) -> int:
    d = dt.date.fromisoformat(str(date_text)[:10])
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=ROME).timestamp())


def fold_name(name: str) -> str:
    """Organisation name folding: case, accents, punctuation and spaces."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = "".join(c if (c.isalnum() or c.isspace()) else " " for c in text)
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------------
# Calibration helpers


def solve_totals(counts, constraints, ranges, fixed=None, scale_of=1.0, grid=15):
    """Choose integer totals for variables so that every constraint holds with the widest margin.

    counts: {var: n}; each variable's value is total/n * scale_of (a mean, or a share in percent).
    constraints: [(vars, lo, hi)]: value of the pooled vars must satisfy lo <= v < hi; a var may also be
    a key of `fixed` ({key: (total, n)}), a group whose total is already decided.
    ranges: {var: (lo, hi)} candidate values of each variable.
    Returns ({var: total}, margin) where margin > 0 means every constraint holds.
    """
    fixed = fixed or {}
    names = [v for v in counts if counts[v] > 0]
    cands = []
    for v in names:
        lo, hi = ranges[v]
        vals = np.linspace(lo, hi, grid + 2)[1:-1]
        tot = np.unique(np.rint(vals / scale_of * counts[v]).astype(np.int64))
        cands.append(tot)
    if not names:
        return {}, 1.0
    mesh = np.meshgrid(*cands, indexing="ij")
    flat = {v: m.ravel() for v, m in zip(names, mesh)}
    size = mesh[0].size
    margin = np.full(size, np.inf)
    for vars_, lo, hi in constraints:
        num = np.zeros(size)
        den = 0
        for v in vars_:
            if v in flat:
                num = num + flat[v]
                den += counts[v]
            elif v in fixed:
                num = num + fixed[v][0]
                den += fixed[v][1]
        if den == 0:
            continue
        value = num / den * scale_of
        margin = np.minimum(margin, np.minimum(value - lo, hi - value) / (hi - lo))
    best = int(np.argmax(margin))
    return {v: int(flat[v][best]) for v in names}, float(margin[best])


def calibrate(counts, measures, right, traps=(), rule=None, default=None, small=None, ranges=None,
              scale_of=1.0, grid=15, max_combos=300_000):
    """Choose the integer total (score sum or pass count) of every cell of records.

    counts: {cell: n}. A reading maps a cell to the year it counts in (or None): `right` is the rule;
    `traps` are mistaken readings (UTC years, ties to the latest attempt...). measures: [(published
    {period: text}, keep(cell) -> bool)]; a measure's value for a period is sum(totals)/sum(n) * scale_of
    over the kept cells whose year under the reading lies in the period.
    Cells of each biennium (under `right`) are solved together; `rule` ({cell: total}) fixes some cells
    beforehand (those coupling two biennia), `default(cell)` gives the total of cells outside the
    biennia. `small(cell)` -> candidate totals for small cells (else a grid over `ranges(cell)`).
    The published figures must hold under `right` with the widest margin; where possible, each trap
    reading misses at least one published figure (so a warehouse that falls into the trap shows it).
    Returns ({cell: total}, margin, traps_caught).
    """
    rule = dict(rule or {})
    totals = {c: rule[c] if c in rule else default(c) for c in counts}
    caught_all = True
    margin_all = np.inf
    for bien, ys in BIENNIA.items():
        var = [c for c in counts if right(c) in ys and c not in rule and counts[c] > 0]
        if not var:
            continue
        cands = []
        for c in var:
            sm = small(c) if small else None
            if sm is not None:
                cands.append(np.unique(np.asarray(sm, dtype=np.int64)))
            else:
                lo, hi = ranges(c)
                vals = np.linspace(lo, hi, grid + 2)[1:-1]
                cands.append(np.unique(np.rint(vals / scale_of * counts[c]).astype(np.int64)))
        sizes = [len(x) for x in cands]
        total_combos = int(np.prod(sizes, dtype=np.float64))
        if total_combos <= max_combos:
            idx = np.stack([m.ravel() for m in np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")])
        else:
            pick = np.random.default_rng(0)
            idx = np.stack([pick.integers(0, k, size=max_combos) for k in sizes])
        mat = np.stack([cands[i][idx[i]] for i in range(len(var))]).astype(np.float64)   # vars x combos
        pos = {c: i for i, c in enumerate(var)}

        def values(reading, keep, years):
            cells = [c for c in counts if keep(c) and reading(c) in years and counts[c] > 0]
            den = sum(counts[c] for c in cells)
            if den == 0:
                return None
            num = np.zeros(mat.shape[1])
            for c in cells:
                num = num + (mat[pos[c]] if c in pos else totals[c])
            return num / den * scale_of

        def checks(reading):
            out = []
            for pub, keep in measures:
                for period, text in pub.items():
                    years = BIENNIA.get(period) or (int(period),)
                    if not set(years) & set(ys):
                        continue
                    v = values(reading, keep, years)
                    if v is not None:
                        lo, hi = interval(text)
                        out.append((v, lo, hi))
            return out

        good = np.full(mat.shape[1], np.inf)
        for v, lo, hi in checks(right):
            good = np.minimum(good, np.minimum(v - lo, hi - v - 1e-9) / (hi - lo))
        trap_margin = np.full(mat.shape[1], np.inf)
        for reading in traps:
            outside = np.full(mat.shape[1], -np.inf)
            for v, lo, hi in checks(reading):
                outside = np.maximum(outside, np.maximum(lo - v - 1e-9, v - hi) / (hi - lo))
            trap_margin = np.minimum(trap_margin, outside)
        both = np.where(good > 0, np.minimum(good, trap_margin), -np.inf)
        if traps and both.max() > 0:
            best = int(np.argmax(both))
        else:
            best = int(np.argmax(good))
            caught_all = caught_all and not traps
        margin_all = min(margin_all, float(good[best]))
        for c in var:
            totals[c] = int(mat[pos[c], best])
    return totals, margin_all, caught_all


def tilted_probs(values: np.ndarray, mean: float) -> np.ndarray:
    """Exponentially tilted distribution over `values` with the given mean (realistic skew)."""
    lo, hi = -20.0, 20.0
    for _ in range(80):
        theta = (lo + hi) / 2
        w = np.exp(theta * (values - values.mean()))
        p = w / w.sum()
        if (p * values).sum() < mean:
            lo = theta
        else:
            hi = theta
    return p


def scores_with_total(rng, n: int, total: int, lo: int, hi: int) -> np.ndarray:
    """n integer scores in lo..hi adding up exactly to total."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    values = np.arange(lo, hi + 1)
    p = tilted_probs(values.astype(float), min(max(total / n, lo + 0.01), hi - 0.01))
    s = rng.choice(values, size=n, p=p)
    diff = int(total - s.sum())
    while diff:
        idx = np.flatnonzero(s < hi) if diff > 0 else np.flatnonzero(s > lo)
        pick = rng.choice(idx, size=min(abs(diff), len(idx)), replace=False)
        s[pick] += 1 if diff > 0 else -1
        diff = int(total - s.sum())
    return s


def exact_k(rng, n: int, k: int) -> np.ndarray:
    """Boolean array of length n with exactly k True, at random places."""
    out = np.zeros(n, dtype=bool)
    out[rng.permutation(n)[:k]] = True
    return out


def year_ranges(measure_key, vars_by_year, scale_of, widen):
    """Candidate ranges of each year's value: its own published interval, else the biennium's widened."""
    pub = PUBLISHED[measure_key]
    ranges = {}
    for var, year in vars_by_year.items():
        if str(year) in pub:
            ranges[var] = interval(pub[str(year)])
        else:
            bien = next((b for b, ys in BIENNIA.items() if year in ys), None)
            if bien and bien in pub:
                lo, hi = interval(pub[bien])
                ranges[var] = (lo - widen, hi + widen)
            else:
                ranges[var] = None
    return ranges


# --------------------------------------------------------------------------------------------------
# Reading core's records


class World:
    """What core wrote, read through the contracts."""

    def __init__(self, out: Path):
        self.map = sqlite3.connect(out / "map.sqlite")
        self.ecampus = sqlite3.connect(out / "ecampus.sqlite")
        m, e = self.map, self.ecampus
        self.activities = [
            dict(zip(("activity_id", "code", "service_type", "mode", "status", "start", "end", "course_id"), r))
            for r in m.execute(
                "select activity_id, activity_code, service_type, delivery_mode, status, start_date, end_date,"
                " ecampus_course_id from activity order by activity_id")
        ]
        for a in self.activities:
            a["year"] = int(str(a["start"])[:4]) if a["start"] else None
        self.attended = dict(m.execute(
            "select activity_id, count(*) from registration where status = 'attended' group by activity_id"))
        by_code = {a["code"]: a for a in self.activities if a["code"]}
        cats = {r[0]: (r[1] or "", r[2] or "") for r in e.execute(
            "select id, idnumber, path from mdl_course_categories")}

        def top(cat_id):
            path = cats.get(cat_id, ("", ""))[1]
            parts = [p for p in str(path).split("/") if p]
            return cats.get(int(parts[0]), ("", ""))[0] if parts else cats.get(cat_id, ("", ""))[0]

        # Course kinds, only where every reading of the rules agrees:
        # f2f: serves a delivered standard/tailored course held on campus, in the field or blended;
        # distance: serves a delivered distance training activity, or is linked to nothing in MAP and sits
        # under `selfguided`/`tutored`; sandbox: staff test course; other: anything else (masters spaces,
        # spaces of undelivered activities...) — no questionnaires are placed there.
        self.courses = {}
        for cid, cat, idnumber, startdate in e.execute(
                "select id, category, idnumber, startdate from mdl_course order by id"):
            if cid == 1:
                continue
            act = by_code.get(idnumber) if idnumber else None
            topcat = top(cat)
            if act is not None:
                if (act["service_type"] in ("standard_course", "tailored_course") and act["mode"] in F2F_MODES
                        and act["status"] == "delivered"):
                    kind = "f2f"
                elif (act["service_type"] in ("standard_course", "tailored_course") and act["mode"] == "distance"
                      and act["status"] == "delivered"):
                    kind = "distance"
                else:
                    kind = "other"
            elif idnumber and str(idnumber).strip() in by_code:
                kind = "other"          # near-miss link: stay out of the way of both readings
            elif topcat in ("selfguided", "tutored"):
                kind = "distance"
            elif topcat == "sandbox":
                kind = "sandbox"
            else:
                kind = "other"
            self.courses[cid] = dict(id=cid, kind=kind, top=topcat, activity=act, startdate=startdate or 0)

        # Students: (user, course) pairs with the student role in the course context and an enrolment row.
        # (pandas joins: several times faster than SQLite on these unindexed tables)
        q = lambda sql: pd.read_sql_query(sql, e)  # noqa: E731
        ra = q("select ra.userid, ra.contextid from mdl_role_assignments ra join mdl_role r on r.id = ra.roleid"
               " where r.shortname = 'student'")
        ctx = q("select id as contextid, instanceid as courseid from mdl_context"
                " where contextlevel = 50 and instanceid <> 1")
        en = q("select id as enrolid, courseid from mdl_enrol")
        ue = q("select enrolid, userid, case when timestart = 0 then timecreated else timestart end as t"
               " from mdl_user_enrolments")
        ok_users = q("select id as userid from mdl_user where deleted = 0 and username <> 'guest'"
                     " and auth <> 'nologin'")
        students = ra.merge(ctx, on="contextid").merge(ok_users, on="userid")
        pairs = students.merge(ue.merge(en, on="enrolid"), on=["userid", "courseid"])
        pairs = pairs.groupby(["courseid", "userid"], as_index=False)["t"].min().sort_values(["courseid", "userid"])
        arr = pairs[["userid", "courseid", "t"]].to_numpy(dtype=np.int64).reshape(-1, 3)
        self.st_user, self.st_course, self.st_time = arr[:, 0], arr[:, 1], arr[:, 2]
        staff = e.execute("""
            select ctx.instanceid, ra.userid from mdl_role_assignments ra
            join mdl_role r on r.id = ra.roleid and r.shortname in ('teacher', 'editingteacher', 'manager')
            join mdl_context ctx on ctx.id = ra.contextid
            join mdl_user u on u.id = ra.userid
            where u.deleted = 0 and u.username <> 'guest'
            order by ctx.instanceid, ra.userid""").fetchall()
        self.staff_by_course: dict[int, list[int]] = {}
        for cid, uid in staff:
            self.staff_by_course.setdefault(cid, []).append(uid)
        self.all_staff = sorted({uid for _, uid in staff}) or [2]


# --------------------------------------------------------------------------------------------------
# MAP: organisations, service clients, service feedback

# (name, country alpha-3, organisation_type). Folded names+countries are all distinct.
ORGANISATIONS = [
    ("Ministry of Labour and Social Protection", "KEN", "government"),
    ("Ministry of Labour and Social Protection", "UGA", "government"),
    ("Federation of Kenya Employers", "KEN", "employers_organisation"),
    ("Central Organization of Trade Unions (COTU)", "KEN", "workers_organisation"),
    ("Ministère du Travail, de l'Emploi et de la Protection Sociale", "SEN", "government"),
    ("Conseil National du Patronat du Sénégal", "SEN", "employers_organisation"),
    ("Confédération Générale des Entreprises du Maroc", "MAR", "employers_organisation"),
    ("Union Générale Tunisienne du Travail", "TUN", "workers_organisation"),
    ("Confederação Nacional da Indústria", "BRA", "employers_organisation"),
    ("Central Única dos Trabalhadores", "BRA", "workers_organisation"),
    ("Secretaría de Trabajo y Previsión Social", "MEX", "government"),
    ("Confederación de Cámaras Industriales", "MEX", "employers_organisation"),
    ("Ministerio de Trabajo, Empleo y Seguridad Social", "ARG", "government"),
    ("Confederación General del Trabajo", "ARG", "workers_organisation"),
    ("Servicio Nacional de Aprendizaje (SENA)", "COL", "training_institution"),
    ("Instituto Nacional de Formación Técnico Profesional", "DOM", "training_institution"),
    ("Türkiye İşveren Sendikaları Konfederasyonu", "TUR", "employers_organisation"),
    ("Federation of Indian Chambers of Commerce and Industry", "IND", "employers_organisation"),
    ("Bharatiya Mazdoor Sangh", "IND", "workers_organisation"),
    ("Ministry of Manpower", "IDN", "government"),
    ("Vietnam Chamber of Commerce and Industry", "VNM", "employers_organisation"),
    ("Việt Nam General Confederation of Labour", "VNM", "workers_organisation"),
    ("中华全国总工会", "CHN", "workers_organisation"),
    ("Общероссийский союз «Федерация независимых профсоюзов России»", "RUS", "workers_organisation"),
    ("الاتحاد العام التونسي للشغل", "TUN", "workers_organisation"),
    ("Ministry of Human Resources and Emiratisation", "ARE", "government"),
    ("Jordan Chamber of Industry", "JOR", "employers_organisation"),
    ("Ethiopian Employers' Federation", "ETH", "employers_organisation"),
    ("Ghana Employers Association", "GHA", "employers_organisation"),
    ("Nigeria Labour Congress", "NGA", "workers_organisation"),
    ("South African Local Government Association", "ZAF", "government"),
    ("Zambia Federation of Employers", "ZMB", "employers_organisation"),
    ("Caisse Nationale de Sécurité Sociale", "CMR", "government"),
    ("Agence Nationale pour l'Emploi", "CIV", "government"),
    ("Ministry of Labour", "JAM", "government"),
    ("Ministry of Labour", "TTO", "government"),
    ("Sri Lanka Institute of Development Administration", "LKA", "training_institution"),
    ("Bangladesh Employers' Federation", "BGD", "employers_organisation"),
    ("Employers' Confederation of the Philippines", "PHL", "employers_organisation"),
    ("Trade Union Congress of the Philippines", "PHL", "workers_organisation"),
    ("Fiji Commerce and Employers Federation", "FJI", "employers_organisation"),
    ("Ministerstwo Rodziny i Polityki Społecznej", "POL", "government"),
    ("Confindustria", "ITA", "employers_organisation"),
    ("Confederazione Generale Italiana del Lavoro", "ITA", "workers_organisation"),
    ("Regione Piemonte, Direzione Istruzione, Formazione e Lavoro", "ITA", "government"),
    ("Agence Française de Développement", "FRA", "development_agency"),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit", "DEU", "development_agency"),
    ("European Training Foundation", "ITA", "un_agency"),
    ("UNICEF Regional Office for Europe and Central Asia", "CHE", "un_agency"),
    ("Organización Iberoamericana de Seguridad Social", "ESP", "ngo"),
    ("Fundación Pro Empleo Juvenil", "PER", "ngo"),
    ("Université Cheikh Anta Diop", "SEN", "academia"),
    ("Universidad de Chile", "CHL", "academia"),
    ("Kenya School of Government", "KEN", "training_institution"),
    ("National Institute of Labour Studies", "NPL", "training_institution"),
    ("Arab Labour Organization", "EGY", "un_agency"),
    ("Mongolian Employers' Federation", "MNG", "employers_organisation"),
    ("Confederation of Trade Unions of Armenia", "ARM", "workers_organisation"),
    ("Ministerio de Trabajo y Promoción del Empleo", "PER", "government"),
    ("Cámara de Industrias del Uruguay", "URY", "employers_organisation"),
    ("Ministère de l'Emploi et de la Formation Professionnelle", "BFA", "government"),
    ("Tanzania Employers Association", "TZA", "employers_organisation"),
    ("Organisation Internationale de la Francophonie", None, "un_agency"),
    ("Lesotho Ministry of Labour and Employment", "LSO", "government"),
    ("Myanmar Federation of Chambers of Commerce and Industry", "MMR", "employers_organisation"),
    ("Pacific Islands Forum Secretariat", "FJI", "un_agency"),
]


def fold_readings(name: str) -> tuple[str, str, str]:
    """The folding under other readings: punctuation removed (spaces collapsed, or removed too)."""
    text = unicodedata.normalize("NFKD", (name or "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    kept = "".join(c for c in text if c.isalnum() or c.isspace())
    return fold_name(name), " ".join(kept.split()), "".join(kept.split())


def _variant(rng, name: str) -> str:
    """A second spelling of an organisation name that folds to the same key under every reasonable
    reading of "case, accent, punctuation and space folding" (punctuation removed or made a space)."""
    v = _raw_variant(rng, name)
    if fold_readings(v) != fold_readings(name):
        v = " " + name
    return v


def _raw_variant(rng, name: str) -> str:
    choice = int(rng.integers(0, 5))
    if choice == 0:
        v = name.upper()
    elif choice == 1:
        v = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        v = v if v != name else name.lower()
    elif choice == 2:
        v = name.replace(" ", "  ", 1) + " "
    elif choice == 3:
        v = name.replace(", ", " ").replace(" (", " ").replace(")", "") + "."
        v = v if v != name + "." else " " + name.lower()
    else:
        v = name.title() if name.title() != name else name.lower()
    return v


def _map_tables(world: World, rng, scale: int):
    acts = world.activities
    orgs_all = list(ORGANISATIONS)
    assert len({(fold_name(n), c) for n, c, _ in orgs_all}) == len(orgs_all)

    # Which organisations (indexes into ORGANISATIONS) are clients of delivered advisory services, by year.
    order = [int(i) for i in rng.permutation(len(orgs_all))]
    order = [i for i in order if orgs_all[i][1] is not None] + [i for i in order if orgs_all[i][1] is None]
    # Names repeated in two countries must both be served (two organisations with one name).
    folded = [fold_name(o[0]) for o in orgs_all]
    same_name = [i for i, f in enumerate(folded) if folded.count(f) > 1]
    pool = same_name[:2] + [i for i in order if i not in same_name[:2]]
    b21 = pool[:8]                                   # 2020-21: 8 distinct
    y22 = pool[8:14] + pool[0:2] + pool[14:19]         # 13, two of them already served in 2020-21
    y23 = pool[14:19] + pool[19:31]                    # 17; pool[14:19] served in both 2022 and 2023
    assert len(set(y22)) == 13 and len(set(y23)) == 17 and len(set(y22) | set(y23)) == 25
    y20, y21 = b21[:5], b21[3:8]                      # overlap of two within the biennium
    served = {2020: y20, 2021: y21, 2022: y22, 2023: y23}
    noise_only = pool[31:]                           # clients of nothing that counts

    # Organisation records: every organisation once; later, a third of them entered again (a second or
    # third record spelt differently).
    records = []   # (organisation_id, name, country, type, org_index)
    variants: dict[int, list[int]] = {}
    creation = sorted(range(len(orgs_all)), key=lambda k: order.index(k))
    for i in creation:
        name, country, typ = orgs_all[i]
        records.append((len(records) + 1, name, country, typ, i))
        variants[i] = [len(records)]
    for i in creation:
        name, country, typ = orgs_all[i]
        for _ in range(int(rng.choice([0, 0, 1, 1, 2], p=[.35, .3, .2, .1, .05]))):
            v = _variant(rng, name)
            assert fold_name(v) == fold_name(name)
            records.append((len(records) + 1, v, country, typ, i))
            variants[i].append(len(records))
    # Extra record: an organisation with the name of a served one but in another country (not a duplicate),
    # only ever a client of an event.
    extra_i = len(orgs_all)
    base_name, base_country, base_type = orgs_all[y22[0]]
    other_country = "GHA" if base_country != "GHA" else "NGA"
    records.append((len(records) + 1, base_name, other_country, base_type, extra_i))
    variants[extra_i] = [len(records)]
    noise_only = noise_only + [extra_i]

    def pick_record(i):
        ids = variants[i]
        return ids[int(rng.integers(0, len(ids)))]

    clients = set()
    adv = {y: [a for a in acts if a["service_type"] == "advisory_service" and a["status"] == "delivered"
               and a["year"] == y] for y in YEARS}
    for y in YEARS:
        targets = served[y]
        if not adv[y]:
            raise RuntimeError(f"outcomes: core wrote no delivered advisory_service activity in {y}")
        n = len(adv[y])
        # Every served organisation gets at least one activity (and every duplicate record some use).
        slots = [[] for _ in range(n)]
        for k, i in enumerate(targets):
            slots[k % n].append(i)
        for k in range(n):
            if len(slots[k]) == 0 or rng.random() < 0.25:
                slots[k].append(targets[int(rng.integers(0, len(targets)))])
        for a, orgs in zip(adv[y], slots):
            for i in orgs:
                clients.add((a["activity_id"], pick_record(i)))
        # every duplicate record of served organisations shows up at least once in the year
        for i in targets:
            for rid in variants[i][1:]:
                if rng.random() < 0.7:
                    clients.add((adv[y][int(rng.integers(0, n))]["activity_id"], rid))

    # Noise: clients of non-training services of other types, of undelivered advisory services, and of
    # advisory services outside 2020-2023 — drawn from everyone (served organisations included).
    everyone = list(range(len(orgs_all))) + [extra_i]
    for a in acts:
        st = a["service_type"]
        if st not in ("advisory_service", "event_facilitation", "communication_campaign", "product_development"):
            continue
        if st == "advisory_service" and a["status"] == "delivered" and a["year"] in YEARS:
            continue
        if st != "advisory_service" and rng.random() < 0.45:
            continue
        for _ in range(int(rng.integers(1, 3))):
            i = everyone[int(rng.integers(0, len(everyone)))]
            if st == "advisory_service" and a["status"] == "delivered" and i not in noise_only:
                i = noise_only[int(rng.integers(0, len(noise_only)))]
            clients.add((a["activity_id"], pick_record(i)))
    # the near-duplicate in another country is a client of a delivered event in the years of its namesake
    events = [a for a in acts if a["service_type"] == "event_facilitation" and a["status"] == "delivered"
              and a["year"] == 2022]
    if events:
        clients.add((events[0]["activity_id"], variants[extra_i][0]))

    # record creation/update times: spread over 2019-2023, later ids later
    t0, t1 = calendar.timegm((2019, 1, 7, 8, 0, 0)), calendar.timegm((2024, 1, 12, 18, 0, 0))
    stamps = np.sort(rng.integers(t0, t1, size=len(records)))
    organisation_rows = [(rid, name, country, typ,
                          time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(stamps[k]))))
                         for k, (rid, name, country, typ, _) in enumerate(records)]
    client_rows = sorted(clients)

    # Truth 1.8: distinct (folded name, country) of clients of delivered advisory services, by start year.
    rec = {r[0]: r for r in records}
    act_by_id = {a["activity_id"]: a for a in acts}
    by_year: dict[int, set] = {y: set() for y in YEARS}
    for aid, rid in client_rows:
        a = act_by_id[aid]
        if a["service_type"] == "advisory_service" and a["status"] == "delivered" and a["year"] in by_year:
            by_year[a["year"]].add((fold_name(rec[rid][1]), rec[rid][2]))
    truth = []
    for y in YEARS:
        truth.append(("1.8", "advisory_organisations", str(y), len(by_year[y])))
    for b, (y1, y2) in BIENNIA.items():
        truth.append(("1.8", "advisory_organisations", b, len(by_year[y1] | by_year[y2])))

    feedback_rows, fb_truth = _service_feedback(acts, rng, scale)
    return organisation_rows, client_rows, feedback_rows, truth + fb_truth


SERVICE_MEASURES = {
    "event_facilitation": ("2.3", "event_satisfaction", 14),
    "advisory_service": ("2.4", "advisory_satisfaction", 2),
    "communication_campaign": ("2.5", "campaign_satisfaction", 40),
}


def _service_feedback(acts, rng, scale):
    """Satisfaction answers of delivered services, per cell (delivered?, start year, year answered):
    the figures hold by the activity's start year over delivered services; reading them by the answer's
    year, or counting answers about undelivered services, should miss a figure."""
    rows = []   # (activity_id, submitted_on, score)
    truth = []
    for st, (code, measure, per_activity) in SERVICE_MEASURES.items():
        pub = PUBLISHED[(code, measure)]
        answers: dict = {}   # cell -> list of (activity_id, submitted_on)
        for a in acts:
            if a["service_type"] != st or not a["start"]:
                continue
            end = dt.date.fromisoformat(str(a["end"] or a["start"])[:10])
            if a["status"] == "delivered" and a["year"] in YEARS:
                if st == "communication_campaign" and a["year"] < 2023:
                    continue                    # campaigns were surveyed from 2023 only
                n = int(rng.poisson(per_activity * scale)) + 1
                kind = "d"
            elif a["status"] in ("cancelled", "confirmed", "planned") and rng.random() < 0.8:
                # answers about services that were not delivered (a first session held before the service
                # was cancelled, a form sent too early)
                n = int(rng.integers(2, per_activity + 3)) * scale
                end = dt.date.fromisoformat(str(a["start"])[:10])
                kind = "u"
            else:
                continue
            for _ in range(n):
                day = end + dt.timedelta(days=int(rng.integers(0, 25)))
                answers.setdefault((kind, a["year"], day.year), []).append((a["activity_id"], day))
        counts = {c: len(v) for c, v in answers.items()}
        rule = {c: int(round(2.2 * n)) for c, n in counts.items() if c[0] == "u"}
        rule.update({c: int(round(4.9 * n)) for c, n in counts.items() if c[0] == "d" and c[1] == 2021 and c[2] == 2022})
        if code in ("2.4", "2.5"):
            rng_of = lambda c: (4.6, 4.95)  # noqa: E731  (published 5: nearly all answers are 5)
        else:
            yr = year_ranges((code, measure), {y: y for y in YEARS}, 1.0, 0.05)
            def rng_of(c):
                lo, hi = yr.get(c[1]) or (4.1, 4.3)
                return (lo, hi) if c[1] == c[2] else (lo - 0.3, hi + 0.3)   # answers of the next year
        totals, margin, _caught = calibrate(
            counts, [(pub, lambda c: c[0] == "d")], right=lambda c: c[1] if c[0] == "d" else None,
            traps=[lambda c: c[2] if c[0] == "d" else None, lambda c: c[1]], rule=rule,
            default=lambda c: int(round(4.2 * counts[c])),
            small=lambda c: None if c[1] == c[2] or counts[c] > 60 else [int(round(m * counts[c])) for m in (1.5, 3.25, 4.9)],
            ranges=rng_of, scale_of=1.0, grid=25)
        if margin <= 0:
            raise RuntimeError(f"outcomes: cannot calibrate {code} {measure} on core's activities ({counts})")
        by_year: dict = {}
        for c in sorted(answers):
            lst = answers[c]
            sc = scores_with_total(rng, len(lst), totals[c], 1, 5)
            for (aid, day), v in zip(lst, sc):
                rows.append((aid, day.isoformat(), int(v)))
            if c[0] == "d":
                acc = by_year.setdefault(c[1], [0, 0])
                acc[0] += totals[c]
                acc[1] += len(lst)
        for period, ys in [(str(y), (y,)) for y in sorted(by_year)] + list(BIENNIA.items()):
            s_, n_ = sum(by_year[y][0] for y in ys if y in by_year), sum(by_year[y][1] for y in ys if y in by_year)
            if n_:
                truth.append((code, measure, period, s_ / n_))
        # Noise: questionnaires returned without an answer, including one about a 2022 campaign.
        for a in acts:
            if a["service_type"] == st and a["status"] == "delivered" and a["year"] in YEARS \
                    and rng.random() < 0.3:
                end = dt.date.fromisoformat(str(a["end"] or a["start"])[:10])
                rows.append((a["activity_id"], (end + dt.timedelta(days=int(rng.integers(0, 20)))).isoformat(), None))
    tiebreak = rng.permutation(len(rows))
    rows = [rows[i] for i in sorted(range(len(rows)), key=lambda i: (rows[i][1], int(tiebreak[i])))]
    return [(k + 1, aid, day, score) for k, (aid, day, score) in enumerate(rows)], truth


# --------------------------------------------------------------------------------------------------
# eCampus: end-of-activity questionnaires (feedback)

MODULES = ["assign", "assignment", "book", "chat", "choice", "data", "feedback", "folder", "forum", "glossary",
           "h5pactivity", "imscp", "label", "lesson", "lti", "page", "quiz", "resource", "scorm", "survey",
           "url", "wiki", "workshop"]
MOD = {name: i + 1 for i, name in enumerate(MODULES)}

# Questionnaires answering `overall`, per kind of course and year, at scale 1. The proportions follow
# from the published figures: face-to-face answers must weigh enough in 2023 (overall 4.58 between 4.56
# and 4.6) and little in 2020-21 (overall 4.46 equal to distance, face-to-face 4.38).
QUESTIONNAIRE_TARGETS = {
    "f2f": {2020: 600, 2021: 900, 2022: 2500, 2023: 5000},
    "distance": {2020: 9000, 2021: 10000, 2022: 10000, 2023: 8000},
    # short questionnaires (ils/sdt, no `overall`) of other distance courses: volume for A.2 only
    "distance_short": {2020: 8000, 2021: 9000, 2022: 11000, 2023: 12000},
}
OVERALL_OPTIONS = "r>>>>>1####Very dissatisfied|2####Dissatisfied|3####Neither satisfied nor dissatisfied|" \
                  "4####Satisfied|5####Very satisfied"
MARKER_OPTIONS = "r>>>>>0####Not at all|1####Implicitly|2####Explicitly|3####Very explicitly and in depth"
RATED5 = "r>>>>>1####Strongly disagree|2####Disagree|3####Neutral|4####Agree|5####Strongly agree"
ITEMS = [  # (label, typ, presentation, name) in questionnaire order
    ("", "label", "", "Thank you for taking part. Your answers help us improve our courses."),
    ("overall", "multichoicerated", OVERALL_OPTIONS, "Overall, how satisfied are you with this activity?"),
    ("relevance", "multichoicerated", RATED5, "The content was relevant to my work"),
    ("ils", "multichoicerated", MARKER_OPTIONS,
     "How explicitly did the activity refer to international labour standards?"),
    ("sdt", "multichoicerated", MARKER_OPTIONS,
     "How explicitly did the activity refer to social dialogue and tripartism?"),
    ("gender", "multichoicerated", MARKER_OPTIONS, "How explicitly did the activity address gender equality?"),
    ("overall_comment", "textarea", "60|5", "Any comment on your overall experience?"),
]
COMMENTS = ["Very useful, thank you!", "Excellent facilitators.", "More case studies please.",
            "Muy útil para mi trabajo.", "Très bonne formation, merci.", "Good but too long.",
            "Les supports étaient clairs.", "Ottimo corso.", "Спасибо, очень полезно.", "شكرا جزيلا",
            "非常有用", "Would recommend to colleagues.", "The platform was slow at times."]


def _questionnaires(world: World, rng, scale: int):
    courses = world.courses
    users, course_ids, times = world.st_user, world.st_course, world.st_time
    # Face-to-face questionnaires are also answered in class on a shared tablet through the course's guest
    # access: anonymous answers beyond the course's enrolled students, up to the activity's attendance.
    n_students = dict(zip(*np.unique(course_ids, return_counts=True)))
    guest_slots = []
    for cid, c in sorted(courses.items()):
        if c["kind"] == "f2f":
            extra = world.attended.get(c["activity"]["activity_id"], 0) - int(n_students.get(cid, 0))
            guest_slots += [cid] * max(0, extra)
    guest_courses = set(guest_slots)
    users = np.concatenate([users, np.zeros(len(guest_slots), dtype=np.int64)])
    course_ids = np.concatenate([course_ids, np.array(guest_slots, dtype=np.int64)])
    times = np.concatenate([times, np.zeros(len(guest_slots), dtype=np.int64)])
    # A third of distance courses run the short questionnaire (no `overall` item): `distance_short`.
    dist_courses = sorted(cid for cid, c in courses.items() if c["kind"] == "distance")
    short = {dist_courses[i] for i in np.flatnonzero(rng.random(len(dist_courses)) < 0.35)}
    kind_of = np.array([("distance_short" if int(c) in short else courses.get(int(c), {}).get("kind", "other"))
                        for c in course_ids])

    # When each student would submit: after the activity ends (f2f), or some weeks after enrolling.
    end_ts = {}
    for cid, c in courses.items():
        a = c["activity"]
        if c["kind"] == "f2f" and a is not None:
            end_ts[cid] = rome_midnight(a["end"] or a["start"])
    submit = np.zeros(len(users), dtype=np.int64)
    f2f = kind_of == "f2f"
    dist = (kind_of == "distance") | (kind_of == "distance_short")
    if f2f.any():
        submit[f2f] = np.array([end_ts[int(c)] for c in course_ids[f2f]]) + rng.integers(
            8 * 3600, 12 * DAY, size=int(f2f.sum()))
    submit[dist] = times[dist] + 3 * DAY + (rng.exponential(30, size=int(dist.sum())) * DAY).astype(np.int64)
    # a few submit in the last hour of the year by UTC — already the next year in Rome — or just before
    yr_utc = submit.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    dec31 = np.array([calendar.timegm((int(y), 12, 31, 0, 0, 0)) for y in range(1990, 2040)])[
        np.clip(yr_utc - 1990, 0, 49)]
    late = (submit >= dec31 - 16 * DAY) & (submit < dec31 + 22 * 3600) & (rng.random(len(users)) < 0.15)
    submit = np.where(late, dec31 + rng.integers(22 * 3600, DAY, size=len(users)), submit)
    ok = (f2f | dist) & (submit < END_TS) & (submit > times)
    year = rome_year(submit)

    # Pick exactly the target number of respondents per kind and year (scaled down if core is small).
    chosen = np.zeros(len(users), dtype=bool)
    for bien, ys in BIENNIA.items():
        for kinds in (("f2f", "distance"), ("distance_short",)):
            rate = 0.93 if "f2f" in kinds else 1.0     # 93 % of full questionnaires answer `overall`
            k = 1.0
            for kind in kinds:
                for y in ys:
                    pool = int((ok & (kind_of == kind) & (year == y)).sum())
                    k = min(k, pool * rate / (QUESTIONNAIRE_TARGETS[kind][y] * scale))
            for kind in kinds:
                for y in ys:
                    idx = np.flatnonzero(ok & (kind_of == kind) & (year == y))
                    n = int(round(QUESTIONNAIRE_TARGETS[kind][y] * scale * k / rate))
                    chosen[rng.permutation(idx)[:min(n, len(idx))]] = True
    late_idx = np.flatnonzero(ok & (year == 2024))            # early-2024 answers, at the 2023 rate
    chosen[rng.permutation(late_idx)[:int(len(late_idx) * 0.15)]] = True

    # Feedback activities: one per course that has respondents, plus site-level ones (course = 1) for
    # activities without a course space, plus staff tests in sandbox courses.
    resp = np.flatnonzero(chosen)
    fb_courses = sorted({int(c) for c in course_ids[resp]})
    sandbox = [cid for cid, c in courses.items() if c["kind"] == "sandbox"]
    no_space = [a for a in world.activities if a["service_type"] in ("standard_course", "tailored_course")
                and a["status"] == "delivered" and a["mode"] in F2F_MODES and not a["course_id"]
                and a["year"] in YEARS]
    if not no_space:   # every activity has a space: questionnaires kept at site level anyway (paper forms typed in)
        no_space = [a for a in world.activities if a["service_type"] in ("standard_course", "tailored_course")
                    and a["status"] == "delivered" and a["year"] in YEARS]
    feedbacks = []   # dict(id, course, name, anonymous, markers)
    fb_of_course = {}
    for cid in fb_courses + sandbox[:max(1, len(sandbox) // 2)]:
        f = dict(id=len(feedbacks) + 1, course=cid, name="End-of-activity questionnaire",
                 anonymous=1 if (cid in guest_courses or rng.random() < 0.3) else 2, markers=rng.random() < 0.9,
                 short=cid in short)
        if cid in short:
            f.update(name="Course feedback (short)", markers=True)
        if courses[cid]["kind"] == "sandbox":
            f.update(name="Copy of questionnaire (test)", anonymous=2, markers=True)
        feedbacks.append(f)
        fb_of_course[cid] = f
    site = []
    for a in [no_space[i] for i in sorted(rng.permutation(len(no_space))[:max(4, 2 * len(YEARS))])]:
        f = dict(id=len(feedbacks) + 1, course=1, name=f"End-of-activity questionnaire {a['code']}",
                 anonymous=1, markers=True, activity=a)
        feedbacks.append(f)
        site.append(f)

    # Completions: (feedback, userid, time, group)
    comp_fb = [fb_of_course[int(c)] for c in course_ids[resp]]
    comp = [(f, 0 if f["anonymous"] == 1 else int(u), int(t), kind_of[i])
            for f, u, t, i in zip(comp_fb, users[resp], submit[resp], resp)]
    for f in site:     # a handful of answers per site-level questionnaire, anonymous
        a = f["activity"]
        base = rome_midnight(a["end"] or a["start"])
        for _ in range(int(rng.integers(3, 12)) * scale):
            t = base + int(rng.integers(8 * 3600, 10 * DAY))
            if t < END_TS:
                comp.append((f, 0, t, "other"))
    for cid in sandbox[:max(1, len(sandbox) // 2)]:
        f = fb_of_course[cid]
        staff = world.staff_by_course.get(cid) or world.all_staff
        for y in YEARS:
            for _ in range(int(rng.integers(1, 4))):
                t = calendar.timegm((y, int(rng.integers(1, 13)), int(rng.integers(1, 28)), 10, 0, 0))
                comp.append((f, int(staff[int(rng.integers(0, len(staff)))]), t + int(rng.integers(0, 8 * 3600)),
                             "other"))
    comp.sort(key=lambda r: (r[2], r[0]["id"], r[1]))
    n = len(comp)
    c_year = rome_year(np.array([r[2] for r in comp], dtype=np.int64))
    c_group = np.array([r[3] for r in comp])
    has_markers = np.array([r[0]["markers"] for r in comp])

    is_short = np.array([r[0].get("short", False) for r in comp], dtype=bool)
    answered = {"overall": ~is_short & (rng.random(n) < 0.93),
                "ils": has_markers & (rng.random(n) < 0.9),
                "sdt": has_markers & (rng.random(n) < 0.88)}
    scores = {k: np.zeros(n, dtype=np.int64) for k in ("overall", "ils", "sdt")}
    truth = []
    ys_all = sorted(set(int(y) for y in c_year))

    c_utc = np.array([time.gmtime(r[2]).tm_year for r in comp], dtype=np.int64)

    def cells_of(mask, group_of):
        """{(group, Rome year, UTC year): indexes} of the questionnaires in mask."""
        out = {}
        for i in np.flatnonzero(mask):
            out.setdefault((group_of[i], int(c_year[i]), int(c_utc[i])), []).append(i)
        return out

    def centre_of(pub, y, fallback):
        bien = next((b for b, yy in BIENNIA.items() if y in yy), None)
        return float(pub.get(str(y), pub.get(bien, fallback)))

    # 2.2: overall means per cell (group, Rome year, UTC year). Groups: f2f, distance, and other
    # (site-level and sandbox questionnaires, kept at the year's published centre so that the figures hold
    # whether or not a reading counts them in `overall`). A reading by UTC year should miss a figure.
    key22 = {"satisfaction_overall": None, "satisfaction_face_to_face": "f2f", "satisfaction_distance": "distance"}
    pub_overall = PUBLISHED[("2.2", "satisfaction_overall")]
    cells = cells_of(answered["overall"], c_group)
    counts = {c: len(v) for c, v in cells.items()}
    rule = {}
    for c, cnt in counts.items():
        if c[0] == "other":
            rule[c] = int(round(centre_of(pub_overall, c[1], "4.55") * cnt))
        elif c[1] == 2022 and c[2] == 2021:
            rule[c] = int(round(4.9 * cnt))
    yr = {g: year_ranges(("2.2", m), {y: y for y in YEARS}, 1.0, 0.06)
          for m, g in key22.items() if g}
    measures = [(PUBLISHED[("2.2", m)], (lambda c, g=g: g is None or c[0] == g)) for m, g in key22.items()]
    measures.append((pub_overall, lambda c: c[0] in ("f2f", "distance")))   # `overall` without the others
    totals, margin, _caught = calibrate(
        counts, measures, right=lambda c: c[1], traps=[lambda c: c[2]], rule=rule,
        default=lambda c: int(round(centre_of(pub_overall, c[1], "4.55") * counts[c])),
        small=lambda c: None if c[1] == c[2] else [int(round(m * counts[c])) for m in (1.5, 3.25, 4.9)],
        ranges=lambda c: yr[c[0]].get(c[1]) or (4.45, 4.65), scale_of=1.0, grid=13)
    if margin <= 0:
        raise RuntimeError(f"outcomes: cannot calibrate 2.2 on core's records: {counts}")
    for c in sorted(cells):
        idx = np.array(cells[c])
        scores["overall"][idx] = scores_with_total(rng, len(idx), totals[c], 1, 5)

    def mean_of(mask):
        m = mask & answered["overall"]
        return scores["overall"][m].sum() / m.sum() if m.any() else None

    for y in ys_all:
        for measure, g in key22.items():
            v = mean_of((c_year == y) & (c_group == g if g else np.ones(n, bool)))
            if v is not None:
                truth.append(("2.2", measure, str(y), float(v)))
    for b, ys in BIENNIA.items():
        for measure, g in key22.items():
            v = mean_of(np.isin(c_year, ys) & (c_group == g if g else np.ones(n, bool)))
            if v is not None:
                truth.append(("2.2", measure, b, float(v)))

    # A.2: shares of ils/sdt answers scoring 2 or 3, per cell (main/other, Rome year, UTC year).
    main_or_other = np.where(c_group == "other", "other", "main")
    for item, measure in (("ils", "participants_ils_score2_share"), ("sdt", "participants_sdt_score2_share")):
        pub = PUBLISHED[("A.2", measure)]
        cells = cells_of(answered[item], main_or_other)
        counts = {c: len(v) for c, v in cells.items()}
        rule = {}
        for c, cnt in counts.items():
            if c[0] == "other":
                rule[c] = int(round(centre_of(pub, c[1], "90") / 100 * cnt))
            elif c[1] == 2022 and c[2] == 2021:
                rule[c] = 0
        yr = year_ranges(("A.2", measure), {y: y for y in YEARS}, 100.0, 1.5)
        k_tot, margin, _caught = calibrate(
            counts, [(pub, lambda c: True), (pub, lambda c: c[0] == "main")], right=lambda c: c[1],
            traps=[lambda c: c[2]], rule=rule,
            default=lambda c: int(round(centre_of(pub, c[1], "90") / 100 * counts[c])),
            small=lambda c: None if c[1] == c[2] else [0, counts[c] // 2, counts[c]],
            ranges=lambda c: yr.get(c[1]) or (86.0, 92.0), scale_of=100.0, grid=25)
        if margin <= 0:
            raise RuntimeError(f"outcomes: cannot calibrate A.2 {item} on core's records")
        for c in sorted(cells):
            idx = np.array(cells[c])
            hit = exact_k(rng, len(idx), k_tot[c])
            scores[item][idx] = np.where(hit, 2 + (rng.random(len(idx)) < 0.55),
                                         (rng.random(len(idx)) < 0.6).astype(int))
        for period, ys in [(str(y), (y,)) for y in ys_all] + list(BIENNIA.items()):
            m = answered[item] & np.isin(c_year, ys)
            if m.any():
                truth.append(("A.2", measure, period, float(100 * (scores[item][m] >= 2).sum() / m.sum())))

    # Rows.
    fb_rows = [(f["id"], f["course"], f["name"], f["anonymous"]) for f in feedbacks]
    item_rows, item_id = [], {}
    for f in feedbacks:
        for pos, (label, typ, pres, name) in enumerate(ITEMS):
            if label in ("ils", "sdt") and not f["markers"]:
                continue
            if label in ("overall", "gender") and f.get("short"):
                continue
            iid = len(item_rows) + 1
            item_rows.append((iid, f["id"], name, label, typ, pres, pos + 1))
            item_id[(f["id"], label or f"_{pos}")] = iid
    comp_rows, value_rows = [], []
    other_ans = rng.random((n, 3))
    blank_kind = rng.random(n)
    comment_pick = rng.integers(0, len(COMMENTS), size=n)
    for k, (f, uid, t, g) in enumerate(comp):
        cid = k + 1
        comp_rows.append((cid, f["id"], uid, t, f["anonymous"], f["course"]))
        fid = f["id"]
        for label, offset in (("overall", 0), ("ils", 1), ("sdt", 1)):
            iid = item_id.get((fid, label))
            if iid is None:
                continue
            if answered[label][k]:
                value_rows.append((iid, cid, str(int(scores[label][k]) + offset)))
            elif blank_kind[k] < 0.6:
                value_rows.append((iid, cid, ""))
        # other items: relevance 1..5 option, gender marker option, a comment sometimes
        so = int(scores["overall"][k]) or (3 + int(other_ans[k, 0] * 2.99) if is_short[k] else 0)
        value_rows.append((item_id[(fid, "relevance")], cid,
                           str(min(5, max(1, so + (other_ans[k, 0] < 0.3) - (other_ans[k, 0] > 0.85)))) if so else ""))
        if (fid, "gender") in item_id:
            value_rows.append((item_id[(fid, "gender")], cid, str(1 + int(other_ans[k, 1] * 4))))
        if other_ans[k, 2] < 0.2:
            value_rows.append((item_id[(fid, "overall_comment")], cid, COMMENTS[int(comment_pick[k])]))
    value_rows = [(i + 1,) + r for i, r in enumerate(value_rows)]
    return fb_rows, item_rows, comp_rows, value_rows, truth


# --------------------------------------------------------------------------------------------------
# eCampus: post-tests (quiz)

# (quiz.sumgrades, quiz.grade, gradepass)
QUIZ_CONFIGS = [(10.0, 10.0, 6.0), (20.0, 10.0, 7.0), (15.0, 100.0, 60.0), (12.0, 10.0, 5.0),
                (25.0, 100.0, 70.0), (40.0, 20.0, 12.0), (10.0, 100.0, 80.0), (30.0, 10.0, 6.0)]
# Pairs (user, post-test) whose best attempt falls in each year, at scale 1.
POSTTEST_TARGETS = {2019: 2000, 2020: 15000, 2021: 17000, 2022: 20000, 2023: 21000, 2024: 2000}


def grade_values(qs: float, grade: float, gradepass: float):
    """Attempt sumgrades (half marks) whose pass/fail is the same exactly and in floating point, whichever
    order the grade is computed in; and their pass flags."""
    vals, passes = [], []
    for h in range(int(2 * qs) + 1):
        s = h / 2
        exact = Fraction(h, 2) / Fraction(qs) * Fraction(grade) >= Fraction(gradepass)
        if (s / qs * grade >= gradepass) == exact and (s * grade / qs >= gradepass) == exact \
                and (s / (qs / grade) >= gradepass) == exact:
            vals.append(s)
            passes.append(exact)
    return np.array(vals), np.array(passes)


def _posttests(world: World, rng, scale: int):
    courses = world.courses
    users, course_ids, times = world.st_user, world.st_course, world.st_time

    # Which courses have which quizzes.
    quiz_rows, cm_rows, gi_rows = [], [], []   # filled below
    quizzes = []       # dict(id, course, kind, config, idnumber, name)
    post_of_course, pre_of_course, practice_of_course = {}, {}, {}
    course_list = sorted({int(c) for c in course_ids})
    for cid in course_list:
        c = courses.get(cid)
        if c is None or c["kind"] == "sandbox":
            continue
        p_post = {"f2f": 0.6, "other": 0.3}.get(c["kind"], 0.45 if c["top"] == "selfguided" and c["activity"] is None
                                                 else 0.85)
        if rng.random() < p_post:
            post_of_course[cid] = dict(course=cid, kind="post", config=QUIZ_CONFIGS[int(rng.integers(0, len(QUIZ_CONFIGS)))],
                                       idnumber=["postkat", "postkat_final", "postkat2"][int(rng.choice(3, p=[.5, .3, .2]))],
                                       name=["Post-test", "Final knowledge assessment (post-KAT)", "Test de sortie",
                                             "Prueba final"][int(rng.integers(0, 4))])
            if rng.random() < 0.7:
                pre_of_course[cid] = dict(course=cid, kind="pre", config=post_of_course[cid]["config"],
                                          idnumber=["prekat", "prekat_initial"][int(rng.integers(0, 2))],
                                          name="Pre-test (initial knowledge assessment)")
        if rng.random() < 0.25:
            practice_of_course[cid] = dict(course=cid, kind="practice", config=QUIZ_CONFIGS[int(rng.integers(0, 8))],
                                           idnumber=["", "", "quiz_m2", "selfcheck"][int(rng.integers(0, 4))],
                                           name="Self-check quiz")
    # sandbox courses: copies of post-tests under test names, only previewed by staff
    sandbox = [cid for cid, c in courses.items() if c["kind"] == "sandbox"]
    sandbox_q = {cid: dict(course=cid, kind="sandbox", config=QUIZ_CONFIGS[0], idnumber="test_postkat_copy",
                           name="Copy of post-test") for cid in sandbox[:3]}
    all_q = []
    for cid in sorted(set(course_list) | set(sandbox_q)):
        for group in (pre_of_course, post_of_course, practice_of_course, sandbox_q):
            if cid in group:
                all_q.append(group[cid])
    for i, q in enumerate(all_q):
        q["id"] = i + 1

    # Post-test takers: a share of each year's students of courses with a post-test.
    has_post = np.array([int(c) in post_of_course for c in course_ids])
    enrol_year = rome_year(times)
    take = np.zeros(len(users), dtype=bool)
    for y, tgt in POSTTEST_TARGETS.items():
        pool = has_post & (enrol_year == y)
        p = min(1.0, tgt * scale / max(1, pool.sum()) * 1.02)
        take |= pool & (rng.random(len(users)) < p)
    sel = np.flatnonzero(take)

    pr = random.Random(int(rng.integers(2 ** 62)))   # fast scalar draws for the per-pair loops
    attempts = []   # (quiz, userid, state, preview, timestart, timefinish, sumgrades or None)
    pairs = []      # per post-test taker: dict(q, user, times [(ts, tf)], b, tie, year)
    n_sel = len(sel)
    k_fin = rng.choice([1, 2, 3], size=n_sel, p=[.7, .2, .1])
    first = times[sel] + 3600 + (rng.exponential(18, size=n_sel) * DAY).astype(np.int64)
    trap = rng.random(n_sel)
    for j, row in enumerate(sel):
        q = post_of_course[int(course_ids[row])]
        k = int(k_fin[j])
        tie_forced = False
        tlist = []
        t = int(first[j])
        for _ in range(k):
            ts = t
            tf = ts + pr.randrange(5 * 60, 50 * 60)
            tlist.append((ts, tf))
            t = tf + 600 + int(pr.expovariate(1 / (4 * DAY)))
        b = 0 if k == 1 else (k - 1 if pr.random() < 0.65 else pr.randrange(0, k - 1))
        y_utc = time.gmtime(tlist[b][1]).tm_year
        late_year = time.gmtime(tlist[b][1]).tm_mon >= 11
        if late_year and trap[j] < 0.04:
            # best attempt finished on 31 December after 22:00 UTC (after 23:00 UTC it is already next year)
            target = calendar.timegm((y_utc, 12, 31, 22, 0, 0)) + pr.randrange(0, 7200)
            delta = max(0, target - tlist[b][1])
            tlist = [(a + delta, f + delta) for a, f in tlist]
        elif late_year and trap[j] < 0.065:
            # best attempt in late December, an equal grade early in January: the earlier one wins
            tf0 = calendar.timegm((y_utc, 12, pr.randrange(18, 31), 9, 0, 0)) + pr.randrange(0, 8 * 3600)
            if tf0 > times[row] + 7200:
                ts1 = calendar.timegm((y_utc + 1, 1, pr.randrange(2, 12), 9, 0, 0))
                tlist = [(tf0 - 1800, tf0), (ts1, ts1 + 1500)]
                k, b, tie_forced = 2, 0, True
        tlist = [(a, f) for a, f in tlist if f < END_TS]
        if not tlist:
            continue
        k = len(tlist)
        b = min(b, k - 1)
        r_year = time.gmtime(tlist[b][1] + 3600).tm_year
        # cell: (Rome year of the best attempt, its UTC year, Rome year of the latest equally graded attempt)
        l_year = time.gmtime(tlist[1][1] + 3600).tm_year if tie_forced and k == 2 else r_year
        pairs.append(dict(q=q, user=int(users[row]), times=tlist, b=b, tie=tie_forced and k == 2, year=r_year,
                          cell=(r_year, time.gmtime(tlist[b][1]).tm_year, l_year)))

    # Calibrate pass counts per cell (year under the rule, under a UTC reading, under a "latest of equal
    # grades" reading): the figures hold under the rule; each mistaken reading misses one if it can.
    p_year = np.array([p["year"] for p in pairs])
    ys_all = sorted(set(p_year.tolist()))
    cell_of = [p["cell"] for p in pairs]
    counts: dict = {}
    for c in cell_of:
        counts[c] = counts.get(c, 0) + 1
    share = lambda c: int(round(0.83 * counts[c]))  # noqa: E731  natural share outside the biennia
    rule = {}
    for c in counts:
        if c[0] == 2022 and c[1] == 2021:       # Rome 2022, UTC 2021: couples the two biennia
            rule[c] = 0
        elif c[0] == 2021 and c[2] == 2022:     # tie resolved in 2021, latest tie in 2022
            rule[c] = counts[c]
    pub = PUBLISHED[("2.1", "knowledge_gain_share")]
    year_range = year_ranges(("2.1", "knowledge_gain_share"), {y: y for y in YEARS}, 100.0, 1.5)
    passes, margin, _caught = calibrate(
        counts, [(pub, lambda c: True)], right=lambda c: c[0],
        traps=[lambda c: c[1], lambda c: c[2]], rule=rule, default=share,
        small=lambda c: None if c[0] == c[1] == c[2] else [0, counts[c] // 2, counts[c]],
        ranges=lambda c: year_range.get(c[0]) or (80.0, 86.0), scale_of=100.0, grid=25)
    if margin <= 0:
        raise RuntimeError(f"outcomes: cannot calibrate 2.1 on core's records: {counts}")
    passed = np.zeros(len(pairs), dtype=bool)
    cell_no = {c: i for i, c in enumerate(sorted(counts))}
    cell_arr = np.array([cell_no[c] for c in cell_of])
    for c in sorted(counts):
        idx = np.flatnonzero(cell_arr == cell_no[c])
        passed[idx] = exact_k(rng, len(idx), passes[c])
    truth = []
    for period, ys in [(str(y), (y,)) for y in ys_all] + list(BIENNIA.items()):
        m = np.isin(p_year, ys)
        if m.any():
            truth.append(("2.1", "knowledge_gain_share", period, float(100 * passed[m].sum() / m.sum())))

    # Grades consistent with the chosen best attempt and outcome.
    vals_cache = {cfg: grade_values(*cfg) for cfg in QUIZ_CONFIGS}
    pools = {}
    for cfg, (vals, pas) in vals_cache.items():
        for ok in (True, False):
            for later in (False, True):
                pool = vals[pas] if ok else vals[~pas]
                if later:
                    pool = pool[pool > vals[0]]
                w = np.linspace(1, 3, len(pool)) if ok else np.linspace(0.5, 2, len(pool))
                pools[(cfg, ok, later)] = ([float(v) for v in pool], [float(x) for x in w])
    vals_list = {cfg: [float(v) for v in vals] for cfg, (vals, _) in vals_cache.items()}
    pre_takers = []
    for p, ok in zip(pairs, passed):
        cfg = p["q"]["config"]
        vals = vals_list[cfg]
        k, b = len(p["times"]), p["b"]
        pool, w = pools[(cfg, bool(ok), k > 1)]
        sb = pr.choices(pool, w)[0]
        n_below = bisect.bisect_left(vals, sb)
        grades = []
        for i in range(k):
            if i == b:
                grades.append(sb)
            elif i > b and (p["tie"] or n_below == 0 or (
                    pr.random() < 0.35 and time.gmtime(p["times"][i][1]).tm_year == p["cell"][1]
                    and time.gmtime(p["times"][i][1] + 3600).tm_year == p["cell"][0])):
                grades.append(sb)
            else:
                grades.append(vals[pr.randrange(max(0, n_below - 8), n_below)])
        for (ts, tf), g in zip(p["times"], grades):
            attempts.append((p["q"]["id"], p["user"], "finished", 0, ts, tf, g))
        r = pr.random()
        if r < 0.08:   # an unfinished attempt after the last finished one
            ts = p["times"][-1][1] + 3600 + int(pr.expovariate(1 / (3 * DAY)))
            if ts < END_TS:
                state = pr.choices(["abandoned", "overdue", "inprogress"], [.5, .2, .3])[0]
                attempts.append((p["q"]["id"], p["user"], state, 0, ts, 0, None))
        elif r < 0.12:  # an abandoned attempt before the first finished one
            ts = p["times"][0][0] - 3600 - pr.randrange(0, 2 * DAY)
            attempts.append((p["q"]["id"], p["user"], "abandoned", 0, ts, 0, None))
        cid = p["q"]["course"]
        if cid in pre_of_course and pr.random() < 0.85:
            pre_takers.append((pre_of_course[cid], p["user"], p["times"][0][0]))

    # Students who started the post-test but never finished it.
    extra = rng.permutation(np.flatnonzero(has_post & ~take))[: max(1, int(0.03 * n_sel))]
    for row in extra:
        q = post_of_course[int(course_ids[row])]
        ts = int(times[row]) + 3600 + int(rng.exponential(20 * DAY))
        if ts < END_TS:
            attempts.append((q["id"], int(users[row]), ["inprogress", "abandoned"][int(rng.integers(0, 2))], 0, ts, 0,
                             None))

    # Pre-tests: mostly failed, taken before the post-test (a reading that counts them would fall short).
    for q, uid, t_post in pre_takers:
        vals, pas = vals_cache[q["config"]]
        ts = t_post - pr.randrange(2 * 3600, 10 * DAY)
        s = float(pr.choice(vals[pas] if pr.random() < 0.3 else vals[~pas]))
        attempts.append((q["id"], uid, "finished", 0, ts, ts + pr.randrange(300, 1800), s))

    # Practice quizzes.
    has_practice = np.array([int(c) in practice_of_course for c in course_ids])
    for row in np.flatnonzero(has_practice & (rng.random(len(users)) < 0.2)):
        q = practice_of_course[int(course_ids[row])]
        vals, _ = vals_cache[q["config"]]
        ts = int(times[row]) + pr.randrange(3600, 30 * DAY)
        if ts + 1800 < END_TS:
            attempts.append((q["id"], int(users[row]), "finished", 0, ts, ts + pr.randrange(120, 1800),
                             float(pr.choice(vals))))

    # Staff previews of post-tests (and of the sandbox copies), often passing.
    for q in all_q:
        if q["kind"] not in ("post", "sandbox"):
            continue
        staff = world.staff_by_course.get(q["course"]) or world.all_staff
        base = int(courses[q["course"]]["startdate"] or calendar.timegm((2021, 3, 1, 9, 0, 0)))
        vals, pas = vals_cache[q["config"]]
        for _ in range(int(rng.integers(1, 4))):
            ts = base - int(rng.integers(0, 20 * DAY))
            if 0 < ts < END_TS:
                attempts.append((q["id"], int(staff[int(rng.integers(0, len(staff)))]), "finished", 1, ts,
                                 ts + int(rng.integers(60, 900)), float(rng.choice(vals[pas]))))

    # Rows: attempts numbered per (quiz, user) in time order; ids in time order.
    attempts.sort(key=lambda a: (a[4], a[0], a[1], a[3]))
    seq: dict[tuple[int, int, int], int] = {}
    attempt_rows = []
    for i, (qid, uid, state, preview, ts, tf, s) in enumerate(attempts):
        n = seq.get((qid, uid, preview), 0) + 1
        seq[(qid, uid, preview)] = n
        attempt_rows.append((i + 1, qid, uid, n, state, preview, ts, tf, s))

    quiz_rows = [(q["id"], q["course"], q["name"], q["config"][0], q["config"][1]) for q in all_q]
    return all_q, quiz_rows, attempt_rows, truth


# --------------------------------------------------------------------------------------------------
# Writing

MAP_DDL = {
    "organisation": "organisation_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, "
                    "organisation_type TEXT, updated_at TIMESTAMP NOT NULL",
    "service_client": "activity_id INTEGER NOT NULL REFERENCES activity(activity_id), "
                      "organisation_id INTEGER NOT NULL REFERENCES organisation(organisation_id), "
                      "PRIMARY KEY (activity_id, organisation_id)",
    "service_feedback": "feedback_id INTEGER PRIMARY KEY, activity_id INTEGER NOT NULL REFERENCES activity(activity_id), "
                        "submitted_on DATE NOT NULL, score INTEGER CHECK (score BETWEEN 1 AND 5)",
}
MDL_DDL = {
    "modules": "id INTEGER PRIMARY KEY, name TEXT NOT NULL, visible INTEGER NOT NULL DEFAULT 1",
    "course_modules": "id INTEGER PRIMARY KEY, course INTEGER NOT NULL, module INTEGER NOT NULL, "
                      "instance INTEGER NOT NULL, idnumber TEXT, visible INTEGER NOT NULL DEFAULT 1, "
                      "added INTEGER NOT NULL DEFAULT 0",
    "quiz": "id INTEGER PRIMARY KEY, course INTEGER NOT NULL, name TEXT NOT NULL, "
            "sumgrades NUMERIC NOT NULL, grade NUMERIC NOT NULL",
    "quiz_attempts": "id INTEGER PRIMARY KEY, quiz INTEGER NOT NULL, userid INTEGER NOT NULL, "
                     "attempt INTEGER NOT NULL, state TEXT NOT NULL, preview INTEGER NOT NULL, "
                     "timestart INTEGER NOT NULL, timefinish INTEGER NOT NULL, sumgrades NUMERIC",
    "grade_items": "id INTEGER PRIMARY KEY, courseid INTEGER, itemtype TEXT NOT NULL, itemmodule TEXT, "
                   "iteminstance INTEGER, itemname TEXT, grademax NUMERIC NOT NULL, gradepass NUMERIC NOT NULL",
    "feedback": "id INTEGER PRIMARY KEY, course INTEGER NOT NULL, name TEXT NOT NULL, anonymous INTEGER NOT NULL",
    "feedback_item": "id INTEGER PRIMARY KEY, feedback INTEGER NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL, "
                     "typ TEXT NOT NULL, presentation TEXT NOT NULL, position INTEGER NOT NULL",
    "feedback_completed": "id INTEGER PRIMARY KEY, feedback INTEGER NOT NULL, userid INTEGER NOT NULL, "
                          "timemodified INTEGER NOT NULL, anonymous_response INTEGER NOT NULL, "
                          "courseid INTEGER NOT NULL",
    "feedback_value": "id INTEGER PRIMARY KEY, item INTEGER NOT NULL, completed INTEGER NOT NULL, "
                      "value TEXT NOT NULL",
}


def _write(con: sqlite3.Connection, prefix: str, ddl: dict, rows: dict):
    with con:
        for table, cols in ddl.items():
            name = prefix + table
            con.execute(f"DROP TABLE IF EXISTS {name}")
            con.execute(f"CREATE TABLE {name} ({cols})")
            data = rows[table]
            if data:
                marks = ",".join("?" * len(data[0]))
                con.executemany(f"INSERT INTO {name} VALUES ({marks})", data)


def generate(out: Path, truth: Path, seed: int = 20231231, scale: int = 1) -> None:
    out, truth = Path(out), Path(truth)
    world = World(out)
    rng_map = np.random.default_rng([seed, zlib.crc32(b"outcomes:map")])
    rng_fb = np.random.default_rng([seed, zlib.crc32(b"outcomes:feedback")])
    rng_quiz = np.random.default_rng([seed, zlib.crc32(b"outcomes:quiz")])

    org_rows, client_rows, sf_rows, truth_map = _map_tables(world, rng_map, scale)
    fb_rows, item_rows, comp_rows, value_rows, truth_fb = _questionnaires(world, rng_fb, scale)
    quizzes, quiz_rows, attempt_rows, truth_quiz = _posttests(world, rng_quiz, scale)

    # Course modules: quizzes, questionnaires, a news forum per course, and pages — some pages carry an
    # idnumber beginning with `postkat` (instructions), which makes no quiz a post-test.
    cm_rows = []
    forum_id = page_id = assign_id = 0
    extra_by_course: dict[int, list] = {}
    for q in quizzes:
        extra_by_course.setdefault(q["course"], []).append((MOD["quiz"], q["id"], q["idnumber"]))
    for f in fb_rows:
        extra_by_course.setdefault(f[1], []).append((MOD["feedback"], f[0], ""))
    grade_rows = []
    for cid in sorted(extra_by_course):
        mods = extra_by_course[cid]
        if cid != 1:
            forum_id += 1
            mods = [(MOD["forum"], forum_id, "")] + mods
            if any(m[2].startswith("postkat") for m in mods) and rng_quiz.random() < 0.2:
                page_id += 1
                mods.append((MOD["page"], page_id, "postkat_instructions"))
            if rng_quiz.random() < 0.2:
                assign_id += 1
                mods.append((MOD["assign"], assign_id, ""))
                grade_rows.append((cid, "mod", "assign", assign_id, "Final assignment", 100.0, 50.0))
        added = int(world.courses.get(cid, {}).get("startdate") or 0)
        for module, instance, idnumber in mods:
            cm_rows.append((len(cm_rows) + 1, cid, module, instance, idnumber, 1, added))
    for q in quizzes:
        qs, grade, gp = q["config"]
        grade_rows.append((q["course"], "mod", "quiz", q["id"], q["name"], grade,
                           gp if q["kind"] in ("post", "pre", "sandbox") else 0.0))
    for cid in sorted({q["course"] for q in quizzes}):
        grade_rows.append((cid, "course", None, cid, None, 100.0, 0.0))
    grade_rows.sort(key=lambda r: (r[0], r[1] != "course", r[2] or "", r[3]))
    grade_rows = [(i + 1,) + r for i, r in enumerate(grade_rows)]

    _write(world.map, "", MAP_DDL, {"organisation": org_rows, "service_client": client_rows,
                                    "service_feedback": sf_rows})
    _write(world.ecampus, "mdl_", MDL_DDL, {
        "modules": [(MOD[m], m, 0 if m == "assignment" else 1) for m in MODULES],
        "course_modules": cm_rows, "quiz": quiz_rows, "quiz_attempts": attempt_rows, "grade_items": grade_rows,
        "feedback": fb_rows, "feedback_item": item_rows, "feedback_completed": comp_rows,
        "feedback_value": value_rows})
    world.map.close()
    world.ecampus.close()

    truth.mkdir(parents=True, exist_ok=True)
    with open(truth / "expected_outcomes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator_code", "measure", "period", "value"])
        for row in truth_map + truth_quiz + truth_fb:
            w.writerow(row)
