"""The probable-duplicate review queue: pairs of records the exact rules (L1-L3) left in different persons
that a Fellegi-Sunter model (Splink 5, DuckDB backend) scores as probably one person.

    python -m orchestration.stewardship.queue            # score with the saved model, write the queue
    python -m orchestration.stewardship.queue --train    # re-estimate the model first (a new version file)

Reads WAREHOUSE_DIR/build.duckdb read-only, only for the few seconds it takes to copy the identity
records, their persons and counted enrolments into a private in-memory database; everything else runs
on that copy, so the nightly refresh is never held by the queue. Writes
WAREHOUSE_DIR/stewardship/review_queue.duckdb (tables identity_review_queue and, copied from the build,
identity_decisions_unresolved: the decisions the last refresh could not apply) through a temporary file
and an atomic replace. Never writes build.duckdb or marts.duckdb.

Blocking (which pairs are scored): records sharing a blocking key, one of: a pair of name tokens, a pair
of phonetic codes, one name token with the same birth year, one rare name token, the e-mail local part.
A key held by more than BLOCK_CAP records (a common name) is dropped: term-frequency-aware blocking, so
the scored pairs grow with the records, not with the square of the commonest name. Pairs already in one
person are never scored. A pair a steward has decided (the identity decisions file, `same` or
`different`) is no longer the queue's work: it is left out of the queue.

The model file (model/identity_review_v<N>.json) is Splink's JSON settings with the estimated
parameters: u by random sampling, m by EM on two blockings (same e-mail; same name),
the prior from the resolved persons, the u of e-mail, country and gender among same-name pairs of
different persons. The optional feature columns (phonetic_token_keys,
email_local_key, birth_decade_key) give their comparison levels only when the training data had them.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.settings import build_db_path, warehouse_dir

log = logging.getLogger(__name__)

THRESHOLD_ENV = "WAREHOUSE_REVIEW_THRESHOLD"
DEFAULT_THRESHOLD = 0.9
MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_NAME = re.compile(r"^identity_review_v(\d+)\.json$")
QUEUE_TABLE = "identity_review_queue"
UNRESOLVED_TABLE = "identity_decisions_unresolved"
DECISIONS_COLUMNS = "record_key_a varchar, record_key_b varchar, decision varchar"
UNRESOLVED_COLUMNS = ("pair_key varchar, record_key_a varchar, record_key_b varchar, decision varchar, "
                      "decided_by varchar, decided_on date, decision_reason varchar, line_number bigint, "
                      "status varchar, explanation varchar")

# Blocking: a key shared by more records than this is too common to block on (its pairs would dominate).
BLOCK_CAP = 100
# A name token held by at most this share of the records is "rare" (a comparison level of its own).
RARE_TOKEN_SHARE = 1e-4
# The exact rules (L1-L3) find most, not all, of the true pairs: the prior is their pairs over this recall.
RULES_RECALL = 0.9
U_SAMPLE_PAIRS = 5e6
EM_MAX_PAIRS = 2e6
SEED = 20231231

OPTIONAL_FEATURES = {  # column -> DuckDB type, NULL when the extracts do not provide it yet
    "phonetic_token_keys": "varchar[]",
    "email_local_key": "varchar",
    "birth_decade_key": "varchar",
}
RECORD_COLUMNS = [
    "record_key", "source_system", "source_record_id", "email_key", "email_domain", "name_key",
    "name_token_keys", "birth_year_key", "country_alpha2", "gender",
]


def threshold() -> float:
    value = float(os.environ.get(THRESHOLD_ENV) or DEFAULT_THRESHOLD)
    if not 0 < value <= 1:
        raise ValueError(f"{THRESHOLD_ENV}={value}: a match probability in (0, 1]")
    return value


def queue_db_path() -> Path:
    return warehouse_dir() / "stewardship" / "review_queue.duckdb"


def model_paths(model_dir: Path | None = None) -> list[tuple[int, Path]]:
    model_dir = model_dir or MODEL_DIR
    found = [(int(m.group(1)), p) for p in model_dir.glob("*.json") if (m := MODEL_NAME.match(p.name))]
    return sorted(found)


def latest_model(model_dir: Path | None = None) -> tuple[int, Path]:
    model_dir = model_dir or MODEL_DIR
    models = model_paths(model_dir)
    if not models:
        raise FileNotFoundError(f"no identity_review_v<N>.json in {model_dir}: run with --train first")
    return models[-1]


# --- the snapshot of the build -------------------------------------------------------------------


def snapshot(build_db: Path) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """Copy records (with person and blocking keys), counted enrolments into a private in-memory DuckDB.

    Returns the connection and the optional feature columns the build provides.
    """
    con = duckdb.connect(":memory:")
    con.execute("set enable_progress_bar = false").fetchall()
    con.execute("attach ? as build (read_only)", [str(build_db)]).fetchall()
    try:
        present = {
            name for (name,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'build' "
                "and table_schema = 'intermediate' and table_name = 'int_identity_records'"
            ).fetchall()
        }
        provided = [c for c in OPTIONAL_FEATURES if c in present]
        optional = ["r." + c if c in present else f"null::{t} as {c}" for c, t in OPTIONAL_FEATURES.items()]
        con.execute(f"""
            create table records as
            select {', '.join('r.' + c for c in RECORD_COLUMNS)}, {', '.join(optional)}, p.person_key
            from build.intermediate.int_identity_records as r
            inner join build.intermediate.int_persons_resolved as p using (record_key)
        """).fetchall()
        con.execute("""
            create table counted_enrolments as
            select person_key, count(*) as counted_enrolments
            from build.marts.fct_enrolments where is_counted group by person_key
        """).fetchall()
        _copy_decisions(con)
    finally:
        con.execute("detach build").fetchall()  # the build file is free again before any scoring starts
    _add_blocking_columns(con)
    return con, provided


def _copy_decisions(con: duckdb.DuckDBPyConnection) -> None:
    """The stewards' decided pairs (any decision: none is the queue's work any more) and the decisions the
    build could not apply. A build from before the decisions source has neither: empty tables."""
    tables = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'build'").fetchall()}
    con.execute(f"create table decided_pairs ({DECISIONS_COLUMNS})").fetchall()
    con.execute(f"create table {UNRESOLVED_TABLE} ({UNRESOLVED_COLUMNS})").fetchall()
    if "stg_identity_decisions__decisions" in tables:
        con.execute("insert into decided_pairs select record_key_a, record_key_b, decision "
                    "from build.staging.stg_identity_decisions__decisions").fetchall()
    if UNRESOLVED_TABLE in tables:
        con.execute(f"insert into {UNRESOLVED_TABLE} by name "
                    f"select * from build.intermediate.{UNRESOLVED_TABLE}").fetchall()


def _add_blocking_columns(con: duckdb.DuckDBPyConnection) -> None:
    """rare_token_keys and blocking_keys (capped: term-frequency-aware blocking) for every record."""
    (n,) = con.execute("select count(*) from records").fetchall()[0]
    rare_max = max(2, math.floor(n * RARE_TOKEN_SHARE))

    def pairs(prefix: str, column: str) -> str:  # every pair of distinct sorted keys, as one key each
        return (f"flatten(list_transform(range(1, len({column})), lambda i: list_transform("
                f"range(i + 1, len({column}) + 1), lambda j: '{prefix}' || {column}[i] || {column}[j])))")

    con.execute(f"""
        create temp table record_blocking_keys as
        with tokens as (
            select record_key, birth_year_key, email_local_key,
                   list_sort(list_distinct(name_token_keys)) as t,
                   list_sort(list_distinct(phonetic_token_keys)) as p
            from records
        ),
        keyed as (
            select record_key, unnest(list_concat(
                {pairs('tp:', 't')},
                {pairs('pp:', 'p')},
                list_transform(t, lambda x: 'rt:' || x),
                case when birth_year_key is not null then list_transform(t, lambda x: 'ty:' || x || birth_year_key) end,
                case when email_local_key is not null then ['el:' || email_local_key] end
            )) as key
            from tokens
        ),
        counted as (select record_key, key, count(*) over (partition by key) as holders from keyed)
        select record_key,
               list(key) filter (where holders between 2 and (case when key like 'rt:%' then {rare_max} else {BLOCK_CAP} end)) as blocking_keys,
               list(substr(key, 4)) filter (where key like 'rt:%' and holders <= {rare_max}) as rare_token_keys
        from counted group by record_key
    """).fetchall()
    con.execute("""
        create or replace table records as
        select r.*, coalesce(b.blocking_keys, []) as blocking_keys, b.rare_token_keys
        from records as r left join record_blocking_keys as b using (record_key)
    """).fetchall()


# --- the model -----------------------------------------------------------------------------------


def model_settings(features: list[str], prior: float):
    """Splink settings: blocking, comparisons (levels of the optional features only when present)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    def common(column: str, at_least: int) -> str:
        return f'len(list_intersect("{column}_l", "{column}_r")) >= {at_least}'

    phonetic = "phonetic_token_keys" in features
    name_levels = [
        cll.NullLevel("name_token_keys"),
        cll.ExactMatchLevel("name_key", term_frequency_adjustments=True).configure(label_for_charts="same name"),
        cll.CustomLevel(common("name_token_keys", 2), "2+ common name tokens"),
    ]
    if phonetic:
        name_levels += [
            cll.CustomLevel(f'{common("name_token_keys", 1)} and {common("phonetic_token_keys", 2)}',
                            "1 common token, another spelt alike"),
            cll.CustomLevel(common("phonetic_token_keys", 2), "2+ common phonetic codes"),
        ]
    name_levels += [
        cll.CustomLevel(common("rare_token_keys", 1), "1 common rare name token"),
        cll.CustomLevel(common("name_token_keys", 1), "1 common name token"),
    ]
    if phonetic:
        name_levels.append(cll.CustomLevel(common("phonetic_token_keys", 1), "1 common phonetic code"))
    name_levels.append(cll.ElseLevel())

    birth_levels = [
        cll.NullLevel("birth_year_key"),
        cll.ExactMatchLevel("birth_year_key", term_frequency_adjustments=True).configure(label_for_charts="same birth year"),
    ]
    if "birth_decade_key" in features:
        birth_levels.append(cll.ExactMatchLevel("birth_decade_key").configure(label_for_charts="same birth decade"))
    birth_levels.append(cll.ElseLevel())

    email_levels = [
        cll.NullLevel("email_key"),
        cll.ExactMatchLevel("email_key").configure(label_for_charts="same e-mail"),
    ]
    if "email_local_key" in features:
        # no TF: its u is conditioned on the name instead (see _condition_u_on_the_name)
        email_levels.append(cll.ExactMatchLevel("email_local_key").configure(label_for_charts="same e-mail local part"))
    email_levels += [
        cll.ExactMatchLevel("email_domain", term_frequency_adjustments=True).configure(label_for_charts="same e-mail domain"),
        cll.ElseLevel(),
    ]

    def exact(column: str, label: str, tf: bool):
        return cl.CustomComparison(
            [cll.NullLevel(column), cll.ExactMatchLevel(column, term_frequency_adjustments=tf).configure(label_for_charts=label),
             cll.ElseLevel()],
            output_column_name=column.removesuffix("_alpha2"),
        )

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=[
            CustomRule("l.blocking_keys = r.blocking_keys and l.person_key <> r.person_key",
                       arrays_to_explode=["blocking_keys"]),
        ],
        comparisons=[
            cl.CustomComparison(name_levels, output_column_name="name"),
            cl.CustomComparison(birth_levels, output_column_name="birth_year"),
            cl.CustomComparison(email_levels, output_column_name="email"),
            exact("country_alpha2", "same country", tf=False),  # u conditioned on the name instead
            exact("gender", "same gender", tf=False),
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["person_key", "source_system", "source_record_id"],
    )


def _prior(con: duckdb.DuckDBPyConnection) -> float:
    """P(two random records are one person): the resolved persons' pairs over the rules' recall."""
    (within, n) = con.execute(
        "select sum(k * (k - 1) / 2), sum(k) from (select count(*) as k from records group by person_key)"
    ).fetchall()[0]
    return min(0.5, float(within) / RULES_RECALL / (n * (n - 1) / 2))


def train(con: duckdb.DuckDBPyConnection, features: list[str], model_dir: Path | None = None) -> Path:
    """Estimate a new model on the snapshot and save it as the next version; returns its path."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("records"), model_settings(features, _prior(con)), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    # Each EM session estimates the m of every comparison outside its blocking rule: records sharing an
    # e-mail are mostly one person (name, birth year, country, gender learnt there), so are records
    # sharing a whole name (e-mail learnt there). A looser blocking (birth year + country) lets EM's
    # "match" class drift to gender/e-mail domain coincidences instead of persons.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email_key"), max_pairs=EM_MAX_PAIRS)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key"), max_pairs=EM_MAX_PAIRS)
    model_dir = model_dir or MODEL_DIR
    versions = model_paths(model_dir)
    version = versions[-1][0] + 1 if versions else 1
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"identity_review_v{version}.json"
    settings = linker.misc.save_model_to_json()
    settings["linker_uid"] = f"identity_review_v{version}"
    _condition_u_on_the_name(con, settings)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    log.info("trained %s", path)
    return path


CONDITIONED_ON_THE_NAME = ("email", "country", "gender")


def _condition_u_on_the_name(con: duckdb.DuckDBPyConnection, settings: dict) -> None:
    """E-mail local parts are made of the name (maria.garcia@...), countries and genders follow names: among
    records that already share a name they agree far more often than among random pairs, and the
    model's independence assumption would count the name twice or thrice. The u of these comparisons'
    levels is therefore their share among pairs of different persons sharing a whole name (non-matches
    that already agree on the name), each level's own SQL condition evaluated on those pairs."""
    comparisons = [c for c in settings["comparisons"] if c["output_column_name"] in CONDITIONED_ON_THE_NAME]
    columns = ["email_key", "email_local_key", "email_domain", "country_alpha2", "gender"]
    sides = ", ".join(f'a.{c} as "{c}_l", b.{c} as "{c}_r"' for c in columns)
    con.execute(f"""
        create or replace temp table same_name_pairs as
        select {sides} from records as a inner join records as b
            on a.name_key = b.name_key and a.record_key < b.record_key and a.person_key <> b.person_key
    """).fetchall()
    for comparison in comparisons:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        null_sql = next(lvl["sql_condition"] for lvl in comparison["comparison_levels"] if lvl.get("is_null_level"))
        case = " ".join(  # Splink writes the else level's condition as ELSE
            f"else {i}" if lvl["sql_condition"].strip().upper() == "ELSE" else f"when {lvl['sql_condition']} then {i}"
            for i, lvl in enumerate(levels)
        )
        counts = dict(con.execute(
            f"select case {case} end as level, count(*) from same_name_pairs where not ({null_sql}) group by level"
        ).fetchall())
        total = sum(counts.values())
        if total < 100:
            continue  # too few such pairs: keep the random-sampling u
        for i, level in enumerate(levels):  # add-one smoothing: a level unseen among them (same e-mail) keeps a u
            level["u_probability"] = (counts.get(i, 0) + 1) / (total + len(levels))


def _evidence_sql(settings: dict) -> str:
    """A list of 'comparison: level (+weight)' for every comparison whose level is neither null nor else.

    Splink numbers a comparison's non-null levels from the top (highest gamma) down to 0 (the else level);
    mw_<name> and mw_tf_adj_<name> are the level's match weight and its term-frequency adjustment.
    """
    parts = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        cases = " ".join(
            f"when {gamma} then '{name}: {level['label_for_charts']}'"
            for gamma, level in zip(range(len(levels) - 1, 0, -1), levels)
        )
        has_tf = any(lvl.get("tf_adjustment_column") for lvl in levels)
        weight = f"round(mw_{name}{f' + coalesce(mw_tf_adj_{name}, 0)' if has_tf else ''}, 1)"
        parts.append(f"case gamma_{name} {cases} end || ' (' || printf('%+.1f', {weight}) || ')'")
    return "list_filter([" + ", ".join(parts) + "], lambda e: e is not null)"


@dataclass(frozen=True)
class QueueResult:
    path: Path
    size: int
    threshold: float
    model: Path
    scored_pairs: int
    records: int
    seconds: float


def score(con: duckdb.DuckDBPyConnection, features: list[str], model: Path, min_probability: float) -> pa.Table:
    """The queue as an Arrow table: pairs in different persons at or above min_probability."""
    from splink import DuckDBAPI, Linker

    settings = json.loads(model.read_text(encoding="utf-8"))
    unused = [c for c in features if c not in model.read_text(encoding="utf-8")]
    if unused:
        log.warning("the build has %s but model %s does not use them: run --train", unused, model.name)
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("records"), settings, log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_probability=min_probability, warning_mode="never")
    version = model.stem
    return con.sql(f"""
        select
            p.record_key_l || '|' || p.record_key_r as pair_key,
            p.match_probability,
            p.match_weight,
            {_evidence_sql(settings)} as evidence,
            p.record_key_l, p.source_system_l, p.source_record_id_l, p.person_key_l,
            coalesce(el.counted_enrolments, 0) as counted_enrolments_l,
            p.record_key_r, p.source_system_r, p.source_record_id_r, p.person_key_r,
            coalesce(er.counted_enrolments, 0) as counted_enrolments_r,
            '{version}' as model_version
        from {predictions.physical_name} as p
        left join counted_enrolments as el on el.person_key = p.person_key_l
        left join counted_enrolments as er on er.person_key = p.person_key_r
        where p.person_key_l <> p.person_key_r and p.match_probability >= ?
          and not exists (select 1 from decided_pairs as d
                          where d.record_key_a = least(p.record_key_l, p.record_key_r)
                            and d.record_key_b = greatest(p.record_key_l, p.record_key_r))
        order by p.match_probability desc, pair_key
    """, params=[min_probability]).to_arrow_table()


def write_queue(queue: pa.Table, path: Path, unresolved: pa.Table | None = None) -> None:
    """Write the queue (and the unresolved decisions) into its own DuckDB file: a temporary file, then an
    atomic replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as out:
            out.register("queue", queue)
            out.execute(f"create table {QUEUE_TABLE} as select *, now()::timestamp as scored_at from queue")
            if unresolved is not None:
                out.register("unresolved", unresolved)
                out.execute(f"create table {UNRESOLVED_TABLE} as select * from unresolved")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def build_queue(train_first: bool = False, model_dir: Path | None = None) -> QueueResult:
    """Snapshot the build, optionally train a new model, score, write the queue file (model_dir: MODEL_DIR)."""
    started = time.monotonic()
    build = build_db_path()
    if not build.exists():
        raise FileNotFoundError(f"{build} does not exist: run the refresh first")
    con, features = snapshot(build)
    try:
        model = train(con, features, model_dir) if train_first else latest_model(model_dir)[1]
        min_probability = threshold()
        queue = score(con, features, model, min_probability)
        (records,) = con.execute("select count(*) from records").fetchall()[0]
        scored = _scored_pairs(con)
        unresolved = con.table(UNRESOLVED_TABLE).to_arrow_table()
    finally:
        con.close()
    path = queue_db_path()
    write_queue(queue, path, unresolved)
    return QueueResult(path, queue.num_rows, min_probability, model, scored, records, time.monotonic() - started)


def _scored_pairs(con: duckdb.DuckDBPyConnection) -> int:
    """How many pairs the blocking produced (an upper bound: a pair sharing several keys counts once each)."""
    (pairs,) = con.execute("""
        select coalesce(sum(n * (n - 1) / 2), 0)::bigint from (
            select count(*) as n from (select unnest(blocking_keys) as k from records) group by k)
    """).fetchall()[0]
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", action="store_true", help="re-estimate the model (a new version file) first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = build_queue(train_first=args.train)
    print(f"{result.size} pairs at match probability >= {result.threshold} in {result.path} "
          f"(model {result.model.name}; {result.records} records, <= {result.scored_pairs} blocked pairs; "
          f"{result.seconds:.1f} s)")


if __name__ == "__main__":
    main()
