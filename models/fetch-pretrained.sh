#!/usr/bin/env bash
# Fetches the three pretrained models (MIT) from the npm package faceplugin-face-recognition-js@0.0.1
# with the npm client, checks every file's sha256 and places them in the model store (models/<name>/).
# Idempotent and offline-friendly: a model already in place with the right sha256 is kept, and the
# package tarball is cached in $FACEOFF_CACHE (default ~/.cache/faceoff) so a rebuild needs no network.
# models/tools/prepare_onnx.py (python3-onnx) flushes near-zero weights of the landmark and embedding
# models to zero (denormal arithmetic made them 3-9x slower) and makes the embedder's batch axis dynamic.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${FACEOFF_CACHE:-$HOME/.cache/faceoff}/npm"
package="faceplugin-face-recognition-js"
version="0.0.1"
tarball="$cache/$package-$version.tgz"

# name  upstream-file  upstream-sha256  served-sha256  preparation
models=(
  "detector-rfb320 fr_detect.onnx 6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854 6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854 copy"
  "landmarks-68 fr_landmark.onnx f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258 9ab4828f8c7d51228e8de8931efb25ee716d63b84fadc6f0c042cac5c86b12d5 flush"
  "mobilefacenet-faceplugin fr_feature.onnx 87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581 0fe7cca19f369dcfe55219713df917d44f9d4ddfc4383807632e2dd9e5e3fad8 --dynamic-batch"
)

sha() { sha256sum "$1" | cut -d' ' -f1; }

# YuNet-n (Apache-2.0), the default face detector: copied from the shared model folder (../shared/models/yunet,
# FACEOFF_SHARED overrides ../shared) with its licence, sha256-checked; never committed.
yunet_sha=104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12
yunet_source="${FACEOFF_SHARED:-$here/../../shared}/models/yunet"
yunet_target="$here/detector-yunet"
if [[ -f "$yunet_target/model.onnx" && "$(sha "$yunet_target/model.onnx")" == "$yunet_sha" ]]; then
  echo "fetch-pretrained: detector-yunet/model.onnx present and verified"
elif [[ -f "$yunet_source/yunet_n_dynamic.onnx" ]]; then
  actual="$(sha "$yunet_source/yunet_n_dynamic.onnx")"
  if [[ "$actual" != "$yunet_sha" ]]; then
    echo "fetch-pretrained: $yunet_source/yunet_n_dynamic.onnx has sha256 $actual, expected $yunet_sha" >&2
    exit 1
  fi
  cp "$yunet_source/yunet_n_dynamic.onnx" "$yunet_target/model.onnx"
  cp "$yunet_source/LICENSE" "$yunet_target/LICENSE"
  echo "fetch-pretrained: detector-yunet/model.onnx ok ($actual)"
else
  echo "fetch-pretrained: WARNING no YuNet at $yunet_source (the default detector): faceoff will not start" \
       "unless faceoff.models.detector=detector-rfb320" >&2
fi

all_present=1
for entry in "${models[@]}"; do
  read -r name _ _ served _ <<<"$entry"
  target="$here/$name/model.onnx"
  if [[ ! -f "$target" || "$(sha "$target")" != "$served" ]]; then all_present=0; fi
done
if [[ $all_present == 1 ]]; then
  echo "fetch-pretrained: all pretrained models present and verified"
  exit 0
fi

mkdir -p "$cache"
if [[ ! -f "$tarball" ]]; then
  echo "fetch-pretrained: npm pack $package@$version"
  (cd "$cache" && npm pack --silent "$package@$version" >/dev/null)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"

for entry in "${models[@]}"; do
  read -r name file upstream served preparation <<<"$entry"
  source="$work/package/model/$file"
  actual="$(sha "$source")"
  if [[ "$actual" != "$upstream" ]]; then
    echo "fetch-pretrained: $file has sha256 $actual, expected $upstream" >&2
    exit 1
  fi
  mkdir -p "$here/$name"
  case "$preparation" in
    copy) cp "$source" "$here/$name/model.onnx" ;;
    flush) /usr/bin/python3 "$here/tools/prepare_onnx.py" "$source" "$here/$name/model.onnx" ;;
    *) /usr/bin/python3 "$here/tools/prepare_onnx.py" "$preparation" "$source" "$here/$name/model.onnx" ;;
  esac
  actual="$(sha "$here/$name/model.onnx")"
  if [[ "$actual" != "$served" ]]; then
    echo "fetch-pretrained: $name/model.onnx has sha256 $actual, expected $served" >&2
    exit 1
  fi
  echo "fetch-pretrained: $name/model.onnx ok ($actual)"
done
