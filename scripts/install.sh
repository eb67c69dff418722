#!/usr/bin/env bash
# Install skcama and its test tools into the current Python environment.
# PyTorch: when none is installed, take the CPU build (a local wheel if pip can find one,
# else PyTorch's CPU index) instead of letting pip pull several GB of CUDA packages; where
# neither is reachable, the default build from the package index, said before it starts.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null; then
    echo "no Python at '$PYTHON': set PYTHON=/path/to/python3 (3.10 or newer)" >&2
    exit 1
fi
TORCH_VERSION="${SKCAMA_TORCH_VERSION:-2.13.0}"
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    echo "installing the CPU build of torch ${TORCH_VERSION}"
    "$PYTHON" -m pip install "torch==${TORCH_VERSION}+cpu" \
        || "$PYTHON" -m pip install "torch==${TORCH_VERSION}" \
            --index-url https://download.pytorch.org/whl/cpu \
        || {
            echo "no CPU build of torch ${TORCH_VERSION} is reachable for $("$PYTHON" -V);"
            echo "installing torch from the package index instead (on Linux a CUDA build,"
            echo "several GB; it runs on the CPU too)"
            "$PYTHON" -m pip install "torch>=2.2"
        }
fi
"$PYTHON" -m pip install -e ".[test]"
