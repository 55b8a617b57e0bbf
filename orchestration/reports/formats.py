"""Figures as the report prints them: rounded half up to the precision the Centre publishes, then written
with Babel in the language's CLDR conventions (English `97,344` and `34.5%`; French `97 344` with a narrow
no-break space U+202F between thousands, a decimal comma, and `34,5 %` with the no-break space the CLDR
percent pattern puts before the sign)."""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from orchestration.reports.texts import messages, translate_text


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as the Centre publishes, a published p taking p - h <= x < p + h: decimal half up on the shortest
    repr, ties towards +infinity (34.5 -> 35, 34.535 -> 34.54, -2.05 -> -2.0, -0.005 -> 0.00); zero unsigned,
    so no `-0.00` is printed (dbt_project/macros/published_precision.sql says the same in SQL)."""
    quantum = Decimal(1).scaleb(-decimals)
    exact = Decimal(repr(float(value)))
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_DOWN if exact.is_signed() else ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


@lru_cache(maxsize=None)
def _pattern(lang: str, kind: str, decimals: int) -> NumberPattern:
    """The locale's CLDR decimal or percent pattern with exactly `decimals` fraction digits."""
    locale = Locale.parse(lang)
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    pattern = copy.copy(parse_pattern(formats[None]))
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_number(value: float, decimals: int, lang: str) -> str:
    """`13,745` / `4.54` in English; `13 745` (U+202F) / `4,54` in French."""
    decimals = max(0, int(decimals))
    # Rounded here, half up; Babel then only writes the digits (its own rounding is half even).
    return _pattern(lang, "decimal", decimals).apply(round_half_up(value, decimals), lang)


def format_percent(value: float, decimals: int, lang: str) -> str:
    """`value` in percent (0-100): `34.5%` in English, `34,5 %` (U+00A0 before the sign) in French."""
    decimals = max(0, int(decimals))
    return _pattern(lang, "percent", decimals).apply(round_half_up(value, decimals).scaleb(-2), lang)


def reference_decimals(value: float) -> int:
    """Baselines, targets and published values are published figures: show them as published (95.4, 29.75,
    75), with the decimals they carry (at most two)."""
    try:
        exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(2, needed)


def format_value(value: float | None, unit: str | None, decimals: int, lang: str, text: str | None = None) -> str:
    """A figure as the report prints it: counts with thousands separators, `41%` / `41 %`, `5:1`, `2 days`."""
    if value is None:
        return translate_text(text, lang) if text else messages(lang)["na"]
    unit = unit or "count"
    if unit == "percent":
        return format_percent(value, decimals, lang)
    number = format_number(value, decimals, lang)
    units = messages(lang)["units"]
    if unit == "days":
        plural = Locale.parse(lang).plural_form(round_half_up(value, decimals))
        return units["days"].get(plural, units["days"]["other"]).format(n=number)
    if unit in ("ratio_to_1", "level"):
        return units[unit].format(n=number)
    return number


def format_difference(value: float | None, unit: str | None, decimals: int, lang: str) -> str:
    if value is None:
        return ""
    # The sign and digits of the rounded difference: -2.05 is `−2.0`, -0.005 at 2 decimals `0.00` (the
    # magnitude rounded on its own would be 2.1 and 0.01, ties going up).
    rounded = round_half_up(value, decimals)
    text = format_value(float(abs(rounded)), unit, decimals, lang)
    if rounded == 0:
        return text
    return ("+" if rounded > 0 else "−") + text


def format_timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
