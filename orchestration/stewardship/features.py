"""Pseudonymous similarity features for the probable-duplicate queue, computed at extraction from clear values.

The methodology's keys (pseudonymise.py) are exact: a typo or a spelling variant breaks them. These
features survive such variants and are stored, like every key, only as keyed hashes (the HMAC of
pseudonymise.keyed_hash, each with its own purpose so no feature ever equals another's hash):

- phonetic_token_keys: one key per name token of the Metaphone code of the token. Tokens come from
  pseudonymise.name_tokens (the L3 normalisation), then each token is transliterated to ASCII
  (text-unidecode) because phonetic algorithms only know the Latin alphabet: "Мухаммед", "محمد" and
  "王伟" get codes too, and a transliterated name can meet its Latin spelling. A token that
  transliterates to several words ("王伟" -> "wang wei") gives one code per word.
  Why Metaphone: it maps the variants stewards meet to one code (Smith/Smyth, Mohammed/Muhammad/Mohamed,
  Youssef/Yusuf/Yousef, Nguyễn/Nguyen), and its codes are equality keys, which hashing requires.
  NYSIIS separates Smith (SNAT) from Smyth (SNYT); Soundex is too coarse (Smith = Schmidt = Sanad) and
  keeps the first letter (Chang/Zhang differ); the match rating codex is meant for its own pairwise
  comparison rule, not for equality of codes.
- email_local_key: the normalised e-mail's local part without its domain (the same person's private and
  work addresses often share it: jane.doe@gmail.com, jane.doe@ilo.org; dots are dropped, as L2 drops gmail's).
- birth_decade_key: the birth year's decade (a one-digit typo in the year mostly keeps it).
"""
from __future__ import annotations

import jellyfish
from text_unidecode import unidecode

from orchestration.pseudonymise import _text, keyed_hash, name_tokens, normalise_email


def phonetic_codes(*parts: str | None) -> list[str]:
    """Metaphone code of each normalised, transliterated name token (clear: never stored)."""
    codes = []
    for token in name_tokens(*parts):
        for word in name_tokens(unidecode(token)):  # re-split: a transliteration may hold several words
            code = jellyfish.metaphone(word)
            if code:
                codes.append(code)
    return codes


def phonetic_token_keys(*parts: str | None) -> list[str] | None:
    """Keyed hashes of the phonetic codes of a name, sorted, repeats kept (like name_token_keys)."""
    codes = phonetic_codes(*parts)
    return sorted(keyed_hash(code, "name_phonetic") for code in codes) if codes else None


def email_local_key(address: str | None) -> str | None:
    """Keyed hash of the normalised e-mail's local part without dots.

    After the L2 normalisation (no +tag); dots go for every domain because L2 drops gmail's, so that
    jb.mbeki@gmail.com (normalised jbmbeki) still meets jb.mbeki@ilo.org.
    """
    normalised = normalise_email(address)
    local = normalised.rsplit("@", 1)[0].replace(".", "") if normalised else ""
    return keyed_hash(local, "email_local") if local else None


def birth_decade_key(year: int | str | None) -> str | None:
    """Keyed hash of the birth year's decade ("1987" -> "1980"); None when the year is missing or invalid."""
    text = _text(year)
    if text is None or text.strip() in ("", "0"):
        return None
    try:
        value = int(float(text.strip()))
    except ValueError:
        return None
    return keyed_hash(str(value - value % 10), "birth_decade")


def similarity_features(
    name_parts: tuple[str | None, ...], email: str | None, birth_year: int | str | None
) -> dict[str, object]:
    """The three feature columns of one identity record, as the extracts store them (pseudonymise.People)."""
    return {
        "phonetic_token_keys": phonetic_token_keys(*name_parts),
        "email_local_key": email_local_key(email),
        "birth_decade_key": birth_decade_key(birth_year),
    }
