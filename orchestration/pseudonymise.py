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
from functools import lru_cache
from pathlib import Path

import pandas as pd

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


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = os.environ.get(KEY_ENV)
    if configured:
        return configured.encode("utf-8")
    # Demo convenience only: production sets WAREHOUSE_HMAC_KEY (a secret kept outside the warehouse).
    from orchestration.settings import warehouse_dir

    key_file = warehouse_dir() / LOCAL_KEY_FILE
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
        log.warning("%s is not set: created a local pseudonymisation key in %s", KEY_ENV, key_file)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


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
