#!/usr/bin/env bash
# Trains the base model hangar/tiny-lm through Hangar itself (a real-mode run of
# hangar/tiny-lm-pretrain@1 on the stack's executor) and makes the run's outputs the committed
# base model: weights/tiny-lm-base/, docs/base-loss.csv and docs/base-summary.json. Run
# models/tiny-lm/push.sh first; afterwards `push.sh --override` bakes the new weights into the
# sampler image.
# Usage: models/tiny-lm/pretrain.sh [-i steps=160] [-i max_minutes=14] ...   (-i as for hangar run)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HANGAR=${HANGAR:-$ROOT/bin/hangar}
MODEL=$ROOT/models/tiny-lm
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$HANGAR" run --ref hangar/tiny-lm-pretrain@1 --mode real --timeout 3600 --save-dir "$out" "$@"
cp "$out/model/config.json" "$out/model/model.pt" "$out/model/tokenizer.model" "$MODEL/weights/tiny-lm-base/"
cp "$out/loss.csv" "$MODEL/docs/base-loss.csv"
cp "$out/summary.json" "$MODEL/docs/base-summary.json"
echo "base model updated from the run; bake it into the sampler: models/tiny-lm/push.sh --override"
