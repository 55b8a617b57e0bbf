"""Stewards' decisions in the review queue: a decided pair leaves the queue; the decisions the build could not
apply travel with it into review_queue.duckdb. Scores the synthetic build of test_queue with the saved model
(no training)."""
from __future__ import annotations

import duckdb
import pytest

from orchestration.stewardship import queue
from tests.stewardship.test_queue import build  # noqa: F401  (the synthetic build fixture)

pytestmark = pytest.mark.slow


def queued(result) -> list[tuple[str, str]]:
    with duckdb.connect(str(result.path), read_only=True) as con:
        return con.execute(f"select record_key_l, record_key_r from {queue.QUEUE_TABLE}").fetchall()


def test_a_decided_pair_leaves_the_queue_and_unresolved_decisions_come_along(build):  # noqa: F811
    path, _, _ = build
    before = queued(queue.build_queue())
    assert before  # the saved model queues the birth-year typo at least
    decided, kept = before[0], before[1:]
    with duckdb.connect(str(path)) as con:  # what a refresh builds from the decisions file
        con.execute("create schema staging")
        con.execute("create table staging.stg_identity_decisions__decisions as select ? as record_key_a, "
                    "? as record_key_b, 'different' as decision", sorted(decided))
        con.execute("create table intermediate.identity_decisions_unresolved as select 'ecampus:1|map:9' as pair_key, "
                    "'ecampus:1' as record_key_a, 'map:9' as record_key_b, 'same' as decision, 'G. Rossi' as decided_by, "
                    "date '2024-03-04' as decided_on, 'erased' as decision_reason, 2::bigint as line_number, "
                    "'record_missing' as status, 'map:9 no longer in the sources' as explanation")
    result = queue.build_queue()
    assert queued(result) == kept
    with duckdb.connect(str(result.path), read_only=True) as con:
        assert con.execute(f"select pair_key, status from {queue.UNRESOLVED_TABLE}").fetchall() == [
            ("ecampus:1|map:9", "record_missing")]
