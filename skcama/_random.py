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
    the draws are the same on every numpy. A bool, a negative number or anything else
    numpy cannot seed from gives an error that names ``random_state``."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.Generator(random_state._bit_generator)
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError(
            "random_state must be an int, a numpy.random.Generator, a numpy.random.RandomState "
            f"or None, got {random_state!r}."
        )
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as error:
        raise type(error)(
            "random_state must be an int >= 0, a numpy.random.Generator, a "
            f"numpy.random.RandomState or None, got {random_state!r}."
        ) from None


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
