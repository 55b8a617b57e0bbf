"""Schedules. Not defined yet: see issue 7."""

schedules: list = []
