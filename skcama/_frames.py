"""Tables of other dataframe libraries (polars, pyarrow) read as pandas where skcama
reads rows: the public functions and methods that take ``X`` or ``y`` convert them on
entry, so column names, text and categorical columns and missing values reach the model
as they do from pandas. Columns of ``decimal.Decimal`` values in a pandas frame are read
as floats there too."""

from __future__ import annotations

import decimal
import functools
import inspect
import numbers
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


def _polars_column(column: Any) -> Any:
    """One polars Series as the values of a pandas column (numpy arrays, zero-copy for
    numbers without nulls). The same with or without pyarrow installed: an Enum keeps
    its declared levels, in order (unused ones too); a Decimal is read as floats; a
    Categorical is read as its text (polars gives its levels no order of their own, so
    the model orders them as it orders any text); a time-zone-aware Datetime keeps its
    zone; nested values (List, Struct) come as Python objects, for the model to refuse
    by name."""
    import polars as pl

    dtype = column.dtype
    if isinstance(dtype, pl.Enum):
        return pd.Categorical(column.cast(pl.String).to_numpy(),
                              categories=dtype.categories.to_list())
    if isinstance(dtype, pl.Categorical):
        return column.cast(pl.String).to_numpy()
    if isinstance(dtype, pl.Decimal):  # a database's NUMERIC: numbers, not Python objects
        return column.cast(pl.Float64).to_numpy()
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return pd.Series(column.to_numpy()).dt.tz_localize("UTC").dt.tz_convert(
            dtype.time_zone).to_numpy()
    if dtype.is_nested():
        return np.array(column.to_list() + [None], dtype=object)[:-1]
    return column.to_numpy()


def _polars_as_pandas(obj: Any, name: str) -> pd.DataFrame | pd.Series:
    kind = type(obj).__name__
    if kind == "LazyFrame":
        raise TypeError(
            f"{name} is a polars LazyFrame, a query not yet run; collect its rows first: "
            "call .collect() on it."
        )
    if kind == "Series":  # polars names an unnamed Series "": unnamed, as in pandas
        return pd.Series(_polars_column(obj), name=obj.name or None)
    if kind == "DataFrame":
        return pd.DataFrame({col: _polars_column(obj.get_column(col)) for col in obj.columns},
                            columns=obj.columns)
    return obj


def as_pandas(obj: Any, name: str = "X") -> Any:
    """``obj`` as a pandas DataFrame or Series where it is a polars or pyarrow one; any
    other value as it is. A tuple or list holding such tables, as ``reference=(X, y)`` is
    given, is converted part by part: a converted vector takes the index of the first
    part (the rows), and converted rows take the index of the first pandas part after
    them, so that parts without an index are paired by position.

    Examples
    --------
    >>> import numpy as np
    >>> as_pandas(np.zeros(2))
    array([0., 0.])
    """
    if isinstance(obj, (tuple, list)) and any(map(is_foreign_table, obj)):
        parts = [as_pandas(part, f"{name}[{i}]") for i, part in enumerate(obj)]
        partner = None  # the first pandas part, whose index converted rows take
        for part, given in zip(parts[1:], obj[1:], strict=True):
            if is_foreign_table(given):
                _pair_by_position(part, parts[0])
            elif partner is None:
                partner = part
        if is_foreign_table(obj[0]):
            _pair_by_position(parts[0], partner)
        return type(obj)(parts)
    library = _library(obj)
    if library not in _LIBRARIES:
        return obj
    if library == "polars":
        return _polars_as_pandas(obj, name)
    if hasattr(obj, "to_pandas"):  # pyarrow Table, RecordBatch, Array, ChunkedArray
        return obj.to_pandas()
    return np.asarray(obj)


def _pair_by_position(converted: Any, other: Any) -> None:
    """Give ``converted`` (a frame or vector just made from a table without an index) the
    index of ``other`` (the pandas rows or labels it goes with) where their lengths agree,
    so that it is paired by position without a warning that the indexes differ."""
    if (isinstance(converted, (pd.DataFrame, pd.Series))
            and isinstance(other, (pd.DataFrame, pd.Series))
            and len(converted) == len(other)):
        converted.index = other.index


def _has_foreign(values: Any) -> bool:
    return any(
        is_foreign_table(v)
        or (isinstance(v, (tuple, list)) and any(map(is_foreign_table, v)))
        for v in values
    )


def _decimal_columns(frame: pd.DataFrame) -> list:
    """Positions of the object columns of ``frame`` that hold ``decimal.Decimal`` values
    (``pd.read_sql`` gives a database's NUMERIC so), alone or beside other numbers, and
    nothing else but missing ones."""
    found = []
    for j, dtype in enumerate(frame.dtypes):
        if not pd.api.types.is_object_dtype(dtype):
            continue
        kind = pd.api.types.infer_dtype(frame.iloc[:, j], skipna=True)
        if kind == "decimal" or (kind == "mixed" and _decimals_and_numbers(frame.iloc[:, j])):
            found.append(j)
    return found


def _decimals_and_numbers(column: pd.Series) -> bool:
    """Whether ``column`` holds Decimals beside other numbers only (a Decimal column
    concatenated with a float one), which pandas infers as "mixed"."""
    found = False
    for value in column.dropna().to_numpy():  # stops at the first text of a text column
        if isinstance(value, decimal.Decimal):
            found = True
        elif not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
            return False
    return found


def _decimals_as_floats(value: Any) -> Any:
    """``value`` (a frame, or a tuple or list of parts) with its Decimal columns as float64,
    as polars Decimal columns are read; the object itself where it has none."""
    if isinstance(value, (tuple, list)):
        parts = [_decimals_as_floats(part) for part in value]
        changed = any(p is not v for p, v in zip(parts, value, strict=True))
        return type(value)(parts) if changed else value
    columns = _decimal_columns(value) if isinstance(value, pd.DataFrame) else []
    if not columns:
        return value
    value = value.copy(deep=False)  # the caller's frame stays as it is
    for j in columns:
        value.isetitem(j, pd.to_numeric(value.iloc[:, j]).astype(np.float64))
    return value


def _has_decimals(values: Any) -> bool:
    for value in values:
        parts = value if isinstance(value, (tuple, list)) else [value]
        if any(isinstance(p, pd.DataFrame) and _decimal_columns(p) for p in parts):
            return True
    return False


def reads_tables(*names: str) -> Callable[[F], F]:
    """Decorate a function so that its arguments ``names`` are read as pandas when they
    come from polars or pyarrow (see :func:`as_pandas`). The first name is the rows:
    a converted vector among the others (labels, weights) takes the index of the rows,
    and converted rows take the index of the first pandas vector given with them, so a
    table without an index is paired by position, as an array is.

    A pandas frame's object columns of ``decimal.Decimal`` values (a database's NUMERIC,
    as ``pd.read_sql`` gives it) are read as floats, as polars Decimal columns are.

    Calls without such an argument pass straight through; the check looks at the types
    of the arguments and at the values of a frame's object columns.

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
            if not (_has_foreign(args) or _has_foreign(kwargs.values())
                    or _has_decimals(args) or _has_decimals(kwargs.values())):
                return func(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            given = {n: bound.arguments[n] for n in names if n in bound.arguments}
            for name, value in given.items():
                bound.arguments[name] = _decimals_as_floats(as_pandas(value, name))
            rows_name = names[0]
            rows = bound.arguments.get(rows_name)
            vectors = [n for n in given if n != rows_name]
            for name in vectors:
                if is_foreign_table(given[name]):
                    _pair_by_position(bound.arguments[name], rows)
            if is_foreign_table(given.get(rows_name)):
                partner = next((bound.arguments[n] for n in vectors
                                if isinstance(bound.arguments[n], pd.Series)
                                and not is_foreign_table(given[n])), None)
                _pair_by_position(rows, partner)
            return func(*bound.args, **bound.kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
