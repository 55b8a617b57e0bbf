"""The core sources yield the published figures when the methodology is applied to them independently
(tests/generator/reference_methodology.py reads only the written files), and the generator's ground truth
agrees with that independent reading."""
from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from tests.generator import reference_methodology as ref
from tests.generator.published_core import KNOWN_INCONSISTENT, agrees, published

PUBLISHED = published()


@pytest.mark.parametrize("key", sorted(PUBLISHED), ids=lambda k: "/".join(k))
def test_published_figure_is_reproduced(core_reference, key):
    value = core_reference.get(key)
    assert agrees(value, PUBLISHED[key]), f"{key}: computed {value}, published {PUBLISHED[key]}"


@pytest.mark.parametrize("key", sorted(KNOWN_INCONSISTENT), ids=lambda k: "/".join(k))
def test_known_inconsistent_case_follows_the_rule(core_reference, key):
    """1.1c core share 2023 / 2022-23: the rule gives about 17.7% / 19.8%, not the published 26% / 24%."""
    value = core_reference[key]
    assert not agrees(value, KNOWN_INCONSISTENT[key])
    assert 17 < value < 21


def test_yearly_values_pool_to_the_baseline(core_reference):
    for key, value in core_reference.items():
        if not isinstance(key, tuple):
            continue
        code, measure, period = key
        if period != "2020-21" or code in ("1.3", "1.5", "B.2") or "unique" in measure or "share" in measure:
            continue
        yearly = [core_reference.get((code, measure, y)) for y in ("2020", "2021")]
        if None not in yearly:
            assert sum(yearly) == value, (code, measure)


def test_expected_core_truth_equals_the_independent_reading(generated_demo, core_reference):
    _out, truth = generated_demo
    with open(truth / "expected_core.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        key = (row["indicator_code"], row["measure"], row["period"])
        computed = core_reference.get(key)
        if row["value"] == "":
            assert computed is None, key
        else:
            assert computed == pytest.approx(float(row["value"]), abs=1e-9), key


def test_identity_resolution_finds_exactly_the_generated_persons(generated_demo):
    """Union-find over L1/L2/L3 equal keys groups the records exactly as the generator's persons."""
    out, truth = generated_demo
    src = ref.Sources()
    ref.load_map(out / "map.sqlite", src)
    ref.load_ecampus(out / "ecampus.sqlite", src)
    ref.load_solicomm(out / "solicomm", src)
    person_of = ref.resolve_persons(src.records)
    with open(truth / "record_persons_core.csv", encoding="utf-8") as f:
        expected = {(r["system"], int(r["record_id"])): int(r["person_id"]) for r in csv.DictReader(f)}
    assert set(expected) == set(src.records)
    groups_truth, groups_ref = defaultdict(set), defaultdict(set)
    for key, pid in expected.items():
        groups_truth[pid].add(key)
        groups_ref[person_of[key]].add(key)
    assert sorted(map(sorted, groups_truth.values())) == sorted(map(sorted, groups_ref.values()))


def test_solicomm_drops_outside_the_figures_are_the_incomplete_and_the_inconsistent_one(core_reference):
    report = core_reference["_solicomm_report"]
    skipped = {d: why for d, why in report.items() if not why.startswith("loaded")}
    assert skipped == {"2021-09-30": "no manifest", "2023-03-31": "members.csv checksum"}
    assert any("rows set aside" in why and not why.startswith("loaded, 0") for why in report.values())


# ---------------------------------------------------------------------------- rule units
def test_email_normalisation():
    n = ref.normalise_email
    assert n(" Jose.Garcia+itcilo@GoogleMail.com ") == "josegarcia@gmail.com"
    assert n("a.b@yahoo.fr") != n("ab@yahoo.fr")
    assert n("ana＠uol.com.br") == "ana@uol.com.br"
    assert n("ana.silva@gmail") is None and n("n/a") is None and n("") is None
    assert n("d41d8cd98f00b204e9800998ecf8427e") is None


def test_name_normalisation():
    assert ref.normalise_name("José-María", "GARCÍA López") == "garcia jose lopez maria"
    assert ref.normalise_name("Suharti", ".") == "suharti"
    assert ref.normalise_name("N'Diaye", "Awa") == "awa diaye n"


def test_rome_year_boundary():
    assert ref.rome_year(1672529400) == 2023   # 2022-12-31 23:30 UTC
    assert ref.rome_year(1672525800) == 2022   # 2022-12-31 22:30 UTC
