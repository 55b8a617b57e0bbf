"""Report periods: years (`2022`) and bienniums (`2022-23`), in the report's order, and the default choice."""
from __future__ import annotations

import re
from typing import Iterable

BIENNIUM = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^\d{4}$")


def period_sort_key(period: str) -> tuple:
    """Each year, then the biennium after its second year (2022, 2023, 2022-23), as in the report."""
    match = BIENNIUM.match(period)
    if match:
        return (int(match.group(1)) + 1, 1, period)
    if YEAR.match(period):
        return (int(period), 0, period)
    return (10_000, 2, period)


def is_biennium(period: str) -> bool:
    return bool(BIENNIUM.match(period))


def is_year(period: str) -> bool:
    return bool(YEAR.match(period))


def biennium_years(period: str) -> list[str]:
    first = int(period[:4])
    return [str(first), str(first + 1)]


def default_periods(available: Iterable[str]) -> list[str]:
    """The latest biennium with both its years present (a biennium under way, or a few stray records of a
    later year, do not make a report), and its two years; else the latest biennium; else the last two years."""
    available = set(p for p in available if p)
    bienniums = sorted((p for p in available if is_biennium(p)), key=period_sort_key)
    complete = [b for b in bienniums if set(biennium_years(b)) <= available]
    if complete or bienniums:
        latest = (complete or bienniums)[-1]
        return biennium_years(latest) + [latest]
    years = sorted((p for p in available if is_year(p)), key=period_sort_key)
    return years[-2:]


def period_range(periods: list[str]) -> str:
    """The periods as the title names them: the biennium, else the list."""
    bienniums = [p for p in periods if is_biennium(p)]
    return bienniums[-1] if bienniums else ", ".join(periods)


def report_biennium(periods: list[str]) -> str | None:
    """The period headline figures are shown for: the last biennium asked, else the last period."""
    return next((p for p in reversed(periods) if is_biennium(p)), periods[-1] if periods else None)
