"""The published figures the demo is calibrated to, copied into the project (never read from ../shared).

Annex 1's figures are the dbt seed the reconciliation also reads (one copy); Annex 2's agreements are only
the generator's business and live here.
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANNEX1_PUBLISHED_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "annex1_published.csv"
ANNEX2_AGREEMENTS_CSV = Path(__file__).with_name("annex2-agreements.csv")
