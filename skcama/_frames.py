"""Tables of other dataframe libraries (polars, pyarrow) read as pandas where skcama
reads rows: the public functions and methods that take ``X`` or ``y`` convert them on
entry, so column names, text and categorical columns and missing values reach the model
as they do from pandas."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

_LIBRARIES = ("polars", "pyarrow")


def _library(obj: Any) -> str:
    """The top-level package of ``obj``'s type ("polars", "pandas", "numpy", ...)."""
    return type(obj).__module__.partition(".")[0]


def is_foreign_table(obj: Any) -> bool:
    """Whether ``obj`` is a polars or pyarrow table, column or series."""
    return _library(obj) in _LIBRARIES


def _polars_as_pandas(obj: Any, name: str) -> pd.DataFrame | pd.Series:
    kind = type(obj).__name__
    if kind == "LazyFrame":
        raise TypeError(
            f"{name} is a polars LazyFrame, a query not yet run; collect its rows first: "
            f"{name}.collect()."
        )
    try:  # through Arrow: keeps categorical columns as categories
        return obj.to_pandas()
    except ImportError:  # polars converts through pyarrow; without it, column by column
        if kind == "Series":
            return pd.Series(obj.to_numpy(), name=obj.name)
        if kind == "DataFrame":
            return pd.DataFrame({col: obj.get_column(col).to_numpy() for col in obj.columns})
        raise


def as_pandas(obj: Any, name: str = "X") -> Any:
    """``obj`` as a pandas DataFrame or Series where it is a polars or pyarrow one; any
    other value as it is (a tuple element by element, as ``reference=(X, y)`` is given).

    Examples
    --------
    >>> import numpy as np
    >>> as_pandas(np.zeros(2))
    array([0., 0.])
    """
    if isinstance(obj, tuple):
        return tuple(as_pandas(part, name) for part in obj)
    library = _library(obj)
    if library not in _LIBRARIES:
        return obj
    if library == "polars":
        return _polars_as_pandas(obj, name)
    if hasattr(obj, "to_pandas"):  # pyarrow Table, RecordBatch, Array, ChunkedArray
        return obj.to_pandas()
    return np.asarray(obj)


def _has_foreign(values: Any) -> bool:
    return any(
        is_foreign_table(v) or (isinstance(v, tuple) and any(map(is_foreign_table, v)))
        for v in values
    )


def reads_tables(*names: str) -> Callable[[F], F]:
    """Decorate a function so that its arguments ``names`` are read as pandas when they
    come from polars or pyarrow (see :func:`as_pandas`).

    Calls without such an argument pass straight through; the check looks at the types
    of the arguments only.

    Examples
    --------
    >>> @reads_tables("X")
    ... def n_rows(X):
    ...     return len(X)
    >>> n_rows([[1, 2], [3, 4]])
    2
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not (_has_foreign(args) or _has_foreign(kwargs.values())):
                return func(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            for name in names:
                if name in bound.arguments:
                    bound.arguments[name] = as_pandas(bound.arguments[name], name)
            return func(*bound.args, **bound.kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
