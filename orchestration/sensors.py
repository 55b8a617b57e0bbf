"""Sensors. Not defined yet: see issue 7."""

sensors: list = []
