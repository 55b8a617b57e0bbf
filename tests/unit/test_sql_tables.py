"""Unit tests of the SQL extract machinery: Arrow conversion, pseudonymisation of batches, the registry."""
import decimal
from datetime import datetime, timezone

import pyarrow as pa
import pytest
import sqlalchemy as sa

from orchestration import pseudonymise
from orchestration.settings import load_sources
from orchestration.sources import moodle, platforms
from orchestration.extract.merge import full_reload_requested
from orchestration.extract.sql import arrow_type, rows_to_arrow, safe_url
from orchestration.pseudonymise import People


def test_reflected_types_map_to_arrow():
    assert arrow_type(sa.BigInteger()) == pa.int64()
    assert arrow_type(sa.Boolean()) == pa.bool_()
    assert arrow_type(sa.Numeric(10, 0)) == pa.int64()
    assert arrow_type(sa.Numeric(10, 5)) == pa.float64()
    assert arrow_type(sa.String(20)) == pa.string()
    assert arrow_type(sa.Date()) == pa.date32()
    assert arrow_type(sa.DateTime()) == pa.null()  # inferred from the values


def test_rows_convert_column_wise_whatever_the_driver_returns():
    schema = pa.schema([("id", pa.int64()), ("grade", pa.float64()), ("flag", pa.bool_()), ("code", pa.string()),
                        ("at", pa.null()), ("dirty", pa.int64())])
    rows = [(1, decimal.Decimal("8.50000"), 1, 12, datetime(2023, 1, 1, tzinfo=timezone.utc), 3),
            (2, None, 0, None, None, "n/a")]  # SQLite: a text value in an integer column
    table = rows_to_arrow(rows, schema)
    assert table.column("grade").to_pylist() == [8.5, None]
    assert table.column("flag").to_pylist() == [True, False]
    assert table.column("code").to_pylist() == ["12", None]
    assert table.column("at").type == pa.timestamp("us")
    assert table.column("dirty").to_pylist() == ["3", "n/a"]


def test_batch_pseudonymisation_equals_the_key_functions():
    batch = pa.table({"id": [1, 2, 3], "username": [" Zoe.Angstrom ", "kwame@example.com.1690000000", None],
                      "email": ["Zoe.Angstrom+news@Example.org", "0cc175b9c0f1b6a831c399e269772661", None],
                      "firstname": ["Zoë", "Kwame", None], "lastname": ["Ångström", "Mensah", None],
                      "birth_year": [1985, None, 1990]})
    out = People(email="email", first="firstname", last="lastname", username="username",
                 birth_year="birth_year").apply(batch)
    assert out.column_names == ["id", "email_key", "email_domain", "email_local_key", "name_key", "name_token_keys",
                                "phonetic_token_keys", "birth_year_key", "birth_decade_key", "username_key"]
    assert out.column("email_key").to_pylist() == [pseudonymise.email_key("zoe.angstrom@example.org"), None, None]
    assert out.column("email_domain").to_pylist() == ["example.org", None, None]
    assert out.column("name_key").to_pylist()[0] == pseudonymise.name_key("Zoë", "Ångström")
    assert out.column("name_token_keys").to_pylist()[1] == pseudonymise.name_token_keys("Kwame", "Mensah")
    assert out.column("birth_year_key").to_pylist() == [pseudonymise.birth_year_key(1985), None,
                                                       pseudonymise.birth_year_key(1990)]
    assert out.column("username_key").to_pylist() == [pseudonymise.keyed_hash("zoe.angstrom", "username"),
                                                     pseudonymise.keyed_hash("kwame@example.com.1690000000",
                                                                             "username"), None]


def test_birthyear_profile_values_become_keys_other_fields_stay():
    contracts = {c.name: c for c in moodle.contracts(moodle.ECAMPUS_TABLES)}
    contracts["user_info_field"].transform(pa.table({"id": [1, 2], "shortname": ["gender", "birthyear"],
                                                     "datatype": ["menu", "text"], "param1": ["", ""]}))
    out = contracts["user_info_data"].transform(pa.table({"id": [1, 2], "userid": [3, 3], "fieldid": [1, 2],
                                                          "data": ["Female", "1985"]}))
    assert out.column("data").to_pylist() == ["Female", None]
    assert out.column("birth_year_key").to_pylist() == [None, pseudonymise.birth_year_key("1985")]


def test_passwords_never_appear_in_messages():
    assert "secret" not in safe_url("postgresql://reader:secret@db/map")
    assert safe_url("not a url") == "<unparsable URL>"


def test_full_reload_by_tag_config_or_environment(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_FULL_RELOAD", raising=False)
    assert not full_reload_requested({})
    assert full_reload_requested({"warehouse/full_reload": "true"})
    assert full_reload_requested({}, configured=True)
    monkeypatch.setenv("WAREHOUSE_FULL_RELOAD", "1")
    assert full_reload_requested({})


@pytest.mark.parametrize("registry, message", [
    ("platforms:\n  - {code: Bad Code, url_env: X}\n", "not of the form"),
    ("platforms:\n  - {code: a, url_env: X}\n  - {code: a, url_env: Y}\n", "code a appears twice"),
    ("platforms:\n  - {code: a}\n", "(a): 'url_env' is missing"),
    ("platforms: {}\n", "expected a list under 'platforms'"),
])
def test_malformed_registry_is_one_clear_error(tmp_path, registry, message):
    (tmp_path / "sources.yml").write_text("platforms: {registry: reg.yml}\n", encoding="utf-8")
    (tmp_path / "reg.yml").write_text(registry, encoding="utf-8")
    with pytest.raises(platforms.RegistryError) as error:
        platforms.load_registry(load_sources(tmp_path / "sources.yml"))
    assert message in str(error.value)


def test_registry_defaults_and_relative_sqlite_urls(tmp_path, monkeypatch):
    (tmp_path / "sources.yml").write_text("platforms: {registry: reg.yml}\n", encoding="utf-8")
    (tmp_path / "reg.yml").write_text(
        "platforms:\n  - {code: eoe-pe-lms, url_env: PLATFORM_EOE_URL, since: 2021-03-01}\n", encoding="utf-8")
    monkeypatch.setenv("PLATFORM_EOE_URL", "sqlite:///platforms/eoe.sqlite")
    sources = load_sources(tmp_path / "sources.yml")
    [entry] = platforms.load_registry(sources)
    assert (entry.active, entry.table_prefix, str(entry.since)) == (True, "mdl_", "2021-03-01")
    assert entry.url(sources) == f"sqlite:///{tmp_path / 'platforms' / 'eoe.sqlite'}"
    monkeypatch.delenv("PLATFORM_EOE_URL")
    with pytest.raises(platforms.SourceUnreachableError, match="platform eoe-pe-lms: environment variable "
                                                                "PLATFORM_EOE_URL"):
        entry.url(sources)
