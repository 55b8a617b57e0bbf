"""Where this deployment's sources and warehouse live: the two settings every command honours.

- WAREHOUSE_SOURCES: path of the deployment's sources file (default: the bundled demo's).
- WAREHOUSE_DIR: folder holding the raw history, the build database, the published marts, the backups and
  reports (default ./warehouse).
- WAREHOUSE_BACKUPS_KEEP: how many backups of the raw history to keep (default 14).

The files of WAREHOUSE_DIR, named here only: raw.duckdb (the raw layer: everything extraction writes, history
included; only extraction writes it), build.duckdb (dbt's disposable build, which reads raw.duckdb attached
read-only), marts.duckdb (the publication), backups/<UTC timestamp>/ (copies of raw.duckdb).

Relative values are taken from the current directory. Nothing here writes the environment: dbt gets the
resolved build path from the invocation (`orchestration.dbt`, `orchestration.resources`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_ROOT / "demo" / "sources" / "sources.yml"
DEFAULT_WAREHOUSE_DIR = Path("warehouse")

RAW_DB_NAME = "raw.duckdb"
BUILD_DB_NAME = "build.duckdb"
MARTS_DB_NAME = "marts.duckdb"
BACKUPS_DIR_NAME = "backups"
BACKUPS_KEEP_ENV = "WAREHOUSE_BACKUPS_KEEP"
DEFAULT_BACKUPS_KEEP = 14


class SourcesFileError(ValueError):
    """The deployment's sources file is missing, malformed or names an unset environment variable."""


def warehouse_dir() -> Path:
    return Path(os.environ.get("WAREHOUSE_DIR") or DEFAULT_WAREHOUSE_DIR).resolve()


def raw_db_path() -> Path:
    return warehouse_dir() / RAW_DB_NAME


def build_db_path() -> Path:
    return warehouse_dir() / BUILD_DB_NAME


def backups_dir() -> Path:
    return warehouse_dir() / BACKUPS_DIR_NAME


def backups_keep() -> int:
    value = os.environ.get(BACKUPS_KEEP_ENV) or str(DEFAULT_BACKUPS_KEEP)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{BACKUPS_KEEP_ENV}={value!r}: the number of backups to keep, a whole number of at least 1")
    return int(value)


def marts_db_path() -> Path:
    return warehouse_dir() / MARTS_DB_NAME


def sources_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_SOURCES") or DEFAULT_SOURCES).resolve()


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load_dotenv_beside(path: Path) -> None:
    """Secrets may sit in a `.env` beside the sources file; real environment variables win."""
    env_file = path.parent / ".env"
    if not env_file.exists():
        return
    for line in env_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def expand_env(value: str, where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise SourcesFileError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _VAR.sub(replace, value)


def resolve_sqlalchemy_url(url: str, base: Path, where: str) -> str:
    """Expand ${VAR}; a relative SQLite path is relative to `base` (the folder of the file naming it)."""
    url = expand_env(url, where)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        url = prefix + str((base / url[len(prefix):]).resolve())
    return url


@dataclass(frozen=True)
class Sources:
    """The parsed sources file. Paths are absolute; URLs have their variables expanded lazily."""

    path: Path
    raw: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.path.parent

    def section(self, name: str) -> dict[str, Any]:
        section = self.raw.get(name)
        if not isinstance(section, dict):
            raise SourcesFileError(f"{self.path}: section '{name}' is missing")
        return section

    def url(self, name: str) -> str:
        section = self.section(name)
        if "url" not in section:
            raise SourcesFileError(f"{self.path}: section '{name}' has no 'url'")
        return resolve_sqlalchemy_url(str(section["url"]), self.folder, f"{self.path}: {name}.url")

    def file(self, name: str, key: str) -> Path:
        section = self.section(name)
        if key not in section:
            raise SourcesFileError(f"{self.path}: section '{name}' has no '{key}'")
        return (self.folder / expand_env(str(section[key]), f"{self.path}: {name}.{key}")).resolve()


def load_sources(path: Path | None = None) -> Sources:
    path = path or sources_path()
    if not path.exists():
        raise SourcesFileError(
            f"sources file {path} does not exist (set WAREHOUSE_SOURCES, or run `make demo` to build the demo)"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourcesFileError(f"{path}: expected a mapping of source systems")
    load_dotenv_beside(path)
    return Sources(path=path, raw=raw)
