"""The precision rule says the same in SQL and in Python: the warehouse's rounding and the reconciliation's
`agrees` (dbt_project/macros/published_precision.sql round_half_up and rounds_half_up_to, run here in DuckDB
as dbt renders them; the status against the target uses round_half_up) and the report's rounding
(orchestration/reports/formats.py round_half_up) on the boundary cases and on a grid of random values: a
computed value agrees with a published figure when, rounded half up (ties towards +infinity) in decimal at
the published decimals, it is that figure: a published p, h half a unit of its last decimal, takes
p - h <= x < p + h (methodology.md), below zero as above."""
from __future__ import annotations

import math
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import jinja2
import pytest

from orchestration.reports.formats import round_half_up

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "published_precision.sql"

# (computed value, published figure, agrees): the boundaries, worked by hand
BOUNDARIES = [
    (2.05, "2.1", True),            # a tie goes up, though the double 2.05 is 2.0499999999999998...
    (2.05, "2.0", False),
    (2.0499999999999998, "2.1", True),   # the same double, written another way
    (2.0499999999999994, "2.0", True),   # the double below it
    (34.535, "34.54", True),
    (34.545, "34.54", False),
    (34.545, "34.55", True),
    (34.544999999999995, "34.54", True),
    (34.5, "35", True),
    (35.5, "35", False),
    (35.49999999999999, "35", True),
    (-2.05, "-2.0", True),          # ties towards +infinity: `-2.0` takes -2.05 <= x < -1.95
    (-2.05, "-2.1", False),         # `-2.1` takes -2.15 <= x < -2.05, without -2.05
    (-2.0500000000000003, "-2.1", True),   # the double below -2.05
    (-2.05, "2.1", False),          # the sign counts
    (-2.05, "2.0", False),
    (-34.545, "-34.54", True),
    (-34.545, "-34.55", False),
    (-34.5, "-34", True),
    (-34.5, "-35", False),
    (-12818.5, "-12818", True),
    (-12818.5, "-12819", False),
    (-0.004, "0.00", True),
    (-0.004, "-0.00", True),
    (-0.005, "0.00", True),         # rounds to zero, which is unsigned: `-0.00` is the same figure
    (-0.005, "-0.00", True),
    (-0.005, "-0.01", False),
    (-0.0050000000000000001, "-0.01", False),   # the same double as -0.005
    (-0.005000000000000001, "-0.01", True),     # the double below it
    (0.005, "0.01", True),
    (0.0, "0", True),
    (12818.0, "12818", True),       # counts
    (12818.0, "12819", False),
    (12818.5, "12819", True),
    (12818.5, "12818", False),
    (12818.499999999998, "12818", True),
    (1e-05, "0.00", True),          # DuckDB prints 1e-05: read as a number all the same
    (1e-05, "0.00001", True),
    (1.5e-05, "0.00002", True),
    (1e21, "1000000000000000000000", True),   # printed 1e+21
    (1e21, "999999999999999999999", False),
    (1e16, "10000000000000000.0", True),
    (123456789012345.67, "123456789012345.7", True),
]


@pytest.fixture(scope="module")
def macros():
    """The macro file as dbt renders it (plain Jinja: the macros call no dbt function)."""
    return jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module


def sql_agrees(macros, values: list, published: list[str]) -> list:
    rule = macros.rounds_half_up_to("v", "p")
    con = duckdb.connect()
    rows = con.execute(
        f"select i, {rule} from (select unnest(range(len(?::double[]))) as i, unnest(?::double[]) as v, "
        "unnest(?::varchar[]) as p) order by i",
        [values, values, published],
    ).fetchall()
    return [agrees for _i, agrees in rows]


def sql_round(macros, values: list, decimals: list) -> list:
    """round_half_up with the decimals from a column, one per row, as the status rule calls it."""
    rule = macros.round_half_up("v", "d")
    rows = duckdb.connect().execute(
        f"select i, {rule}, typeof({rule}) from (select unnest(range(len(?::double[]))) as i, "
        "unnest(?::double[]) as v, unnest(?::integer[]) as d) order by i",
        [values, values, decimals],
    ).fetchall()
    assert {kind for _i, _r, kind in rows} == {"DECIMAL(38,5)"}
    return [rounded for _i, rounded, _kind in rows]


def decimals_of(published: str) -> int:
    return -Decimal(published).as_tuple().exponent


def python_agrees(value: float, published: str) -> bool:
    decimals = decimals_of(published)
    return round_half_up(value, decimals) == Decimal(published)


@pytest.mark.parametrize("value,published,expected", BOUNDARIES)
def test_python_rounding_at_the_boundary(value, published, expected):
    assert python_agrees(value, published) is expected


def test_sql_rule_at_the_boundaries(macros):
    got = sql_agrees(macros, [v for v, _, _ in BOUNDARIES], [p for _, p, _ in BOUNDARIES])
    assert [(v, p, g) for (v, p, _), g in zip(BOUNDARIES, got)] == BOUNDARIES


def test_sql_rounding_at_the_boundaries(macros):
    """Each value the boundaries say agrees, rounded at its figure's decimals, is that figure (2.05 -> 2.1,
    34.535 -> 34.54, -2.05 -> -2.0, -0.005 -> 0.00: where the double's own rounding gives 2.0, 34.53, -2.1,
    -0.01)."""
    cases = [(v, decimals_of(p), Decimal(p)) for v, p, agrees in BOUNDARIES if agrees]
    got = sql_round(macros, [v for v, _, _ in cases], [d for _, d, _ in cases])
    assert [(v, d, g) for (v, d, _), g in zip(cases, got)] == cases
    assert [(v, d, round_half_up(v, d)) for v, d, _ in cases] == cases


def test_sql_rounding_without_a_number_or_beyond_5_decimals_is_null(macros):
    assert sql_round(macros, [None, math.nan, math.inf, -math.inf, 1e32, 2.05, 2.05, 2.05],
                     [1, 1, 1, 1, 0, None, 6, -1]) == [None] * 8


def test_sql_rule_without_a_number_is_false(macros):
    assert sql_agrees(macros, [None, math.nan, math.inf], ["1", "1", "1"]) == [False, False, False]


@pytest.mark.parametrize("computed,published,expected", [
    ("Completed", "Completed", True),
    ("  completed ", "COMPLETED", True),
    ("Completed", "Complete", False),
    ("Published on time", "Published  on time", False),  # spaces inside count
    (None, "Completed", None),                            # not compared
])
def test_text_figures_agree_but_for_case_and_surrounding_spaces(macros, computed, published, expected):
    sql = f"select {macros.texts_agree('c', 'p')} from (select ?::varchar as c, ?::varchar as p)"
    assert duckdb.connect().execute(sql, [computed, published]).fetchone()[0] is expected


@pytest.mark.parametrize("published,decimals", [("35", 0), ("34.54", 2), (" 2.1 ", 1), ("-0.005", 3)])
def test_published_decimals(macros, published, decimals):
    sql = f"select {macros.published_decimals('p')} from (select ?::varchar as p)"
    assert duckdb.connect().execute(sql, [published]).fetchone()[0] == decimals


def grid(seed: int = 20231231, size: int = 1200) -> list[tuple[float, str]]:
    """(value, published) pairs: decimal ties and their neighbouring doubles, shares as the indicators
    compute them, counts and half counts, 17-digit values from 1e-7 to 1e21, either sign (negative ties
    too, where rounding towards +infinity and away from zero part); each against its own half-up
    rounding, a unit above and a unit below."""
    rng = random.Random(seed)
    values: list[tuple[float, int]] = []
    for _ in range(size):
        d = rng.randint(0, 5)
        sign = rng.choice((1, -1))
        tie = float(f"{sign * (rng.randint(0, 10**6) * 10 + 5)}e-{d + 1}")
        values += [(tie, d), (math.nextafter(tie, math.inf), d), (math.nextafter(tie, -math.inf), d)]
        values.append((100 * rng.randint(0, 5000) / rng.randint(1, 5000), d))
        count = rng.randint(0, 10**6)
        values += [(float(count), 0), (count + 0.5 * sign, 0)]
        exponent = rng.randint(-7, 21)
        values.append((sign * float(f"{rng.randint(10**16, 10**17 - 1)}e{exponent - 16}"), d))
    pairs = []
    for value, d in values:
        rounded = round_half_up(value, d)
        unit = Decimal(1).scaleb(-d)
        pairs += [(value, str(rounded)), (value, str(rounded + unit)), (value, str(rounded - unit))]
    return pairs


def is_tie(value: float, decimals: int) -> bool:
    return (Decimal(repr(value)).scaleb(decimals) % 1).copy_abs() == Decimal("0.5")


def test_sql_and_python_agree_on_a_grid_of_random_values(macros):
    pairs = grid()
    sql = sql_agrees(macros, [v for v, _ in pairs], [p for _, p in pairs])
    python = [python_agrees(v, p) for v, p in pairs]
    disagreeing = [(v, p, s, py) for (v, p), s, py in zip(pairs, sql, python) if s is not py]
    assert disagreeing == []
    assert len(pairs) > 5000 and 0.3 < sum(python) / len(python) < 0.4  # one in three pairs agrees
    assert {decimals_of(p) for v, p in pairs if v < 0 and is_tie(v, decimals_of(p))} == set(range(6))


def test_sql_and_python_round_alike_on_a_grid_of_random_values(macros):
    values = [(v, d) for v, p in grid()[::3] for d in (decimals_of(p), 5 - decimals_of(p))]
    sql = sql_round(macros, [v for v, _ in values], [d for _, d in values])
    assert [(v, d, s) for (v, d), s in zip(values, sql) if s != round_half_up(v, d)] == []
    ties = [(v, d) for v, d in values if is_tie(v, d)]
    assert len(values) > 10000 and len(ties) > 1000  # the decimal ties are there, at each of 0-5 decimals
    assert {d for v, d in ties if v > 0} == {d for v, d in ties if v < 0} == set(range(6))  # either sign


def test_duckdb_prints_a_double_as_python_repr_does(macros):
    """Both sides read the double as its shortest text form: the same digits, or they could round apart."""
    values = [v for v, _ in grid(size=300)] + [1e-05, 1e21, 1e16, 1e15, 5e-324, 0.1]  # (-0.0 prints 0.0: zero)
    con = duckdb.connect()
    printed = con.execute(
        "select list(t order by i) from (select unnest(range(len(?::double[]))) as i, "
        "cast(unnest(?::double[]) as varchar) as t)", [values, values]).fetchone()[0]
    assert [(v, p) for v, p in zip(values, printed) if p != repr(v)] == []
