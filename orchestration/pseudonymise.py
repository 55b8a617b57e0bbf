"""Privacy by design: the methodology's match keys, normalised, then replaced by keyed hashes.

Names, e-mail addresses, usernames and birth years never reach the warehouse in clear. Extraction derives
the normalised keys of methodology.md (L2 e-mail, L3 name tokens + birth year) and stores only
HMAC-SHA256 digests of them, keyed by WAREHOUSE_HMAC_KEY; identity resolution joins on those digests.
The e-mail's domain alone is not personal data and is kept (the ILO-official rule needs it).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

log = logging.getLogger(__name__)

KEY_ENV = "WAREHOUSE_HMAC_KEY"
LOCAL_KEY_FILE = "hmac.key"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def _text(value: object) -> str | None:
    """Source values as text; None, NaN and pandas' missing markers are missing."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    return str(value)


def normalise_email(address: str | None) -> str | None:
    """methodology L2: trim, NFKC, lower, drop +tag, gmail dots/googlemail; None when it takes no part."""
    address = _text(address)
    if address is None:
        return None
    text = unicodedata.normalize("NFKC", address).strip().lower()
    if not text or _MD5.match(text) or not _EMAIL.match(text):
        return None  # empty, malformed, or a Moodle deleted-user hash
    local, domain = text.rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    if not local:
        return None
    return f"{local}@{domain}"


def email_domain(address: str | None) -> str | None:
    normalised = normalise_email(address)
    return normalised.rsplit("@", 1)[1] if normalised else None


def name_tokens(*parts: str | None) -> list[str]:
    """methodology L3: NFKD, drop combining marks, lower, punctuation/hyphens to spaces, sorted tokens."""
    text = " ".join(t for t in map(_text, parts) if t)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    spaced = "".join(c if c.isalnum() else " " for c in stripped)
    return sorted(spaced.split())


def normalise_name(*parts: str | None) -> str | None:
    tokens = name_tokens(*parts)
    return " ".join(tokens) if tokens else None


_configured: dict[str, object] = {}


def use_key(key: str | None, key_dir: Path | None) -> None:
    """The key a run uses, set by `orchestration.resources.WarehouseResource` for the run's duration; None:
    a local key file in `key_dir` (demo only). Outside a run the environment's WAREHOUSE_HMAC_KEY /
    WAREHOUSE_DIR serve (`use_key(None, None)`)."""
    wanted = {"key": key, "dir": key_dir} if key or key_dir else {}
    if _configured != wanted:
        _configured.clear()
        _configured.update(wanted)
        reset_key_cache()


# Every column a keyed hash is stored in, across the raw tables (People.keys, the profile-field birth years,
# the review queue's similarity features): what a key rotation clears and re-derives.
KEYED_COLUMNS = ("email_key", "name_key", "name_token_keys", "birth_year_key", "username_key",
                 "phonetic_token_keys", "email_local_key", "birth_decade_key")
_FINGERPRINT_LABEL = b"itcilo-warehouse/key-fingerprint/v1"


@dataclass(frozen=True)
class KeySource:
    """Where a run's key comes from (`origin`, as the operator names it), and the key: None while the
    demo's local key file does not exist yet (it is created on first use, never by a look)."""

    origin: str
    key: bytes | None
    key_file: Path | None = None

    @property
    def fingerprint(self) -> str | None:
        return fingerprint(self.key) if self.key is not None else None


def fingerprint(key: bytes) -> str:
    """A short public name of a key: HMAC of a fixed label with it, truncated (reveals nothing of the key)."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def key_source() -> KeySource:
    """The key this process would use, without side effects (the local key file is not created)."""
    if _configured.get("key"):
        origin = KEY_ENV if _configured["key"] == os.environ.get(KEY_ENV) else "the warehouse resource's hmac_key"
        return KeySource(origin, str(_configured["key"]).encode("utf-8"))
    if not _configured and os.environ.get(KEY_ENV):
        return KeySource(KEY_ENV, os.environ[KEY_ENV].encode("utf-8"))
    from orchestration.settings import warehouse_dir

    key_file = Path(_configured["dir"] if _configured else warehouse_dir()) / LOCAL_KEY_FILE
    key = key_file.read_text(encoding="utf-8").strip().encode("utf-8") if key_file.exists() else None
    return KeySource(f"the local key file {key_file} ({KEY_ENV} is not set)", key, key_file)


@lru_cache(maxsize=1)
def _key() -> bytes:
    source = key_source()
    if source.key is not None:
        return source.key
    # Demo convenience only: production sets WAREHOUSE_HMAC_KEY (a secret kept outside the warehouse).
    key_file = source.key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    key_file.chmod(0o600)
    log.warning("%s is not set: created a local pseudonymisation key in %s", KEY_ENV, key_file)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def current_fingerprint() -> str:
    """The fingerprint of the key in use (creates the demo's local key file when there is none yet)."""
    return fingerprint(_key())


def reset_key_cache() -> None:
    _key.cache_clear()
    _hmac.cache_clear()


@lru_cache(maxsize=2_000_000)
def _hmac(value: str, purpose: str) -> str:
    # Cached: name tokens, domains and birth years repeat a lot across records.
    return hmac.new(_key(), f"{purpose}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def keyed_hash(value: str | None, purpose: str) -> str | None:
    """HMAC-SHA256 of `purpose:value` (the purpose keeps an e-mail key from ever equalling a name key)."""
    return None if value is None else _hmac(value, purpose)


def email_key(address: str | None) -> str | None:
    return keyed_hash(normalise_email(address), "email")


def name_keys(*parts: str | None) -> tuple[str | None, list[str] | None]:
    """(name_key, name_token_keys) of a name, normalised once. Every extract builds its name keys here."""
    tokens = name_tokens(*parts)
    if not tokens:
        return None, None
    # One key per token, repeats kept: L3 counts tokens ("Youssef Youssef" has two).
    return keyed_hash(" ".join(tokens), "name"), sorted(keyed_hash(t, "name_token") for t in tokens)


def name_key(*parts: str | None) -> str | None:
    return name_keys(*parts)[0]


def name_token_keys(*parts: str | None) -> list[str] | None:
    return name_keys(*parts)[1]


def birth_year_key(year: int | str | None) -> str | None:
    text = _text(year)
    if text is None or text.strip() in ("", "0"):
        return None
    try:
        return keyed_hash(str(int(float(text.strip()))), "birth_year")
    except ValueError:
        return None


@dataclass(frozen=True)
class People:
    """The personal columns of a table and the keys that replace them at extraction (methodology L2-L4).

    email -> email_key, email_domain; first+last -> name_key, name_token_keys; username -> username_key
    (keyed hash of lower(trim(username))); birth_year -> birth_year_key. The named columns are dropped.
    With them the review queue's similarity features (orchestration/stewardship/features.py), keyed hashes
    too: email -> email_local_key, first+last -> phonetic_token_keys, birth_year -> birth_decade_key.
    Every person-bearing extract goes through here, so every source gets them.
    """

    email: str | None = None
    first: str | None = None
    last: str | None = None
    username: str | None = None
    birth_year: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The key columns this adds (what erasure nulls)."""
        out = ()
        if self.email:
            out += ("email_key", "email_domain", "email_local_key")
        if self.first or self.last:
            out += ("name_key", "name_token_keys", "phonetic_token_keys")
        if self.birth_year:
            out += ("birth_year_key", "birth_decade_key")
        if self.username:
            out += ("username_key",)
        return out

    def apply(self, table: pa.Table) -> pa.Table:
        # features.py builds on this module's normalisation: imported here, not at the top (a cycle)
        from orchestration.stewardship import features

        named = (self.email, self.first, self.last, self.username, self.birth_year)
        out = table.drop_columns([c for c in named if c])
        n = table.num_rows
        if self.email:
            emails = table.column(self.email).to_pylist()
            normalised = [normalise_email(v) for v in emails]
            out = out.append_column("email_key", pa.array([keyed_hash(v, "email") for v in normalised], pa.string()))
            out = out.append_column("email_domain", pa.array(
                [v.rsplit("@", 1)[1] if v else None for v in normalised], pa.string()))
            out = out.append_column("email_local_key", pa.array(
                [features.email_local_key(v) for v in emails], pa.string()))
        if self.first or self.last:
            firsts = table.column(self.first).to_pylist() if self.first else [None] * n
            lasts = table.column(self.last).to_pylist() if self.last else [None] * n
            keys = [name_keys(f, l) for f, l in zip(firsts, lasts)]
            out = out.append_column("name_key", pa.array([k[0] for k in keys], pa.string()))
            out = out.append_column("name_token_keys", pa.array([k[1] for k in keys], pa.list_(pa.string())))
            out = out.append_column("phonetic_token_keys", pa.array(
                [features.phonetic_token_keys(f, l) for f, l in zip(firsts, lasts)], pa.list_(pa.string())))
        if self.birth_year:
            years = table.column(self.birth_year).to_pylist()
            out = out.append_column("birth_year_key", pa.array([birth_year_key(y) for y in years], pa.string()))
            out = out.append_column("birth_decade_key", pa.array([features.birth_decade_key(y) for y in years], pa.string()))
        if self.username:
            out = out.append_column("username_key", pa.array(
                [keyed_hash(str(u).strip().lower(), "username") if u is not None and str(u).strip() else None
                 for u in table.column(self.username).to_pylist()], pa.string()))
        return out
