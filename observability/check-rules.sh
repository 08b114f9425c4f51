#!/usr/bin/env bash
# promtool on the Prometheus files: the scrape config and the rule files are valid, and the rule unit tests
# of observability/prometheus/tests/ pass (each alert: fires, and does not fire). Installs Debian's
# prometheus package (which carries promtool) when promtool is missing.
set -euo pipefail
cd "$(dirname "$0")/prometheus"
if ! command -v promtool >/dev/null; then
  echo "check-rules: installing prometheus (promtool)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool check config --syntax-only prometheus.yml
promtool check rules rules/*.yml
promtool test rules tests/*.yml
