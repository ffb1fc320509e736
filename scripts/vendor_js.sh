#!/usr/bin/env bash
# Reproduce the JavaScript vendored under metricmind/interfaces/web/static/vendor/ from the npm registry.
#
#   scripts/vendor_js.sh            # fetch the pinned versions with `npm pack` and copy the files in
#
# Only the registry tarball is used (no CDN, nothing run at install time); the Explorer serves the files itself.
set -euo pipefail

ECHARTS_VERSION=6.1.0

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/metricmind/interfaces/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$dest"
(cd "$work" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar xzf "echarts-$ECHARTS_VERSION.tgz")
cp "$work/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$work/package/LICENSE" "$dest/echarts.LICENSE"
[ -f "$work/package/NOTICE" ] && cp "$work/package/NOTICE" "$dest/echarts.NOTICE"
echo "echarts $ECHARTS_VERSION" >"$dest/VERSIONS"
sha256sum "$dest/echarts.min.js"
