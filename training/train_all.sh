#!/usr/bin/env bash
# Train every loss of the zoo with the shared schedule, then export each to models/<loss>-mfn64/.
#
# Usage: training/train_all.sh [loss ...]        default: all seven, in the order below
# Env:   SCHEDULE      unset: training/configs/<loss>.json -> models/<loss>-mfn64/ (the zoo's common schedule);
#                      aug: training/configs/aug/<loss>.json -> models/<loss>-mfn64-aug/ (+ augmentation, 20 epochs)
#        FACEOFF_WORK  work root (default ~/.cache/faceoff/training); each experiment in <root>/<name>
#        PARALLEL=2    (default) two experiments at a time, 1 thread each; PARALLEL=1: one at a time, 2 threads
#        EXPORT=0      train only
#        MODELS_DIR    where exports go (default models, i.e. models/<loss>-mfn64/)
#        TRAIN_ARGS    extra arguments for training.train, e.g. "--set data.root=/elsewhere/aligned"
# Resumable: run it again after an interruption; finished experiments are skipped (and re-exported),
# an interrupted one resumes from its last checkpoint. Progress: <root>/train_all.log and
# <root>/<loss>-mfn64/{train.log,log.jsonl}.
set -euo pipefail
cd "$(dirname "$0")/.."
export FACEOFF_WORK="${FACEOFF_WORK:-$HOME/.cache/faceoff/training}"
PARALLEL="${PARALLEL:-2}"
TRAIN_ARGS="${TRAIN_ARGS:-}"
EXPORT="${EXPORT:-1}"
SCHEDULE="${SCHEDULE:-}"
MODELS_DIR="${MODELS_DIR:-models}"
LOSSES=("$@")
if [ ${#LOSSES[@]} -eq 0 ]; then
  LOSSES=(softmax contrastive triplet center sphereface cosface arcface)
fi
mkdir -p "$FACEOFF_WORK"
LOG="$FACEOFF_WORK/train_all.log"
THREADS=$(( PARALLEL > 1 ? 1 : 2 ))

train_and_export() {
  local loss=$1
  local cfg="training/configs/${SCHEDULE:+$SCHEDULE/}$loss.json"
  [ -f "$cfg" ] || { echo "no config $cfg" >&2; return 1; }
  echo "$(date -Is) $loss: training ($THREADS thread(s))"
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of words
  /usr/bin/python3 -m training.train --config "$cfg" --set "train.threads=$THREADS" ${TRAIN_ARGS:-} \
    || { echo "$(date -Is) $loss: training FAILED" >&2; return 1; }
  if [ "$EXPORT" != 0 ]; then
    /usr/bin/python3 -m training.export --config "$cfg" --out "$MODELS_DIR/$loss-mfn64${SCHEDULE:+-$SCHEDULE}" \
      || { echo "$(date -Is) $loss: export FAILED" >&2; return 1; }
  fi
  echo "$(date -Is) $loss: done"
}
export -f train_and_export
export THREADS EXPORT TRAIN_ARGS MODELS_DIR SCHEDULE

echo "$(date -Is) train_all: ${LOSSES[*]} (schedule ${SCHEDULE:-common}, parallel $PARALLEL), work $FACEOFF_WORK" | tee -a "$LOG"
if [ "$PARALLEL" -gt 1 ]; then
  # Lines of the two experiments interleave (each starts with [<name>]); each experiment's own
  # train.log has only its progress.
  printf '%s\n' "${LOSSES[@]}" | xargs -P "$PARALLEL" -I{} bash -c 'train_and_export "$1"' _ {} 2>&1 | tee -a "$LOG"
else
  for loss in "${LOSSES[@]}"; do
    train_and_export "$loss" 2>&1 | tee -a "$LOG"
  done
fi
echo "$(date -Is) train_all: finished" | tee -a "$LOG"
