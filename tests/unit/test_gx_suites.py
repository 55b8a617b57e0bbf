"""Every Great Expectations suite (expectations/*.json) fails on a small table breaking its rule, and passes
on one that keeps it.

Each case builds the few tables the suite reads in a temporary build database and runs the production
asset check itself (orchestration.checks: the projected query, the validation, the failure report), so the
test would catch a wrong rule, a wrong row condition or a query reading the wrong columns. The good tables
hold the near misses each rule's conditions allow (e.g. a null person on an enrolment that is not counted),
so a condition dropped or widened fails the good case; each bad case adds rows breaking exactly one
expectation and names the rows the report must point at.
"""
from dataclasses import dataclass

import duckdb
import pytest
from dagster import build_asset_check_context

from orchestration import checks
from orchestration.settings import build_db_path


@dataclass(frozen=True)
class Breach:
    sql: str  # added to the good tables
    failed: set[str]  # "expectation on column(s)" that must fail, and only those
    keys: list[dict]  # the offending rows' keys, as the report names them


ENROLMENTS_TABLE = """
create schema marts;
create table marts.fct_enrolments (enrolment_key varchar, channel varchar, is_counted boolean,
    person_key varchar, platform_code varchar, source_record_id varchar, an_unread_column varchar);
insert into marts.fct_enrolments values
    ('d1', 'distance', true, 'P1', null, '101', null),
    ('d2', 'distance', false, null, null, '102', null),         -- not counted: no person needed
    ('f1', 'face_to_face', true, null, null, '103', null),      -- not distance: no person needed
    ('x1', 'external_platform', true, 'P2', 'moodle', '7', null),
    ('x2', 'external_platform', true, 'P3', 'skillup', '7', null),  -- same id on another platform
    ('m1', 'masters', true, 'P4', 'moodle', '8', null),
    ('m2', 'masters', true, 'P5', 'moodle', '8', null);         -- only external enrolments must be unique
"""

LINKS_TABLES = """
create schema intermediate;
create table intermediate.int_identity_links (rule varchar, record_key_a varchar, record_key_b varchar);
create table intermediate.int_persons_resolved (record_key varchar, person_key varchar,
    person_first_record_key varchar);
insert into intermediate.int_persons_resolved values
    ('map:1', 'P1', 'map:1'), ('ecampus:1', 'P1', 'map:1'),
    ('map:2', 'P2', 'map:2'), ('map:3', 'P2', 'map:2'), ('solicomm:3', 'P2', 'map:2'),
    ('map:4', 'P4', 'map:4'), ('map:5', 'P5', 'map:5'), ('ecampus:5', 'P5', 'map:5'),
    ('map:6', 'P6', 'map:6'), ('ecampus:6', 'P6b', 'ecampus:6');
insert into intermediate.int_identity_links values
    ('L1', 'map:1', 'ecampus:1'), ('L2', 'map:2', 'map:3'), ('L3', 'map:2', 'solicomm:3');
"""

MAILBOX_TABLES = """
create schema intermediate;
create table intermediate.int_identity_records (record_key varchar, email_key varchar, birth_year_key varchar,
    name_token_keys varchar[], name_key varchar);
create table intermediate.int_persons_resolved (record_key varchar, person_key varchar);
insert into intermediate.int_identity_records values
    ('map:1', 'E1', 'B1', ['n1'], 'k1'), ('ecampus:1', 'E1', 'B1', ['n1'], 'k1'),  -- one person: not a pair
    ('map:2', 'E2', 'B1', ['n1'], 'k1'), ('map:3', 'E2', 'B2', ['n1'], 'k1'),    -- birth years differ
    ('map:4', 'E3', null, ['n1', 'n2'], 'k2'), ('map:5', 'E3', null, ['n3'], 'k3'),  -- no name in common
    ('map:6', null, 'B1', ['n1'], 'k1'), ('map:7', null, 'B1', ['n1'], 'k1');    -- no e-mail: not compared
insert into intermediate.int_persons_resolved values
    ('map:1', 'P1'), ('ecampus:1', 'P1'), ('map:2', 'P2'), ('map:3', 'P3'), ('map:4', 'P4'), ('map:5', 'P5'),
    ('map:6', 'P6'), ('map:7', 'P7');
"""

GOOD_TABLES = {
    "enrolments_deduplicated": ENROLMENTS_TABLE,
    "identity_links_resolved": LINKS_TABLES,
    "shared_email_keys_guarded": MAILBOX_TABLES,
}

UNREAD = {"an_unread_column", "person_first_record_key", "name_key"}  # in the tables, read by no suite
NOT_NULL = "expect_column_values_to_not_be_null"
PAIR_EQUAL = "expect_column_pair_values_to_be_equal"
LINK_KEY = ("rule", "record_key_a", "record_key_b")
MAILBOX_KEY = ("email_key", "record_key_a", "record_key_b")

BREACHES = {
    ("enrolments_deduplicated", "a counted distance enrolment without a person"): Breach(
        "insert into marts.fct_enrolments values ('d9', 'distance', true, null, null, '109', null)",
        {f"{NOT_NULL} on person_key where channel == 'distance' and is_counted == True"},
        [{"enrolment_key": "d9"}],
    ),
    ("enrolments_deduplicated", "one platform enrolment counted twice"): Breach(
        "insert into marts.fct_enrolments values ('x9', 'external_platform', true, 'P9', 'moodle', '7', null)",
        {"expect_compound_columns_to_be_unique on ['platform_code', 'source_record_id']"
         " where channel == 'external_platform'"},
        [{"enrolment_key": "x1"}, {"enrolment_key": "x9"}],
    ),
    ("identity_links_resolved", "an L2 link across two persons"): Breach(
        "insert into intermediate.int_identity_links values ('L2', 'map:4', 'map:5')",
        {f"{PAIR_EQUAL} on ['person_key_a', 'person_key_b']"},
        [dict(zip(LINK_KEY, ("L2", "map:4", "map:5")))],
    ),
    ("identity_links_resolved", "an L1 link across two persons"): Breach(
        # The L1 expectation and the all-rules one both fail.
        "insert into intermediate.int_identity_links values ('L1', 'map:6', 'ecampus:6')",
        {f"{PAIR_EQUAL} on ['person_key_a', 'person_key_b'] where rule == 'L1'",
         f"{PAIR_EQUAL} on ['person_key_a', 'person_key_b']"},
        [dict(zip(LINK_KEY, ("L1", "map:6", "ecampus:6")))],
    ),
    ("identity_links_resolved", "a link from a record without a person"): Breach(
        "insert into intermediate.int_identity_links values ('L3', 'map:99', 'map:4')",
        {f"{NOT_NULL} on person_key_a", f"{PAIR_EQUAL} on ['person_key_a', 'person_key_b']"},
        [dict(zip(LINK_KEY, ("L3", "map:99", "map:4")))],
    ),
    ("identity_links_resolved", "a link to a record without a person"): Breach(
        "insert into intermediate.int_identity_links values ('L3', 'map:4', 'map:99')",
        {f"{NOT_NULL} on person_key_b", f"{PAIR_EQUAL} on ['person_key_a', 'person_key_b']"},
        [dict(zip(LINK_KEY, ("L3", "map:4", "map:99")))],
    ),
    ("shared_email_keys_guarded", "two persons with one e-mail, birth year and name"): Breach(
        """insert into intermediate.int_identity_records values
               ('map:8', 'E8', 'B1', ['n1', 'n2'], 'k1'), ('solicomm:8', 'E8', 'B1', ['n2'], 'k2');
           insert into intermediate.int_persons_resolved values ('map:8', 'P8'), ('solicomm:8', 'P9')""",
        {"expect_column_values_to_be_in_set on is_guarded_shared_mailbox"},
        [dict(zip(MAILBOX_KEY, ("E8", "map:8", "solicomm:8")))],
    ),
    ("shared_email_keys_guarded", "two persons with one e-mail, one with no birth year or name"): Breach(
        """insert into intermediate.int_identity_records values
               ('map:8', 'E8', null, null, null), ('solicomm:8', 'E8', 'B2', ['n2'], 'k2');
           insert into intermediate.int_persons_resolved values ('map:8', 'P8'), ('solicomm:8', 'P9')""",
        {"expect_column_values_to_be_in_set on is_guarded_shared_mailbox"},
        [dict(zip(MAILBOX_KEY, ("E8", "map:8", "solicomm:8")))],
    ),
}


def run_suite_check(suite: str, sql: str, tmp_path, monkeypatch):
    """Build the tables in a fresh build database and run the suite's asset check as a refresh would."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    path = build_db_path()
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    (check,) = [c for c in checks.checks if [s.name for s in c.check_specs] == [f"gx_{suite}"]]
    return check(build_asset_check_context())


def failed_rules(result) -> set[str]:
    """Each failed expectation as "<type> on <columns>[ where <row condition>]"."""
    rules = set()
    for failure in result.metadata["failed_expectations"].data:
        kwargs = failure["kwargs"]
        columns = kwargs.get("column") or kwargs.get("column_list") or [kwargs["column_A"], kwargs["column_B"]]
        condition = kwargs.get("row_condition")
        condition = condition.get("pass_through_filter") if isinstance(condition, dict) else condition
        rules.add(f"{failure['expectation']} on {columns}" + (f" where {condition}" if condition else ""))
    return rules


def test_every_suite_has_its_cases():
    suites = {checks.load_suite(path)["name"] for path in checks.suite_files()}
    assert suites == set(GOOD_TABLES) == {suite for suite, _ in BREACHES}


@pytest.mark.parametrize("suite", sorted(GOOD_TABLES))
def test_the_suite_passes_on_tables_keeping_its_rule(suite, tmp_path, monkeypatch):
    result = run_suite_check(suite, GOOD_TABLES[suite], tmp_path, monkeypatch)
    assert result.passed, result.description
    assert result.metadata["rows_validated"].value > 0
    assert not UNREAD & set(result.metadata["columns_read"].data)  # projected, not `select *`


@pytest.mark.parametrize("suite, breach", sorted(BREACHES), ids=lambda v: v.replace(" ", "_"))
def test_the_suite_fails_on_a_table_breaking_its_rule(suite, breach, tmp_path, monkeypatch):
    case = BREACHES[(suite, breach)]
    result = run_suite_check(suite, GOOD_TABLES[suite] + ";\n" + case.sql, tmp_path, monkeypatch)
    assert not result.passed
    assert failed_rules(result) == case.failed
    for rule in case.failed:  # the report names the rule (without its condition)
        assert rule.split(" where ")[0] in result.description
    for key in case.keys:  # the report names the offending rows by their keys
        assert str(key) in result.description, result.description
