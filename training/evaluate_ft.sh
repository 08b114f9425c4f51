#!/usr/bin/env bash
# Judges the fine-tuned zoo where users feel it, like for like with the from-scratch zoo and the pretrained
# baseline, through the service's own pipeline (YuNet + 68 landmarks, the served thresholds):
#   1. LFW (View 2, 6,000 pairs): the fine-tunes with --calibrate (their FAR thresholds), the from-scratch
#      models and the baseline at the thresholds their cards serve;
#   2. CFP-dev frontal-frontal and frontal-profile (3,500 pairs each), decided at those LFW thresholds;
#   3. the robustness suite on LFW (1,200 pairs: untouched, mask, sunglasses, 48 px), all models; every
#      transform for the baseline and for the best fine-tune on LFW;
#   4. the one table: python3 -m training.ft_table (training/README.md, docs/accuracy.md).
# Each step is resumable (faces and embeddings cached under ~/.cache/faceoff). About 40 min on 2 cores.
#   5. the ablation (configs/ft/ablation-*.json, CosFace: identity only, distillation only) beside cosface-ft:
#      exported into a model store of their own (target/ablation-models), LFW and the robustness suite.
# Usage: training/evaluate_ft.sh [scratch|ft|best|ablation|table|all]    (default all)
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
fi
if [[ $stage == best || $stage == all ]]; then
  best=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(max((x for x in r if not x["flip"]), key=lambda x: x["acc10"])["model"])' "$out/lfw-ft/report.json")
  run robustness --pairs "$shared/datasets/lfw/pairs.txt" --models "$best" --out target/robustness/best-all
fi
if [[ $stage == ablation || $stage == all ]]; then
  store=target/ablation-models
  mkdir -p "$store"
  for m in detector-yunet landmarks-68 cosface-ft; do rm -rf "${store:?}/$m"; cp -r "models/$m" "$store/"; done
  for run in ablation-cosface-identity-only ablation-distill-only; do
    /usr/bin/python3 -m training.finetune --config "training/configs/ft/$run.json" --export "$store/${run#ablation-}"
  done
  ablation=cosface-ft,cosface-identity-only,distill-only
  run evaluate --pairs "$shared/datasets/lfw/pairs.txt" --models "$ablation" --out "$out/lfw-ablation" \
    --faceoff.models.dir="$store" --faceoff.models.default-embedding=cosface-ft
  run evaluate --pairs "$shared/datasets/cfp-dev/pairs_fp.csv" --models "$ablation" --out "$out/cfp-fp-ablation" \
    --faceoff.models.dir="$store" --faceoff.models.default-embedding=cosface-ft
  run robustness --pairs "$shared/datasets/lfw/pairs.txt" --models "$ablation" --transforms none,mask,sunglasses,down48 \
    --out target/robustness/ablation --faceoff.models.dir="$store" --faceoff.models.default-embedding=cosface-ft
fi
if [[ $stage == table || $stage == all ]]; then
  /usr/bin/python3 -m training.ft_table --evaluation "$out" --robustness target/robustness | tee "$out/ft-table.md"
fi
