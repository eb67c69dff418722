"""Missing values for synthetic tables: completely at random (MCAR) or at random (MAR)."""

from __future__ import annotations

import logging
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, overload

import numpy as np
import pandas as pd
from scipy.special import expit

from .._frames import reads_tables
from .._typing import SeedLike, TableLike
from ._sem import _rng

__all__ = ["add_missing"]

logger = logging.getLogger(__name__)

MECHANISMS = ("mcar", "mar")


# overloads: what a call returns, by return_mask, for type checkers
@overload
def add_missing(
    X: TableLike, rate: float | Mapping[Any, float], *, return_mask: Literal[False] = ...,
    **options: Any,
) -> pd.DataFrame: ...
@overload
def add_missing(
    X: TableLike, rate: float | Mapping[Any, float], *, return_mask: Literal[True],
    **options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


@reads_tables("X")
def add_missing(  # type: ignore[misc]  # the overloads take the other parameters as **options
    X: TableLike,
    rate: float | Mapping[Any, float],
    *,
    columns: Iterable[Hashable] | None = None,
    mechanism: str = "mcar",
    depends_on: Hashable | None = None,
    strength: float = 2.0,
    nullable: bool = True,
    random_state: SeedLike = None,
    return_mask: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Blank cells of chosen columns, completely at random or depending on an observed column.

    MCAR: every cell of a chosen column is missing with probability ``rate``, independently of
    everything. MAR: the probability that row ``i`` of a chosen column is missing is
    ``sigmoid(b + strength * d_i)``, where ``d`` is the column ``depends_on`` standardised
    (bool as 0 / 1, a categorical column by its category codes) and ``b`` is set, per column,
    so that the mean probability over the rows of ``X`` is ``rate``. The driver column must be
    fully observed and is never blanked. Each cell has one fixed uniform draw, so with the same
    ``random_state`` a larger rate blanks a superset of the cells.

    Parameters
    ----------
    X : pandas.DataFrame
        The table; it is not modified.
    rate : float or dict
        Probability that a cell of a chosen column is blanked (MCAR), or its mean over
        the rows (MAR), in [0, 1); a dict ``{column: rate}`` gives each column its own
        rate (and, without ``columns``, chooses the columns). Cells missing already stay
        missing whatever their draw: in a column with missing values, about ``rate``
        of the observed cells are blanked, and more than ``rate`` of all cells end
        missing.
    columns : list-like of column names, optional
        The columns to blank; default every column (MCAR) or every column but ``depends_on``
        (MAR), or the keys of ``rate``.
    mechanism : {"mcar", "mar"}, default="mcar"
        Missing completely at random, or at random given ``depends_on``.
    depends_on : column name, optional
        MAR only (and required there): the observed column the missingness depends on.
    strength : float, default=2.0
        MAR only: log-odds change of being missing per sd of ``depends_on``; positive makes
        rows with a high value more often missing, 0 gives MCAR.
    nullable : bool, default=True
        Chosen ``bool`` and integer columns become pandas nullable ``boolean`` and ``Int64``
        (``UInt64`` for unsigned integers; missing as ``pd.NA``), so their type stays
        visible whether or not a cell was blanked; with False they become ``object``
        (True / False / NaN) and ``float64``, which holds integers exactly up to 2**53
        only. Pandas' nullable integer columns keep their dtype (with False they become
        ``float64`` too); float and ``category`` columns hold NaN as they are.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the uniform draws.
    return_mask : bool, default=False
        Also return the boolean frame of the cells that were blanked.

    Returns
    -------
    X_missing : pandas.DataFrame
        A copy of ``X`` with the chosen cells missing.
    mask : pandas.DataFrame of bool
        Only with ``return_mask=True``: True where a cell was blanked, observed in ``X``
        and missing in ``X_missing`` (same shape as ``X``).

    Raises
    ------
    ValueError
        On an unknown column or mechanism, a rate outside [0, 1), a MAR driver that is missing,
        has missing values or is among the chosen columns.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.normal(60, 10, 5000), "smoker": rng.random(5000) < 0.3,
    ...                   "grade": rng.integers(0, 5, 5000)})
    >>> X_mcar = add_missing(X, 0.3, columns=["smoker", "grade"], random_state=0)
    >>> X_mcar.dtypes.astype(str).tolist()
    ['float64', 'boolean', 'Int64']
    >>> X_mcar[["smoker", "grade"]].isna().mean().round(1).tolist()
    [0.3, 0.3]
    >>> X_mar = add_missing(X, 0.3, columns=["grade"], mechanism="mar", depends_on="age",
    ...                     random_state=0)
    >>> old = X["age"] > 60
    >>> bool(X_mar["grade"][old].isna().mean() > X_mar["grade"][~old].isna().mean())
    True
    """
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"X must be a pandas DataFrame, got {type(X).__name__}.")
    for name, value in (("nullable", nullable), ("return_mask", return_mask)):
        if not isinstance(value, bool | np.bool_):  # "no" would read as True
            raise ValueError(f"{name} must be True or False, got {value!r}.")
    if mechanism not in MECHANISMS:
        raise ValueError(
            f"mechanism must be one of {', '.join(map(repr, MECHANISMS))}, got {mechanism!r}."
        )
    if mechanism == "mar":
        if depends_on is None:
            raise ValueError(
                "mechanism='mar' needs depends_on, the observed column the missingness depends "
                "on, e.g. depends_on='age'."
            )
        _check_columns(X, [depends_on], "depends_on")
        if X[depends_on].isna().any():
            raise ValueError(
                f"depends_on={depends_on!r} has missing values; MAR missingness must depend on a "
                "fully observed column."
            )
        driver = _standardised(X[depends_on], depends_on)
    elif depends_on is not None:
        raise ValueError(
            f"depends_on={depends_on!r} is only used with mechanism='mar'; with 'mcar' the "
            "missingness depends on nothing."
        )
    if (
        isinstance(strength, bool)
        or not isinstance(strength, numbers.Real)
        or not np.isfinite(strength)
    ):
        raise ValueError(f"strength must be a finite number, got {strength!r}.")

    if columns is None:
        if isinstance(rate, Mapping):
            columns = list(rate)
        else:
            columns = [c for c in X.columns if c != depends_on]
    elif isinstance(columns, (str, bytes)) or not _is_list_like(columns):
        raise ValueError(
            f"columns must be a list of column names, got {columns!r}; for one column pass "
            f"[{columns!r}]."
        )
    columns = list(columns)
    _check_columns(X, columns, "columns")
    if len(set(columns)) != len(columns):
        raise ValueError(f"columns lists a column twice: {columns}.")
    if depends_on is not None and depends_on in columns:
        raise ValueError(
            f"depends_on={depends_on!r} is among the columns to blank; MAR missingness depends "
            "on an observed column, so leave it out of columns."
        )
    rates = _rates(rate, columns)

    rng = _rng(random_state)
    uniform = rng.random((len(X), len(columns)))
    out = X.copy()
    mask = pd.DataFrame(False, index=X.index, columns=X.columns)
    for j, column in enumerate(columns):
        if mechanism == "mar":
            probability = _calibrated_probability(driver, rates[column], float(strength))
        else:
            probability = np.full(len(X), rates[column])
        blank = uniform[:, j] < probability
        out[column] = _missing_capable(X[column], nullable).mask(blank)
        mask[column] = blank & X[column].notna().to_numpy()  # a cell missing already: not blanked
    logger.debug("blanked %s cells (%s)", int(mask.to_numpy().sum()), mechanism)
    return (out, mask) if return_mask else out


def _is_list_like(value: object) -> bool:
    """A list, tuple, pandas Index / Series or 1-D array of names."""
    return isinstance(value, (Sequence, pd.Index, pd.Series)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )


def _check_columns(X: pd.DataFrame, columns: list, argument: str) -> None:
    unknown = [c for c in columns if c not in X.columns]
    if unknown:
        raise ValueError(
            f"{argument} names {unknown}, which {'is' if len(unknown) == 1 else 'are'} not a "
            f"column of X; columns: {list(X.columns)}."
        )
    repeated = [c for c in dict.fromkeys(columns) if (X.columns == c).sum() > 1]
    if repeated:
        raise ValueError(
            f"X has several columns labelled {repeated}; {argument} cannot tell them apart. "
            "Give every column of X its own name."
        )


def _rates(rate: float | Mapping, columns: list) -> dict:
    if isinstance(rate, Mapping):
        missing = [c for c in columns if c not in rate]
        if missing:
            raise ValueError(f"rate has no entry for the columns {missing}.")
        extra = [c for c in rate if c not in columns]
        if extra:  # a misspelt column, or one meant to be blanked too
            raise ValueError(
                f"rate has entries for {extra}, which columns={columns} leaves out; add them "
                "to columns, or drop them from rate."
            )
        rates = {c: rate[c] for c in columns}
    else:
        rates = dict.fromkeys(columns, rate)
    for column, value in rates.items():
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (ok and 0.0 <= value < 1.0):
            raise ValueError(
                f"rate for column {column!r} must be a number in [0, 1), got {value!r}."
            )
    return {c: float(v) for c, v in rates.items()}


def _standardised(column: pd.Series, name: Hashable) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = column.cat.codes.to_numpy(dtype=float)
    else:
        try:
            values = column.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"depends_on={name!r} holds values that are not numbers (e.g. "
                f"{column.iloc[0]!r}); MAR missingness depends on a numeric, bool or "
                "categorical column: convert it, e.g. "
                f"X[{name!r}].astype('category')."
            ) from None
        if not np.isfinite(values).all():
            raise ValueError(
                f"depends_on={name!r} holds {int((~np.isfinite(values)).sum())} infinite "
                "values; MAR missingness depends on a column of finite values: replace them."
            )
    if len(values) == 0:
        return values
    # scaled first: the squares of values near the largest float overflow, and an
    # infinite sd made the driver all zeros (MAR fell back to MCAR without a word)
    largest = float(np.abs(values).max())
    values = values / largest if largest > 0 else values
    sd = values.std()
    return (values - values.mean()) / (sd if sd > 0 else 1.0)


def _calibrated_probability(driver: np.ndarray, rate: float, strength: float) -> np.ndarray:
    """``sigmoid(b + strength * driver)`` with ``b`` found by bisection so the mean is ``rate``."""
    if rate == 0.0 or len(driver) == 0:
        return np.zeros(len(driver))
    # b's range holds the root: [-50, 50] does where |strength * driver| <= 25; beyond,
    # it missed the rate (0.47 for 0.2 at strength 1000)
    reach = abs(strength) * float(np.max(np.abs(driver))) if len(driver) else 0.0
    bound = 50.0 if reach <= 25.0 else 50.0 + reach
    low, high = -bound, bound
    for _ in range(100):
        middle = 0.5 * (low + high)
        if expit(middle + strength * driver).mean() < rate:
            low = middle
        else:
            high = middle
    return expit(0.5 * (low + high) + strength * driver)


def _missing_capable(column: pd.Series, nullable: bool) -> pd.Series:
    """The column in a dtype that holds missing values and keeps its kind visible."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return column.astype("boolean") if nullable else column.astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        if not nullable:
            return column.astype(np.float64)
        # unsigned as unsigned: values of 2**63 and more do not fit Int64
        return column.astype("UInt64" if dtype.kind == "u" else "Int64")
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        # pandas' nullable integers hold missing values as they are
        return column if nullable else column.astype(np.float64)
    return column
