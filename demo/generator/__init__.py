"""Deterministic generator of the demo source systems (see ../shared/contracts, copied in docs)."""
