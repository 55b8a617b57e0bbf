"""The planted near-duplicates (truth/planted_near_duplicates.csv) are in the written sources as their kind
says, and the rules L1-L3 (reference_methodology.py, reading only the files) keep every pair apart, so the
calibrated figures (test_core_figures.py) count both persons."""
from __future__ import annotations

import csv
from collections import Counter

import pytest

from tests.generator import reference_methodology as ref

KINDS = {"birth_year_typo": 1, "surname_variant": 1, "two_addresses": 1, "transliteration": 1, "homonym": 0}


@pytest.fixture(scope="module")
def resolved(generated_demo):
    out, _truth = generated_demo
    src = ref.Sources()
    ref.load_map(out / "map.sqlite", src)
    ref.load_ecampus(out / "ecampus.sqlite", src)
    ref.load_solicomm(out / "solicomm", src)
    return src.records, ref.resolve_persons(src.records)


@pytest.fixture(scope="module")
def planted(generated_demo):
    with open(generated_demo[1] / "planted_near_duplicates.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_kind_is_planted_forty_times_at_scale_one(planted):
    assert Counter((r["kind"], int(r["same_person"])) for r in planted) == {
        (kind, same): 40 for kind, same in KINDS.items()}
    persons = [r[k] for r in planted for k in ("person_a", "person_b")]
    assert len(set(persons)) == len(persons)  # a person is in one pair at most


def test_the_rules_keep_every_pair_apart(planted, resolved, generated_demo):
    records, person_of = resolved
    with open(generated_demo[1] / "record_persons_core.csv", encoding="utf-8") as f:
        truth = {(r["system"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}
    for r in planted:
        a, b = (r["system_a"], int(r["record_id_a"])), (r["system_b"], int(r["record_id_b"]))
        assert a in records and b in records, r
        assert person_of[a] != person_of[b], r
        assert truth[(a[0], str(a[1]))] == r["person_a"] and truth[(b[0], str(b[1]))] == r["person_b"]


def test_the_records_show_their_kind(planted, resolved):
    records, _ = resolved
    for r in planted:
        a = records[(r["system_a"], int(r["record_id_a"]))]
        b = records[(r["system_b"], int(r["record_id_b"]))]
        kind = r["kind"]
        assert a.email != b.email, r
        if kind == "birth_year_typo":
            assert a.name == b.name and a.birth_year and b.birth_year and a.birth_year != b.birth_year
            assert abs(a.birth_year - b.birth_year) <= 9 and (a.country == b.country or None in (a.country, b.country))
        elif kind == "surname_variant":
            assert a.name != b.name and set(a.name.split()) & set(b.name.split()), r
        elif kind == "two_addresses":
            assert a.name == b.name and b.birth_year is None and a.email and b.email, r
        elif kind == "transliteration":
            assert a.name != b.name and b.name.isascii(), r
        else:
            assert a.name == b.name and a.country and b.country and a.country != b.country, r
