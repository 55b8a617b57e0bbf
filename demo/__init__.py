"""Demo deployment: a generator of realistic, calibrated source systems (never read by the warehouse code)."""
