#!/usr/bin/env bash
# Reproduce the JavaScript vendored under metricmind/interfaces/web/static/vendor/ from the npm registry.
#
#   scripts/vendor_js.sh
#
# Installs the pinned packages into a temporary folder (npm registry only, no install scripts), bundles
# the ECharts charts and components listed in scripts/echarts_entry.js with esbuild into one minified file,
# and copies it with the licenses of the code inside it (ECharts, ZRender, tslib). Nothing is loaded from a
# CDN at run time: the Explorer serves the file itself.
set -euo pipefail

ECHARTS_VERSION=6.1.0
ESBUILD_VERSION=0.27.0

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/metricmind/interfaces/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --ignore-scripts "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION"
cp "$here/scripts/echarts_entry.js" entry.js
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --target=es2017 --legal-comments=eof \
  --log-level=warning --outfile=echarts.min.js

mkdir -p "$dest"
cp echarts.min.js "$dest/echarts.min.js"
cp node_modules/echarts/LICENSE "$dest/echarts.LICENSE"
cp node_modules/echarts/NOTICE "$dest/echarts.NOTICE"
cp node_modules/zrender/LICENSE "$dest/zrender.LICENSE"
cp node_modules/tslib/LICENSE.txt "$dest/tslib.LICENSE"
zrender="$(node -p "require('./node_modules/zrender/package.json').version")"
tslib="$(node -p "require('./node_modules/tslib/package.json').version")"
printf 'echarts %s (zrender %s, tslib %s; bundled by esbuild %s from scripts/echarts_entry.js)\n' \
  "$ECHARTS_VERSION" "$zrender" "$tslib" "$ESBUILD_VERSION" >"$dest/VERSIONS"
sha256sum "$dest/echarts.min.js"
