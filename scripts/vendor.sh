#!/usr/bin/env bash
# Fetches the front-end files kaohe serves (no CDN on an intranet) from their npm packages at the
# pinned versions below, copies the built files into kaohe/static/vendor/ and records the versions.
# Run it only to upgrade; its output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=kaohe/static/vendor
packages=(
  "htmx.org@2.0.11"
  "bootstrap@5.3.9"
  "bootstrap-icons@1.13.2"
  "echarts@6.1.0"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out"
for spec in "${packages[@]}"; do
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
done
for tgz in "$work"/*.tgz; do
  name=$(basename "$tgz" .tgz)
  mkdir -p "$work/$name" && tar -xzf "$tgz" -C "$work/$name"
done
pkg() { ls -d "$work"/"$1"-[0-9]*/package; }
mkdir -p "$out/htmx" "$out/bootstrap" "$out/bootstrap-icons/fonts" "$out/echarts"
cp "$(pkg htmx.org)/dist/htmx.min.js" "$out/htmx/"
cp "$(pkg bootstrap)/dist/css/bootstrap.min.css" "$(pkg bootstrap)/dist/js/bootstrap.bundle.min.js" "$out/bootstrap/"
cp "$(pkg bootstrap-icons)/font/bootstrap-icons.min.css" "$out/bootstrap-icons/"
cp "$(pkg bootstrap-icons)/font/fonts/bootstrap-icons.woff2" "$(pkg bootstrap-icons)/font/fonts/bootstrap-icons.woff" \
  "$out/bootstrap-icons/fonts/"
cp "$(pkg echarts)/dist/echarts.min.js" "$out/echarts/"
for spec in "${packages[@]}"; do
  name=${spec%@*}
  license=$(node -e "console.log(require('$(pkg "$name")/package.json').license)")
  echo "$spec $license"
done > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
