#!/usr/bin/env bash
# ms per face of the vendor's embedder against the served one (near-zero weights flushed by
# models/tools/prepare_onnx.py), one thread, on a real LFW face: dev.faceoff.model.DenormalBench.
# Needs the fetched models (bin/setup) and LFW in $FACEOFF_SHARED/datasets (default ../shared). The classpath goes through an
# argument file: ONNX Runtime 1.29.0 crashes on command lines over ~3,980 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Pcpu test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
echo "-cp target/test-classes:target/classes:$(cat target/bench.classpath)" > target/bench.args
java @target/bench.args dev.faceoff.model.DenormalBench "$@"
