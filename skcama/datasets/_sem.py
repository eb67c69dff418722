"""Synthetic nonlinear structural equation models (SEMs) for testing causal classifiers.

:class:`SyntheticSEM` draws a random causal graph around a categorical target ``y`` with every
role CAMA distinguishes (parents, co-parents, children, latent causes, nodes outside the Markov
blanket), draws nonlinear additive mechanisms for it, samples clean or manipulated data, and
builds the Bayes-optimal classifier of its own data (:class:`SEMOracle`): the ceiling every
robustness table should be read against. :func:`make_sem` is the one-call version.

Only numpy, pandas, networkx and scipy are used here: no tensors, no scikit-learn estimators.
"""

from __future__ import annotations

import difflib
import logging
import numbers
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import log_softmax, logsumexp, ndtr

from .._columns import check_known_labels
from .._frames import reads_tables
from .._random import default_rng
from .._typing import SeedLike
from .._warn import warn_user
from ..manipulations import InvalidManipulationWarning

__all__ = ["SEMOracle", "SyntheticSEM", "make_sem"]

logger = logging.getLogger(__name__)

TARGET = "y"
ROLES = ("parents", "coparents", "children", "latent", "outside")
NONLINEARITIES = ("linear", "tanh", "leaky_relu", "softplus", "mixed")

# Scales of the randomly drawn mechanisms. Chosen (by measurement, see the tests) so that with
# the default arguments and three classes the oracle's clean accuracy is clearly above chance
# but not saturated (0.74 to 0.92 over seeds 0-9, most between 0.83 and 0.90).
_PRIOR_WEIGHT_SD = 0.7  # sd of the weights of p(y | a) on the standardised parents
_OFFSET_SD = 0.38  # sd of the class offsets mu_{v,y} of a child (times class_sep)
_INTERACTION_SD = 0.15  # sd of the class-specific coefficients of the interaction term
_EDGE_WEIGHT = (0.5, 1.2)  # |w_vp| of an observed parent, drawn uniformly
_LATENT_WEIGHT = (0.5, 1.0)  # |u_vl| of a latent cause, drawn uniformly
_NOISE_SPREAD = (0.8, 1.2)  # per-node noise sd = noise * U(spread)
_LATENT_EDGE_PROB = 0.5  # probability that a latent cause points into a given child
_N_REFERENCE = 20_000  # rows of the clean reference sample behind mean_ and std_
_MAX_CHUNK_ELEMENTS = 2**21  # rows x classes x mc draws held at once by the oracle


def _standardised_activation(raw: Callable[[np.ndarray], np.ndarray]) -> Callable:
    """Rescale ``raw`` to mean 0 and sd 1 under a standard normal input.

    The moments are computed by Gauss-Hermite quadrature, so every activation moves a child by
    a comparable amount per unit weight, whatever its shape. The quadrature is exact for
    smooth functions; at the kink of ``leaky_relu`` it is not, and that activation has mean
    -0.003 and sd 1.002 (kept as they are: they are part of every model the generator
    has made).
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    values = raw(nodes)
    mean = float(weights @ values)
    sd = float(np.sqrt(weights @ (values - mean) ** 2))

    def activation(u: np.ndarray) -> np.ndarray:
        return (raw(u) - mean) / sd

    return activation


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda u: u,
    "tanh": _standardised_activation(np.tanh),
    "leaky_relu": _standardised_activation(lambda u: np.where(u > 0, u, 0.1 * u)),
    "softplus": _standardised_activation(lambda u: np.logaddexp(0.0, 2.0 * u) / 2.0),
}


@dataclass(frozen=True)
class _Mechanism:
    """Structural equation of one observed non-target node.

    ``v = mu[y] + sum_p w_p g_p(std p) + beta[y] tanh(std c) + sum_l u_l z_l + noise_std * eps``
    where the ``mu`` and ``beta`` terms are present only when ``y`` is a parent of ``v``.
    A root has no terms and ``noise_std = 1``.
    """

    inputs: tuple[str, ...] = ()
    activations: tuple[str, ...] = ()
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    latents: tuple[str, ...] = ()
    latent_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    class_offsets: np.ndarray | None = None
    interaction_input: str | None = None
    interaction_coefs: np.ndarray | None = None
    noise_std: float = 1.0

    def location(
        self,
        standardised: Mapping[str, np.ndarray],
        y: np.ndarray | None,
        latent: Mapping[str, np.ndarray | float],
    ) -> np.ndarray | float:
        """Mean of the node given its parents; all arguments broadcast against each other."""
        loc: np.ndarray | float = 0.0
        for name, activation, weight in zip(
            self.inputs, self.activations, self.weights, strict=True
        ):
            loc = loc + weight * _ACTIVATIONS[activation](standardised[name])
        if self.class_offsets is not None:
            loc = loc + self.class_offsets[y]
        if self.interaction_input is not None:
            loc = loc + self.interaction_coefs[y] * np.tanh(standardised[self.interaction_input])
        for name, weight in zip(self.latents, self.latent_weights, strict=True):
            loc = loc + weight * latent[name]
        return loc


@dataclass(frozen=True)
class _Prior:
    """``p(y | a) = softmax(sum_i W[:, i] g_i(std a_i) + bias)``."""

    inputs: tuple[str, ...]
    activations: tuple[str, ...]
    weights: np.ndarray  # (n_classes, n_parents)
    bias: np.ndarray  # (n_classes,)

    def logits(self, standardised: Mapping[str, np.ndarray], n_rows: int) -> np.ndarray:
        logits = np.tile(self.bias, (n_rows, 1))
        for i, (name, activation) in enumerate(zip(self.inputs, self.activations, strict=True)):
            logits += _ACTIVATIONS[activation](standardised[name])[:, None] * self.weights[:, i]
        return logits


@dataclass(frozen=True)
class _Plan:
    """Resolved manipulations of one sample, ``{node: amount}`` each."""

    shift: Mapping[str, float] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    do: Mapping[str, float] = field(default_factory=dict)


def _check_nonlinearity(nonlinearity: str) -> str:
    """``nonlinearity`` if it is one of :data:`NONLINEARITIES`, else a ValueError naming them."""
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(
            f"nonlinearity must be one of {', '.join(map(repr, NONLINEARITIES))}, "
            f"got {nonlinearity!r}."
        )
    return nonlinearity


def _draw_activation(nonlinearity: str, rng: np.random.Generator) -> str:
    """The activation of one mechanism: ``nonlinearity``, or a random one for "mixed"."""
    if nonlinearity == "mixed":
        return str(rng.choice(["tanh", "leaky_relu", "softplus", "linear"]))
    return nonlinearity


def _softmax_bias(
    logits: np.ndarray, frequencies: np.ndarray, max_iter: int, tol: float
) -> np.ndarray:
    """Biases of the columns of ``logits`` that make the mean softmax over the rows match
    ``frequencies`` (fixed-point steps of the log ratio, at most ``max_iter``, until a step
    moves no bias by ``tol``); defined up to a constant.

    Where those steps do not settle (logits so far apart that a category's mean
    probability underflows, or the frequencies lie beyond what the logits allow), the
    biases minimise the convex ``mean(logsumexp(logits + b)) - frequencies @ b`` instead,
    whose gradient is the mean softmax minus ``frequencies``: the frequencies themselves
    where they can be met, else the nearest the logits allow."""
    bias = np.zeros(logits.shape[1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            mean_prob = np.exp(log_softmax(logits + bias, axis=1)).mean(axis=0)
            step = np.log(mean_prob) - np.log(frequencies)
            if not np.isfinite(step).all():
                break
            bias -= step
            if np.max(np.abs(step)) < tol:
                return bias
    return _convex_softmax_bias(logits, frequencies)


def _convex_softmax_bias(logits: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """The biases of :func:`_softmax_bias` by L-BFGS on its convex objective, computed in
    log space (no probability underflows), from zero."""
    from scipy.optimize import minimize

    n = logits.shape[0]

    def objective(b: np.ndarray) -> tuple[float, np.ndarray]:
        shifted = logits + b
        norm = logsumexp(shifted, axis=1, keepdims=True)
        mean_prob = np.exp(logsumexp(shifted - norm, axis=0) - np.log(n))
        return float(norm.mean() - frequencies @ b), mean_prob - frequencies

    result = minimize(objective, np.zeros(logits.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 1000, "gtol": 1e-10, "ftol": 1e-15})
    return result.x


_MOST_LEVELS = 1000  # classes, levels or categories of one variable: more exhausted memory


def _check_count(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be an integer >= {minimum}{upper}, got {value!r}.")
    return int(value)


_MOST_SCALE = 1e6  # noise and class_sep at most: larger ones overflowed (1e200 gave inf sds)


def _check_real(
    name: str, value: object, *, low: float, high: float = np.inf, low_open: bool = False
) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value > low if low_open else value >= low) and value <= high
    if not ok:
        upper = f" and <= {high}" if np.isfinite(high) else ""
        bound = f"{'>' if low_open else '>='} {low}{upper}"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")
    return float(value)


class SyntheticSEM:
    """A random nonlinear structural equation model around a categorical target ``y``.

    The graph holds every role CAMA distinguishes: parents ``a1..`` of ``y``, children
    ``x1..`` of ``y``, co-parents ``c1..`` (other causes of the children), latent causes
    ``z1..`` of the children (unobserved, standard normal) and nodes ``o1..`` outside the
    Markov blanket (cycling through: an ancestor of a parent or co-parent, a descendant of a
    child, an isolated noise feature). Mechanisms are additive and nonlinear::

        y   ~ Categorical(softmax(sum_i W[:, i] g_i(std a_i) + b))
        v   = mu_v[y] + sum_p w_vp g_vp(std p) + beta_v[y] tanh(std c_v)
              + sum_l u_vl z_l + sigma_v eps_v

    where ``std p`` is the parent standardised with its clean mean and sd (``mean_``, ``std_``),
    the ``mu`` and ``beta`` terms appear only in the children of ``y`` (``beta`` only for a
    child with a co-parent ``c_v``), roots are standard normal, and the biases ``b`` make the
    classes roughly balanced. Everything random is drawn in ``__init__`` from ``random_state``;
    this is a data generator, not an estimator.

    Parameters
    ----------
    n_parents : int, default=3
        Number of parents of ``y``.
    n_coparents : int, default=3
        Number of pure co-parents; each causes at least one child. Each child gets 0 to 2 of
        them (more only if ``n_coparents > 2 * n_children``).
    n_children : int, default=8
        Number of children of ``y``.
    n_latent : int, default=2
        Number of latent causes; each points into a random non-empty subset of the children.
    n_classes : int, default=3
        Number of classes of ``y``, 2 to 1,000 (labels ``0 .. n_classes - 1``).
    n_outside : int, default=2
        Number of observed nodes outside the Markov blanket of ``y``.
    nonlinearity : {"mixed", "linear", "tanh", "leaky_relu", "softplus"}, default="mixed"
        The functions ``g`` on the edges; ``"mixed"`` draws one per edge. Each is rescaled to
        mean 0 and sd 1 under a standard normal input.
    noise : float, default=0.5
        Scale of the additive noise of non-root nodes (per node ``noise * U(0.8, 1.2)``),
        at most 1e6 (larger scales overflow the mechanisms' squares).
    class_sep : float, default=1.0
        Scale of the class-dependent terms of the children (``mu`` and ``beta``); 0 makes the
        children uninformative about ``y``; at most 1e6.
    child_edge_prob : float, default=0.2
        Probability of an edge between two children, along a random order (so acyclic).
    parent_child_edge_prob : float, default=0.0
        Probability of an edge from a parent of ``y`` to a child; such a parent is also a
        co-parent (a double role).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the graph, the mechanisms, the clean reference sample and the sequence of
        samples drawn by :meth:`sample` when it gets no ``random_state`` of its own.

    Attributes
    ----------
    graph : networkx.DiGraph
        The observed nodes and the target; latent causes are left out.
    full_graph : networkx.DiGraph
        The graph including the latent causes ``z1..``.
    target : str
        ``"y"``.
    roles : dict of str to list of str
        ``"parents"``, ``"coparents"`` (every parent of a child other than ``y`` and the
        children, so a parent with a double role is listed in both), ``"children"``,
        ``"latent"`` and ``"outside"``; its attribute ``target`` names the target, which
        :mod:`skcama.manipulations` given ``roles=sem.roles`` refuses to manipulate.
    feature_names : list of str
        The columns of the sampled ``X``: every observed node but ``y``, in a stable order.
    classes_ : numpy.ndarray
        ``numpy.arange(n_classes)``.
    mean_, std_ : pandas.Series
        Clean mean and sd of every observed feature, estimated from a seeded reference sample
        of 20,000 rows. Mechanisms standardise their inputs with them and every shift and
        scale is expressed in units of ``std_``.

    See Also
    --------
    make_sem : Sample data and the graph in one call.
    SEMOracle : The Bayes-optimal classifier of the model.

    Examples
    --------
    >>> sem = SyntheticSEM(random_state=0)
    >>> sem.roles["children"]
    ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8']
    >>> X, y = sem.sample(500, random_state=1)
    >>> X.shape, y.name, sorted(y.unique().tolist())
    ((500, 16), 'y', [0, 1, 2])
    >>> X_shifted, _ = sem.sample(500, shift={"coparents": 2.0}, random_state=1)
    >>> bool(abs((X_shifted["c1"] - X["c1"]).mean() - 2 * sem.std_["c1"]) < 1e-9)
    True
    >>> sem.oracle().score(X, y) > 0.6
    True
    """

    def __init__(
        self,
        n_parents: int = 3,
        n_coparents: int = 3,
        n_children: int = 8,
        n_latent: int = 2,
        n_classes: int = 3,
        n_outside: int = 2,
        nonlinearity: str = "mixed",
        noise: float = 0.5,
        class_sep: float = 1.0,
        child_edge_prob: float = 0.2,
        parent_child_edge_prob: float = 0.0,
        random_state: SeedLike = None,
    ) -> None:
        self.n_parents = _check_count("n_parents", n_parents)
        self.n_coparents = _check_count("n_coparents", n_coparents)
        self.n_children = _check_count("n_children", n_children)
        self.n_latent = _check_count("n_latent", n_latent)
        self.n_classes = _check_count("n_classes", n_classes, minimum=2, maximum=_MOST_LEVELS)
        self.n_outside = _check_count("n_outside", n_outside)
        self.nonlinearity = _check_nonlinearity(nonlinearity)
        self.noise = _check_real("noise", noise, low=0.0, low_open=True, high=_MOST_SCALE)
        self.class_sep = _check_real("class_sep", class_sep, low=0.0, high=_MOST_SCALE)
        self.child_edge_prob = _check_real("child_edge_prob", child_edge_prob, low=0.0, high=1.0)
        self.parent_child_edge_prob = _check_real(
            "parent_child_edge_prob", parent_child_edge_prob, low=0.0, high=1.0
        )
        if self.n_children == 0 and (self.n_coparents or self.n_latent):
            raise ValueError(
                f"n_coparents={self.n_coparents} and n_latent={self.n_latent} need children "
                "to cause, but n_children=0; set n_children >= 1 or both counts to 0."
            )
        self.random_state = random_state

        rng = _rng(random_state)
        self.target = TARGET
        self.classes_ = np.arange(self.n_classes)
        self._draw_graph(rng)
        self._draw_mechanisms(rng)
        reference_rng, sample_seed = _spawn(rng, 2)
        self._sample_rng = sample_seed
        self._calibrate(reference_rng)

    def __repr__(self) -> str:
        args = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in (
                "n_parents",
                "n_coparents",
                "n_children",
                "n_latent",
                "n_classes",
                "n_outside",
                "nonlinearity",
                "noise",
                "class_sep",
                "child_edge_prob",
                "parent_child_edge_prob",
                "random_state",
            )
        )
        return f"SyntheticSEM({args})"

    # ----------------------------------------------------------------- construction
    def _draw_graph(self, rng: np.random.Generator) -> None:
        parents = [f"a{i + 1}" for i in range(self.n_parents)]
        coparents = [f"c{i + 1}" for i in range(self.n_coparents)]
        children = [f"x{i + 1}" for i in range(self.n_children)]
        latent = [f"z{i + 1}" for i in range(self.n_latent)]
        outside = [f"o{i + 1}" for i in range(self.n_outside)]

        g = nx.DiGraph()
        g.add_nodes_from([*parents, *coparents, *children, *outside, TARGET, *latent])
        g.add_edges_from((a, TARGET) for a in parents)
        g.add_edges_from((TARGET, x) for x in children)

        # Co-parents: spread them over the children first (so each causes at least one), then
        # top each child up to a random count in 0..2.
        if coparents:
            order = rng.permutation(children)
            for i, c in enumerate(coparents):
                g.add_edge(c, str(order[i % len(order)]))
            for x in children:
                wanted = int(rng.integers(0, 3))
                spare = [c for c in coparents if not g.has_edge(c, x)]
                n_new = min(max(wanted - sum(g.has_edge(c, x) for c in coparents), 0), len(spare))
                g.add_edges_from((str(c), x) for c in rng.choice(spare, n_new, replace=False))

        # Child -> child edges along a random order, so the graph stays acyclic.
        order = [str(x) for x in rng.permutation(children)] if children else []
        for i, source in enumerate(order):
            for sink in order[i + 1 :]:
                if rng.random() < self.child_edge_prob:
                    g.add_edge(source, sink)

        for a in parents:
            for x in children:
                if rng.random() < self.parent_child_edge_prob:
                    g.add_edge(a, x)

        for z in latent:
            hit = [x for x in children if rng.random() < _LATENT_EDGE_PROB]
            if not hit:
                hit = [str(rng.choice(children))]
            g.add_edges_from((z, x) for x in hit)

        # Outside nodes cycle through the kinds, falling back to isolated where the kind is
        # impossible (no parent or co-parent to cause, no child to descend from).
        causes = parents + coparents
        for i, o in enumerate(outside):
            kind = ("ancestor", "descendant", "isolated")[i % 3]
            if kind == "ancestor" and causes:
                g.add_edge(o, str(rng.choice(causes)))
            elif kind == "descendant" and children:
                g.add_edge(str(rng.choice(children)), o)

        self.full_graph = g
        self.graph = g.subgraph([n for n in g.nodes if n not in set(latent)]).copy()
        child_set = set(children)
        blanket_coparents = {
            p
            for x in children
            for p in self.graph.predecessors(x)
            if p != TARGET and p not in child_set
        }
        rank = {node: i for i, node in enumerate(g.nodes)}
        self.roles = SEMRoles({
            "parents": parents,
            "coparents": sorted(blanket_coparents, key=rank.__getitem__),
            "children": children,
            "latent": latent,
            "outside": outside,
        }, TARGET)
        self.feature_names = [*parents, *coparents, *children, *outside]
        self._order = list(nx.lexicographical_topological_sort(g, key=rank.__getitem__))

    def _draw_mechanisms(self, rng: np.random.Generator) -> None:
        g, k = self.full_graph, self.n_classes
        latent = set(self.roles["latent"])
        self._mechanisms: dict[str, _Mechanism] = {}
        for node in self._order:
            if node in latent:
                continue
            inputs = tuple(p for p in g.predecessors(node) if p != TARGET and p not in latent)
            activations = tuple(_draw_activation(self.nonlinearity, rng) for _ in inputs)
            if node == TARGET:
                weights = rng.normal(0.0, _PRIOR_WEIGHT_SD, size=(k, len(inputs)))
                self._prior = _Prior(inputs, activations, weights, np.zeros(k))
                continue
            if not g.in_degree(node):
                self._mechanisms[node] = _Mechanism()
                continue
            signs = rng.choice([-1.0, 1.0], size=len(inputs))
            weights = signs * rng.uniform(*_EDGE_WEIGHT, size=len(inputs))
            latents = tuple(p for p in g.predecessors(node) if p in latent)
            latent_weights = rng.choice([-1.0, 1.0], size=len(latents)) * rng.uniform(
                *_LATENT_WEIGHT, size=len(latents)
            )
            offsets = coefs = interaction = None
            if g.has_edge(TARGET, node):
                offsets = self.class_sep * rng.normal(0.0, _OFFSET_SD, size=k)
                offsets -= offsets.mean()
                candidates = [p for p in inputs if p in self.roles["coparents"]]
                if candidates:
                    interaction = str(rng.choice(candidates))
                    coefs = self.class_sep * rng.normal(0.0, _INTERACTION_SD, size=k)
                    coefs -= coefs.mean()
            self._mechanisms[node] = _Mechanism(
                inputs=inputs,
                activations=activations,
                weights=weights,
                latents=latents,
                latent_weights=latent_weights,
                class_offsets=offsets,
                interaction_input=interaction,
                interaction_coefs=coefs,
                noise_std=self.noise * float(rng.uniform(*_NOISE_SPREAD)),
            )

    def _calibrate(self, rng: np.random.Generator) -> None:
        """Estimate ``mean_``/``std_`` and balance the class biases on a clean reference sample."""
        self._mean: dict[str, float] = {}
        self._std: dict[str, float] = {}
        self._generate(_N_REFERENCE, rng, _Plan(), calibrate=True)
        self.mean_ = pd.Series({v: self._mean[v] for v in self.feature_names}, dtype=float)
        self.std_ = pd.Series({v: self._std[v] for v in self.feature_names}, dtype=float)

    def _balance_bias(self, logits: np.ndarray) -> np.ndarray:
        bias = _softmax_bias(logits, np.full(self.n_classes, 1.0 / self.n_classes), 100, 1e-6)
        return bias - bias.mean()

    # ----------------------------------------------------------------- generation
    def _standardise(self, node: str, values: np.ndarray) -> np.ndarray:
        return (values - self._mean[node]) / self._std[node]

    def _generate(
        self, n_samples: int, rng: np.random.Generator, plan: _Plan, *, calibrate: bool = False
    ) -> dict[str, np.ndarray]:
        # One normal draw per row and node, in a fixed layout: the same seed gives the same
        # noise whatever the manipulation (common random numbers), and a longer sample starts
        # with the rows of a shorter one.
        eps = rng.standard_normal((n_samples, len(self._order)))
        values: dict[str, np.ndarray] = {}
        standardised: dict[str, np.ndarray] = {}
        latent = set(self.roles["latent"])
        children = set(self.roles["children"])
        for j, node in enumerate(self._order):
            if node in latent:
                values[node] = eps[:, j]
                continue
            if node == TARGET:
                logits = self._prior.logits(standardised, n_samples)
                if calibrate:
                    bias = self._balance_bias(logits)
                    self._prior = _Prior(
                        self._prior.inputs, self._prior.activations, self._prior.weights, bias
                    )
                    logits = logits + bias
                cumulative = np.cumsum(np.exp(log_softmax(logits, axis=1)), axis=1)
                draws = (cumulative < ndtr(eps[:, j])[:, None]).sum(axis=1)
                values[node] = np.minimum(draws, self.n_classes - 1)
                continue
            mechanism = self._mechanisms[node]
            loc = mechanism.location(standardised, values.get(TARGET), values)
            value = loc + mechanism.noise_std * eps[:, j]
            if calibrate:
                self._mean[node] = float(value.mean())
                self._std[node] = float(value.std())
            if node in plan.do:
                value = np.full(n_samples, plan.do[node])
            elif node not in children:
                value = self._manipulate(node, value, plan)
            values[node] = value
            standardised[node] = self._standardise(node, value)
        for node in children:
            if node not in plan.do:
                values[node] = self._manipulate(node, values[node], plan)
        return values

    def _manipulate(self, node: str, value: np.ndarray, plan: _Plan) -> np.ndarray:
        """Scale the deviation from the clean mean, then shift, both in units of ``std_``."""
        if node in plan.scale:
            value = self._mean[node] + plan.scale[node] * (value - self._mean[node])
        if node in plan.shift:
            value = value + plan.shift[node] * self._std[node]
        return value

    # ----------------------------------------------------------------- manipulations
    def _resolve(self, manipulation: Mapping | None, kind: str) -> dict[str, float]:
        """Expand ``{node or role: amount}`` to ``{node: amount}``; node entries beat roles."""
        if manipulation is None:
            return {}
        example = {"shift": "{'coparents': 2.0}", "scale": "{'x1': 1.5}", "do": "{'c1': 0.0}"}
        if not isinstance(manipulation, Mapping):
            raise ValueError(
                f"{kind} must be a dict mapping node names to amounts, e.g. {example[kind]}; "
                f"got {type(manipulation).__name__}."
            )
        by_role: dict[str, float] = {}
        by_node: dict[str, float] = {}
        for key, amount in manipulation.items():
            nodes = self._nodes_of(key, kind)
            amount = self._check_amount(kind, key, amount)
            (by_role if key in ROLES else by_node).update(dict.fromkeys(nodes, amount))
        resolved = {**by_role, **by_node}
        _warn_if_causes_manipulated(kind, resolved, self.full_graph, TARGET)
        return resolved

    def _nodes_of(self, key: Hashable, kind: str) -> list[str]:
        """The observed nodes a manipulation entry names, or a ValueError that says why not."""
        verb = {"shift": "shift", "scale": "scale", "do": "intervene on"}[kind]
        if key == TARGET:
            raise ValueError(
                f"cannot {verb} the target {TARGET!r}: manipulating the label changes what is "
                "being predicted, so it is not a manipulation a classifier should withstand. "
                "Manipulate its co-parents ('coparents') or children ('children') instead."
            )
        if key == "latent" or key in self.roles["latent"]:
            raise ValueError(
                f"cannot {verb} {key!r}: latent causes are not observed, so changing them is not "
                "a measurement change. Manipulate an observed node instead."
            )
        if key in ROLES:
            if kind == "do":
                raise ValueError(
                    f"do takes node names, not the role {key!r}: a hard intervention sets one "
                    "value per node. Name the nodes, e.g. do={'c1': 0.0}."
                )
            members = list(self.roles[key])
            if key == "coparents":  # pure co-parents: not the parents of y with a double role
                members = [c for c in members if c not in self.roles["parents"]]
            if not members:  # a manipulated sample that equals the clean one is no test
                also = (f"; its co-parents {self.roles[key]} are all parents of the target "
                        "too, which 'coparents' leaves out: name them one by one to move "
                        "them anyway" if self.roles[key] else "")
                raise ValueError(
                    f"the role {key!r} in {kind} has no node in this SEM{also}. Name "
                    f"nodes or another role; nodes: {', '.join(self.feature_names)}."
                )
            return members
        if key in self.feature_names:
            return [key]
        close = difflib.get_close_matches(str(key), [*ROLES, *self.feature_names, TARGET], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"unknown node or role {key!r} in {kind}.{hint} Valid roles: 'coparents', "
            f"'children', 'outside', 'parents'; nodes: {', '.join(self.feature_names)}."
        )

    @staticmethod
    def _check_amount(kind: str, key: Hashable, amount: object) -> float:
        if (
            isinstance(amount, bool)
            or not isinstance(amount, numbers.Real)
            or not np.isfinite(amount)
        ):
            raise ValueError(
                f"the {kind} value for {key!r} must be a finite number, got {amount!r}."
            )
        return float(amount)

    # ----------------------------------------------------------------- public API
    def sample(
        self,
        n_samples: int,
        *,
        shift: Mapping[str, float] | None = None,
        scale: Mapping[str, float] | None = None,
        do: Mapping[str, float] | None = None,
        random_state: SeedLike = None,
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Draw rows from the model, clean or manipulated.

        A manipulation of a child is a *measurement* change: it is applied after generation and
        does not reach the child's descendants. A manipulation of any other node changes its
        *mechanism*: the node is moved during generation and its descendants are computed from
        the moved value through the true mechanisms. ``do`` is a hard intervention and always
        propagates. Per node, ``do`` wins over ``scale`` and ``shift``; ``scale`` is applied
        before ``shift``; an entry naming a node wins over the entry of its role.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        shift : dict, optional
            ``{node or role: amount}``, the amount in units of the node's clean sd (``std_``);
            positive moves up. Roles: ``"coparents"`` (pure co-parents only, not parents of
            ``y`` with a double role), ``"children"``, ``"outside"`` and ``"parents"``.
            Manipulating a cause of ``y`` (a parent, or an outside node upstream of one)
            moves the label and is not a valid manipulation: it gives an
            ``InvalidManipulationWarning``.
        scale : dict, optional
            ``{node or role: factor}``: multiplies the node's deviation from its clean mean.
        do : dict, optional
            ``{node: value}`` in raw units.
        random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
            Seeds this sample. With None the rows come from the model's own generator, seeded
            by the model's ``random_state``: successive calls differ, and a model rebuilt with
            the same seed repeats the same sequence of samples.

        Returns
        -------
        X : pandas.DataFrame
            One column per observed feature (``feature_names``).
        y : pandas.Series
            Integer labels ``0 .. n_classes - 1``, named ``"y"``.

        Raises
        ------
        ValueError
            If a manipulation names the target, a latent cause, an unknown node or role,
            or a role without nodes in this SEM (``"outside"`` with ``n_outside=0``).

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, y = sem.sample(1000, random_state=0)
        >>> X_up, _ = sem.sample(1000, shift={"x1": 3.0}, random_state=0)
        >>> bool(np.allclose(X_up["x1"] - X["x1"], 3 * sem.std_["x1"]))
        True
        >>> X_up.drop(columns="x1").equals(X.drop(columns="x1"))
        True
        >>> sem.sample(10, shift={"y": 1.0})
        Traceback (most recent call last):
        ...
        ValueError: cannot shift the target 'y': manipulating the label ...
        """
        n_samples = _check_count("n_samples", n_samples, minimum=1)
        plan = _Plan(
            shift=self._resolve(shift, "shift"),
            scale=self._resolve(scale, "scale"),
            do=self._resolve(do, "do"),
        )
        rng = self._sample_rng if random_state is None else _rng(random_state)
        logger.debug("sampling %d rows with %s", n_samples, plan)
        values = self._generate(n_samples, rng, plan)
        # the index given: a SEM without observed features still has n_samples rows
        X = pd.DataFrame({v: values[v] for v in self.feature_names},
                         index=pd.RangeIndex(n_samples))
        y = pd.Series(values[TARGET].astype(np.int64), name=TARGET)
        return X, y

    def oracle(
        self,
        *,
        shift: Mapping[str, float] | None = None,
        scale: Mapping[str, float] | None = None,
        n_mc: int | None = None,
        random_state: SeedLike = 0,
    ) -> SEMOracle:
        """The Bayes-optimal classifier of this model, optionally told a manipulation.

        Parameters
        ----------
        shift, scale : dict, optional
            The manipulation the data went through, as given to :meth:`sample`. The oracle
            undoes the part on children (measurement changes) before scoring; mechanism changes
            of other nodes need no correction, since the mechanisms it scores with are
            unchanged. Without them the oracle is "not told".
        n_mc : int or None, default=None
            None integrates the latent causes out exactly (valid here because latent
            causes enter the children additively and linearly): the Bayes-optimal
            posterior, and the fastest. A number averages over that many fixed Monte Carlo
            draws of them instead, an approximation whose noise grows with the number of
            latent causes (with 6 or 8 of them, 1000 draws scored 3 to 9 points below the
            exact posterior).
        random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=0
            Seeds the latent draws, which are fixed once (common random numbers).

        Returns
        -------
        SEMOracle

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, y = sem.sample(2000, shift={"children": 2.0}, random_state=0)
        >>> bool(sem.oracle(shift={"children": 2.0}).score(X, y) > sem.oracle().score(X, y))
        True
        """
        return SEMOracle(self, shift=shift, scale=scale, n_mc=n_mc, random_state=random_state)


class SEMOracle:
    """Bayes-optimal classifier of a :class:`SyntheticSEM`, from its true mechanisms.

    For every class ``k`` it scores ``log p(y=k | a) + log p(x | y=k, c)``: the prior exactly,
    the likelihood of the children given their observed parents (co-parents, parents of ``y``
    and other children) integrated over the latent causes ``z``: exactly by default (the
    children are jointly Gaussian given their parents and the class, since ``z`` enters
    them additively and linearly), or by averaging ``prod_j N(x_j; f_j(pa_j, y=k, z),
    sigma_j^2)`` over ``n_mc`` fixed draws of ``z`` (log-sum-exp, vectorised over rows,
    classes and draws, in chunks of rows). The draws are fixed at construction, so a row's
    prediction does not depend on the other rows of the batch.

    Parameters
    ----------
    sem : SyntheticSEM
        The model whose data is classified.
    shift, scale : dict, optional
        A manipulation the oracle is told: the part on children is undone before scoring.
    n_mc : int or None, default=None
        None integrates the latent causes out exactly; a number averages over that many
        fixed draws of them (an approximation, see :meth:`SyntheticSEM.oracle`).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=0
        Seeds the latent draws.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, ``sem.classes_``.
    required_columns : list of str
        The columns ``X`` must hold (other columns are ignored).
    child_shift, child_scale : dict of str to float
        The measurement manipulation of each child that is undone before scoring.

    Examples
    --------
    >>> sem = SyntheticSEM(random_state=0)
    >>> X, y = sem.sample(300, random_state=0)
    >>> oracle = SEMOracle(sem)
    >>> proba = oracle.predict_proba(X)
    >>> proba.shape, bool(np.allclose(proba.sum(axis=1), 1.0))
    ((300, 3), True)
    >>> oracle.predict(X[:3]).tolist() == oracle.predict(X).tolist()[:3]
    True
    """

    def __init__(
        self,
        sem: SyntheticSEM,
        *,
        shift: Mapping[str, float] | None = None,
        scale: Mapping[str, float] | None = None,
        n_mc: int | None = None,
        random_state: SeedLike = 0,
    ) -> None:
        self.sem = sem
        self.classes_ = sem.classes_
        children = sem.roles["children"]
        self.child_shift = {k: v for k, v in sem._resolve(shift, "shift").items() if k in children}
        self.child_scale = {k: v for k, v in sem._resolve(scale, "scale").items() if k in children}
        for node, factor in self.child_scale.items():
            if factor == 0:
                raise ValueError(
                    f"cannot undo scale 0 on child {node!r}: the measurement no longer carries "
                    "information. Leave it out of the oracle's scale (the oracle not told)."
                )
        self.n_mc = None if n_mc is None else _check_count("n_mc", n_mc, minimum=1)
        n_latent = len(sem.roles["latent"])
        draws = _rng(random_state).standard_normal((n_latent, self.n_mc or 0))
        self._latent_draws = dict(zip(sem.roles["latent"], draws, strict=True))
        needed = set(sem.roles["parents"]) | set(children)
        for child in children:
            needed.update(sem._mechanisms[child].inputs)
        self.required_columns = [v for v in sem.feature_names if v in needed]

    # ----------------------------------------------------------------- factors
    def _columns(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        if not isinstance(X, pd.DataFrame):
            raise ValueError(
                f"SEMOracle selects columns by name, so X must be a pandas DataFrame with "
                f"columns {self.required_columns}; got {type(X).__name__}."
            )
        missing = [c for c in self.required_columns if c not in X.columns]
        if missing:
            raise ValueError(
                f"X lacks the columns {missing} that the oracle needs; pass the frame returned "
                "by SyntheticSEM.sample (extra columns are ignored)."
            )
        values = {c: X[c].to_numpy(dtype=float) for c in self.required_columns}
        bad = [c for c, v in values.items() if not np.all(np.isfinite(v))]
        if bad:
            raise ValueError(f"X has missing or infinite values in columns {bad}.")
        sem = self.sem
        for node in sem.roles["children"]:
            clean = values[node] - self.child_shift.get(node, 0.0) * sem.std_[node]
            factor = self.child_scale.get(node, 1.0)
            values[node] = sem.mean_[node] + (clean - sem.mean_[node]) / factor
        return values

    def _log_prior(self, standardised: Mapping[str, np.ndarray], n_rows: int) -> np.ndarray:
        """``log p(y=k | a)``, shape (rows, classes)."""
        return log_softmax(self.sem._prior.logits(standardised, n_rows), axis=1)

    def _log_likelihood_mc(self, values, standardised, rows: slice) -> np.ndarray:
        """``log mean_s prod_j N(x_j; f_j(pa_j, k, z_s), sigma_j^2)``, shape (rows, classes)."""
        sem = self.sem
        classes = self.classes_[None, :, None]
        latent = {z: draws[None, None, :] for z, draws in self._latent_draws.items()}
        total = 0.0
        for child in sem.roles["children"]:
            mechanism = sem._mechanisms[child]
            inputs = {p: standardised[p][rows, None, None] for p in mechanism.inputs}
            loc = mechanism.location(inputs, classes, latent)
            total = total + _normal_logpdf(
                values[child][rows, None, None], loc, mechanism.noise_std
            )
        # Without latent causes the last axis has length 1: nothing to average.
        return logsumexp(total, axis=2) - np.log(np.shape(total)[2])

    def _log_likelihood_exact(self, values, standardised, rows: slice) -> np.ndarray:
        """The same with the latent causes integrated out: ``r ~ N(0, diag(sigma^2) + U U^T)``."""
        sem = self.sem
        children, latents = sem.roles["children"], sem.roles["latent"]
        classes = self.classes_[None, :]
        residuals = []
        loadings = np.zeros((len(children), len(latents)))
        noise_var = np.empty(len(children))
        for j, child in enumerate(children):
            mechanism = sem._mechanisms[child]
            inputs = {p: standardised[p][rows, None] for p in mechanism.inputs}
            loc = mechanism.location(inputs, classes, dict.fromkeys(mechanism.latents, 0.0))
            residuals.append(values[child][rows, None] - loc)
            for name, weight in zip(mechanism.latents, mechanism.latent_weights, strict=True):
                loadings[j, latents.index(name)] = weight
            noise_var[j] = mechanism.noise_std**2
        residual = np.stack(residuals, axis=-1).reshape(-1, len(children))  # rows*classes
        # whitened by the noise, the covariance is I + V V^T (V = U / sigma): along V's
        # left singular vectors q_i it is 1 + s_i^2, and 1 elsewhere. Factorising
        # diag(sigma^2) + U U^T itself failed where the noise is tiny next to the
        # loadings (rank-deficient in floating point); this way no matrix is inverted
        sigma = np.sqrt(noise_var)
        whitened = residual / sigma
        basis, singular, _ = np.linalg.svd(loadings / sigma[:, None], full_matrices=False)
        along = whitened @ basis
        across = whitened - along @ basis.T
        mahalanobis = (np.sum(across**2, axis=1) + np.sum(along**2 / (1.0 + singular**2), axis=1))
        log_det = 2.0 * np.log(sigma).sum() + np.log1p(singular**2).sum()
        return -0.5 * (mahalanobis.reshape(-1, len(self.classes_)) + log_det
                       + len(children) * np.log(2 * np.pi))

    # ----------------------------------------------------------------- public API
    @reads_tables("X")
    def predict_log_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Log posterior ``log p(y | x, a, c)``, shape (rows, classes).

        Parameters
        ----------
        X : pandas.DataFrame
            Rows with the SEM's columns (as :meth:`SyntheticSEM.sample` returns them);
            other columns are ignored.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, _ = sem.sample(5, random_state=0)
        >>> sem.oracle().predict_log_proba(X).shape
        (5, 3)
        """
        values = self._columns(X)
        sem = self.sem
        n_rows = len(X)
        standardised = {v: sem._standardise(v, x) for v, x in values.items()}
        joint = self._log_prior(standardised, n_rows)
        if sem.roles["children"]:
            per_row = len(self.classes_) * (self.n_mc or len(sem.roles["children"]))
            chunk = max(1, _MAX_CHUNK_ELEMENTS // per_row)
            likelihood = (
                self._log_likelihood_exact if self.n_mc is None else self._log_likelihood_mc
            )
            for start in range(0, n_rows, chunk):
                rows = slice(start, min(start + chunk, n_rows))
                joint[rows] += likelihood(values, standardised, rows)
        return log_softmax(joint, axis=1)

    @reads_tables("X")
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Posterior class probabilities; columns follow ``classes_`` and rows sum to 1.

        Parameters
        ----------
        X : pandas.DataFrame
            As in :meth:`predict_log_proba`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, _ = sem.sample(5, random_state=0)
        >>> bool(np.allclose(sem.oracle().predict_proba(X).sum(axis=1), 1.0))
        True
        """
        return np.exp(self.predict_log_proba(X))

    @reads_tables("X")
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : pandas.DataFrame
            As in :meth:`predict_log_proba`.

        Returns
        -------
        ndarray of shape (n_samples,)

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, _ = sem.sample(5, random_state=0)
        >>> sem.oracle().predict(X).shape
        (5,)
        """
        return self.classes_[np.argmax(self.predict_log_proba(X), axis=1)]

    @reads_tables("X", "y")
    def score(self, X: pd.DataFrame, y: ArrayLike) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : pandas.DataFrame
            As in :meth:`predict_log_proba`.
        y : array-like of shape (n_samples,)
            Their labels, values of ``classes_``.

        Returns
        -------
        float
            The share of rows predicted right.

        Raises
        ------
        ValueError
            If ``y`` does not hold one label per row, or holds a label the SEM does not
            have.

        Examples
        --------
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, y = sem.sample(500, random_state=0)
        >>> 0.34 < sem.oracle().score(X, y) <= 1.0
        True
        """
        labels = np.asarray(y)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels.ravel()
        if labels.ndim != 1 or len(labels) != len(X):
            raise ValueError(
                f"y must hold one label per row of X ({len(X)} rows); got an array of shape "
                f"{labels.shape}. Pass the labels of exactly these rows."
            )
        check_known_labels(labels, self.classes_, "y", "the SEM oracle")
        return float(np.mean(self.predict(X) == labels))


class SEMRoles(dict):
    """A SEM's ``roles``: a dict of role name to node names, which also knows the target
    (``.target``), so that :mod:`skcama.manipulations` given ``roles=sem.roles`` refuses
    the target column whatever it is called."""

    def __init__(self, roles: Mapping[str, list], target: Hashable):
        super().__init__(roles)
        self.target = target


def _warn_if_causes_manipulated(
    kind: str, resolved: Mapping[str, float], graph: nx.DiGraph, target: Hashable
) -> None:
    """Warn (InvalidManipulationWarning) when a manipulation of a SEM's sample touches a
    cause of its target: a parent, or an ancestor of one (an "outside" node upstream of a
    parent), whose change reaches the label through the mechanisms; shared by
    :class:`SyntheticSEM` and the mixed-type SEMs. ``graph`` is the full graph, latent
    nodes included."""
    parents = set(graph.predecessors(target))
    causes = nx.ancestors(graph, target)
    touched = [node for node in resolved if node in parents]
    upstream = [node for node in resolved if node in causes and node not in parents]
    if touched or upstream:
        named = " and ".join(
            part for part in (
                f"{touched}, parents of the target {target!r}" if touched else "",
                f"{upstream}, causes of the target {target!r} through its parents"
                if upstream else "",
            ) if part
        )
        warn_user(
            f"{kind} on {named}: this changes the "
            "distribution of the label itself and is not a valid manipulation in the "
            "causal sense (the causes of the target are assumed unmanipulated). Silence "
            "it with warnings.filterwarnings('ignore', "
            "category=skcama.manipulations.InvalidManipulationWarning) where it is meant.",
            InvalidManipulationWarning,
        )


_rng = default_rng  # checks random_state, with an error that names it


def _spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``rng.spawn(n)``: n independent child generators. A Generator over a legacy
    ``numpy.random.RandomState`` (as scikit-learn passes) cannot spawn; its children are
    then seeded from draws of ``rng``."""
    try:
        return rng.spawn(n)
    except TypeError:  # "The underlying SeedSequence does not implement spawning."
        return [np.random.default_rng(rng.integers(0, 2**63 - 1, size=4)) for _ in range(n)]


def _normal_logpdf(x: np.ndarray, loc: np.ndarray, sd: float) -> np.ndarray:
    return -0.5 * ((x - loc) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)


# overloads: what a call returns, by return_sem, for type checkers
@overload
def make_sem(
    n_samples: int = ..., *, return_sem: Literal[False] = ..., **params: Any
) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph]: ...
@overload
def make_sem(
    n_samples: int = ..., *, return_sem: Literal[True], **params: Any
) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph, SyntheticSEM]: ...


def make_sem(  # type: ignore[misc]  # the overloads take the other parameters as **params
    n_samples: int = 1000,
    *,
    n_parents: int = 3,
    n_coparents: int = 3,
    n_children: int = 8,
    n_latent: int = 2,
    n_classes: int = 3,
    n_outside: int = 2,
    nonlinearity: str = "mixed",
    noise: float = 0.5,
    class_sep: float = 1.0,
    child_edge_prob: float = 0.2,
    parent_child_edge_prob: float = 0.0,
    random_state: SeedLike = None,
    return_sem: bool = False,
) -> (
    tuple[pd.DataFrame, pd.Series, nx.DiGraph]
    | tuple[pd.DataFrame, pd.Series, nx.DiGraph, SyntheticSEM]
):
    """Draw a random nonlinear SEM and a clean sample from it.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    n_parents, n_coparents, n_children, n_latent, n_classes, n_outside : int
        As in :class:`SyntheticSEM`.
    nonlinearity, noise, class_sep, child_edge_prob, parent_child_edge_prob, random_state
        As in :class:`SyntheticSEM`.
    return_sem : bool, default=False
        Also return the model (for manipulated samples and the oracle).

    Returns
    -------
    X : pandas.DataFrame
        The observed features.
    y : pandas.Series
        Integer labels, named ``"y"``.
    graph : networkx.DiGraph
        The causal graph over ``X``'s columns and ``"y"`` (latent causes left out).
    sem : SyntheticSEM
        Only with ``return_sem=True``.

    Examples
    --------
    >>> X, y, graph = make_sem(200, random_state=0)
    >>> X.shape, sorted(graph.predecessors("y"))
    ((200, 16), ['a1', 'a2', 'a3'])
    >>> X, y, graph, sem = make_sem(200, n_classes=2, random_state=0, return_sem=True)
    >>> sem.classes_.tolist()
    [0, 1]
    """
    sem = SyntheticSEM(
        n_parents=n_parents,
        n_coparents=n_coparents,
        n_children=n_children,
        n_latent=n_latent,
        n_classes=n_classes,
        n_outside=n_outside,
        nonlinearity=nonlinearity,
        noise=noise,
        class_sep=class_sep,
        child_edge_prob=child_edge_prob,
        parent_child_edge_prob=parent_child_edge_prob,
        random_state=random_state,
    )
    if not isinstance(return_sem, (bool, np.bool_)):
        raise TypeError(f"return_sem must be True or False, got {return_sem!r}.")
    X, y = sem.sample(n_samples)
    graph = sem.graph.copy()
    return (X, y, graph, sem) if return_sem else (X, y, graph)
