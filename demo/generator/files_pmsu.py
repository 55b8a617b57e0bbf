"""PMSU register of funding agreements, `agreements.xlsx` (contract: pmsu.md).

Calibration: 3.1 funding_agreement_growth (Signed agreements signed in the period / previous period - 1) and
3.3 contracts_over_500k_eur (Signed, signed in the period, euro amount at the signing month's rate > 500,000).

Signed agreements per year: 2020 111, 2021 93, 2022 120, 2023 134
  -> 2022 +29.0 %, 2023 +11.7 %, 2022-23 over 2020-21 +24.5 %.
Annex 2 of the report lists 92 agreements signed in 2022 and 75 approved in 2023 (its `signed_year`): all are in
the register, signed in that year; the rest are smaller agreements the annex does not list.
Over EUR 500,000: 2020 2 (EC DG INTPA, INSAFORP), 2021 2 (ADB, GEP Portugal), 2022 3 (Microsoft, ADB, GEP
Portugal), 2023 1 (INSAFORP). Near misses that must not count: Japan's USD 553,100 (2022: Jan rate 0.881;
2023: Aug rate 0.899), USD 590,000 in May 2021, CHF 540,000, exactly EUR 500,000, a cancelled EUR 850,000 and a
draft EUR 1.2 million.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from demo.reference import ANNEX2_AGREEMENTS_CSV

ANNEX2 = ANNEX2_AGREEMENTS_CSV

SIGNED_PER_YEAR = {2020: 111, 2021: 93, 2022: 120, 2023: 134}

CATEGORY_LABEL = {
    "awarded_project": "Awarded project", "un_system": "UN system", "multi_bilateral": "Multi- and bilateral",
    "ifi": "International financial institution", "direct_trust_fund": "Direct trust fund",
    "training_institute": "Training institute or university", "social_partner": "Social partner",
    "private_sector": "Private sector", "foundation": "Foundation",
    "intergovernmental": "Intergovernmental organisation", "other_ngo": "Other NGO",
}

# Monthly UN operational rates of exchange, euros for one unit (realistic values, 2020-01 .. 2023-12).
USD = [0.900, 0.903, 0.912, 0.917, 0.922, 0.891, 0.886, 0.849, 0.845, 0.853, 0.851, 0.827,
       0.818, 0.827, 0.829, 0.851, 0.831, 0.818, 0.843, 0.846, 0.851, 0.862, 0.864, 0.884,
       0.881, 0.893, 0.893, 0.909, 0.948, 0.935, 0.957, 0.980, 0.998, 1.022, 1.015, 0.962,
       0.946, 0.918, 0.938, 0.922, 0.909, 0.926, 0.915, 0.899, 0.920, 0.945, 0.948, 0.916]
CHF = [0.929, 0.937, 0.950, 0.947, 0.950, 0.946, 0.942, 0.932, 0.927, 0.928, 0.924, 0.924,
       0.925, 0.921, 0.918, 0.902, 0.911, 0.913, 0.910, 0.924, 0.923, 0.928, 0.934, 0.948,
       0.959, 0.958, 0.970, 0.980, 0.968, 0.984, 0.997, 1.034, 1.036, 1.018, 1.013, 1.018,
       1.013, 1.017, 1.014, 1.013, 1.019, 1.026, 1.023, 1.042, 1.045, 1.040, 1.037, 1.062]
GBP = [1.176, 1.183, 1.173, 1.135, 1.146, 1.128, 1.105, 1.107, 1.111, 1.096, 1.108, 1.110,
       1.113, 1.124, 1.148, 1.152, 1.154, 1.158, 1.164, 1.169, 1.168, 1.168, 1.183, 1.170,
       1.192, 1.201, 1.196, 1.195, 1.183, 1.174, 1.162, 1.183, 1.179, 1.136, 1.148, 1.160,
       1.155, 1.128, 1.129, 1.137, 1.140, 1.146, 1.166, 1.164, 1.166, 1.156, 1.147, 1.151]
JPY = [0.00829, 0.00830, 0.00821, 0.00844, 0.00854, 0.00831, 0.00825, 0.00803, 0.00796, 0.00809, 0.00809,
       0.00801, 0.00791, 0.00787, 0.00772, 0.00770, 0.00764, 0.00746, 0.00762, 0.00768, 0.00776, 0.00757,
       0.00761, 0.00777, 0.00767, 0.00774, 0.00764, 0.00727, 0.00734, 0.00720, 0.00702, 0.00726, 0.00716,
       0.00701, 0.00687, 0.00708, 0.00728, 0.00699, 0.00706, 0.00694, 0.00668, 0.00663, 0.00637, 0.00633,
       0.00631, 0.00630, 0.00633, 0.00627]
SEK = [0.0951, 0.0946, 0.0930, 0.0911, 0.0932, 0.0952, 0.0969, 0.0976, 0.0969, 0.0962, 0.0964, 0.0971,
       0.0988, 0.0985, 0.0983, 0.0987, 0.0986, 0.0990, 0.0983, 0.0983, 0.0985, 0.0987, 0.0990, 0.0977,
       0.0975, 0.0953, 0.0965, 0.0959, 0.0955, 0.0950, 0.0929, 0.0933, 0.0939, 0.0918, 0.0923, 0.0919,
       0.0897, 0.0886, 0.0893, 0.0888, 0.0885, 0.0867, 0.0851, 0.0862, 0.0841, 0.0834, 0.0857, 0.0873]
RATES = {"EUR": [1.0] * 48, "USD": USD, "CHF": CHF, "GBP": GBP, "JPY": JPY, "SEK": SEK}


def rate(currency: str, d: date) -> float:
    return RATES[currency][(d.year - 2020) * 12 + d.month - 1]


@dataclass
class Agreement:
    partner: str
    category: str          # snake_case key of CATEGORY_LABEL
    country: str
    amount: float
    currency: str
    signed_on: date | None
    period: str
    status: str            # Signed | Draft | Cancelled
    notes: str = ""
    ref: str = ""

    def eur(self) -> float:
        return self.amount * rate(self.currency, self.signed_on)


# Partners of the agreements Annex 2 does not list (smaller agreements; some are renewals of 2020-21 ones).
POOL = {
    "un_system": [("UNDP", ""), ("UNICEF", ""), ("UN Women", ""), ("WFP", ""), ("UNHCR", ""), ("IOM", ""),
                  ("FAO", ""), ("UNESCO", ""), ("UNIDO", ""), ("ITU", ""), ("UNOPS", ""), ("UNFPA", ""),
                  ("WHO", ""), ("UNAIDS", ""), ("UNEP", ""), ("UN DESA", ""), ("UNSSC", ""), ("OHCHR", ""),
                  ("UN Volunteers", ""), ("UNITAR", ""), ("UNCTAD", ""), ("UN Global Compact", "")],
    "multi_bilateral": [("Irish Aid — Department of Foreign Affairs", "Ireland"),
                        ("Flanders Department of Foreign Affairs", "Belgium"),
                        ("Swiss Agency for Development and Cooperation (SDC)", "Switzerland"),
                        ("Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH", "Germany"),
                        ("Expertise France", "France"), ("Enabel — Belgian development agency", "Belgium"),
                        ("Agencia Española de Cooperación Internacional para el Desarrollo (AECID)", "Spain"),
                        ("Ministry of Employment and Labor, Republic of Korea", "Republic of Korea"),
                        ("Ministère du Travail, de l'Emploi et de l'Économie sociale et solidaire", "Luxembourg"),
                        ("Norwegian Agency for Development Cooperation (Norad)", "Norway"),
                        ("Swedish International Development Cooperation Agency (Sida)", "Sweden"),
                        ("Ministero degli Affari Esteri e della Cooperazione Internazionale", "Italy"),
                        ("Regione Piemonte", "Italy")],
    "ifi": [("World Bank Group", ""), ("Asian Development Bank", ""), ("African Development Bank", ""),
            ("Inter-American Development Bank", ""), ("Islamic Development Bank", ""),
            ("European Bank for Reconstruction and Development", ""), ("European Investment Bank", "")],
    "direct_trust_fund": [("Public Procurement Regulatory Authority (PPRA)", "Pakistan"),
                          ("Ministry of Labour and Social Protection of the Population", "Kazakhstan"),
                          ("Ministry of Finance — Project Implementation Unit", "Tajikistan"),
                          ("Public Procurement Monitoring Office (PPMO)", "Nepal"),
                          ("National Employment Agency (ANOFM)", "Moldova"),
                          ("Central Procurement Technical Unit (CPTU)", "Bangladesh"),
                          ("Ministry of Labour", "Oman"), ("Ministry of Human Resources and Emiratisation", "United Arab Emirates"),
                          ("Agence Nationale pour l'Emploi (ANPE)", "Benin"), ("Caisse Nationale de Sécurité Sociale", "Cameroon"),
                          ("Ministry of Water Resources — PIU", "Uzbekistan"), ("Road Fund — PIU", "Kyrgyzstan"),
                          ("Institut National de Prévoyance Sociale (INPS)", "Côte d'Ivoire"),
                          ("Ministerio de Trabajo y Promoción del Empleo", "Peru"),
                          ("Department of Labour and Employment", "Philippines"),
                          ("Secretaría de Trabajo y Seguridad Social", "Honduras")],
    "training_institute": [("Shanghai University", "China"), ("Fudan University", "China"),
                           ("Università degli Studi di Torino", "Italy"), ("Politecnico di Torino", "Italy"),
                           ("Servicio Nacional de Aprendizaje (SENA)", "Colombia"),
                           ("Serviço Nacional de Aprendizagem Industrial (SENAI)", "Brazil"),
                           ("UNU-MERIT — Maastricht University", "Netherlands"), ("Sciences Po", "France"),
                           ("Bonn-Rhein-Sieg University of Applied Sciences", "Germany"),
                           ("Omnia Education Partnerships Ltd", "Finland")],
    "social_partner": [("European Trade Union Institute (ETUI)", ""), ("International Organisation of Employers (IOE)", ""),
                       ("International Transport Workers' Federation (ITF)", ""),
                       ("Japan International Labour Foundation (JILAF)", "Japan"),
                       ("Dutch Employers Cooperation Programme (DECP)", "Netherlands"),
                       ("Confederazione Generale Italiana del Lavoro (CGIL)", "Italy"), ("Confindustria", "Italy"),
                       ("ACV-CSC", "Belgium"), ("Federation of Kenya Employers", "Kenya"),
                       ("Sociedad Nacional de Industrias", "Peru")],
    "private_sector": [("Moncler SpA", "Italy"), ("Intesa Sanpaolo SpA", "Italy"), ("Luigi Lavazza SpA", "Italy"),
                       ("TREE Srl", "Italy"), ("ICS — Initiative for Compliance and Sustainability", "France"),
                       ("Business & Sport Travel LLP", "Kazakhstan"), ("Gattinoni & Co. Srl", "Italy")],
    "foundation": [("Fondazione Compagnia di San Paolo", "Italy"), ("Fondazione CRT", "Italy"),
                   ("Mastercard Foundation", ""), ("Aga Khan Foundation", ""), ("Fondazione Lavazza", "Italy")],
    "intergovernmental": [("OECD", ""), ("OSCE", ""), ("European Training Foundation (ETF)", ""),
                          ("Organization of American States (OAS)", ""), ("African Union Commission", ""),
                          ("ECOWAS Commission", ""), ("Frontex", "")],
    "awarded_project": [("European Commission — DG INTPA", ""), ("European Commission — DG EMPL", ""),
                        ("Asian Development Bank", ""), ("World Bank Group", ""), ("Plan International", ""),
                        ("Inter-American Development Bank", "")],
    "other_ngo": [("Helvetas Swiss Intercooperation", ""), ("Forum for African Women Educationalists (FAWE)", ""),
                  ("Swisscontact", ""), ("Save the Children Italia", "Italy"), ("Oxfam Italia", "Italy"),
                  ("Fondation Hirondelle", "Switzerland")],
}
CATEGORY_WEIGHTS = {"direct_trust_fund": 26, "un_system": 22, "training_institute": 9, "multi_bilateral": 8,
                    "social_partner": 8, "private_sector": 7, "awarded_project": 4, "ifi": 4,
                    "intergovernmental": 4, "foundation": 3, "other_ngo": 3}

# Agreements placed by hand: (year, month, day, partner, category, country, amount, currency, period, notes)
FIXED = [
    (2020, 3, 24, "European Commission — Directorate-General for International Partnerships (DG INTPA)",
     "awarded_project", "", 1250000, "EUR", "2020-23", "Awarded through call for proposals"),
    (2020, 11, 18, "Instituto Salvadoreño de Formación Profesional (INSAFORP)", "training_institute",
     "El Salvador", 1420000, "EUR", "2020-22", "Long-term training project, phase II"),
    (2021, 10, 7, "Asian Development Bank", "awarded_project", "", 640000, "USD", "2021-23",
     "Procurement capacity development (BUILDPROC preparation)"),
    (2021, 6, 15, "Gabinete de Estratégia e Planeamento (GEP), Ministério do Trabalho, Solidariedade e Segurança Social",
     "multi_bilateral", "Portugal", 650000, "EUR", "2021-22", ""),
    # near misses, not over EUR 500,000 at the signing month's rate
    (2020, 9, 9, "Ministry of Health, Labour and Welfare", "multi_bilateral", "Japan", 553100, "USD", "2020-21",
     "Employment and OSH programme"),
    (2021, 5, 12, "Ministry of Health, Labour and Welfare", "multi_bilateral", "Japan", 590000, "USD", "2021-22",
     "Employment and OSH programme"),
    (2021, 4, 20, "Swiss Agency for Development and Cooperation (SDC)", "multi_bilateral", "Switzerland", 540000,
     "CHF", "2021-23", ""),
    (2023, 11, 22, "Flanders Department of Economy, Science and Innovation", "multi_bilateral", "Belgium", 500000,
     "EUR", "2023-25", "Amount capped at 500,000"),
    (2022, 6, 2, "Japan International Labour Foundation (JILAF)", "social_partner", "Japan", 2500000, "JPY", "2022",
     "Paid in yen"),
    (2023, 3, 8, "UK Foreign, Commonwealth & Development Office", "multi_bilateral", "United Kingdom", 185000,
     "GBP", "2023", ""),
    (2022, 10, 19, "Swedish International Development Cooperation Agency (Sida)", "multi_bilateral", "Sweden",
     2400000, "SEK", "2022-23", ""),
]
# Special signing dates of Annex 2 agreements, by (year, partner prefix, currency)
ANNEX_DATES = {
    (2022, "Microsoft Philanthropies", "EUR"): date(2022, 8, 29),
    (2022, "Ministère de la Santé, du Travail", "USD"): date(2022, 1, 26),   # rate 0.881 -> EUR 487,281
    (2023, "Ministère de la Santé, du Travail", "USD"): date(2023, 8, 3),    # rate 0.899 -> EUR 497,237
}


def _business_day(rng: random.Random, year: int, months=range(1, 13)) -> date:
    while True:
        m = rng.choice(list(months))
        d = date(year, m, 1) + timedelta(days=rng.randint(0, 27))
        if d.weekday() < 5 and not (m == 8 and d.day < 20 and rng.random() < 0.6) and not (m == 12 and d.day > 22):
            return d


def _amount(rng: random.Random, cap_eur: float, cur: str, d: date) -> float:
    while True:
        eur = rng.lognormvariate(10.5, 1.05)
        if 800 <= eur <= cap_eur:
            break
    amt = eur / rate(cur, d)
    step = 1000 if amt > 50000 else 100 if amt > 5000 else 10
    if cur == "JPY":
        step = 100000
    if rng.random() < 0.35:
        return float(round(amt))
    return float(max(step, round(amt / step) * step))


def build(seed: int, scale: int = 1) -> list[Agreement]:
    rng = random.Random(f"{seed}:files:pmsu")
    signed: list[Agreement] = []
    with open(ANNEX2, encoding="utf-8") as f:
        annex = list(csv.DictReader(f))
    for r in annex:
        y = int(r["signed_year"])
        key = next((k for k in ANNEX_DATES if k[0] == y and r["partner_name"].startswith(k[1]) and k[2] == r["currency"]),
                   None)
        d = ANNEX_DATES[key] if key else _business_day(rng, y)
        note = "Annex 2 — signed" if r["list_section"] == "signed" else "Annex 2 — approved"
        signed.append(Agreement(r["partner_name"], r["partner_category"], r["partner_country"], float(r["amount"]),
                                r["currency"], d, r["period"], "Signed", note))
    for (y, m, dd, partner, cat, country, amount, cur, period, notes) in FIXED:
        signed.append(Agreement(partner, cat, country, float(amount), cur, date(y, m, dd), period, "Signed", notes))
    cats, weights = zip(*CATEGORY_WEIGHTS.items())
    for y, n in SIGNED_PER_YEAR.items():
        have = sum(1 for a in signed if a.signed_on.year == y)
        for _ in range(n - have):
            cat = rng.choices(cats, weights)[0]
            partner, country = rng.choice(POOL[cat])
            d = _business_day(rng, y)
            cur = rng.choices(["EUR", "USD", "CHF", "GBP"], [86, 11, 2, 1])[0]
            amt = _amount(rng, 420000, cur, d)
            span = rng.choices([0, 1, 2], [70, 22, 8])[0]
            period = str(y) if span == 0 else f"{y}-{str(y + span)[2:]}"
            signed.append(Agreement(partner, cat, country, amt, cur, d, period, "Signed",
                                    rng.choice(["", "", "", "Renewal", "Amendment No. 1", "Sponsorship of participants",
                                                "Tailored course", "Co-financing", "MoU annex"])))
    # not counted: cancelled (some signed first) and drafts
    others = [
        Agreement("Ministry of Labour and Employment", "direct_trust_fund", "Ethiopia", 850000.0, "EUR",
                  date(2022, 4, 27), "2022-24", "Cancelled", "Cancelled by the partner after signature"),
        Agreement("Federal Ministry of Labour and Social Affairs (BMAS)", "multi_bilateral", "Germany", 1200000.0,
                  "EUR", None, "2024-26", "Draft", "Under negotiation"),
    ]
    for y in (2020, 2021, 2022, 2023):
        for _ in range(rng.randint(2, 4)):
            cat = rng.choices(cats, weights)[0]
            partner, country = rng.choice(POOL[cat])
            d = _business_day(rng, y)
            st = rng.choice(["Cancelled", "Draft"])
            others.append(Agreement(partner, cat, country, _amount(rng, 300000, "EUR", d), "EUR",
                                    d if (st == "Cancelled" and rng.random() < 0.5) else None, str(y + (st == "Draft")),
                                    st, "Withdrawn" if st == "Cancelled" else "Awaiting partner signature"))
    # references in signing order per year
    signed.sort(key=lambda a: (a.signed_on, a.partner))
    seq: dict[int, int] = {}
    for a in signed:
        y = a.signed_on.year
        seq[y] = seq.get(y, 0) + 1
        a.ref = f"PMSU-{y}-{seq[y]:03d}"
    for a in others:
        y = int(a.period[:4]) if a.signed_on is None else a.signed_on.year
        y = min(y, 2023)
        seq[y] = seq.get(y, 0) + 1
        a.ref = f"PMSU-{y}-{seq[y]:03d}"
    return signed + others


def _messy_amount(rng: random.Random, amount: float):
    r = rng.random()
    if amount >= 1000 and r < 0.03:
        return f"{int(amount):,}".replace(",", " ")
    if amount >= 1000 and r < 0.06:
        return f"{int(amount):,}"
    if r < 0.08:
        return f"{int(amount)} "
    return int(amount) if amount == int(amount) else amount


def write(out: Path, agreements: list[Agreement], seed: int) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rng = random.Random(f"{seed}:files:pmsu:xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    header = ["Ref", "Partner", "Partner category", "Country", "Amount", "Currency", "Signed on", "Period", "Status",
              "Notes"]
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    rows = sorted(agreements, key=lambda a: a.ref)
    last_year = None
    for a in rows:
        y = a.ref[5:9]
        if last_year and y != last_year and rng.random() < 0.8:
            ws.append([None] * len(header))          # blank row between the years' blocks
        last_year = y
        sp = lambda s: s + " " if (s and rng.random() < 0.04) else s  # noqa: E731 trailing spaces
        ws.append([a.ref, sp(a.partner), sp(CATEGORY_LABEL[a.category]), a.country or None,
                   _messy_amount(rng, a.amount), a.currency, a.signed_on, a.period,
                   a.status + (" " if rng.random() < 0.03 else ""), a.notes or None])
        if a.signed_on is not None:
            ws.cell(row=ws.max_row, column=7).number_format = "dd/mm/yyyy"
        if rng.random() < 0.01:
            ws.append([None] * len(header))
    ws.append([None] * len(header))
    widths = [15, 60, 32, 20, 14, 9, 12, 10, 10, 40]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    wr = wb.create_sheet("Rates")
    wr.append(["Month", "Currency", "Rate"])
    for c in wr[1]:
        c.font = Font(bold=True)
    for i in range(48):
        month = f"{2020 + i // 12}-{i % 12 + 1:02d}"
        for cur in ("EUR", "USD", "CHF", "GBP", "JPY", "SEK"):
            wr.append([month, cur, RATES[cur][i]])
    wb.properties.created = datetime(2024, 1, 31, 9, 0, 0)
    wb.properties.modified = datetime(2024, 1, 31, 9, 0, 0)
    wb.properties.creator = "PMSU"
    wb.save(out / "agreements.xlsx")


def expected(agreements: list[Agreement]) -> list[tuple[str, str, str, float]]:
    signed = [a for a in agreements if a.status == "Signed" and a.signed_on is not None]
    n = {y: sum(1 for a in signed if a.signed_on.year == y) for y in (2020, 2021, 2022, 2023)}
    big = {y: sum(1 for a in signed if a.signed_on.year == y and a.eur() > 500000) for y in (2020, 2021, 2022, 2023)}
    rows = []
    for y in (2021, 2022, 2023):
        rows.append(("3.1", "funding_agreement_growth", str(y), (n[y] / n[y - 1] - 1) * 100))
    rows.append(("3.1", "funding_agreement_growth", "2022-23", ((n[2022] + n[2023]) / (n[2020] + n[2021]) - 1) * 100))
    for y in (2020, 2021, 2022, 2023):
        rows.append(("3.3", "contracts_over_500k_eur", str(y), big[y]))
    rows.append(("3.3", "contracts_over_500k_eur", "2020-21", big[2020] + big[2021]))
    rows.append(("3.3", "contracts_over_500k_eur", "2022-23", big[2022] + big[2023]))
    return rows
