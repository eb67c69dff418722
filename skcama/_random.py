"""Random generators from the ``random_state`` arguments users pass."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import numpy as np

from ._typing import SeedLike

# torch's layer initialisers draw from the one process-wide generator: fits in threads of one
# process (joblib's "threading" backend, Dask workers with several threads) would reseed it
# under each other's hands and restore it out of order. One lock makes each seeded
# initialisation whole.
_TORCH_SEED_LOCK = threading.RLock()


def default_rng(random_state: SeedLike) -> np.random.Generator:
    """``numpy.random.default_rng(random_state)``, also for a legacy
    ``numpy.random.RandomState`` (as scikit-learn passes) on numpy before 2.2, which
    refuses one: a Generator over its bit generator, the one numpy 2.2 and later make, so
    the draws are the same on every numpy."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.Generator(random_state._bit_generator)
    return np.random.default_rng(random_state)


@contextlib.contextmanager
def seeded_torch(seed: int) -> Iterator[None]:
    """Run the block with torch's global generator seeded by ``seed``, then restore it.

    Held under a process-wide lock, so that networks built in threads at the same time
    each get the weights their seed gives and the caller's generator ends where it was.
    Keep the block short: only the construction that draws from the global generator.
    """
    import torch

    with _TORCH_SEED_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
