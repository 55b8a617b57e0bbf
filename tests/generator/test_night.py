"""`--append-day` (demo/generator/night.py): two successive nights appended to the scale-1 demo conform to
the contracts (the checks of test_core_contracts.py, run again on the appended files), add about 1/365 of
a year, change no past row beyond the night's few updates and erasures, are deterministic, and keep the
truth right: the rules find exactly the truth's persons and the published periods keep their figures."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3

import pytest

from demo.generator.core import targets as T
from demo.generator.night import append_day
from tests.generator import reference_methodology as ref
from tests.generator import test_core_contracts as contracts
from tests.generator.published_core import EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS


def _copy(generated_demo, dest):
    out, truth = dest / "sources", dest / "truth"
    shutil.copytree(generated_demo[0], out)
    shutil.copytree(generated_demo[1], truth)
    return out, truth


def _digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def nights(generated_demo, tmp_path_factory):
    """The demo after night 1 (kept as a copy) and after night 2: (out, truth, [record 1, record 2], copy 1)."""
    out, truth = _copy(generated_demo, tmp_path_factory.mktemp("nights"))
    first = append_day(out, truth)
    after_first = _copy((out, truth), tmp_path_factory.mktemp("after_night_1"))
    second = append_day(out, truth)
    return out, truth, [first, second], after_first


def test_nights_follow_each_other(nights, generated_demo):
    out, truth, (first, second), _ = nights
    assert (first["night"], second["night"]) == (1, 2)
    state = json.loads((truth / "nights.json").read_text(encoding="utf-8"))
    assert [n["date"] for n in state["nights"]] == [first["date"], second["date"]]
    assert first["date"] > max(d.name for d in (generated_demo[0] / "solicomm").iterdir())
    with pytest.raises(SystemExit):
        append_day(out, truth, day=2)  # a night already appended is not appended twice


def test_appended_demo_conforms_to_the_contracts(nights):
    out, truth, _, _ = nights
    demo = (out, truth)
    with sqlite3.connect(out / "map.sqlite") as m, sqlite3.connect(out / "ecampus.sqlite") as e:
        contracts.test_map_value_domains(m)
        contracts.test_map_dates_and_timestamps_are_iso_text(m)
        contracts.test_map_keys_and_links(m, e)
        contracts.test_map_erased_participants_keep_group_gender_nationality(m)
        contracts.test_moodle_conventions(e)
    for check in (contracts.test_solicomm_drops_have_the_contract_files,
                  contracts.test_solicomm_encoding_follows_the_drop_date, contracts.test_solicomm_values_and_dates,
                  contracts.test_solicomm_manifests, contracts.test_solicomm_malformed_rows_stay_under_one_percent,
                  contracts.test_solicomm_erased_members_vanish_with_their_enrolments):
        check(demo)


def test_a_night_adds_about_one_365th_of_a_year(nights):
    for record in nights[2]:
        v = record["volume"]
        near = lambda got, want: abs(got - want) <= max(2, 0.1 * want)  # noqa: E731
        distance = v["ecampus.user_enrolments (new)"] + v["solicomm.enrolments (new)"]
        assert near(distance, T.DIST[2023] / 365), v
        assert near(v["map.registration (new)"], T.F2F[2023] * 1.3 / 365), v
        platform = [n for k, n in v.items() if k.startswith("platform ") and k.endswith("user_enrolments (new)")]
        assert len(platform) == 1 and near(platform[0], T.EXTERNAL[2023] / 365), v
        assert 100 <= v["ecampus.quiz_attempts (new)"] <= 200, v
        assert v["solicomm.drop"] == 1
        for k in ("map.participant (erased)", "ecampus.user (deleted)", "solicomm.members (erased)"):
            assert v[k] == 1, k
        assert all(n <= 10 for k, n in v.items() if "(updated)" in k), v


def test_only_the_nights_changes_touch_past_rows(generated_demo, nights):
    base, (out, _truth, (first, _), after_first) = generated_demo[0], nights
    night1 = after_first[0]
    v = first["volume"]

    def changed(db, table, key):
        with sqlite3.connect(base / db) as a, sqlite3.connect(night1 / db) as b:
            old = {r[0]: r for r in a.execute(f"select * from {table} order by {key}")}
            new = {r[0]: r for r in b.execute(f"select * from {table} order by {key}")}
        assert set(old) <= set(new)
        return sum(old[k] != new[k] for k in old)
    assert changed("map.sqlite", "participant", "participant_id") == \
        v["map.participant (updated)"] + v["map.participant (erased)"]
    assert changed("map.sqlite", "registration", "registration_id") == v["map.registration (updated)"]
    assert changed("map.sqlite", "activity", "activity_id") == v["map.activity (updated)"]
    assert changed("ecampus.sqlite", "mdl_user", "id") == v["ecampus.user (updated)"] + v["ecampus.user (deleted)"]
    assert changed("ecampus.sqlite", "mdl_user_enrolments", "id") == v["ecampus.user_enrolments (updated)"]
    assert changed("ecampus.sqlite", "mdl_quiz_attempts", "id") == 0
    before, after = _digest(base), _digest(night1)
    moved = {p for p in before if before[p] != after[p]}
    code = next(k.split()[1].split(".")[0] for k in v if k.startswith("platform "))
    assert moved == {"map.sqlite", "ecampus.sqlite", f"platforms/{code}.sqlite"}  # old drops untouched
    assert {p for p in after if p not in before and p.startswith("solicomm/")} == {
        f"solicomm/{first['date']}/{n}" for n in ("members.csv", "courses.csv", "enrolments.csv", "manifest.json")}


def test_nights_are_deterministic(generated_demo, nights, tmp_path):
    out, truth = _copy(generated_demo, tmp_path)
    append_day(out, truth)
    append_day(out, truth)
    assert _digest(out) == _digest(nights[0])
    assert _digest(truth) == _digest(nights[1])


def test_truth_follows_the_nights(nights):
    """The rules group the records exactly as the updated truth, and no published period moves."""
    out, truth, _, _ = nights
    src = ref.load_sources(out)
    person_of = ref.resolve_persons(src.records)
    with open(truth / "record_persons_core.csv", encoding="utf-8") as f:
        expected = {(r["system"], int(r["record_id"])): int(r["person_id"]) for r in csv.DictReader(f)}
    assert set(expected) == set(src.records)
    pairs = {(expected[k], person_of[k]) for k in expected}
    assert len({p for p, _ in pairs}) == len({q for _, q in pairs}) == len(pairs)  # a bijection
    figures = ref.compute(out, EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS)
    with open(truth / "expected_core.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["indicator_code"], row["measure"], row["period"])
            if row["value"]:
                assert figures[key] == pytest.approx(float(row["value"]), abs=1e-9), key
