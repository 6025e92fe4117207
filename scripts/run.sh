#!/usr/bin/env bash
# Install what is needed, then serve Hindsight with the production server (gunicorn, with
# gunicorn.conf.py) on the embedded defaults: SQLite and a local shared folder in ./instance, no
# Google account, one worker with threads, on http://127.0.0.1:5000. It prints the address to
# open once it is ready; Ctrl-C stops it.
#
# Settings: HINDSIGHT_* environment variables, or a .env file in the project folder (README,
# "Configuration"); a real environment variable wins over the file. HINDSIGHT_BIND (or
# HINDSIGHT_HOST and HINDSIGHT_PORT) chooses the address, HINDSIGHT_WORKERS the workers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# A default for this script only, unless the environment or .env already sets the variable.
default() {
  local name=$1 value=$2
  if [ -z "${!name:-}" ] && ! grep -qsE "^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=" .env; then
    export "$name=$value"
  fi
}
default HINDSIGHT_BIND "${HINDSIGHT_HOST:-127.0.0.1}:${HINDSIGHT_PORT:-5000}"
default HINDSIGHT_WORKERS 1
default HINDSIGHT_LOG_FORMAT text

# exec: gunicorn gets Ctrl-C (SIGINT) itself, stops its worker and exits.
exec .venv/bin/gunicorn -c gunicorn.conf.py "app:create_app()"
