#!/usr/bin/env bash
# PyTorch and SentencePiece for Debian's python3: what models/tiny-lm's tests and base training
# need on the host (its processor image installs the same Debian packages inside).
#
#   ml.sh install   apt-get install python3-torch python3-sentencepiece if /usr/bin/python3
#                   cannot import them (apt-get update only if that install fails)
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

installed() { [ -x "$PY" ] && "$PY" -c 'import torch, sentencepiece' >/dev/null 2>&1; }

case "${1:-}" in
  install)
    installed && exit 0
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
