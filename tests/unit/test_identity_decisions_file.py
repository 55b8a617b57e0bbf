"""The stewards' identity decisions file: rows set aside with their line and rule, pairs stored in order."""
from pathlib import Path

from orchestration.extract.files import SourceFile
from orchestration.sources import identity_decisions

HEADER = "record_a,record_b,decision,decided_by,decided_on,reason\n"


def parse(text: str):
    item = SourceFile(Path("/deployment/identity_decisions.csv"), "identity decisions file")
    return identity_decisions.parse(item, (HEADER + text).encode())["decisions"]


def test_good_rows_load_with_the_pair_in_order_and_emails_masked():
    parsed = parse("solicomm:88,ecampus:5121,Same,Giulia Rossi,2024-03-04,wrote from maria@example.org\n"
                   "map:7,ecampus:70,different,Giulia Rossi,05/03/2024,two homonyms\n")
    assert parsed.rejects == []
    rows = parsed.rows.to_dict("records")
    assert [(r["record_a"], r["record_b"], r["decision"], r["line_number"]) for r in rows] == [
        ("ecampus:5121", "solicomm:88", "same", 2), ("ecampus:70", "map:7", "different", 3)]
    assert rows[0]["reason"] == "wrote from <email>" and str(rows[1]["decided_on"].date()) == "2024-03-05"


def test_bad_rows_are_set_aside_with_their_line_and_rule():
    parsed = parse(
        "ecampus:1,map:1,maybe,G. Rossi,2024-03-04,unsure\n"                 # 2 unknown decision
        "Maria Garcia,map:2,same,G. Rossi,2024-03-04,named\n"                # 3 a name, not a record key
        "ecampus:3,map:3,same,,2024-03-04,no steward\n"                      # 4 missing decided_by
        "ecampus:4,map:4,same,G. Rossi,yesterday,bad date\n"                 # 5 unparseable date
        "ecampus:5,ecampus:5,same,G. Rossi,2024-03-04,itself\n"              # 6 a record with itself
        "ecampus:6,map:6,same,G. Rossi,2024-03-04,first\n"                   # 7 contradictory with 8
        "map:6,ecampus:6,different,A. Bianchi,2024-03-05,second\n"           # 8
        "ecampus:7,map:7,same,G. Rossi,2024-03-04,once\n"                    # 9 repeated: line 10 wins
        "ecampus:7,map:7,same,G. Rossi,2024-03-06,again\n"                   # 10 kept
        "ecampus:8,map:8,same,G. Rossi\n"                                    # 11 field count
        "ecampus:9,map:9,same,G. Rossi,2024-03-04,\n")                       # 12 missing reason
    rules = {r.line: r.rule for r in parsed.rejects}
    assert rules == {
        2: "decision 'maybe' not one of same, different",
        3: "record_a 'Maria Garcia' is not <map|ecampus|solicomm>:<source record id>",
        4: "missing decided_by",
        5: "unparseable date in decided_on",
        6: "a record paired with itself",
        7: "contradictory decisions for ecampus:6|map:6: lines 7 (same), 8 (different); keep one",
        8: "contradictory decisions for ecampus:6|map:6: lines 7 (same), 8 (different); keep one",
        9: "repeated decision for ecampus:7|map:7 (line 10 wins)",
        11: "wrong number of fields: 4, expected 6",
        12: "missing reason",
    }
    assert parsed.rows["line_number"].tolist() == [10]


def test_a_header_only_file_holds_no_decisions():
    parsed = parse("")
    assert parsed.rejects == [] and len(parsed.rows) == 0
