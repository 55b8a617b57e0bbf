"""The indicator catalogue (dbt_project/seeds/indicators.csv): every Annex 1 indicator code and
measure, whether the warehouse computes it from records or units submit it, its unit, English and French
names, direction and the precision the Centre publishes.

Extraction reads it to validate unit submissions; dbt loads the same file as a seed for the marts.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from orchestration.settings import PROJECT_ROOT

CATALOGUE_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "indicators.csv"
ORIGINS = ("computed", "submitted")


@dataclass(frozen=True)
class Measure:
    indicator_code: str
    measure: str
    origin: str  # computed | submitted
    unit: str


@dataclass(frozen=True)
class Catalogue:
    measures: dict[tuple[str, str], Measure]

    @property
    def codes(self) -> set[str]:
        return {code for code, _ in self.measures}

    def origin_of_code(self, code: str) -> str | None:
        """`computed` if any measure of the indicator is computed from records, else `submitted`."""
        origins = {m.origin for (c, _), m in self.measures.items() if c == code}
        if not origins:
            return None
        return "computed" if "computed" in origins else "submitted"

    def refusal(self, code: str | None, measure: str | None) -> str | None:
        """Why a unit submission for (code, measure) is refused, or None when it is accepted."""
        if not code or code not in self.codes:
            return "unknown indicator code"
        found = self.measures.get((code, measure or ""))
        if found is None:
            if self.origin_of_code(code) == "computed":
                return "indicator computed from records"
            return f"unknown measure for indicator {code}"
        if found.origin == "computed":
            return "indicator computed from records"
        return None


def load_catalogue(path: Path = CATALOGUE_CSV) -> Catalogue:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    measures = {}
    for row in rows:
        origin = row["origin"].strip()
        if origin not in ORIGINS:
            raise ValueError(f"{path}: origin {origin!r} of {row['indicator_code']} {row['measure']} "
                             f"is not one of {ORIGINS}")
        key = (row["indicator_code"].strip(), row["measure"].strip())
        measures[key] = Measure(*key, origin=origin, unit=row["unit"].strip())
    return Catalogue(measures)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue()
