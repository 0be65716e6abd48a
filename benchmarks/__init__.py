"""Benchmarks of iku-excel (run as scripts; see ``benchmarks/README.md``)."""
