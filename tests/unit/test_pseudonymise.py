"""The methodology's normalisations (L2 e-mail, L3 name) and the keyed hashes built on them."""
import pytest

from orchestration import pseudonymise as p


@pytest.mark.parametrize(
    "raw, normalised",
    [
        ("  Jane.Doe@Example.ORG ", "jane.doe@example.org"),
        ("jane.doe+itcilo@example.org", "jane.doe@example.org"),
        ("J.a.n.e.Doe@gmail.com", "janedoe@gmail.com"),
        ("jane.doe+x@googlemail.com", "janedoe@gmail.com"),
        ("ｊａｎｅ@example.org", "jane@example.org"),  # NFKC folds full-width letters
        ("", None),
        (None, None),
        ("not-an-address", None),
        ("jane@localhost", None),
        ("5f4dcc3b5aa765d61d8327deb882cf99", None),  # a Moodle deleted-user hash
    ],
)
def test_normalise_email(raw, normalised):
    assert p.normalise_email(raw) == normalised


@pytest.mark.parametrize(
    "parts, normalised",
    [
        (("José-María", "GARCÍA López"), "garcia jose lopez maria"),
        (("garcia", "jose maria  lopez"), "garcia jose lopez maria"),
        (("O'Brien", "Seán"), "brien o sean"),
        (("Олег", "Петренко"), "олег петренко"),
        ((None, None), None),
    ],
)
def test_normalise_name(parts, normalised):
    assert p.normalise_name(*parts) == normalised


def test_equal_normalised_values_give_equal_keys_and_purposes_never_collide():
    assert p.email_key("Jane.Doe@gmail.com") == p.email_key("janedoe+news@googlemail.com")
    assert p.name_key("José-María", "GARCÍA López") == p.name_key("Lopez Garcia", "Maria Jose")
    assert p.keyed_hash("x", "email") != p.keyed_hash("x", "name")
    assert p.email_key(None) is None and p.name_key(None, None) is None


def test_birth_year_key_ignores_missing_and_zero():
    assert p.birth_year_key(1980) == p.birth_year_key("1980") == p.birth_year_key(1980.0)
    assert p.birth_year_key(None) is None and p.birth_year_key("0") is None and p.birth_year_key("n/a") is None


def test_key_comes_from_the_environment(monkeypatch):
    first = p.email_key("a@b.org")
    monkeypatch.setenv(p.KEY_ENV, "another-key")
    p.reset_key_cache()
    assert p.email_key("a@b.org") != first


def test_demo_creates_a_local_key_when_none_is_configured(monkeypatch, tmp_path):
    monkeypatch.delenv(p.KEY_ENV)
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    p.reset_key_cache()
    key = p.email_key("a@b.org")
    assert (tmp_path / p.LOCAL_KEY_FILE).exists()
    p.reset_key_cache()
    assert p.email_key("a@b.org") == key  # the same key is reused on the next run


def test_repeated_name_tokens_are_kept_for_the_two_token_rule():
    # L3 needs a name of at least two tokens: "YOUSSEF Youssef" has two, although they are equal.
    assert len(p.name_token_keys("YOUSSEF", "Youssef")) == 2
    assert len(p.name_token_keys("Qadeer", None)) == 1


def test_people_store_the_review_queue_features_as_keyed_hashes_only():
    import pyarrow as pa

    from orchestration.stewardship import features

    people = p.People(email="mail", first="first", last="last", birth_year="year")
    table = pa.table({"id": [1, 2], "mail": ["Jane.Doe@ilo.org", None], "first": ["Jane", None],
                      "last": ["Doe", None], "year": [1987, None]})
    out = people.apply(table)
    assert out.column_names == ["id", *people.keys]  # every key erasure nulls, the features included
    assert set(features.similarity_features(("x",), None, None)) <= set(people.keys)
    first, missing = out.to_pylist()
    assert first["email_local_key"] == features.email_local_key("jane.doe@gmail.com")
    assert first["phonetic_token_keys"] == features.phonetic_token_keys("Jane", "Doe")
    assert first["birth_decade_key"] == features.birth_decade_key(1980)
    assert all(missing[c] is None for c in people.keys)
    assert not {"jane", "doe", "janedoe", "1980", "1987"} & {str(v).lower() for v in first.values()}
