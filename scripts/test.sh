#!/usr/bin/env bash
# Install everything (including Chromium and poppler), lint, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --with-test-tools
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
