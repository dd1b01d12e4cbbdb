#!/usr/bin/env bash
# Refreshes the English catalog from the Chinese source strings and compiles it.
# Needs GNU gettext (apt-get install gettext). Translate new entries in kaohe/locale/en/LC_MESSAGES/django.po,
# then run this again; commit both the .po and the .mo (the server never needs gettext).
set -euo pipefail
cd "$(dirname "$0")/../kaohe"
export KAOHE_DATA_DIR="${KAOHE_DATA_DIR:-$(mktemp -d)}"  # keep settings from creating var/ in here
uv run kaohe makemessages -l en --no-location --no-obsolete --ignore "tests/*" --ignore "*/tests/*" --ignore "static/*"
uv run kaohe compilemessages -l en
