"""The deployment's sources file: relative paths, ${VAR} secrets, clear errors."""
import pytest

from orchestration.settings import SourcesFileError, load_sources


def write(tmp_path, text):
    path = tmp_path / "sources.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_relative_sqlite_url_is_relative_to_the_sources_file(tmp_path, monkeypatch):
    monkeypatch.chdir("/")
    sources = load_sources(write(tmp_path, 'map: {url: "sqlite:///map.sqlite"}\n'))
    assert sources.url("map") == f"sqlite:///{tmp_path / 'map.sqlite'}"


def test_variables_are_expanded_and_a_missing_one_is_named(tmp_path, monkeypatch):
    path = write(tmp_path, 'ecampus: {url: "${ECAMPUS_DB_URL}", table_prefix: mdl_}\n')
    monkeypatch.setenv("ECAMPUS_DB_URL", "postgresql://reader@db/moodle")
    assert load_sources(path).url("ecampus") == "postgresql://reader@db/moodle"
    monkeypatch.delenv("ECAMPUS_DB_URL")
    with pytest.raises(SourcesFileError, match="ECAMPUS_DB_URL"):
        load_sources(path).url("ecampus")


def test_dotenv_beside_the_sources_file_provides_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("PLATFORM_X_URL", raising=False)
    (tmp_path / ".env").write_text("PLATFORM_X_URL=sqlite:///x.sqlite\n", encoding="utf-8")
    load_sources(write(tmp_path, "map: {url: 'sqlite:///map.sqlite'}\n"))
    import os

    assert os.environ["PLATFORM_X_URL"] == "sqlite:///x.sqlite"
    monkeypatch.delenv("PLATFORM_X_URL")


def test_missing_file_and_missing_section_are_clear(tmp_path):
    with pytest.raises(SourcesFileError, match="does not exist"):
        load_sources(tmp_path / "nope.yml")
    with pytest.raises(SourcesFileError, match="section 'pmsu' is missing"):
        load_sources(write(tmp_path, "map: {url: 'sqlite:///m.sqlite'}\n")).file("pmsu", "workbook")
