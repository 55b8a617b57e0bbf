"""Fixtures shared by the generator's tests: the scale-1 demo, generated once per test session."""
from __future__ import annotations

import pytest

DEMO_SEED = 20231231


@pytest.fixture(scope="session")
def generated_demo(tmp_path_factory):
    """(out, truth) of the full demo (`demo.generator.generate`, every part) at scale 1."""
    from demo.generator.__main__ import generate

    base = tmp_path_factory.mktemp("generated_demo")
    out, truth = base / "sources", base / "truth"
    generate(out, truth, seed=DEMO_SEED, scale=1)
    return out, truth


@pytest.fixture(scope="session")
def core_reference(generated_demo):
    """The core indicators computed independently from the written sources (reference_methodology.py)."""
    from tests.generator import reference_methodology as ref
    from tests.generator.published_core import EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS

    out, _truth = generated_demo
    return ref.compute(out, EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS)
