#!/usr/bin/env bash
# PyTorch and SentencePiece for Debian's python3: what models/tiny-lm's tests and base training
# need on the host (its processor image installs the same Debian packages inside).
#
#   ml.sh install   apt-get install python3-torch python3-sentencepiece unless dpkg has both; then
#                   check that /usr/bin/python3 imports them (apt-get update only if that install fails)
#   ml.sh status    one line: what is installed
#
# Idempotent: a second run changes nothing. Env: ML_PYTHON (/usr/bin/python3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by bin/lib/common.sh
LOG_TAG=ml
# shellcheck source=bin/lib/common.sh
. "$ROOT/bin/lib/common.sh"

PY=${ML_PYTHON:-/usr/bin/python3}

# the packages' status is enough on each `bin/stack up` (importing torch costs seconds); the import
# is checked once, right after installing
packaged() { dpkg-query -W -f='${Status}\n' python3-torch python3-sentencepiece 2>/dev/null | grep -c '^install ok installed$' | grep -qx 2; }
installed() { [ -x "$PY" ] && "$PY" -c 'import torch, sentencepiece' >/dev/null 2>&1; }

case "${1:-}" in
  install)
    packaged && exit 0
    require_root
    ensure_dirs
    apt_install python3-torch python3-sentencepiece
    installed || die "python3-torch installed but $PY cannot import torch"
    ;;
  status)
    if installed; then echo "torch $("$PY" -c 'import torch; print(torch.__version__)') for $PY"; else echo "torch: not installed for $PY"; fi
    ;;
  *) die "usage: ml.sh {install|status}" ;;
esac
