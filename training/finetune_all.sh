#!/usr/bin/env bash
# Fine-tune the pretrained embedder with each of the seven losses (training/configs/ft/<loss>.json: only the
# loss differs), export each to models/<loss>-ft/, then the ablation runs (identity only, distillation only).
#
# Usage: training/finetune_all.sh [config-name ...]   default: the seven losses, then the two ablations
# Env:   FACEOFF_WORK  work root (default ~/.cache/faceoff/training); each run in <root>/<name>
#        EXPORT=0      train only
# Resumable: run it again after an interruption; finished runs are skipped (and re-exported), an
# interrupted one resumes from its last checkpoint. Progress: <root>/finetune_all.log, <root>/<name>/train.log.
# Needs: data/aligned/ (training/README.md, "Data"), models/fetch-pretrained.sh, ../shared/assets/masks.
set -euo pipefail
cd "$(dirname "$0")/.."
export FACEOFF_WORK="${FACEOFF_WORK:-$HOME/.cache/faceoff/training}"
EXPORT="${EXPORT:-1}"
RUNS=("$@")
if [ ${#RUNS[@]} -eq 0 ]; then
  RUNS=(cosface arcface softmax sphereface contrastive center triplet ablation-cosface-identity-only ablation-distill-only)
fi
mkdir -p "$FACEOFF_WORK"
for run in "${RUNS[@]}"; do
  cfg="training/configs/ft/$run.json"
  echo "$(date -Is) $run: fine-tuning" | tee -a "$FACEOFF_WORK/finetune_all.log"
  /usr/bin/python3 -m training.finetune --config "$cfg" >/dev/null
  if [ "$EXPORT" != 0 ] && [[ $run != ablation-* ]]; then
    /usr/bin/python3 -m training.finetune --config "$cfg" --export "models/$run-ft" | tee -a "$FACEOFF_WORK/finetune_all.log"
  fi
  echo "$(date -Is) $run: done" | tee -a "$FACEOFF_WORK/finetune_all.log"
done
