#!/bin/sh
# Refresh the vendored htmx from npm (2.x only: 4.x changed inheritance and
# CSRF header behaviour). Usage: internal/web/vendor.sh [version]
set -eu
version=${1:-2}
dest=$(cd "$(dirname "$0")" && pwd)/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$version" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
got=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$tmp/package/package.json")
echo "htmx.org $got → $dest (update the version in $dest/README.md)"
# ECharts (the supervision trends' charts), 6.x; its NOTICE goes with the licence.
(cd "$tmp" && rm -rf package && npm pack --silent "echarts@${ECHARTS_VERSION:-6}" >/dev/null && tar xzf echarts-*.tgz)
cp "$tmp/package/dist/echarts.min.js" "$dest/echarts.min.js"
{ cat "$tmp/package/LICENSE"; echo; echo "---- NOTICE ----"; cat "$tmp/package/NOTICE"; } >"$dest/echarts.LICENSE"
got=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$tmp/package/package.json")
echo "echarts $got → $dest (update the version in $dest/README.md)"
