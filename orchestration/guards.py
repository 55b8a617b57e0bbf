"""The key guard: a warehouse is built with one pseudonymisation key, and a run with another stops.

Every identity link joins keyed hashes (orchestration/pseudonymise.py): rows re-read under another key
hash differently from the rows already held, links break, and the next refresh would publish changed
figures without a word. So the warehouse records the fingerprint of its key (an HMAC of a fixed label,
never the key) in WAREHOUSE_DIR/key_fingerprint.json when it first builds; the refresh command and every
run of a job that uses the warehouse resource check it before anything is read or written, and refuse a
key with another fingerprint in one line (`KeyMismatch`).

Rotation (deploy/README.md, "Rotating the pseudonymisation key") is the one way to change the key:
`WAREHOUSE_KEY_ROTATION=1 python -m orchestration.refresh` with the new key. It records the rotation as
under way, clears every keyed hash of the raw tables (so no hash under the old key survives, and none
can be mixed with the new ones), re-reads every source under the new key (a full reload), and only after
the run succeeded records the new fingerprint. History rows whose source rows are gone are not re-read:
they stay without keys, like an erased person's (still counted, linked to no one). Until a rotation has
finished, only the rotation itself may run.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any, Mapping

from orchestration import pseudonymise

log = logging.getLogger(__name__)

FINGERPRINT_FILE = "key_fingerprint.json"
ROTATION_ENV = "WAREHOUSE_KEY_ROTATION"
ROTATION_TAG = "warehouse/key_rotation"
SEE = "see deploy/README.md (Rotating the pseudonymisation key)"
KEY_NAME = pseudonymise.KEY_ENV


class KeyMismatch(RuntimeError):
    """The run's key is not the warehouse's: the message is the one line to show."""


def rotation_requested(tags: Mapping[str, str] | None = None) -> bool:
    truthy = {"1", "true", "yes"}
    return (str((tags or {}).get(ROTATION_TAG, "")).lower() in truthy
            or os.environ.get(ROTATION_ENV, "").lower() in truthy)


def state_path(folder: Path) -> Path:
    return Path(folder) / FINGERPRINT_FILE


def read_state(folder: Path) -> dict[str, Any] | None:
    path = state_path(folder)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    path = state_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)  # never a half-written record


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def verify_key(folder: Path, rotating: bool = False, starting: bool = False) -> None:
    """Raise KeyMismatch unless the key in use is the warehouse's, or (`rotating`) the key an unfinished
    rotation is moving to, or (`starting`: the refresh command's rotation) any key a rotation may move to.
    Reads only: writes nothing, creates no key file."""
    state = read_state(folder)
    if state is None:
        return  # a first build (or a warehouse built before the guard): `record_key` adopts the key
    source = pseudonymise.key_source()
    current, built = source.fingerprint, state["fingerprint"]
    pending = (state.get("rotating_to") or {}).get("fingerprint")
    if pending:
        if (rotating and current == pending) or (starting and current is not None):
            return  # resuming it (or starting over to another key: every key is re-derived anyway)
        raise KeyMismatch(
            f"a rotation of the pseudonymisation key to {pending} is unfinished: rerun it with the new key in "
            f"{KEY_NAME} and {ROTATION_ENV}=1 ({SEE})")
    if current == built or (starting and current is not None):
        return
    if current is None:
        raise KeyMismatch(
            f"{KEY_NAME} is not set (and there is no local key file {source.key_file}), but this warehouse was built "
            f"with the key of fingerprint {built} (from {state.get('origin')}): set the original key, or "
            f"rotate it: {SEE}")
    raise KeyMismatch(
        f"{source.origin} has another fingerprint ({current}) than the one this warehouse was built with "
        f"({built}, from {state.get('origin')}): set the original key, or rotate it: {SEE}")


def record_key(folder: Path) -> None:
    """Record the key's fingerprint when the warehouse has none yet (its first build). Call under the
    writer lock, after `verify_key`."""
    if read_state(folder) is not None:
        return
    built = Path(folder).exists() and any(Path(folder).glob("*.duckdb"))
    if built:
        log.warning("%s has no key fingerprint yet (built before the key guard): adopting the key in use", folder)
    origin = pseudonymise.key_source().origin
    _write_state(folder, {"fingerprint": pseudonymise.current_fingerprint(), "origin": origin,
                          "recorded_at": _now(), "rotations": []})


def begin_rotation(folder: Path, con) -> dict[str, Any]:
    """Start (or resume) a rotation to the key in use: record it as under way, then clear every keyed
    hash of the raw tables in one transaction. Returns the rotation's record."""
    state = read_state(folder)
    if state is None:
        if con is None:  # nothing built yet: a first build is no rotation
            record_key(folder)
            return {}
        state = {"fingerprint": None, "origin": "not recorded (built before the key guard)", "rotations": []}
    target = pseudonymise.current_fingerprint()
    rotation = state.get("rotating_to")
    if not rotation or rotation["fingerprint"] != target:
        if target == state["fingerprint"]:
            log.warning("%s=1 but the key in use is already this warehouse's: a plain refresh", ROTATION_ENV)
            return {}
        rotation = {"fingerprint": target, "origin": pseudonymise.key_source().origin, "started_at": _now()}
        state["rotating_to"] = rotation
        _write_state(folder, state)  # first: a crash after this point leaves a rotation to resume, never a mix
    if con is not None:
        clear_keys(con)
    return rotation


def keyed_tables(con) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> the keyed-hash columns it holds, over the raw schemas."""
    tables: dict[tuple[str, str], list[str]] = {}
    rows = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() where schema_name like 'raw_%' "
        "and database_name = current_database() and not internal order by all").fetchall()
    for schema, table, column in rows:
        if column in pseudonymise.KEYED_COLUMNS:
            tables.setdefault((schema, table), []).append(column)
    return tables


def clear_keys(con) -> None:
    """Null every keyed hash of the raw tables (the full reload writes them again under the new key)."""
    con.begin()
    try:
        for (schema, table), cols in keyed_tables(con).items():
            sets = ", ".join(f'"{c}" = null' for c in cols)
            con.execute(f'update "{schema}"."{table}" set {sets}')
        con.commit()
    except BaseException:
        con.rollback()
        raise


def finish_rotation(folder: Path, con) -> str:
    """Record the new fingerprint after the rotation's run succeeded; returns the line to report, with the
    history rows the rotation could not re-key (not re-read: their source rows are gone)."""
    state = read_state(folder)
    rotation = state.get("rotating_to") if state else None
    if not rotation:
        return ""
    kept: dict[str, int] = {}
    if con is not None:
        started = dt.datetime.fromisoformat(rotation["started_at"]).astimezone(dt.timezone.utc).replace(tzinfo=None)
        for (schema, table) in keyed_tables(con):
            count = con.execute(f'select count(*) from "{schema}"."{table}" where _extracted_at is null '
                                f'or _extracted_at < ?', [started]).fetchone()[0]
            if count:
                kept[f"{schema}.{table}"] = count
    state["rotations"] = state.get("rotations", []) + [{
        "from": state["fingerprint"], "to": rotation["fingerprint"], "started_at": rotation["started_at"],
        "finished_at": _now(), "history_rows_without_keys": kept}]
    state.update(fingerprint=rotation["fingerprint"], origin=rotation["origin"], rotating_to=None)
    _write_state(folder, state)
    rows = ", ".join(f"{n} in {t}" for t, n in kept.items()) or "none"
    return (f"key rotated to {rotation['fingerprint']}; history rows not re-read, kept without keys: {rows}")
