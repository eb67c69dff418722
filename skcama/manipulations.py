"""Manipulations of measurement data: shift, scale, noise and replacement of columns.

Every amount is in *clean standard-deviation units*: the sd of each column is taken from
a clean reference frame or from a fitted :class:`~skcama.CAMAClassifier` (its scaler),
passed as ``reference=``. Without one it is taken from the frame being manipulated, which
gives clean units only where that frame is clean: a shift of 1 after a scale of 3 moves a
column about 3 clean sds. Pass the training frame or the fitted model for figures you report.
Columns are chosen by name or by role: ``"coparents"`` and ``"children"`` of the target.
Amounts in standard deviations apply to continuous columns: a role takes its continuous
members, and discrete ones are left as they are (see :func:`shift` for which columns count
as discrete: without a reference, integer codes count as measurements).

Only co-parents and children are *valid* manipulations in the causal sense: they change
how the measurements are produced but leave the label's mechanism ``y -> x`` (and
``p(y | a)``) intact. Manipulating a parent of the target changes the label distribution
itself (a warning says so), and manipulating the target is refused where the roles
name it (a fitted model's, a SEM's ``roles``, or a dict's ``"target"``, else ``"y"``).

Changes of causes that propagate through the true mechanism (a co-parent moved, its
children following) need the true SEM; use
``SyntheticSEM.sample(n, shift={"coparents": 2.0})`` for those. The functions here act
on the measured values only (no propagation).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._columns import (
    _as_float,
    columns_by_label,
    extreme_column_moments,
    infer_kind,
    is_real_number,
    negligible_sd,
    numbers_only,
    text_then_type,
)
from ._frames import reads_tables
from ._random import default_rng
from ._typing import RolesLike, SeedLike, TableLike
from ._warn import warn_user
from .graph import MarkovBlanketRoles, _preview, did_you_mean

if TYPE_CHECKING:
    from ._classifier import CAMAClassifier

logger = logging.getLogger("skcama")

__all__ = [
    "MANIPULATIONS",
    "InvalidManipulationWarning",
    "clean_std",
    "VALID_ROLES",
    "add_noise",
    "replace",
    "resolve_columns",
    "scale",
    "shift",
]

VALID_ROLES = ("coparents", "children")
_ALL_ROLES = ("parents", "coparents", "children")
_ROLE_KEYS = (*_ALL_ROLES, "target", "outside", "latent")  # a SEM's roles hold the last two


class InvalidManipulationWarning(UserWarning):
    """A manipulation touches a parent of the target: not a valid manipulation.

    Moving a parent changes the distribution of the label itself, so accuracy on such
    rows says nothing about robustness. Pass ``allow_parents=True`` to do it on purpose.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from skcama.manipulations import InvalidManipulationWarning, shift
    >>> X = pd.DataFrame({"a": [0.0, 1.0], "x": [1.0, 2.0]})
    >>> roles = {"parents": ["a"], "coparents": [], "children": ["x"]}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = shift(X, 1.0, columns=["a"], roles=roles)
    >>> caught[0].category is InvalidManipulationWarning
    True
    """


def _roles_of(reference: Any, roles: Any) -> dict[str, list] | None:
    """The roles as ``{"target": ..., "parents": [...], ...}``, or None when unknown."""
    if roles is None and reference is not None and hasattr(reference, "roles_"):
        roles = reference.roles_
    if roles is None:
        return None
    if isinstance(roles, MarkovBlanketRoles):
        return {
            "target": roles.target,
            "parents": list(roles.parents),
            "coparents": list(roles.coparents),
            "children": list(roles.children),
        }
    if isinstance(roles, Mapping):
        unknown = [key for key in roles if key not in _ROLE_KEYS]
        if unknown:  # a misspelt role ('parent', 'coparent') was read as an empty one
            hints = [f"{key!r} -> {did_you_mean(key, _ROLE_KEYS)[0]!r}"
                     for key in unknown if did_you_mean(key, _ROLE_KEYS)]
            raise ValueError(
                f"roles has keys {unknown[:5]} that name no role"
                + (f" (did you mean {', '.join(hints[:5])}?)" if hints else "")
                + f"; the keys read are {list(_ALL_ROLES)} and 'target' ("
                "'outside' and 'latent', as a SEM's roles hold them, are allowed and not read)."
            )
        out: dict = {}
        for key in _ALL_ROLES:
            members = roles.get(key, [])
            if isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
                raise TypeError(
                    f"roles[{key!r}] must be a list of column names; got {members!r}. For "
                    f"one column write {{{key!r}: [{members!r}]}}."
                )
            out[key] = list(members)
        # a SEM's roles name their target as an attribute; a plain dict by its key
        out["target"] = roles.get("target", getattr(roles, "target", "y"))
        return out
    raise TypeError(
        "roles must be a MarkovBlanketRoles (clf.roles_) or a dict such as "
        f"SyntheticSEM.roles; got {type(roles).__name__}."
    )


@reads_tables("X", "reference")
def resolve_columns(
    X: TableLike,
    columns: Hashable | Iterable | None = None,
    *,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
) -> list:
    """The columns of ``X`` a manipulation acts on, checked for validity.

    Parameters
    ----------
    X : pandas.DataFrame
        The data to manipulate.
    columns : str, list or None, default=None
        Column names and/or role names (``"coparents"``, ``"children"``, ``"parents"``).
        ``None`` means the valid roles, co-parents and children. A name that is both a
        column of ``X`` and a role (a column ``children``) is the column, with a warning;
        ``None`` still means the roles.
    reference : pandas.DataFrame or fitted CAMAClassifier, default=None
        A fitted CAMAClassifier also supplies the roles.
    roles : MarkovBlanketRoles or dict, default=None
        The roles of the target (``clf.roles_`` or ``SyntheticSEM.roles``); needed for role
        names and for the validity check. A dict lists ``"parents"``, ``"coparents"`` and
        ``"children"``, each a list of column names (a string is refused, not read as its
        letters), and may name the ``"target"`` (default ``"y"``, the target of
        :class:`~skcama.datasets.SyntheticSEM`).
    allow_parents : bool, default=False
        Manipulate parents of the target without a warning.

    Returns
    -------
    list
        Column names, each once, in the order given.

    Raises
    ------
    TypeError
        If ``X`` is not a DataFrame, or a role of a ``roles`` dict is a string rather than
        a list of column names.
    ValueError
        For unknown columns (with a did-you-mean), role names without known roles, the
        target itself, or a chosen label that several columns of ``X`` share.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0], "c": [1.0], "x": [2.0]})
    >>> roles = {"target": "y", "parents": ["a"], "coparents": ["c"], "children": ["x"]}
    >>> resolve_columns(X, roles=roles)
    ['c', 'x']
    >>> resolve_columns(X, ["x"], roles=roles)
    ['x']
    """
    _check_frame(X)
    known = _roles_of(reference, roles)
    parent_set = set(known["parents"]) if known is not None else set()
    if columns is None and known is None:
        raise ValueError(
            "columns=None means the co-parents and children of the target, which only the "
            "graph's roles tell: pass reference=<fitted CAMAClassifier> or roles=clf.roles_ "
            "(or SyntheticSEM.roles), or name the columns to manipulate with columns=[...]."
        )
    default = columns is None  # the roles themselves, whatever X's columns are called
    columns = _as_list(list(VALID_ROLES) if default else columns)
    if not columns:
        raise ValueError("columns is empty; name at least one column or role to manipulate.")
    out: list = []
    for name in columns:
        role = isinstance(name, str) and name in _ALL_ROLES
        if name in X.columns and not (default and role):
            if role and known is not None:  # a column called 'children': the name wins
                warn_user(
                    f"columns names {name!r}, a column of X and also a role: the column is "
                    f"taken. For the role, name its members: columns="
                    f"{list(known[name])[:10]}."
                )
            out.append(name)
        elif role:
            if known is None:
                raise ValueError(
                    f"the role {name!r} needs the graph roles: pass reference=<fitted "
                    "CAMAClassifier> or roles=clf.roles_ (or SyntheticSEM.roles), or name "
                    "the columns instead."
                )
            members = known[name]
            if name == "coparents":  # pure co-parents: a parent with a double role stays out
                members = [m for m in members if m not in parent_set]
            absent = [m for m in members if m not in X.columns]
            if absent:
                raise ValueError(
                    f"the {name} {absent[:10]} are not columns of X, so the role {name!r} "
                    "cannot be manipulated as a whole; pass X with every column of the "
                    "graph, or name the columns to manipulate."
                )
            out.extend(members)
        elif known is not None and name == known["target"]:
            raise ValueError(
                f"cannot manipulate the target {name!r}: changing the label is not a "
                "manipulation of the measurements; choose co-parents or children."
            )
        else:
            close = did_you_mean(name, [*X.columns, *_ALL_ROLES])
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"column {name!r} is not in X and is not a role name.{hint} Known columns: "
                f"[{_preview(X.columns)}]; roles: {list(VALID_ROLES)} (and 'parents', which "
                "changes the label's own distribution)."
            )
    out = list(dict.fromkeys(out))
    if not out:  # only role names reach here empty (a named column is always kept)
        held = {role: list(known[role]) for role in ("parents", "coparents", "children")}
        held["coparents"] = [c for c in held["coparents"] if c not in parent_set]
        raise ValueError(
            f"the target {known['target']!r} has no {' or '.join(map(str, columns))} in the "
            f"graph (roles: {', '.join(f'{r} {m}' for r, m in held.items())}), so there is "
            "nothing to manipulate; name columns instead, or use a graph in which the "
            "measurements are co-parents or children of the target."
        )
    _check_unique(X, out, "X")
    if known is not None:
        if known["target"] in out:
            raise ValueError(
                f"cannot manipulate the target {known['target']!r}: changing the label is not "
                "a manipulation of the measurements; choose co-parents or children."
            )
        parents = [c for c in out if c in parent_set]
        if parents and not allow_parents:
            warn_user(
                f"columns {parents} are parents of the target {known['target']!r}: changing "
                "them changes p(y | a), the label's own distribution, so it is not a valid "
                "manipulation of the measurements. Only co-parents and children are; pass "
                "allow_parents=True to silence this.",
                InvalidManipulationWarning,
            )
    return out


@reads_tables("X", "reference")
def clean_std(
    X: TableLike,
    columns: Hashable | Iterable,
    reference: TableLike | CAMAClassifier | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Clean mean and sd of ``columns``: from ``reference`` (a frame or a fitted
    CAMAClassifier) or, without one, from ``X`` itself.

    Parameters
    ----------
    X : pandas.DataFrame
        The data to manipulate; the source of the mean and sd when ``reference`` is None.
    columns : column name or list of column names
        The numeric columns whose mean and sd are wanted.
    reference : pandas.DataFrame or fitted CAMAClassifier, default=None
        A clean frame (its observed values give the mean and sd), or a fitted
        CAMAClassifier (its scaler). A frame's columns of a few distinct whole numbers,
        which ``CAMAClassifier.fit`` reads as discrete codes, are refused as the model's
        discrete columns are; without a reference, ``X``'s dtypes alone decide.

    Returns
    -------
    mean, std : pandas.Series
        Indexed by column. A column that is constant in the frame (sd 0) gets sd 1, so its
        amounts are in raw units, with a warning naming it.

    Raises
    ------
    ValueError
        For columns missing from the frame, labels several columns share, non-numeric
        columns, infinite values (replace them with NaN or finite numbers) and columns
        with no observed value.

    Warns
    -----
    UserWarning
        For constant columns, whose sd is taken as 1.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [0.0, 2.0]})
    >>> clean_std(X, ["x"])[1].tolist()
    [1.0]
    >>> clean_std(X, "x")[0].tolist()
    [1.0]
    """
    return _clean_moments(X, columns, reference)


def _clean_moments(
    X: pd.DataFrame,
    columns: Hashable | Iterable,
    reference: pd.DataFrame | CAMAClassifier | None,
    sd_used: bool = True,
) -> tuple[pd.Series, pd.Series]:
    """:func:`clean_std`; ``sd_used=False`` (a manipulation that reads the mean alone,
    :func:`scale`) leaves out the warning of columns whose sd is taken in raw units."""
    _check_frame(X)
    columns = _as_list(columns)
    given = reference is not None  # training rows, whose kinds are read as fit reads them
    source = "X" if reference is None or reference is X else "the reference frame"
    if reference is None:
        reference = X
    if isinstance(reference, pd.DataFrame):
        if len(reference) == 0:
            raise ValueError(
                f"{source} has no rows, so it has no clean mean or sd; pass clean "
                "rows, or a fitted CAMAClassifier."
            )
        missing = [c for c in columns if c not in reference.columns]
        if missing:
            raise ValueError(
                f"{source} lacks columns {missing}; pass a clean frame with them."
            )
        _check_unique(reference, columns, source)
        frame = columns_by_label(reference, columns)
        text = _discrete(columns, None, frame)  # what float() cannot read
        if text:
            raise ValueError(
                f"columns {text} are not numeric measurements (text, category or bool); "
                "shifts, scaling, noise and replacement in standard deviations apply to "
                "numeric columns only. Leave them out of columns=."
            )
        # a reference frame is training data: codes read as discrete by fit's rule too
        codes = _discrete(columns, frame, frame) if given else []
        if codes:
            raise ValueError(
                f"columns {codes} hold a few distinct whole numbers in the reference "
                "frame, which CAMAClassifier.fit reads as discrete codes (a grade, a ward), "
                "so they have no clean sd, and shifted codes would be values never seen in "
                "fit. Leave them out of columns=; if they are counts, pass reference=<a "
                "CAMAClassifier fitted with column_types={...: 'gaussian'}>."
            )
        frame = pd.DataFrame(_floats(frame, columns), index=frame.index, columns=frame.columns)
        _check_finite(frame, columns, source)
        empty = [c for c in columns if not frame[c].notna().any()]
        if empty:
            raise ValueError(
                f"columns {empty} of {source} hold only missing values, so they have no "
                "clean mean or sd; pass a reference frame where they are observed, or leave "
                "them out of columns=."
            )
        with np.errstate(over="ignore", under="ignore"):  # recomputed where they do
            plain = frame.mean().to_numpy(), frame.std(ddof=0).to_numpy()
        mean, std = (pd.Series(v, index=frame.columns)
                     for v in extreme_column_moments(frame.to_numpy(), *plain))
        constant = negligible_sd(std, frame.abs().max())
        if sd_used:
            _warn_of_constant([c for c in columns if constant[c]], source)
        return mean, std.where(~constant, 1.0)
    scaler = getattr(reference, "scaler_", None)
    if scaler is None and getattr(reference, "steps", None):
        raise ValueError(
            "reference must be a clean DataFrame or a fitted CAMAClassifier; got a "
            "Pipeline, whose steps transform the columns before its model reads them. "
            "Pass the clean training rows as the pipeline is given them (reference=X_train)."
        )
    if scaler is None:
        raise ValueError(
            "reference must be a clean DataFrame or a fitted CAMAClassifier (with scaler_); "
            f"got {type(reference).__name__}. Fit it first or pass a frame."
        )
    blanket = list(reference.roles_.blanket)
    missing = [c for c in columns if c not in blanket]
    if missing:
        raise ValueError(
            f"columns {missing} are outside the model's Markov blanket, so it has no clean sd "
            "for them; pass reference=<clean DataFrame> instead."
        )
    discrete = [c for c in columns if scaler.kinds[blanket.index(c)] != "gaussian"]
    if discrete:
        raise ValueError(
            f"columns {discrete} are discrete (categorical or binary) for the model, so they "
            "have no clean sd (and shifted codes would be values the model never saw); "
            "manipulate continuous columns only."
        )
    if sd_used:
        _warn_of_constant([c for c in columns if c in scaler.constant],
                          "the training rows of the reference CAMAClassifier",
                          why="sd 0, or varying in a single row, which it reads as constant")
    position = [blanket.index(c) for c in columns]
    return (
        pd.Series(scaler.mean[position], index=columns),
        pd.Series(scaler.scale[position], index=columns),
    )


def _warn_of_constant(
    columns: list, source: str, amounts: str = "amounts", why: str = "sd 0"
) -> None:
    """Warn that ``columns``, constant in ``source`` (``why``), have their ``amounts``
    (of a manipulation, or an attack's budgets) in standard deviations taken in raw
    units."""
    if columns:
        warn_user(
            f"columns {columns} are constant in {source} ({why}), so their {amounts} are "
            "taken in raw units (sd 1). Pass reference=<clean frame where they vary> for "
            f"{amounts} in standard deviations, or leave them out of columns=."
        )


def _prepare(X, columns, reference, roles, allow_parents, sd_used=True):
    _check_frame(X)
    named = _as_list(list(VALID_ROLES) if columns is None else columns)  # read once
    cols = resolve_columns(
        X, None if columns is None else named, reference=reference, roles=roles,
        allow_parents=allow_parents,
    )
    if isinstance(reference, pd.DataFrame):
        _check_unique(reference, [c for c in cols if c in reference.columns],
                      "the reference frame")
    via_role = [c for c in cols if columns is None or c not in named]
    # via a role; a True / False column too, whatever a model reads it as
    skipped = list(dict.fromkeys([*_discrete(via_role, reference, X), *_flags(X, via_role)]))
    if skipped:
        cols = [c for c in cols if c not in skipped]
        if not cols:
            raise ValueError(
                f"every column of {named} is discrete (categorical or binary): {skipped}; "
                "shifts, scaling, noise and replacement in standard deviations apply to "
                "continuous columns only."
            )
        warn_user(
            f"columns {skipped} are discrete (categorical or binary), so they are left as "
            "they are: shifts, scaling, noise and replacement in standard deviations apply "
            "to continuous columns only. Name the continuous columns in columns= to "
            "silence this."
        )
    mean, std = _clean_moments(X, cols, reference, sd_used)
    if reference is not None:  # else clean_std has checked X itself
        _check_numbers(X, cols)
        numeric = [c for c in cols if pd.api.types.is_numeric_dtype(X[c].dtype)]
        _check_finite(columns_by_label(X, numeric).astype(float), numeric, "X")
    return X.copy(), cols, mean, std


def _flags(X: pd.DataFrame, columns: list) -> list:
    """Those of ``columns`` that ``X`` holds as True / False (a bool dtype, or an object
    column of bools): discrete values whatever a model reads them as (moved by a
    fraction of an sd, a flag is no longer one)."""
    return [c for c in columns if c in X.columns and (
        pd.api.types.is_bool_dtype(X[c].dtype) or (
            X[c].dtype == object and pd.api.types.infer_dtype(X[c], skipna=True) == "boolean"
        ))]


def _check_numbers(X: pd.DataFrame, columns: list) -> None:
    """A ValueError naming the ``columns`` of X that the reference reads as measurements
    but X holds as True / False (a discrete column), or with values other than numbers
    (text: a few of them are shown)."""
    inferred = {c: pd.api.types.infer_dtype(X[c], skipna=True) for c in columns
                if not pd.api.types.is_numeric_dtype(X[c].dtype)}  # (bool is numeric)
    flags = _flags(X, columns)
    if flags:
        raise ValueError(
            f"X's columns {flags} hold True / False, a discrete column, where the reference "
            "reads a measurement; shifts, scaling, noise and replacement in standard "
            "deviations apply to measurements only. Leave them out of columns=, or pass "
            "them as the numbers the reference holds."
        )
    bad = {}
    for c, kind in inferred.items():
        if kind in ("floating", "integer", "mixed-integer-float", "decimal", "empty") or (
                numbers_only(X[c])):  # numbers only (Python fractions too): nothing to show
            continue
        values = X[c].dropna()
        flag = values.map(lambda v: isinstance(v, (bool, np.bool_)))  # to_numeric reads 1.0
        odd = values[pd.to_numeric(values.where(~flag), errors="coerce").isna()]
        if len(odd):
            bad[c] = list(dict.fromkeys(odd.tolist()))[:3]
    if bad:
        shown = "; ".join(f"{c!r}: {values}" for c, values in bad.items())
        first = next(iter(bad))
        raise ValueError(
            f"X's columns {list(bad)} hold values that are not numbers ({shown}), but the "
            "reference reads them as measurements, which are shifted, scaled or replaced "
            "in standard deviations. Fix those values, or read them as missing: "
            f"X[{first!r}] = pd.to_numeric(X[{first!r}], errors='coerce')."
        )


def _check_frame(X: Any) -> None:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            "X must be a pandas DataFrame with named columns (columns are chosen by name); "
            f"got {type(X).__name__}. Wrap an array as pd.DataFrame(X, columns=[...])."
        )


def _check_unique(frame: pd.DataFrame, columns: list, source: str) -> None:
    """A ValueError when a label of ``columns`` names several columns of ``frame``."""
    shared = set(frame.columns[frame.columns.duplicated()])
    twice = [c for c in columns if c in shared]
    if twice:
        raise ValueError(
            f"{source} has several columns labelled {twice}, so which one to use is "
            "ambiguous; give every column a unique label (rename them, or drop the copies "
            "with frame.loc[:, ~frame.columns.duplicated()])."
        )


def _check_finite(frame: pd.DataFrame, columns: list, source: str) -> None:
    """A ValueError naming the columns of the float ``frame`` that hold infinite values."""
    counts = {c: int(np.isinf(frame[c].to_numpy()).sum()) for c in columns}
    bad = {c: n for c, n in counts.items() if n}
    if bad:
        raise ValueError(
            f"{source} contains infinity in columns {list(bad)} (infinite values per column: "
            f"{bad}); a manipulation needs finite values (NaN marks a missing value) for "
            "the clean mean and sd. Replace the infinite values with NaN or with finite "
            "numbers."
        )


def _as_list(columns: Any) -> list:
    if isinstance(columns, (str, int)) or not isinstance(columns, Iterable):
        return [columns]
    return list(columns)


def _discrete(columns: list, reference: Any, X: pd.DataFrame) -> list:
    """Those of ``columns`` that are discrete: by a fitted model's column kinds; else, in
    a reference frame (the training data), by the rule ``CAMAClassifier.fit`` reads the
    kinds with (text, category and bool columns, and whole numbers with few distinct
    values, such as a grade 0-4); in ``X`` itself (no reference), by dtype alone: text,
    category and bool columns (the distinct values of a few rows say little about
    whether a numeric column is a count or a code)."""
    scaler = getattr(reference, "scaler_", None)
    if scaler is not None and hasattr(reference, "roles_"):
        blanket = list(reference.roles_.blanket)
        return [c for c in columns
                if c in blanket and scaler.kinds[blanket.index(c)] != "gaussian"]
    if isinstance(reference, pd.DataFrame):
        with warnings.catch_warnings():  # fit warns about such columns; this only reads them
            warnings.simplefilter("ignore")
            return [c for c in columns
                    if c in reference.columns and infer_kind(reference[c]) != "gaussian"]
    if not isinstance(X, pd.DataFrame) or reference is not None:
        return []
    return [c for c in columns if c in X.columns and (
        pd.api.types.is_bool_dtype(X[c].dtype)
        or not (pd.api.types.is_numeric_dtype(X[c].dtype) or numbers_only(X[c]))
    )]


def _floats(frame: pd.DataFrame, cols: list) -> np.ndarray:
    """The values of ``cols`` as a float64 array, missing values (NaN, None, ``pd.NA``)
    as NaN, read as fit reads numbers (an object column of numbers too); column by
    column, by label (a list of labels True and False would be read as a mask)."""
    if not cols:
        return np.empty((len(frame), 0))
    return np.column_stack([_as_float(frame[c], c) for c in cols])


def _check_amount(name: str, value: Any) -> float:
    if not is_real_number(value) or not np.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    return float(value)


@reads_tables("X", "reference")
def shift(
    X: TableLike,
    amount: float,
    *,
    columns: Hashable | Iterable | None = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
) -> pd.DataFrame:
    """Move columns by ``amount`` clean standard deviations.

    Parameters
    ----------
    X : pandas.DataFrame
        Data to manipulate (not modified; a copy is returned).
    amount : float
        The shift in units of each column's clean sd; positive moves up.
    columns : str, list-like or None, default=None
        Columns and/or roles, one name or a list-like of them (a list, a pandas Index, an
        array); ``None`` = co-parents and children (the valid manipulations).
        A role takes its continuous members: discrete ones (a column ``X`` holds as
        True / False, whatever a model reads it as; for a fitted model, its
        binary and categorical columns; for a reference frame, the columns fit would
        read as discrete: text, category and bool columns and whole numbers with few
        distinct values, such as a grade 0-4; without a reference, by ``X``'s dtypes
        alone: text, category and bool columns, so integer codes are moved like
        measurements) are left as they are, with a warning. A discrete column named on
        its own is an error. Pass the training frame as ``reference`` to keep integer
        codes whole.
    reference : pandas.DataFrame or fitted CAMAClassifier, default=None
        Where the clean sd comes from (``X`` itself when None); a CAMAClassifier also gives
        the roles.
    roles : MarkovBlanketRoles or dict, default=None
        Roles of the target, when ``reference`` is not a fitted CAMAClassifier (a dict
        as in :func:`resolve_columns`, each role a list of column names).
    allow_parents : bool, default=False
        Manipulate parents of the target without a warning.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None
        Unused (the result holds no randomness); accepted so every manipulation has the
        same signature.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` with the columns shifted. A float32 column stays float32 where
        float32 holds the change (else it becomes float64, with a warning), a nullable
        numeric one (``Int64``, ``Float64``) becomes ``Float64``, any other moved column
        float64; :func:`scale`, :func:`add_noise`, :func:`replace` and the attacks keep
        types alike.

    Raises
    ------
    TypeError
        If ``X`` is not a DataFrame.
    ValueError
        For unknown, ambiguous (duplicated label) or non-numeric columns, a column of ``X``
        or of the reference frame holding infinite values (replace them with NaN or finite
        numbers), or one without any observed value in the reference.

    Warns
    -----
    UserWarning
        When a column is constant in the reference frame (``X`` without one): it has no
        sd, so its amount is taken in raw units (sd 1). Pass a reference where it varies.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0, 2.0], "x": [0.0, 2.0]})
    >>> shift(X, 1.5, columns=["x"])["x"].tolist()
    [1.5, 3.5]
    """
    amount = _check_amount("amount", amount)
    out, cols, _, std = _prepare(X, columns, reference, roles, allow_parents)
    with np.errstate(over="ignore"):  # a value taken past the largest float: _assign says
        _assign(out, cols, _floats(out, cols) + amount * std.to_numpy())
    return out


@reads_tables("X", "reference")
def scale(
    X: TableLike,
    factor: float,
    *,
    columns: Hashable | Iterable | None = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
) -> pd.DataFrame:
    """Multiply each column's deviation from its clean mean by ``factor``.

    Parameters
    ----------
    X : pandas.DataFrame
        Data to manipulate (not modified; a copy is returned).
    factor : float
        The multiplier; 1 leaves the data unchanged, 0 sets every value to the clean mean.
    columns, reference, roles, allow_parents
        As in :func:`shift`.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None
        Unused (the result holds no randomness); accepted so every manipulation has the
        same signature.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` with the columns scaled.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [0.0, 2.0]})
    >>> scale(X, 2.0, columns="x")["x"].tolist()
    [-1.0, 3.0]
    """
    factor = _check_amount("factor", factor)
    out, cols, mean, _ = _prepare(X, columns, reference, roles, allow_parents, sd_used=False)
    m = mean.to_numpy()
    with np.errstate(over="ignore"):  # a value taken past the largest float: _assign says
        _assign(out, cols, (_floats(out, cols) - m) * factor + m)
    return out


@reads_tables("X", "reference")
def add_noise(
    X: TableLike,
    amount: float,
    *,
    columns: Hashable | Iterable | None = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
) -> pd.DataFrame:
    """Add Gaussian noise with sd ``amount`` clean standard deviations.

    Parameters
    ----------
    X : pandas.DataFrame
        Data to manipulate (not modified; a copy is returned).
    amount : float
        The noise sd in units of each column's clean sd, >= 0.
    columns, reference, roles, allow_parents
        As in :func:`shift`.
    random_state : int, numpy Generator or None, default=None
        Seeds the noise. Each column gets the same draws whatever order ``columns`` names
        them in or ``X`` holds them in.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` with noise added to the columns (missing values stay missing).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"x": np.arange(1000.0)})
    >>> noisy = add_noise(X, 0.5, columns="x", random_state=0)
    >>> bool(abs((noisy["x"] - X["x"]).std() / X["x"].std() - 0.5) < 0.05)
    True
    """
    amount = _check_amount("amount", amount)
    if amount < 0:
        raise ValueError(f"amount is a noise sd and must be >= 0; got {amount}.")
    out, cols, _, std = _prepare(X, columns, reference, roles, allow_parents)
    rng = default_rng(random_state)
    order = _draw_order(cols)
    with np.errstate(over="ignore", invalid="ignore"):  # past the largest float: said
        noise = _unpermute(rng.normal(size=(len(out), len(cols))), order)
        noise = noise * amount * std.to_numpy()
        _assign(out, cols, _floats(out, cols) + noise)
    return out


@reads_tables("X", "reference")
def replace(
    X: TableLike,
    fraction: float,
    *,
    columns: Hashable | Iterable | None = None,
    value: float | None = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
) -> pd.DataFrame:
    """Replace a ``fraction`` of the values of each column (a broken measurement).

    Each selected value is replaced, independently per column, by a draw from the clean
    marginal (resampled from the observed, non-missing values of the reference frame, or
    ``X`` without one; or Gaussian with the clean mean and sd of a fitted CAMAClassifier)
    or, with ``value``, by the constant ``mean + value * sd``. Missing values stay missing
    (a broken measurement is not a new one). A column without any observed reference
    value is an error.

    Parameters
    ----------
    X : pandas.DataFrame
        Data to manipulate (not modified; a copy is returned).
    fraction : float
        Share of values replaced, in [0, 1].
    columns : str, list-like or None, default=None
        As in :func:`shift`.
    value : float or None, default=None
        The replacement in clean-sd units from the clean mean; None draws from the marginal.
    reference, roles, allow_parents
        As in :func:`shift`.
    random_state : int, numpy Generator or None, default=None
        Seeds which values are replaced and the draws. Each column gets the same draws
        whatever order ``columns`` names them in or ``X`` holds them in.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` with the selected values replaced.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [0.0, 2.0, 4.0]})
    >>> replace(X, 1.0, columns="x", value=0.0)["x"].tolist()
    [2.0, 2.0, 2.0]
    """
    fraction = _check_amount("fraction", fraction)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction is a share of values and must be in [0, 1]; got {fraction}.")
    out, cols, mean, std = _prepare(X, columns, reference, roles, allow_parents)
    rng = default_rng(random_state)
    n = len(out)
    order = _draw_order(cols)
    mask = _unpermute(rng.random((n, len(cols))), order) < fraction
    if value is not None:
        value = _check_amount("value", value)
        draws = np.broadcast_to(mean.to_numpy() + value * std.to_numpy(), (n, len(cols)))
    elif isinstance(reference, pd.DataFrame) or reference is None:
        pool = _floats(X if reference is None else reference, cols)
        # observed values only: a missing reference value is no measurement to copy
        # (clean_std has refused a column without any)
        observed = [column[~np.isnan(column)] for column in pool.T]
        sizes = np.array([len(o) for o in observed])
        index = _unpermute(rng.integers(0, sizes[order], size=(n, len(cols))), order)
        draws = np.stack([o[index[:, j]] for j, o in enumerate(observed)], axis=1)
    else:
        noise = _unpermute(rng.normal(size=(n, len(cols))), order)
        draws = mean.to_numpy() + std.to_numpy() * noise
    values = _floats(out, cols)
    # a missing value stays missing, as under the other manipulations and the attacks
    _assign(out, cols, np.where(mask & ~np.isnan(values), draws, values))
    return out


def _draw_order(cols: list) -> np.ndarray:
    """The positions of ``cols`` in the order a manipulation draws their random numbers:
    by name (its text, then its type), so that a seeded manipulation gives each column
    the same draws whatever order ``columns`` names them in or ``X`` holds them in."""
    return np.array(sorted(range(len(cols)), key=lambda j: text_then_type(cols[j])),
                    dtype=np.intp)


def _unpermute(drawn: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Draws made in the columns' :func:`_draw_order`, back in the order of ``cols``."""
    out = np.empty_like(drawn)
    out[:, order] = drawn
    return out


def _assign(
    out: pd.DataFrame, cols: list, values: pd.DataFrame | np.ndarray,
    within: np.ndarray | None = None,
) -> None:
    """Write the manipulated ``values`` (float64) of ``cols`` into ``out`` (which holds the
    values before) in the columns' own float type where they have one: float32 stays
    float32 where it holds the change (else float64, with a warning: a small move of large
    values rounded away, an attack that moved nothing), and a nullable numeric column
    (``Int64``, ``Float64``) becomes ``Float64``, missing values as ``<NA>``; other
    numbers (int64, float64) become float64. ``within``: each column's largest move (an
    attack's budget), which rounding to float32 must not overstep either."""
    values = np.asarray(values, dtype=float)
    with np.errstate(over="ignore"):  # said below
        beyond = [column for j, column in enumerate(cols) if np.isinf(
            values[:, j].astype(np.float32) if out[column].dtype == np.float32
            else values[:, j]).any()]
    if beyond:  # the inputs were finite (checked): the amount took them past the largest
        raise ValueError(  # float, which the models refuse as an infinite value
            f"the manipulation took columns {beyond} beyond the largest number their type "
            "holds (infinity); its amount is too large for their values. Use a smaller "
            "amount."
        )
    coarse = []
    for j, column in enumerate(cols):
        dtype = out[column].dtype
        if dtype == np.float32:
            rounded = values[:, j].astype(np.float32)
            move = np.abs(values[:, j] - out[column].to_numpy(np.float64))
            error = np.abs(rounded.astype(np.float64) - values[:, j])
            # float32 coarser than 1% of the largest change: the rows' changes round off
            # (one row's tiny change, a noise draw near 0, does not count)
            if len(move) and np.any(error > 0.01 * np.nanmax(move, initial=0.0)):
                coarse.append(column)
                out[column] = values[:, j]
            else:
                if within is not None:  # rounded past the budget: one step back inside
                    before = out[column].to_numpy(np.float32)
                    over = np.abs(rounded.astype(np.float64) - before) > np.broadcast_to(
                        within, (len(cols),))[j]
                    rounded = np.where(over, np.nextafter(rounded, before), rounded)
                out[column] = rounded
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
            out[column] = pd.array(values[:, j], dtype="Float64")  # NaN reads as <NA>
        else:
            out[column] = values[:, j]
    if coarse:
        warn_user(
            f"columns {coarse} are float32, whose precision at their values' size cannot "
            "hold the change (it would round off, for some rows entirely): they are "
            "written as float64. Convert them to float64 first to silence this."
        )


MANIPULATIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "shift": shift,
    "scale": scale,
    "noise": add_noise,
    "replace": replace,
}
"""Manipulations by name, each ``f(X, strength, *, columns, reference, roles, ...)``."""
