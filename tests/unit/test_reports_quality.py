"""The data-quality page: its numbers are the warehouse's (checked against queries of the raw history and
the build on the sample world), formatted in English and French, written atomically, degrading when a
table or the review queue is missing."""
import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.quality import QUALITY_NAMES
from orchestration.reports.write import write_quality_page
from orchestration.stewardship.queue import QUEUE_TABLE


def write_queue_file(path: Path, pairs: list[tuple]) -> Path:
    """A review queue as orchestration/stewardship/queue.py writes it (the columns the page reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table {QUEUE_TABLE} (pair_key varchar, match_probability double, evidence varchar, "
                    "source_system_l varchar, source_system_r varchar, person_key_l varchar, person_key_r varchar, "
                    "counted_enrolments_l bigint, counted_enrolments_r bigint, scored_at timestamp)")
        con.executemany(f"insert into {QUEUE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, timestamp '2024-01-08 06:00')",
                        pairs)
    return path


def build_quality_marts(path: Path) -> Path:
    """A marts file with every table the page reads, figures large enough to show the thousands separators."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create table data_quality_loads as select * from (values
              ('map', 'r2', date '2024-01-09', 1::bigint, 12345::bigint, 3::bigint, 98765::bigint),
              ('solicomm', 'r2', date '2024-01-09', 2, 1500, 250, 40210),
              ('map', 'r1', date '2024-01-08', 1, 7, 0, 98420)
            ) t(source_system, run_id, night, extractions, rows_loaded, rows_vanished, rows_held);
            create table data_quality_rejects as select * from (values
              ('finance', date '2024-01-09', 'staff.csv', null::date, 'amount is not a number', 1234::bigint),
              ('solicomm', date '2024-01-09', 'members.csv', date '2024-01-09', 'duplicate member_id', 2)
            ) t(source_system, night, file_name, snapshot_date, rule, rows_rejected);
            create table data_quality_refused_drops as select * from (values
              (date '2024-01-09', 'r2', date '2024-01-10', '2024-01-10 is incomplete: no manifest.json yet')
            ) t(night, run_id, snapshot_date, reason);
            create table data_quality_refused_submissions as select * from (values
              ('indicator_submissions.csv', 'unknown indicator code', 3::bigint)
            ) t(source_file, reason, rows_refused);
            create table data_quality_vanished as select * from (values
              ('solicomm', 'members', 40210::bigint, 1002::bigint, 1002::bigint, timestamp '2024-01-09 00:00'),
              ('map', 'activity', 800, 0, 0, null::timestamp)
            ) t(source_system, table_name, rows_held, rows_vanished, rows_erased, last_vanished_at);
            create table data_quality_identity_rules as select * from (values
              ('L1', 2100::bigint, 4200::bigint, 2100::bigint), ('L2', 15321, 28000, 12001),
              ('L3', 900, 1750, 850)
            ) t(rule, links, records_linked, persons);
            create table data_quality_component_sizes as select * from (values
              (1::bigint, 101234::bigint, 101234::bigint), (2, 13000, 26000), (3, 700, 2100), (12, 1, 12)
            ) t(records, persons, records_total);
            create table data_quality_largest_components as select * from (values
              (1::bigint, 'P00aa11bb22cc33dd', 12::bigint, 1::bigint, 3::bigint, 8::bigint, 14::bigint,
               'L2 13, L3 1'),
              (2, 'P1234567890abcdef', 3, 1, 1, 1, 2, 'L1 1, L2 1')
            ) t(size_rank, person_key, records, map_records, ecampus_records, solicomm_records, links,
                links_by_rule);
            create table source_watermarks as select * from (values
              ('map', timestamp '2024-01-09 02:10', '2024-01-09 01:00:00', 98765::bigint),
              ('finance', timestamp '2024-01-02 02:10', '2023', 12),
              ('platforms', null::timestamp, null, 0)
            ) t(source_system, last_extracted_at, data_watermark, rows_held);
        """)
    return path


def text_of(html: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#39;", "'")


def cells(html: str, row_attribute: str, cell_class: str) -> dict[str, str]:
    """{the row's data attribute: the text of its cell of class `cell_class`}."""
    found = {}
    for attribute, row in re.findall(rf'<tr {row_attribute}="([^"]*)"[^>]*>(.*?)</tr>', html, flags=re.S):
        match = re.search(rf'<td class="[^"]*\b{cell_class}\b[^"]*">([^<]*)</td>', row)
        if match:
            found[attribute] = match.group(1)
    return found


@pytest.fixture
def pages(tmp_path):
    marts = build_quality_marts(tmp_path / "marts.duckdb")
    queue = write_queue_file(tmp_path / "stewardship" / "review_queue.duckdb", [
        ("map:1|solicomm:9", 0.9871, "name: same name (+16.9)", "map", "solicomm", "Paaa", "Pbbb", 1200, 3),
        ("ecampus:4|map:2", 0.93, "email_local: same (+8.0)", "ecampus", "map", "Pccc", "Pddd", 2, 1),
    ])
    paths = write_quality_page(marts, tmp_path / "reports", queue)
    return {lang: path.read_text(encoding="utf-8") for lang, path in paths.items()}


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["12,345", "98,765", "1,234", "1,002", "15,321", "101,234", "98.7%", "Rows loaded by night",
            "Pairs awaiting review", "amount is not a number", "no manifest.json yet", "stale", "not configured"]),
    # CLDR French: U+202F between thousands, U+00A0 before %
    ("fr", ["12\u202f345", "98\u202f765", "1\u202f234", "1\u202f002", "15\u202f321", "101\u202f234", "98,7\u00a0%",
            "Lignes chargées par nuit", "Paires en attente de revue", "périmée", "non configurée"]),
])
def test_figures_in_english_and_french_formatting(pages, lang, expected):
    text = text_of(pages[lang])
    for figure in expected:
        assert figure in text, figure
    assert f'lang="{lang}"' in pages[lang]


def test_page_shows_the_tables_as_they_are(pages):
    page = pages["en"]
    assert cells(page, "data-rule", "links") == {"L1": "2,100", "L2": "15,321", "L3": "900"}
    assert cells(page, "data-size", "persons") == {"1": "101,234", "2": "13,000", "3": "700", "12": "1"}
    assert cells(page, "data-person", "size") == {"P00aa11bb22cc33dd": "12", "P1234567890abcdef": "3"}
    # totals of the identity tiles: the sums of data_quality_component_sizes
    assert re.search(r'id="q-records">129,346<', page) and re.search(r'id="q-persons">114,935<', page)
    assert re.search(r'id="q-queue-size">2<', page)
    # only the tables with vanished rows; the newest night first
    assert list(cells(page, "data-table", "erased")) == ["solicomm.members"]
    assert page.index('data-night="2024-01-09"') < page.index('data-night="2024-01-08"')
    # the queue's pairs by probability, pseudonymous keys
    assert page.index("map:1 · solicomm:9") < page.index("ecampus:4 · map:2")


def test_absent_queue_says_not_run_yet_and_absent_tables_are_named(tmp_path):
    marts = tmp_path / "marts.duckdb"
    with duckdb.connect(str(marts)) as con:
        con.execute("create table source_watermarks (source_system varchar, last_extracted_at timestamp, "
                    "data_watermark varchar, rows_held bigint)")
    paths = write_quality_page(marts, tmp_path / "reports", tmp_path / "no_queue.duckdb")
    en, fr = (paths[lang].read_text(encoding="utf-8") for lang in ("en", "fr"))
    assert 'id="q-queue-not-run"' in en and "Not run yet" in en and "Pas encore exécutée" in fr
    assert "no table data_quality_identity_rules" in text_of(en)


def test_a_fault_leaves_the_previous_pages_whole(pages, tmp_path, monkeypatch):
    from orchestration.reports import quality

    before = {lang: (tmp_path / "reports" / name).read_bytes() for lang, name in QUALITY_NAMES.items()}
    calls = []

    def render_then_fail(data, lang):
        calls.append(lang)
        if len(calls) == 2:
            raise RuntimeError("template broke")
        return "<html>new</html>"

    monkeypatch.setattr(quality, "render_quality_html", render_then_fail)
    with pytest.raises(RuntimeError):
        write_quality_page(tmp_path / "marts.duckdb", tmp_path / "reports", tmp_path / "no_queue.duckdb")
    assert {lang: (tmp_path / "reports" / name).read_bytes() for lang, name in QUALITY_NAMES.items()} == before
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(QUALITY_NAMES.values())


# --- the sample world: the page's numbers against queries of the warehouse ------------------------------

def dbt_build(warehouse: Path, select: str) -> None:
    from orchestration.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR

    done = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", select, "--target-path", str(warehouse / "dbt_target"), "--quiet"],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**os.environ, "WAREHOUSE_DIR": str(warehouse)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_sample_world_page_numbers_are_the_warehouse_numbers(sample_warehouse):
    raw, build, marts = (sample_warehouse / name for name in ("raw.duckdb", "build.duckdb", "marts.duckdb"))
    # Rejects and a refused drop planted in the raw history (the sample's files are clean), then only the
    # models reading them rebuilt and copied into the marts as the publication would.
    with duckdb.connect(str(raw)) as con:
        con.execute("insert into raw_finance.rejects values ('staff.csv', 4, 'year is not a number', 'x', "
                    "now()::timestamp), ('staff.csv', 7, 'year is not a number', 'y', now()::timestamp), "
                    "('net_contribution.csv', 3, 'duplicate key', 'z', now()::timestamp)")
        con.execute("insert into raw_solicomm.rejects values (date '2023-06-01', 'members.csv', 5, "
                    "'duplicate member_id', 'w', now()::timestamp)")
        con.execute("insert into raw_solicomm.drops_refused values (date '2024-02-01', '/landing/2024-02-01', "
                    "'2024-02-01 is incomplete: no manifest.json yet', 'r', now()::timestamp)")
    dbt_build(sample_warehouse, "stg_warehouse__rejects+ data_quality_refused_drops")
    with duckdb.connect(str(marts)) as con:
        con.execute(f"attach '{build}' as b (read_only)")
        for table in ("data_quality_rejects", "data_quality_refused_drops"):
            con.execute(f"create or replace table {table} as select * from b.marts.{table}")

    page = write_quality_page(marts, sample_warehouse / "reports", sample_warehouse / "no_queue.duckdb")["en"]
    html = page.read_text(encoding="utf-8")

    with duckdb.connect(str(raw), read_only=True) as con:
        loaded = dict(con.execute(
            "select source_system, sum(rows_written)::bigint from raw_warehouse.source_extractions "
            "where extracted_at is not null group by 1").fetchall())
    shown = {source: int(value.replace(",", "")) for source, value in cells(html, "data-source", "loaded").items()}
    assert shown == loaded and len(shown) == 9  # one night in the sample: every source's rows written
    rejected = {}
    for row in re.findall(r'<tr data-source="([^"]*)" data-rule="([^"]*)">(.*?)</tr>', html, flags=re.S):
        count = int(re.search(r'class="num rejected">([^<]*)<', row[2]).group(1))
        rejected[(row[0], row[1])] = rejected.get((row[0], row[1]), 0) + count
    assert rejected == {("finance", "year is not a number"): 2, ("finance", "duplicate key"): 1,
                        ("solicomm", "duplicate member_id"): 1}
    assert "no manifest.json yet" in text_of(html)

    with duckdb.connect(str(build), read_only=True) as con:
        links = dict(con.execute("select rule, count(*) from intermediate.int_identity_links group by 1").fetchall())
        sizes = dict(con.execute("select n, count(*) from (select count(*) n from intermediate.int_persons_resolved "
                                 "group by person_key) group by n").fetchall())
        largest = con.execute("select person_key, count(*) from intermediate.int_persons_resolved group by 1 "
                              "order by 2 desc, 1 limit 10").fetchall()
    assert {rule: int(v) for rule, v in cells(html, "data-rule", "links").items()} == links
    assert {int(size): int(v) for size, v in cells(html, "data-size", "persons").items()} == sizes
    assert [(person, int(v)) for person, v in cells(html, "data-person", "size").items()] == largest
    with duckdb.connect(str(raw), read_only=True) as con:
        members = con.execute("select count(*) filter (where _vanished_at is not null), count(*) filter "
                              "(where _vanished_at is not null and email_key is null) from raw_solicomm.members").fetchone()
    row = re.search(r'<tr data-table="solicomm.members">(.*?)</tr>', html, flags=re.S).group(1)
    assert re.search(r'class="num vanished">([^<]*)<', row).group(1) == str(members[0])
    assert re.search(r'class="num erased">([^<]*)<', row).group(1) == str(members[1]) != "0"
    assert 'id="q-queue-not-run"' in html
