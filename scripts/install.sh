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
# an installed torch older than skcama's lower bound would be upgraded by pip from the
# package index (on Linux a CUDA build of several GB): it is replaced as a missing one is
if "$PYTHON" -c "import torch" 2>/dev/null && ! "$PYTHON" -c "
import sys, torch
major, minor = (int(p) for p in torch.__version__.split('+')[0].split('.')[:2])
sys.exit((major, minor) < (2, 2))" 2>/dev/null; then
    echo "the installed torch is older than 2.2, which skcama needs; replacing it (install"
    echo "a newer CUDA build first to keep a GPU build)"
    "$PYTHON" -m pip uninstall -y torch
fi
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
# compat: a path entry that type checkers (mypy) follow, where the default import hook
# hides the package from them
"$PYTHON" -m pip install -e ".[test]" --config-settings editable_mode=compat \
    || "$PYTHON" -m pip install -e ".[test]"  # a pip older than 22.1 has no --config-settings
