#!/usr/bin/env bash
# Set up, create the SQLite database in instance/, load councils and the course,
# create demo accounts (printed below) and serve the app on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=leadership
.venv/bin/flask db upgrade
.venv/bin/flask councils load
.venv/bin/flask course validate || echo "(the app skips any module listed above and serves the rest)"
.venv/bin/flask demo accounts
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" "$@"
