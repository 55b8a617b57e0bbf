"""External evaluation survey files `evaluation/external_evaluation_<year>.csv` (contract: evaluation.md).

2.A/2.B/2.C: share answering 4 or 5 among those answering the item; 2.D: yes / (yes + no). Survey years 2020-2023
(a survey year's results are the Centre's results for that year); bienniums pool numerators and denominators.
Per item and year an integer (agree, answering) pair is searched so that the yearly and pooled published figures
hold at their published precision, with the value as close as possible to the published one. The 2023 survey had
627 respondents (report).
"""
from __future__ import annotations

import csv
import random
from fractions import Fraction as F
from pathlib import Path

RESPONDENTS = {2020: 842, 2021: 1184, 2022: 786, 2023: 627}
ITEMS = ("relevant", "theory_to_practice", "can_apply")
CODES = {"relevant": ("2.A", "relevance_agree_share"), "theory_to_practice": ("2.B", "theory_to_practice_agree_share"),
         "can_apply": ("2.C", "can_apply_agree_share"), "gave_example": ("2.D", "concrete_example_share")}
# published figures: (value as text) per period; yearly free values for unpublished years
PUBLISHED = {
    "relevant": {"2021": "95.4", "2022": "95", "2023": "96.9", "2022-23": "95.9"},
    "theory_to_practice": {"2021": "92.3", "2022": "90.5", "2023": "93.8", "2022-23": "92"},
    "can_apply": {"2021": "94.3", "2022": "94.2", "2023": "93.6", "2022-23": "93.9"},
    "gave_example": {"2020-21": "57", "2022": "52.3", "2023": "75.4", "2022-23": "62.5"},
}
FREE_2020 = {"relevant": F(946, 1000), "theory_to_practice": F(915, 1000), "can_apply": F(931, 1000),
             "gave_example": F(551, 1000)}
FREE_2021_D = F(584, 1000)
# share of respondents answering the item (the rest left it empty); gave_example is asked of part of them
ANSWER_RATE = {"relevant": 0.985, "theory_to_practice": 0.97, "can_apply": 0.975, "gave_example": 0.82}


def _bounds(text: str) -> tuple[F, F, F]:
    """(low, high, centre) of a published percentage as a fraction in [0, 1]."""
    dec = len(text.split(".")[1]) if "." in text else 0
    half = F(1, 2 * 10 ** dec)
    c = F(text)
    return (c - half) / 100, (c + half) / 100, c / 100


def _candidates(n_resp: int, rate: float, pub: str | None, free: F | None, spread: int = 40):
    """(agree, answering, distance) candidates of a year."""
    base = int(round(n_resp * rate))
    out = []
    for n in range(max(10, base - spread), min(n_resp, base + spread) + 1):
        if pub is not None:
            lo, hi, c = _bounds(pub)
        else:
            lo, hi, c = free - F(1, 200), free + F(1, 200), free
        for a in range(int(lo * n), int(hi * n) + 2):
            if 0 < a <= n and lo <= F(a, n) < hi:
                out.append((a, n, abs(F(a, n) - c)))
    return out


def solve(item: str) -> dict[int, tuple[int, int]]:
    pub = PUBLISHED[item]
    res: dict[int, tuple[int, int]] = {}
    rate = ANSWER_RATE[item]
    if item == "gave_example":
        c20 = _candidates(RESPONDENTS[2020], rate, None, FREE_2020[item], 20)
        c21 = _candidates(RESPONDENTS[2021], rate, None, FREE_2021_D, 20)
        lo, hi, c = _bounds(pub["2020-21"])
        best = min(((abs(F(a1 + a2, n1 + n2) - c) + d1 + d2, (a1, n1), (a2, n2))
                    for a1, n1, d1 in c20 for a2, n2, d2 in c21 if lo <= F(a1 + a2, n1 + n2) < hi),
                   key=lambda t: t[0])
        res[2020], res[2021] = best[1], best[2]
    else:
        c20 = _candidates(RESPONDENTS[2020], rate, None, FREE_2020[item], 5)
        res[2020] = min(c20, key=lambda t: t[2])[:2]
        c21 = _candidates(RESPONDENTS[2021], rate, pub["2021"], None, 15)
        res[2021] = min(c21, key=lambda t: t[2])[:2]
    c22 = _candidates(RESPONDENTS[2022], rate, pub["2022"], None)
    c23 = _candidates(RESPONDENTS[2023], rate, pub["2023"], None)
    lo, hi, c = _bounds(pub["2022-23"])
    best = min(((abs(F(a1 + a2, n1 + n2) - c) / 4 + d1 + d2, (a1, n1), (a2, n2))
                for a1, n1, d1 in c22 for a2, n2, d2 in c23 if lo <= F(a1 + a2, n1 + n2) < hi),
               key=lambda t: t[0])
    res[2022], res[2023] = best[1], best[2]
    return res


def build(seed: int, scale: int = 1) -> dict[int, list[dict]]:
    """Respondent rows per survey year. Calibrated at scale 1; other scales repeat the respondents."""
    rng = random.Random(f"{seed}:files:evaluation")
    plan = {item: solve(item) for item in (*ITEMS, "gave_example")}
    files = {}
    for year, n_resp in RESPONDENTS.items():
        n_total = n_resp * scale
        latent = [rng.gauss(0, 1) for _ in range(n_total)]
        modality = rng.choices(["face_to_face", "blended", "distance"], [44, 14, 42], k=n_total)
        cols: dict[str, list[str]] = {}
        for item in (*ITEMS, "gave_example"):
            agree, answering = plan[item][year]
            agree, answering = agree * scale, answering * scale
            answered_idx = sorted(rng.sample(range(n_total), answering))
            if item == "gave_example":
                values = ["yes"] * agree + ["no"] * (answering - agree)
            else:
                n4 = round(agree * rng.uniform(0.38, 0.5))
                rest = answering - agree
                n3 = round(rest * 0.62)
                n2 = round((rest - n3) * 0.65)
                values = ["5"] * (agree - n4) + ["4"] * n4 + ["3"] * n3 + ["2"] * n2 + ["1"] * (rest - n3 - n2)
            # better answers go to respondents with a higher latent satisfaction (items correlate)
            order = sorted(answered_idx, key=lambda i: -(latent[i] + rng.gauss(0, 0.8)))
            col = [""] * n_total
            for i, v in zip(order, values):
                col[i] = v
            cols[item] = col
        ids = rng.sample(range(10000, 99999), n_total) if n_total < 80000 else list(range(100000, 100000 + n_total))
        files[year] = [{"respondent_id": f"EE{year % 100:02d}-{ids[i]}", "survey_year": year,
                        "modality": modality[i], **{k: cols[k][i] for k in cols}} for i in range(n_total)]
    return files


def write(out: Path, files: dict[int, list[dict]]) -> None:
    (out / "evaluation").mkdir(parents=True, exist_ok=True)
    for year, rows in files.items():
        with open(out / "evaluation" / f"external_evaluation_{year}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, ["respondent_id", "survey_year", "modality", "relevant", "theory_to_practice",
                                   "can_apply", "gave_example"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def expected(files: dict[int, list[dict]]) -> list[tuple[str, str, str, float]]:
    periods = {"2020": (2020,), "2021": (2021,), "2022": (2022,), "2023": (2023,), "2020-21": (2020, 2021),
               "2022-23": (2022, 2023)}
    rows = []
    for item, (code, measure) in CODES.items():
        for per, ys in periods.items():
            vals = [r[item] for y in ys for r in files[y] if r[item] != ""]
            if item == "gave_example":
                num = sum(v == "yes" for v in vals)
            else:
                num = sum(v in ("4", "5") for v in vals)
            rows.append((code, measure, per, num / len(vals) * 100))
    return rows
