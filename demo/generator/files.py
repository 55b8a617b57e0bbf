"""File-based sources: PMSU workbook, finance/HR extracts, external evaluation survey, unit submissions.

Each source lives in its own helper module (files_pmsu, files_finance, files_evaluation, files_submissions);
this module writes them and the ground truth:
- truth/expected_files.csv: indicator_code, measure, period, value (unrounded) of 2.A-2.D, 3.1, 3.3, 3.A, 4.A,
  4.2 and the numeric submitted indicators (latest submission);
- truth/expected_submission_texts.csv: text results of submitted indicators;
- truth/refused_submissions.csv: submissions the warehouse must refuse, with the reason.
Calibrated at scale 1; `scale` multiplies survey respondents and staff positions.
"""
from __future__ import annotations

import csv
from pathlib import Path

from demo.generator import files_evaluation, files_finance, files_pmsu, files_submissions


def generate(out: Path, truth: Path, seed: int = 0, scale: int = 1) -> None:
    out, truth = Path(out), Path(truth)
    truth.mkdir(parents=True, exist_ok=True)
    expected: list[tuple] = []

    agreements = files_pmsu.build(seed, scale)
    files_pmsu.write(out, agreements, seed)
    expected += files_pmsu.expected(agreements)

    net = files_finance.net_contribution_rows()
    staff = files_finance.staff_rows(seed, scale)
    files_finance.write(out, net, staff)
    expected += files_finance.expected(net, staff)

    survey = files_evaluation.build(seed, scale)
    files_evaluation.write(out, survey)
    expected += files_evaluation.expected(survey)

    rows, latest, refused = files_submissions.build(seed)
    files_submissions.write(out, rows)
    expected += files_submissions.expected(latest)

    with open(truth / "expected_files.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator_code", "measure", "period", "value"])
        for code, measure, period, value in expected:
            w.writerow([code, measure, period, repr(float(value)) if isinstance(value, float) else value])
    with open(truth / "expected_submission_texts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator_code", "measure", "period", "text"])
        for r in latest:
            if r["text"]:
                w.writerow([r["indicator_code"], r["measure"], r["period"], r["text"]])
    with open(truth / "refused_submissions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator_code", "measure", "period", "submitted_by", "submitted_on", "reason"])
        for r in refused:
            w.writerow([r["indicator_code"], r["measure"], r["period"], r["submitted_by"],
                        r["submitted_on"].isoformat(), r["reason"]])
