"""Adversarial attacks restricted to valid variables: FGSM and PGD under an L-inf budget.

The budget is in *clean standard-deviation units* per column, and only the chosen columns
move: by default the co-parents and children of a :class:`~skcama.CAMAClassifier` — the
variables an adversary may validly manipulate without changing the label's own mechanism.

Three ways to get gradients, said in the returned frame's ``attrs["mode"]``:

- **white-box through CAMA**: its Monte Carlo predictor (Bayes' rule over importance
  samples) is differentiable in the inputs. With ``eot=0`` the attack uses the model's
  own fixed noise (exactly the function :meth:`~skcama.CAMAClassifier.predict` computes);
  with ``eot=n`` every gradient is averaged over ``n`` fresh noise draws (expectation over
  transformation), which defeats gradient masking by a particular noise draw.
- **white-box against the torch baselines** of :mod:`skcama.baselines`, or any model
  exposing ``_torch_log_proba(values)`` (raw-unit rows in ``feature_names_in_`` order, a
  float32 tensor, -> differentiable log-probabilities) with ``classes_`` and ``scale_``.
  (skcama's own baselines receive float64 rows, which they standardise before their
  float32 network reads them, so that a step of a part of an sd on a column far from 0
  is not rounded away.)
- **transfer** for anything else (gradient boosting): adversarial rows are crafted on a
  differentiable ``surrogate`` fitted to the same task and then given to the model.

:func:`strongest_attack` runs every applicable variant (:func:`attack_variants`) and
keeps the one that hurts most: the honest measure for a model that may mask gradients.
"""

from __future__ import annotations

import inspect
import logging
import math
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._columns import (
    check_known_labels,
    check_unique_columns,
    class_positions,
    columns_by_label,
    is_real_number,
    warn_if_misaligned,
)
from ._frames import as_pandas, reads_tables
from ._guard import gradients_on
from ._random import default_rng
from ._typing import RolesLike, SeedLike, TableLike, VectorLike
from ._warn import each_warning_once, warn_user
from .baselines import _budget_multiplier, _check_numeric_columns, _same_key
from .graph import _preview, did_you_mean
from .manipulations import (
    VALID_ROLES,
    _as_list,
    _assign,
    _discrete,
    _flags,
    _floats,
    _warn_of_constant,
    clean_std,
    resolve_columns,
)

if TYPE_CHECKING:
    from ._classifier import CAMAClassifier

logger = logging.getLogger("skcama")

__all__ = ["attack_variants", "differentiable_log_proba", "fgsm", "pgd", "strongest_attack"]

_CHUNK = 512  # rows per attack pass, bounding CAMA's (rows x classes x samples) memory


@dataclass
class _Differentiable:
    """A model as a differentiable function of raw-unit inputs."""

    columns: list  # input columns of ``log_proba``, in order
    classes: np.ndarray
    log_proba: Callable[[torch.Tensor, torch.Generator | None], torch.Tensor]
    std: np.ndarray  # clean sd of each input column
    name: str
    is_cama: bool
    encode: Callable[[pd.DataFrame], np.ndarray]  # frame -> raw-unit inputs, NaN if missing
    # input columns constant in the model's training rows, whose ``std`` is 1 (raw units)
    constant: frozenset = frozenset()
    # of those, the ones the model reads as missing whatever their value (CAMA's)
    unread: frozenset = frozenset()

    def inputs(self, X: pd.DataFrame) -> torch.Tensor:
        """The rows of ``X`` as the (B, d) float64 input of :attr:`log_proba`: a step
        of a small part of an sd survives on a column whose values lie far from 0 (which
        float32 would round away), and ``log_proba`` standardises in float64 too."""
        # a writable copy: frames may hand out read-only views, which torch warns about
        return torch.from_numpy(np.array(self.encode(as_pandas(X)), dtype=np.float64))


def _check_fitted(estimator: Any) -> None:
    """scikit-learn's check that ``estimator`` is fitted; a model with ``predict`` and no
    ``fit`` (a fixed rule) is taken as it is, and one that is not a scikit-learn estimator
    (no tags) counts as fitted once it holds an attribute ending in ``_``."""
    if not callable(getattr(estimator, "fit", None)):
        return
    try:
        check_is_fitted(estimator)
    except (AttributeError, TypeError):  # not a scikit-learn estimator (no tags)
        # its rule for a fitted object: attributes ending in "_" that fit set
        names = getattr(estimator, "__dict__", {})
        if not any(k.endswith("_") and not k.startswith("__") for k in names):
            raise NotFittedError(
                f"this {type(estimator).__name__} is not fitted (it has no attribute "
                "ending in '_' that fit sets); call its fit method first."
            ) from None


def _is_cama(estimator: Any) -> bool:
    return hasattr(estimator, "model_") and hasattr(estimator, "_prediction_noise")


def _pipeline_hint(models: Iterable) -> str:
    """The hint for an error that asks for ``roles=`` where one of ``models`` is a
    Pipeline ending in a CAMAClassifier, whose roles are not read; "" where none is."""
    inside = any(getattr(m, "steps", None) and _is_cama(m.steps[-1][1]) for m in models)
    return (" (roles are not read from a CAMAClassifier inside a Pipeline: pass "
            "roles=pipe[-1].roles_)" if inside else "")


def differentiable_log_proba(estimator: Any) -> _Differentiable:
    """Wrap a fitted CAMAClassifier or torch baseline as a differentiable function.

    The returned object's ``log_proba(values, generator)`` maps a (B, d) tensor of raw
    values of ``columns`` to (B, n_classes) log-probabilities. For CAMA, ``generator``
    None uses the model's fixed prediction noise; a generator draws fresh noise.

    Parameters
    ----------
    estimator : fitted CAMAClassifier or a model with ``_torch_log_proba``
        The model to differentiate: a fitted :class:`~skcama.CAMAClassifier` or one of
        :mod:`skcama.baselines`' torch models.

    Returns
    -------
    object with ``columns``, ``classes``, ``log_proba``, ``std``, ``name``

    Raises
    ------
    TypeError
        When the model offers no gradients (use a transfer attack with ``surrogate=``).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(100, 2)), rng.integers(0, 2, 100)
    >>> mlp = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> f = differentiable_log_proba(mlp)
    >>> f.log_proba(torch.zeros(3, 2), None).shape
    torch.Size([3, 2])
    """
    check_is_fitted(estimator)
    name = type(estimator).__name__
    if _is_cama(estimator):
        return _cama_function(estimator)
    if hasattr(estimator, "_torch_log_proba"):
        columns = (
            list(estimator.feature_names_in_)
            if hasattr(estimator, "feature_names_in_")
            else list(range(estimator.n_features_in_))
        )

        from .baselines import _TorchClassifier

        # skcama's baselines standardise float64 rows before their float32 network; a
        # model of another library gets float32 rows, as its network reads them
        own = isinstance(estimator, _TorchClassifier)

        def log_proba(values: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
            return estimator._torch_log_proba(values if own else values.float())

        def encode(X: pd.DataFrame) -> np.ndarray:
            frame = columns_by_label(X, columns)
            # a text column named with its fix, as predict names it; missing values pass,
            # to the attack's rule for the rows that hold them
            _check_numeric_columns(frame, estimator)
            return frame.to_numpy(dtype=np.float64, na_value=np.nan)

        return _Differentiable(
            columns, estimator.classes_, log_proba, np.asarray(estimator.scale_), name, False,
            encode, frozenset(getattr(estimator, "constant_columns_", ())),
        )
    raise TypeError(
        f"{name} is not differentiable in its inputs, so a white-box attack is impossible; "
        "pass surrogate=<a fitted TorchMLPClassifier or CAMAClassifier trained on the same "
        "task> for a transfer attack."
    )


def _cama_function(clf: Any) -> _Differentiable:
    roles = clf.roles_
    blanket = list(roles.blanket)
    position = {node: i for i, node in enumerate(blanket)}
    idx_a = [position[n] for n in roles.parents]
    idx_c = [position[n] for n in roles.coparents]
    idx_x = [position[n] for n in roles.children]
    model = clf.model_
    device = clf._model_device()  # the attack runs where the model lives
    mean = torch.as_tensor(clf.scaler_.mean, dtype=torch.float64, device=device)
    scale = torch.as_tensor(clf.scaler_.scale, dtype=torch.float64, device=device)
    model.eval()
    cfg = model.cfg
    fixed = {clf.n_samples: clf._prediction_noise()}  # predict's noise, by sample count
    learned = bool(clf.manipulation_learned_)

    def log_proba(values: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        if not values.requires_grad:
            # scores alone, computed as predict computes them: on a GPU, autograd on rows
            # that take no gradient reads like a training step, which reads a missing
            # feeding child at its training mean (a discrete one as none of its values)
            # instead of averaging over it
            with torch.no_grad():
                return _cama_log_proba(values.to(device), generator).to(values.device)
        log_p = _cama_log_proba(values.to(device), generator)
        return log_p.to(values.device)  # gradients flow back to the caller's device

    def _cama_log_proba(values: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        # in float64, as prediction standardises; the model reads float32
        u = ((values.double() - mean) / scale).float()
        a, c, x = u[:, idx_a], u[:, idx_c], u[:, idx_x]
        # rows missing a child that causes others: with the samples predict gives them
        # (the attack moves no missing value, so a row stays in its group)
        groups = clf._sample_counts(x.detach())
        if groups[0][0] is None:
            return _scored(a, c, x, groups[0][1], generator)
        order = torch.cat([rows for rows, _ in groups])
        parts = torch.cat([_scored(a[rows], c[rows], x[rows], n, generator)
                           for rows, n in groups])
        return parts[torch.argsort(order)]

    def _scored(a, c, x, n_samples: int, generator: torch.Generator | None) -> torch.Tensor:
        if generator is None:
            if n_samples not in fixed:
                fixed[n_samples] = clf._prediction_noise(n_samples)
            eps_z, eps_m = fixed[n_samples]
        else:
            eps_z = torch.randn((n_samples, cfg.latent_dim), generator=generator,
                                dtype=torch.float32)
            eps_m = (
                torch.randn((n_samples, cfg.manipulation_dim), generator=generator,
                            dtype=torch.float32)
                if learned
                else None
            )
            eps_z = eps_z.to(device)
            eps_m = None if eps_m is None else eps_m.to(device)
        joint = model.predictive_log_joint(  # scored as predict scores it
            a, c, x, eps_z, eps_m, clf.clean_prior, class_shift=clf._class_shift()
        )[0]
        return torch.log_softmax(joint, dim=-1)

    codec = clf.scaler_

    def encode(X: pd.DataFrame) -> np.ndarray:
        # continuous columns in their units, discrete ones as the model's codes (their
        # mean is 0 and scale 1, so the standardisation in log_proba leaves them alone)
        codes = codec.transform(columns_by_label(X, blanket), clf.handle_unknown)
        return codes * codec.scale + codec.mean

    return _Differentiable(
        blanket, clf.classes_, log_proba, np.asarray(codec.scale), "CAMAClassifier", True, encode,
        frozenset(codec.constant), frozenset(codec.missing_constant),
    )


def _check_epsilon(epsilon: Any) -> float:
    if not is_real_number(epsilon):
        raise ValueError(f"epsilon must be a positive number of clean sds; got {epsilon!r}.")
    epsilon = float(epsilon)
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise ValueError(
            f"epsilon is the attack budget in clean-sd units and must be > 0; got {epsilon}. "
            "For the clean accuracy, score the model on X directly."
        )
    return epsilon


def _warn_if_large(epsilon: float, scales: np.ndarray) -> None:
    """Warn where a column may move by more than :data:`_LARGE_BUDGET` clean sds
    (``epsilon`` times its ``budget_scale``): more likely a unit mistake than a study."""
    largest = epsilon * float(scales.max()) if len(scales) else epsilon
    if largest > _LARGE_BUDGET:
        scaled = "" if largest == epsilon else f" (epsilon {epsilon:g} times its budget_scale)"
        warn_user(
            f"an attack budget of {largest:g} clean sds{scaled} moves an attacked value by "
            f"up to {largest:g} standard deviations of its column, across most of its "
            "range; budgets are in sds, not in the columns' own units or in percent (0.1 "
            "is a tenth of an sd).",
            UserWarning,
        )


_LARGE_BUDGET = 3.0  # sds: beyond this a budget is more likely a unit mistake than a study


def _check_labels(
    y: Any, n_rows: int | None = None, classes: Any = None, model: str | None = None
) -> np.ndarray:
    """``y`` as a 1-D array of labels, checked against the rows and a model's classes.

    A single column of shape ``(n, 1)`` is accepted with scikit-learn's
    ``DataConversionWarning``, as :meth:`~skcama.CAMAClassifier.fit` accepts it.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        The labels.
    n_rows : int or None, default=None
        The number of rows of ``X``; None skips the length check.
    classes : array-like or None, default=None
        The model's ``classes_``; None skips the check of the label values.
    model : str or None, default=None
        How the model is named in the messages.

    Returns
    -------
    numpy.ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        When ``y`` is None, not one label per row, or holds labels the model does not know
        (the message says when they differ from its classes only in type, e.g. ``"1"`` and
        ``1``).

    Examples
    --------
    >>> _check_labels([0, 1, 1], 3, classes=[0, 1]).tolist()
    [0, 1, 1]
    >>> _check_labels(["0", "1"], 2, classes=[0, 1], model="mlp")
    Traceback (most recent call last):
    ...
    ValueError: y holds labels ['0', '1'] unknown to mlp (classes: [0, 1]); ...
    """
    rows = f" of X ({n_rows} rows)" if n_rows is not None else ""
    if y is None:
        raise ValueError(f"y must hold one label per row{rows}; got None.")
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = column_or_1d(labels, warn=True)  # the warning fit gives for a column
    if labels.ndim != 1:
        raise ValueError(
            f"y must hold one label per row{rows}: a 1-D array of shape (n_samples,) or a "
            f"single column; got an array of shape {labels.shape}. Pass the labels as one "
            "column, e.g. y.ravel() for a column vector."
        )
    if n_rows is not None and len(labels) != n_rows:
        raise ValueError(
            f"y must hold one label per row{rows}; got {len(labels)} labels. Pass the "
            "labels of exactly these rows."
        )
    if classes is None:
        return labels
    check_known_labels(labels, classes, "y", model if model is not None else "the model")
    return labels


def _labels_once(X: Any, y: Any) -> np.ndarray:
    """``y`` checked against the rows of ``X`` (a misaligned index warned of, the length
    refused) and as an array. The attacks that call others check it once, so a misaligned
    index or a column vector is said once, not per variant."""
    if isinstance(X, pd.DataFrame):
        warn_if_misaligned(X, "y", y)
    return _check_labels(y, len(X) if hasattr(X, "__len__") else None)


def _has_infinity(column: pd.Series) -> bool:
    """Whether a numeric (not bool) column holds an infinite value."""
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(
        column.dtype
    ):
        return False
    return bool(np.isinf(column.to_numpy(dtype=np.float64, na_value=np.nan)).any())


def _check_inputs(columns: list, function: Any) -> None:
    """Every one of ``columns`` is an input of the differentiable ``function``."""
    outside = [c for c in columns if c not in function.columns]
    if outside:
        why = (" (outside its Markov blanket: the model ignores them)"
               if function.name == "CAMAClassifier" else "")
        positions = all(isinstance(c, (int, np.integer)) for c in function.columns)
        if positions and not any(isinstance(c, (int, np.integer)) for c in outside):
            why += (", which was fitted on an array and knows its inputs by position 0.."
                    f"{len(function.columns) - 1} only: fit it on a DataFrame to attack "
                    "columns by name")
        raise ValueError(
            f"columns {outside} are not inputs of {function.name}{why}, so gradients cannot "
            f"move them; choose among [{_preview(function.columns)}]."
        )


def _check_not_an_inner_step(estimator: Any, model: Any, argument: str) -> None:
    """Refuse ``model`` as ``argument`` (``reference=`` or ``surrogate=``) where it is the
    last step of the Pipeline ``estimator`` behind steps that transform the columns: it
    reads the transformed columns, while the attacks and manipulations move ``X`` as
    given, so its sds and gradients would be in other units (a step multiplying by 100
    made a shift of 1 sd move 100 raw sds, with no error)."""
    steps = getattr(estimator, "steps", None)
    if model is None or not steps or len(steps) < 2 or model is not steps[-1][1]:
        return
    from sklearn.preprocessing import FunctionTransformer

    earlier = [name for name, step in steps[:-1] if step not in (None, "passthrough")
               and not (isinstance(step, FunctionTransformer) and step.func is None)]
    if not earlier:
        return
    fix = ("pass the clean training rows as the pipeline is given them (reference=X_train)"
           if argument == "reference" else
           "pass a surrogate fitted on the raw columns, e.g. "
           "CAMAClassifier(...).fit(X_train, y_train)")
    raise ValueError(
        f"{argument}= is the last step of a Pipeline it serves, which reads the columns "
        f"as its steps {earlier} transformed them, while X is moved as given: its "
        f"{'sds' if argument == 'reference' else 'gradients'} would be in other units. "
        f"{fix[0].upper()}{fix[1:]}."
    )


def _setup(estimator, X, y, epsilon, columns, surrogate, reference, roles, allow_parents,
           budget_scale=None):
    epsilon = _check_epsilon(epsilon)
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame (attacked columns are chosen by name); got "
            f"{type(X).__name__}."
        )
    check_unique_columns(X, "to the model's inputs and to columns=")
    y = _labels_once(X, y)  # the shape, before any other message
    _check_fitted(estimator)
    _check_not_an_inner_step(estimator, surrogate, "surrogate")
    _check_not_an_inner_step(estimator, reference, "reference")
    if surrogate is not None:
        check_is_fitted(surrogate)
        if not _differentiable(surrogate):
            raise TypeError(
                f"the surrogate, a {type(surrogate).__name__}, is not differentiable in its "
                "inputs, and a transfer attack follows the surrogate's gradients; pass a "
                "fitted TorchMLPClassifier or CAMAClassifier trained on the same task and "
                "columns (fitted on the raw columns: a Pipeline's scaling steps pass no "
                "gradient)."
            )
        source, mode = surrogate, "transfer"
    elif _differentiable(estimator):
        source, mode = estimator, "white-box"
    else:
        raise TypeError(
            f"{type(estimator).__name__} is not differentiable in its inputs; pass "
            "surrogate=<a fitted TorchMLPClassifier or CAMAClassifier trained on the same "
            "task> to attack it by transfer."
        )
    function = differentiable_log_proba(source)
    cama = next(
        (m for m in (estimator, surrogate, reference) if m is not None and _is_cama(m)), None
    )
    if columns is None and cama is None and roles is None:
        raise ValueError(
            "columns=None means the co-parents and children of a CAMAClassifier, but none is "
            f"involved{_pipeline_hint((estimator, surrogate, reference))}; pass "
            "columns=[...] (the co-parents and children) or roles=."
        )
    # read once; by default the roles (None: whatever X's columns are called)
    named = _as_list(list(VALID_ROLES) if columns is None else columns)
    cols = resolve_columns(X, None if columns is None else named, reference=cama, roles=roles,
                           allow_parents=allow_parents)
    one_by_one = [] if columns is None else named
    _check_inputs([c for c in cols if c in one_by_one], function)
    # discrete for a CAMA model that crafts the rows or scores them (a transfer from an
    # MLP must not move a grade CAMA reads as categories off its levels), each named once
    readers = []
    for role, model in (("", estimator), ("the surrogate ", surrogate),
                        ("the reference ", reference)):
        if model is not None and _is_cama(model):  # every CAMA model, each its own kinds
            kinds = model.column_types_
            readers.append((f"for {role}CAMAClassifier",
                            [c for c in cols if kinds.get(c, "gaussian") == "gaussian"]))
    if not readers:  # no model knows the kinds: the manipulations' rule on the data
        by_data = _discrete(cols, reference, X)
        readers.append((
            "in the reference rows" if isinstance(reference, pd.DataFrame)
            else "by their dtype in X (bool, category or text)",
            [c for c in cols if c not in by_data],
        ))
    flags = _flags(X, cols)  # True / False in X, whatever a model reads them as
    if flags:
        readers.append(("in X (True / False)", [c for c in cols if c not in flags]))
    discrete = [c for c in cols if any(c not in kept for _, kept in readers)]
    if discrete:
        by = " and ".join(dict.fromkeys(
            who for who, kept in readers if any(c not in kept for c in discrete)
        ))
        by_name = [c for c in discrete if c in one_by_one]
        if by_name:
            raise ValueError(
                f"columns {by_name} are discrete (categorical or binary) {by}; a gradient "
                "attack moves continuous values only. Leave them out of columns=."
            )
        # members of a role: the role's continuous columns are attacked
        cols = [c for c in cols if c not in discrete]
        if not cols:
            raise ValueError(
                f"every column of {named} is discrete {by} ({discrete}); a gradient "
                "attack moves continuous values only."
            )
        _warn_discrete_left_out(discrete, by)
    _check_inputs(cols, function)
    missing = [c for c in function.columns if c not in X.columns]
    if missing:
        raise ValueError(f"X lacks the columns {missing} that {function.name} uses.")
    infinite = [c for c in function.columns if _has_infinity(X[c])]
    if infinite:
        raise ValueError(
            f"X contains infinity in columns {infinite}; {function.name} cannot score such "
            "rows, so the attack cannot move them. Replace the infinite values with NaN "
            "(a missing value) or with finite numbers."
        )
    if mode == "transfer" and getattr(estimator, "classes_", None) is not None:
        # the attacked model's labels first (or its accuracy reads 0): where y suits it,
        # the surrogate is the misfit
        _check_labels(y, len(X), estimator.classes_, f"the attacked {type(estimator).__name__}")
    y = _check_labels(y, len(X), function.classes,
                      f"the surrogate {function.name} (a surrogate must be trained on the "
                      "same task, with the same labels, as the attacked model)"
                      if mode == "transfer" else function.name)
    # each label's column, by position in classes (not searchsorted: a model may list its
    # classes unsorted, which mapped labels to the wrong column), numbers equal as numbers
    # (True for 1), as the labels were checked
    target = torch.as_tensor(class_positions(y, np.asarray(function.classes)), dtype=torch.long)
    # a transfer attack's budget is in the attacked model's clean sds where it keeps them
    # (a surrogate fitted on other rows has other sds: a variant could move further)
    scaled_by = function
    if reference is None and mode == "transfer" and _differentiable(estimator):
        attacked = differentiable_log_proba(estimator)
        if all(c in attacked.columns for c in cols):
            scaled_by = attacked
    if reference is not None:  # warns of the columns constant in the reference
        std = clean_std(X, cols, reference)[1].to_numpy(dtype=np.float64)
    else:
        std = np.asarray(scaled_by.std, dtype=np.float64)[
            [scaled_by.columns.index(c) for c in cols]]
        _warn_of_constant([c for c in cols if c in scaled_by.constant - scaled_by.unread],
                          f"the training rows of {scaled_by.name}", "budgets")
        unread = [c for c in cols if c in function.unread]
        if unread:  # the budget warning would be true and beside the point
            warn_user(
                f"columns {unread} are constant in the training rows of {function.name} "
                "(or vary in a single row, which it reads as constant), which reads them as "
                "missing whatever their value: the attack cannot change its predictions "
                "through them. Leave them out of columns=."
            )
    # each column's unit of the budget: its clean sd, times its scale where one is given
    scales = _budget_scales(budget_scale, cols, X)
    _warn_if_large(epsilon, scales)
    unit = std * scales
    budget = torch.zeros(len(function.columns), dtype=torch.float64)  # as the inputs
    budget[[function.columns.index(c) for c in cols]] = torch.as_tensor(
        epsilon * unit, dtype=torch.float64
    )
    values = function.inputs(X)
    return function, cols, target, budget, unit, values, mode, epsilon


def _budget_scales(budget_scale: Any, cols: list, X: pd.DataFrame) -> np.ndarray:
    """The multiplier of the budget of each attacked column in ``cols`` (1 where
    ``budget_scale`` names none), checked: a mapping of attacked columns to finite
    positive numbers."""
    if budget_scale is None:
        return np.ones(len(cols))
    if not isinstance(budget_scale, Mapping):
        raise TypeError(
            "budget_scale maps columns to multipliers of epsilon, e.g. {'crp': 0.5}; got "
            f"{type(budget_scale).__name__}."
        )
    scales = np.ones(len(cols))
    for column, value in budget_scale.items():
        matches = [i for i, c in enumerate(cols) if _same_key(c, column)]
        if not matches:
            if any(_same_key(c, column) for c in X.columns):
                where = (f"it is not among the columns the attack moves ({_preview(cols)}): "
                         "name it in columns= (a parent of the target also needs "
                         "allow_parents=True; a discrete column, or one the attacked "
                         "model does not read, never moves), or leave it out of "
                         "budget_scale.")
            else:
                same_text = [c for c in X.columns if str(c) == str(column)]
                if same_text:  # 2 against "2"
                    hint = (f" X has the column {same_text[0]!r} "
                            f"({type(same_text[0]).__name__}); use it as the key.")
                else:
                    close = did_you_mean(column, list(X.columns))
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                where = f"{column!r} is not a column of X.{hint}"
            raise ValueError(f"budget_scale names {column!r}, but {where}")
        scales[matches[0]] = _budget_multiplier(column, value, "columns=")
    return scales


def _gradient(function, values, target, eot, generator):
    """Gradient of the summed cross-entropy and the per-row loss (EOT-averaged)."""
    draws = max(eot, 1)
    grad = torch.zeros_like(values)
    loss_rows = torch.zeros(len(values), dtype=torch.float32)
    for _ in range(draws):
        v = values.detach().requires_grad_(True)
        log_p = function.log_proba(v, generator if eot else None)
        rows = F.nll_loss(log_p, target, reduction="none")
        (g,) = torch.autograd.grad(rows.sum(), v)
        grad += g / draws
        loss_rows += rows.detach() / draws
    return grad, loss_rows


def _run(function, values, target, budget, steps, step_size, eot, random_start, generator):
    """PGD (FGSM when steps=1 without a random start) on one chunk: the perturbation of
    the best iterate of each row."""
    delta = torch.zeros_like(values)
    if random_start:
        uniform = torch.rand(values.shape, generator=generator, dtype=torch.float32)
        delta = (uniform * 2 - 1) * budget
    # no perturbation until an iterate has a loss: a row a model cannot score (a missing
    # value an MLP cannot read) keeps its values, not the random start
    best = torch.zeros_like(values)
    best_loss = torch.full((len(values),), -np.inf, dtype=torch.float32)
    for _ in range(steps):
        grad, loss = _gradient(function, values + delta, target, eot, generator)
        better = loss > best_loss
        best[better] = delta[better]
        best_loss = torch.where(better, loss, best_loss)
        delta = torch.maximum(torch.minimum(delta + step_size * grad.sign(), budget), -budget)
    _, loss = _gradient(function, values + delta, target, eot, generator)
    better = loss > best_loss
    best[better] = delta[better]
    return best.detach()


def _warn_discrete_left_out(
    columns: list, by: str, *, absent: list | None = None, mover: str = "the attack",
    argument: str = "columns=", hint: str = "",
) -> None:
    """The one warning for the members of roles that an attack (or an adversarially
    trained baseline's adversary, ``mover``) leaves out: ``columns``, discrete by the
    kinds ``by`` names (``"for CAMAClassifier"``), and ``absent``, members that are not
    columns of the model's X (a model of numeric columns only is fitted without a text or
    categorical co-parent or child); ``hint`` follows them (a did-you-mean), and
    ``argument`` is where the columns to move are named instead."""
    reasons = []
    if columns:
        reasons.append(
            f"columns {columns} are discrete (categorical or binary) {by}, so {mover} "
            "leaves them as they are: a gradient attack moves continuous values only"
        )
    if absent:
        reasons.append(
            f"the roles name columns {absent} that are not columns of X{hint}, so {mover} "
            "leaves them out: a model of numeric columns only, such as the baselines, is "
            "fitted without its text and categorical columns (or with them encoded under "
            "other names)"
        )
    warn_user(
        f"{'; '.join(reasons)}. Name the continuous columns in {argument} to silence this."
    )


def _warn_if_unreadable_rows(function: _Differentiable, values: torch.Tensor) -> None:
    """A model without a rule for missing values has no gradient on a row that holds one:
    the attack leaves such a row as it is, which a warning says with the count."""
    holes = torch.isnan(values)
    rows = holes.any(1)
    if bool(rows.any()):
        lacking = [c for c, h in zip(function.columns, holes.any(0).tolist(), strict=True) if h]
        warn_user(
            f"{int(rows.sum())} of {len(values)} rows hold missing values in {lacking}, which "
            f"{function.name} cannot read: it gives no gradient there, so the attack leaves "
            "those rows as they are, and an accuracy on them overstates robustness. Fill the "
            "missing values first (e.g. sklearn's SimpleImputer), attack the complete rows, "
            "or use a CAMAClassifier, which reads missing values, as the surrogate."
        )


def _attack(
    name, estimator, X, y, epsilon, *, columns, steps, step_size_fraction, eot, random_start,
    surrogate, reference, roles, allow_parents, random_state, budget_scale,
) -> pd.DataFrame:
    if isinstance(eot, bool) or not isinstance(eot, (int, np.integer)) or eot < 0:
        raise ValueError(f"eot is a number of noise draws per step (0 = fixed noise); got {eot!r}.")
    function, cols, target, budget, unit, values, mode, epsilon = _setup(
        estimator, X, y, epsilon, columns, surrogate, reference, roles, allow_parents,
        budget_scale,
    )
    if not function.is_cama:
        _warn_if_unreadable_rows(function, values)
    if eot and not function.is_cama:
        logger.info(
            "eot=%d has no effect on %s, which has no Monte Carlo noise", eot, function.name
        )
        eot = 0
    generator = torch.Generator().manual_seed(
        int(default_rng(random_state).integers(0, 2**31 - 1))
    )
    step_size = budget * step_size_fraction
    # every draw comes from generator: torch's global one is neither used nor reset (a
    # reset here would land inside another thread's seeded network construction)
    chunks = [
        _run(
            function, values[s : s + _CHUNK], target[s : s + _CHUNK], budget, steps,
            step_size, eot, random_start, generator,
        )
        for s in range(0, len(values), _CHUNK)
    ]
    delta = torch.cat(chunks).double().numpy() if chunks else np.zeros(values.shape)
    positions = [function.columns.index(c) for c in cols]
    # X's own values plus the perturbation, in the budget in float64 (a float32 column
    # stays float32 where it holds the move, see _assign): a row left alone comes back as
    # it was
    limit = epsilon * unit
    out = X.copy()  # in each column's own float type, as the manipulations write them
    _assign(out, cols, _floats(X, cols) + np.clip(delta[:, positions], -limit, limit),
            within=limit)
    out.attrs = {
        "attack": name,
        "mode": mode if mode == "white-box" else f"transfer from {function.name}",
        "epsilon": epsilon,
        "columns": list(cols),
        "eot": int(eot),
    }
    if budget_scale is not None:  # the columns it names, with their multipliers
        out.attrs["budget_scale"] = {
            c: float(budget_scale[key]) for c in cols for key in budget_scale
            if _same_key(c, key)
        }
    logger.info(
        "%s (%s) on %s, epsilon %.3g sd, columns %s", name, out.attrs["mode"],
        type(estimator).__name__, epsilon, cols,
    )
    return out


@reads_tables("X", "y", "reference")
@gradients_on
def fgsm(
    estimator: Any,
    X: TableLike,
    y: VectorLike,
    epsilon: float,
    *,
    columns: Hashable | Iterable | None = None,
    eot: int = 0,
    surrogate: Any = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
    budget_scale: Mapping[Any, float] | None = None,
) -> pd.DataFrame:
    """Fast gradient sign method: one step of size ``epsilon`` clean sds on ``columns``.

    Parameters
    ----------
    estimator : fitted classifier
        The model under attack: a CAMAClassifier or torch baseline (white-box), or any
        classifier with ``surrogate`` given (transfer).
    X : pandas.DataFrame
        Clean rows.
    y : array-like of shape (n_samples,)
        Their true labels, values of the model's ``classes_``. A single column of shape
        ``(n_samples, 1)`` is accepted with a ``DataConversionWarning``, as in ``fit``.
    epsilon : float
        L-inf budget in clean-sd units per column, > 0 (above 3, warned as a likely
        unit mistake).
    columns : str, list or None, default=None
        Columns or roles the adversary may move; None = the co-parents and children of the
        CAMAClassifier involved (the valid manipulations). A role gives its continuous
        members (the model's discrete columns are left as they are); a discrete column
        named on its own is an error.
    eot : int, default=0
        For CAMA: 0 attacks the fixed-noise predictor; ``n`` averages every gradient over
        ``n`` fresh Monte Carlo noise draws.
    surrogate : fitted differentiable classifier, default=None
        Crafts the rows for a transfer attack (needed for non-differentiable models).
    reference : pandas.DataFrame or CAMAClassifier, default=None
        Where the clean sd comes from; by default the attacked model's own scaler (for a
        transfer attack on a model without one, gradient boosting, the surrogate's).
    roles : MarkovBlanketRoles or dict, default=None
        Roles, for role names when no CAMAClassifier is involved.
    allow_parents : bool, default=False
        Attack parents of the target without an
        :class:`~skcama.manipulations.InvalidManipulationWarning`. Moving a parent changes
        ``p(y | a)``, the label's own distribution, so it is not a valid manipulation of
        the measurements; the attack runs either way, as in :func:`~skcama.manipulations.shift`.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seeds the EOT noise.
    budget_scale : dict of column to float, default=None
        A budget per column: column ``c`` moves by at most ``epsilon * budget_scale[c]``
        clean sds, the columns it does not name by ``epsilon`` (e.g. ``{"crp": 0.5}``
        where an assay is harder to tamper with than a questionnaire). Every column it
        names must be one the attack moves, with a finite multiplier > 0.

    Returns
    -------
    pandas.DataFrame
        ``X`` with the attacked columns perturbed, each value by at most ``epsilon``
        clean sds (times its ``budget_scale``; a row the attack leaves alone comes back
        unchanged, and missing values stay missing); ``attrs`` records the attack, the
        mode (``"white-box"`` or ``"transfer from ..."``), epsilon and columns (and
        ``budget_scale`` where given).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)) + y[:, None], columns=["a", "x"])
    >>> mlp = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
    >>> X_adv = fgsm(mlp, X, y, 0.5, columns=["x"])
    >>> bool(np.allclose(X_adv["a"], X["a"])), X_adv.attrs["mode"]
    (True, 'white-box')
    >>> bool(mlp.score(X_adv, y) < mlp.score(X, y))
    True
    """
    return _attack(
        "fgsm", estimator, X, y, epsilon, columns=columns, steps=1, step_size_fraction=1.0,
        eot=eot, random_start=False, surrogate=surrogate, reference=reference, roles=roles,
        allow_parents=allow_parents, random_state=random_state, budget_scale=budget_scale,
    )


@reads_tables("X", "y", "reference")
@gradients_on
def pgd(
    estimator: Any,
    X: TableLike,
    y: VectorLike,
    epsilon: float,
    *,
    columns: Hashable | Iterable | None = None,
    steps: int = 20,
    step_size: float | None = None,
    random_start: bool = True,
    eot: int = 0,
    surrogate: Any = None,
    reference: TableLike | CAMAClassifier | None = None,
    roles: RolesLike | None = None,
    allow_parents: bool = False,
    random_state: SeedLike = None,
    budget_scale: Mapping[Any, float] | None = None,
) -> pd.DataFrame:
    """Projected gradient descent under an L-inf budget of ``epsilon`` clean sds.

    ``steps`` signed-gradient steps of ``step_size * epsilon`` each, projected back into
    the budget, from a random start; each row keeps the iterate with the highest loss.

    Parameters
    ----------
    estimator, X, y, epsilon, columns
        As in :func:`fgsm`.
    steps : int, default=20
        Ascent steps.
    step_size : float or None, default=None
        Step as a fraction of ``epsilon``. None takes ``max(0.25, 2.5 / steps)``: 0.25 from
        10 steps on, larger for fewer steps, so that they still cross the budget (2
        ``epsilon`` wide) from a random start instead of making a weaker attack than
        :func:`fgsm`.
    random_start : bool, default=True
        Start from a uniform draw inside the budget (seeded by ``random_state``).
    eot, surrogate, reference, roles, allow_parents
        As in :func:`fgsm`.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seeds the random start and the EOT noise.
    budget_scale : dict of column to float, default=None
        As in :func:`fgsm`: each step and the projection use the column's own budget.

    Returns
    -------
    pandas.DataFrame
        ``X`` with the attacked columns perturbed; ``attrs`` as in :func:`fgsm`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)) + y[:, None], columns=["a", "x"])
    >>> mlp = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
    >>> X_adv = pgd(mlp, X, y, 0.5, columns=["x"], random_state=0)
    >>> bool((X_adv["x"] - X["x"]).abs().max() <= 0.5 * mlp.scale_[1] + 1e-6)
    True
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}.")
    if step_size is None:
        step_size = max(0.25, 2.5 / steps)
    if not is_real_number(step_size) or not 0 < float(step_size) < math.inf:
        raise ValueError(
            f"step_size is a fraction of epsilon and must be a finite number > 0; got "
            f"{step_size!r}."
        )
    if not isinstance(random_start, (bool, np.bool_)):
        raise TypeError(f"random_start must be True or False; got {random_start!r}.")
    return _attack(
        "pgd", estimator, X, y, epsilon, columns=columns, steps=int(steps),
        step_size_fraction=float(step_size), eot=eot, random_start=random_start,
        surrogate=surrogate, reference=reference, roles=roles, allow_parents=allow_parents,
        random_state=random_state, budget_scale=budget_scale,
    )


def _differentiable(estimator: Any) -> bool:
    """Whether ``estimator``'s probabilities have gradients in its inputs."""
    return _is_cama(estimator) or hasattr(estimator, "_torch_log_proba")


def _options_of(func: Callable) -> set[str]:
    """The keyword-only options of a manipulation or attack; one that takes ``**options``
    passes them on to an attack (``strongest``), so it accepts the attacks' too."""
    parameters = inspect.signature(func).parameters.values()
    names = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        for attack in ATTACKS.values():
            if attack is not func:
                names |= _options_of(attack)
    return names


@reads_tables("X", "y")
def attack_variants(
    estimator: Any,
    X: TableLike,
    y: VectorLike,
    epsilon: float,
    *,
    attack: str = "pgd",
    eot: int = 4,
    surrogate: Any = None,
    random_state: SeedLike = None,
    **options: Any,
) -> dict[str, pd.DataFrame]:
    """Every applicable way of attacking ``estimator``, by label.

    - ``"white-box"`` for a torch baseline; for a CAMAClassifier ``"white-box (fixed
      noise)"`` (the exact predictor) and, with ``eot`` > 0, ``"white-box (EOT, n draws)"``;
    - ``"transfer from <surrogate>"`` when a ``surrogate`` other than the estimator itself
      is given (the only way for a model without gradients).

    Parameters
    ----------
    estimator : fitted classifier
        The model under attack.
    X, y, epsilon
        As in :func:`fgsm`.
    attack : {"fgsm", "pgd"}, default="pgd"
        The attack each variant runs.
    eot : int, default=4
        Noise draws per gradient of the EOT variant (CAMA only); 0 leaves it out.
    surrogate : fitted differentiable classifier, default=None
        Crafts the rows of the transfer variant.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seeds every variant (random start, EOT noise).
    **options
        Passed to the attack (``columns``, ``reference``, ``roles``, ``allow_parents``,
        ``budget_scale``, and for ``"pgd"`` ``steps`` and ``step_size``, whose default
        grows for fewer than 10 steps: see :func:`pgd`).

    Returns
    -------
    dict of str to pandas.DataFrame
        The attacked rows of each variant, in the order above.

    Raises
    ------
    TypeError
        When no variant applies (a model without gradients and no surrogate).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)) + y[:, None], columns=["a", "x"])
    >>> mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> other = TorchMLPClassifier(max_epochs=5, random_state=1).fit(X, y)
    >>> list(attack_variants(mlp, X, y, 0.3, surrogate=other, columns=["x"]))
    ['white-box', 'transfer from TorchMLPClassifier']
    """
    if attack not in ("fgsm", "pgd"):
        raise ValueError(f"attack must be 'fgsm' or 'pgd'; got {attack!r}.")
    if isinstance(eot, bool) or not isinstance(eot, (int, np.integer)) or eot < 0:
        raise ValueError(f"eot is a number of noise draws per step (0 = none); got {eot!r}.")
    y = _labels_once(X, y)
    _check_fitted(estimator)
    function = ATTACKS[attack]
    taken = sorted(_options_of(function) - {"eot", "surrogate", "random_state"})
    unknown = [key for key in options if key not in taken]
    if unknown:  # Python's own TypeError named pgd(), not this function, and no fix
        hints = [f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                 for key in unknown for close in [did_you_mean(key, taken)]]
        raise TypeError(
            f"{attack} takes no option {', '.join(hints)}; the options passed on to it are "
            f"{taken}."
        )
    out: dict[str, pd.DataFrame] = {}
    with each_warning_once():  # a warning of the budget or columns once, not per variant
        options = _columns_of_the_cama_surrogate(estimator, X, surrogate, options)
        if _is_cama(estimator):
            out["white-box (fixed noise)"] = function(
                estimator, X, y, epsilon, eot=0, random_state=random_state, **options
            )
            if eot:
                out[f"white-box (EOT, {int(eot)} draw{'s' * (int(eot) != 1)})"] = function(
                    estimator, X, y, epsilon, eot=int(eot), random_state=random_state, **options
                )
        elif _differentiable(estimator):
            out["white-box"] = function(estimator, X, y, epsilon, random_state=random_state,
                                        **options)
        if surrogate is not None and surrogate is not estimator:
            frame = function(estimator, X, y, epsilon, surrogate=surrogate,
                             random_state=random_state, **options)
            out[frame.attrs["mode"]] = frame
    if not out:
        raise TypeError(
            f"{type(estimator).__name__} is not differentiable in its inputs; pass "
            "surrogate=<a fitted TorchMLPClassifier or CAMAClassifier trained on the same "
            "task> to attack it by transfer."
        )
    return out


def _columns_of_the_cama_surrogate(
    estimator: Any, X: pd.DataFrame, surrogate: Any, options: dict
) -> dict:
    """``options`` with the columns every variant attacks, where ``columns`` and ``roles``
    are left to a CAMA surrogate (or reference) of a model that is no CAMA: the white-box
    variant, which sees no CAMA model, refused ``columns=None``. The continuous members
    of that model's co-parents and children, as the transfer from it attacks them."""
    if _is_cama(estimator) or options.get("columns") is not None or options.get(
        "roles"
    ) is not None:
        return options
    lender = next((m for m in (surrogate, options.get("reference"))
                   if m is not None and _is_cama(m)), None)
    if lender is None:
        return options
    chosen = resolve_columns(X, None, reference=lender,
                             allow_parents=bool(options.get("allow_parents", False)))
    kinds = lender.column_types_
    discrete = [c for c in chosen if kinds.get(c, "gaussian") != "gaussian"
                or c in _flags(X, [c])]
    columns = [c for c in chosen if c not in discrete]
    if not columns:
        raise ValueError(
            f"every co-parent and child {chosen} is discrete for the CAMAClassifier given "
            "as surrogate; a gradient attack moves continuous values only."
        )
    if discrete:
        _warn_discrete_left_out(discrete, "for the surrogate CAMAClassifier")
    return {**options, "columns": columns}


@reads_tables("X", "y")
@gradients_on
def strongest_attack(
    estimator: Any,
    X: TableLike,
    y: VectorLike,
    epsilon: float,
    *,
    attack: str = "pgd",
    eot: int = 4,
    surrogate: Any = None,
    per_row: bool = False,
    random_state: SeedLike = None,
    **options: Any,
) -> pd.DataFrame:
    """The strongest of every applicable attack on ``estimator``: what robustness means.

    Generative classifiers such as CAMA are known to mask gradients (a Monte Carlo
    predictor, saturated likelihoods), so no single attack can be trusted to find their
    weak spots. This runs every variant of :func:`attack_variants` (white-box with fixed
    noise, white-box with gradients averaged over fresh noise draws, transfer from a
    differentiable surrogate) and keeps the one that leaves ``estimator`` least accurate;
    ``per_row=True`` goes further and takes, row by row, a variant that fools it.

    Parameters
    ----------
    estimator : fitted classifier
        The model under attack.
    X, y, epsilon
        As in :func:`fgsm`.
    attack : {"fgsm", "pgd"}, default="pgd"
        The attack every variant runs.
    eot : int, default=4
        Noise draws per gradient of CAMA's EOT variant; 0 leaves it out.
    surrogate : fitted differentiable classifier, default=None
        For the transfer variant (required for models without gradients).
    per_row : bool, default=False
        Combine variants row by row: each row comes from the first variant that the
        estimator misclassifies, else from the one giving the true class the lowest
        probability. At least as strong as the best single variant.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seeds every variant.
    **options
        Passed to the attack (``columns``, ``reference``, ``roles``, ``allow_parents``,
        ``budget_scale``, and for ``"pgd"`` ``steps`` and ``step_size``, whose default
        grows for fewer than 10 steps: see :func:`pgd`).

    Returns
    -------
    pandas.DataFrame
        The attacked rows. ``attrs`` holds ``attack``, ``mode`` (the label of the strongest
        variant, or ``"per-row worst of n variants"`` where ``per_row`` combined several),
        ``epsilon``, ``columns``,
        ``accuracies`` (accuracy of ``estimator`` under each variant, and under the per-row
        combination as ``"per-row worst"``), ``strongest`` (the label of the variant with
        the lowest accuracy) and ``rows_from`` (rows taken from each variant when
        ``per_row``).

    See Also
    --------
    attack_variants : The variants, each on its own.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)) + y[:, None], columns=["a", "x"])
    >>> mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> gb = HistGradientBoostingClassifier(max_iter=10).fit(X, y)
    >>> X_adv = strongest_attack(gb, X, y, 0.5, surrogate=mlp, columns=["x"])
    >>> X_adv.attrs["mode"]
    'transfer from TorchMLPClassifier'
    >>> bool(gb.score(X_adv, y) < gb.score(X, y))
    True
    """
    y = _labels_once(X, y)
    variants = attack_variants(
        estimator, X, y, epsilon, attack=attack, eot=eot, surrogate=surrogate,
        random_state=random_state, **options,
    )
    labels = list(variants)
    # no rows: nothing to predict (scikit-learn's models refuse 0 rows) and no accuracy;
    # the model's warnings of the rows (missing inputs) once, not once per variant
    with each_warning_once():
        predictions = {label: np.asarray(estimator.predict(frame)) if len(frame) else y[:0]
                       for label, frame in variants.items()}
    accuracies = {label: float(np.mean(pred == y)) if len(y) else math.nan
                  for label, pred in predictions.items()}
    strongest = min(labels, key=lambda label: accuracies[label])  # first of ties
    # per row: fooled by any variant? else the lowest probability of the true class
    wrong = np.stack([predictions[label] != y for label in labels], axis=1)
    choice = np.argmax(wrong, axis=1)
    unfooled = ~wrong.any(axis=1)
    if unfooled.any() and len(labels) > 1 and hasattr(estimator, "predict_proba"):
        classes = list(np.asarray(estimator.classes_))
        true_col = np.array([classes.index(v) for v in y[unfooled]])
        rows = np.flatnonzero(unfooled)
        with warnings.catch_warnings():  # rows predicted above, whose warnings were shown
            warnings.simplefilter("ignore")  # (counted in a subset, they misled)
            true_proba = np.stack(
                [np.asarray(estimator.predict_proba(variants[label].iloc[rows]))[
                    np.arange(len(rows)), true_col] for label in labels],
                axis=1,
            )
        choice[rows] = np.argmin(true_proba, axis=1)
    accuracies["per-row worst"] = float(np.mean(~wrong.any(axis=1))) if len(y) else math.nan
    if per_row:
        out = variants[labels[0]].copy()
        cols = list(out.attrs["columns"])
        values = _floats(out, cols)
        for i, label in enumerate(labels[1:], start=1):
            take = choice == i
            values[take] = _floats(variants[label], cols)[take]
        _assign(out, cols, values)
        # one variant (a transfer to a model without gradients) is that variant
        mode = f"per-row worst of {len(labels)} variants" if len(labels) > 1 else labels[0]
        rows_from = {label: int(np.sum(choice == i)) for i, label in enumerate(labels)}
    else:
        out = variants[strongest].copy()
        mode = strongest
        rows_from = {}
    out.attrs = {
        **variants[strongest].attrs,
        "attack": attack,
        "mode": mode,
        "accuracies": accuracies,
        "strongest": strongest,
        "rows_from": rows_from,
    }
    logger.info(
        "strongest %s on %s at epsilon %.3g sd: %s (accuracies %s)", attack,
        type(estimator).__name__, float(epsilon), strongest, accuracies,
    )
    return out


ATTACKS: dict[str, Callable[..., pd.DataFrame]] = {
    "fgsm": fgsm,
    "pgd": pgd,
    "strongest": strongest_attack,
}
"""Attacks by name, each ``f(estimator, X, y, epsilon, **options)``."""
