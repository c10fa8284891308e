#!/usr/bin/env bash
# Extract every interface string and merge it into the Welsh catalogue.
# Then translate the new entries in leadership/translations/cy/LC_MESSAGES/messages.po
# (tests/test_translations.py fails while any entry is untranslated or fuzzy).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location \
  --sort-output --project "Leadership Essentials" -o leadership/translations/messages.pot .
if [ -f leadership/translations/cy/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update --no-fuzzy-matching -i leadership/translations/messages.pot -d leadership/translations -l cy
else
  .venv/bin/pybabel init -i leadership/translations/messages.pot -d leadership/translations -l cy
fi
.venv/bin/pybabel compile -d leadership/translations
