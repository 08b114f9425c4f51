#!/usr/bin/env bash
# 10,000 hostile requests (HostileInputs: damaged images, odd encodings, pixel bombs, malformed multipart,
# JSON and base64, bad parameters) against a real faceoff process: zero 5xx, the process alive, no native
# crash, resident memory back within 5 % of its warm baseline. The same check as the test run's 1,000-case
# FuzzTest, ten times longer. Writes the outcome counts per status and code to target/fuzz/report.md.
#   bench/fuzz.sh [CASES] [SEED]      (default 10000, 20261203)
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-10000}"
seed="${2:-20261203}"
mkdir -p target/fuzz
mvn -B -q -o -Pcpu test -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.cases="$cases" -Dfuzz.seed="$seed" -Dfuzz.report="$PWD/target/fuzz/report.md"
cat target/fuzz/report.md
