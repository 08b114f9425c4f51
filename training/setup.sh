#!/usr/bin/env bash
# Installs what training/ needs, from Debian's packages only (no pip):
# PyTorch 1.13, torchvision, ONNX, numpy and Pillow for /usr/bin/python3, and OpenBLAS (OpenMP
# build, like PyTorch's own threading): without it Debian's torch falls back to the reference BLAS,
# which makes the classifier layers and every small-batch 1x1 convolution many times slower.
# Usage: training/setup.sh   (as root, or a user with sudo)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
APT=(apt-get -o DPkg::Lock::Timeout=600)
$SUDO "${APT[@]}" update
DEBIAN_FRONTEND=noninteractive $SUDO "${APT[@]}" install -y --no-install-recommends \
  python3 python3-torch python3-torchvision python3-onnx python3-numpy python3-pil python3-pip libopenblas0-openmp
# onnxruntime (no Debian package; from pip's configured wheel store): the fine-tuning tests check the PyTorch form
# of the pretrained embedder against it, and training.finetune --export checks the exported graph with it
/usr/bin/python3 -c "import onnxruntime" 2>/dev/null || \
  $SUDO /usr/bin/python3 -m pip install -q --break-system-packages onnxruntime
/usr/bin/python3 - <<'PY'
import numpy, onnx, onnxruntime, PIL, torch, torchvision
print("training/setup.sh: torch %s, torchvision %s, onnx %s, onnxruntime %s, numpy %s, Pillow %s, cuda %s"
      % (torch.__version__, torchvision.__version__, onnx.__version__, onnxruntime.__version__, numpy.__version__,
         PIL.__version__, torch.cuda.is_available()))
PY
