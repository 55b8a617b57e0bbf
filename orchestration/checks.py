"""Great Expectations suites (expectations/<suite>.json) as blocking Dagster asset checks.

GX holds only the deduplication and identity invariants; structural rules (keys, accepted values, ranges,
relationships) are dbt tests, so no rule is checked twice. A suite names the table it guards (the check's
asset) and what it reads: `columns` of that table, or, for an invariant spanning tables, a `query` over
the real tables. Either way only those columns are read (never `select *`). Adding a suite file adds a
check, no code change. A failing suite blocks everything downstream of its table, publication included,
and reports each failed expectation with a sample of offending values and the keys of their rows.

The suites run on pandas over the projected frame: the build database is opened through
`warehouse.build_connection` (its lock wait and memory limit), which GX's SQL datasource, opening its own
SQLAlchemy engine from a URL, would bypass.

On a night when nothing changed since the last publication (orchestration/changes.py) a suite reads nothing:
the table is the build it passed on before that publication.
"""
import json
import os
import re
from pathlib import Path
from typing import Any

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check
from dagster._core.errors import DagsterInvalidPropertyError

from orchestration.changes import NOTHING_CHANGED_KEY, unchanged_tonight
from orchestration.concurrency import BUILD_DB_POOL
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import build_connection

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SAMPLE_SIZE = 10
_STAR = re.compile(r"(select|,)\s*(\w+\.)?\*", re.IGNORECASE)


def run_id_of(context: AssetCheckExecutionContext) -> str | None:
    """The run's id; None when the check is invoked directly (the suites' own tests): no run, no decision."""
    try:
        return context.run.run_id
    except DagsterInvalidPropertyError:
        return None


def suite_files() -> list[Path]:
    return sorted(EXPECTATIONS_DIR.glob("*.json"))


def load_suite(path: Path) -> dict[str, Any]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    if ("columns" in spec) == ("query" in spec):
        raise ValueError(f"{path.name}: give either `columns` of {spec['table']} or a `query`")
    if "query" in spec and _STAR.search(spec["query"]):
        raise ValueError(f"{path.name}: the query must name the columns it reads, not `*`")
    return spec


def projected_query(spec: dict[str, Any]) -> str:
    """The SQL a suite reads: its query, or its columns of the guarded table."""
    if "query" in spec:
        return spec["query"]
    schema, table = spec["table"].split(".", 1)
    columns = ", ".join(f'"{column}"' for column in spec["columns"])
    return f'select {columns} from "{schema}"."{table}"'


def guarded_asset_keys() -> list[AssetKey]:
    """The tables a suite guards. Publication depends on all of them, so that any failing blocking check,
    even on an intermediate table nothing else reads, stops publication."""
    keys = {AssetKey(load_suite(path)["table"].split(".", 1)) for path in suite_files()}
    return sorted(keys, key=lambda key: key.to_user_string())


def validate_table(suite_spec: dict[str, Any], frame) -> tuple[bool, list[dict[str, Any]]]:
    """Run one suite over a DataFrame; return (success, failures with samples)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.expectations.registry import get_expectation_impl

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite_spec["name"])
        .add_batch_definition_whole_dataframe("whole_table")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    expectations = [get_expectation_impl(e["type"])(**e["kwargs"]) for e in suite_spec["expectations"]]
    suite = gx.ExpectationSuite(name=suite_spec["name"], expectations=expectations)
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    row_key = suite_spec.get("meta", {}).get("row_key")
    if row_key:  # name the offending rows by their keys, not only their values
        result_format["unexpected_index_column_names"] = row_key
    result = batch.validate(suite, result_format=result_format)
    failures = [
        {
            "expectation": r.expectation_config.type,
            "kwargs": {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"},
            "unexpected_count": r.result.get("unexpected_count"),
            "sample": r.result.get("partial_unexpected_list", [])[:SAMPLE_SIZE],
            "sample_keys": _keys_only(r.result.get("partial_unexpected_index_list") or [], row_key)[:SAMPLE_SIZE],
            "exception": (r.exception_info or {}).get("exception_message"),
        }
        for r in result.results
        if not r.success
    ]
    return result.success, failures


def _keys_only(index_rows: list, row_key: list[str] | None) -> list:
    """GX's unexpected index rows hold the key columns and the offending value: keep the keys."""
    if not row_key:
        return []
    return [
        {k: row[k] for k in row_key if k in row} if isinstance(row, dict) else row for row in index_rows
    ]


def describe_failures(suite_name: str, failures: list[dict[str, Any]]) -> str:
    lines = [f"Great Expectations suite {suite_name} failed:"]
    for f in failures:
        kwargs = f["kwargs"]
        column = kwargs.get("column") or kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
        keys = f" at {f['sample_keys']}" if f.get("sample_keys") else ""
        lines.append(
            f"- {f['expectation']} on {column}: {f['unexpected_count']} unexpected, e.g. {f['sample']}{keys}"
            + (f" ({f['exception']})" if f["exception"] else "")
        )
    return "\n".join(lines)


def make_suite_check(suite_path: Path):
    spec = load_suite(suite_path)
    schema, table = spec["table"].split(".", 1)

    @asset_check(
        asset=AssetKey([schema, table]),
        name=f"gx_{spec['name']}",
        blocking=True,
        pool=BUILD_DB_POOL,  # reads the build file, which a writer in another run would lock
        description=f"Great Expectations suite {suite_path.name}: {spec.get('meta', {}).get('guards', '')}",
    )
    def gx_suite_check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        since = unchanged_tonight(run_id_of(context))
        if since is not None:
            # The table is the very build this suite passed on before it was published (a publication needs
            # every blocking check passed): not re-validated.
            return AssetCheckResult(
                passed=True, severity=AssetCheckSeverity.ERROR,
                description=f"not re-validated: nothing changed since {since}, whose build it passed",
                metadata={NOTHING_CHANGED_KEY: str(since), "revalidated": False},
            )
        with build_connection(read_only=True) as con:
            frame = con.execute(projected_query(spec)).df()
        success, failures = validate_table(spec, frame)
        if not success:
            context.log.error(describe_failures(spec["name"], failures))
        return AssetCheckResult(
            passed=success,
            severity=AssetCheckSeverity.ERROR,
            description=None if success else describe_failures(spec["name"], failures),
            metadata={
                "rows_validated": len(frame),
                "columns_read": list(frame.columns),
                "expectations": len(spec["expectations"]),
                "failed_expectations": failures,
            },
        )

    return gx_suite_check


checks = [make_suite_check(path) for path in suite_files()]
