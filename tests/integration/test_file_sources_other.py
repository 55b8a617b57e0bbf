"""PMSU workbook, finance/HR, external evaluation and unit submissions: every trap of their contracts."""
from datetime import date, datetime

import pytest

from orchestration.sources.evaluation import evaluation_responses
from orchestration.sources.finance import finance_extracts
from orchestration.sources.pmsu import pmsu_workbook
from orchestration.sources.submissions import unit_submissions
from tests.fixtures.files.builders import write_sources, write_text, write_workbook
from tests.fixtures.files.support import error_text, metadata, query, run_asset

RATES = [["2023-03", "USD", 0.93], ["2023-03", "CHF", 1.01], ["2023-04", "USD", 0.91]]


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A deployment folder with every file source configured; a temporary warehouse."""
    folder = tmp_path / "sources"
    sources = write_sources(
        folder,
        pmsu={"workbook": "agreements.xlsx"},
        finance={"net_contribution": "finance/net_contribution.csv", "staff": "finance/staff.csv"},
        evaluation={"folder": "evaluation"},
        submissions={"file": "indicator_submissions.csv"},
    )
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(sources))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return folder


@pytest.fixture
def warehouse(root, tmp_path):
    return tmp_path / "warehouse"


# ------------------------------------------------------------------------------------------------ PMSU

def register(**overrides):
    rows = [
        ["PMSU-2023-001", "Partner A ", "UN system", "Italy", "1 234 567", "EUR", datetime(2023, 3, 2), "2023",
         "Signed ", None],
        None,  # a blank row
        ["PMSU-2023-002", "Partner B", "Foundation ", None, "600,000", "USD", datetime(2023, 3, 20), "2023-24",
         "Signed", "note "],
        ["PMSU-2023-003", "Partner C", "Private sector", "Japan", 540000, "CHF", datetime(2023, 3, 31), 2023,
         "Signed", None],
        ["PMSU-2023-004", "Partner D", "Other NGO", None, "250000 ", "USD", None, "2023", "Draft", None],
        [None, None, None, None, None, None, None, None, None, None],
    ]
    for ref, change in overrides.items():
        row = next(r for r in rows if r and r[0] == ref)
        for i, value in change.items():
            row[i] = value
    return rows


def test_messy_workbook_is_cleaned_and_converted_at_the_signing_month_rate(root, warehouse):
    write_workbook(root / "agreements.xlsx", register(), RATES)
    result = run_asset(pmsu_workbook)
    assert result.success, error_text(result)
    # The loader only loads: the conversion to euros is dbt's (int_agreements__in_euros and its unit test).
    rows = query(warehouse, "select ref, partner, partner_category, amount, currency, signed_on, period, status, "
                            "notes from raw_pmsu.register order by ref")
    assert rows == [
        ("PMSU-2023-001", "Partner A", "UN system", 1234567.0, "EUR", date(2023, 3, 2), "2023", "Signed", None),
        ("PMSU-2023-002", "Partner B", "Foundation", 600000.0, "USD", date(2023, 3, 20), "2023-24", "Signed", "note"),
        ("PMSU-2023-003", "Partner C", "Private sector", 540000.0, "CHF", date(2023, 3, 31), "2023", "Signed", None),
        ("PMSU-2023-004", "Partner D", "Other NGO", 250000.0, "USD", None, "2023", "Draft", None),
    ]
    meta = metadata(result, "pmsu", "register")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (4, 4, 0)
    assert query(warehouse, "select count(*) from raw_pmsu.rates") == [(3,)]


def test_unreadable_agreement_is_an_error_naming_it_and_nothing_is_lost(root, warehouse):
    write_workbook(root / "agreements.xlsx", register(), RATES)
    assert run_asset(pmsu_workbook).success
    before = query(warehouse, "select * from raw_pmsu.register order by ref")
    write_workbook(root / "agreements.xlsx", register(**{"PMSU-2023-002": {4: "lots", 6: None}}), RATES)
    result = run_asset(pmsu_workbook)
    assert not result.success
    assert "agreement PMSU-2023-002 (Register row 4): Amount 'lots' is not a number" in error_text(result)
    assert "PMSU-2023-002 (Register row 4) is Signed but has no 'Signed on' date" in error_text(result)
    assert query(warehouse, "select * from raw_pmsu.register order by ref") == before


def test_unchanged_workbook_costs_nothing(root, warehouse):
    write_workbook(root / "agreements.xlsx", register(), RATES)
    assert run_asset(pmsu_workbook).success
    again = run_asset(pmsu_workbook)
    meta = metadata(again, "pmsu", "register")
    assert meta["rows_read"] == 0 and "unchanged" in meta["skipped"]


def test_workbook_missing_a_column_names_it(root, warehouse):
    header = ["Ref", "Partner", "Partner category", "Country", "Amount", "Signed on", "Period", "Status", "Notes"]
    write_workbook(root / "agreements.xlsx", [], RATES, register_header=header)
    result = run_asset(pmsu_workbook)
    assert not result.success
    assert "sheet 'Register' is missing required column(s) Currency" in error_text(result)


# ------------------------------------------------------------------------------------------------ finance/HR

NET = "year,source,revenue_keur,direct_expenses_keur\n2022,multimedia,100.5,20\n2022,miscellaneous,10,1\n"
STAFF = ("year,position_ref,unit,unit_type,fte,staff_cost_keur,cost_type,extra\n"
         "2022,P1,HRS,support,1.0,120.0,indirect,x\n2022,P2,ACT,technical,0.5,60.0,direct,x\n"
         "2022,P3,ACT,technical,lots,60.0,direct,x\n")


def test_finance_and_hr_extracts_load_with_rejects_counted(root, warehouse):
    write_text(root / "finance" / "net_contribution.csv", NET)
    write_text(root / "finance" / "staff.csv", STAFF)
    result = run_asset(finance_extracts)
    assert result.success, error_text(result)
    assert query(warehouse, "select year, source, revenue_keur from raw_finance.net_contribution order by 2") == [
        (2022, "miscellaneous", 10.0), (2022, "multimedia", 100.5)]
    assert query(warehouse, "select position_ref, fte from raw_finance.staff order by 1") == [("P1", 1.0), ("P2", 0.5)]
    meta = metadata(result, "finance", "staff")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (3, 2, 1)
    assert query(warehouse, "select file_name, line_number, rule from raw_finance.rejects") == [
        ("staff.csv", 4, "unparseable number in fte")]
    again = run_asset(finance_extracts)
    assert "unchanged" in metadata(again, "finance", "staff")["skipped"]


def test_finance_missing_file_or_column_is_named_and_nothing_is_lost(root, warehouse):
    write_text(root / "finance" / "net_contribution.csv", NET)
    write_text(root / "finance" / "staff.csv", STAFF)
    assert run_asset(finance_extracts).success
    write_text(root / "finance" / "net_contribution.csv", NET.replace("direct_expenses_keur", "expenses"))
    result = run_asset(finance_extracts)
    assert not result.success
    assert "net_contribution.csv: required column(s) direct_expenses_keur missing" in error_text(result)
    write_text(root / "finance" / "net_contribution.csv", NET)
    (root / "finance" / "staff.csv").unlink()
    result = run_asset(finance_extracts)
    assert "staff.csv is missing" in error_text(result)
    assert query(warehouse, "select count(*) from raw_finance.net_contribution") == [(2,)]
    assert query(warehouse, "select count(*) from raw_finance.staff") == [(2,)]


# ------------------------------------------------------------------------------------------------ evaluation

EVAL_HEADER = "respondent_id,survey_year,modality,relevant,theory_to_practice,can_apply,gave_example\n"


def test_evaluation_files_load_per_file_and_only_changed_files_are_read(root, warehouse):
    write_text(root / "evaluation" / "external_evaluation_2022.csv",
               EVAL_HEADER + "1,2022,distance,5,4,,yes\n2,2022,blended,3,4,5,\n3,2022,distance,7,4,5,no\n")
    write_text(root / "evaluation" / "external_evaluation_2023.csv", EVAL_HEADER + "1,2023,face_to_face,4,4,4,maybe\n"
               "2,2023,face_to_face,4,4,4,no\n")
    write_text(root / "evaluation" / "notes.txt", "not a survey file")
    result = run_asset(evaluation_responses)
    assert result.success, error_text(result)
    meta = metadata(result, "evaluation", "responses")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (5, 3, 2)
    assert meta["watermark"] == "2023"
    assert query(warehouse, "select survey_file, respondent_id, relevant, can_apply, gave_example "
                            "from raw_evaluation.responses order by 1, 2") == [
        ("external_evaluation_2022.csv", "1", 5, None, "yes"),
        ("external_evaluation_2022.csv", "2", 3, 5, None),
        ("external_evaluation_2023.csv", "2", 4, 4, "no")]
    assert query(warehouse, "select file_name, line_number, rule from raw_evaluation.rejects order by 1") == [
        ("external_evaluation_2022.csv", 4, "relevant outside 1-5"),
        ("external_evaluation_2023.csv", 2, "gave_example not one of no, yes")]

    # one file changes, the other is not read; a file removed keeps its rows, flagged
    write_text(root / "evaluation" / "external_evaluation_2023.csv", EVAL_HEADER + "2,2023,face_to_face,5,4,4,no\n")
    again = run_asset(evaluation_responses)
    meta = metadata(again, "evaluation", "responses")
    assert meta["files_unchanged"] == "external_evaluation_2022.csv" and meta["rows_read"] == 1
    (root / "evaluation" / "external_evaluation_2022.csv").unlink()
    assert run_asset(evaluation_responses).success
    assert query(warehouse, "select survey_file, respondent_id, relevant, _vanished_at is not null "
                            "from raw_evaluation.responses order by 1, 2") == [
        ("external_evaluation_2022.csv", "1", 5, True), ("external_evaluation_2022.csv", "2", 3, True),
        ("external_evaluation_2023.csv", "2", 5, False)]


def test_evaluation_missing_column_is_named(root, warehouse):
    write_text(root / "evaluation" / "external_evaluation_2022.csv",
               EVAL_HEADER.replace(",can_apply", "") + "1,2022,distance,5,4,yes\n")
    result = run_asset(evaluation_responses)
    assert not result.success
    assert "external_evaluation_2022.csv: required column(s) can_apply missing" in error_text(result)


# ------------------------------------------------------------------------------------------------ submissions

SUBMISSIONS = (
    "indicator_code,measure,period,value,text,submitted_by,submitted_on\n"
    "5.3,job_descriptions_reviewed,2023,45,,HRS,2024-01-05\n"
    "7.A,iso27001_certification,2023,,Kept,ICTS,2024-01-10\n"
    "5.3,job_descriptions_reviewed,2023,50,,HRS,2024-01-29\n"
    "5.5,staff_wellbeing_index,2023,3.9,,HRS,2024-01-29\n"
    "3.A,earned_net_contribution_share,2023,61,,FIS,2024-01-29\n"
    "5.3,job_description_review,2023,50,,HRS,2024-01-29\n"
    "5.4,leadership_accelerator_graduates,2023,ten,,HRS,2024-01-29\n"
)


def test_submissions_are_loaded_as_written_and_malformed_rows_set_aside(root, warehouse):
    # The catalogue rules and the current version are dbt's (intermediate/submissions and their unit tests).
    write_text(root / "indicator_submissions.csv", SUBMISSIONS + "5.3,job_descriptions_reviewed,2023,50,,HRS,2024-01-29\n"
               "5.3,,2023,50,,HRS,2024-01-30\n")
    result = run_asset(unit_submissions)
    assert result.success, error_text(result)
    assert query(warehouse, "select line_number, indicator_code, value, text, submitted_on from raw_submissions.submissions "
                            "order by 1") == [
        (2, "5.3", "45", None, "2024-01-05"), (3, "7.A", None, "Kept", "2024-01-10"),
        (5, "5.5", "3.9", None, "2024-01-29"), (6, "3.A", "61", None, "2024-01-29"),
        (7, "5.3", "50", None, "2024-01-29"), (8, "5.4", "ten", None, "2024-01-29"),
        (9, "5.3", "50", None, "2024-01-29")]
    assert query(warehouse, "select line_number, rule from raw_submissions.rejects order by 1") == [
        (4, "duplicate of a later line (same indicator, measure, period, date and unit)"), (10, "missing measure")]
    meta = metadata(result, "submissions", "submissions")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (9, 7, 2)
    assert meta["watermark"] == "2024-01-29"

    again = run_asset(unit_submissions)
    assert "unchanged" in metadata(again, "submissions", "submissions")["skipped"]


def test_submissions_from_the_first_sheet_of_a_workbook(root, warehouse, monkeypatch):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in SUBMISSIONS.strip().split("\n")[:4]:
        values = line.split(",")
        if values[-1][:2] == "20":
            values[-1] = datetime.fromisoformat(values[-1])
            values[3] = float(values[3]) if values[3] else None
        sheet.append(values)
    workbook.create_sheet("Other").append(["ignored"])
    workbook.save(root / "submissions.xlsx")
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(write_sources(root, submissions={"file": "submissions.xlsx"})))
    result = run_asset(unit_submissions)
    assert result.success, error_text(result)
    assert query(warehouse, "select indicator_code, value, submitted_on from raw_submissions.submissions "
                            "order by 1, 3") == [
        ("5.3", "45", "2024-01-05"), ("5.3", "50", "2024-01-29"), ("7.A", None, "2024-01-10")]


def test_submissions_missing_column_is_named(root, warehouse):
    write_text(root / "indicator_submissions.csv", SUBMISSIONS.replace(",submitted_on", ",date"))
    result = run_asset(unit_submissions)
    assert not result.success
    assert "required column(s) submitted_on missing" in error_text(result)


# ------------------------------------------------------------------------------------------------ not configured

def test_a_source_the_deployment_does_not_configure_leaves_empty_typed_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(write_sources(tmp_path / "s", map={"url": "sqlite:///x"})))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "w"))
    for asset in (pmsu_workbook, finance_extracts, evaluation_responses, unit_submissions):
        assert run_asset(asset).success
    tables = query(tmp_path / "w", "select table_schema || '.' || table_name from information_schema.tables "
                                   "where table_schema like 'raw_%' order by 1")
    assert {t for (t,) in tables} >= {"raw_pmsu.register", "raw_pmsu.rates", "raw_finance.net_contribution",
                                      "raw_finance.staff", "raw_evaluation.responses",
                                      "raw_submissions.submissions", "raw_submissions.rejects",
                                      "raw_warehouse.source_extractions"}
