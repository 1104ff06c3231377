#!/bin/sh
# setup.sh - installs the browser test's one dependency (puppeteer-core, pinned in
# package-lock.json) into tests/web/node_modules with `npm ci`; nothing when already there.
# Never downloads a browser: the tests drive Debian's /usr/bin/chromium.
cd "$(dirname "$0")" || exit 1
[ -d node_modules/puppeteer-core ] && exit 0
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
