"""Period sign-off: `python -m orchestration.close PERIOD --by NAME --note TEXT` signs a period off,
`python -m orchestration.close --reopen PERIOD --by NAME --reason TEXT` reopens it; both are events of the
register (orchestration/signoff.py). The `close_period` job does the same with the same config.

After either, the Annex 1 report is rewritten at once (it prints a signed-off period's signed figures from
the register); annex1_indicators.is_signed_off and annex1_restatements follow at the next refresh (the
register's change makes it rebuild, orchestration/changes.py).

`signoff_register` is the refresh's asset that loads the open sign-offs into the build database's `signoff`
schema (dbt's source `signoff`), before dbt builds from it.

Exit status: 0 done (or, with --unless-closed, already signed off); 2 refused (the message says why); 75
another run holds the warehouse (--wait waits for it).
"""

import argparse
import sys
import uuid
from pathlib import Path

from dagster import AssetSpec, Config, MaterializeResult, OpExecutionContext, in_process_executor, job, multi_asset, op

from orchestration import signoff
from orchestration.concurrency import BUILD_DB_POOL, EXIT_BUSY, WRITER_TAGS, WarehouseBusy, WriterLock
from orchestration.resources import WarehouseResource

SIGNOFF_TABLES = ["closes", *signoff.PARTS]
EXIT_REFUSED = 2


@multi_asset(
    specs=[AssetSpec(["signoff", table], group_name="signoff",
                     description=f"signoff.{table}: the open sign-offs' {table} (orchestration/signoff.py)")
           for table in SIGNOFF_TABLES],
    pool=BUILD_DB_POOL,
    compute_kind="duckdb",
)
def signoff_register(context, warehouse: WarehouseResource):
    """The open sign-offs of WAREHOUSE_DIR/signoff/ into build.duckdb's `signoff` schema (verified first: a
    tampered or truncated register fails the run, naming the line or file)."""
    with warehouse.build_connection() as con:
        rows = signoff.load_into(con, warehouse.folder)
    context.log.info("signed-off register loaded: " + ", ".join(f"{t} {n}" for t, n in rows.items()))
    for table in SIGNOFF_TABLES:
        yield MaterializeResult(asset_key=["signoff", table], metadata={"rows": rows[table]})


def run(period: str, by: str, text: str, reopen: bool = False, folder: Path | None = None) -> dict:
    """Close (or reopen) a period and rewrite the reports; the event recorded. SignoffError when refused."""
    event = (signoff.reopen if reopen else signoff.close)(period, by, text, folder)
    rewrite_reports(folder)
    return event


def rewrite_reports(folder: Path | None) -> None:
    from orchestration.reports.write import REPORTS_DIR_NAME, write_reports
    from orchestration.settings import MARTS_DB_NAME, warehouse_dir

    folder = folder or warehouse_dir()
    if (folder / MARTS_DB_NAME).exists():
        write_reports(folder / MARTS_DB_NAME, folder / REPORTS_DIR_NAME)


def describe(event: dict) -> str:
    if event["event"] == "close":
        return (f"signed off {event['period']} ({', '.join(event['periods'])}): {event['rows']['figures']} "
                f"figures of run {event['run_id']}, by {event['by']} at {event['at']} (close #{event['seq']})")
    return f"reopened {event['period']} by {event['by']} at {event['at']}: {event['reason']} (event #{event['seq']})"


class ClosePeriodConfig(Config):
    period: str
    by: str
    note: str = ""
    reopen: bool = False
    reason: str = ""


@op(description="Sign off (or reopen) a period in the register; rewrite the Annex 1 report.")
def close_period_op(context: OpExecutionContext, config: ClosePeriodConfig, warehouse: WarehouseResource) -> None:
    # The warehouse resource holds the writer lock for the run: no refresh interleaves.
    event = run(config.period, config.by, config.reason if config.reopen else config.note, config.reopen,
                warehouse.folder)
    context.log.info(describe(event))


@job(name="close_period", tags=WRITER_TAGS, executor_def=in_process_executor,
     description="Sign off a period's published figures (config: period, by, note), or reopen it "
                 "(reopen: true, reason).")
def close_period_job():
    close_period_op()


assets = [signoff_register]
jobs = [close_period_job]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.close", description=__doc__.split("\n")[0])
    parser.add_argument("period", nargs="?", help="a biennium (2022-23, with its two years) or a year (2023)")
    parser.add_argument("--reopen", metavar="PERIOD", help="reopen this closed period instead (needs --reason)")
    parser.add_argument("--by", required=True, help="who signs off (or reopens)")
    parser.add_argument("--note", default="", help="the sign-off's note")
    parser.add_argument("--reason", default="", help="why the period is reopened")
    parser.add_argument("--unless-closed", action="store_true",
                        help="a period already signed off is left as it is, with status 0 (the demo's sign-off)")
    parser.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse")
    args = parser.parse_args(argv)
    if bool(args.period) == bool(args.reopen):
        parser.error("give either a PERIOD to sign off or --reopen PERIOD")
    from orchestration.settings import warehouse_dir

    try:
        with WriterLock(warehouse_dir(), str(uuid.uuid4()), "python -m orchestration.close").acquire(args.wait, print):
            if args.period and args.unless_closed:
                frozen = signoff.signed_off_periods(signoff.read_events())
                already = frozen.get(signoff.Period.parse(args.period).name)
                if already is not None:
                    print(f"{args.period} is already signed off (close #{already['seq']} by {already['by']} at "
                          f"{already['at']}): left as it is")
                    return
            event = run(args.reopen or args.period, args.by, args.reason if args.reopen else args.note,
                        reopen=bool(args.reopen))
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        sys.exit(EXIT_BUSY)
    except signoff.SignoffError as refused:
        print(f"refused: {refused}", file=sys.stderr)
        sys.exit(EXIT_REFUSED)
    print(describe(event))


if __name__ == "__main__":
    main()
