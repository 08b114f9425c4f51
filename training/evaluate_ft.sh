#!/usr/bin/env bash
# Judges the fine-tuned zoo where users feel it, like for like with the from-scratch zoo and the pretrained
# baseline, through the service's own pipeline (YuNet + 68 landmarks, the served thresholds):
#   1. LFW (View 2, 6,000 pairs): the fine-tunes with --calibrate (their FAR thresholds), the from-scratch
#      models and the baseline at the thresholds their cards serve;
#   2. CFP-dev frontal-frontal and frontal-profile (3,500 pairs each), decided at those LFW thresholds;
#   3. the robustness suite on LFW (1,200 pairs: untouched, mask, sunglasses, 48 px), all models; every
#      transform for the baseline and the fine-tunes;
#   4. the one table: python3 -m training.ft_table (training/README.md, docs/accuracy.md).
# Each step is resumable (faces and embeddings cached under ~/.cache/faceoff). About 40 min on 2 cores.
# Usage: training/evaluate_ft.sh [scratch|ft|table|all]    (default all)
#   THREADS=N (default: all cores), OUT (default target/evaluation)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${FACEOFF_SHARED:-../shared}
out=${OUT:-target/evaluation}
jar=${JAR:-target/faceoff.jar}
threads=${THREADS:-$(nproc)}
FT=softmax-ft,contrastive-ft,triplet-ft,center-ft,sphereface-ft,cosface-ft,arcface-ft
SCRATCH=softmax-mfn64-aug,contrastive-mfn64-aug,triplet-mfn64-aug,center-mfn64-aug,sphereface-mfn64-aug,cosface-m20-mfn64-aug,arcface-m30-mfn64-aug
BASE=mobilefacenet-faceplugin
[[ -f $jar ]] || mvn -q -B -DskipTests package
run() { java -jar "$jar" "$@" --threads "$threads"; }
judge() {   # name models [--calibrate]
  local name=$1 models=$2; shift 2
  run evaluate --pairs "$shared/datasets/lfw/pairs.txt" --models "$models" --out "$out/lfw-$name" "$@"
  for set in ff fp; do
    run evaluate --pairs "$shared/datasets/cfp-dev/pairs_$set.csv" --models "$models" --out "$out/cfp-$set-$name"
  done
  run robustness --pairs "$shared/datasets/lfw/pairs.txt" --models "$models" --transforms none,mask,sunglasses,down48 \
    --out "target/robustness/$name"
}
stage=${1:-all}
if [[ $stage == scratch || $stage == all ]]; then
  judge scratch "$SCRATCH,$BASE"
  run robustness --pairs "$shared/datasets/lfw/pairs.txt" --models "$BASE" --out target/robustness/baseline-all
fi
if [[ $stage == ft || $stage == all ]]; then
  judge ft "$FT" --calibrate
  run robustness --pairs "$shared/datasets/lfw/pairs.txt" --models "$FT" --out target/robustness/ft-all
fi
if [[ $stage == table || $stage == all ]]; then
  /usr/bin/python3 -m training.ft_table --evaluation "$out" --robustness target/robustness | tee "$out/ft-table.md"
fi
