#!/usr/bin/env bash
# Set up, create the SQLite database in instance/, load councils and the course,
# create demo accounts (printed below), start a background-jobs worker and serve the
# app on http://127.0.0.1:5000. The worker sends the demo's emails into instance/outbox/
# (certificate emails, reminders) and stops when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=leadership
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://$HOST:$PORT}"  # links in emails point at this server
.venv/bin/flask db upgrade
.venv/bin/flask councils load
.venv/bin/flask course validate || echo "(the app skips any module listed above and serves the rest)"
.venv/bin/flask demo accounts

mkdir -p instance
.venv/bin/flask jobs worker --workers 1 >>instance/worker.log 2>&1 &
worker=$!
trap 'kill -INT "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
echo "==> Jobs worker running (pid $worker, log instance/worker.log); emails arrive in instance/outbox/"
.venv/bin/flask run --host "$HOST" --port "$PORT" "$@"
