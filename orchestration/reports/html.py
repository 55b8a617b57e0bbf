"""The report's HTML pages (templates/annex1.html.j2), one per language, self-contained: styles inline,
charts as inline SVG, nothing fetched."""
from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.reports.charts import charts
from orchestration.reports.data import ReportData
from orchestration.reports.layout import key_figures, layout, reconciliation_view, restatements_view, targets_tile
from orchestration.reports.periods import is_biennium, period_range
from orchestration.reports.texts import TEMPLATES_DIR, messages

HTML_NAMES = {"en": "annex1_en.html", "fr": "annex1_fr.html"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(data: ReportData, lang: str) -> str:
    labels = messages(lang)
    table = layout(data, lang)
    other = "fr" if lang == "en" else "en"
    return environment().get_template("annex1.html.j2").render(
        lang=lang, labels=labels, periods=data.periods,
        period_headers=[{"period": p, "biennium": is_biennium(p)} for p in data.periods],
        subtitle=labels["subtitle"].format(periods=period_range(data.periods)),
        table=table, reconciliation=reconciliation_view(data, lang), charts=charts(data, lang),
        key_figures=key_figures(data, lang),
        other_href=HTML_NAMES[other], run_ids=data.run_ids, built_at=data.built_at,
        generated_at=data.generated_at, marts_db=data.marts_db.name, tables_read=data.tables_read,
        targets_tile=targets_tile(table, lang), restatements=restatements_view(data, lang),
    )
