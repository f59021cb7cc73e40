#!/usr/bin/env bash
# Set-up for the browser tests (tests/browser): Debian's Chromium and the npm package
# axe-core. Idempotent: installs only what is missing; safe to run on every CI run.
#
#   - /usr/bin/chromium missing  -> apt-get update (once) and apt-get install chromium
#   - node_modules/axe-core missing -> npm ci (npm install when there is no lock file)
#
# Playwright for Python comes with the project's dev extras (pip install -e '.[dev]');
# it drives Debian's Chromium (executable_path=/usr/bin/chromium). Never run
# `playwright install`: it downloads a browser, which this project does not do.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)

if [[ ! -x /usr/bin/chromium ]]; then
    echo "tests/browser/setup.sh: installing Debian's chromium"
    if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
        chromium fonts-dejavu-core
    [[ -x /usr/bin/chromium ]] || { echo "chromium did not install" >&2; exit 1; }
fi
echo "tests/browser/setup.sh: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium (no version)')"

if [[ ! -f "$HERE/node_modules/axe-core/axe.min.js" ]]; then
    command -v npm >/dev/null 2>&1 || { echo "npm is needed to install axe-core" >&2; exit 1; }
    echo "tests/browser/setup.sh: installing axe-core with npm"
    if [[ -f "$HERE/package-lock.json" ]]; then
        (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error)
    fi
    [[ -f "$HERE/node_modules/axe-core/axe.min.js" ]] || {
        echo "axe-core did not install" >&2; exit 1; }
fi
echo "tests/browser/setup.sh: axe-core $(node -p "require('$HERE/node_modules/axe-core/package.json').version" 2>/dev/null || echo '?')"
