#!/usr/bin/env bash
# A headless browser for the console's end-to-end test (e2e/browser): Debian's chromium and the
# npm package playwright-core that drives it. Playwright never downloads a browser here; the test
# launches /usr/bin/chromium itself.
#
#   browser.sh install   apt-get install chromium if /usr/bin/chromium is missing (apt-get update
#                        only if that install fails), then `npm ci` in e2e/browser if node_modules
#                        is missing or older than package-lock.json
#   browser.sh status    one line: what is installed
#
# Idempotent: a second run changes nothing. Env: CHROMIUM (/usr/bin/chromium).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=browser
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
DIR=$ROOT/e2e/browser
# npm ci writes this file last, so it is the stamp of a complete install
STAMP=$DIR/node_modules/.package-lock.json

ensure_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  require_root
  ensure_dirs
  apt_install chromium   # retries after apt-get update when the first install fails
  [ -x "$CHROMIUM" ] || die "chromium installed but $CHROMIUM is missing"
}

modules_current() {
  [ -s "$STAMP" ] && [ ! "$DIR/package-lock.json" -nt "$STAMP" ] && [ ! "$DIR/package.json" -nt "$STAMP" ]
}

ensure_modules() {
  have npm || die "npm is missing (apt-get install npm, Node 20+)"
  modules_current && return 0
  log "npm ci in e2e/browser"
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed in $DIR"
  touch "$STAMP"
}

case "${1:-install}" in
  install)
    ensure_chromium
    ensure_modules
    log "chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1); playwright-core: ready in e2e/browser"
    ;;
  status)
    if [ -x "$CHROMIUM" ] && modules_current; then echo "browser: ready"; else echo "browser: missing"; fi
    ;;
  *) die "usage: browser.sh {install|status}" ;;
esac
