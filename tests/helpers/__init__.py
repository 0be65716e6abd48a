"""Helpers shared by the test suite (oracles, workbook builders)."""
