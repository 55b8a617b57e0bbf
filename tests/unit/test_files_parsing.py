"""Shared file-reading helpers: encodings, line numbers, typed parsing, amounts, the catalogue."""
import hashlib
import hmac

import jellyfish

import pyarrow as pa
import pytest

from orchestration import pseudonymise
from orchestration.extract.contract import Column
from orchestration.extract.files import FileSourceError, decode_text, parse_records, read_delimited
from orchestration.sources.pmsu import parse_amount
from orchestration.sources.solicomm import MEMBERS


def test_encoding_detected_by_bom_else_utf8_else_windows_1252():
    text = "member_id;last_name\n1;Œuvre – Šimková\n"
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("cp1252")) == (text, "cp1252")


def test_records_keep_their_physical_line_numbers_and_raw_text(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'\xef\xbb\xbfa;b\r\n1;"two\r\nlines"\r\n\r\n3;x\r\n')
    table = read_delimited(path, ";")
    assert table.header == ["a", "b"]  # no BOM glued to the first column
    assert [(r.line, r.fields) for r in table.records] == [(2, ["1", "two\r\nlines"]), (5, ["3", "x"])]
    assert table.records[0].raw == '1;"two\r\nlines"'


def test_parse_records_types_values_and_names_the_rule_broken(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id;on;n;flag;extra\n1;01/02/2023;3;1;x\n2;2023-02-01;3;0;x\n3;01/02/2023;x;0;x\n"
                    "4;01/02/2023;3;2;x\n;01/02/2023;3;1;x\n6;01/02/2023;3\n", encoding="utf-8")
    columns = [Column("id", required=True), Column("on", "date_dmy"), Column("n", "int"), Column("flag", "bool01")]
    frame, rejects = parse_records("f.csv", read_delimited(path, ";"), columns)
    assert frame["id"].tolist() == ["1"]
    assert str(frame["on"][0].date()) == "2023-02-01" and frame["n"][0] == 3 and frame["flag"][0]
    assert [(r.line, r.rule) for r in rejects] == [
        (3, "unparseable date (DD/MM/YYYY) in on"), (4, "unparseable integer in n"),
        (5, "unparseable 0/1 flag in flag"), (6, "missing id"), (7, "wrong number of fields: 3, expected 5")]


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id;other\n1;2\n", encoding="utf-8")
    with pytest.raises(FileSourceError, match=r"f.csv: required column\(s\) on missing"):
        parse_records("f.csv", read_delimited(path, ";"), [Column("id"), Column("on", "date_dmy")])


@pytest.mark.parametrize("typed, number", [
    ("1 234 567", 1234567.0), ("1,234,567", 1234567.0), ("250000 ", 250000.0), (" 1\u00a0000", 1000.0),
    ("1,234.50", 1234.5), ("1234,5", 1234.5), (98000, 98000.0), (1.5, 1.5), ("", None), (None, None),
])
def test_amounts_typed_as_text(typed, number):
    assert parse_amount(typed) == number


def test_amount_that_is_not_a_number_fails():
    with pytest.raises(ValueError):
        parse_amount("about 5k")


def test_a_file_sources_personal_columns_become_the_keys_of_the_stated_contract(monkeypatch):
    """SoliComm members' personal columns are replaced by HMAC-SHA256(key, "purpose:normalised value"), first
    32 hex digits; the expected keys are computed here with hmac/hashlib from values normalised by hand
    (methodology L2: lower case, no +tag, Gmail dots dropped; L3: accents dropped, tokens sorted)."""
    key = "a-fixed-test-key"
    monkeypatch.setenv(pseudonymise.KEY_ENV, key)
    pseudonymise.reset_key_cache()

    def digest(purpose: str, value: str) -> str:
        return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    table = pa.table({"member_id": ["1", "2"], "email": ["  Ana.Perez+x@Gmail.com", ""],
                      "first_name": ["José-María", ""], "last_name": ["GARCÍA López", ""],
                      "birth_year": ["1980", ""], "gender": ["F", "M"]})
    out = MEMBERS.apply(table)
    assert out.column_names == ["member_id", "gender", "email_key", "email_domain", "email_local_key", "name_key",
                                "name_token_keys", "phonetic_token_keys", "birth_year_key", "birth_decade_key"]
    tokens = ("garcia", "jose", "lopez", "maria")
    assert out.to_pylist() == [
        {"member_id": "1", "gender": "F", "email_key": digest("email", "anaperez@gmail.com"),
         "email_domain": "gmail.com", "email_local_key": digest("email_local", "anaperez"),
         "name_key": digest("name", "garcia jose lopez maria"),
         "name_token_keys": sorted(digest("name_token", t) for t in tokens),
         "phonetic_token_keys": sorted(digest("name_phonetic", jellyfish.metaphone(t)) for t in tokens),
         "birth_year_key": digest("birth_year", "1980"), "birth_decade_key": digest("birth_decade", "1980")},
        {"member_id": "2", "gender": "M", "email_key": None, "email_domain": None, "email_local_key": None,
         "name_key": None, "name_token_keys": None, "phonetic_token_keys": None, "birth_year_key": None,
         "birth_decade_key": None},
    ]
