"""`python -m orchestration.restore <backup folder or timestamp>` (or `--list`): put a backup of the raw layer
(orchestration/backups.py) back as WAREHOUSE_DIR/raw.duckdb.

- Refuses while another run holds the warehouse's writer lock (exit 75, naming the holder), and refuses a
  backup taken under another pseudonymisation key than the warehouse's (exit 78): its hashes would not join.
- The raw file it replaces is kept aside as raw.duckdb.replaced-<UTC timestamp>, never deleted.
- The next refresh rebuilds everything from the restored file (the no-change shortcut is cleared), extracting
  on top of it what the sources hold since: file sources whose content differs from the restored hashes are
  re-read, incremental SQL reads restart from the restored cursors, SoliComm drops after it are reloaded.
"""
import argparse
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

from orchestration import guards
from orchestration.backups import Backup, find_backup, list_backups
from orchestration.changes import BUILD_STATE_FILE
from orchestration.concurrency import EXIT_BUSY, WarehouseBusy, WriterLock
from orchestration.refresh import EXIT_KEY_MISMATCH
from orchestration.settings import RAW_DB_NAME, raw_db_path, warehouse_dir


class BackupRefused(RuntimeError):
    """The backup cannot be restored into this warehouse: the message is the one line to show."""


def restore(backup: Backup) -> Path | None:
    """Restore `backup` as raw.duckdb under the writer lock; returns where the replaced raw file was kept
    (None when there was none). Raises WarehouseBusy while another run holds the lock, BackupRefused for a
    backup of another key."""
    folder, raw = warehouse_dir(), raw_db_path()
    with WriterLock(folder, None, "python -m orchestration.restore").acquire(wait=False):
        built_with = (guards.read_state(folder) or {}).get("fingerprint")
        backed_with = backup.manifest.get("key_fingerprint")
        if built_with and backed_with and built_with != backed_with:
            raise BackupRefused(
                f"{backup.folder} was taken under the key of fingerprint {backed_with}, this warehouse is built "
                f"with {built_with}: its keyed hashes would not join ({guards.SEE})")
        temporary = raw.with_name(f".{RAW_DB_NAME}.restoring.tmp")
        shutil.copyfile(backup.raw_file, temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        kept = None
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        for suffix in ("", ".wal"):  # the replaced file (and a write-ahead log a crash left) set aside
            current = raw.with_name(raw.name + suffix)
            if current.exists():
                aside = raw.with_name(f"{RAW_DB_NAME}.replaced-{stamp}{suffix}")
                os.rename(current, aside)
                kept = kept or aside
        os.replace(temporary, raw)
        # The build no longer matches the raw file: the next refresh must rebuild, whatever it finds.
        (folder / BUILD_STATE_FILE).unlink(missing_ok=True)
    return kept


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.restore", description=__doc__.split("\n")[0])
    parser.add_argument("backup", nargs="?", help="a backup folder, or its timestamp under WAREHOUSE_DIR/backups")
    parser.add_argument("--list", action="store_true", help="list the backups, oldest first")
    args = parser.parse_args(argv)
    if args.list or not args.backup:
        backups = list_backups()
        print("\n".join(str(b) for b in backups) or f"no backups in {warehouse_dir() / 'backups'}")
        if not args.list:
            parser.error("name the backup to restore (its folder or timestamp), or --list")
        return
    try:
        backup = find_backup(args.backup)
        kept = restore(backup)
    except ValueError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        sys.exit(EXIT_BUSY)
    except BackupRefused as refused:
        print(refused, file=sys.stderr)
        sys.exit(EXIT_KEY_MISMATCH)
    print(f"restored {backup.name} (run {backup.manifest.get('run_id')}) as {raw_db_path()}"
          + (f"; the replaced file is kept as {kept}" if kept else "")
          + "\nthe next refresh rebuilds everything from it: python -m orchestration.refresh")


if __name__ == "__main__":
    main()
