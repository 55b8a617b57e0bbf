"""A fixture marts.duckdb in the shape the lead's marts publish (the report's input contract), with rows
taken from the published Annex 1 (../shared/reference/annex1-published.csv). Shared by the report tests.

What the report draws of each measure (chart series and headline tiles) comes from the real catalogue seed,
dbt_project/seeds/indicators.csv (or another seed file given), as dbt passes it to `indicator_catalogue`.
"""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import duckdb

SEED = Path(__file__).parents[2] / "dbt_project" / "seeds" / "indicators.csv"
REPORT_COLUMNS = ("chart", "chart_label_en", "chart_label_fr", "headline_order")

RUN_ID = "3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c"
BUILT_AT = datetime(2024, 3, 14, 2, 17, 5, tzinfo=timezone.utc)

O1 = ("Immediate outcome 1", "Résultat immédiat 1")
O2 = ("Immediate outcome 2", "Résultat immédiat 2")
O3 = ("Immediate outcome 3", "Résultat immédiat 3")
O5 = ("Immediate outcome 5", "Résultat immédiat 5")
O6 = ("Immediate outcome 6", "Résultat immédiat 6")
O7 = ("Immediate outcome 7", "Résultat immédiat 7")

F2F = ("Number of participants in face-to-face training activities, by gender and tripartite constituency",
       "Nombre de participants à des activités de formation en présentiel, ventilé par genre, mandant tripartite")
DIST = ("Number of participants in distance-learning activities, by gender, tripartite constituency and modality",
        "Nombre de participants à des activités d’apprentissage à distance, ventilé par genre, mandant tripartite")

# code, measure, unit, decimals, origin, dimension, indicator names, measure names, direction,
# {period: value (unrounded, as computed) or text}, baseline (period, value|text), target (period, value|text)
MEASURES = [
    ("1.1a", "face_to_face_registrations", "count", 0, "computed", O1, F2F,
     ("Face-to-face registrations", "Inscriptions en présentiel"), "higher",
     {"2020": 3102, "2021": 4789, "2020-21": 7891, "2022": 6929, "2023": 6816, "2022-23": 13745},
     ("2020-21", 7891), ("2022-23", 20000)),
    ("1.1a", "women_share", "percent", 0, "computed", O1, F2F, ("Share of women", "Part des femmes"), "higher",
     {"2020": 26.1, "2021": 27.6, "2020-21": 27.02, "2022": 35.31, "2023": 47.74, "2022-23": 41.4712},
     ("2020-21", 27), None),
    ("1.1a", "employers", "count", 0, "computed", O1, F2F, ("Employers' participants", "Participants employeurs"),
     "higher", {"2022": 200, "2023": 310, "2022-23": 510}, ("2020-21", 141), None),
    ("1.1a", "blended_share", "percent", 0, "computed", O1, F2F,
     ("Share in blended activities", "Part participant à des activités mixtes"), "higher",
     {"2022": 18.2, "2023": 32.9, "2022-23": 24.5}, ("2020-21", 11), None),
    ("1.1b", "distance_enrolments", "count", 0, "computed", O1, DIST,
     ("Distance enrolments", "Inscriptions à distance"), "higher",
     {"2020": 61230, "2021": 63633, "2020-21": 124863, "2022": 74473, "2023": 79026, "2022-23": 153499},
     ("2020-21", 124863), ("2022-23", 100000)),
    ("1.1b", "unique_distance_learners", "count", 0, "computed", O1, DIST,
     ("Unique distance learners", "Apprenants à distance uniques"), "higher",
     {"2020": 38811, "2021": 40102, "2020-21": 73275, "2022": 50993, "2023": 51447, "2022-23": 97344},
     ("2020-21", 73275), None),
    ("1.1b", "women_share", "percent", 0, "computed", O1, DIST, ("Share of women", "Part des femmes"), "higher",
     {"2020": 41.2, "2021": 40.7, "2020-21": 40.95, "2022": 39.1, "2023": 38.8, "2022-23": 38.94},
     ("2020-21", 41), None),
    ("1.1c", "women_share", "percent", 0, "computed", O1,
     ("Gender and ILO constituency breakdown of participants", "Ventilation par genre et affiliation aux mandants"),
     ("Share of women", "Part des femmes"), "higher",
     {"2020": 39.5, "2021": 40.3, "2020-21": 39.9, "2022": 38.2, "2023": 40.1, "2022-23": 39.2},
     ("2020-21", 40), ("2022-23", 45)),
    ("1.1c", "core_constituent_share", "percent", 0, "computed", O1,
     ("Gender and ILO constituency breakdown of participants", "Ventilation par genre et affiliation aux mandants"),
     ("Share affiliated with the ILO's core constituents", "Part affiliée aux principaux mandants de l’OIT"),
     "higher", {"2022": 22.3, "2023": 17.7, "2022-23": 19.8}, ("2020-21", 22), ("2022-23", 30)),
    ("1.2", "external_platform_enrolments", "count", 0, "computed", O1,
     ("Number of enrolments on online platforms hosted by the Centre",
      "Nombre d’inscriptions via les plateformes en ligne hébergées par le Centre"),
     ("External-platform enrolments", "Inscriptions sur les plateformes externes"), "higher",
     {"2020": 2011, "2021": 3134, "2020-21": 5145, "2022": 11190, "2023": 12818, "2022-23": 24008},
     ("2020-21", 5145), ("2022-23", 15000)),
    ("1.7", "non_training_share", "percent", 2, "computed", O1,
     ("Share of non-training services in the portfolio", "Part des services hors formation dans le portefeuille"),
     ("Share of non-training services", "Part des services hors formation"), "higher",
     {"2022": 34.5449, "2023": 41.03, "2022-23": 37.2}, ("2020-21", 35), ("2022-23", 36)),
    ("2.A", "relevance_agree_share", "percent", 1, "computed", O2,
     ("Share of participants who find the activities relevant", "Pourcentage de participants … pertinentes"),
     ("Share agreeing the activity was relevant", "Part d’accord sur la pertinence"), "higher",
     {"2022": 95.04, "2023": 96.93, "2022-23": 95.87}, ("2021", 95.4), ("2022-23", 75)),
    ("2.2", "satisfaction_overall", "score_1_5", 2, "computed", O2,
     ("Participants' end-of-activity satisfaction", "Niveau de satisfaction des participants en fin d’activité"),
     ("Overall", "Ensemble"), "higher", {"2022": 4.4912, "2023": 4.5788, "2022-23": 4.5403},
     ("2020-21", 4.46), ("2022-23", 4.5)),
    ("2.10", "learning_analytics_level", "level", 0, "submitted", O2,
     ("Rating of the learning analytics system", "Évaluation du système d’analytique de l’apprentissage"),
     ("Level", "Niveau"), "higher", {"2023": 3, "2022-23": 3}, ("2020-21", 2.5), ("2022-23", 3)),
    ("3.2", "marketing_roi", "ratio_to_1", 0, "submitted", O3,
     ("Return on investment of marketing operations", "Retour sur investissement des opérations de marketing"),
     ("Marketing return on investment", "Retour sur investissement du marketing"), "higher",
     {"2022": 6, "2023": 5, "2022-23": 5}, None, ("2022-23", 5)),
    ("5.1", "hr_strategy_published", "text", 0, "submitted", O5,
     ("Human resources strategy document published", "Publication du document de stratégie RH"),
     ("HR strategy published", "Stratégie RH publiée"), None,
     {"2022": "Published on time", "2023": 100.0, "2022-23": 100.0}, None, ("2022-23", "Before June 2022")),
    ("6.1", "renovation_phase1_completed", "text", 0, "submitted", O6,
     ("Completion of phase I of the renovation plan", "Fin de la mise en œuvre de la phase I du plan de rénovation"),
     ("Renovation phase I completed", "Phase I de rénovation achevée"), None,
     {"2022": "Completed", "2023": "Completed", "2022-23": "Completed"}, None, ("2022-23", "Before July 2022")),
    ("7.3", "it_downtime_days", "days", 0, "submitted", O7,
     ("Reduction of service-level downtime", "Réduction des temps d’arrêt"),
     ("Days of IT service downtime", "Jours d’arrêt des services informatiques"), "lower",
     {"2022-23": 2}, ("2020-21", 3), ("2022-23", 2)),
]

RECONCILIATION = [
    # code, measure, period, published_value, published_text, explanation (None: agrees)
    ("1.1a", "face_to_face_registrations", "2022", 6929, None, None),
    ("1.1a", "face_to_face_registrations", "2023", 6816, None, None),
    ("1.1a", "face_to_face_registrations", "2022-23", 13745, None, None),
    ("1.1a", "women_share", "2022", 35, None, None),
    ("1.1a", "women_share", "2023", 48, None, None),
    ("1.1a", "women_share", "2022-23", 41, None, None),
    ("1.1b", "distance_enrolments", "2022-23", 153499, None, None),
    ("1.1b", "unique_distance_learners", "2022-23", 97344, None, None),
    ("1.1c", "core_constituent_share", "2022", 22, None, None),
    ("1.1c", "core_constituent_share", "2023", 26, None,
     "The published 26% cannot be derived from the published counts of 1.1a, 1.1b and 1.2 (about 17.7%); the "
     "report's text adds the 2023 employer external-platform enrolments twice."),
    ("1.1c", "core_constituent_share", "2022-23", 24, None,
     "The published 24% cannot be derived from the published counts of 1.1a, 1.1b and 1.2 (about 19.8%)."),
    ("1.2", "external_platform_enrolments", "2022-23", 24008, None, None),
    ("1.7", "non_training_share", "2022", 34.54, None, None),
    ("2.2", "satisfaction_overall", "2022-23", 4.54, None, None),
    ("3.2", "marketing_roi", "2022-23", 5, None, None),
    ("6.1", "renovation_phase1_completed", "2022-23", None, "Completed", None),
]

AGREEMENTS = [
    # partner_category, signed_year, amount_eur, status
    ("Multilateral", 2022, 1_250_000.0, "Signed"), ("Multilateral", 2022, 300_000.0, "Signed"),
    ("Multilateral", 2023, 640_000.0, "Signed"), ("Bilateral donor", 2022, 95_000.0, "Signed"),
    ("Bilateral donor", 2023, 410_000.0, "Signed"), ("Bilateral donor", 2023, 120_000.0, "Signed"),
    ("ILO", 2022, 80_000.0, "Signed"), ("ILO", 2023, 60_000.0, "Signed"), ("ILO", 2023, 45_000.0, "Signed"),
    ("Private sector", 2023, 220_000.0, "Signed"), ("Private sector", 2023, 999_000.0, "Draft"),
]


def period_type(period: str) -> str:
    return "biennium" if "-" in period else "year"


def status_of(value, target, direction, period, target_period):
    if target is None or not isinstance(target, (int, float)) or period != target_period or value is None:
        return "no_target" if target is None else None
    met = value <= target if direction == "lower" else value >= target
    return "achieved" if met else "not_achieved"


def indicator_rows(measures: list[tuple]) -> list[tuple]:
    rows = []
    for code, measure, unit, _dec, origin, _dim, _names, _mnames, direction, values, baseline, target in measures:
        for period, value in values.items():
            number = float(value) if isinstance(value, (int, float)) else None
            text = value if isinstance(value, str) else None
            row_unit = unit if number is None or unit != "text" else "percent"
            b_period, b_value = baseline or (None, None)
            t_period, t_value = target or (None, None)
            rows.append((
                code, measure, period, period_type(period), number, text, row_unit,
                b_value if isinstance(b_value, (int, float)) else None, b_value if isinstance(b_value, str) else None,
                b_period,
                t_value if isinstance(t_value, (int, float)) else None, t_value if isinstance(t_value, str) else None,
                t_period,
                status_of(number, t_value, direction, period, t_period), origin, None, None, RUN_ID, BUILT_AT,
            ))
    return rows


def report_declarations(seed: Path) -> dict[tuple[str, str], tuple]:
    """The seed's chart and headline columns by (code, measure); empty cells are nulls, as dbt loads them."""
    with open(seed, newline="", encoding="utf-8") as handle:
        return {
            (row["indicator_code"], row["measure"]): (
                row["chart"] or None, row["chart_label_en"] or None, row["chart_label_fr"] or None,
                int(row["headline_order"]) if row["headline_order"] else None)
            for row in csv.DictReader(handle)
        }


def catalogue_rows(measures: list[tuple], seed: Path) -> list[tuple]:
    declared = report_declarations(seed)
    return [
        (code, measure, dim[0], dim[1], names[0], names[1], mnames[0], mnames[1], unit, origin, direction or "higher",
         dec, order, *declared.get((code, measure), (None,) * len(REPORT_COLUMNS)))
        for order, (code, measure, unit, dec, origin, dim, names, mnames, direction, *_rest) in enumerate(measures)
    ]


def reconciliation_rows() -> list[tuple]:
    computed = {(m[0], m[1]): m[9] for m in MEASURES}
    rows = []
    for code, measure, period, published, published_text, explanation in RECONCILIATION:
        value = computed[(code, measure)].get(period)
        value = float(value) if isinstance(value, (int, float)) else None
        difference = None if value is None or published is None else value - published
        agrees = None if published is None else explanation is None
        rows.append((code, measure, period, published, published_text, value, difference, agrees, explanation))
    return rows


def build_marts(path: Path, *, catalogue: bool = True, reconciliation: bool = True, agreements: bool = True,
                catalogue_columns: str | None = None, extra_measures: tuple = (), seed: Path = SEED) -> Path:
    """Write the fixture marts.duckdb at `path`. `catalogue_columns` restricts the catalogue (older builds);
    `extra_measures` (in the shape of MEASURES) are added; `seed` is the catalogue seed to take the report's
    chart and headline declarations from."""
    measures = MEASURES + list(extra_measures)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create table annex1_indicators (
                indicator_code varchar, measure varchar, period varchar, period_type varchar, value double,
                value_text varchar, unit varchar, baseline_value double, baseline_text varchar,
                baseline_period varchar, target_value double, target_text varchar, target_period varchar,
                status varchar, origin varchar, numerator double, denominator double, run_id varchar,
                built_at timestamptz)""")
        con.executemany("insert into annex1_indicators values (" + ", ".join(["?"] * 19) + ")", indicator_rows(measures))
        if catalogue:
            con.execute("""
                create table indicator_catalogue (
                    indicator_code varchar, measure varchar, dimension_en varchar, dimension_fr varchar,
                    name_en varchar, name_fr varchar, measure_name_en varchar, measure_name_fr varchar,
                    unit varchar, origin varchar, direction varchar, published_decimals integer,
                    sort_order integer, chart varchar, chart_label_en varchar, chart_label_fr varchar,
                    headline_order integer)""")
            con.executemany("insert into indicator_catalogue values (" + ", ".join(["?"] * 17) + ")",
                            catalogue_rows(measures, seed))
            if catalogue_columns:
                con.execute(f"create table c2 as select {catalogue_columns} from indicator_catalogue")
                con.execute("drop table indicator_catalogue")
                con.execute("alter table c2 rename to indicator_catalogue")
        if reconciliation:
            con.execute("""
                create table annex1_reconciliation (
                    indicator_code varchar, measure varchar, period varchar, published_value double,
                    published_text varchar, computed_value double, difference double, agrees boolean,
                    explanation varchar)""")
            con.executemany("insert into annex1_reconciliation values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            reconciliation_rows())
        if agreements:
            con.execute("create table fct_funding_agreements (agreement_key varchar, partner_category varchar, "
                        "signed_year integer, amount_eur double, status varchar)")
            con.executemany("insert into fct_funding_agreements values (?, ?, ?, ?, ?)",
                            [(f"A{i:03d}", *row) for i, row in enumerate(AGREEMENTS)])
    return path


def test_fixture_holds_the_contract_tables(tmp_path):
    marts = build_marts(tmp_path / "marts.duckdb")
    with duckdb.connect(str(marts), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert {"annex1_indicators", "indicator_catalogue", "annex1_reconciliation"} <= tables
        assert con.execute("select value from annex1_indicators where indicator_code = '1.1a' and "
                           "measure = 'face_to_face_registrations' and period = '2022-23'").fetchone() == (13745,)
