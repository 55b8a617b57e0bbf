"""The deployment's settings as a Dagster resource: where the sources file and the warehouse are, and the
pseudonymisation key. A field left empty is read when a run starts from the environment (WAREHOUSE_SOURCES,
WAREHOUSE_DIR, WAREHOUSE_HMAC_KEY; see orchestration/settings.py), never at import; nothing writes the
environment. dbt gets the build and raw paths and the run id in its own process's environment (`dbt_env`).

Every run whose steps use the warehouse (extracts, dbt) passes through `setup_for_execution` once, before
its first step: the one place the key guard (orchestration/guards.py) and the writer lock
(orchestration/concurrency.py) are applied to runs from the schedule, the sensors, the UI and the
refresh command alike. A refused key fails the run there, before anything is read or written. Under the
lock, a warehouse built before the raw layer had its own file is migrated once (`migrate_raw_out_of_build`).
"""
from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from orchestration import guards, pseudonymise, settings
from orchestration.concurrency import RUN_WAIT_SECONDS, WriterLock
from orchestration.extract.merge import full_reload_requested
from orchestration.warehouse import build_connection, migrate_raw_out_of_build, raw_connection


class WarehouseResource(ConfigurableResource):
    """warehouse_dir: folder of raw.duckdb, build.duckdb, marts.duckdb, the backups and the reports; sources_file: the deployment's
    sources file; hmac_key: the pseudonymisation key (empty: a local key file in warehouse_dir, demo only)."""

    warehouse_dir: str = ""
    sources_file: str = ""
    hmac_key: str = ""

    _writer: WriterLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        pseudonymise.use_key(self.hmac_key or os.environ.get(pseudonymise.KEY_ENV) or None, self.folder)
        tags = context.run.tags if context.run is not None else {}
        # Only the rotation's own full reload may run under the key a rotation is moving to.
        rotating = guards.rotation_requested(tags) and full_reload_requested(tags)
        try:
            guards.verify_key(self.folder, rotating)  # first, so a refused run writes nothing, not even the lock
            run_id = context.run.run_id if context.run is not None else None
            log = context.log.info if context.log is not None else print
            self._writer = WriterLock(self.folder, run_id, "dagster run").acquire(RUN_WAIT_SECONDS, log)
            guards.verify_key(self.folder, rotating)  # again under the lock: another run may have rotated
            guards.record_key(self.folder)
            migrate_raw_out_of_build(self.folder)
        except BaseException:
            self.teardown_after_execution(context)
            raise

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        pseudonymise.use_key(None, None)

    @property
    def folder(self) -> Path:
        return Path(self.warehouse_dir).resolve() if self.warehouse_dir else settings.warehouse_dir()

    @property
    def raw_db_path(self) -> Path:
        return self.folder / settings.RAW_DB_NAME

    @property
    def build_db_path(self) -> Path:
        return self.folder / settings.BUILD_DB_NAME

    @property
    def marts_db_path(self) -> Path:
        return self.folder / settings.MARTS_DB_NAME

    def load_sources(self) -> settings.Sources:
        return settings.load_sources(Path(self.sources_file).resolve() if self.sources_file else None)

    def raw_connection(self, read_only: bool = False, memory_limit: str | None = None):
        """The raw layer, which extraction writes (orchestration/warehouse.py)."""
        return raw_connection(read_only=read_only, memory_limit=memory_limit, path=self.raw_db_path)

    def build_connection(self, read_only: bool = False, memory_limit: str | None = None):
        """dbt's disposable build (orchestration/warehouse.py): for what is no extraction (e.g. side inputs
        rebuilt each run from their own files)."""
        return build_connection(read_only=read_only, memory_limit=memory_limit, path=self.build_db_path)

    @property
    def dbt_target_path(self) -> Path:
        """dbt's target folder for this warehouse: partial-parse state and the last run's artifacts."""
        return self.folder / "dbt_target"

    def dbt_env(self, run_id: str) -> dict[str, str]:
        """Environment of a dbt invocation: the build database and the raw file it attaches read-only
        (profiles.yml), and the Dagster run id (annex1_indicators.run_id)."""
        return {"WAREHOUSE_BUILD_DB": str(self.build_db_path), "WAREHOUSE_RAW_DB": str(self.raw_db_path),
                "WAREHOUSE_RUN_ID": run_id}
