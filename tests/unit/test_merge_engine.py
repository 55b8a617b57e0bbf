"""The one merge engine, as the SQL sources (through `extract`) and the file sources (through `snapshot`)
use it: insert, update, unchanged (0 rows written), vanish, return, erase, scope; and the extraction log."""
import sqlite3

import duckdb
import pandas as pd
import pytest

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import to_arrow
from orchestration.extract.merge import Extraction, snapshot
from orchestration.extract.sql import Database, extract

PEOPLE = TableContract(
    "person", (Column("id", "int"), Column("name"), Column("name_key"), Column("updated", "int")),
    key=("id",), cursor=("updated",), erase_on_vanish=("name_key",), watermark="max(updated)",
)


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as connection:
        yield connection


def rows(con, schema="raw_t"):
    return con.execute(f"select id, name, name_key, _vanished_at is not null from {schema}.person "
                       "order by all").fetchall()


# ------------------------------------------------------------------------------------- the two ways in


class SqlWay:
    """A SQLite source read by `extract` (incremental on `updated`, key scan for vanished rows)."""

    def __init__(self, tmp_path, scopes=("a",)):
        self.paths = {s: tmp_path / f"{s}.sqlite" for s in scopes}
        for path in self.paths.values():
            with sqlite3.connect(path) as db:
                db.execute("create table person (id integer, name text, name_key text, updated integer)")

    def write(self, data, scope="a"):
        with sqlite3.connect(self.paths[scope]) as db:
            db.execute("delete from person")
            db.executemany("insert into person values (?, ?, ?, ?)", data)

    def load(self, con, scopes=("a",), broken=()):
        dbs = [Database(s, None if s in broken else f"sqlite:///{self.paths[s]}", "", s if len(self.paths) > 1
                        else None, (PEOPLE,), "unreachable") for s in scopes]
        result = extract(con, "t", "raw_t", dbs, scope_column="scope" if len(self.paths) > 1 else None,
                         isolate_failures=len(self.paths) > 1, run_id="r")
        return sum(o["person"].rows_loaded for o in result.outcomes.values()), result


class FileWay:
    """A parsed file (a pandas frame) merged as a complete snapshot, as `file_source` does."""

    def __init__(self, tmp_path, scopes=("a",)):
        self.data = {s: [] for s in scopes}
        self.scoped = len(scopes) > 1

    def write(self, data, scope="a"):
        self.data[scope] = data

    def load(self, con, scopes=("a",), broken=()):
        written = 0
        with Extraction(con, "t", "raw_t", [PEOPLE], "r") as load:
            for scope in scopes:
                if scope in broken:
                    continue
                frame = pd.DataFrame(self.data[scope], columns=["id", "name", "name_key", "updated"])
                table = to_arrow(frame, PEOPLE)
                staged = snapshot(PEOPLE, table, "scope" if self.scoped else None, scope if self.scoped else None)
                written += load.merge(staged, [scope if self.scoped else None],
                                      "scope" if self.scoped else None)[scope if self.scoped else None].rows_loaded
        return written, None


WAYS = [SqlWay, FileWay]


@pytest.mark.parametrize("way", WAYS)
def test_insert_update_unchanged_vanish_return_erase(way, tmp_path, con):
    source = way(tmp_path)
    source.write([(1, "Ana", "k1", 1), (2, "Ben", "k2", 1)])
    assert source.load(con)[0] == 2                                              # insert
    assert rows(con) == [(1, "Ana", "k1", False), (2, "Ben", "k2", False)]

    assert source.load(con)[0] == 0                                              # unchanged: 0 rows written

    source.write([(1, "Ana M", "k1", 2), (2, "Ben", "k2", 1)])
    assert source.load(con)[0] == 1                                              # update
    assert rows(con)[0] == (1, "Ana M", "k1", False)

    source.write([(1, "Ana M", "k1", 2)])
    assert source.load(con)[0] == 0
    assert rows(con)[1] == (2, "Ben", None, True)                               # vanish, its key erased

    source.write([(1, "Ana M", "k1", 2), (2, "Ben", "k2", 3)])
    assert source.load(con)[0] == 1
    assert rows(con)[1] == (2, "Ben", "k2", False)                              # return

    log = con.execute("select source_system, run_id, data_watermark, rows_held, rows_written, rows_vanished "
                      "from raw_warehouse.source_extractions").fetchall()
    assert [r[4] for r in log] == [2, 0, 1, 0, 1] and [r[5] for r in log] == [0, 0, 0, 1, 0]
    assert log[-1][:4] == ("t", "r", "3", 2)


@pytest.mark.parametrize("way", WAYS)
def test_one_scope_failing_leaves_the_others_rows_untouched(way, tmp_path, con):
    source = way(tmp_path, scopes=("a", "b"))
    source.write([(1, "Ana", "k1", 1)], "a")
    source.write([(1, "Bo", "k9", 1)], "b")
    assert source.load(con, scopes=("a", "b"))[0] == 2
    source.write([], "b")                              # b would empty itself…
    source.write([(1, "Ana", "k1", 1), (2, "Cy", "k3", 1)], "a")
    written, result = source.load(con, scopes=("a", "b"), broken=("b",))   # …but b cannot be read
    assert written == 1
    if result is not None:
        assert list(result.failures) == ["b"]
    assert con.execute("select scope, id, name, _vanished_at is null from raw_t.person order by 1, 2").fetchall() == [
        ("a", 1, "Ana", True), ("a", 2, "Cy", True), ("b", 1, "Bo", True)]


def test_a_failed_load_writes_nothing_not_even_its_log(con):
    staged = snapshot(PEOPLE, to_arrow(pd.DataFrame({"id": [1], "name": ["A"], "name_key": ["k"], "updated": [1]}),
                                       PEOPLE))
    with pytest.raises(RuntimeError):
        with Extraction(con, "t", "raw_t", [PEOPLE], "r") as load:
            load.merge_one(staged)
            raise RuntimeError("a later table broke")
    assert con.execute("select count(*) from raw_warehouse.source_extractions").fetchone() == (0,)
    assert con.execute("select count(*) from information_schema.tables where table_name = 'person'").fetchone() == (0,)
