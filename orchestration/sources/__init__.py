"""Extract assets, one module per source system; each exposes `assets` (and optionally `checks`)."""
