"""SoliComm drops: every trap of contracts/solicomm.md, each a test that fails if it is mishandled."""
import hashlib
import json
import time

import pytest

from orchestration import pseudonymise
from orchestration.sources.solicomm import solicomm_drops
from tests.fixtures.files.builders import (
    BOM, COURSES_HEADER, ENROLMENTS_HEADER, MEMBERS_HEADER, course, csv_text, enrolment, member, write_drop,
    write_drop_files, write_sources,
)
from tests.fixtures.files.support import error_text, metadata, query, run_asset

CHECK = "solicomm_drops_loaded_cleanly"


@pytest.fixture
def landing(tmp_path, monkeypatch):
    """An empty SoliComm landing folder named by a sources file, and a temporary warehouse."""
    root = tmp_path / "sources"
    folder = root / "solicomm"
    folder.mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(write_sources(root, solicomm={"landing": "solicomm"})))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return folder


@pytest.fixture
def warehouse(landing, tmp_path):
    return tmp_path / "warehouse"


def check_result(result):
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def many(n: int, start: int = 1):
    """n members, one course, one enrolment each."""
    members = [member(i) for i in range(start, start + n)]
    enrolments = [enrolment(i, i, 1) for i in range(start, start + n)]
    return members, [course(1)], enrolments


def test_windows_1252_and_utf8_bom_drops_read_correctly(landing, warehouse):
    write_drop(landing, "2021-03-01", [member(1, first="François", last="Œuvre-Šimková", email="fr@ex.org")],
               [course(1)], [enrolment(1, 1, 1)])
    write_drop(landing, "2022-07-01", [member(1, first="François", last="Œuvre-Šimková", email="fr@ex.org"),
                                       member(2, first="Иван", last="Петров", email="iv@ex.org")],
               [course(1)], [enrolment(1, 1, 1), enrolment(2, 2, 1)])
    assert (landing / "2021-03-01" / "members.csv").read_bytes()[:3] != b"\xef\xbb\xbf"
    assert (landing / "2022-07-01" / "members.csv").read_bytes()[:3] == b"\xef\xbb\xbf"

    first = run_asset(solicomm_drops)
    assert first.success
    assert metadata(first, "solicomm", "members")["drops_loaded"] == "2021-03-01, 2022-07-01"
    rows = dict(query(warehouse, "select member_id, name_key from raw_solicomm.members"))
    assert rows == {"1": pseudonymise.name_key("François", "Œuvre-Šimková"),
                    "2": pseudonymise.name_key("Иван", "Петров")}
    # the cp1252 drop's course title (en dash, í) read as such, then replaced by the BOM drop's equal title
    assert query(warehouse, "select title from raw_solicomm.courses") == [("Course 1 – ergonomía",)]


def test_cp1252_drop_alone_keeps_its_accents(landing, warehouse):
    write_drop(landing, "2021-03-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    assert run_asset(solicomm_drops).success
    assert query(warehouse, "select title from raw_solicomm.courses") == [("Course 1 – ergonomía",)]
    assert query(warehouse, "select name_key from raw_solicomm.members") == [(pseudonymise.name_key("Ana", "Pérez"),)]


def test_first_run_loads_every_complete_drop_in_date_order(landing, warehouse):
    write_drop(landing, "2022-09-01", [member(1, organisation_name="Later")], [course(1)], [enrolment(1, 1, 1)])
    write_drop(landing, "2021-01-01", [member(1, organisation_name="Earlier"), member(2)], [course(1)],
               [enrolment(1, 1, 1), enrolment(2, 2, 1)])
    result = run_asset(solicomm_drops)
    assert result.success
    assert metadata(result, "solicomm", "enrolments")["watermark"] == "2022-09-01"
    assert query(warehouse, "select organisation_name, snapshot_date::varchar from raw_solicomm.members "
                            "where member_id = '1'") == [("Later", "2022-09-01")]
    assert query(warehouse, "select snapshot_date::varchar from raw_solicomm.drops_loaded order by 1") == [
        ("2021-01-01",), ("2022-09-01",)]


def test_incomplete_drop_is_not_loaded_named_and_loads_once_complete(landing, warehouse):
    write_drop(landing, "2022-07-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    write_drop(landing, "2022-07-02", [member(1), member(2)], [course(1)], [enrolment(1, 1, 1), enrolment(2, 2, 1)],
               manifest=False)
    result = run_asset(solicomm_drops)
    assert result.success
    evaluation = check_result(result)
    assert not evaluation.passed
    assert "2022-07-02" in evaluation.description and "incomplete" in evaluation.description
    # the refusal is recorded for the data-quality page, with its reason
    assert query(warehouse, "select snapshot_date::varchar, reason like '%incomplete%' "
                            "from raw_solicomm.drops_refused") == [("2022-07-02", True)]
    # the previous snapshot stays in force
    assert query(warehouse, "select count(*) from raw_solicomm.enrolments") == [(1,)]

    write_drop(landing, "2022-07-02", [member(1), member(2)], [course(1)], [enrolment(1, 1, 1), enrolment(2, 2, 1)])
    again = run_asset(solicomm_drops)
    assert check_result(again).passed
    assert query(warehouse, "select count(*) from raw_solicomm.enrolments") == [(2,)]


@pytest.mark.parametrize("tamper, words", [
    ({"enrolments.csv": {"sha256": "0" * 64}}, "sha256"),
    ({"members.csv": {"rows": 7}}, "manifest says 7"),
])
def test_drop_disagreeing_with_its_manifest_is_not_loaded(landing, warehouse, tamper, words):
    write_drop(landing, "2022-07-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    write_drop(landing, "2022-07-02", [member(2)], [course(1)], [enrolment(2, 2, 1)], tamper=tamper)
    result = run_asset(solicomm_drops)
    evaluation = check_result(result)
    assert not evaluation.passed and "2022-07-02" in evaluation.description and words in evaluation.description
    assert query(warehouse, "select enrolment_id, _vanished_at from raw_solicomm.enrolments") == [("1", None)]
    assert metadata(result, "solicomm", "enrolments")["watermark"] == "2022-07-01"


def test_malformed_rows_under_one_percent_are_set_aside_masked_and_counted(landing, warehouse):
    members, courses, enrolments = many(250)
    members.append("251;secret.person@mail.org;Zoë;Hidden;F;1990;ES;other;Org")  # wrong field count
    enrolments += ["251;1;1;31/02/2021;;active",  # unparseable date
                   "252;999;1;01/03/2021;;active"]  # member missing from the drop
    write_drop(landing, "2022-07-01", members, courses, enrolments)
    result = run_asset(solicomm_drops)
    assert result.success and check_result(result).passed
    meta = metadata(result, "solicomm", "enrolments")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (252, 250, 2)
    assert metadata(result, "solicomm", "members")["rows_rejected"] == 1
    rejects = query(warehouse, "select file_name, line_number, rule, raw_line from raw_solicomm.rejects "
                               "order by file_name, line_number")
    assert [(f, n, r) for f, n, r, _ in rejects] == [
        ("enrolments.csv", 252, "unparseable date (DD/MM/YYYY) in enrolled_on"),
        ("enrolments.csv", 253, "member_id not in the drop's members.csv"),
        ("members.csv", 252, "wrong number of fields: 9, expected 11"),
    ]
    member_line = rejects[2][3]
    assert member_line.startswith("251;") and "secret" not in member_line and "Zoë" not in member_line
    assert "Hidden" not in member_line and "1990" not in member_line


def test_over_one_percent_rejected_fails_the_drop_and_keeps_the_previous_snapshot(landing, warehouse):
    write_drop(landing, "2022-07-01", *many(100))
    members, courses, enrolments = many(100)
    enrolments[:2] = ["1;1;1;not a date;;active", "2;2;1;01/01/2021"]
    write_drop(landing, "2022-07-02", members[:99], courses, enrolments)  # + the enrolment of member 100
    result = run_asset(solicomm_drops)
    evaluation = check_result(result)
    assert not evaluation.passed
    assert ("SoliComm drop 2022-07-02: enrolments.csv has 3 rejected rows of 100 (3.0%, over the 1% limit"
            in evaluation.description)
    assert query(warehouse, "select count(*), max(snapshot_date)::varchar from raw_solicomm.enrolments "
                            "where _vanished_at is null") == [(100, "2022-07-01")]
    assert query(warehouse, "select count(*) from raw_solicomm.rejects") == [(0,)]


def test_erased_member_leaves_but_their_enrolments_stay_counted_and_flagged(landing, warehouse):
    write_drop(landing, "2022-07-01", [member(1), member(2, first="Erased", last="Person", email="gone@ex.org")],
               [course(1)], [enrolment(1, 1, 1), enrolment(2, 2, 1, enrolled_on="10/01/2022")])
    write_drop(landing, "2022-08-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    result = run_asset(solicomm_drops)
    assert result.success
    assert query(warehouse, "select enrolment_id, enrolled_on::varchar, _vanished_at::date::varchar "
                            "from raw_solicomm.enrolments order by 1") == [
        ("1", "2021-03-15", None), ("2", "2022-01-10", "2022-08-01")]
    assert query(warehouse, "select email_key, name_key, name_token_keys, birth_year_key, gender, "
                            "_vanished_at is not null from raw_solicomm.members where member_id = '2'") == [
        (None, None, None, None, "F", True)]
    assert query(warehouse, "select email_key is not null from raw_solicomm.members where member_id = '1'") == [
        (True,)]
    assert metadata(result, "solicomm", "enrolments")["rows_vanished"] == 1


def test_rerun_without_a_new_drop_loads_nothing(landing, warehouse):
    write_drop(landing, "2022-07-01", *many(50))
    assert run_asset(solicomm_drops).success
    before = query(warehouse, "select * from raw_solicomm.enrolments order by enrolment_id")
    started = time.monotonic()
    again = run_asset(solicomm_drops)
    assert again.success
    meta = metadata(again, "solicomm", "enrolments")
    assert (meta["rows_read"], meta["rows_loaded"], meta["drops_loaded"]) == (0, 0, "none")
    assert query(warehouse, "select * from raw_solicomm.enrolments order by enrolment_id") == before
    assert time.monotonic() - started < 10


def test_full_reload_replays_every_drop(landing, warehouse):
    write_drop(landing, "2022-07-01", *many(3))
    assert run_asset(solicomm_drops).success
    again = run_asset(solicomm_drops, tags={"warehouse/full_reload": "true"})
    assert metadata(again, "solicomm", "enrolments")["rows_loaded"] == 3


def rewrite(folder, name: str, edit) -> None:
    """Edit one file of a drop (bytes -> bytes), keeping its manifest checksum right."""
    path = folder / name
    data = edit(path.read_bytes())
    path.write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def add_column(data: bytes, after: str, name: str, values: list[str]) -> bytes:
    """A column `name` right after column `after` (header then one value per line, in order)."""
    lines = data.decode("utf-8-sig").split("\r\n")
    position = lines[0].split(";").index(after) + 1
    for i, value in enumerate([name, *values]):
        fields = lines[i].split(";")
        lines[i] = ";".join(fields[:position] + [value] + fields[position:])
    return BOM + "\r\n".join(lines).encode("utf-8")


def test_missing_required_column_is_named_and_nothing_loaded_is_lost(landing, warehouse):
    write_drop(landing, "2022-07-01", *many(3))
    assert run_asset(solicomm_drops).success
    folder = write_drop(landing, "2022-07-02", *many(3))
    rewrite(folder, "courses.csv", lambda data: data.replace(b";language", b";lang"))

    result = run_asset(solicomm_drops)
    assert not result.success
    assert "SoliComm drop 2022-07-02: courses.csv: required column(s) language missing" in error_text(result)
    assert query(warehouse, "select count(*), max(snapshot_date)::varchar from raw_solicomm.enrolments") == [
        (3, "2022-07-01")]


def test_extra_columns_are_ignored(landing, warehouse):
    """A column the contract does not know, even in the middle of a file, is not loaded and shifts nothing."""
    folder = write_drop(landing, "2022-07-01", [member(1), member(2, first="Luis", last="Gómez", gender="M", country="FR")],
                        [course(1)],
                        [enrolment(1, 1, 1), enrolment(2, 2, 1, enrolled_on="20/04/2021")])
    rewrite(folder, "members.csv", lambda data: add_column(data, "email", "phone", ["+34 600 000 001", ""]))
    rewrite(folder, "enrolments.csv", lambda data: add_column(data, "status", "grade", ["A", "B"]))
    assert (folder / "members.csv").read_bytes().decode("utf-8-sig").startswith("member_id;email;phone;first_name")

    result = run_asset(solicomm_drops)
    assert result.success
    assert metadata(result, "solicomm", "members")["rows_loaded"] == 2
    assert query(warehouse, "select member_id, email_key, name_key, gender, country from raw_solicomm.members "
                            "order by 1") == [
        ("1", pseudonymise.email_key("member1@example.org"), pseudonymise.name_key("Ana", "Pérez"), "F", "ES"),
        ("2", pseudonymise.email_key("member2@example.org"), pseudonymise.name_key("Luis", "Gómez"), "M", "FR")]
    assert query(warehouse, "select enrolment_id, enrolled_on::varchar, status from raw_solicomm.enrolments "
                            "order by 1") == [("1", "2021-03-15", "active"), ("2", "2021-04-20", "active")]
    for table in ("members", "enrolments", "rejects"):
        columns = {r[0] for r in query(warehouse, "select column_name from information_schema.columns "
                                                  "where table_schema = 'raw_solicomm' and table_name = ?", [table])}
        assert columns and not {"phone", "grade"} & columns, (table, columns)
    assert query(warehouse, "select count(*) from raw_solicomm.rejects") == [(0,)]


def test_no_clear_personal_data_in_the_raw_tables(landing, warehouse):
    members, courses, enrolments = many(120)
    members[0] = member(1, first="Unmistakable", last="Surname", email="unmistakable.person@mail.org")
    members.append("121;other.person@mail.org;Secretname")  # rejected, masked
    write_drop(landing, "2022-07-01", members, courses, enrolments)
    assert run_asset(solicomm_drops).success
    text = " ".join(str(v) for table in ("members", "rejects", "enrolments", "courses")
                    for row in query(warehouse, f"select * from raw_solicomm.{table}") for v in row)
    for secret in ("Unmistakable", "Surname", "unmistakable.person", "other.person", "Secretname", "1980"):
        assert secret not in text


def test_blank_lines_records_over_several_lines_stray_quotes_and_unicode_spaces_read_as_the_csv_module_does(
        landing, warehouse):
    """DuckDB's CSV reader splits the records; the line numbers stay physical lines and what it refuses is
    read back with the csv module (blank lines skipped, `"Big"Org` read as BigOrg), values trimmed as
    str.strip() trims them."""
    members, courses, enrolments = many(250)
    members += [
        '251;m251@ex.org;Ana;"Multi\r\nLine";F;1990;ES;other;"Org; with\r\nnewline";01/01/2020;01/01/2020',  # 252-254
        "",  # 255
        "   ",  # 256
        '252;m252@ex.org;Ana;Pérez;F;1990;ES;other;"Big"Org;01/01/2020;01/01/2020',  # 257
        "\u00a0253\u3000;m253@ex.org;Ana;Pérez;F;1990;ES;other;Org;01/01/2020;01/01/2020",  # 258
        "254;x",  # 259
        "255;m255@ex.org;Ana;Pérez;F;1990;ES;other;Org;31/02/2020;01/01/2020",  # 260
    ]
    enrolments += ["251;251;1;15/03/2021;;active", "252;252;1;15/03/2021;;active", "253;253;1;15/03/2021;;active",
                   "", "254;1;1;15/3/21;;active", "1;1;1;15/03/2021;;active"]  # blank 255, then 256, 257
    texts = {"members.csv": csv_text(MEMBERS_HEADER, members), "courses.csv": csv_text(COURSES_HEADER, courses),
             "enrolments.csv": csv_text(ENROLMENTS_HEADER, enrolments)}
    write_drop_files(landing, "2022-07-01", texts, rows={"members.csv": 255, "courses.csv": 1, "enrolments.csv": 255})
    result = run_asset(solicomm_drops)
    assert result.success and check_result(result).passed
    assert query(warehouse, "select file_name, line_number, rule, raw_line from raw_solicomm.rejects "
                            "order by file_name, line_number") == [
        ("enrolments.csv", 256, "unparseable date (DD/MM/YYYY) in enrolled_on", "254;1;1;15/3/21;;active"),
        ("enrolments.csv", 257, "duplicate enrolment_id", "1;1;1;15/03/2021;;active"),
        ("members.csv", 259, "wrong number of fields: 2, expected 11", "254;***"),
        ("members.csv", 260, "unparseable date (DD/MM/YYYY) in created_on",
         "255;***;***;***;F;***;ES;other;Org;31/02/2020;01/01/2020"),
    ]
    assert query(warehouse, "select member_id, organisation_name from raw_solicomm.members where member_id in "
                            "('251', '252', '253') order by 1") == [
        ("251", "Org; with\r\nnewline"), ("252", "BigOrg"), ("253", "Org")]
    assert query(warehouse, "select name_key from raw_solicomm.members where member_id = '251'") == [
        (pseudonymise.name_key("Ana", "Multi\r\nLine"),)]
    meta = metadata(result, "solicomm", "members")
    assert (meta["rows_read"], meta["rows_loaded"], meta["rows_rejected"]) == (255, 253, 2)


def test_bytes_windows_1252_leaves_undefined_become_replacement_characters(landing, warehouse):
    folder = write_drop(landing, "2021-03-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    data = (folder / "courses.csv").read_bytes().replace("ergonomía".encode("cp1252"), b"ergonom\x81a")
    (folder / "courses.csv").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["courses.csv"]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert run_asset(solicomm_drops).success
    assert query(warehouse, "select title from raw_solicomm.courses") == [("Course 1 – ergonom\ufffda",)]
