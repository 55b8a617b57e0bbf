"""Regenerate dbt_project/seeds/countries.csv: ISO 3166-1 codes, English and French names, ILO region.

One-off maintenance script (not run by the warehouse): `pip install pycountry pycountry-convert` then
`python scripts/build_countries_seed.py`. Names come from pycountry (ISO 3166 and its French
translation); the ILO region from the continent (pycountry-convert) with the ILO's own groupings: the
Arab States and Europe & Central Asia cut across continents.
"""
import csv
import gettext
from pathlib import Path

import pycountry
import pycountry_convert

OUT = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "countries.csv"

ARAB_STATES = {"BH", "IQ", "JO", "KW", "LB", "OM", "QA", "SA", "SY", "AE", "YE", "PS"}
EUROPE_AND_CENTRAL_ASIA = {"AM", "AZ", "GE", "KZ", "KG", "TJ", "TM", "UZ", "TR", "CY", "IL"}
BY_CONTINENT = {"AF": "Africa", "NA": "Americas", "SA": "Americas", "AS": "Asia and the Pacific",
                "OC": "Asia and the Pacific", "EU": "Europe and Central Asia", "AN": "Asia and the Pacific"}
REGION_FR = {"Africa": "Afrique", "Americas": "Amériques", "Arab States": "États arabes",
             "Asia and the Pacific": "Asie et Pacifique", "Europe and Central Asia": "Europe et Asie centrale"}


def ilo_region(alpha2: str) -> str:
    if alpha2 in ARAB_STATES:
        return "Arab States"
    if alpha2 in EUROPE_AND_CENTRAL_ASIA:
        return "Europe and Central Asia"
    try:
        return BY_CONTINENT[pycountry_convert.country_alpha2_to_continent_code(alpha2)]
    except KeyError:
        return {"TL": "Asia and the Pacific", "EH": "Africa", "SX": "Americas", "VA": "Europe and Central Asia",
                "AQ": "Asia and the Pacific", "TF": "Africa", "UM": "Asia and the Pacific",
                "PN": "Asia and the Pacific"}.get(alpha2, "Europe and Central Asia")


def main() -> None:
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows = []
    for country in pycountry.countries:
        region = ilo_region(country.alpha_2)
        name = getattr(country, "common_name", None) or country.name
        rows.append({
            "alpha2": country.alpha_2, "alpha3": country.alpha_3, "name_en": name,
            "name_fr": french.gettext(country.name), "ilo_region": region, "ilo_region_fr": REGION_FR[region],
        })
    rows.append({"alpha2": "XK", "alpha3": "XKX", "name_en": "Kosovo", "name_fr": "Kosovo",
                 "ilo_region": "Europe and Central Asia", "ilo_region_fr": REGION_FR["Europe and Central Asia"]})
    rows.sort(key=lambda r: r["alpha2"])
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} countries written to {OUT}")


if __name__ == "__main__":
    main()
