"""Type aliases of the public signatures: what a user may pass as rows, labels, weights
and seeds."""

from __future__ import annotations

import io
import os
from collections.abc import Hashable, Mapping, Sequence
from typing import IO, Any, Protocol

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .graph import MarkovBlanketRoles


class SupportsToPandas(Protocol):
    """A table of another library that skcama reads as pandas: a polars DataFrame, a
    pyarrow Table."""

    def to_pandas(self) -> Any: ...


# a table with named columns: a pandas DataFrame, or a polars DataFrame or pyarrow Table,
# read as pandas
TableLike = pd.DataFrame | SupportsToPandas
# rows x columns: a DataFrame (columns matched by name; a polars DataFrame or pyarrow Table
# is read as pandas), an array or nested lists
MatrixLike = pd.DataFrame | SupportsToPandas | ArrayLike
# one value per row: a Series, an array or a list
VectorLike = pd.Series | ArrayLike
# a seed: an int, None (fresh entropy), a numpy Generator or a legacy RandomState
SeedLike = int | np.integer | np.random.Generator | np.random.RandomState | None
# the roles of a target's Markov blanket: the fitted roles, or a dict of role -> columns
RolesLike = MarkovBlanketRoles | Mapping[str, Sequence[Hashable]]
# a graph: a DiGraph, a dict of parent lists, a graph file, or a discovery method's name
GraphLike = nx.DiGraph | Mapping[Any, Sequence[Hashable]] | str | os.PathLike
# where a model file is written or read: a path, or a binary file object (open(p, "rb"),
# io.BytesIO, gzip.open(p, "wb"), a member of a zip file)
ModelFile = str | os.PathLike | IO[bytes] | io.BufferedIOBase
