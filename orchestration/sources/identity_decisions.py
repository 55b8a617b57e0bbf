"""The stewards' identity decisions file (CSV) → raw_identity_decisions.decisions.

One row per pair of identity records a steward has decided on, usually a pair of the review queue
(orchestration/stewardship/README.md):

    record_a,record_b,decision,decided_by,decided_on,reason
    ecampus:5121,solicomm:88310,same,Giulia Rossi,2024-03-04,birth year typo; same employer and course history

- record_a, record_b: the records as the queue shows them (`record_key_l`, `record_key_r`):
  `<map|ecampus|solicomm>:<source record id>`, the id a steward looks the record up by at the source.
  Record keys only: never a learner's name or e-mail. The pair is unordered (stored smallest first).
- decision: `same` (an L4 steward link in identity resolution) or `different` (the pair leaves the
  queue and no L4 link may join it).
- decided_by: the steward, in clear: staff acting in their role, named for the audit trail (not a learner).
- decided_on: the date of the decision (YYYY-MM-DD or DD/MM/YYYY).
- reason: why, in free text. E-mail addresses in it are masked at extraction; it must not name the learner.

The file is the current state of the decisions: to revise one, edit its row. Rows set aside, each with its
line and rule, in raw_identity_decisions.rejects: wrong field count, a missing field, an unparseable date,
a decision other than same/different, a record that is not `<system>:<id>`, a record paired with itself,
contradictory decisions for one pair (every row of the pair is set aside until one is kept), and a
repeated decision for a pair (a later line wins). Unconfigured (no section in the sources file) or a file
of just the header: no decisions, the figures of the rules alone.
"""
import re

import pandas as pd

from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import (
    ParsedTable, Reject, SourceFile, file_source, mask_emails, parse_records, read_delimited,
)

SYSTEM = "identity_decisions"
SECTION_KEYS = ("file",)
DECISIONS = ("same", "different")
RECORD_KEY = re.compile(r"^(map|ecampus|solicomm):[^\s|:]+$")

CONTRACTS = [TableContract(
    "decisions",
    (Column("record_a", required=True), Column("record_b", required=True), Column("decision", required=True),
     Column("decided_by", required=True), Column("decided_on", "date", required=True),
     Column("reason", required=True), Column("line_number", "int", derived=True)),
    key=("record_a", "record_b"),
    watermark="max(decided_on)",
    description="Stewards' decisions on pairs of identity records (same/different), one row per pair",
)]


def files(sources) -> list[SourceFile]:
    return [SourceFile(sources.file(SYSTEM, "file"), "identity decisions file")]


def _row_rule(record_a: str, record_b: str, decision: str) -> str | None:
    if decision not in DECISIONS:
        return f"decision {decision!r} not one of {', '.join(DECISIONS)}"
    for column, value in (("record_a", record_a), ("record_b", record_b)):
        if not RECORD_KEY.match(value):
            return f"{column} {value!r} is not <map|ecampus|solicomm>:<source record id>"
    if record_a == record_b:
        return "a record paired with itself"
    return None


def parse(item: SourceFile, data: bytes) -> dict[str, ParsedTable]:
    table = read_delimited(item.path, ",", data=data)
    contract = CONTRACTS[0]
    frame, rejects = parse_records(str(item.path), table, [c for c in contract.columns if not c.derived])
    raw = {r.line: mask_emails(r.raw) for r in table.records}
    frame["decision"] = frame["decision"].str.lower()
    pairs = [sorted((a, b)) for a, b in zip(frame["record_a"], frame["record_b"])]
    frame["record_a"] = [p[0] for p in pairs]
    frame["record_b"] = [p[1] for p in pairs]
    rules = pd.Series([_row_rule(a, b, d) for a, b, d in zip(frame["record_a"], frame["record_b"], frame["decision"])],
                      index=frame.index, dtype="object")
    valid = frame.loc[rules.isna()]
    for (a, b), rows in valid.groupby(["record_a", "record_b"]):
        if rows["decision"].nunique() > 1:
            lines = ", ".join(f"{line} ({d})" for line, d in zip(rows["_line"], rows["decision"]))
            rules[rows.index] = f"contradictory decisions for {a}|{b}: lines {lines}; keep one"
        elif len(rows) > 1:
            rules[rows.index[:-1]] = f"repeated decision for {a}|{b} (line {rows['_line'].iloc[-1]} wins)"
    bad = rules.notna()
    rejects += [Reject(int(line), rule, raw[int(line)]) for line, rule in zip(frame.loc[bad, "_line"], rules[bad])]
    frame = frame.loc[~bad].rename(columns={"_line": "line_number"}).reset_index(drop=True)
    frame["reason"] = frame["reason"].map(mask_emails)
    return {"decisions": ParsedTable(frame, sorted(rejects, key=lambda r: r.line), len(table.records))}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="identity_decisions")]
identity_decisions = assets[0]
