"""Connected components of the identity graph (dbt Python model int_persons_resolved): chains across the
three systems become one person, however long; unlinked records stay apart."""
import importlib.util
from pathlib import Path

import duckdb

MODEL = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "persons" / "int_persons_resolved.py"


def load_model():
    spec = importlib.util.spec_from_file_location("int_persons_resolved", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model


class FakeDbt:
    def __init__(self, con, tables):
        self.con, self.tables = con, tables

    def config(self, **_):
        pass

    def ref(self, name):
        return self.con.table(self.tables[name])


def resolve(records, links):
    con = duckdb.connect()
    con.execute("create table records (record_key varchar)")
    con.executemany("insert into records values (?)", [[r] for r in records])
    con.execute("create table links (record_key_a varchar, record_key_b varchar, rule varchar)")
    con.executemany("insert into links values (?, ?, ?)", links)
    dbt = FakeDbt(con, {"int_identity_records": "records", "int_identity_links": "links"})
    rows = load_model()(dbt, con).fetchall()
    return {record: person for record, person, _ in rows}


def test_a_chain_across_map_ecampus_and_solicomm_is_one_person():
    records = ["map:1", "ecampus:10", "solicomm:5", "solicomm:6", "map:2", "ecampus:99"]
    links = [("map:1", "ecampus:10", "L1"), ("ecampus:10", "solicomm:5", "L2"), ("solicomm:5", "solicomm:6", "L3")]
    person = resolve(records, links)
    assert len({person[r] for r in ["map:1", "ecampus:10", "solicomm:5", "solicomm:6"]}) == 1
    assert len({person["map:1"], person["map:2"], person["ecampus:99"]}) == 3


def test_long_chains_resolve_completely_and_keys_are_pseudonymous():
    records = [f"solicomm:{i:05d}" for i in range(5000)]
    links = [(records[i], records[i + 1], "L2") for i in range(0, 4999)]
    person = resolve(records, links)
    assert len(set(person.values())) == 1
    key = next(iter(person.values()))
    assert key.startswith("P") and "solicomm" not in key
