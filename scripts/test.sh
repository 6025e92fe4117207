#!/usr/bin/env bash
# Install everything (Chromium, poppler, PostgreSQL, ...), lint, then run the whole test suite
# twice: on SQLite files, then on a real PostgreSQL server that the tests start themselves.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k export`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --with-test-tools
.venv/bin/ruff check .
.venv/bin/mypy  # the files and settings are in pyproject.toml
echo "== The test suite on SQLite"
.venv/bin/python -m pytest "$@"
echo "== The test suite on PostgreSQL"
HINDSIGHT_TEST_POSTGRES=1 .venv/bin/python -m pytest "$@"
