"""A small hand-made deployment (MAP only) for the walking skeleton's tests and first runs."""
from __future__ import annotations

import sqlite3
from pathlib import Path

HERE = Path(__file__).parent

SOURCES_YML = """\
# Hand-made sample deployment: MAP only. Relative paths are relative to this file.
map: {url: "sqlite:///map.sqlite"}
"""


def build(out: Path) -> Path:
    """Write map.sqlite and sources.yml into `out`; return the sources file's path."""
    out.mkdir(parents=True, exist_ok=True)
    db = out / "map.sqlite"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as con:
        con.executescript((HERE / "map.sql").read_text(encoding="utf-8"))
    sources = out / "sources.yml"
    sources.write_text(SOURCES_YML, encoding="utf-8")
    return sources


