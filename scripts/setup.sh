#!/usr/bin/env bash
# Idempotent set-up: virtualenv, Python packages, front-end assets, translations.
# Safe to run again and again; each step is skipped when already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> Installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "==> Building front-end assets into static/"
GF=node_modules/govuk-frontend/dist/govuk
mkdir -p static
cp -R "$GF/assets/images" static/
cp "$GF/assets/manifest.json" "$GF/govuk-frontend.min.js" static/
cp assets/init.js static/init.js
node_modules/.bin/sass --load-path=node_modules --quiet-deps --no-source-map --style=compressed \
  assets/app.scss static/app.css

if ls leadership/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then
  .venv/bin/pybabel compile -d leadership/translations >/dev/null
fi
