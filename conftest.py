"""Root pytest configuration: also applies to the doctests inside the package."""

import os

import torch

if os.environ.get("PYTEST_XDIST_WORKER"):
    # one intra-op thread per test worker (see tests/conftest.py)
    torch.set_num_threads(1)
