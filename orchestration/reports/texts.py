"""The report's English and French texts, read from templates/messages/<lang>.yml (indicator and measure
names come from the catalogue in the marts, not from here)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).with_name("templates")
LANGUAGES = ("en", "fr")


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, Any]:
    with open(TEMPLATES_DIR / "messages" / f"{lang}.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def translate_text(text: str | None, lang: str) -> str:
    """A text result as the language's report words it (the marts hold the English wording)."""
    if text is None:
        return ""
    return messages(lang)["text_results"].get(text.strip().lower(), text)


def humanise(measure: str) -> str:
    return measure.replace("_", " ").capitalize()


def fallback_dimension(code: str, lang: str) -> str:
    """The dimension heading of a code when the marts have no catalogue to name it."""
    names = messages(lang)["dimension_fallback"]
    head = code.split(".")[0]
    if head.isdigit():
        return names["immediate_outcome"].format(n=head)
    return names["outcome"] if head == "R" else names["cross_cutting"]


def indicator_kind(code: str, lang: str) -> str:
    """Outcome indicators carry a letter (1.A), output indicators a number (1.1a), as in the report."""
    labels = messages(lang)
    suffix = code.split(".", 1)[1] if "." in code else ""
    if not suffix:
        return labels["outcome_indicator"] if code == "R" else labels["output_indicator"]
    return labels["outcome_indicator"] if suffix[0].isalpha() else labels["output_indicator"]
