#!/usr/bin/env bash
# Install skcama and its test tools into the current Python environment.
# PyTorch: when none is installed, take the CPU build (a local wheel if pip can find one,
# else PyTorch's CPU index) instead of letting pip pull several GB of CUDA packages.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
TORCH_VERSION="${SKCAMA_TORCH_VERSION:-2.13.0}"
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "installing the CPU build of torch ${TORCH_VERSION}"
    "$PYTHON" -m pip install "torch==${TORCH_VERSION}+cpu" \
        || "$PYTHON" -m pip install "torch==${TORCH_VERSION}" \
            --index-url https://download.pytorch.org/whl/cpu
fi
"$PYTHON" -m pip install -e ".[test]"
