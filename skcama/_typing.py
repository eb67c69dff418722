"""Type aliases of the public signatures: what a user may pass as rows, labels, weights
and seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# rows x columns: a DataFrame (columns matched by name), an array or nested lists
MatrixLike = pd.DataFrame | ArrayLike
# one value per row: a Series, an array or a list
VectorLike = pd.Series | ArrayLike
# a seed: an int, None (fresh entropy), a numpy Generator or a legacy RandomState
SeedLike = int | np.integer | np.random.Generator | np.random.RandomState | None
