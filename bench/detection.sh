#!/usr/bin/env bash
# Per-stage cost of finding and aligning a face (decode, detect, landmarks, align), one thread, for RFB-320 +
# 68 landmarks, YuNet + 68 landmarks (the default) and YuNet with its own points, on 250x250 LFW photos and on
# a 12-megapixel JPEG: dev.faceoff.evaluation.DetectionBench (LFW from $FACEOFF_SHARED/datasets, default
# ../shared). Don't run it beside a training job.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Pcpu test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
echo "-cp target/test-classes:target/classes:$(cat target/bench.classpath)" > target/bench.args
java @target/bench.args dev.faceoff.evaluation.DetectionBench "$@"
