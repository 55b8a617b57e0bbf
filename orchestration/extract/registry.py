"""The registry of source systems: every module of `orchestration.sources` that declares `SYSTEM`.

A source module declares SYSTEM (its name: the sources-file section, the raw schema `raw_<SYSTEM>`, the
Dagster group, the dbt source), SECTION_KEYS (what its sources-file section must give) and `assets`
(and may add `checks`, `jobs`, `sensors`). The Definitions, the freshness groups, the validation of the
sources file and the extraction log behind `source_watermarks` all derive from this list, so adding a
source is: one module here, its section in the sources file, one dbt staging folder.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Iterable, Sequence

DEFAULT_PACKAGES = ("orchestration.sources",)


@dataclass(frozen=True)
class SourceSystem:
    name: str
    module: ModuleType

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "SECTION_KEYS", ()))

    def collected(self, kind: str) -> list:
        return list(getattr(self.module, kind, []))


def source_systems(packages: Sequence[str] = DEFAULT_PACKAGES) -> list[SourceSystem]:
    """The source systems of `packages`, in module-name order (a module without SYSTEM is a helper)."""
    systems: dict[str, SourceSystem] = {}
    for package_name in packages:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package_name}.{info.name}")
            name = getattr(module, "SYSTEM", None)
            if name is None:
                continue
            if name in systems:
                raise ValueError(f"source system {name!r} is declared by {systems[name].module.__name__} "
                                 f"and {module.__name__}")
            systems[name] = SourceSystem(name, module)
    return list(systems.values())


def collected(systems: Iterable[SourceSystem], kind: str) -> list:
    return [item for system in systems for item in system.collected(kind)]


def validate_sources(sources, systems: Sequence[SourceSystem]) -> None:
    """Every section of the sources file names a known system and gives what that system needs."""
    from orchestration.settings import SourcesFileError

    known = {s.name: s for s in systems}
    unknown = sorted(set(sources.raw) - set(known))
    if unknown:
        raise SourcesFileError(f"{sources.path}: unknown section(s) {', '.join(unknown)}; the source systems "
                               f"are {', '.join(sorted(known))}")
    for name, section in sources.raw.items():
        if not isinstance(section, dict):
            raise SourcesFileError(f"{sources.path}: section '{name}' must be a mapping")
        missing = [k for k in known[name].section_keys if k not in section]
        if missing:
            raise SourcesFileError(f"{sources.path}: section '{name}' has no {', '.join(repr(k) for k in missing)}")
