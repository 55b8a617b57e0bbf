"""Fixtures shared by the generator's tests: the scale-1 demo, generated once per test session."""
from __future__ import annotations

import pytest

# `generated_demo` (the scale-1 demo, generated once per session) lives in tests/conftest.py: the
# warehouse's end-to-end tests run on the same files.


@pytest.fixture(scope="session")
def core_reference(generated_demo):
    """The core indicators computed independently from the written sources (reference_methodology.py)."""
    from tests.generator import reference_methodology as ref
    from tests.generator.published_core import EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS

    out, _truth = generated_demo
    return ref.compute(out, EXTERNAL, EXTERNAL_EMPLOYERS, PERIODS)
