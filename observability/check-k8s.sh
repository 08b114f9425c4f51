#!/usr/bin/env bash
# Renders both kustomize overlays into target/k8s/cpu.yaml and target/k8s/gpu.yaml and lists their
# objects. The strict validation of every object (fabric8 Kubernetes and prometheus-operator models,
# unknown and required fields, cross-references) is dev.faceoff.deploy.KubernetesManifestsTest, which
# renders the overlays the same way during `mvn test`.
# Without kubectl: fails in CI (CI=true), skips with a message elsewhere.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v kubectl >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "check-k8s: kubectl is required in CI to render k8s/overlays" >&2
    exit 1
  fi
  echo "check-k8s: skipped: kubectl is not installed (it renders k8s/overlays with 'kubectl kustomize')"
  exit 0
fi
mkdir -p "$repo/target/k8s"
for overlay in cpu gpu; do
  out="$repo/target/k8s/$overlay.yaml"
  kubectl kustomize "$repo/k8s/overlays/$overlay" >"$out"
  echo "check-k8s: $overlay -> ${out#"$repo"/}: $(grep '^kind:' "$out" | cut -d' ' -f2 | sort | uniq -c | xargs)"
done
