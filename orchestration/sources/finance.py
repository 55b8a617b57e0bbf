"""Finance (Oracle ERP) and HR yearly extracts → raw_finance.net_contribution, raw_finance.staff
(contract: finance-hr.md).

Both CSV files (UTF-8, `,`, header) load in one transaction; an unchanged file is not read. Malformed rows
(field count, a year or amount that is not a number, missing key, duplicate key) go to raw_finance.rejects.
"""
from orchestration.extract.contract import Column, TableContract
from orchestration.extract.files import SourceFile, file_source, parse_csv

SYSTEM = "finance"
SECTION_KEYS = ("net_contribution", "staff")

CONTRACTS = [
    TableContract(
        "net_contribution",
        (Column("year", "int", required=True), Column("source", required=True),
         Column("revenue_keur", "float"), Column("direct_expenses_keur", "float")),
        key=("year", "source"),
        watermark="max(year)",
        description="Net contribution by year and source (thousands of euros), one row per (year, source)",
    ),
    TableContract(
        "staff",
        (Column("year", "int", required=True), Column("position_ref", required=True), Column("unit"),
         Column("unit_type"), Column("fte", "float"), Column("staff_cost_keur", "float"), Column("cost_type")),
        key=("year", "position_ref"),
        description="Staff positions as at 31 December, one row per (year, position_ref)",
    ),
]
_BY_FILE = {c.name: c for c in CONTRACTS}


def files(sources) -> list[SourceFile]:
    return [SourceFile(sources.file(SYSTEM, c.name), f"finance/HR file '{c.name}'", table=c.name) for c in CONTRACTS]


def parse(item: SourceFile, data: bytes):
    return {item.table: parse_csv(item.path, data, _BY_FILE[item.table])}


assets = [file_source(SYSTEM, CONTRACTS, files, parse, name="finance_extracts")]
finance_extracts = assets[0]
