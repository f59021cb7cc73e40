#!/usr/bin/env bash
# Re-fetch Digdir's Designsystemet and replace the vendored, built CSS.
#
#   scripts/update-designsystemet.sh [CSS_VERSION] [CLI_VERSION]
#
# CSS_VERSION is @digdir/designsystemet-css (the components), CLI_VERSION is
# @digdir/designsystemet (the command that builds our theme's tokens from
# static/vendor/designsystemet/halsam.config.json). Both come from the npm registry
# through npm itself; the site never fetches anything at run time. Review the diff, look
# at the pages at 1280/390/320 px and run the browser tests before committing.
set -euo pipefail

CSS_VERSION="${1:-1.22.0}"
CLI_VERSION="${2:-1.15.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/static/vendor/designsystemet"
CONFIG="$DEST/halsam.config.json"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
[ -f "$CONFIG" ] || { echo "missing $CONFIG" >&2; exit 1; }

cd "$WORK"
echo "Fetching @digdir/designsystemet-css@$CSS_VERSION"
tarball="$(npm pack --silent "@digdir/designsystemet-css@$CSS_VERSION")"
mkdir css && tar -xzf "$tarball" -C css

echo "Building the HälSam theme with @digdir/designsystemet@$CLI_VERSION"
mkdir cli && (
  cd cli
  npm init -y >/dev/null
  npm install --silent --no-audit --no-fund "@digdir/designsystemet@$CLI_VERSION"
  npx --no-install designsystemet tokens create --config "$CONFIG" --out-dir tokens --clean
  npx --no-install designsystemet tokens build --config "$CONFIG" --tokens tokens \
    --out-dir build --clean
)
[ -s cli/build/halsam.css ] || { echo "the theme build produced no halsam.css" >&2; exit 1; }

install -m 0644 css/package/dist/src/index.css "$DEST/designsystemet.css"
install -m 0644 cli/build/halsam.css "$DEST/theme-halsam.css"
install -m 0644 css/package/LICENSE "$DEST/LICENSE"
cat > "$DEST/VERSION" <<VERSION
@digdir/designsystemet-css $CSS_VERSION  -> designsystemet.css (dist/src/index.css)
@digdir/designsystemet $CLI_VERSION  -> theme-halsam.css (tokens create/build from halsam.config.json)
Licence: MIT, Digitaliseringsdirektoratet (Digdir), see LICENSE
VERSION
echo "Updated $DEST:"
cat "$DEST/VERSION"
