"""Discriminative reference models, trained in torch so that they can be attacked.

Three classifiers with the scikit-learn API, for comparison with CAMA:

- :class:`TorchMLPClassifier`: a plain multilayer perceptron (cross-entropy).
- :class:`PGDTrainedMLPClassifier`: the same network trained on PGD adversarial examples
  (Madry et al. 2018), the budget in clean-sd units on chosen columns.
- :class:`CausalAdvClassifier`: adversarial training with a style head on a projection
  orthogonal to the classifier and an alignment term between its natural and adversarial
  predictions (Zhang et al. 2022, CausalAdv).

Each standardises its inputs inside and exposes ``_torch_log_proba(values)``: raw-unit
rows (a tensor ordered as ``feature_names_in_`` or a DataFrame) -> differentiable
log-probabilities, which :mod:`skcama.attacks` uses for white-box attacks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Mapping
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._columns import (
    _show,
    check_fit_labels,
    check_measurement_dtype,
    check_unique_columns,
    extreme_column_moments,
    is_real_number,
    negligible_sd,
)
from ._frames import reads_tables
from ._guard import fit_context, gradients_on, ordinary_tensors, restore_on_error
from ._random import seeded_torch
from ._training import stratified_hold_out
from ._typing import MatrixLike, VectorLike
from ._warn import record_version, warn_if_pickled_by_another_version
from .graph import MarkovBlanketRoles, did_you_mean
from .manipulations import _discrete

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger("skcama")

__all__ = ["CausalAdvClassifier", "PGDTrainedMLPClassifier", "TorchMLPClassifier"]


class _Net(torch.nn.Module):
    """An MLP split into a feature body and a linear class head."""

    def __init__(self, n_in: int, hidden: tuple[int, ...], n_classes: int):
        super().__init__()
        layers: list[torch.nn.Module] = []
        width = n_in
        for size in hidden:
            layers += [torch.nn.Linear(width, size, dtype=torch.float32), torch.nn.ReLU()]
            width = size
        self.body = torch.nn.Sequential(*layers)
        self.head = torch.nn.Linear(width, n_classes, dtype=torch.float32)
        self.feature_dim = width

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(u))

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        ordinary_tensors(self)  # unpickled inside torch.inference_mode()


def _same_key(column: Hashable, key: Hashable) -> bool:
    """Whether ``key`` of ``budget_scale`` names ``column``: equal, and a bool only for a
    bool (``True == 1`` in Python, so ``True`` would otherwise name the column ``1``)."""
    def is_bool(value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))

    return is_bool(column) == is_bool(key) and bool(column == key)


def _budget_multiplier(column: Hashable, value: Any, columns_option: str) -> float:
    """``budget_scale[column]`` as a float, refused unless a finite number > 0 (a
    column held fixed is left out of ``columns_option`` instead)."""
    number = float(value) if is_real_number(value) else math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError(
            f"budget_scale[{column!r}] is {value!r}; a multiplier of epsilon must be a "
            f"finite number > 0 (to hold a column fixed, leave it out of {columns_option})."
        )
    return number


_LARGEST_BUDGET = 1e30  # sds: past it the attack's arithmetic overflows float32


def _check_budget_size(budgets: list[float], names: list | None) -> None:
    """Refuse training budgets (in sds, one per column of ``names``, or one for every
    column where None) too large for the attack's float32 arithmetic: its random start
    and steps overflowed to infinity, and the weights to NaN, without a word."""
    large = [n for n, b in zip(names or [None], budgets, strict=True)
             if not b <= _LARGEST_BUDGET]
    if large:
        whom = "every column" if names is None else f"{_show(large)}"
        raise ValueError(
            f"epsilon{'' if names is None else ' times budget_scale'} gives {whom} a "
            f"budget above "
            f"{_LARGEST_BUDGET:g} sds, too large for the attack's float32 arithmetic; a "
            "budget is in standard deviations of the column, so a few sds moves any "
            "value across its whole training range."
        )


def _perturb_linf(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    u: torch.Tensor,
    mask: torch.Tensor,
    epsilon: float | torch.Tensor,
    steps: int,
    step_size: float | torch.Tensor,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Projected gradient ascent of ``loss_fn`` within an L-inf ball of radius ``epsilon``
    around ``u`` (standardised units), moving only the columns where ``mask`` is 1;
    ``epsilon`` and ``step_size`` are numbers or one per column.

    A random start inside the ball when ``generator`` is given. Returns the perturbed
    input, detached.
    """
    delta = torch.zeros_like(u)
    if generator is not None:
        uniform = torch.rand(u.shape, generator=generator, dtype=torch.float32)
        delta = (uniform * 2 - 1) * epsilon * mask
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = loss_fn(u + delta)
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta = torch.clamp(delta + step_size * grad.sign() * mask, -epsilon, epsilon)
    return (u + delta).detach()


class _TorchClassifier(ClassifierMixin, BaseEstimator):
    """Shared plumbing: validation, standardisation, the training loop, prediction."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [tuple, list],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __getstate__(self) -> dict:
        return record_version(super().__getstate__())

    def __setstate__(self, state: dict) -> None:
        warn_if_pickled_by_another_version(state, type(self).__name__)
        super().__setstate__(state)

    # -------------------------------------------------------------------------- fit
    @reads_tables("X", "y")
    @fit_context(prefer_skip_nested_validation=True)
    @gradients_on
    def fit(self, X: MatrixLike, y: VectorLike) -> Self:
        """Fit the network on labelled rows.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Numeric features without missing or infinite values (impute them first;
            the columns that hold them are named).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + y[:, None]
        >>> mlp = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
        >>> mlp.classes_.tolist(), mlp.n_features_in_
        ([0, 1], 2)
        """
        with restore_on_error(self):
            return self._fit(X, y)

    def _fit(self, X: Any, y: Any) -> _TorchClassifier:
        hidden = self._hidden_layer_sizes()
        if y is not None:
            y = column_or_1d(y, warn=True)
            check_fit_labels(y, "y")
        _check_numeric_columns(X, self)
        frame = X if isinstance(X, pd.DataFrame) else None
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=False)
        _check_finite(X, None if frame is None else list(frame.columns), self)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y; got only one class, "
                f"{self.classes_.tolist()[0]!r}."
            )
        self._check_params_extra(frame)
        with np.errstate(over="ignore", under="ignore"):  # recomputed where they do
            plain = X.mean(axis=0), X.std(axis=0)
        self.mean_, std = extreme_column_moments(X, *plain)
        constant = negligible_sd(std, np.abs(X).max(axis=0))
        self.scale_ = np.where(constant, 1.0, std)
        names = list(getattr(self, "feature_names_in_", range(len(std))))
        self.constant_columns_ = [names[j] for j in np.flatnonzero(constant)]
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(0, 2**31 - 1))
        generator = torch.Generator().manual_seed(seed)
        with seeded_torch(seed):
            self.model_ = _Net(X.shape[1], hidden, len(self.classes_))
            self._init_extra(generator)
        u = torch.as_tensor((X - self.mean_) / self.scale_, dtype=torch.float32)
        target = torch.as_tensor(y_index, dtype=torch.long)
        (u, target), held = self._held_out(u, target, generator)
        optimiser = torch.optim.Adam(
            self._trainable(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        self.loss_curve_ = []
        self.validation_loss_curve_ = []
        best, best_state, stale = math.inf, None, 0
        self.model_.train()
        for epoch in range(self.max_epochs):
            self._start_epoch(epoch)
            order = torch.randperm(len(u), generator=generator)
            total = 0.0
            for start in range(0, len(u), self.batch_size):
                idx = order[start : start + self.batch_size]
                loss = self._train_step(u[idx], target[idx], generator, optimiser)
                total += float(loss) * len(idx)
            self.loss_curve_.append(total / len(u))
            logger.debug("%s epoch %d: loss %.4f", type(self).__name__, epoch, total / len(u))
            if held is None:
                continue
            score = self._held_out_loss(*held, generator)
            self.validation_loss_curve_.append(score)
            if score < best - _EARLY_STOPPING_TOL:
                best, stale = score, 0
                best_state = {k: v.detach().clone() for k, v in self._state().items()}
            else:
                stale += 1
                if stale >= self.n_iter_no_change:
                    break
        if best_state is not None:  # the weights of the best held-out loss
            self._load_state(best_state)
        self._end_fit()
        self.model_.eval()
        self.n_iter_ = len(self.loss_curve_)
        return self

    def _held_out(self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator
                  ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple | None]:
        """The rows to train on, and the rows held out for early stopping (None without
        ``validation_fraction``, or where too few rows would be left): each class in its
        share, and none wholly (as CAMA's fit and scikit-learn's ``MLPClassifier`` hold
        them out), so a rare class is neither missing from training nor from the loss
        that stops it."""
        n_held = int(round(self.validation_fraction * len(u)))
        if n_held < 1 or len(u) - n_held < 2:
            if self.validation_fraction > 0:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} holds out {n_held} of "
                    f"the {len(u)} training rows, leaving {len(u) - n_held} to train on; "
                    "pass more rows, or validation_fraction=0 to train on every row for "
                    "max_epochs epochs."
                )
            return (u, target), None
        held = stratified_hold_out(target, n_held, generator)
        return (u[~held], target[~held]), (u[held], target[held])

    def _held_out_loss(self, u: torch.Tensor, target: torch.Tensor,
                       generator: torch.Generator) -> float:
        """The training objective on the held-out rows (adversarial rows included, for
        the adversarially trained models), in mini-batches; no weight changes."""
        total = 0.0
        for start in range(0, len(u), self.batch_size):
            part = slice(start, start + self.batch_size)
            total += float(self._batch_loss(u[part], target[part], generator).detach()) * len(
                u[part])
        return total / len(u)

    def _state(self) -> dict:
        return self.model_.state_dict()

    def _load_state(self, state: dict) -> None:
        self.model_.load_state_dict(state)

    def _hidden_layer_sizes(self) -> tuple[int, ...]:
        """``hidden_layer_sizes`` as a tuple of ints, each entry checked."""
        for i, size in enumerate(self.hidden_layer_sizes):
            if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
                raise ValueError(
                    f"hidden_layer_sizes[{i}] is {size!r}, but layer widths must be positive "
                    "integers; pass e.g. hidden_layer_sizes=(64, 64)."
                )
        return tuple(int(size) for size in self.hidden_layer_sizes)

    def _check_params_extra(self, frame: pd.DataFrame | None = None) -> None:
        """Checks of subclass parameters that need the data (column names, classes);
        ``frame`` is the training DataFrame (None for an array)."""

    def _init_extra(self, generator: torch.Generator) -> None:
        """Subclass modules created after the network."""

    def _trainable(self) -> list[torch.nn.Parameter]:
        return list(self.model_.parameters())

    def _start_epoch(self, epoch: int) -> None:
        """Called before each epoch of training, numbered from 0."""

    def _end_fit(self) -> None:
        """Called once training has ended, the weights chosen."""

    def _train_step(
        self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator,
        optimiser: torch.optim.Optimizer,
    ) -> float:
        """One optimiser step on a mini-batch; returns the batch's training loss."""
        loss = self._batch_loss(u, target, generator)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return float(loss.detach())

    def _batch_loss(
        self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        return F.cross_entropy(self.model_(u), target)

    def _column_mask(
        self, columns: Any, name: str, frame: pd.DataFrame | None = None
    ) -> torch.Tensor:
        """1 for the columns an adversary may move during training, 0 elsewhere; the
        discrete members of roles (by the training ``frame``, as the attacks read them with
        a reference frame) and those that are not columns of X are left out."""
        n = self.n_features_in_
        if columns is None:
            return torch.ones(n, dtype=torch.float32)
        has_names = hasattr(self, "feature_names_in_")
        names = list(self.feature_names_in_) if has_names else list(range(n))
        from_roles = isinstance(columns, MarkovBlanketRoles)
        if from_roles:  # the valid columns of those roles
            roles, parents = columns, set(columns.parents)
            columns = [c for c in roles.coparents if c not in parents] + list(roles.children)
            if not columns:
                raise ValueError(
                    f"{name} was given roles in which the target {roles.target!r} has no "
                    "co-parents or children, so the adversary could move nothing; name the "
                    "columns instead."
                )
            if frame is not None:
                columns = self._movable_members(columns, name, frame, names if has_names
                                                else None)
        columns = [columns] if isinstance(columns, (str, Integral)) else list(columns)
        if not columns:
            raise ValueError(
                f"{name} is empty, so the adversary could move nothing and training would "
                f"be a plain MLP's; name the columns to move, or pass {name}=None for all."
            )
        if not from_roles and frame is not None:  # as the attacks refuse named ones
            # without column names the columns are positions, whatever X's labels are
            label = ({c: c for c in columns if c in frame.columns} if has_names else
                     {c: frame.columns[c] for c in columns
                      if isinstance(c, Integral) and not isinstance(c, bool) and 0 <= c < n})
            named = _discrete(list(label.values()), frame, frame)
            discrete = [c for c, column in label.items() if column in named]
            if discrete:
                raise ValueError(
                    f"{name} names columns {discrete} that are discrete (categorical or "
                    "binary) in X; the adversary moves continuous values only, as the "
                    "attacks do. Leave them out."
                )
        mask = torch.zeros(n, dtype=torch.float32)
        for column in columns:
            if not has_names and (isinstance(column, (bool, np.bool_)) or column not in names):
                raise ValueError(
                    f"{name} names the column {column!r}, but X has no column names, so its "
                    f"columns are the positions 0..{n - 1}: give {name} as positions (e.g. "
                    "[0] for the first column) or pass X as a DataFrame with string column "
                    "names."
                )
            if column not in names:
                close = did_you_mean(column, names)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                if column in ("parents", "coparents", "children"):  # a role, not a column
                    members = f"{column}, pass list(clf.roles_.{column})."
                    if column == "coparents":  # a parent with a double role is no valid target
                        members = (
                            "co-parents, pass [c for c in clf.roles_.coparents if c not in "
                            "clf.roles_.parents] (a co-parent that is also a parent of the "
                            "target is not a valid column to perturb)."
                        )
                    hint = (
                        f" {name} takes column names, not role names: pass {name}=clf.roles_ "
                        f"for a fitted CAMA model's co-parents and children, or for its "
                        f"{members}"
                    )
                if from_roles:
                    hint = (
                        f" It is a co-parent or child in the roles given as {name}; pass the "
                        f"columns of X to move as a list instead.{hint}"
                    )
                raise ValueError(
                    f"{name} names the column {column!r}, which is not a column of X.{hint}"
                )
            mask[names.index(column)] = 1.0
        return mask

    @staticmethod
    def _movable_members(
        members: list, name: str, frame: pd.DataFrame, names: list | None
    ) -> list:
        """The members of roles given as ``name`` that the adversary moves: those
        discrete in the training ``frame`` and, where X has column ``names``, those
        that are not among them (a baseline takes numeric columns only, so a text or
        categorical co-parent or child is left out of its X) are left out with one
        warning, as the attacks leave out the members they cannot move."""
        from .attacks import _warn_discrete_left_out  # attacks imports this module

        absent = [] if names is None else [c for c in members if c not in names]
        discrete = _discrete([c for c in members if c in frame.columns], frame, frame)
        kept = [c for c in members if c not in discrete and c not in absent]
        close = {c: did_you_mean(c, names) for c in absent}
        hint = "; ".join(f"did you mean {found[0]!r} for {c!r}?"
                         for c, found in close.items() if found)
        if not kept:
            reasons = [f"discrete (categorical or binary) in X: {discrete}"] if discrete else []
            if absent:
                reasons.append(f"not columns of X: {absent}")
            raise ValueError(
                f"no co-parent or child that {name} gives can be moved, being "
                f"{'; '.join(reasons)}; the adversary moves continuous columns of X only. "
                f"Name the columns to move instead{f' ({hint})' if hint else ''}."
            )
        if discrete or absent:
            _warn_discrete_left_out(
                discrete, "in X", absent=absent, mover=f"the adversary of {name}",
                argument=name, hint=f" ({hint})" if hint else "",
            )
        return kept

    # ------------------------------------------------------------------- prediction
    def _torch_log_proba(self, values: Any) -> torch.Tensor:
        """Differentiable log-probabilities from raw-unit rows.

        ``values`` is a (B, n_features_in_) tensor in the column order of
        ``feature_names_in_`` (gradients flow to it) or a DataFrame / array.
        """
        check_is_fitted(self)
        if not isinstance(values, torch.Tensor):
            values = torch.from_numpy(np.array(self._raw_array(values), dtype=np.float64))
        # standardised in float64, as fit standardises: in float32, a column whose mean is
        # 1e7 of its sds would round a move of a tenth of an sd away (and an attack with it)
        mean = torch.as_tensor(self.mean_, dtype=torch.float64, device=values.device)
        scale = torch.as_tensor(self.scale_, dtype=torch.float64, device=values.device)
        u = ((values.double() - mean) / scale).float()
        return torch.log_softmax(self.model_(u), dim=-1)

    def _raw_array(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(
                    f"X lacks the columns {missing} seen in fit by {type(self).__name__}; "
                    "pass a frame with them."
                )
            X = X[list(self.feature_names_in_)]
        _check_numeric_columns(X, self)
        names = list(X.columns) if isinstance(X, pd.DataFrame) else None
        values = validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite=False)
        _check_finite(values, names, self)
        return values

    @reads_tables("X")
    def predict_proba(self, X: MatrixLike) -> np.ndarray:
        """Class probabilities, columns ordered as ``classes_``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns of ``fit`` (by name for a DataFrame), numeric, without
            missing values.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(100, 2)), rng.integers(0, 2, 100)
        >>> mlp = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, y)
        >>> mlp.predict_proba(X[:3]).shape
        (3, 2)
        """
        check_is_fitted(self)
        values = torch.from_numpy(np.array(self._raw_array(X), dtype=np.float64))
        parts = [np.empty((0, len(self.classes_)))]
        with torch.no_grad():  # chunks of one size, the last padded, as CAMAClassifier's:
            # a row's probabilities do not depend on the rows that come with it
            for start in range(0, len(values), _PREDICT_ROWS):
                chunk = values[start : start + _PREDICT_ROWS]
                n = len(chunk)
                padded = torch.cat([chunk, chunk.new_zeros(_PREDICT_ROWS - n, chunk.shape[1])])
                parts.append(self._torch_log_proba(padded)[:n].exp().double().numpy())
        proba = np.concatenate(parts)
        return proba / proba.sum(axis=1, keepdims=True)

    @reads_tables("X")
    def predict(self, X: MatrixLike) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            As in :meth:`predict_proba`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Values of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(100, 2)), np.where(rng.random(100) < 0.5, "a", "b")
        >>> mlp = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, y)
        >>> mlp.predict(X[:3]).dtype.kind
        'U'
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class TorchMLPClassifier(_TorchClassifier):
    """A plain multilayer perceptron trained with cross-entropy (Adam), in torch.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Widths of the ReLU hidden layers (positive integers; ``()`` for none).
    max_epochs : int, default=100
        Passes over the training data.
    batch_size : int, default=128
        Mini-batch size.
    learning_rate : float, default=1e-3
        Adam step size.
    weight_decay : float, default=0.0
        L2 penalty passed to Adam.
    validation_fraction : float, default=0.0
        Share of the training rows held out for early stopping (each class in its share,
        none wholly): after each epoch the training objective (for the adversarially
        trained models, on adversarial rows of the held-out ones) is measured there,
        training stops once it has not fallen by 1e-4 for ``n_iter_no_change`` epochs,
        and the weights of its lowest value are kept. ``0`` trains on every row for
        ``max_epochs`` epochs.
    n_iter_no_change : int, default=10
        Epochs without improvement of the held-out loss before training stops.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the mini-batches and the held-out rows.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    mean_, scale_ : ndarray of shape (`n_features_in_`,)
        Clean mean and sd of the training columns; inputs are standardised with them.
        A column constant in fit gets scale 1.
    constant_columns_ : list
        The columns constant in fit (names, or positions when ``X`` had no column
        names): their ``scale_`` is 1, so an attack's budget in clean sds moves them in
        their raw units, which the attacks warn of.
    model_ : torch.nn.Module
    loss_curve_ : list of float
        Mean training loss per epoch.
    validation_loss_curve_ : list of float
        Held-out loss per epoch (empty without ``validation_fraction``).
    n_iter_ : int
        Epochs run.

    Examples
    --------
    >>> import numpy as np
    >>> from skcama.baselines import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> X = rng.normal(size=(300, 2)) + 2 * y[:, None]
    >>> clf = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.85)
    True
    """

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64, 64),
        *,
        max_epochs: int = 100,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.0,
        n_iter_no_change: int = 10,
        random_state: int | np.random.RandomState | None = None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state


class PGDTrainedMLPClassifier(_TorchClassifier):
    """An MLP trained on PGD adversarial examples (Madry et al., 2018).

    Every mini-batch is replaced by the adversarial rows that ``pgd_steps`` steps of
    projected gradient ascent on the cross-entropy reach (the last iterate) inside an
    L-inf ball of radius ``epsilon`` clean standard deviations, on ``attack_columns``
    only: from a uniform random start in the ball, with steps of ``2.5 * epsilon /
    pgd_steps`` along the gradient's sign.

    Parameters
    ----------
    hidden_layer_sizes, max_epochs, batch_size, learning_rate, weight_decay, \
validation_fraction, n_iter_no_change, random_state
        As in :class:`TorchMLPClassifier`.
    epsilon : float, default=0.25
        Training budget in clean-sd units per column.
    attack_columns : array-like, str, int, MarkovBlanketRoles or None, default=None
        Columns the adversary may move (e.g. the co-parents and children): names of
        ``X``'s columns (a list, an array or a ``pandas.Index``, or one name), or positions
        when ``X`` has no column names; a fitted CAMA model's ``roles_`` for its valid
        columns, the co-parents (other than parents of the target) and the children, as
        the attacks of :mod:`skcama.attacks` take them by default, less those that are
        discrete in the training frame (bool, category, or whole numbers with few
        values) and those that are not columns of ``X`` (this model takes numeric
        columns only, so a text or categorical co-parent or child is not among them),
        which are left out with one warning naming them. Columns named one by one must
        be columns of ``X`` and continuous (a missing or discrete one is an error, as in
        the attacks); None = every column, discrete ones included.
    budget_scale : dict of column to float, default=None
        A training budget per column, as the attacks of :mod:`skcama.attacks` take it:
        column ``c`` moves by at most ``epsilon * budget_scale[c]`` clean sds (and its
        steps and random start scale alike), the columns it does not name by ``epsilon``.
        Keys are names of ``X``'s columns, or positions when ``X`` has no column names.
        Every column it names must be one the adversary moves, with a finite multiplier
        > 0.
    pgd_steps : int, default=5
        Ascent steps per batch.
    clean_weight : float, default=0.0
        Share of the loss from clean rows (0 = pure adversarial training; 1 = clean rows
        alone, no attack run, the plain MLP's training).

    Examples
    --------
    >>> import numpy as np
    >>> from skcama.baselines import PGDTrainedMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> X = rng.normal(size=(300, 2)) + 2 * y[:, None]
    >>> clf = PGDTrainedMLPClassifier(epsilon=0.1, max_epochs=10, random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.8)
    True
    """

    _parameter_constraints: dict = {
        **_TorchClassifier._parameter_constraints,
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "attack_columns": ["array-like", str, Integral, MarkovBlanketRoles, None],
        "budget_scale": [Mapping, None],
        "pgd_steps": [Interval(Integral, 1, None, closed="left")],
        "clean_weight": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64, 64),
        *,
        epsilon: float = 0.25,
        attack_columns: ArrayLike | Hashable | MarkovBlanketRoles | None = None,
        budget_scale: Mapping[Any, float] | None = None,
        pgd_steps: int = 5,
        clean_weight: float = 0.0,
        max_epochs: int = 100,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.0,
        n_iter_no_change: int = 10,
        random_state: int | np.random.RandomState | None = None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epsilon = epsilon
        self.attack_columns = attack_columns
        self.budget_scale = budget_scale
        self.pgd_steps = pgd_steps
        self.clean_weight = clean_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state

    def _check_params_extra(self, frame: pd.DataFrame | None = None) -> None:
        self._mask = self._column_mask(self.attack_columns, "attack_columns", frame)
        self._budget = self._column_budgets()

    def _column_budgets(self) -> float | torch.Tensor:
        """The training budget: ``epsilon``, or one per column (in standardised units,
        which are clean sds) where ``budget_scale`` is given, checked against the columns
        the adversary moves."""
        if self.budget_scale is None:
            _check_budget_size([float(self.epsilon)], None)
            return float(self.epsilon)
        has_names = hasattr(self, "feature_names_in_")
        names = list(self.feature_names_in_) if has_names else list(range(self.n_features_in_))
        scales = np.ones(len(names))
        for column, value in self.budget_scale.items():
            matches = [i for i, n in enumerate(names) if _same_key(n, column)]
            position = matches[0] if matches else None
            if position is None or not self._mask[position]:
                close = did_you_mean(column, names) if has_names else []
                what = ("a column of X" + (f" (did you mean {close[0]!r}?)" if close else "")
                        if has_names else f"a column position of X (0 to {len(names) - 1})")
                moved = [n for n, m in zip(names, self._mask.tolist(), strict=True) if m]
                why = (f"is not {what}" if position is None else
                       f"is not among the columns attack_columns lets the adversary move "
                       f"({_show(moved)})")
                raise ValueError(f"budget_scale names {column!r}, which {why}; name only "
                                 "columns the adversary moves.")
            scales[position] = _budget_multiplier(column, value, "attack_columns")
        wide = float(self.epsilon) * scales  # float64: a product past float32's range
        _check_budget_size(wide.tolist(), names)
        budget = torch.as_tensor(wide, dtype=torch.float32)
        zero = [n for n, b in zip(names, budget.tolist(), strict=True) if b <= 0]
        if zero:  # a multiplier too small for float32
            raise ValueError(
                f"budget_scale gives {_show(zero)} a budget that rounds to 0 in float32; to "
                "hold a column fixed, leave it out of attack_columns."
            )
        return budget

    def _adversarial(
        self, u: torch.Tensor, generator: torch.Generator,
        loss_fn: Callable[[torch.Tensor], torch.Tensor],
    ) -> torch.Tensor:
        budget = self._budget
        step = 2.5 * budget / self.pgd_steps
        self.model_.eval()
        adv = _perturb_linf(loss_fn, u, self._mask, budget, self.pgd_steps, step, generator)
        self.model_.train()
        return adv

    def _batch_loss(
        self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        def attack_loss(v):
            return F.cross_entropy(self.model_(v), target)

        if self.clean_weight == 1:  # clean rows alone: no attack to run
            return F.cross_entropy(self.model_(u), target)
        adv = self._adversarial(u, generator, attack_loss)
        loss = F.cross_entropy(self.model_(adv), target)
        if self.clean_weight > 0:
            clean = F.cross_entropy(self.model_(u), target)
            loss = (1 - self.clean_weight) * loss + self.clean_weight * clean
        return loss


class _RunningMoments:
    """The mean and covariance of every row seen so far, one pair per group.

    Each batch is pooled into the totals exactly (the within-batch covariance, and the
    spread between the batch's mean and the running one, weighted by the row counts), so
    the estimate is that of all the rows together, read from networks that kept
    changing while they were seen: the covariance estimator of the CausalAdv authors'
    code. ``cov`` is the biased covariance (divided by the count).
    """

    def __init__(self, n_groups: int, dim: int):
        self.count = torch.zeros(n_groups, dtype=torch.float32)
        self.mean = torch.zeros(n_groups, dim, dtype=torch.float32)
        self.cov = torch.zeros(n_groups, dim, dim, dtype=torch.float32)

    def update(self, rows: torch.Tensor, groups: torch.Tensor | None = None) -> None:
        """Pool ``rows`` (N, dim) of groups ``groups`` (N,) (None: all in group 0)."""
        rows = rows.detach()
        n_groups = len(self.count)
        if groups is None:
            groups = torch.zeros(len(rows), dtype=torch.long)
        member = F.one_hot(groups, n_groups).to(rows.dtype)  # (N, G)
        n = member.sum(0)  # (G,)
        seen = n.clamp(min=1)
        batch_mean = member.T @ rows / seen[:, None]  # (G, dim)
        centred = (rows[:, None, :] - batch_mean[None]) * member[..., None]  # (N, G, dim)
        batch_cov = torch.einsum("nga,ngb->gab", centred, centred) / seen[:, None, None]
        weight = n / (n + self.count).clamp(min=1)  # 0 for a group the batch lacks
        gap = self.mean - batch_mean
        w = weight[:, None, None]
        self.cov = ((1 - w) * self.cov + w * batch_cov
                    + w * (1 - w) * gap[:, :, None] * gap[:, None, :])
        self.mean = (1 - weight[:, None]) * self.mean + weight[:, None] * batch_mean
        self.count = self.count + n


class _StyleHead(torch.nn.Module):
    """``g``: the class from the style coordinates ``s``, through a small network (a
    bottleneck of half the style width with batch normalisation, back to the style
    width, then a linear layer), as in the CausalAdv authors' code. Its logits are
    raised by the spread of its hidden features in each class's covariance along the
    difference of two classes' weights (the implicit semantic augmentation the authors
    apply), scaled by ``ratio``, which needs the rows' labels."""

    def __init__(self, n_style: int, n_classes: int):
        super().__init__()
        narrow = max(1, n_style // 2)
        self.body = torch.nn.Sequential(
            torch.nn.Linear(n_style, narrow, dtype=torch.float32),
            torch.nn.BatchNorm1d(narrow, dtype=torch.float32),
            torch.nn.ReLU(),
            torch.nn.Linear(narrow, n_style, dtype=torch.float32),
            torch.nn.ReLU(),
        )
        self.out = torch.nn.Linear(n_style, n_classes, dtype=torch.float32)

    def forward(
        self, s: torch.Tensor, target: torch.Tensor, ratio: float,
        moments: _RunningMoments, update: bool = False,
    ) -> torch.Tensor:
        """Corrected logits of ``s`` (N, n_style) for rows of classes ``target``;
        ``update``: first pool the normalised hidden features into ``moments``."""
        hidden = self.body(s)
        if update:
            moments.update(F.normalize(hidden, dim=1), target)
        logits = self.out(hidden)
        if ratio == 0:
            return logits
        weight = self.out.weight  # (K, n_style)
        gap = weight[None] - weight[target][:, None]  # (N, K, n_style)
        spread = torch.einsum("nka,nab,nkb->nk", gap, moments.cov[target], gap)
        return logits + 0.5 * ratio * spread


class CausalAdvClassifier(PGDTrainedMLPClassifier):
    """Adversarial training aligned on spurious "style" information (CausalAdv).

    Beside the classifier ``h`` (an MLP: feature body ``f``, linear head ``W``) an
    auxiliary network ``g`` predicts the class from a *style* projection
    ``s = normalise(f(u)) B`` of the body's features. The basis ``B`` spans the directions
    in which the normalised features are uncorrelated with the logits: random anchor
    directions, orthogonalised against ``Sigma W^T`` (``Sigma`` the covariance of the
    normalised features over every batch seen so far) and orthonormalised (QR, signs
    fixed), so ``s`` carries what the classifier does not use: the spurious
    correlations. Each training step, as in the method's public code:

    1. the basis is updated with the batch's features;
    2. adversarial rows are found by PGD against
       ``beta * CE(h(u_adv), y) + alpha * SoftCE(g(s_adv), softmax(g(s_nat)))``;
    3. ``g`` takes a step of its own optimiser on the cross-entropy of the labels from
       the natural rows' style (the features held fixed);
    4. ``h`` takes a step on
       ``beta * CE(h(u_adv), y) + alpha_t * SoftCE(g(s_adv), softmax(g(s_nat)))``, the
       gradient reaching the features through both ``s_adv`` and ``s_nat`` (``g`` held
       fixed), so the style network reads the same thing in adversarial and natural rows.

    ``alpha_t`` and the strength of ``g``'s logit correction (see below) rise linearly
    from 0 at the first epoch towards ``alpha`` and 1 over ``ramp_epochs`` epochs (the
    authors: over all the epochs of training); the attack of step 2 takes the style term
    at full weight ``alpha`` and the correction at full strength throughout.

    ``g`` is a small network: ``s`` through a layer of half the style width with batch
    normalisation and ReLU, back to the style width with ReLU, then a linear layer; its
    logits are raised by ``0.5 * ratio * (w_k - w_y)^T Sigma_y (w_k - w_y)``, with
    ``Sigma_y`` the running covariance of its normalised hidden features in the row's
    class ``y`` (the authors' correction; it needs the labels, which ``g`` has, as it is
    only used in training).

    Deviations from the method as published for images: Adam (``learning_rate``,
    ``weight_decay``) for ``h`` and ``g`` where the authors use SGD with momentum and a
    step schedule; the inner attack takes ``pgd_steps=5`` steps of
    ``2.5 * epsilon / pgd_steps`` by default (their image experiments: 10 steps of about
    ``0.23 * epsilon``); the style basis is an orthonormal basis of the orthogonal
    complement of ``Sigma W^T``, ``width - K`` coordinates, each uncorrelated with every
    logit. Theirs keeps as many anchors as features (``g`` reads ``width``
    coordinates), each projected off the rows of ``Sigma W^T`` in turn and renormalised;
    as those rows are not orthogonal to each other, the anchors end orthogonal to the
    last row only (with a width of 16 and 3 classes, a reviewer measured inner products
    of 1.37 with the other two rows of ``Sigma W^T``), so their style coordinates still
    correlate with the logits. With early stopping (``validation_fraction``), training
    may end before the ramp does (the held-out loss that decides when weighs the
    alignment at its full ``alpha`` in every epoch, so that it does not rise with the
    ramp). The TRADES variant is not offered.

    Predictions use ``h`` alone: ``g`` and the basis shape the training only.

    On the SEMs of ``benchmarks/adversarial_sem.py`` (trained at budget 0.25 on the
    co-parents and children, stopping early), ``g`` read the class from the style
    coordinates of the training rows with accuracy 0.74 and 0.71 (seeds 0 and 1; chance
    0.33), so its term carries signal; the classifier's accuracies in that benchmark are
    within 0.015 of the PGD-trained MLP's in every cell.

    Parameters
    ----------
    hidden_layer_sizes, max_epochs, batch_size, learning_rate, weight_decay, \
validation_fraction, n_iter_no_change, random_state
        As in :class:`TorchMLPClassifier`.
    epsilon, attack_columns, budget_scale, pgd_steps
        As in :class:`PGDTrainedMLPClassifier`.
    alpha : float, default=1.0
        Weight of the style terms (in the attack; in the loss, reached at the end of the
        ramp).
    beta : float, default=1.0
        Weight of the adversarial cross-entropy (in the attack and in the loss).
    n_anchors : int or None, default=None
        Dimensions of the style space: None for the whole space the logits leave, the
        feature width minus the number of classes; an int keeps at most that many.
        The feature width (the last entry of ``hidden_layer_sizes``, or the number of
        columns when it is empty) must exceed the number of classes.
    ramp_epochs : int or None, default=None
        Epochs over which the alignment's weight rises from 0 to ``alpha`` (and the
        correction of ``g``'s logits to full strength); None for ``max_epochs``, as the
        authors.

    Attributes
    ----------
    style_head_ : torch.nn.Module
        ``g``, the style network, after training.
    feature_covariance_ : torch.Tensor of shape (width, width)
        The covariance of the normalised features over the batches of training, from
        which the style basis is made (see :meth:`style_basis`).

    References
    ----------
    Y. Zhang, M. Gong, T. Liu, G. Niu, X. Tian, B. Han, B. Schölkopf, K. Zhang.
    "CausalAdv: Adversarial Robustness through the Lens of Causality." ICLR 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skcama.baselines import CausalAdvClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> X = rng.normal(size=(300, 2)) + 2 * y[:, None]
    >>> clf = CausalAdvClassifier(epsilon=0.1, max_epochs=10, random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.8)
    True
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in PGDTrainedMLPClassifier._parameter_constraints.items()
           if k != "clean_weight"},
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "n_anchors": [Interval(Integral, 1, None, closed="left"), None],
        "ramp_epochs": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (64, 64),
        *,
        epsilon: float = 0.25,
        attack_columns: ArrayLike | Hashable | MarkovBlanketRoles | None = None,
        budget_scale: Mapping[Any, float] | None = None,
        pgd_steps: int = 5,
        alpha: float = 1.0,
        beta: float = 1.0,
        n_anchors: int | None = None,
        ramp_epochs: int | None = None,
        max_epochs: int = 100,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.0,
        n_iter_no_change: int = 10,
        random_state: int | np.random.RandomState | None = None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epsilon = epsilon
        self.attack_columns = attack_columns
        self.budget_scale = budget_scale
        self.pgd_steps = pgd_steps
        self.alpha = alpha
        self.beta = beta
        self.n_anchors = n_anchors
        self.ramp_epochs = ramp_epochs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state

    def _check_params_extra(self, frame: pd.DataFrame | None = None) -> None:
        super()._check_params_extra(frame)
        n_classes = len(self.classes_)
        if self.hidden_layer_sizes:
            width = self.hidden_layer_sizes[-1]
            what = f"the last hidden layer (hidden_layer_sizes[-1]) has {width} units"
            fix = f"make the last entry of hidden_layer_sizes at least {n_classes + 1}"
        else:
            width = self.n_features_in_
            what = f"with hidden_layer_sizes=() the features are X's {width} columns"
            fix = f"add a hidden layer of at least {n_classes + 1} units"
        if width <= n_classes:
            raise ValueError(
                f"{type(self).__name__} needs a feature width above the number of classes, "
                f"as its style space is orthogonal to the {n_classes} class directions; "
                f"{what}, but y has {n_classes} classes, so the minimum is {n_classes + 1}: "
                f"{fix}."
            )

    def _init_extra(self, generator: torch.Generator) -> None:
        width = self.model_.feature_dim
        n_classes = len(self.classes_)
        n_style = width - n_classes
        if self.n_anchors is not None:
            n_style = min(self.n_anchors, n_style)
        self.anchors_ = torch.randn((width, n_style), generator=generator, dtype=torch.float32)
        self.style_head_ = _StyleHead(n_style, n_classes)
        self.style_head_.eval()  # batch statistics only in its own training step
        self._feature_moments = _RunningMoments(1, width)
        self._style_moments = _RunningMoments(n_classes, n_style)
        self._style_optimiser = torch.optim.Adam(
            self.style_head_.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        self._ramp = 0.0

    def _start_epoch(self, epoch: int) -> None:
        self._ramp = min(1.0, epoch / (self.ramp_epochs or self.max_epochs))

    def _end_fit(self) -> None:
        self.feature_covariance_ = self._feature_moments.cov[0]
        # the state of training alone
        del self._style_optimiser, self._style_moments, self._feature_moments, self._ramp

    def _state(self) -> dict:
        # with the features' covariance, so that the weights chosen by early stopping
        # come back with the style basis they were trained with
        moments = self._feature_moments
        return {**{f"model.{k}": v for k, v in self.model_.state_dict().items()},
                **{f"style.{k}": v for k, v in self.style_head_.state_dict().items()},
                "moments.count": moments.count, "moments.mean": moments.mean,
                "moments.cov": moments.cov}

    def _load_state(self, state: dict) -> None:
        for prefix, module in (("model.", self.model_), ("style.", self.style_head_)):
            module.load_state_dict({k[len(prefix):]: v for k, v in state.items()
                                    if k.startswith(prefix)})
        for name in ("count", "mean", "cov"):
            setattr(self._feature_moments, name, state[f"moments.{name}"])

    def style_basis(self) -> torch.Tensor:
        """The style basis ``B`` (feature width, style width) from the running covariance
        of the normalised features: orthonormal columns spanning the complement of
        ``Sigma W^T``, so that each style coordinate ``normalise(f(u)) @ B[:, j]`` is
        uncorrelated with every logit under that covariance.

        Returns
        -------
        torch.Tensor
            The basis, float32.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama.baselines import CausalAdvClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 3, 300)
        >>> X = rng.normal(size=(300, 4)) + y[:, None]
        >>> clf = CausalAdvClassifier((16,), max_epochs=2, random_state=0).fit(X, y)
        >>> tuple(clf.style_basis().shape)
        (16, 13)
        """
        check_is_fitted(self)
        return self._basis(self.feature_covariance_)

    def _basis(self, covariance: torch.Tensor) -> torch.Tensor:
        """:meth:`style_basis` from the features' ``covariance``."""
        with torch.no_grad():
            content = covariance @ self.model_.head.weight.T  # (width, K)
            q, r = torch.linalg.qr(torch.cat([content, self.anchors_], dim=1))
            # signs fixed (a positive diagonal of r), so that the basis moves smoothly
            # as the covariance and the weights change between steps
            signs = torch.sign(torch.diagonal(r))
            q = q * torch.where(signs == 0, 1.0, signs)[: q.shape[1]]
        return q[:, content.shape[1]:]

    def _style(self, u: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.model_.body(u), dim=1) @ basis

    def _style_logits(self, s: torch.Tensor, target: torch.Tensor, update: bool = False,
                      ratio: float | None = None) -> torch.Tensor:
        """``g``'s corrected logits, at the ramp's ``ratio`` unless one is given."""
        ratio = self._ramp if ratio is None else ratio
        return self.style_head_(s, target, ratio, self._style_moments, update)

    def _adversarial_rows(
        self, u: torch.Tensor, s_nat: torch.Tensor, target: torch.Tensor,
        generator: torch.Generator, basis: torch.Tensor,
    ) -> torch.Tensor:
        """The adversarial rows of the batch ``u`` (of natural style ``s_nat``), found
        against ``h`` and ``g`` as they are."""
        # the attack reads g with its correction at full strength, the ramp
        # notwithstanding (as the authors' attack does)
        with torch.no_grad():
            natural = torch.softmax(self._style_logits(s_nat, target, ratio=1.0), dim=1)

        def attack_loss(v):
            style = self._style_logits(self._style(v, basis), target, ratio=1.0)
            soft_ce = -(natural * torch.log_softmax(style, dim=1)).sum(1).mean()
            return (self.beta * F.cross_entropy(self.model_(v), target)
                    + self.alpha * soft_ce)

        return self._adversarial(u, generator, attack_loss)

    def _classifier_loss(
        self, s_nat: torch.Tensor, adv: torch.Tensor, target: torch.Tensor,
        basis: torch.Tensor, alpha: float,
    ) -> torch.Tensor:
        """``h``'s objective: the adversarial cross-entropy and the alignment, weighted
        by ``alpha``, of the style network's adversarial prediction with its natural one
        on the natural style ``s_nat`` (its gradient reaches the features through both)."""
        soft_target = torch.softmax(self._style_logits(s_nat, target), dim=1)
        style_adv = self._style_logits(self._style(adv, basis), target)
        align = -(soft_target * torch.log_softmax(style_adv, dim=1)).sum(1).mean()
        adversarial_ce = F.cross_entropy(self.model_(adv), target)
        return self.beta * adversarial_ce + alpha * align

    def _train_step(
        self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator,
        optimiser: torch.optim.Optimizer,
    ) -> float:
        # the batch's normalised features, once: they update the covariance the basis is
        # made from, then give the natural style
        features = F.normalize(self.model_.body(u), dim=1)
        self._feature_moments.update(features)
        basis = self._basis(self._feature_moments.cov[0])
        s_nat = features @ basis
        adv = self._adversarial_rows(u, s_nat, target, generator, basis)
        if len(u) > 1:  # batch normalisation needs two rows
            self.style_head_.train()
            style_fit = F.cross_entropy(
                self._style_logits(s_nat.detach(), target, update=True), target)
            self._style_optimiser.zero_grad()
            style_fit.backward()
            self._style_optimiser.step()
            self.style_head_.eval()
        loss = self._classifier_loss(s_nat, adv, target, basis, self.alpha * self._ramp)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        self.style_head_.zero_grad(set_to_none=True)  # the gradient h's loss left there
        return float(loss.detach())

    def _batch_loss(
        self, u: torch.Tensor, target: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """``h``'s objective on a batch without a step: the held-out loss of early
        stopping, with the alignment at its full weight ``alpha`` in every epoch (at the
        ramp's weight the loss would rise with the ramp, and stop the training early)."""
        basis = self._basis(self._feature_moments.cov[0])
        s_nat = self._style(u, basis)
        adv = self._adversarial_rows(u, s_nat, target, generator, basis)
        return self._classifier_loss(s_nat, adv, target, basis, self.alpha)


_PREDICT_ROWS = 1024  # rows per chunk of predict_proba
_EARLY_STOPPING_TOL = 1e-4  # the least fall of the held-out loss that counts


def _check_numeric_columns(X: Any, estimator: Any) -> None:
    """The baselines read numbers only: a text column of a DataFrame is named, with the
    fix, instead of failing inside numpy on its first value. Column names must be unique
    (columns are matched by name), and there must be a column to read."""
    if not isinstance(X, pd.DataFrame):  # arrays: scikit-learn's checks name the shape
        return
    check_unique_columns(X, "to the columns of fit")
    if X.shape[1] == 0:  # else pandas fails on the dtype of no column
        raise ValueError(
            f"X has 0 feature(s) (shape={X.shape}): {type(estimator).__name__} has nothing "
            "to predict from; pass the measurements as the columns of X."
        )
    text = [c for c in X.columns
            if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    for column in text:
        # dates and durations convert to integers silently, periods and intervals not at
        # all: each is named with its fix
        check_measurement_dtype(X[column], column)
        if isinstance(X[column].dtype, (pd.PeriodDtype, pd.IntervalDtype)):
            what = "periods" if isinstance(X[column].dtype, pd.PeriodDtype) else "intervals"
            raise ValueError(
                f"column {column!r} holds {what} (dtype {X[column].dtype}), which "
                f"{type(estimator).__name__} cannot read as numbers; convert it to a number "
                "with a meaning (e.g. days since a reference date, an interval's midpoint), "
                "or drop it."
            )
        values = pd.to_numeric(X[column].dropna(), errors="coerce")
        if values.isna().any():  # numbers stored as objects convert; text does not
            example = X[column].dropna()[values.isna()].iloc[0]
            raise ValueError(
                f"{type(estimator).__name__} takes numeric columns only; column {column!r} "
                f"holds text (e.g. {example!r}). Encode it first (e.g. a OneHotEncoder in "
                "a Pipeline) or drop it; CAMAClassifier reads such columns as categorical."
            )


def _values(flags: np.ndarray) -> str:
    n = int(flags.sum())
    return f"{n} value{'s' if n != 1 else ''}"


def _check_finite(values: np.ndarray, names: list | None, estimator: Any) -> None:
    """Infinite and missing values, refused with the columns that hold them (``names``:
    the frame's columns, None for an array, whose columns are named by position)."""
    finite = np.isfinite(values)
    if finite.all():
        return
    estimator_name = type(estimator).__name__

    def columns(bad: np.ndarray) -> str:
        held = np.flatnonzero(bad.any(axis=0))
        if names is None:
            return f"the columns at positions {_show(held.tolist(), 10)}"
        return f"columns {_show([names[j] for j in held], 10)}"

    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"X contains infinity in {columns(infinite)} ({_values(infinite)}); "
            f"{estimator_name} needs finite numbers. Replace them with finite numbers or "
            "drop those rows."
        )
    missing = ~finite
    raise ValueError(
        f"X has missing values (NaN) in {columns(missing)} ({_values(missing)}), "
        f"which {estimator_name} cannot read. Impute them first, e.g. with a SimpleImputer "
        f"in a Pipeline (make_pipeline(SimpleImputer(), {estimator_name}(...))), or drop "
        "those rows; CAMAClassifier reads missing values as they are."
    )
