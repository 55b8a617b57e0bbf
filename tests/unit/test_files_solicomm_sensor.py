"""The SoliComm new-drop sensor asks for one refresh per new complete drop."""
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.sources.solicomm import solicomm_new_drop
from tests.fixtures.files.builders import course, enrolment, member, write_drop, write_sources


def test_sensor_requests_a_refresh_for_each_new_complete_drop(tmp_path, monkeypatch):
    root = tmp_path / "sources"
    (root / "solicomm").mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(write_sources(root, solicomm={"landing": "solicomm"})))
    assert isinstance(solicomm_new_drop(build_sensor_context()), SkipReason)

    write_drop(root / "solicomm", "2023-01-01", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    write_drop(root / "solicomm", "2023-01-02", [member(1)], [course(1)], [enrolment(1, 1, 1)], manifest=False)
    context = build_sensor_context()
    request = solicomm_new_drop(context)
    assert isinstance(request, RunRequest) and request.run_key == "solicomm-2023-01-01"
    assert context.cursor == "2023-01-01"
    # the incomplete drop does not trigger a run until its manifest is written
    assert isinstance(solicomm_new_drop(build_sensor_context(cursor="2023-01-01")), SkipReason)
    write_drop(root / "solicomm", "2023-01-02", [member(1)], [course(1)], [enrolment(1, 1, 1)])
    assert solicomm_new_drop(build_sensor_context(cursor="2023-01-01")).run_key == "solicomm-2023-01-02"


def test_sensor_skips_when_solicomm_is_not_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SOURCES", str(write_sources(tmp_path, map={"url": "sqlite:///x"})))
    assert isinstance(solicomm_new_drop(build_sensor_context()), SkipReason)
