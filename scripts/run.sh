#!/usr/bin/env bash
# Install what is needed, then start Hindsight on the embedded defaults:
# SQLite and a local shared folder in ./instance, no Google account, http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/flask --app app db upgrade
exec .venv/bin/flask --app app run --host "${HINDSIGHT_HOST:-127.0.0.1}" --port "${HINDSIGHT_PORT:-5000}"
