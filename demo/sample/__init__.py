"""The hand-made sample world: a small deployment of every source system, readable by hand.

MAP (map.sql), eCampus (ecampus.sql), one external Moodle platform (platform.sql, registry platforms.yml),
two SoliComm nightly drops (solicomm/<date>/*.csv) and the file sources (pmsu/, finance/, evaluation/,
indicator_submissions.csv). It carries the traps of the methodology (one person across systems, a shared
mailbox, a deleted Moodle user, a 31 December enrolment that is next year in Rome time, learners enrolled in
both years of a biennium…): each is named in a comment beside its rows, and the figures they lead to are
worked out by hand in tests/integration/test_sample_world.py.
"""
from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date
from pathlib import Path

from demo.generator import sources_file
from demo.sample.files import DROP_FILES, write_drop_files, write_workbook

HERE = Path(__file__).parent
PLATFORM_CODE = "sample-emp-lms"
PLATFORM_URL_ENV = "PLATFORM_SAMPLE_EMP_LMS_URL"

# The platform's URL is a secret by contract (platforms.md: url_env): it sits in the .env beside the file.
DOTENV = f"{PLATFORM_URL_ENV}=sqlite:///platforms/{PLATFORM_CODE}.sqlite\n"


def _sqlite(db: Path, script: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as con:
        con.executescript(script.read_text(encoding="utf-8"))
    con.close()


def _workbook(path: Path) -> None:
    """agreements.xlsx from pmsu/register.csv and pmsu/rates.csv (dates as dates, amounts as typed)."""
    def rows(name: str) -> list[list]:
        with (HERE / "pmsu" / name).open(encoding="utf-8", newline="") as f:
            return [[v if v != "" else None for v in row] for row in list(csv.reader(f))[1:]]
    register = rows("register.csv")
    for row in register:
        row[6] = date.fromisoformat(row[6]) if row[6] else None
    rates = [[m, c, float(r)] for m, c, r in rows("rates.csv")]
    write_workbook(path, register, rates)


def build(out: Path) -> Path:
    """Write the sample world into `out` (replacing a previous one); return its sources file's path."""
    out.mkdir(parents=True, exist_ok=True)
    _sqlite(out / "map.sqlite", HERE / "map.sql")
    _sqlite(out / "ecampus.sqlite", HERE / "ecampus.sql")
    _sqlite(out / "platforms" / f"{PLATFORM_CODE}.sqlite", HERE / "platform.sql")
    shutil.copy(HERE / "platforms.yml", out / "platforms.yml")
    landing = out / "solicomm"
    shutil.rmtree(landing, ignore_errors=True)
    for drop in sorted(p for p in (HERE / "solicomm").iterdir() if p.is_dir()):
        texts = {name: (drop / name).read_text(encoding="utf-8").replace("\n", "\r\n") for name in DROP_FILES}
        write_drop_files(landing, drop.name, texts)
    _workbook(out / "agreements.xlsx")
    for folder in ("finance", "evaluation"):
        shutil.rmtree(out / folder, ignore_errors=True)
        shutil.copytree(HERE / folder, out / folder)
    shutil.copy(HERE / "indicator_submissions.csv", out / "indicator_submissions.csv")
    (out / ".env").write_text(DOTENV, encoding="utf-8")
    return sources_file.write(out, "Hand-made sample world: every source system")
