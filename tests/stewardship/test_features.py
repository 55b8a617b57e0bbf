"""The similarity features: variants of one name share phonetic keys, and nothing leaves in clear."""
import re

import pytest

from orchestration import pseudonymise
from orchestration.stewardship import features as f

HASH = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    "one, other",
    [
        ("Mohammed", "Muhammad"),
        ("Mohamed", "Muhammad"),
        ("Smith", "Smyth"),
        ("Youssef", "Yusuf"),
        ("Nguyễn", "Nguyen"),
        ("محمد", "Mohammed"),  # Arabic script, transliterated before the phonetic code
        ("Γιώργος", "Giorgos"),
    ],
)
def test_variants_of_one_name_share_a_phonetic_key(one, other):
    assert f.phonetic_token_keys(one) == f.phonetic_token_keys(other)


def test_different_names_do_not_share_a_phonetic_key():
    assert not set(f.phonetic_token_keys("Smith")) & set(f.phonetic_token_keys("Schmidt"))
    assert not set(f.phonetic_token_keys("Maria Garcia")) & set(f.phonetic_token_keys("John Okafor"))


def test_phonetic_keys_follow_the_l3_tokens_and_split_transliterated_words():
    # Same tokens in any order and case give the same keys; "王伟" transliterates to two words.
    assert f.phonetic_token_keys("GARCÍA López", "José-María") == f.phonetic_token_keys("jose maria", "lopez garcia")
    assert len(f.phonetic_token_keys("王伟")) == 2
    assert f.phonetic_token_keys(None, "", "--") is None


def test_email_local_part_is_keyed_without_its_domain():
    private, work = f.email_local_key("Jane.Doe@gmail.com"), f.email_local_key("jane.doe+itcilo@ilo.org")
    assert private is not None and HASH.match(private)
    # the +tag and the dots go (L2 drops gmail's dots, so a gmail address meets its work twin)
    assert private == work == f.email_local_key("janedoe@example.org")
    assert f.email_local_key("jane.roe@ilo.org") != work
    assert f.email_local_key("not-an-address") is None
    # the local key never equals the full e-mail key of the same text (purposes differ)
    assert f.email_local_key("jane@x.org") != pseudonymise.keyed_hash("jane", "email")


def test_birth_decade():
    assert f.birth_decade_key(1987) == f.birth_decade_key("1980") == f.birth_decade_key(1989.0)
    assert f.birth_decade_key(1990) != f.birth_decade_key(1989)
    assert f.birth_decade_key(None) is None and f.birth_decade_key("0") is None and f.birth_decade_key("x") is None
    assert f.birth_decade_key(1987) != pseudonymise.birth_year_key(1980)


def test_nothing_in_clear_and_keys_depend_on_the_secret(monkeypatch):
    clear = {"mohammed", "ali", "jane.doe", "1987", "1980", "mhmt", "al", "jn", "t"}
    out = f.similarity_features(("Mohammed", "Ali"), "Jane.Doe@ilo.org", 1987)
    values = [*out["phonetic_token_keys"], out["email_local_key"], out["birth_decade_key"]]
    assert all(HASH.match(v) for v in values)
    assert not any(c in v for v in values for c in clear if len(c) > 3)
    monkeypatch.setenv(pseudonymise.KEY_ENV, "another-secret")
    pseudonymise.reset_key_cache()
    assert f.similarity_features(("Mohammed", "Ali"), "Jane.Doe@ilo.org", 1987) != out
