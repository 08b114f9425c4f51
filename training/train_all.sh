#!/usr/bin/env bash
# Train every loss of the zoo with the shared schedule, then export each to models/<loss>-mfn64/.
#
# Usage: training/train_all.sh [loss ...]        default: all seven, in the order below
# Env:   FACEOFF_WORK  work root (default ~/.cache/faceoff/training); each experiment in <root>/<loss>-mfn64
#        PARALLEL=2    run two experiments at a time with 1 thread each (default 1: one at a time, 2 threads)
#        EXPORT=0      train only
#        TRAIN_ARGS    extra arguments for training.train, e.g. "--set data.root=/elsewhere/aligned"
# Resumable: run it again after an interruption; finished experiments are skipped (and re-exported),
# an interrupted one resumes from its last checkpoint. Progress: <root>/train_all.log and
# <root>/<loss>-mfn64/{train.log,log.jsonl}.
set -euo pipefail
cd "$(dirname "$0")/.."
export FACEOFF_WORK="${FACEOFF_WORK:-$HOME/.cache/faceoff/training}"
PARALLEL="${PARALLEL:-1}"
TRAIN_ARGS="${TRAIN_ARGS:-}"
EXPORT="${EXPORT:-1}"
LOSSES=("$@")
if [ ${#LOSSES[@]} -eq 0 ]; then
  LOSSES=(softmax contrastive triplet center sphereface cosface arcface)
fi
mkdir -p "$FACEOFF_WORK"
LOG="$FACEOFF_WORK/train_all.log"
THREADS=$(( PARALLEL > 1 ? 1 : 2 ))

train_and_export() {
  local loss=$1
  local cfg="training/configs/$loss.json"
  [ -f "$cfg" ] || { echo "no config $cfg" >&2; return 1; }
  echo "$(date -Is) $loss: training ($THREADS thread(s))"
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of words
  /usr/bin/python3 -m training.train --config "$cfg" --set "train.threads=$THREADS" ${TRAIN_ARGS:-}
  if [ "$EXPORT" != 0 ]; then
    /usr/bin/python3 -m training.export --config "$cfg" --out "models/$loss-mfn64"
  fi
  echo "$(date -Is) $loss: done"
}
export -f train_and_export
export THREADS EXPORT TRAIN_ARGS

echo "$(date -Is) train_all: ${LOSSES[*]} (parallel $PARALLEL), work $FACEOFF_WORK" | tee -a "$LOG"
if [ "$PARALLEL" -gt 1 ]; then
  # Each experiment's own train.log has its progress; the combined stream goes to train_all.log.
  printf '%s\n' "${LOSSES[@]}" | xargs -P "$PARALLEL" -I{} bash -c 'train_and_export "$1"' _ {} >>"$LOG" 2>&1
else
  for loss in "${LOSSES[@]}"; do
    train_and_export "$loss" 2>&1 | tee -a "$LOG"
  done
fi
echo "$(date -Is) train_all: finished" | tee -a "$LOG"
