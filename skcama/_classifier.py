"""The scikit-learn estimator: :class:`CAMAClassifier`.

Validation, graph roles, standardisation and sklearn plumbing live here; the tensor
maths live in :mod:`skcama._model` and the loops in :mod:`skcama._training`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Hashable, Mapping
from contextlib import contextmanager
from dataclasses import replace
from numbers import Integral, Real
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from ._model import ACTIVATIONS, CAMAConfig, CAMANet
from ._training import Tensors, TrainSettings, predict_log_proba, train
from .graph import (
    GraphError,
    MarkovBlanketRoles,
    all_children_graph,
    as_digraph,
    did_you_mean,
    markov_blanket_roles,
)

logger = logging.getLogger("skcama")

__all__ = ["CAMAClassifier"]


@contextmanager
def _restore_on_error(obj: object):
    """Leave ``obj`` exactly as it was when the block raises (a failed call loses nothing)."""
    saved = dict(obj.__dict__)
    try:
        yield
    except BaseException:
        obj.__dict__.clear()
        obj.__dict__.update(saved)
        raise


class _Scaler:
    """Column means and scales of the training data (numpy only, pickles small)."""

    def __init__(self, values: np.ndarray, names: list):
        self.mean = values.mean(axis=0) if len(values) else np.zeros(values.shape[1])
        scale = values.std(axis=0) if len(values) else np.ones(values.shape[1])
        constant = scale < 1e-12
        if constant.any() and len(values) > 1:
            cols = [names[i] for i in np.flatnonzero(constant)]
            warnings.warn(
                f"columns {cols} are constant in the training data; they carry no "
                "information and are kept with unit scale.",
                UserWarning,
                stacklevel=4,
            )
        self.scale = np.where(constant, 1.0, scale)

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.scale


class CAMAClassifier(ClassifierMixin, BaseEstimator):
    """Deep causal manipulation augmented model (CAMA) for tabular data.

    A causal *generative* classifier. The causal graph splits the features into the
    target's parents ``A``, co-parents ``C`` and children ``X``; the model learns
    ``p(y | a)`` and the mechanism ``p(x | y, c, z, m)`` with latent causes ``z`` and a
    manipulation variable ``m``, and predicts with Bayes' rule. Because the mechanism
    ``y -> x`` is modelled rather than inverted, predictions stay accurate when
    co-parents shift or measurements are manipulated.

    Parameters
    ----------
    graph : networkx.DiGraph, dict or None, default=None
        The causal DAG over the feature columns and the target, or a mapping
        ``{node: [parents...]}``. Node names are the DataFrame's column names (or column
        positions ``0..d-1`` for a numpy ``X``). ``None`` treats every feature as a child
        of the target — the single-modality model ``y -> x``.
    target : hashable, default=None
        The graph node that ``y`` holds. When ``None`` it is inferred: ``y.name`` if that
        is a graph node, else the one graph node that is not a column of ``X``.
    latent_dim : int, default=4
        Dimension of the latent causes ``z``.
    manipulation_dim : int, default=4
        Dimension of the manipulation variable ``m``.
    hidden_size : int, default=64
        Width of the encoder networks and of the feature branches.
    child_hidden_size : int, default=16
        Hidden units per child in the shallow merge network of the decoder.
    activation : {"silu", "relu", "leaky_relu", "elu", "tanh"}, default="silu"
        Activation of every network.
    n_samples : int, default=16
        Importance samples of ``z`` per class used by :meth:`predict_proba`.
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int, default=256
        Mini-batch size for training.
    learning_rate : float, default=3e-3
        Adam step size.
    weight_decay : float, default=0.0
        L2 penalty passed to Adam.
    validation_fraction : float, default=0.1
        Share of the training rows held out to monitor the ELBO for early stopping. With
        fewer than 50 rows, or 0, the training ELBO is monitored instead.
    n_iter_no_change : int, default=10
        Epochs without improvement of the monitored ELBO before training stops.
    tol : float, default=1e-4
        Relative improvement of the monitored ELBO that counts as progress.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, mini-batches, the validation split and the Monte
        Carlo noise of prediction. The same value gives the same predictions.
    verbose : int, default=0
        ``0`` silent, ``1`` a progress bar over epochs.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of columns seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in :meth:`fit` (only when ``X`` had string column names).
    graph_ : networkx.DiGraph
        The causal graph used.
    target_ : hashable
        The target node.
    roles_ : MarkovBlanketRoles
        Parents, co-parents and children of the target; ``roles_.outside`` lists graph
        nodes and data columns the model ignores.
    model_ : torch.nn.Module
        The fitted network.
    history_ : list of dict
        Per-epoch training figures (``epoch``, ``train_elbo``, ``valid_elbo``,
        ``seconds``); ``pandas.DataFrame(clf.history_)`` makes a table.
    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    skcama.graph.markov_blanket_roles : The roles of every node for a target.

    References
    ----------
    C. Zhang, K. Zhang and Y. Li. "A Causal View on Robustness of Neural Networks."
    NeurIPS 2020.

    Examples
    --------
    >>> from skcama import CAMAClassifier
    >>> from skcama.datasets import make_sem
    >>> X, y, graph = make_sem(600, random_state=0)
    >>> clf = CAMAClassifier(graph=graph, target="y", max_epochs=20, random_state=0)
    >>> clf.fit(X, y).predict_proba(X.head(2)).sum(axis=1).round(6)
    array([1., 1.])
    >>> sorted(clf.roles_.children)[:2]
    ['x1', 'x2']
    """

    _parameter_constraints: dict = {
        "graph": [None, nx.Graph, dict],
        "target": [Hashable, None],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "manipulation_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "child_hidden_size": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        graph: nx.DiGraph | Mapping | None = None,
        target: Hashable | None = None,
        *,
        latent_dim: int = 4,
        manipulation_dim: int = 4,
        hidden_size: int = 64,
        child_hidden_size: int = 16,
        activation: str = "silu",
        n_samples: int = 16,
        max_epochs: int = 200,
        batch_size: int = 256,
        learning_rate: float = 3e-3,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ):
        self.graph = graph
        self.target = target
        self.latent_dim = latent_dim
        self.manipulation_dim = manipulation_dim
        self.hidden_size = hidden_size
        self.child_hidden_size = child_hidden_size
        self.activation = activation
        self.n_samples = n_samples
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ sklearn plumbing
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> CAMAClassifier:
        """Fit the model on labelled rows.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Feature columns; with a graph they are matched to its nodes by name and
            columns outside the graph are ignored.
        y : array-like of shape (n_samples,)
            Class labels (any hashable values).

        Returns
        -------
        self : CAMAClassifier
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 3)) + y[:, None]
        >>> CAMAClassifier(max_epochs=10, random_state=0).fit(X, y).classes_
        array([0, 1])
        """
        with _restore_on_error(self):
            return self._fit(X, y)

    def _fit(self, X: Any, y: Any) -> CAMAClassifier:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if not isinstance(X, pd.DataFrame):
            X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite=False)
        validate_data(self, X, reset=True, skip_check_array=True)
        columns = self._column_names(X)
        y_name = getattr(y, "name", None)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        graph, target = self._resolve_graph(columns, y_name)
        roles = markov_blanket_roles(graph, target)
        roles = self._check_roles_against_data(roles, columns)
        values = self._blanket_values(X, roles, columns)
        if values.shape[0] != y.shape[0]:
            raise ValueError(
                f"X has {values.shape[0]} rows but y has {y.shape[0]}; pass one label per row."
            )
        if values.shape[0] == 0:
            raise ValueError(
                "X is empty (0 rows); CAMAClassifier needs at least 2 rows with 2 classes."
            )
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y, got 1 class "
                f"({classes[0]!r}); a classifier cannot be fitted on a single class."
            )
        scaler = _Scaler(values, [str(n) for n in roles.blanket])
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**31 - 1, size=4)
        data = self._tensors(scaler.transform(values), roles, y_index)
        cfg = self._config(roles, len(classes))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seeds[0]))
            model = CAMANet(cfg)
        if cfg.n_parents == 0:
            with torch.no_grad():
                freq = np.bincount(y_index, minlength=len(classes)) / len(y_index)
                model.prior.logits.copy_(torch.as_tensor(np.log(freq), dtype=torch.float32))
        generator = torch.Generator().manual_seed(int(seeds[1]))
        train_data, valid_data = self._split(data, generator)
        history, converged = self._train(model, train_data, valid_data, generator)

        self.classes_ = classes
        self.graph_ = graph
        self.target_ = target
        self.roles_ = roles
        self.scaler_ = scaler
        self.model_ = model
        self.history_ = history
        self.n_iter_ = len(history)
        self._predict_seed = int(seeds[2])
        self._adapted = False
        if not converged:
            warnings.warn(
                f"CAMAClassifier stopped after max_epochs={self.max_epochs} epochs before the "
                "ELBO converged; raise max_epochs.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _train(
        self,
        model: CAMANet,
        train_data: Tensors,
        valid_data: Tensors | None,
        generator: torch.Generator,
    ) -> tuple[list[dict], bool]:
        settings = TrainSettings(
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
        )
        bar = None
        if self.verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.max_epochs, desc="CAMA fit", unit="epoch", leave=False)

        def progress(record: dict) -> None:
            logger.debug("epoch %(epoch)d: %(train_elbo).4f", record)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(
                    {k: f"{v:.3f}" for k, v in record.items() if k.endswith("elbo")}
                )

        try:
            return train(model, train_data, valid_data, settings, generator, progress=progress)
        finally:
            if bar is not None:
                bar.close()

    def _split(
        self, data: Tensors, generator: torch.Generator
    ) -> tuple[Tensors, Tensors | None]:
        n = len(data)
        n_valid = int(round(self.validation_fraction * n))
        if n < 50 or n_valid < 1:
            return data, None
        order = torch.randperm(n, generator=generator)
        return data.rows(order[n_valid:]), data.rows(order[:n_valid])

    def _config(self, roles: MarkovBlanketRoles, n_classes: int) -> CAMAConfig:
        inputs = (*roles.coparents, *roles.children)
        mask = tuple(
            tuple(float(node in roles.child_parents[child]) for child in roles.children)
            for node in inputs
        )
        return CAMAConfig(
            n_classes=n_classes,
            n_parents=len(roles.parents),
            n_coparents=len(roles.coparents),
            n_children=len(roles.children),
            child_inputs=mask,
            latent_dim=self.latent_dim,
            manipulation_dim=self.manipulation_dim,
            hidden_size=self.hidden_size,
            child_hidden_size=self.child_hidden_size,
            activation=self.activation,
        )

    # ---------------------------------------------------------------------- prediction
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log-probability of each class for each row, by Bayes' rule.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``log p(y | a, c, x)``, columns ordered as :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
        >>> clf.predict_log_proba(X[:3]).shape
        (3, 2)
        """
        check_is_fitted(self)
        data = self._prediction_tensors(X)
        eps_z, eps_m = self._prediction_noise()
        out = predict_log_proba(self.model_, data, eps_z, eps_m, batch_size=_predict_batch(self))
        return out.double().numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class for each row, by Bayes' rule (paper eq. 6).

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns ordered as :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
        >>> clf.predict_proba(X[:2]).sum(axis=1).round(6)
        array([1., 1.])
        """
        log_proba = self.predict_log_proba(X)
        proba = np.exp(log_proba)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = np.array(["healthy", "sick"])[rng.integers(0, 2, 200)]
        >>> X = rng.normal(size=(200, 2)) + (y == "sick")[:, None] * 2.0
        >>> clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
        >>> clf.predict(X[:3]).tolist()
        ['healthy', 'sick', 'sick']
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def _prediction_noise(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Common random numbers for the Monte Carlo estimate, fixed by ``random_state``."""
        generator = torch.Generator().manual_seed(self._predict_seed)
        cfg = self.model_.cfg
        eps_z = torch.randn((self.n_samples, cfg.latent_dim), generator=generator)
        if not self._adapted:
            return eps_z, None
        eps_m = torch.randn((self.n_samples, cfg.manipulation_dim), generator=generator)
        return eps_z, eps_m

    # --------------------------------------------------------------- data and graph I/O
    @staticmethod
    def _column_names(X: np.ndarray | pd.DataFrame) -> list:
        if isinstance(X, pd.DataFrame):
            return list(X.columns)
        return list(range(X.shape[1]))

    def _resolve_graph(self, columns: list, y_name: Hashable | None) -> tuple[nx.DiGraph, Hashable]:
        if self.graph is None:
            target = self.target
            if target is None:
                target = y_name if y_name is not None and y_name not in columns else "y"
            if target in columns:
                raise GraphError(
                    f"the target {target!r} is also a column of X; with graph=None every "
                    "column is a child of the target. Drop that column from X or set "
                    "target= to another name."
                )
            return all_children_graph(columns, target), target
        graph = as_digraph(self.graph)
        target = self.target
        if target is None:
            if y_name is not None and y_name in graph:
                target = y_name
            else:
                candidates = [n for n in graph.nodes if n not in set(columns)]
                if len(candidates) != 1:
                    raise GraphError(
                        "cannot tell which graph node is the target: pass target=<node name> "
                        f"(graph nodes not among the columns of X: {candidates[:10]})."
                    )
                target = candidates[0]
        return graph, target

    def _check_roles_against_data(
        self, roles: MarkovBlanketRoles, columns: list
    ) -> MarkovBlanketRoles:
        if not roles.blanket:
            raise GraphError(
                f"the target {roles.target!r} has no parents, co-parents or children in the "
                "graph, so nothing in the data can predict it. Add the edges that connect the "
                "target to its causes and effects."
            )
        column_set = set(columns)
        missing = [node for node in roles.blanket if node not in column_set]
        if missing:
            hints = []
            for node in missing:
                close = did_you_mean(node, columns)
                if close:
                    hints.append(f"{node!r} -> did you mean {close[0]!r}?")
            hint = (" " + "; ".join(hints)) if hints else ""
            raise ValueError(
                f"graph nodes {missing} are in the Markov blanket of {roles.target!r} but not "
                f"columns of X.{hint} Rename the columns or the graph nodes so they match."
            )
        graph_nodes = set(roles.blanket) | set(roles.outside) | {roles.target}
        extra = [c for c in columns if c not in graph_nodes]
        ignored = [c for c in columns if c in set(roles.outside)] + extra
        if extra and self.graph is not None:
            warnings.warn(
                f"columns {extra} are not nodes of the graph and are ignored.",
                UserWarning,
                stacklevel=4,
            )
        if ignored:
            logger.info("columns outside the Markov blanket, ignored: %s", ignored)
        outside = tuple(dict.fromkeys([*roles.outside, *extra]))
        return replace(roles, outside=outside)

    def _blanket_values(self, X: Any, roles: MarkovBlanketRoles, columns: list) -> np.ndarray:
        """The blanket columns of X as a float array, checked for NaN / inf."""
        nodes = list(roles.blanket)
        if isinstance(X, pd.DataFrame):
            missing = [n for n in nodes if n not in set(X.columns)]
            if missing:
                raise ValueError(
                    f"X lacks the columns {missing} that the model uses (roles: "
                    f"{self._role_summary(roles, missing)}); pass a frame with those columns."
                )
            frame = X.loc[:, nodes]
            values = check_array(
                frame,
                dtype=[np.float64, np.float32],
                ensure_all_finite=False,
                ensure_min_samples=0,
                input_name="X",
            )
        else:
            array = check_array(
                X, dtype=[np.float64, np.float32], ensure_all_finite=False, input_name="X"
            )
            values = array[:, [columns.index(n) for n in nodes]] if nodes else array[:, :0]
        _check_finite(values, nodes)
        return values

    @staticmethod
    def _role_summary(roles: MarkovBlanketRoles, nodes: list) -> str:
        parts = []
        for node in nodes:
            held = [
                name
                for name, members in (
                    ("parent", roles.parents),
                    ("co-parent", roles.coparents),
                    ("child", roles.children),
                )
                if node in members
            ]
            parts.append(f"{node!r}: {'/'.join(held)}")
        return ", ".join(parts)

    def _tensors(
        self, standardised: np.ndarray, roles: MarkovBlanketRoles, y_index: np.ndarray | None
    ) -> Tensors:
        position = {node: i for i, node in enumerate(roles.blanket)}

        def block(nodes: tuple) -> torch.Tensor:
            idx = [position[n] for n in nodes]
            return torch.as_tensor(standardised[:, idx], dtype=torch.float32).contiguous()

        y = None if y_index is None else torch.as_tensor(y_index, dtype=torch.long)
        return Tensors(block(roles.parents), block(roles.coparents), block(roles.children), y)

    def _prediction_tensors(self, X: Any) -> Tensors:
        if isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            # Matched by name: any column order, extra columns ignored.
            columns = list(X.columns)
        else:
            X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite=False)
            validate_data(self, X, reset=False, skip_check_array=True)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but CAMAClassifier is expecting "
                    f"{self.n_features_in_} features as input."
                )
            columns = (
                list(self.feature_names_in_)
                if hasattr(self, "feature_names_in_")
                else list(range(X.shape[1]))
            )
        values = self._blanket_values(X, self.roles_, columns)
        return self._tensors(self.scaler_.transform(values), self.roles_, None)


def _predict_batch(clf: CAMAClassifier) -> int:
    """Rows per prediction batch, keeping the (rows x classes x samples x children x hidden)
    working set near 64 MB."""
    cfg = clf.model_.cfg
    per_row = (
        len(clf.classes_) * clf.n_samples * max(cfg.n_children * cfg.child_hidden_size, 1) * 3
    )
    return int(np.clip(16_000_000 // per_row, 64, 65536))


def _check_finite(values: np.ndarray, nodes: list) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        columns = [nodes[i] for i in np.flatnonzero(bad.any(axis=0))]
        kind = "NaN" if np.isnan(values).any() else "infinity"
        raise ValueError(
            f"Input X contains {kind} in columns {columns} "
            f"({int(bad.any(axis=1).sum())} rows); CAMAClassifier needs finite values. "
            "Impute or drop those rows before calling it."
        )
