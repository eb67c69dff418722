"""Mixed-type nonlinear structural equation models: continuous, binary, ordinal and nominal nodes.

A :class:`MixedSEM` is a list of :class:`MixedNode` (a name, a kind, parents and a mechanism) and
a categorical target. The kind says how a node's value is produced from the location its
mechanism computes:

=============  ===========================================================  =====================
kind           value                                                        column dtype
=============  ===========================================================  =====================
continuous     ``transform(loc + noise * eps)``, ``eps ~ N(0, 1)``          ``float64``
binary         ``True`` with probability ``sigmoid(loc)`` (``loc`` a logit)   ``bool``
ordinal        number of ``thresholds`` below ``loc + noise * eps``         ``int64`` (0 .. L-1)
categorical    category ``k`` with probability ``softmax(loc)[k]``           pandas ``category``
latent         ``eps`` (standard normal, not observed)                      not a column
=============  ===========================================================  =====================

:meth:`MixedSEM.random` draws a random graph with every Markov-blanket role and random nonlinear
mechanisms of every kind (thresholded / logistic binary nodes, latent-threshold ordinal nodes,
multinomial-logit categorical nodes); :func:`make_mixed_sem` is the one-call version. Hand-written
models (see :func:`skcama.datasets.dyspnea_sem`) use the same engine.

Manipulations follow :class:`skcama.datasets.SyntheticSEM`: on a child of the target they are
*measurement* changes, applied after generation, that do not reach the child's descendants; on
any other node they change its *mechanism* and propagate. Each kind has its own manipulation:
``shift`` (continuous, in clean sd), ``flip`` (binary: a finding's recording rate changes),
``level_shift`` (ordinal: a graded scale read some levels higher, clipped) and ``recode``
(categorical: a category recorded as another).
"""

from __future__ import annotations

import difflib
import logging
import numbers
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import networkx as nx
import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri, softmax

from .._columns import _plain
from .._typing import SeedLike
from ._sem import (
    _ACTIVATIONS,
    _EDGE_WEIGHT,
    _INTERACTION_SD,
    _LATENT_EDGE_PROB,
    _LATENT_WEIGHT,
    _MOST_LEVELS,
    _MOST_SCALE,
    _N_REFERENCE,
    _NOISE_SPREAD,
    _PRIOR_WEIGHT_SD,
    ROLES,
    SEMRoles,
    _check_count,
    _check_nonlinearity,
    _check_real,
    _draw_activation,
    _rng,
    _softmax_bias,
    _spawn,
    _warn_if_causes_manipulated,
)

__all__ = ["NODE_KINDS", "MixedNode", "MixedSEM", "make_mixed_sem"]

_MOST_CLASS_SEP = 1e3  # class_sep at most: 1e4 overflowed a categorical child's logits

logger = logging.getLogger(__name__)

NODE_KINDS = ("continuous", "binary", "ordinal", "categorical", "latent")

# The manipulation that applies to each observed kind, and how to call it in messages.
_MANIPULATION_KIND = {
    "shift": "continuous",
    "flip": "binary",
    "level_shift": "ordinal",
    "recode": "categorical",
}
_MANIPULATION_OF_KIND = {kind: name for name, kind in _MANIPULATION_KIND.items()}
_EXAMPLES = {
    "shift": "{'x1': 1.5}",
    "flip": "{'x2': 0.3}",
    "level_shift": "{'x3': 1}",
    "recode": "{'x4': {'a': 'b'}}",
}

# Default kinds of the nodes of a random model, cycled through within each role.
DEFAULT_KINDS = {
    "parents": ("continuous", "binary", "categorical"),
    "coparents": ("continuous", "binary", "ordinal"),
    "children": ("continuous", "binary", "ordinal", "categorical"),
    "outside": ("continuous", "binary"),
}

# Scales of the randomly drawn mechanisms: the others are SyntheticSEM's, imported above. The
# class offsets of binary and ordinal children are larger because thresholding a score loses
# part of the information it carries, those of categorical children smaller because each
# category gets its own offset. Chosen by measurement: with the defaults, three classes and
# 4000 training rows, gradient boosting scores 0.81 on clean rows (mean of seeds 0-2), and the
# two children of one kind alone score 0.43 (continuous) to 0.51 (categorical).
_OFFSET_SD = {"continuous": 0.38, "binary": 1.0, "ordinal": 0.8, "categorical": 0.25}
_PREVALENCE = (0.2, 0.5)  # range of the clean rate of True of a random binary node
_LEVEL_CONCENTRATION = 3.0  # Dirichlet concentration of the level / category frequencies
_LOGISTIC_SD = np.pi / np.sqrt(3.0)  # sd of the standard logistic distribution


@dataclass(frozen=True)
class MixedNode:
    """One node of a :class:`MixedSEM`: its kind, its parents and its mechanism.

    Parameters
    ----------
    name : str
        The node (and column) name.
    kind : {"continuous", "binary", "ordinal", "categorical", "latent"}
        How the value is produced from the location ``loc`` returned by ``mechanism`` (see the
        module docstring): Gaussian noise then ``transform``; ``True`` with probability
        ``sigmoid(loc)``; the number of ``thresholds`` below ``loc + noise * eps``; category
        ``k`` with probability ``softmax(loc)[k]``; a standard normal latent cause.
    parents : tuple of str, default=()
        The node's causes, which the mechanism receives.
    mechanism : callable or None, default=None
        ``mechanism(values) -> loc`` where ``values`` maps every parent to a numpy array (one
        entry per row): continuous and latent parents as floats, binary ones as 0.0 / 1.0,
        ordinal ones as integer levels, categorical ones and the target as integer codes
        (positions in their ``categories``). ``loc`` has shape ``(n,)`` or is a scalar; for a
        categorical node it is a ``(n, K)`` array of logits or a ``(K,)`` vector. None means
        ``loc = 0`` (uniform categories, even odds).
    noise : float, default=1.0
        Sd of the Gaussian noise of a continuous or ordinal node; ignored by other kinds.
    thresholds : tuple of float, default=()
        Increasing cut-points of an ordinal node: ``len(thresholds) + 1`` levels.
    categories : tuple, default=()
        The categories of a categorical node (its pandas categories), or the class labels of
        the target.
    transform : callable or None, default=None
        Applied elementwise to a continuous node after the noise (e.g. ``numpy.exp`` for a
        log-normal lab value, ``numpy.round`` for whole years).

    Raises
    ------
    ValueError
        If an argument does not fit the kind (thresholds of a binary node, one category, ...).

    Examples
    --------
    >>> MixedNode("smoker", "binary", mechanism=lambda v: -1.0)
    MixedNode(name='smoker', kind='binary', parents=())
    >>> MixedNode("grade", "ordinal", parents=("y",), mechanism=lambda v: v["y"] * 1.0,
    ...           thresholds=(0.5, 1.5)).n_levels
    3
    >>> MixedNode("grade", "ordinal")
    Traceback (most recent call last):
    ...
    ValueError: ordinal node 'grade' needs thresholds: ...
    """

    name: str
    kind: str
    parents: tuple[str, ...] = ()
    mechanism: Callable[[Mapping[str, np.ndarray]], np.ndarray | float] | None = field(
        default=None, compare=False
    )
    noise: float = 1.0
    thresholds: tuple[float, ...] = ()
    categories: tuple[Hashable, ...] = ()
    transform: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a node's name must be a non-empty string, got {self.name!r}.")
        if self.kind not in NODE_KINDS:
            raise ValueError(
                f"kind of node {self.name!r} must be one of "
                f"{', '.join(map(repr, NODE_KINDS))}, got {self.kind!r}."
            )
        if isinstance(self.parents, str) or not isinstance(self.parents, Sequence):
            raise ValueError(
                f"parents of node {self.name!r} must be a tuple of node names, got "
                f"{self.parents!r}."
            )
        object.__setattr__(self, "parents", tuple(self.parents))
        object.__setattr__(self, "thresholds", self._cut_points())
        if isinstance(self.categories, str) or not isinstance(
            self.categories, Sequence | np.ndarray | pd.Index
        ):
            raise ValueError(
                f"categories of node {self.name!r} must be a tuple of labels, got "
                f"{self.categories!r}."
            )
        object.__setattr__(self, "categories", tuple(self.categories))
        unhashable = [c for c in self.categories if not isinstance(c, Hashable)]
        if unhashable:
            raise ValueError(
                f"categories of node {self.name!r} must be labels such as strings or numbers; "
                f"{unhashable[0]!r} is not one (a list cannot label a category)."
            )
        _check_real(f"noise of node {self.name!r}", self.noise, low=0.0)
        if self.mechanism is not None and not callable(self.mechanism):
            raise ValueError(f"mechanism of node {self.name!r} must be callable or None.")
        if self.kind == "latent" and (self.parents or self.mechanism is not None):
            raise ValueError(
                f"latent node {self.name!r} is a standard normal root: give it no parents and "
                "no mechanism."
            )
        if self.kind == "ordinal":
            t = np.asarray(self.thresholds)
            if t.size == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
                raise ValueError(
                    f"ordinal node {self.name!r} needs thresholds: finite, strictly increasing "
                    f"cut-points (L - 1 of them for L levels); got {self.thresholds!r}."
                )
        elif self.thresholds:
            raise ValueError(f"thresholds are for ordinal nodes; {self.name!r} is {self.kind}.")
        if self.kind == "categorical":
            if len(self.categories) < 2 or len(set(self.categories)) != len(self.categories):
                raise ValueError(
                    f"categorical node {self.name!r} needs at least two distinct categories, "
                    f"got {self.categories!r}."
                )
            if any(not isinstance(c, tuple) and pd.isna(c) for c in self.categories):
                raise ValueError(
                    f"categorical node {self.name!r} has a missing value among its categories "
                    f"({self.categories!r}); a category is a value, and missing values are "
                    "added afterwards (see add_missing). Name every category."
                )
        elif self.categories:
            raise ValueError(f"categories are for categorical nodes; {self.name!r} is {self.kind}.")
        if self.transform is not None and self.kind != "continuous":
            raise ValueError(f"transform is for continuous nodes; {self.name!r} is {self.kind}.")

    def _cut_points(self) -> tuple[float, ...]:
        """``thresholds`` as floats; a single number or text is refused with the form."""
        given = self.thresholds
        shape = ("finite, strictly increasing cut-points, a tuple of L - 1 numbers for L "
                 "levels, e.g. thresholds=(0.0,) for two")
        if isinstance(given, str) or not isinstance(given, Sequence | np.ndarray | pd.Index):
            raise ValueError(
                f"thresholds of node {self.name!r} must be {shape}; got {given!r}."
            )
        try:
            return tuple(float(t) for t in given)
        except (TypeError, ValueError):
            raise ValueError(
                f"thresholds of node {self.name!r} must be {shape}; got {given!r}."
            ) from None

    def __repr__(self) -> str:
        return f"MixedNode(name={self.name!r}, kind={self.kind!r}, parents={self.parents!r})"

    @property
    def n_levels(self) -> int:
        """Number of levels of an ordinal node, of categories of a categorical one (else 0).

        Examples
        --------
        >>> MixedNode("grade", "ordinal", mechanism=lambda v: 0.0,
        ...           thresholds=(-0.5, 0.5)).n_levels
        3
        """
        if self.kind == "ordinal":
            return len(self.thresholds) + 1
        return len(self.categories)

    def draw(self, values: Mapping[str, np.ndarray], eps: np.ndarray) -> np.ndarray:
        """The node's values for one noise draw ``eps`` per row, encoded as its children see them.

        Continuous and latent nodes give floats, binary nodes 0.0 / 1.0, ordinal nodes integer
        levels and categorical nodes integer codes. Binary and categorical nodes turn ``eps``
        into a uniform draw (``Phi(eps)``), so one normal draw per row drives every kind.

        Parameters
        ----------
        values : mapping of str to ndarray
            The values of the node's parents (as ``draw`` returned them), by name; its
            mechanism reads them.
        eps : ndarray of shape (n_rows,)
            One standard normal draw per row.

        Returns
        -------
        ndarray of shape (n_rows,)

        Examples
        --------
        >>> node = MixedNode("b", "binary", mechanism=lambda v: 0.0)
        >>> node.draw({}, np.array([-1.0, 1.0])).tolist()
        [1.0, 0.0]
        """
        n = len(eps)
        if self.kind == "latent":
            return np.asarray(eps, dtype=float)
        try:
            raw = 0.0 if self.mechanism is None else self.mechanism(values)
        except Exception as error:  # the user's function: say whose it is
            if hasattr(error, "add_note"):  # Python 3.11 and newer
                error.add_note(f"(raised by the mechanism of node {self.name!r})")
            raise
        if self.kind == "categorical":
            shape = (n, len(self.categories))
            if self.mechanism is None:
                raw = np.zeros(len(self.categories))
        else:
            shape = (n,)
        try:
            loc = np.broadcast_to(np.asarray(raw, dtype=float), shape)
        except ValueError as error:
            raise ValueError(
                f"the mechanism of {self.kind} node {self.name!r} returned shape "
                f"{np.shape(raw)}, which does not broadcast to {shape}."
            ) from error
        if not np.all(np.isfinite(loc)):
            raise ValueError(f"the mechanism of node {self.name!r} returned non-finite values.")
        if self.kind == "continuous":
            value = loc + self.noise * eps
            if self.transform is not None:
                try:
                    value = np.asarray(self.transform(value), dtype=float)
                except Exception as error:
                    if hasattr(error, "add_note"):  # Python 3.11 and newer
                        error.add_note(f"(raised by the transform of node {self.name!r})")
                    raise
                if value.shape != (n,):  # a mechanism's output is checked so, too
                    raise ValueError(
                        f"the transform of node {self.name!r} returned shape {value.shape} "
                        f"for {n} values; it must return one value per value, shape ({n},)."
                    )
                if not np.all(np.isfinite(value)):  # np.log of a negative, exp overflowing
                    raise ValueError(
                        f"the transform of node {self.name!r} returned non-finite values "
                        f"({int((~np.isfinite(value)).sum())} of {n}); a measurement must "
                        "be finite: keep its input in the transform's domain (np.log of a "
                        "shifted positive value, not of a Gaussian one)."
                    )
            return value
        if self.kind == "binary":
            return (ndtr(eps) < expit(loc)).astype(float)
        if self.kind == "ordinal":
            latent = loc + self.noise * eps
            return (latent[:, None] > np.asarray(self.thresholds)).sum(axis=1).astype(np.int64)
        cumulative = np.cumsum(softmax(loc, axis=1), axis=1)
        codes = (cumulative < ndtr(eps)[:, None]).sum(axis=1)
        return np.minimum(codes, len(self.categories) - 1).astype(np.int64)


@dataclass(frozen=True)
class _Plan:
    """Resolved manipulations of one sample, ``{node: amount}`` each."""

    shift: Mapping[str, float] = field(default_factory=dict)
    flip: Mapping[str, float] = field(default_factory=dict)
    level_shift: Mapping[str, int] = field(default_factory=dict)
    recode: Mapping[str, np.ndarray] = field(default_factory=dict)


def _category_names(n: int) -> tuple[str, ...]:
    """``"a"`` to ``"z"``, then ``"aa"``, ``"ab"``, ... as spreadsheets name columns (past
    ``"z"`` the letters ran on into punctuation and control characters)."""
    names = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(ord("a") + rest) + name
        names.append(name)
    return tuple(names)


def _class_labels(target: Hashable, categories: tuple) -> np.ndarray:
    """The target's categories as the array of class labels ``y`` takes its values from,
    refusing labels that the array would not hold as given: missing ones (a class that
    fit reads as missing labels), tuples (a 2-d array), and labels of several kinds that
    numpy converts to one (1 and '1' both became '1', one class under two codes; True and
    2 became 1 and 2)."""
    labels = list(categories)
    missing = [label for label in labels if not isinstance(label, tuple) and pd.isna(label)]
    if missing:
        raise ValueError(
            f"the class labels of {target!r} (class_names, or the target's categories) hold "
            f"missing values {missing}; a class needs a label. Name every class."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's ragged-array warnings: refused below
        try:
            array = np.asarray(labels)
        except ValueError:
            array = np.empty(0)
    same = array.ndim == 1 and len(array) == len(labels) and all(
        type(_plain(a)) is type(_plain(b)) and _plain(a) == _plain(b)
        for a, b in zip(array.tolist(), labels, strict=True)
    )
    if not same:
        raise ValueError(
            f"the class labels of {target!r} (class_names, or the target's categories) "
            f"{labels!r} must be labels of one kind, all text or all numbers of one type, "
            "each a single value (no tuples): as an array of labels they read as "
            f"{array.tolist()!r}. Write them alike, e.g. [str(c) for c in labels]."
        )
    return array


def _check_latents_keep_the_blanket(
    full: nx.DiGraph, target: str, blanket: set, outside: list, latent: list
) -> None:
    """The roles are read off the graph without its latent causes; a latent cause that
    joins a node outside that blanket to it (L -> x <- y and L -> o: o tells about y once
    x is known) would make them wrong, so such a model is refused, naming the nodes."""
    leaks = [o for o in outside if not nx.is_d_separator(full, {target}, {o}, blanket)]
    if leaks:
        via = sorted(n for n in latent if any(nx.has_path(full, n, o) for o in leaks))
        raise ValueError(
            f"the latent causes {via} make {leaks} informative about {target!r} beyond its "
            f"Markov blanket in the graph of the observed nodes ({sorted(blanket)}), whose "
            "roles a sample's users are given: a latent cause of a child of the target (or "
            "of the target) may point only into nodes of that blanket. Point it at "
            "children only, or make it an observed node."
        )


class MixedSEM:
    """A structural equation model with continuous, binary, ordinal and categorical nodes.

    Built from hand-written nodes, or drawn at random with :meth:`MixedSEM.random`. The target
    is a categorical node whose ``categories`` are the class labels. A sample is a DataFrame with
    one column per observed feature, typed by kind (``float64``, ``bool``, ``int64`` levels,
    pandas ``category``), and the labels.

    Parameters
    ----------
    nodes : sequence of MixedNode
        Every node, latent causes included; parents must be nodes of the list and the graph
        they span acyclic. The order of the list is the order of the columns. The roles
        are read off the graph of the observed nodes, so a latent cause that would make a
        node outside the target's Markov blanket there informative about the target
        (``L -> x <- y`` and ``L -> o``) is refused.
    target : str
        Name of the categorical node to predict.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the clean reference sample behind ``mean_`` and ``std_`` and the sequence of
        samples drawn by :meth:`sample` when it gets no ``random_state`` of its own.

    Attributes
    ----------
    graph : networkx.DiGraph
        The observed nodes and the target; latent causes are left out.
    full_graph : networkx.DiGraph
        The graph including the latent causes.
    target : str
        The target's name.
    nodes : dict of str to MixedNode
        Every node by name.
    node_kinds : dict of str to str
        The kind of every observed feature (``"continuous"``, ``"binary"``, ``"ordinal"`` or
        ``"categorical"``), in column order.
    roles : dict of str to list of str
        ``"parents"``, ``"coparents"`` (every parent of a child other than the target and the
        children; a parent with a double role is listed in both), ``"children"``,
        ``"latent"`` and ``"outside"``; its attribute ``target`` names the target, which
        :mod:`skcama.manipulations` given ``roles=sem.roles`` refuses to manipulate.
    feature_names : list of str
        The columns of the sampled ``X``.
    classes_ : numpy.ndarray
        The class labels, the target's ``categories``.
    mean_, std_ : pandas.Series
        Clean mean and sd of every continuous, binary (as 0 / 1) and ordinal feature, from a
        seeded reference sample of 20,000 rows; ``shift`` is in units of ``std_``.

    Raises
    ------
    ValueError
        On duplicate names, an unknown parent, a cycle, or a target that is not categorical.

    See Also
    --------
    make_mixed_sem : A random model and a sample in one call.
    skcama.datasets.add_missing : Blank cells at random (MCAR) or depending on a column (MAR).
    skcama.datasets.SyntheticSEM : The all-continuous model with a Bayes-optimal oracle.

    Examples
    --------
    >>> nodes = [
    ...     MixedNode("age", "continuous", mechanism=lambda v: 60.0, noise=10.0),
    ...     MixedNode("sick", "categorical", parents=("age",), categories=("no", "yes"),
    ...               mechanism=lambda v: np.stack([0 * v["age"], (v["age"] - 60) / 10], 1)),
    ...     MixedNode("fever", "binary", parents=("sick",),
    ...               mechanism=lambda v: 3.0 * v["sick"] - 1.5),
    ...     MixedNode("pain", "ordinal", parents=("sick",), thresholds=(0.5, 1.5, 2.5),
    ...               mechanism=lambda v: 1.0 + 1.5 * v["sick"], noise=0.7),
    ... ]
    >>> sem = MixedSEM(nodes, target="sick", random_state=0)
    >>> sem.roles["parents"], sem.roles["children"]
    (['age'], ['fever', 'pain'])
    >>> X, y = sem.sample(1000, random_state=0)
    >>> X.dtypes.astype(str).tolist(), sorted(y.unique())
    (['float64', 'bool', 'int64'], ['no', 'yes'])
    >>> X_site_b, _ = sem.sample(1000, level_shift={"pain": 1}, random_state=0)
    >>> bool((X_site_b["pain"] == np.minimum(X["pain"] + 1, 3)).all())
    True
    """

    def __init__(
        self,
        nodes: Sequence[MixedNode],
        target: str,
        *,
        random_state: SeedLike = None,
    ) -> None:
        if isinstance(nodes, MixedNode) or not isinstance(nodes, Sequence) or not nodes:
            raise ValueError(
                f"nodes must be a non-empty list of MixedNode, got {type(nodes).__name__}."
            )
        for node in nodes:
            if not isinstance(node, MixedNode):
                raise ValueError(f"nodes must all be MixedNode instances, got {node!r}.")
        names = [node.name for node in nodes]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"node names must be unique; repeated: {duplicated}.")
        self.nodes = {node.name: node for node in nodes}
        if target not in self.nodes:
            close = difflib.get_close_matches(str(target), names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"target {target!r} is not a node.{hint}")
        if self.nodes[target].kind != "categorical":
            raise ValueError(
                f"target {target!r} must be a categorical node (its categories are the class "
                f"labels), got kind {self.nodes[target].kind!r}."
            )
        self.target = target
        self.random_state = random_state

        full = nx.DiGraph()
        full.add_nodes_from(names)
        for node in nodes:
            for parent in node.parents:
                if parent not in self.nodes:
                    close = difflib.get_close_matches(str(parent), names, n=1)
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                    raise ValueError(
                        f"parent {parent!r} of node {node.name!r} is not a node.{hint}"
                    )
                full.add_edge(parent, node.name)
        if not nx.is_directed_acyclic_graph(full):
            cycle = nx.find_cycle(full)
            raise ValueError(f"the graph of the nodes has a cycle: {cycle}.")
        rank = {name: i for i, name in enumerate(names)}
        latent = [n for n in names if self.nodes[n].kind == "latent"]
        self.full_graph = full
        self.graph = full.subgraph([n for n in names if n not in set(latent)]).copy()
        self._order = list(nx.lexicographical_topological_sort(full, key=rank.__getitem__))
        self.feature_names = [n for n in names if n != target and n not in set(latent)]
        self.node_kinds = {n: self.nodes[n].kind for n in self.feature_names}
        self.classes_ = _class_labels(target, self.nodes[target].categories)

        children = [n for n in names if self.graph.has_edge(target, n)]
        coparents = {p for x in children for p in self.graph.predecessors(x) if p != target} - set(
            children
        )
        roles = {
            "parents": [n for n in names if self.graph.has_edge(n, target)],
            "coparents": [n for n in names if n in coparents],
            "children": children,
            "latent": latent,
        }
        blanket = {*roles["parents"], *roles["coparents"], *children}
        roles["outside"] = [n for n in self.feature_names if n not in blanket]
        if latent:
            _check_latents_keep_the_blanket(full, target, blanket, roles["outside"], latent)
        self.roles = SEMRoles(roles, target)

        rng = _rng(random_state)
        reference_rng, sample_seed = _spawn(rng, 2)
        self._sample_rng = sample_seed
        reference = self._generate(_N_REFERENCE, reference_rng, _Plan())
        numeric = [n for n in self.feature_names if self.node_kinds[n] != "categorical"]
        self.mean_ = pd.Series({n: float(reference[n].mean()) for n in numeric}, dtype=float)
        self.std_ = pd.Series({n: float(reference[n].std()) for n in numeric}, dtype=float)

    def __repr__(self) -> str:
        kinds = pd.Series(self.node_kinds, dtype=object).value_counts().to_dict()
        summary = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        return f"MixedSEM(target={self.target!r}, {len(self.classes_)} classes; {summary})"

    # ----------------------------------------------------------------- random models
    @classmethod
    def random(
        cls,
        n_parents: int = 3,
        n_coparents: int = 3,
        n_children: int = 8,
        n_latent: int = 2,
        n_classes: int = 3,
        n_outside: int = 2,
        *,
        node_kinds: Mapping[str, str] | None = None,
        n_levels: int = 5,
        n_categories: int = 4,
        nonlinearity: str = "mixed",
        noise: float = 0.5,
        class_sep: float = 1.0,
        child_edge_prob: float = 0.2,
        parent_child_edge_prob: float = 0.0,
        class_names: Sequence[Hashable] | None = None,
        random_state: SeedLike = None,
    ) -> MixedSEM:
        """Draw a random mixed-type nonlinear SEM around a categorical target ``y``.

        The graph has the roles of :class:`skcama.datasets.SyntheticSEM`: parents ``a1..``,
        co-parents ``c1..``, children ``x1..``, latent causes ``z1..`` of the children and
        nodes ``o1..`` outside the Markov blanket. Every observed node has a score like the
        nodes of ``SyntheticSEM``::

            s_v = mu_v[y] + sum_p w_vp g_vp(enc p) + beta_v[y] tanh(enc c_v) + sum_l u_vl z_l

        where ``enc p`` is a numeric parent standardised with its clean mean and sd, or a
        categorical parent's random effect per category (mean 0, sd 1). A continuous node is
        ``s_v + sigma_v eps``; a binary node is ``True`` with probability
        ``sigmoid((s_v - t_v) / tau_v)`` (logistic noise with the sd ``sigma_v`` of a continuous
        node), the threshold ``t_v`` set for a clean rate of True drawn in ``U(0.2, 0.5)``; an
        ordinal node cuts ``s_v + sigma_v eps`` at thresholds set for random clean level
        frequencies; a categorical node draws from a softmax over one score per category, with
        biases set for random clean frequencies. Roots are standard normal, or discrete with
        random frequencies. ``y`` follows a softmax of its parents with balanced classes.

        Parameters
        ----------
        n_parents, n_coparents, n_children, n_latent, n_classes, n_outside : int
            Sizes, as in :class:`skcama.datasets.SyntheticSEM`.
        node_kinds : dict of str to str, optional
            Kind of a node by name, overriding the default, which cycles within each role:
            parents continuous, binary, categorical; co-parents continuous, binary, ordinal;
            children continuous, binary, ordinal, categorical; outside continuous, binary.
        n_levels : int, default=5
            Levels ``0 .. n_levels - 1`` of every ordinal node (a graded scale), 2 to 1,000.
        n_categories : int, default=4
            Categories ``"a", "b", ...`` of every categorical node but the target, 2 to
            1,000 (after ``"z"``: ``"aa"``, ``"ab"``, ...).
        nonlinearity : {"mixed", "linear", "tanh", "leaky_relu", "softplus"}, default="mixed"
            The functions ``g`` on the edges; ``"mixed"`` draws one per edge.
        noise : float, default=0.5
            Scale of the noise of non-root nodes (per node ``noise * U(0.8, 1.2)``), at
            most 1e6.
        class_sep : float, default=1.0
            Scale of the class-dependent terms of the children; 0 makes them
            uninformative; at most 1,000 (the logits of a discrete child overflow
            beyond).
        child_edge_prob, parent_child_edge_prob : float, default=0.2, 0.0
            Probability of a child -> child edge (along a random order) and of a parent ->
            child edge (a parent with a double role).
        class_names : sequence, optional
            Class labels of ``y``, one per class (e.g. strings); default ``0 .. n_classes-1``.
        random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
            Seeds the graph, the mechanisms and the model's samples.

        Returns
        -------
        MixedSEM

        Raises
        ------
        ValueError
            On a bad size, kind, nonlinearity or class name list, naming the argument.

        Examples
        --------
        >>> sem = MixedSEM.random(random_state=0)
        >>> [sem.node_kinds[x] for x in sem.roles["children"][:4]]
        ['continuous', 'binary', 'ordinal', 'categorical']
        >>> X, y = sem.sample(200, random_state=0)
        >>> X.dtypes[["x1", "x2", "x3", "x4"]].astype(str).tolist()
        ['float64', 'bool', 'int64', 'category']
        >>> MixedSEM.random(node_kinds={"x1": "binary"}, random_state=0).node_kinds["x1"]
        'binary'
        """
        sizes = {
            "n_parents": _check_count("n_parents", n_parents),
            "n_coparents": _check_count("n_coparents", n_coparents),
            "n_children": _check_count("n_children", n_children),
            "n_latent": _check_count("n_latent", n_latent),
            "n_outside": _check_count("n_outside", n_outside),
        }
        n_classes = _check_count("n_classes", n_classes, minimum=2, maximum=_MOST_LEVELS)
        n_levels = _check_count("n_levels", n_levels, minimum=2, maximum=_MOST_LEVELS)
        n_categories = _check_count("n_categories", n_categories, minimum=2, maximum=_MOST_LEVELS)
        _check_nonlinearity(nonlinearity)
        noise = _check_real("noise", noise, low=0.0, low_open=True, high=_MOST_SCALE)
        class_sep = _check_real("class_sep", class_sep, low=0.0, high=_MOST_CLASS_SEP)
        child_edge_prob = _check_real("child_edge_prob", child_edge_prob, low=0.0, high=1.0)
        parent_child_edge_prob = _check_real(
            "parent_child_edge_prob", parent_child_edge_prob, low=0.0, high=1.0
        )
        if sizes["n_children"] == 0 and (sizes["n_coparents"] or sizes["n_latent"]):
            raise ValueError(
                f"n_coparents={n_coparents} and n_latent={n_latent} need children to cause, but "
                "n_children=0; set n_children >= 1 or both counts to 0."
            )
        labels: tuple[Hashable, ...] = tuple(range(n_classes))
        if class_names is not None:
            if isinstance(class_names, (np.ndarray, pd.Index, pd.Series)) and np.ndim(
                class_names
            ) == 1:  # np.unique(...) of labels: their plain values
                class_names = np.asarray(class_names).tolist()
            valid = isinstance(class_names, Sequence) and not isinstance(class_names, str)
            labels = tuple(class_names) if valid else ()
            if len(labels) != n_classes or len(set(labels)) != n_classes:
                raise ValueError(
                    f"class_names must be a list of {n_classes} distinct labels "
                    f"(n_classes={n_classes}), got {class_names!r}."
                )
            _class_labels("y", labels)  # refused as labels before the target's node is made

        rng = _rng(random_state)
        parents_of, roles = _draw_structure(
            rng,
            **sizes,
            child_edge_prob=child_edge_prob,
            parent_child_edge_prob=parent_child_edge_prob,
        )
        kinds = _assign_kinds(roles, node_kinds)
        reference_rng, model_rng = _spawn(rng, 2)
        builder = _RandomBuilder(
            rng=rng,
            reference=reference_rng.standard_normal((_N_REFERENCE, len(parents_of))),
            nonlinearity=nonlinearity,
            noise=noise,
            class_sep=class_sep,
            n_levels=n_levels,
            n_categories=n_categories,
            coparents=set(roles["coparents"]),
        )
        graph = nx.DiGraph()
        graph.add_nodes_from(parents_of)
        graph.add_edges_from((p, v) for v, ps in parents_of.items() for p in ps)
        rank = {name: i for i, name in enumerate(parents_of)}
        built = {}
        for name in nx.lexicographical_topological_sort(graph, key=rank.__getitem__):
            if name == "y":
                built[name] = builder.target(parents_of[name], labels)
            else:
                built[name] = builder.node(name, kinds[name], parents_of[name])
        sem = cls([built[name] for name in parents_of], target="y", random_state=model_rng)
        return sem

    # ----------------------------------------------------------------- generation
    def _generate(
        self, n_samples: int, rng: np.random.Generator, plan: _Plan
    ) -> dict[str, np.ndarray]:
        # Two normal draws per row and node in a fixed layout: the first drives the node's
        # mechanism, the second (as a uniform) its recording flips. The same seed gives the same
        # noise whatever the manipulation, and a longer sample starts with a shorter one's rows.
        m = len(self._order)
        draws = rng.standard_normal((n_samples, 2 * m))
        eps, flips = draws[:, :m], ndtr(draws[:, m:])
        children = set(self.roles["children"])
        values: dict[str, np.ndarray] = {}
        for j, name in enumerate(self._order):
            node = self.nodes[name]
            value = node.draw({p: values[p] for p in node.parents}, eps[:, j])
            if name not in children:
                value = self._manipulate(name, value, plan, flips[:, j])
            values[name] = value
        for j, name in enumerate(self._order):
            if name in children:
                values[name] = self._manipulate(name, values[name], plan, flips[:, j])
        return values

    def _manipulate(
        self, name: str, value: np.ndarray, plan: _Plan, uniform: np.ndarray
    ) -> np.ndarray:
        if name in plan.shift:
            return value + plan.shift[name] * self.std_[name]
        if name in plan.flip:
            rate = plan.flip[name]
            if rate >= 0:
                return np.where(uniform < rate, 1.0, value)
            return np.where(uniform < -rate, 0.0, value)
        if name in plan.level_shift:
            top = self.nodes[name].n_levels - 1
            return np.clip(value + plan.level_shift[name], 0, top)
        if name in plan.recode:
            return plan.recode[name][value]
        return value

    def _frame(self, values: Mapping[str, np.ndarray]) -> pd.DataFrame:
        columns = {}
        for name in self.feature_names:
            kind, value = self.node_kinds[name], values[name]
            if kind == "continuous":
                columns[name] = value.astype(np.float64)
            elif kind == "binary":
                columns[name] = value.astype(bool)
            elif kind == "ordinal":
                columns[name] = value.astype(np.int64)
            else:
                columns[name] = pd.Categorical.from_codes(
                    value, categories=list(self.nodes[name].categories)
                )
        # the index given: a SEM without observed features still has its rows
        return pd.DataFrame(columns, index=pd.RangeIndex(len(values[self.target])))

    # ----------------------------------------------------------------- manipulations
    def _resolve(self, manipulation: Mapping | None, kind: str) -> dict:
        """Expand ``{node or role: amount}`` to ``{node: amount}``; node entries beat roles."""
        if manipulation is None:
            return {}
        if not isinstance(manipulation, Mapping):
            raise ValueError(
                f"{kind} must be a dict mapping node names or roles to amounts, e.g. "
                f"{_EXAMPLES[kind]}; got {type(manipulation).__name__}."
            )
        by_role: dict = {}
        by_node: dict = {}
        for key, amount in manipulation.items():
            nodes = self._nodes_of(key, kind)
            if key in ROLES:
                by_role.update({n: self._check_amount(kind, n, amount) for n in nodes})
            else:
                by_node.update({n: self._check_amount(kind, n, amount) for n in nodes})
        resolved = {**by_role, **by_node}
        _warn_if_causes_manipulated(kind, resolved, self.full_graph, self.target)
        return resolved

    def _nodes_of(self, key: Hashable, kind: str) -> list[str]:
        """The observed nodes a manipulation entry names, or a ValueError that says why not."""
        wanted = _MANIPULATION_KIND[kind]
        if key == self.target:
            raise ValueError(
                f"cannot apply {kind} to the target {self.target!r}: manipulating the label "
                "changes what is being predicted, so it is not a manipulation a classifier should "
                "withstand. Manipulate its co-parents ('coparents') or children ('children')."
            )
        if key == "latent" or key in self.roles["latent"]:
            raise ValueError(
                f"cannot apply {kind} to {key!r}: latent causes are not observed, so changing "
                "them is not a measurement change. Manipulate an observed node instead."
            )
        if key in ROLES:
            if kind == "recode":
                raise ValueError(
                    f"recode takes node names, not the role {key!r}: each categorical node has "
                    f"its own categories. Name the nodes, e.g. recode={_EXAMPLES['recode']}."
                )
            members = self.roles[key]
            if key == "coparents":  # pure co-parents: not the parents with a double role
                members = [c for c in members if c not in self.roles["parents"]]
            nodes = [n for n in members if self.node_kinds[n] == wanted]
            if not nodes:
                raise ValueError(
                    f"the role {key!r} has no {wanted} node for {kind}; its nodes are "
                    f"{ {n: self.node_kinds[n] for n in members} }."
                )
            return nodes
        if key in self.node_kinds:
            actual = self.node_kinds[key]
            if actual != wanted:
                raise ValueError(
                    f"{kind} applies to {wanted} nodes, but {key!r} is {actual}; use "
                    f"{_MANIPULATION_OF_KIND[actual]}={{{key!r}: ...}} for a {actual} node."
                )
            return [key]
        close = difflib.get_close_matches(str(key), [*ROLES, *self.feature_names], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"unknown node or role {key!r} in {kind}.{hint} Valid roles: 'coparents', "
            f"'children', 'outside', 'parents'; nodes: {', '.join(self.feature_names)}."
        )

    def _check_amount(self, kind: str, node: str, amount: object):
        if kind == "recode":
            categories = list(self.nodes[node].categories)
            if not isinstance(amount, Mapping) or not amount:
                raise ValueError(
                    f"the recode value for {node!r} must be a non-empty dict "
                    f"{{recorded category: category it is recorded as}}, got {amount!r}."
                )
            lookup = np.arange(len(categories))
            for old, new in amount.items():
                for category in (old, new):
                    if category not in categories:
                        raise ValueError(
                            f"recode of {node!r} names the category {category!r}, which is "
                            f"not one of its categories {categories}."
                        )
                lookup[categories.index(old)] = categories.index(new)
            return lookup
        if kind == "level_shift":
            if isinstance(amount, bool) or not isinstance(amount, numbers.Integral):
                raise ValueError(
                    f"the level_shift value for {node!r} must be an integer number of levels, "
                    f"got {amount!r}."
                )
            # the moved level is clipped to 0 .. L-1 anyway: a larger shift is the same
            # shift, and one past int64 no longer overflowed
            return int(max(-(2**31), min(2**31, int(amount))))
        if (
            isinstance(amount, bool)
            or not isinstance(amount, numbers.Real)
            or not np.isfinite(amount)
        ):
            raise ValueError(
                f"the {kind} value for {node!r} must be a finite number, got {amount!r}."
            )
        if kind == "flip" and not -1.0 <= amount <= 1.0:
            raise ValueError(
                f"the flip value for {node!r} must be a rate in [-1, 1] (positive: False "
                f"recorded as True, negative: True recorded as False), got {amount!r}."
            )
        return float(amount)

    # ----------------------------------------------------------------- public API
    def sample(
        self,
        n_samples: int,
        *,
        shift: Mapping[str, float] | None = None,
        flip: Mapping[str, float] | None = None,
        level_shift: Mapping[str, int] | None = None,
        recode: Mapping[Any, Mapping[Any, Hashable]] | None = None,
        random_state: SeedLike = None,
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Draw rows from the model, clean or manipulated.

        A manipulation of a child of the target is a *measurement* change: it is applied after
        generation and does not reach the child's descendants. A manipulation of any other node
        changes its *mechanism*: its descendants are computed from the changed value. Each
        argument maps node names or roles (``"coparents"`` — pure co-parents only —,
        ``"children"``, ``"outside"``, ``"parents"``, which warns) to an amount; a role
        selects its nodes of the matching kind, and a node entry wins over its role's entry.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        shift : dict, optional
            Continuous nodes: ``{node or role: amount}`` added in units of the clean sd
            (``std_``).
        flip : dict, optional
            Binary nodes: ``{node or role: rate}`` with ``rate`` in [-1, 1]. A positive rate
            records each False as True with that probability (a finding recorded more often); a
            negative rate records each True as False with probability ``-rate``. The flips use
            their own fixed draws, so a larger rate flips a superset of the rows.
        level_shift : dict, optional
            Ordinal nodes: ``{node or role: k}``, an integer; each level moves by ``k`` and is
            clipped to ``0 .. L-1`` (a scale read ``k`` levels higher).
        recode : dict, optional
            Categorical nodes: ``{node: {category: recorded as}}``.
        random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
            Seeds this sample; with None the rows come from the model's own generator. The
            same seed gives the same underlying draws whatever the manipulation.

        Returns
        -------
        X : pandas.DataFrame
            One column per observed feature: ``float64`` (continuous), ``bool`` (binary),
            ``int64`` levels (ordinal) and pandas ``category`` (categorical).
        y : pandas.Series
            The class labels (``classes_``), named after the target.

        Raises
        ------
        ValueError
            If a manipulation names the target, a latent cause, an unknown node or role, or a
            node of another kind, or if an amount is out of range.

        Examples
        --------
        >>> sem = MixedSEM.random(random_state=0)
        >>> X, y = sem.sample(2000, random_state=1)
        >>> X_b, _ = sem.sample(2000, flip={"x2": 0.5}, random_state=1)
        >>> bool(X_b["x2"].mean() > X["x2"].mean()) and bool((X_b["x2"] >= X["x2"]).all())
        True
        >>> X_b.drop(columns="x2").equals(X.drop(columns="x2"))
        True
        >>> sem.sample(10, flip={"x1": 0.5})
        Traceback (most recent call last):
        ...
        ValueError: flip applies to binary nodes, but 'x1' is continuous; use shift=...
        """
        n_samples = _check_count("n_samples", n_samples, minimum=1)
        plan = _Plan(
            shift=self._resolve(shift, "shift"),
            flip=self._resolve(flip, "flip"),
            level_shift=self._resolve(level_shift, "level_shift"),
            recode=self._resolve(recode, "recode"),
        )
        rng = self._sample_rng if random_state is None else _rng(random_state)
        logger.debug("sampling %d rows with %s", n_samples, plan)
        values = self._generate(n_samples, rng, plan)
        codes = values[self.target]
        labels = self.classes_[codes]
        if np.issubdtype(self.classes_.dtype, np.integer):
            labels = labels.astype(np.int64)
        return self._frame(values), pd.Series(labels, name=self.target)


# --------------------------------------------------------------------------- random models
def _draw_structure(
    rng: np.random.Generator,
    *,
    n_parents: int,
    n_coparents: int,
    n_children: int,
    n_latent: int,
    n_outside: int,
    child_edge_prob: float,
    parent_child_edge_prob: float,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """A random graph with every role, as ``{node: [parents]}`` in column order, and the roles."""
    parents = [f"a{i + 1}" for i in range(n_parents)]
    coparents = [f"c{i + 1}" for i in range(n_coparents)]
    children = [f"x{i + 1}" for i in range(n_children)]
    latent = [f"z{i + 1}" for i in range(n_latent)]
    outside = [f"o{i + 1}" for i in range(n_outside)]
    edges: list[tuple[str, str]] = [(a, "y") for a in parents] + [("y", x) for x in children]

    if coparents:  # spread over the children first, then top each child up to 0..2 co-parents
        order = [str(x) for x in rng.permutation(children)]
        for i, c in enumerate(coparents):
            edges.append((c, order[i % len(order)]))
        for x in children:
            wanted = int(rng.integers(0, 3))
            have = [c for c in coparents if (c, x) in edges]
            spare = [c for c in coparents if c not in have]
            n_new = min(max(wanted - len(have), 0), len(spare))
            edges.extend((str(c), x) for c in rng.choice(spare, n_new, replace=False))
    order = [str(x) for x in rng.permutation(children)] if children else []
    for i, source in enumerate(order):
        for sink in order[i + 1 :]:
            if rng.random() < child_edge_prob:
                edges.append((source, sink))
    for a in parents:
        for x in children:
            if rng.random() < parent_child_edge_prob:
                edges.append((a, x))
    for z in latent:
        hit = [x for x in children if rng.random() < _LATENT_EDGE_PROB] or [
            str(rng.choice(children))
        ]
        edges.extend((z, x) for x in hit)
    causes = parents + coparents
    for i, o in enumerate(outside):
        kind = ("ancestor", "descendant", "isolated")[i % 3]
        if kind == "ancestor" and causes:
            edges.append((o, str(rng.choice(causes))))
        elif kind == "descendant" and children:
            edges.append((str(rng.choice(children)), o))

    names = [*parents, *coparents, *children, *outside, "y", *latent]
    parents_of = {name: [p for p, v in edges if v == name] for name in names}
    roles = {
        "parents": parents,
        "coparents": coparents,
        "children": children,
        "latent": latent,
        "outside": outside,
    }
    return parents_of, roles


def _assign_kinds(
    roles: Mapping[str, list[str]], overrides: Mapping[str, str] | None
) -> dict[str, str]:
    kinds = {}
    for role, cycle in DEFAULT_KINDS.items():
        for i, name in enumerate(roles[role]):
            kinds[name] = cycle[i % len(cycle)]
    kinds.update(dict.fromkeys(roles["latent"], "latent"))
    if overrides is None:
        return kinds
    if not isinstance(overrides, Mapping):
        raise ValueError(
            f"node_kinds must be a dict {{node: kind}}, e.g. {{'x1': 'binary'}}; got "
            f"{type(overrides).__name__}."
        )
    observed = [n for n, k in kinds.items() if k != "latent"]
    for name, kind in overrides.items():
        if name not in observed:
            close = difflib.get_close_matches(str(name), observed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"node_kinds names {name!r}, which is not an observed node of the model.{hint} "
                f"Nodes: {', '.join(observed)}."
            )
        if kind not in NODE_KINDS[:4]:
            raise ValueError(
                f"node_kinds[{name!r}] must be one of {', '.join(map(repr, NODE_KINDS[:4]))}, "
                f"got {kind!r}."
            )
        kinds[name] = kind
    return kinds


@dataclass(frozen=True)
class _Encoder:
    """A parent as a mechanism's input: standardised, or a categorical parent's effects."""

    name: str
    center: float = 0.0
    scale: float = 1.0
    effects: np.ndarray | None = None

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        value = values[self.name]
        if self.effects is not None:
            return self.effects[value]
        return (value - self.center) / self.scale


@dataclass(frozen=True)
class _RandomMechanism:
    """``loc = gain * (bias + sum_p W[:, p] g_p(enc p) + M[y] + B[y] tanh(enc c) + U z)``.

    One output for continuous, binary and ordinal nodes, one per category otherwise.
    """

    encoders: tuple[_Encoder, ...]
    activations: tuple[str, ...]
    weights: np.ndarray  # (n_inputs, n_out)
    latents: tuple[str, ...] = ()
    latent_weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))
    class_offsets: np.ndarray | None = None  # (n_classes, n_out)
    interaction: _Encoder | None = None
    interaction_coefs: np.ndarray | None = None  # (n_classes, n_out)
    bias: np.ndarray = field(default_factory=lambda: np.zeros(1))
    gain: float = 1.0
    vector: bool = False

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        score = np.asarray(self.bias, dtype=float)[None, :]
        for encoder, activation, weight in zip(
            self.encoders, self.activations, self.weights, strict=True
        ):
            score = score + _ACTIVATIONS[activation](encoder(values))[:, None] * weight
        if self.class_offsets is not None:
            score = score + self.class_offsets[values["y"]]
        if self.interaction is not None:
            inner = np.tanh(self.interaction(values))[:, None]
            score = score + self.interaction_coefs[values["y"]] * inner
        for name, weight in zip(self.latents, self.latent_weights, strict=True):
            score = score + values[name][:, None] * weight
        score = self.gain * score
        return score if self.vector else score[:, 0]

    def with_bias(self, bias: np.ndarray) -> _RandomMechanism:
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return _RandomMechanism(**{**fields, "bias": np.asarray(bias, dtype=float)})


class _RandomBuilder:
    """Draws the random mechanisms node by node, calibrated on a clean reference sample."""

    def __init__(
        self,
        *,
        rng: np.random.Generator,
        reference: np.ndarray,
        nonlinearity: str,
        noise: float,
        class_sep: float,
        n_levels: int,
        n_categories: int,
        coparents: set[str],
    ) -> None:
        self.rng = rng
        self.reference = reference
        self.nonlinearity = nonlinearity
        self.noise = noise
        self.class_sep = class_sep
        self.n_levels = n_levels
        self.n_categories = n_categories
        self.coparents = coparents
        self.nodes: dict[str, MixedNode] = {}
        self.values: dict[str, np.ndarray] = {}

    def _activation(self) -> str:
        return _draw_activation(self.nonlinearity, self.rng)

    def _encoder(self, name: str) -> _Encoder:
        node, value = self.nodes[name], self.values[name]
        if node.kind == "categorical":
            effects = self.rng.standard_normal(node.n_levels)
            effects = (effects - effects.mean()) / effects.std()
            return _Encoder(name, effects=effects)
        return _Encoder(name, center=float(value.mean()), scale=float(value.std()) or 1.0)

    def _record(self, node: MixedNode) -> MixedNode:
        self.nodes[node.name] = node
        column = len(self.values)
        values = {p: self.values[p] for p in node.parents}
        self.values[node.name] = node.draw(values, self.reference[:, column])
        return node

    def _frequencies(self, k: int) -> np.ndarray:
        return self.rng.dirichlet(np.full(k, _LEVEL_CONCENTRATION))

    def target(self, parents: list[str], labels: tuple[Hashable, ...]) -> MixedNode:
        k = len(labels)
        inputs = list(parents)
        mechanism = _RandomMechanism(
            encoders=tuple(self._encoder(p) for p in inputs),
            activations=tuple(self._activation() for _ in inputs),
            weights=self.rng.normal(0.0, _PRIOR_WEIGHT_SD, size=(len(inputs), k)),
            bias=np.zeros(k),
            vector=True,
        )
        bias = _balance(mechanism, self.values, np.full(k, 1.0 / k))
        node = MixedNode(
            "y",
            "categorical",
            parents=tuple(parents),
            categories=labels,
            mechanism=mechanism.with_bias(bias),
        )
        return self._record(node)

    def node(self, name: str, kind: str, parents: list[str]) -> MixedNode:
        rng = self.rng
        if kind == "latent":
            return self._record(MixedNode(name, "latent"))
        if not parents:
            return self._record(self._root(name, kind))
        latents = tuple(p for p in parents if self.nodes[p].kind == "latent")
        inputs = [p for p in parents if p != "y" and p not in latents]
        n_out = self.n_categories if kind == "categorical" else 1
        sigma = self.noise * float(rng.uniform(*_NOISE_SPREAD))
        signs = rng.choice([-1.0, 1.0], size=(len(inputs), n_out))
        weights = signs * rng.uniform(*_EDGE_WEIGHT, size=(len(inputs), n_out))
        latent_signs = rng.choice([-1.0, 1.0], size=(len(latents), n_out))
        latent_weights = latent_signs * rng.uniform(*_LATENT_WEIGHT, size=(len(latents), n_out))
        offsets = coefs = interaction = None
        if "y" in parents:
            k = len(self.nodes["y"].categories)
            offsets = self.class_sep * rng.normal(0.0, _OFFSET_SD[kind], size=(k, n_out))
            offsets -= offsets.mean(axis=0)
            candidates = [p for p in inputs if p in self.coparents]
            if candidates:
                interaction = self._encoder(str(rng.choice(candidates)))
                coefs = self.class_sep * rng.normal(0.0, _INTERACTION_SD, size=(k, n_out))
                coefs -= coefs.mean(axis=0)
        # Binary and categorical nodes get logistic (Gumbel) noise through the link instead of
        # Gaussian noise: dividing the score by tau gives the logistic noise of a binary node,
        # and the difference of two categories' Gumbel noise, the sd sigma (a category's own
        # Gumbel noise has sd sigma / sqrt(2)).
        gain = _LOGISTIC_SD / sigma if kind in ("binary", "categorical") else 1.0
        mechanism = _RandomMechanism(
            encoders=tuple(self._encoder(p) for p in inputs),
            activations=tuple(self._activation() for _ in inputs),
            weights=weights,
            latents=latents,
            latent_weights=latent_weights,
            class_offsets=offsets,
            interaction=interaction,
            interaction_coefs=coefs,
            bias=np.zeros(n_out),
            gain=gain,
            vector=kind == "categorical",
        )
        if kind == "continuous":
            return self._record(MixedNode(name, kind, tuple(parents), mechanism, noise=sigma))
        if kind == "binary":
            prevalence = float(rng.uniform(*_PREVALENCE))
            bias = _balance(mechanism, self.values, np.array([1 - prevalence, prevalence]))
            return self._record(MixedNode(name, kind, tuple(parents), mechanism.with_bias(bias)))
        if kind == "ordinal":
            latent = mechanism(self.values) + sigma * self.reference[:, len(self.values)]
            cut = np.cumsum(self._frequencies(self.n_levels))[:-1]
            thresholds = tuple(_increasing(np.quantile(latent, cut)))
            return self._record(
                MixedNode(name, kind, tuple(parents), mechanism, noise=sigma, thresholds=thresholds)
            )
        bias = _balance(mechanism, self.values, self._frequencies(self.n_categories))
        categories = _category_names(self.n_categories)
        return self._record(
            MixedNode(name, kind, tuple(parents), mechanism.with_bias(bias), categories=categories)
        )

    def _root(self, name: str, kind: str) -> MixedNode:
        if kind == "continuous":
            return MixedNode(name, kind)
        if kind == "binary":
            prevalence = float(self.rng.uniform(*_PREVALENCE))
            logit = float(np.log(prevalence / (1 - prevalence)))
            return MixedNode(name, kind, mechanism=_Constant(logit))
        frequencies = self._frequencies(self.n_levels if kind == "ordinal" else self.n_categories)
        if kind == "ordinal":
            return MixedNode(
                name, kind, thresholds=tuple(_increasing(ndtri(np.cumsum(frequencies)[:-1])))
            )
        categories = _category_names(self.n_categories)
        return MixedNode(
            name, kind, categories=categories, mechanism=_Constant(np.log(frequencies))
        )


@dataclass(frozen=True)
class _Constant:
    """A mechanism without inputs: a fixed logit or logit vector."""

    value: float | np.ndarray

    def __call__(self, values: Mapping[str, np.ndarray]) -> float | np.ndarray:
        return self.value


def _increasing(cuts: np.ndarray) -> np.ndarray:
    """Cut-points made strictly increasing (ties at a discrete score are nudged apart)."""
    cuts = np.asarray(cuts, dtype=float).copy()
    for i in range(1, len(cuts)):
        cuts[i] = max(cuts[i], cuts[i - 1] + 1e-6)
    return cuts


def _balance(
    mechanism: _RandomMechanism, values: Mapping[str, np.ndarray], frequencies: np.ndarray
) -> np.ndarray:
    """Biases that make the mean softmax of ``mechanism`` match ``frequencies``.

    A binary node is a two-category softmax here (logit of True minus logit of False); its
    single bias is returned.
    """
    binary = not mechanism.vector
    scores = mechanism(values)
    logits = np.stack([np.zeros_like(scores), scores], axis=1) if binary else scores
    bias = _softmax_bias(logits, frequencies, 200, 1e-7)
    bias -= bias[0] if binary else bias.mean()
    # The mechanism multiplies its bias by its gain.
    bias = bias / mechanism.gain
    return bias[1:] if binary else bias


# overloads: what a call returns, by return_sem, for type checkers
@overload
def make_mixed_sem(
    n_samples: int = ..., *, return_sem: Literal[False] = ..., **params: Any
) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph]: ...
@overload
def make_mixed_sem(
    n_samples: int = ..., *, return_sem: Literal[True], **params: Any
) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph, MixedSEM]: ...


def make_mixed_sem(  # type: ignore[misc]  # the overloads take the other parameters as **params
    n_samples: int = 1000,
    *,
    n_parents: int = 3,
    n_coparents: int = 3,
    n_children: int = 8,
    n_latent: int = 2,
    n_classes: int = 3,
    n_outside: int = 2,
    node_kinds: Mapping[str, str] | None = None,
    n_levels: int = 5,
    n_categories: int = 4,
    nonlinearity: str = "mixed",
    noise: float = 0.5,
    class_sep: float = 1.0,
    child_edge_prob: float = 0.2,
    parent_child_edge_prob: float = 0.0,
    class_names: Sequence[Hashable] | None = None,
    random_state: SeedLike = None,
    return_sem: bool = False,
) -> (
    tuple[pd.DataFrame, pd.Series, nx.DiGraph]
    | tuple[pd.DataFrame, pd.Series, nx.DiGraph, MixedSEM]
):
    """Draw a random mixed-type nonlinear SEM and a clean sample from it.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    n_parents, n_coparents, n_children, n_latent, n_classes, n_outside : int
        As in :meth:`MixedSEM.random`.
    node_kinds, n_levels, n_categories, nonlinearity, noise, class_sep, child_edge_prob, \
parent_child_edge_prob, class_names, random_state
        As in :meth:`MixedSEM.random`.
    return_sem : bool, default=False
        Also return the model (for manipulated samples).

    Returns
    -------
    X : pandas.DataFrame
        The observed features, typed by kind (float, bool, int levels, category).
    y : pandas.Series
        The labels, named ``"y"``.
    graph : networkx.DiGraph
        The causal graph over ``X``'s columns and ``"y"`` (latent causes left out).
    sem : MixedSEM
        Only with ``return_sem=True``.

    Examples
    --------
    >>> X, y, graph = make_mixed_sem(300, class_names=["flu", "cold", "covid"], random_state=0)
    >>> X.shape, sorted(graph.predecessors("y")), sorted(y.unique())
    ((300, 16), ['a1', 'a2', 'a3'], ['cold', 'covid', 'flu'])
    >>> X["a3"].dtype.name, list(X["a3"].cat.categories)
    ('category', ['a', 'b', 'c', 'd'])
    """
    n_samples = _check_count("n_samples", n_samples, minimum=1)
    sem = MixedSEM.random(
        n_parents=n_parents,
        n_coparents=n_coparents,
        n_children=n_children,
        n_latent=n_latent,
        n_classes=n_classes,
        n_outside=n_outside,
        node_kinds=node_kinds,
        n_levels=n_levels,
        n_categories=n_categories,
        nonlinearity=nonlinearity,
        noise=noise,
        class_sep=class_sep,
        child_edge_prob=child_edge_prob,
        parent_child_edge_prob=parent_child_edge_prob,
        class_names=class_names,
        random_state=random_state,
    )
    if not isinstance(return_sem, (bool, np.bool_)):
        raise TypeError(f"return_sem must be True or False, got {return_sem!r}.")
    X, y = sem.sample(n_samples)
    graph = sem.graph.copy()
    return (X, y, graph, sem) if return_sem else (X, y, graph)
