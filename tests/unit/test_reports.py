"""The Annex 1 report: rounding to the published precision, English and French formatting (Babel, CLDR),
layout, charts and tiles as the catalogue declares them, the files written (atomically), the XLSX, and a
report that degrades instead of failing on an older marts file."""
import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration import reports
from orchestration.reports import charts, xlsx
from orchestration.reports.data import code_sort_key, load_report_data
from orchestration.reports.formats import format_difference, format_number, format_value, reference_decimals
from orchestration.reports.html import render_html
from orchestration.reports.layout import key_figures, layout
from orchestration.reports.periods import default_periods, period_sort_key
from orchestration.reports.write import write_reports
from tests.unit.test_reports_fixture import O1, O2, RUN_ID, SEED, build_marts

# CLDR French: the thousands separator is U+202F (narrow no-break space); Babel 2.18's French percent
# pattern is "#,##0\u00a0%", so the space before % is U+00A0 (no-break space), not U+202F.


@pytest.fixture
def marts(tmp_path) -> Path:
    return build_marts(tmp_path / "marts.duckdb")


def cell(table: dict, code: str, measure: str, period: str) -> dict:
    for dimension in table["dimensions"]:
        for indicator in dimension["indicators"]:
            if indicator["code"] != code:
                continue
            for m in indicator["measures"]:
                if m["measure"] == measure:
                    return next(c for c in m["cells"] if c["period"] == period)
    raise KeyError((code, measure, period))


def measure_row(table: dict, code: str, measure: str) -> dict:
    for dimension in table["dimensions"]:
        for indicator in dimension["indicators"]:
            for m in indicator["measures"]:
                if indicator["code"] == code and m["measure"] == measure:
                    return m
    raise KeyError((code, measure))


# ---------------------------------------------------------------------------------------------------------
# Formatting and rounding


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "en", "fr"),
    [
        (13745, "count", 0, "13,745", "13\u202f745"),
        (153499.0, "count", 0, "153,499", "153\u202f499"),
        (510, "count", 0, "510", "510"),
        (41.4712, "percent", 0, "41%", "41\u00a0%"),
        (34.5, "percent", 0, "35%", "35\u00a0%"),  # half up, as the Centre publishes (not to even)
        (34.49, "percent", 0, "34%", "34\u00a0%"),
        (34.535, "percent", 2, "34.54%", "34,54\u00a0%"),  # methodology: 34.54 covers 34.535 <= x < 34.545
        (95.87, "percent", 1, "95.9%", "95,9\u00a0%"),
        (29.82, "percent", 2, "29.82%", "29,82\u00a0%"),
        (4.5403, "score_1_5", 2, "4.54", "4,54"),
        (4.5, "score_1_5", 2, "4.50", "4,50"),
        (6, "ratio_to_1", 0, "6:1", "6:1"),
        (2, "days", 0, "2 days", "2 jours"),
        (1, "days", 0, "1 day", "1 jour"),
        (3, "level", 0, "Level 3", "Niveau 3"),
        (-0.2, "percent", 0, "0%", "0\u00a0%"),  # no negative zero
        (-12.6, "percent", 0, "-13%", "-13\u00a0%"),
        (-34.5, "percent", 0, "-34%", "-34\u00a0%"),  # a tie goes towards +infinity: -34 covers -34.5 <= x < -33.5
        (-2.05, "score_1_5", 1, "-2.0", "-2,0"),
        (-12818.5, "count", 0, "-12,818", "-12\u202f818"),
        (-0.005, "score_1_5", 2, "0.00", "0,00"),  # rounds to zero: no "-0.00"
        (1234567.891, "count", 0, "1,234,568", "1\u202f234\u202f568"),
    ],
)
def test_figures_are_rounded_to_the_published_precision_and_formatted_per_language(value, unit, decimals, en, fr):
    assert format_value(value, unit, decimals, "en") == en
    assert format_value(value, unit, decimals, "fr") == fr


def test_french_and_english_numbers_follow_cldr():
    assert format_value(97344, "count", 0, "fr") == "97\u202f344"  # narrow no-break space
    assert format_value(34.5, "percent", 1, "fr") == "34,5\u00a0%"  # decimal comma, no-break space
    assert format_value(97344, "count", 0, "en") == "97,344"
    assert format_value(34.5, "percent", 1, "en") == "34.5%"
    assert " " not in format_value(1234567, "count", 0, "fr") + format_value(41, "percent", 0, "fr")


def test_days_take_the_cldr_plural_of_the_language():
    assert format_value(0, "days", 0, "en") == "0 days"
    assert format_value(0, "days", 0, "fr") == "0 jour"  # French singular covers 0 and 1
    assert format_value(1.5, "days", 1, "fr") == "1,5 jour"
    assert format_value(2, "days", 0, "fr") == "2 jours"


def test_missing_figures_and_text_results():
    assert format_value(None, "count", 0, "en") == "n/a"
    assert format_value(None, "count", 0, "fr") == "n.d."
    assert format_value(None, "text", 0, "en", "Completed") == "Completed"
    assert format_value(None, "text", 0, "fr", "Completed") == "Achevée"
    assert format_value(None, "text", 0, "fr", "Before July 2022") == "Avant juillet 2022"
    assert format_value(None, "text", 0, "fr", "Something new") == "Something new"  # untranslated stays


def test_thousands_and_decimal_separators():
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(1234.5, 1, "fr") == "1\u202f234,5"
    assert format_number(0.125, 2, "en") == "0.13"


def test_baselines_and_targets_show_the_decimals_they_were_published_with():
    assert reference_decimals(95.4) == 1
    assert reference_decimals(75.0) == 0
    assert reference_decimals(29.75) == 2
    assert reference_decimals(4.456) == 2  # at most two


def test_differences_carry_their_sign():
    assert format_difference(-8.3, "percent", 2, "en") == "−8.30%"
    assert format_difference(12, "count", 0, "fr") == "+12"
    assert format_difference(0.001, "percent", 2, "en") == "0.00%"
    # the rounded difference's sign and digits, ties towards +infinity (the magnitude alone would round to 2.1)
    assert format_difference(-2.05, "score_1_5", 1, "en") == "−2.0"
    assert format_difference(2.05, "score_1_5", 1, "en") == "+2.1"
    assert format_difference(-0.005, "percent", 2, "en") == "0.00%"


# ---------------------------------------------------------------------------------------------------------
# Periods and order


def test_default_periods_are_the_latest_biennium_and_its_two_years():
    available = {"2020", "2021", "2020-21", "2022", "2023", "2022-23", "2024"}
    assert default_periods(available) == ["2022", "2023", "2022-23"]
    assert default_periods({"2024", "2025", "2024-25", "2022-23"}) == ["2024", "2025", "2024-25"]
    assert default_periods({"2022", "2023", "2024"}) == ["2023", "2024"]


def test_periods_sort_as_in_the_report():
    periods = ["2022-23", "2021", "2023", "2020-21", "2022", "2020"]
    assert sorted(periods, key=period_sort_key) == ["2020", "2021", "2020-21", "2022", "2023", "2022-23"]


def test_indicator_codes_sort_as_in_the_report():
    codes = ["C", "1.2", "A.1", "1.1b", "2.10", "1.A", "R", "2.9", "1.B", "1.1a", "8.2", "B.3", "2.A", "10.1"]
    assert sorted(codes, key=code_sort_key) == [
        "1.A", "1.B", "1.1a", "1.1b", "1.2", "2.A", "2.9", "2.10", "8.2", "10.1", "R", "A.1", "B.3", "C"]


# ---------------------------------------------------------------------------------------------------------
# Layout


def test_table_is_grouped_by_dimension_with_one_row_per_indicator_and_measure(marts):
    data = load_report_data(marts)
    assert data.periods == ["2022", "2023", "2022-23"]
    table = layout(data, "en")
    assert [d["name"] for d in table["dimensions"]] == [
        "Immediate outcome 1", "Immediate outcome 2", "Immediate outcome 3", "Immediate outcome 5",
        "Immediate outcome 6", "Immediate outcome 7"]
    first = table["dimensions"][0]
    assert [i["code"] for i in first["indicators"]] == ["1.1a", "1.1b", "1.1c", "1.2", "1.7"]
    assert [m["measure"] for m in first["indicators"][0]["measures"]] == [
        "face_to_face_registrations", "women_share", "employers", "blended_share"]
    assert first["rows"] == 11
    assert table["baseline_period"] == "2020-21" and table["target_period"] == "2022-23"


def test_cells_show_the_published_precision_and_the_status(marts):
    data = load_report_data(marts)
    en, fr = layout(data, "en"), layout(data, "fr")
    assert cell(en, "1.1a", "face_to_face_registrations", "2022-23")["text"] == "13,745"
    assert cell(fr, "1.1a", "face_to_face_registrations", "2022-23")["text"] == "13\u202f745"
    assert cell(en, "1.1a", "face_to_face_registrations", "2022-23")["status"] == "not_achieved"
    assert cell(en, "1.1b", "distance_enrolments", "2022-23")["status"] == "achieved"
    assert cell(en, "1.1a", "women_share", "2022-23")["text"] == "41%"
    assert cell(fr, "1.1a", "women_share", "2022-23")["text"] == "41\u00a0%"
    assert cell(en, "1.7", "non_training_share", "2022")["text"] == "34.54%"
    assert cell(fr, "2.2", "satisfaction_overall", "2022-23")["text"] == "4,54"
    assert cell(en, "2.A", "relevance_agree_share", "2022-23")["text"] == "95.9%"
    assert cell(en, "2.10", "learning_analytics_level", "2022")["na"]
    # 5.1: a text result for 2022, then percentages (the row's own unit wins over the catalogue's "text")
    assert cell(en, "5.1", "hr_strategy_published", "2022")["text"] == "Published on time"
    assert cell(en, "5.1", "hr_strategy_published", "2023")["text"] == "100%"
    assert cell(fr, "6.1", "renovation_phase1_completed", "2022-23")["text"] == "Achevée"


def test_baseline_and_target_columns(marts):
    en = layout(load_report_data(marts), "en")
    f2f = measure_row(en, "1.1a", "face_to_face_registrations")
    assert f2f["baseline"]["text"] == "7,891" and f2f["target"]["text"] == "20,000"
    relevance = measure_row(en, "2.A", "relevance_agree_share")
    assert relevance["baseline"]["text"] == "95.4%" and relevance["baseline"]["note"] == "2021"
    assert measure_row(en, "3.2", "marketing_roi")["baseline"]["na"]
    assert measure_row(en, "6.1", "renovation_phase1_completed")["target"]["text"] == "Before July 2022"
    assert measure_row(en, "7.3", "it_downtime_days")["submitted"]


def test_other_periods_can_be_asked(marts):
    data = load_report_data(marts, ["2020", "2021", "2020-21"])
    table = layout(data, "en")
    assert cell(table, "1.1b", "distance_enrolments", "2020-21")["text"] == "124,863"
    html = render_html(data, "en")
    assert "Results<br><span class=\"sub\">(2020-21)</span>" in html


def test_html_pages_are_self_contained_and_translated(marts):
    data = load_report_data(marts)
    en, fr = render_html(data, "en"), render_html(data, "fr")
    for page in (en, fr):
        assert "<script" not in page
        assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched: the page renders offline
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "element ids collide between charts"
        assert page.count("<svg") >= 4
        assert RUN_ID in page
    assert '<html lang="en">' in en and '<html lang="fr">' in fr
    assert "Baseline" in en and "Base de référence" in fr and "Baseline" not in fr
    assert "Reconciliation with the published report" in en and "Rapprochement avec le rapport publié" in fr
    assert "Résultat immédiat 1" in fr and "Immediate outcome 1" in en
    assert "13\u202f745" in fr and "13,745" in en
    assert "annex1_fr.html" in en and "annex1_en.html" in fr


def test_reconciliation_section_shows_differences_with_their_explanation(marts):
    html = render_html(load_report_data(marts), "en")
    section = html[html.index('id="reconciliation"'):]
    assert "13 of 15 published figures computed from records agree" in section
    assert "2 differ for a documented reason; 0 differ without an explanation" in section
    assert "adds the 2023 employer external-platform enrolments twice" in section
    assert "17.70%" in section and "−8.30%" in section


def test_charts_carry_their_data(marts):
    data = load_report_data(marts)
    made = {c["name"]: c for c in charts.charts(data, "fr")}
    assert list(made) == ["enrolments", "women", "unique", "agreements"]
    assert made["enrolments"]["points"] == 12  # 3 channels x 4 years (2020-2023)
    assert made["unique"]["points"] == 6  # 4 years and 2 bienniums
    assert made["women"]["points"] == 12
    assert made["agreements"]["points"] > 0
    assert "79\u202f026" in made["enrolments"]["svg"]  # bar labels in French formatting
    assert 'id="chart-enrolments-fr-series1-bar3"' in made["enrolments"]["svg"]
    # series labels from the catalogue seed (chart_label_fr), the code appended; the target of 1.1c dashed
    assert "Présentiel (1.1a)" in made["enrolments"]["svg"] and "Plateformes externes (1.2)" in made["enrolments"]["svg"]
    assert "Ensemble des participants (1.1c)" in made["women"]["svg"] and "Cible 1.1c (45\u00a0%)" in made["women"]["svg"]
    assert "Private sector" in made["agreements"]["svg"]


def test_headline_tiles_are_the_measures_the_catalogue_orders(marts):
    tiles = key_figures(load_report_data(marts), "fr")
    assert [(t["code"], t["label"], t["value"]) for t in tiles] == [
        ("1.1a", "Inscriptions en présentiel", "13\u202f745"), ("1.1b", "Inscriptions à distance", "153\u202f499"),
        ("1.1b", "Apprenants à distance uniques", "97\u202f344"),
        ("1.2", "Inscriptions sur les plateformes externes", "24\u202f008")]
    assert {t["period"] for t in tiles} == {"2022-23"}


def add_seed_rows(seed: Path, rows: list[dict]) -> Path:
    """A copy of the real catalogue seed with rows appended, as someone adding an indicator would write them."""
    with open(seed, "a", newline="", encoding="utf-8") as handle:
        fields = next(csv.reader(open(SEED, encoding="utf-8")))
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writerows([{f: row.get(f, "") for f in fields} for row in rows])
    return seed


def test_a_new_seed_row_reaches_the_charts_and_the_tiles(tmp_path):
    seed = shutil.copy(SEED, tmp_path / "indicators.csv")
    add_seed_rows(seed, [
        # joins an existing chart and gets a tile
        {"indicator_code": "1.3", "measure": "masters_students", "origin": "computed", "unit": "count",
         "chart": "enrolments", "chart_label_en": "Masters", "chart_label_fr": "Masters", "headline_order": "5"},
        # names a chart charts.yml does not know: it gets a chart of its own
        {"indicator_code": "2.9", "measure": "diploma_programme_share", "origin": "computed", "unit": "percent",
         "chart": "diplomas", "headline_order": "0"},
    ])
    masters = ("1.3", "masters_students", "count", 0, "computed", O1, ("Masters students", "Étudiants de master"),
               ("Masters students", "Étudiants de master"), "higher",
               {"2020": 40, "2021": 44, "2020-21": 84, "2022": 51, "2023": 1234, "2022-23": 1285}, None, None)
    diplomas = ("2.9", "diploma_programme_share", "percent", 0, "computed", O2,
                ("Share in diploma programmes", "Part en programmes diplômants"),
                ("Share in diploma programmes", "Part en programmes diplômants"), "higher",
                {"2022": 12.5, "2023": 14.25, "2022-23": 13.4}, None, None)
    marts = build_marts(tmp_path / "marts.duckdb", extra_measures=(masters, diplomas), seed=seed)
    data = load_report_data(marts)
    made = {c["name"]: c for c in charts.charts(data, "fr")}
    assert list(made) == ["enrolments", "women", "unique", "agreements", "diplomas"]
    assert made["enrolments"]["points"] == 16  # four series over four years now
    assert "Masters (1.3)" in made["enrolments"]["svg"] and "1\u202f234" in made["enrolments"]["svg"]
    assert made["diplomas"]["points"] == 2 and made["diplomas"]["title"] == "Part en programmes diplômants"
    assert "14\u00a0%" in made["diplomas"]["svg"]  # a percent measure is labelled in percent
    tiles = [(t["code"], t["value"]) for t in key_figures(data, "en")]
    assert tiles[0] == ("2.9", "13%") and tiles[-1] == ("1.3", "1,285")
    html = render_html(data, "en")
    assert 'data-chart="diplomas"' in html and "Masters students · 2022-23" in html


def test_a_catalogue_without_the_report_columns_draws_no_indicator_chart(tmp_path):
    marts = build_marts(tmp_path / "marts.duckdb", catalogue_columns="indicator_code, measure, name_en, unit")
    data = load_report_data(marts)
    made = {c["name"]: c for c in charts.charts(data, "en")}
    assert [name for name, c in made.items() if c["svg"]] == ["agreements"]
    assert made["enrolments"]["note"] == "No data for this chart in the published marts."
    assert key_figures(data, "en") == []
    render_html(data, "en")


# ---------------------------------------------------------------------------------------------------------
# Files


def test_write_reports_writes_three_files_and_no_temporary_ones(marts, tmp_path):
    out = tmp_path / "reports"
    before = marts.read_bytes()
    paths = write_reports(marts, out)
    assert set(paths) == {"en", "fr", "xlsx"}
    assert sorted(p.name for p in out.iterdir()) == ["annex1.xlsx", "annex1_en.html", "annex1_fr.html"]
    assert marts.read_bytes() == before  # read-only
    write_reports(marts, out)  # replaces the previous reports
    assert sorted(p.name for p in out.iterdir()) == ["annex1.xlsx", "annex1_en.html", "annex1_fr.html"]


def test_a_failed_rendering_leaves_the_previous_reports_in_place(marts, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    write_reports(marts, out)
    previous = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(_data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx, "build_workbook", broken)
    with pytest.raises(RuntimeError):
        write_reports(marts, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous


def test_the_marts_can_stay_open_by_a_reader(marts, tmp_path):
    with duckdb.connect(str(marts), read_only=True) as reader:
        write_reports(marts, tmp_path / "reports")
        assert reader.execute("select count(*) from annex1_indicators").fetchone()[0] > 0


def test_workbook_has_a_sheet_per_language_and_the_reconciliation(marts, tmp_path):
    from openpyxl import load_workbook

    workbook = load_workbook(write_reports(marts, tmp_path / "reports")["xlsx"])
    assert workbook.sheetnames == ["Annex 1 (EN)", "Annexe 1 (FR)", "Reconciliation"]
    for name, header in (("Annex 1 (EN)", "Results (2022-23)"), ("Annexe 1 (FR)", "Résultats (2022-23)")):
        sheet = workbook[name]
        headers = [c.value for c in sheet[6]]
        assert header in headers
        biennium = headers.index(header) + 1
        rows = {(sheet.cell(r, 2).value, sheet.cell(r, 4).value): r for r in range(7, sheet.max_row + 1)}
        f2f = rows[("1.1a", "Face-to-face registrations" if name.startswith("Annex ") else "Inscriptions en présentiel")]
        assert sheet.cell(f2f, biennium).value == 13745
        assert sheet.cell(f2f, biennium).number_format == "#,##0"
        women = f2f + 1
        assert sheet.cell(women, biennium).value == pytest.approx(0.41)  # rounded as published, as a fraction
        assert sheet.cell(women, biennium).number_format == "0%"
        assert sheet.cell(f2f, 1).value.startswith(("Immediate outcome 1", "Résultat immédiat 1"))
    recon = workbook["Reconciliation"]
    assert recon.max_row == 3 + 15 + 1  # title, blank, header; one row per reconciled figure
    explanations = [recon.cell(r, 9).value for r in range(4, recon.max_row + 1)]
    assert sum(1 for e in explanations if e) == 2


# ---------------------------------------------------------------------------------------------------------
# An older or partial marts file degrades the report, never fails it


def test_without_catalogue_reconciliation_or_agreements(tmp_path):
    marts = build_marts(tmp_path / "marts.duckdb", catalogue=False, reconciliation=False, agreements=False)
    data = load_report_data(marts)
    en, fr = render_html(data, "en"), render_html(data, "fr")
    assert "13,745" in en and "13\u202f745" in fr
    assert "Face to face registrations" in en  # the measure, humanised
    assert "Immediate outcome 1" in en and "Résultat immédiat 1" in fr  # dimensions from the codes
    assert "no table fct_funding_agreements" in en
    assert "hold no reconciliation table" in en
    write_reports(marts, tmp_path / "reports")


def test_catalogue_without_french_names_or_dimensions_falls_back(tmp_path):
    marts = build_marts(tmp_path / "marts.duckdb",
                        catalogue_columns="indicator_code, measure, name_en, unit, published_decimals")
    fr = layout(load_report_data(marts), "fr")
    assert fr["dimensions"][0]["name"] == "Résultat immédiat 1"
    assert measure_row(fr, "1.1a", "face_to_face_registrations")["label"]
    indicator = fr["dimensions"][0]["indicators"][0]
    assert indicator["name"].startswith("Number of participants in face-to-face")  # English name in French page


def test_minimal_annex1_indicators_table(tmp_path):
    marts = tmp_path / "marts.duckdb"
    with duckdb.connect(str(marts)) as con:
        con.execute("create table annex1_indicators (indicator_code varchar, measure varchar, period varchar, "
                    "value double, unit varchar)")
        con.execute("insert into annex1_indicators values ('1.1a', 'face_to_face_registrations', '2022', 6929, "
                    "'count'), ('1.1a', 'face_to_face_registrations', '2023', 6816, 'count'), "
                    "('1.1a', 'face_to_face_registrations', '2022-23', 13745, 'count'), "
                    "('1.1a', 'women_share', '2022-23', 41.4, 'percent')")
    paths = write_reports(marts, tmp_path / "reports")
    html = paths["fr"].read_text(encoding="utf-8")
    assert "13\u202f745" in html and "41\u00a0%" in html


def test_no_annex1_indicators_is_an_error(tmp_path):
    marts = tmp_path / "marts.duckdb"
    duckdb.connect(str(marts)).close()
    with pytest.raises(ValueError, match="annex1_indicators"):
        write_reports(marts, tmp_path / "reports")


# ---------------------------------------------------------------------------------------------------------
# Dagster asset and command line


def test_asset_is_in_the_publish_group_downstream_of_the_published_marts():
    from dagster import AssetKey

    assert reports.assets == [reports.annex1_report, reports.data_quality_page]
    spec = next(iter(reports.annex1_report.specs))
    assert spec.group_name == "publish"
    assert AssetKey("published_marts") in {dep.asset_key for dep in spec.deps}


def test_english_and_french_message_files_have_the_same_keys():
    from orchestration.reports.texts import messages

    def keys(tree: dict, prefix: str = "") -> set[str]:
        found = set()
        for key, value in tree.items():
            if key == "text_results":  # French only: translations of the English wording of submissions
                continue
            found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return found

    assert keys(messages("en")) == keys(messages("fr"))
