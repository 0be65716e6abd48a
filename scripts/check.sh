#!/usr/bin/env bash
# One command runs every check: install (with the test, addin and excel extras), lint, format,
# types, docs, tests.
# Usage: bash scripts/check.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
# editable_mode=compat: a plain path in a .pth file, as cheap at start-up as a regular install
# (the default editable finder costs every `iku-excel` start about 5 ms, which the whole-process
# benchmarks would count against the package).
python3 -m pip install --quiet --disable-pip-version-check \
  --config-settings editable_mode=compat -e ".[test,addin,excel]"
SOURCES=()
for d in iku_excel tests scripts macros benchmarks lite; do [ -d "$d" ] && SOURCES+=("$d"); done
echo "== ruff";   python3 -m ruff check "${SOURCES[@]}"
echo "== format"; python3 -m ruff format --check "${SOURCES[@]}"
echo "== mypy";   python3 -m mypy
echo "== docs";   python3 -m iku_excel.docgen --check
echo "== pytest"; python3 -m pytest "$@"
