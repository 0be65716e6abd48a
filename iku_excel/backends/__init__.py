"""Workbook engines: the file engine (zip-package splicing) and safe file IO."""
