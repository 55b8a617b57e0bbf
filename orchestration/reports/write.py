"""Writing the report files atomically: all rendered first, written under temporary names, then renamed
into place, so a reader sees either the previous files or the new ones, never a partial file. The Annex 1
report (annex1_en.html, annex1_fr.html, annex1.xlsx) and the data-quality page (quality_en.html,
quality_fr.html) are written the same way, each set on its own: a fault in one leaves the other as it is."""
from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

from orchestration.reports import html, quality, xlsx
from orchestration.reports.data import load_report_data
from orchestration.reports.texts import LANGUAGES

REPORTS_DIR_NAME = "reports"


def write_reports(marts_db: Path, out_dir: Path, periods: list[str] | None = None) -> dict[str, Path]:
    """Write annex1_en.html, annex1_fr.html and annex1.xlsx into `out_dir`; returns {"en", "fr", "xlsx"} paths."""
    data = load_report_data(Path(marts_db), periods)
    contents = {lang: html.render_html(data, lang).encode("utf-8") for lang in LANGUAGES}
    buffer = io.BytesIO()
    xlsx.build_workbook(data).save(buffer)
    contents["xlsx"] = buffer.getvalue()
    names = {**html.HTML_NAMES, "xlsx": xlsx.XLSX_NAME}
    return replace_atomically(Path(out_dir), {key: (names[key], content) for key, content in contents.items()})


def write_quality_page(marts_db: Path, out_dir: Path, queue_db: Path | None = None) -> dict[str, Path]:
    """Write quality_en.html and quality_fr.html into `out_dir`; returns {"en", "fr"} paths."""
    data = quality.load_quality_data(Path(marts_db), queue_db)
    return replace_atomically(Path(out_dir), {
        lang: (quality.QUALITY_NAMES[lang], quality.render_quality_html(data, lang).encode("utf-8"))
        for lang in LANGUAGES})


def replace_atomically(out_dir: Path, files: dict[str, tuple[str, bytes]]) -> dict[str, Path]:
    """Write every file ({key: (file name, content)}) under a temporary name, then rename them all into
    place; returns {key: path}. A failure before the renames leaves the previous files untouched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    targets = {key: out_dir / name for key, (name, _) in files.items()}
    temporary = {key: path.with_name(f".{path.name}.{token}.tmp") for key, path in targets.items()}
    try:
        for key, (_, content) in files.items():
            write_synced(temporary[key], content)
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
