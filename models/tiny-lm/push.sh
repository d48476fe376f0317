#!/usr/bin/env bash
# Builds, pushes and pins Hangar's own model processors on the running stack, the sampler first,
# then the trainer and the training-session processor on top of its exact digest:
#   hangar/tiny-lm@1          sampling             (models/tiny-lm)
#   hangar/tiny-lm-train@1    train-run's LoRA loop (models/tiny-lm/train)
#   hangar/tiny-lm-session@1  Tinker training sessions (models/tiny-lm/session)
#   hangar/tiny-lm-pretrain@1 the base model's own training (models/tiny-lm/pretrain, pretrain.sh)
# Usage: models/tiny-lm/push.sh [--override]   (extra options go to every `hangar push`)
# The first build installs Debian's python3-torch into the image (1.3 GB); later ones reuse it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HANGAR=${HANGAR:-$ROOT/bin/hangar}
MODEL=$ROOT/models/tiny-lm
stored=$("$HANGAR" push --json "$@" "$MODEL")
base=$(printf '%s' "$stored" | /usr/bin/python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["image"] + "@" + s["digests"]["amd64"])')
echo "pushed hangar/tiny-lm@1 ($base)"
for processor in train session pretrain; do
  "$HANGAR" push "$@" "$MODEL/$processor" --context "$MODEL" --build-arg BASE="$base"
done
