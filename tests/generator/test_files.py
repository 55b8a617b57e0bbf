"""File-based sources of the demo generator (PMSU workbook, finance/HR, external evaluation, submissions):
contract conformance, determinism, and an independent computation of the published figures straight from the
written files (plain csv/openpyxl, not the generator's internals)."""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from demo.generator import files
from demo.reference import ANNEX1_PUBLISHED_CSV, ANNEX2_AGREEMENTS_CSV

SEED = 20231231
PUBLISHED = ANNEX1_PUBLISHED_CSV
ANNEX2 = ANNEX2_AGREEMENTS_CSV
SUBMITTED = {"2.10", "3.2", "4.1", "5.A", "5.1", "5.2", "5.3", "5.4", "6.A", "6.1", "6.2", "7.A", "7.1", "7.2",
             "7.3", "8.A", "8.1", "8.2", "R", "C"}
PERIODS = {"2020": (2020,), "2021": (2021,), "2022": (2022,), "2023": (2023,), "2020-21": (2020, 2021),
           "2022-23": (2022, 2023)}
PREVIOUS = {"2021": "2020", "2022": "2021", "2023": "2022", "2022-23": "2020-21"}


def _generate(tmp: Path) -> tuple[Path, Path]:
    out, truth = tmp / "out", tmp / "truth"
    out.mkdir(parents=True)
    truth.mkdir(parents=True)
    files.generate(out, truth, seed=SEED, scale=1)
    return out, truth


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _generate(tmp_path_factory.mktemp("files"))


def published() -> list[dict]:
    with open(PUBLISHED, encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["kind"] in ("result", "baseline")]


def agrees(pub: str, x: float) -> bool:
    dec = len(pub.split(".")[1]) if "." in pub else 0
    half = 0.5 / 10 ** dec
    return float(pub) - half <= x < float(pub) + half


def _csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


# ---------------------------------------------------------------------------------------------- PMSU
def read_register(out: Path) -> tuple[list[dict], dict]:
    wb = openpyxl.load_workbook(out / "agreements.xlsx", read_only=True, data_only=True)
    rows = list(wb["Register"].iter_rows(values_only=True))
    header = [h.strip() for h in rows[0]]
    regs = []
    for row in rows[1:]:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        regs.append({h: (v.strip() if isinstance(v, str) else v) for h, v in zip(header, row)})
    rates = {}
    for month, cur, rate in list(wb["Rates"].iter_rows(values_only=True))[1:]:
        rates[(month, cur)] = float(rate)
    wb.close()
    return regs, rates


def _amount(v) -> float:
    if isinstance(v, str):
        return float(v.replace(" ", "").replace(",", ""))
    return float(v)


def pmsu_figures(out: Path) -> dict[tuple[str, str], float]:
    regs, rates = read_register(out)
    signed = [r for r in regs if r["Status"] == "Signed" and r["Signed on"] is not None]
    n, big = defaultdict(int), defaultdict(int)
    for r in signed:
        d = r["Signed on"].date() if isinstance(r["Signed on"], datetime) else r["Signed on"]
        n[d.year] += 1
        eur = _amount(r["Amount"]) * rates[(f"{d.year}-{d.month:02d}", r["Currency"])]
        if eur > 500000:
            big[d.year] += 1
    res = {}
    for per, ys in PERIODS.items():
        res[("3.3", per)] = sum(big[y] for y in ys)
        if per in PREVIOUS:
            prev = PERIODS[PREVIOUS[per]]
            res[("3.1", per)] = (sum(n[y] for y in ys) / sum(n[y] for y in prev) - 1) * 100
    return res


def test_workbook_conforms(generated):
    out, _ = generated
    wb = openpyxl.load_workbook(out / "agreements.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Register", "Rates"]
    header = next(wb["Register"].iter_rows(values_only=True))
    assert [h.strip() for h in header] == ["Ref", "Partner", "Partner category", "Country", "Amount", "Currency",
                                           "Signed on", "Period", "Status", "Notes"]
    assert list(next(wb["Rates"].iter_rows(values_only=True))) == ["Month", "Currency", "Rate"]
    wb.close()
    regs, rates = read_register(out)
    labels = {"Awarded project", "UN system", "Multi- and bilateral", "International financial institution",
              "Direct trust fund", "Training institute or university", "Social partner", "Private sector",
              "Foundation", "Intergovernmental organisation", "Other NGO"}
    refs = [r["Ref"] for r in regs]
    assert len(refs) == len(set(refs))
    assert all(re.fullmatch(r"PMSU-\d{4}-\d{3}", x) for x in refs)
    assert {r["Partner category"] for r in regs} <= labels
    assert {r["Status"] for r in regs} == {"Signed", "Draft", "Cancelled"}
    assert all(r["Signed on"] is None for r in regs if r["Status"] == "Draft")
    # every currency used has a rate for every month 2020-01 .. 2023-12
    months = [f"{y}-{m:02d}" for y in range(2020, 2024) for m in range(1, 13)]
    for cur in {r["Currency"] for r in regs}:
        assert all((m, cur) in rates for m in months), cur
    # messy cells occur: text amounts with separators, trailing spaces, blank rows
    wb = openpyxl.load_workbook(out / "agreements.xlsx", read_only=True)
    raw = list(wb["Register"].iter_rows(values_only=True))
    wb.close()
    assert any(isinstance(r[4], str) and " " in r[4].strip() for r in raw[1:])
    assert any(isinstance(r[4], str) and "," in r[4] for r in raw[1:])
    assert any(isinstance(v, str) and v != v.rstrip() for r in raw[1:] for v in r)
    assert any(all(v is None for v in r) for r in raw[1:])


def test_register_holds_annex2(generated):
    out, _ = generated
    regs, _ = read_register(out)
    with open(ANNEX2, encoding="utf-8") as f:
        annex = list(csv.DictReader(f))
    have = defaultdict(int)
    for r in regs:
        if r["Status"] == "Signed":
            have[(r["Partner"], _amount(r["Amount"]), r["Currency"], r["Signed on"].year)] += 1
    need = defaultdict(int)
    for a in annex:
        need[(a["partner_name"], float(a["amount"]), a["currency"], int(a["signed_year"]))] += 1
    for k, v in need.items():
        assert have[k] >= v, k


# ---------------------------------------------------------------------------------------------- finance/HR
def finance_figures(out: Path) -> dict[tuple[str, str], float]:
    _, net = _csv(out / "finance" / "net_contribution.csv")
    _, staff = _csv(out / "finance" / "staff.csv")
    res = {}
    for per, ys in PERIODS.items():
        sel = [r for r in net if int(r["year"]) in ys]
        tot = sum(float(r["revenue_keur"]) - float(r["direct_expenses_keur"]) for r in sel)
        earned = sum(float(r["revenue_keur"]) - float(r["direct_expenses_keur"]) for r in sel
                     if r["source"] != "voluntary_contributions")
        res[("3.A", per)] = earned / tot * 100
        last = [r for r in staff if int(r["year"]) == ys[-1]]
        res[("4.A", per)] = (sum(float(r["fte"]) for r in last if r["unit_type"] == "support")
                             / sum(float(r["fte"]) for r in last) * 100)
        sel = [r for r in staff if int(r["year"]) in ys]
        res[("4.2", per)] = (sum(float(r["staff_cost_keur"]) for r in sel if r["cost_type"] == "indirect")
                             / sum(float(r["staff_cost_keur"]) for r in sel) * 100)
    return res


def test_finance_conforms(generated):
    out, _ = generated
    cols, net = _csv(out / "finance" / "net_contribution.csv")
    assert cols == ["year", "source", "revenue_keur", "direct_expenses_keur"]
    assert {r["source"] for r in net} == {"training_and_non_training", "multimedia", "miscellaneous",
                                          "voluntary_contributions"}
    cols, staff = _csv(out / "finance" / "staff.csv")
    assert cols == ["year", "position_ref", "unit", "unit_type", "fte", "staff_cost_keur", "cost_type"]
    assert {r["unit_type"] for r in staff} == {"support", "technical"}
    assert {r["cost_type"] for r in staff} == {"direct", "indirect"}
    per_year = defaultdict(set)
    for r in staff:
        assert r["position_ref"] not in per_year[r["year"]]
        per_year[r["year"]].add(r["position_ref"])
    assert all(len(v) >= 200 for v in per_year.values())


# ---------------------------------------------------------------------------------------------- evaluation
def evaluation_figures(out: Path) -> dict[tuple[str, str], float]:
    by_year = defaultdict(list)
    for path in sorted((out / "evaluation").glob("external_evaluation_*.csv")):
        _, rows = _csv(path)
        for r in rows:
            by_year[int(r["survey_year"])].append(r)
    res = {}
    for code, col in (("2.A", "relevant"), ("2.B", "theory_to_practice"), ("2.C", "can_apply"),
                      ("2.D", "gave_example")):
        for per, ys in PERIODS.items():
            vals = [r[col] for y in ys for r in by_year[y] if r[col] != ""]
            num = sum(v == "yes" for v in vals) if code == "2.D" else sum(v in ("4", "5") for v in vals)
            den = len(vals)
            res[(code, per)] = num / den * 100
    return res


def test_evaluation_conforms(generated):
    out, _ = generated
    years = []
    for path in sorted((out / "evaluation").glob("external_evaluation_*.csv")):
        year = int(path.stem.rsplit("_", 1)[1])
        years.append(year)
        cols, rows = _csv(path)
        assert cols == ["respondent_id", "survey_year", "modality", "relevant", "theory_to_practice", "can_apply",
                        "gave_example"]
        assert 300 <= len(rows) <= 2500
        assert len({r["respondent_id"] for r in rows}) == len(rows)
        assert {r["survey_year"] for r in rows} == {str(year)}
        assert {r["modality"] for r in rows} <= {"face_to_face", "blended", "distance"}
        for c in ("relevant", "theory_to_practice", "can_apply"):
            assert {r[c] for r in rows} <= {"", "1", "2", "3", "4", "5"}
            assert any(r[c] == "" for r in rows)
        assert {r["gave_example"] for r in rows} == {"", "yes", "no"}
    assert {2021, 2022, 2023} <= set(years)


# ---------------------------------------------------------------------------------------------- submissions
def test_submissions(generated):
    out, truth = generated
    cols, rows = _csv(out / "indicator_submissions.csv")
    assert cols == ["indicator_code", "measure", "period", "value", "text", "submitted_by", "submitted_on"]
    pub = [r for r in published() if r["kind"] == "result" and r["indicator_code"] in SUBMITTED]
    known = {r["indicator_code"] for r in published()}
    latest = {}
    history = defaultdict(list)
    for r in rows:
        date.fromisoformat(r["submitted_on"])
        key = (r["indicator_code"], r["measure"], r["period"])
        history[key].append(r)
        if key not in latest or r["submitted_on"] > latest[key]["submitted_on"]:
            latest[key] = r
    for p in pub:
        got = latest[(p["indicator_code"], p["measure"], p["period"])]
        if p["value"]:
            assert agrees(p["value"], float(got["value"])), p
        else:
            assert got["text"] == p["note"] and got["value"] == "", p
    # a resubmission with an earlier different value
    assert any(len({r["value"] for r in h}) > 1 for h in history.values())
    # to be refused: an unknown code and a computed indicator
    assert any(r["indicator_code"] not in known for r in rows)
    assert any(r["indicator_code"] in known and r["indicator_code"] not in SUBMITTED for r in rows)
    _, refused = _csv(truth / "refused_submissions.csv")
    assert len(refused) == 2


# ---------------------------------------------------------------------------------------------- figures
def test_independent_figures_match_published(generated):
    out, truth = generated
    figures = {**pmsu_figures(out), **finance_figures(out), **evaluation_figures(out)}
    codes = {c for c, _ in figures}
    checked = 0
    for p in published():
        if p["indicator_code"] not in codes or not p["value"]:
            continue
        key = (p["indicator_code"], p["period"])
        assert key in figures, key
        x = figures[key]
        if p["unit"] == "count":
            assert x == int(p["value"]), (key, x, p["value"])
        else:
            assert agrees(p["value"], x), (key, x, p["value"])
        checked += 1
    assert checked == 16 + 3 + 4 + 12   # 2.A-2.D, 3.1, 3.3, 3.A/4.A/4.2 (results and baselines)
    # the truth file agrees with the independent computation
    _, exp = _csv(truth / "expected_files.csv")
    for r in exp:
        key = (r["indicator_code"], r["period"])
        if key in figures:
            assert abs(figures[key] - float(r["value"])) < 1e-9, key


# ---------------------------------------------------------------------------------------------- determinism
def _snapshot(out: Path) -> dict:
    snap = {}
    for path in sorted(out.rglob("*")):
        if path.suffix == ".csv":
            snap[str(path.relative_to(out))] = path.read_bytes()
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            snap[path.name] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
            wb.close()
    return snap


def test_deterministic(generated, tmp_path):
    out, truth = generated
    out2, truth2 = _generate(tmp_path)
    assert _snapshot(out) == _snapshot(out2)
    assert _snapshot(truth) == _snapshot(truth2)
