"""Random generators from the ``random_state`` arguments users pass."""

from __future__ import annotations

from typing import Any

import numpy as np


def default_rng(random_state: Any) -> np.random.Generator:
    """``numpy.random.default_rng(random_state)``, also for a legacy
    ``numpy.random.RandomState`` (as scikit-learn passes) on numpy before 2.2, which
    refuses one: a Generator over its bit generator, the one numpy 2.2 and later make, so
    the draws are the same on every numpy."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.Generator(random_state._bit_generator)
    return np.random.default_rng(random_state)
