"""The file engine's .xlsx/.xlsm package code: reading, rendering, patching and splicing."""
