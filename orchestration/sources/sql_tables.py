"""Reading contract tables from a SQL source system through SQLAlchemy (SQLite, PostgreSQL, MariaDB, Oracle)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url


class SourceContractError(RuntimeError):
    """A source lacks a table or column its contract requires."""


@dataclass(frozen=True)
class TableContract:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def read_contract_tables(system: str, url: str, contracts: list[TableContract]) -> dict[str, pd.DataFrame]:
    """Read every table of `contracts`, only their contract columns; extra columns and tables are ignored.

    All tables are checked before any is read, so a contract violation fails before anything is written.
    """
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            present = set(inspector.get_table_names())
            for contract in contracts:
                if contract.name not in present:
                    raise SourceContractError(
                        f"{system} ({safe_url(url)}): required table '{contract.name}' is missing"
                    )
                columns = {c["name"].lower() for c in inspector.get_columns(contract.name)}
                missing = [c for c in contract.columns if c not in columns]
                if missing:
                    raise SourceContractError(
                        f"{system} ({safe_url(url)}): table '{contract.name}' is missing required "
                        f"column(s) {', '.join(missing)}"
                    )
            frames = {}
            for contract in contracts:
                query = sa.select(*[sa.column(c) for c in contract.columns]).select_from(sa.table(contract.name))
                frames[contract.name] = pd.read_sql(query, conn, dtype_backend="numpy_nullable")
            return frames
    finally:
        engine.dispose()
