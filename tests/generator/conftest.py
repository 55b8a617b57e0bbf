"""Fixtures of the generator's tests: `generated_demo` (the scale-1 demo, generated once per session) and
`core_reference` (the independent reading of its core sources) live in tests/conftest.py, since the
warehouse's end-to-end tests run on the same files and compare with the same reference."""
