#!/usr/bin/env bash
# Set up and run the whole test suite. SQLite by default; PostgreSQL when
# TEST_DATABASE_URL is set. Browser tests need Debian's chromium: installed here
# when CI=true (and we are root), skipped with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${CI:-}" = "true" ] && [ ! -x /usr/bin/chromium ]; then
  echo "==> Installing Debian chromium for browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
echo "==> Tests on ${TEST_DATABASE_URL:+PostgreSQL ($TEST_DATABASE_URL)}${TEST_DATABASE_URL:-SQLite}"
exec .venv/bin/python -m pytest "$@"
