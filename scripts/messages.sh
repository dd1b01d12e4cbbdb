#!/usr/bin/env bash
# Refreshes the English catalog from the Chinese source strings and compiles it.
# Needs GNU gettext (apt-get install gettext). Translate new entries in kaohe/locale/en/LC_MESSAGES/django.po,
# then run this again; commit both the .po and the .mo (the server never needs gettext).
# --check (CI): fail, listing them, if any source string lacks an English translation.
set -euo pipefail
cd "$(dirname "$0")/../kaohe"
export KAOHE_DATA_DIR="${KAOHE_DATA_DIR:-$(mktemp -d)}"  # keep settings from creating var/ in here
po=locale/en/LC_MESSAGES/django.po
uv run kaohe makemessages -l en --no-location --no-obsolete --ignore "tests/*" --ignore "*/tests/*" \
  --ignore "static/*" --ignore "engine/*" >/dev/null
if [[ "${1:-}" == "--check" ]]; then
  missing=$( (msgattrib --no-wrap --untranslated "$po"; msgattrib --no-wrap --only-fuzzy "$po") | grep -E '^msg(ctxt|id) ' | grep -v '^msgid ""$' || true)
  if [[ -n "$missing" ]]; then
    echo "strings without an English translation (run scripts/messages.sh, translate, commit):"
    echo "$missing"
    exit 1
  fi
  echo "English catalog complete"
  exit 0
fi
uv run kaohe compilemessages -l en
