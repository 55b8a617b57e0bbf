"""Dagster code location of the ITCILO results-framework warehouse."""
