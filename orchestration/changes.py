"""The one place that decides whether a run has anything to rebuild: "nothing changed since <run>".

What the published marts were built from is recorded in two files of WAREHOUSE_DIR, each written atomically:
- `.build_state.json`, by the dbt asset just before `dbt build`: the state the build database's models are
  being built from and the run building them (written first, so a build that fails or crashes midway never
  passes for the published one);
- `publication.json`, by `published_marts` after the swap: that build's run, state and the publication time.

The state is computed after extraction from `raw_warehouse.source_extractions` of the raw file, raw.duckdb
(every extraction appends one
row per source): per source its latest row's data_watermark, rows_held and whether it is configured, plus
the totals of rows_written and rows_vanished over every extraction — an extraction writes a row only when
the source changed it (merge.py), so any change since, even one a failed run left unpublished, moves a
total. Added to it: the content of the platform registry (a side table with no extraction row), the dbt
project fingerprint (models, YAML, macros, seeds, tests, dbt version) and a fingerprint of the code that
extracts, checks and publishes (orchestration/**.py, expectations/*.json), and the sign-off register's last
event (a close or reopening changes annex1_indicators.is_signed_off and annex1_restatements).

Nothing changed iff tonight's state equals the published one, the build database exists and still holds the
very build that was published (a lost build.duckdb is rebuilt from the raw file), marts.duckdb exists, and
WAREHOUSE_FORCE_BUILD=1 is not set (the operator's way to rebuild and republish anyway). Everything else rebuilds: the first run, a failed or unpublished build since
the publication, a changed source, dbt project, seed, suite or code.

The dbt asset decides once per run (`decide`) and records it in `.build_state.json`; the checks, the
publication and the report read that decision for their run (`unchanged_tonight`), so every step of one run
agrees. A step run without the dbt asset in its run does its work as usual.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.settings import PROJECT_ROOT, build_db_path, marts_db_path, warehouse_dir

FORCE_BUILD_ENV = "WAREHOUSE_FORCE_BUILD"
PUBLICATION_FILE = "publication.json"
BUILD_STATE_FILE = ".build_state.json"
NOTHING_CHANGED_KEY = "nothing_changed_since"  # metadata key of the no-change steps (read by refresh.py)
CODE_PARTS = [("orchestration", "*.py"), ("expectations", "*.json")]


@dataclass(frozen=True)
class Publication:
    run_id: str
    published_at: str

    def __str__(self) -> str:
        return f"{self.run_id} ({self.published_at})"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, content: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def force_requested() -> bool:
    return os.environ.get(FORCE_BUILD_ENV, "").lower() in {"1", "true", "yes"}


def raw_state() -> dict[str, Any]:
    """Per source what its extractions say (see the module docstring), and the platform registry's content."""
    from orchestration.extract.merge import EXTRACTIONS_SCHEMA, EXTRACTIONS_TABLE, raw_columns
    from orchestration.sources.platforms import RAW_SCHEMA, REGISTRY
    from orchestration.warehouse import raw_connection

    with raw_connection(read_only=True) as con:
        if EXTRACTIONS_TABLE not in raw_columns(con, EXTRACTIONS_SCHEMA):
            return {}
        rows = con.execute(
            f"""select source_system, sum(rows_written)::bigint, sum(rows_vanished)::bigint,
                       arg_max(extracted_at is not null, rowid), arg_max(data_watermark, rowid),
                       arg_max(rows_held, rowid)
                from {EXTRACTIONS_SCHEMA}.{EXTRACTIONS_TABLE} group by source_system order by source_system"""
        ).fetchall()
        state: dict[str, Any] = {
            system: {"written": written, "vanished": vanished, "configured": configured, "watermark": mark,
                     "held": held}
            for system, written, vanished, configured, mark, held in rows
        }
        if REGISTRY.name in raw_columns(con, RAW_SCHEMA):  # rewritten in place, with no extraction row
            state["platforms.registry"] = con.execute(
                f"select md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) "
                f"from (select * exclude (_extracted_at) from {RAW_SCHEMA}.{REGISTRY.name}) t"
            ).fetchone()[0]
    return state


def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for folder, pattern in CODE_PARTS:
        for path in sorted((PROJECT_ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def current_state() -> dict[str, Any]:
    from orchestration.dbt import project_fingerprint

    from orchestration.signoff import register_fingerprint

    return {"sources": raw_state(), "dbt_project": project_fingerprint(), "code": code_fingerprint(),
            "signoff": register_fingerprint()}


def state_version(state: dict[str, Any] | None) -> str:
    """A short hash of a state (the published marts' data version)."""
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:16]


def last_publication() -> dict[str, Any] | None:
    return _read(warehouse_dir() / PUBLICATION_FILE)


def build_holds(run_id: str | None) -> bool:
    """Whether build.duckdb still holds the build of `run_id` (annex1_indicators.run_id): a lost or replaced
    build file (re-created by a step before dbt, e.g. with only the sign-off tables) is rebuilt from raw.duckdb."""
    import duckdb

    from orchestration.warehouse import build_connection

    if run_id is None or not build_db_path().exists():
        return False
    try:
        with build_connection(read_only=True) as con:
            return con.execute("select any_value(run_id) from marts.annex1_indicators").fetchone()[0] == run_id
    except duckdb.CatalogException:  # no annex1_indicators: not a complete build
        return False


def decide(run_id: str) -> Publication | None:
    """Called by the dbt asset once extraction is done: the publication nothing changed since, or None
    (rebuild). Records the decision for the run's other steps, and, before a rebuild, what is being built."""
    state = current_state()
    build, publication = _read(warehouse_dir() / BUILD_STATE_FILE), last_publication()
    unchanged = (
        not force_requested()
        and marts_db_path().exists()
        and build is not None and publication is not None
        and publication.get("built_by") == build.get("built_by")
        and publication.get("state") == build.get("state") == state
        and build_holds(publication.get("built_by"))
    )
    built_by = build["built_by"] if unchanged else run_id
    _write(warehouse_dir() / BUILD_STATE_FILE,
           {"built_by": built_by, "state": state, "decided_by": run_id, "nothing_changed": unchanged})
    return Publication(publication["run_id"], publication["published_at"]) if unchanged else None


def unchanged_tonight(run_id: str | None) -> Publication | None:
    """The decision `decide` took in this run (None when it rebuilt, did not run in this run, or there is no
    run: a step invoked directly)."""
    if run_id is None:
        return None
    build, publication = _read(warehouse_dir() / BUILD_STATE_FILE), last_publication()
    if build is None or publication is None or build.get("decided_by") != run_id or not build.get("nothing_changed"):
        return None
    return Publication(publication["run_id"], publication["published_at"])


def record_publication(run_id: str) -> dict[str, Any]:
    """After `published_marts` swapped the build in: what it was built from (written atomically)."""
    build = _read(warehouse_dir() / BUILD_STATE_FILE) or {}
    publication = {
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "built_by": build.get("built_by"),
        "state": build.get("state"),
        "build_db": build_db_path().name,
    }
    _write(warehouse_dir() / PUBLICATION_FILE, publication)
    return publication


def nothing_changed_message(result) -> str | None:
    """"nothing changed since <run> (<time>)" when a refresh run's publication found nothing changed."""
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization.asset_key.path == ["published_marts"] and NOTHING_CHANGED_KEY in materialization.metadata:
            return f"nothing changed since {materialization.metadata[NOTHING_CHANGED_KEY].value}"
    return None
