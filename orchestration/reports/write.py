"""Writing the three report files atomically: all rendered first, written under temporary names, then
renamed into place, so a reader sees either the previous reports or the new ones, never a partial file."""
from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

from orchestration.reports import html, xlsx
from orchestration.reports.data import load_report_data
from orchestration.reports.texts import LANGUAGES

REPORTS_DIR_NAME = "reports"


def write_reports(marts_db: Path, out_dir: Path, periods: list[str] | None = None) -> dict[str, Path]:
    """Write annex1_en.html, annex1_fr.html and annex1.xlsx into `out_dir`; returns {"en", "fr", "xlsx"} paths."""
    data = load_report_data(Path(marts_db), periods)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    targets = {lang: out_dir / html.HTML_NAMES[lang] for lang in LANGUAGES}
    targets["xlsx"] = out_dir / xlsx.XLSX_NAME
    temporary = {key: path.with_name(f".{path.name}.{token}.tmp") for key, path in targets.items()}
    try:
        for lang in LANGUAGES:
            write_synced(temporary[lang], html.render_html(data, lang).encode("utf-8"))
        buffer = io.BytesIO()
        xlsx.build_workbook(data).save(buffer)
        write_synced(temporary["xlsx"], buffer.getvalue())
        for key, path in targets.items():
            os.replace(temporary[key], path)
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
    return targets


def write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def reports_dir() -> Path:
    from orchestration.settings import warehouse_dir

    return warehouse_dir() / REPORTS_DIR_NAME
