"""The one table contract of every source, SQL or file: what a raw table holds and how it is kept.

A `TableContract` names the source columns read (each with its type), the key, the incremental cursor
(or the parent whose cursor it follows), the personal-data columns and how each is pseudonymised
(`orchestration.pseudonymise.People`), the columns nulled when a row vanishes (erasure), whether a
deployment may lack the table, and, for the one table that gives a source its data watermark, the SQL
expression computing it over the raw table (`source_watermarks`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import pyarrow as pa

if TYPE_CHECKING:
    from orchestration.pseudonymise import People

Transform = Callable[[pa.Table], pa.Table]

_KINDS = {
    # kind: (DuckDB type, Arrow type)
    "text": ("varchar", pa.string()),
    "int": ("bigint", pa.int64()),
    "float": ("double", pa.float64()),
    "date": ("date", pa.date32()),        # files: ISO or DD/MM/YYYY
    "date_dmy": ("date", pa.date32()),    # files: DD/MM/YYYY only
    "timestamp": ("timestamp", pa.timestamp("us")),
    "bool": ("boolean", pa.bool_()),
    "bool01": ("boolean", pa.bool_()),    # files: 0/1
}


class SourceContractError(RuntimeError):
    """A source lacks a table, file, sheet or column its contract requires, or holds a value it cannot load."""


class SourceUnreachableError(RuntimeError):
    """A source database cannot be reached (unset URL, refused connection, bad credentials…)."""


@dataclass(frozen=True)
class Column:
    """A contract column and its type. required: an empty value is a reject (file sources).

    derived: set by the loader (a drop's snapshot_date, a survey file's name), not read from the source."""

    name: str
    kind: str = "text"
    required: bool = False
    derived: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")

    @property
    def sql_type(self) -> str:
        return _KINDS[self.kind][0]

    @property
    def arrow_type(self) -> pa.DataType:
        return _KINDS[self.kind][1]


def columns(names: str, kind: str = "text") -> tuple[Column, ...]:
    """Columns of one kind from a space-separated list: `columns("id userid fieldid", "int")`."""
    return tuple(Column(n, kind) for n in names.split())


@dataclass(frozen=True)
class TableContract:
    """One raw table.

    cursor: columns whose values only grow when a row is inserted or updated; empty = read whole each run.
    parent: (parent table, foreign key) for a child table read through its parent's cursor.
    people: the personal columns and the keys that replace them at extraction.
    transform: any other per-batch rewrite, applied before `people` (e.g. a flag computed from a username).
    erase_on_vanish: columns nulled when the row vanishes from the source (a physically erased person).
    required: False for a table a deployment may lack (skipped, its raw rows untouched).
    watermark: SQL over this raw table giving the source's data watermark (one table per source has it).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    cursor: tuple[str, ...] = ()
    parent: tuple[str, str] | None = None
    people: "People | None" = None
    transform: Transform | None = field(default=None, compare=False)
    erase_on_vanish: tuple[str, ...] = ()
    required: bool = True
    watermark: str | None = None
    description: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The source columns read (derived ones excluded)."""
        return tuple(c.name for c in self.columns if not c.derived)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def prepare(self, batch: pa.Table) -> pa.Table:
        """A batch as the raw table holds it: transformed, personal data replaced by keys."""
        if self.transform is not None:
            batch = self.transform(batch)
        if self.people is not None:
            batch = self.people.apply(batch)
        return batch

    def arrow_schema(self) -> pa.Schema:
        """The declared source columns' Arrow types (before `prepare`)."""
        return pa.schema([(c.name, c.arrow_type) for c in self.columns])

    def empty(self) -> pa.Table:
        """An empty batch as the raw table holds it (for a table a deployment lacks)."""
        return self.prepare(self.arrow_schema().empty_table())
