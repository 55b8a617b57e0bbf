"""The Annex 1 report as a reader sees it: rendered by headless Chromium (Debian's `chromium` package),
offline, it shows the figures in English and French formatting and the charts with their data.

Without chromium the test is skipped with the reason, except under CI (env CI set), where it fails: CI
installs it (`apt-get install -y chromium`). Set REPORT_SCREENSHOT_DIR to keep the screenshots.
"""
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.reports.write import write_reports
from tests.unit.test_reports_fixture import build_marts

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not found:
        reason = "headless Chromium not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must install it")
        pytest.skip(reason)
    return found


def run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def render_pages(browser, folder: Path, paths: dict, name: str, window: str) -> dict:
    """Each language's page (`paths[lang]`) rendered headless: its DOM and a screenshot `<name>_<lang>.png`
    (also copied into REPORT_SCREENSHOT_DIR when set)."""
    pages = {}
    for lang in ("en", "fr"):
        url = paths[lang].resolve().as_uri()
        dom = run_chromium(browser, folder / f"profile-dom-{lang}", "--dump-dom", url).stdout
        screenshot = folder / f"{name}_{lang}.png"
        run_chromium(browser, folder / f"profile-shot-{lang}", f"--screenshot={screenshot}",
                     f"--window-size={window}", url)
        keep = os.environ.get("REPORT_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy2(screenshot, Path(keep) / screenshot.name)
        pages[lang] = {"dom": dom, "screenshot": screenshot}
    return pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    browser = chromium()
    folder = tmp_path_factory.mktemp("annex1-report")
    paths = write_reports(build_marts(folder / "marts.duckdb"), folder / "reports")
    return render_pages(browser, folder, paths, "annex1", "1400,3000")


def text_of(dom: str) -> str:
    """The visible text, roughly: tags dropped, entities resolved, runs of ASCII whitespace collapsed (the
    no-break spaces of French numbers are kept, to be asserted exactly)."""
    body = re.sub(r"<style.*?</style>", " ", dom, flags=re.S)
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"[ \t\r\n]+", " ", body)


@pytest.mark.parametrize(
    ("lang", "figures"),
    [
        ("en", ["13,745", "153,499", "97,344", "24,008", "41%", "34.54%", "4.54", "95.9%", "Completed", "5:1",
                "Immediate outcome 1", "Baseline", "Target", "Results", "Reconciliation with the published report"]),
        # CLDR French: U+202F between thousands, U+00A0 before % (Babel's fr percent pattern)
        ("fr", ["13\u202f745", "153\u202f499", "97\u202f344", "24\u202f008", "41\u00a0%", "34,54\u00a0%", "4,54",
                "95,9\u00a0%", "Achevée", "5:1",
                "Résultat immédiat 1", "Base de référence", "Cible", "Résultats",
                "Rapprochement avec le rapport publié"]),
    ],
)
def test_page_shows_the_figures(rendered, lang, figures):
    text = text_of(rendered[lang]["dom"])
    missing = [f for f in figures if f not in text]
    assert not missing, f"not shown on the {lang} page: {missing}"
    assert "3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c" in text  # provenance: the run id


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_shows_the_charts_with_their_data(rendered, lang):
    dom = rendered[lang]["dom"]
    figures = re.findall(r'<figure class="chart[^"]*" id="([^"]+)" data-chart="([^"]+)" data-points="(\d+)"', dom)
    assert {name for _, name, _ in figures} == {"enrolments", "women", "unique", "agreements"}
    assert all(int(points) > 0 for _, _, points in figures), figures
    svgs = re.findall(r"<svg.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 4
    enrolments = next(s for s in svgs if f'id="svg-chart-enrolments-{lang}"' in s)
    bars = re.findall(rf'id="chart-enrolments-{lang}-series\d-bar\d+"', enrolments)
    assert len(bars) == 12  # three channels over four years
    assert ("79,026" if lang == "en" else "79\u202f026") in enrolments  # the bars carry their labels
    assert "2022" in enrolments and "2023" in enrolments


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_screenshot_is_a_rendered_page(rendered, lang):
    from PIL import Image

    with Image.open(rendered[lang]["screenshot"]) as image:
        assert image.size == (1400, 3000)
        colours = image.convert("RGB").resize((140, 300)).getcolors(maxcolors=1_000_000)
    assert len(colours) > 200, "the page rendered (almost) blank"
    # the masthead's ILO blue is there
    with Image.open(rendered[lang]["screenshot"]) as image:
        r, g, b = image.convert("RGB").getpixel((1000, 40))
    assert b > 120 and r < 90


def test_asset_materialises_into_the_warehouse_reports_folder(tmp_path, monkeypatch):
    from dagster import materialize

    from orchestration import reports

    assert reports.assets == [reports.annex1_report, reports.data_quality_page]
    warehouse = tmp_path / "warehouse"
    build_marts(warehouse / "marts.duckdb")
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    result = materialize([reports.annex1_report])
    assert result.success
    assert sorted(p.name for p in (warehouse / "reports").iterdir()) == [
        "annex1.xlsx", "annex1_en.html", "annex1_fr.html"]


def test_command_line_prints_the_paths(tmp_path):
    warehouse = tmp_path / "warehouse"
    build_marts(warehouse / "marts.duckdb")
    env = {**os.environ, "WAREHOUSE_DIR": str(warehouse)}
    done = subprocess.run([sys.executable, "-m", "orchestration.reports"], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).parents[2], timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("annex1_en.html", "annex1_fr.html", "annex1.xlsx", "quality_en.html", "quality_fr.html"):
        assert str(warehouse / "reports" / name) in done.stdout


# --- the data-quality page ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quality_rendered(tmp_path_factory):
    from orchestration.reports.write import write_quality_page
    from tests.unit.test_reports_quality import build_quality_marts, write_queue_file

    browser = chromium()
    folder = tmp_path_factory.mktemp("quality-page")
    queue = write_queue_file(folder / "review_queue.duckdb", [
        ("map:1|solicomm:9", 0.9871, "name: same name (+16.9), birth_year: same decade (+2.1)", "map", "solicomm",
         "P0a1b2c3d4e5f6a7b", "P9f8e7d6c5b4a3f2e", 12, 3),
    ])
    paths = write_quality_page(build_quality_marts(folder / "marts.duckdb"), folder / "reports", queue)
    return render_pages(browser, folder, paths, "quality", "1400,2400")


@pytest.mark.parametrize(("lang", "figures"), [
    ("en", ["12,345", "15,321", "101,234", "98.7%", "Identity resolution", "Freshness of the sources", "stale"]),
    ("fr", ["12\u202f345", "15\u202f321", "101\u202f234", "98,7\u00a0%", "Rapprochement des identités",
            "Fraîcheur des sources", "périmée"]),
])
def test_quality_page_renders_in_chromium_with_its_figures(quality_rendered, lang, figures):
    from PIL import Image

    text = text_of(quality_rendered[lang]["dom"])
    for figure in figures:
        assert figure in text, figure
    with Image.open(quality_rendered[lang]["screenshot"]) as image:
        rgb = image.convert("RGB")
        r, g, b = rgb.getpixel((1000, 40))  # the masthead's ILO blue
        # the size distribution's bars are drawn (ILO blue inside the bar column)
        bars = sum(1 for x in range(700, 1400, 4) for y in range(900, 1500, 4)
                   if rgb.getpixel((x, y)) == (0x1e, 0x2d, 0xbe))
    assert b > 120 and r < 90
    assert bars > 0
