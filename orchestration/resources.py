"""The deployment's settings as a Dagster resource: where the sources file and the warehouse are, and the
pseudonymisation key. Built from the environment once, when the Definitions load (WAREHOUSE_SOURCES,
WAREHOUSE_DIR, WAREHOUSE_HMAC_KEY; see orchestration/settings.py), and handed to what runs; nothing
writes the environment. dbt gets the build path on its command line (`dbt_vars`), not from a side effect.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from orchestration import pseudonymise, settings


class WarehouseResource(ConfigurableResource):
    """warehouse_dir: folder of build.duckdb, marts.duckdb and the reports; sources_file: the deployment's
    sources file; hmac_key: the pseudonymisation key (empty: a local key file in warehouse_dir, demo only)."""

    warehouse_dir: str
    sources_file: str
    hmac_key: str = ""

    _applied: bool = PrivateAttr(default=False)

    @classmethod
    def from_environment(cls) -> "WarehouseResource":
        return cls(warehouse_dir=str(settings.warehouse_dir()), sources_file=str(settings.sources_path()),
                   hmac_key=os.environ.get(pseudonymise.KEY_ENV, ""))

    def setup_for_execution(self, context: InitResourceContext) -> None:
        pseudonymise.use_key(self.hmac_key or None, Path(self.warehouse_dir))

    @property
    def build_db_path(self) -> Path:
        return Path(self.warehouse_dir) / settings.BUILD_DB_NAME

    @property
    def marts_db_path(self) -> Path:
        return Path(self.warehouse_dir) / settings.MARTS_DB_NAME

    def load_sources(self) -> settings.Sources:
        return settings.load_sources(Path(self.sources_file))

    def connection(self, read_only: bool = False, memory_limit: str | None = None):
        from orchestration.warehouse import build_connection

        return build_connection(read_only=read_only, memory_limit=memory_limit, path=self.build_db_path)

    def dbt_vars(self, **extra) -> str:
        """`--vars` for a dbt invocation: the build database's path (profiles.yml reads `build_db_path`)."""
        return json.dumps({"build_db_path": str(self.build_db_path), **extra})
