"""discover_graph and resolve_graph_spec: options, background knowledge, orientation rules."""

from __future__ import annotations

import io
import logging
import re
import sys
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from skcama import CAMAClassifier, GraphError
from skcama.datasets import SyntheticSEM
from skcama.discovery import _to_dag, discover_graph, resolve_graph_spec
from skcama.graph import markov_blanket_roles, write_graph

from conftest import simple_sem

NO_BACKGROUND = {"required": [], "forbidden": [], "tiers": []}


@pytest.fixture(scope="module")
def small_sem():
    sem = SyntheticSEM(
        n_parents=2, n_coparents=2, n_children=4, n_outside=1, n_classes=4, random_state=0
    )
    X, y = sem.sample(2000, random_state=1)
    return sem, X, y


def test_default_discovery_recovers_the_blanket_of_a_small_sem(small_sem):
    sem, X, y = small_sem
    graph = discover_graph(X, y, target="y")
    assert nx.is_directed_acyclic_graph(graph)
    assert set(graph.nodes) == {*X.columns, "y"}
    assert set(markov_blanket_roles(graph, "y").blanket) == set(
        markov_blanket_roles(sem.graph, "y").blanket
    )
    assert graph.graph["method"] == "pc" and graph.graph["test"] == "block-lrt-nonlinear"


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(method="ges"),
        dict(method="fci"),
        dict(test="indicator-fisherz"),
        dict(test="block-lrt"),
        dict(test="fisherz"),
    ],
)
def test_every_method_and_fast_test_returns_a_dag(small_sem, kwargs):
    _, X, y = small_sem
    graph = discover_graph(X.iloc[:800], y.iloc[:800], target="y", **kwargs)
    assert nx.is_directed_acyclic_graph(graph)
    assert set(graph.nodes) == {*X.columns, "y"}


@pytest.mark.parametrize("method", ["pc", "ges"])
def test_the_order_of_the_columns_does_not_change_the_graph(method):
    """Discovery reads the columns sorted by name: the same data in another column order
    gives the same edges (on this SEM, both methods' orientations and GES's edges moved
    with the order before), and the graph lists its nodes in the order of X."""
    sem = SyntheticSEM(
        n_parents=2, n_coparents=2, n_children=4, n_outside=1, n_classes=4, random_state=1
    )
    X, y = sem.sample(2000, random_state=1)
    graph = discover_graph(X, y, target="y", method=method)
    for seed in range(3):
        columns = list(np.random.default_rng(seed).permutation(X.columns))
        shuffled = discover_graph(X[columns], y, target="y", method=method)
        assert set(shuffled.edges) == set(graph.edges)
        assert list(shuffled.nodes) == [*columns, "y"]


def test_nonlinear_test_finds_a_mechanism_without_a_linear_trend():
    # x depends on c only through c**2 (no linear trend): the linear block test drops the
    # edge c - x, the default test, which also tests c and x in a nonlinear basis, keeps it
    rng = np.random.default_rng(0)
    n = 3000
    y = rng.integers(0, 3, n)
    c = rng.normal(size=n)
    X = pd.DataFrame({"c": c, "x": c**2 + y + 0.3 * rng.normal(size=n)})
    linear = discover_graph(X, y, target="y", test="block-lrt")
    default = discover_graph(X, y, target="y")
    assert not linear.to_undirected().has_edge("c", "x")
    assert default.to_undirected().has_edge("c", "x") and default.has_edge("y", "x")


def test_basis_tests_condition_on_the_label_times_the_conditioning_columns():
    # x1 = f(y) + tanh(c) + noise and x2 = g(y) + 0.5 c + noise are independent given y and
    # c, but x1**2 and x2**2 both carry products of y and c: regressed on y and on c's basis
    # separately they stay correlated, and the test joined x1 and x2 (p about 1e-121 on
    # these rows). With the products of the label's indicators and c's basis among the
    # conditioning columns the edge is gone, and so is c - x3 (x3 = h(y) + 0.5 x1 + noise):
    # the default test finds the true skeleton.
    X, y, truth = simple_sem(0, n=1000)
    graph = discover_graph(X, y, target="y").to_undirected()
    assert {frozenset(e) for e in graph.edges} == {frozenset(e) for e in truth.edges}
    basis = discover_graph(X, y, target="y", test="block-lrt-basis").to_undirected()
    assert not basis.has_edge("x1", "x2")


def test_two_independent_causes_of_the_label_are_still_its_parents():
    # a collider at the label needs its two causes independent given nothing; independent
    # risk factors are, and stay parents
    rng = np.random.default_rng(0)
    n = 3000
    a1, a2 = rng.normal(size=n), rng.normal(size=n)
    logits = np.stack([np.zeros(n), 1.5 * a1 + a2, -1.5 * a2], axis=1)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, 1)).sum(1)
    centers = np.array([[-1.0, 1.0], [1.0, 0.0], [0.0, -1.0]])
    X = pd.DataFrame({"a1": a1, "a2": a2, "x1": centers[y, 0] + 0.5 * rng.normal(size=n),
                      "x2": centers[y, 1] + 0.5 * rng.normal(size=n)})
    graph = discover_graph(X, y, target="y")
    assert set(graph.in_edges("y")) == {("a1", "y"), ("a2", "y")}
    assert set(graph.out_edges("y")) == {("y", "x1"), ("y", "x2")}


def test_target_taken_from_x_when_y_is_none(small_sem):
    _, X, y = small_sem
    frame = X.assign(label=y.to_numpy())
    graph = discover_graph(frame.iloc[:500], target="label")
    assert "label" in graph and "y" not in graph


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(method="pcc"), r"method must be one of .*Did you mean 'pc'"),
        (dict(test="fisher"), r"test must be one of .*Did you mean 'fisherz'"),
        (dict(alpha=1.5), "alpha must be"),
        (dict(alpha=True), "alpha must be"),
        (dict(target_alpha=0), "target_alpha must be a number strictly between 0 and 1"),
        (dict(target_alpha=1.0), "target_alpha must be"),
        (dict(target_alpha=True), "target_alpha must be"),
        (dict(target_alpha="0.05"), "target_alpha must be"),
        (dict(background={"required": [5]}), r"must hold \(source, target\) pairs, got 5"),
        (dict(background={"required": [("x1", "x1")]}), "self-loop 'x1' -> 'x1'"),
        (
            dict(background={"required": [("a1", "x1"), ("x1", "a1")]}),
            "requires both 'a1' -> 'x1' and 'x1' -> 'a1'",
        ),
        (
            dict(background={"required": [("x1", "a1")], "tiers": [["a1"], ["x1"]]}),
            "tiers put 'x1' after 'a1'",
        ),
        (
            dict(background={"tiers": "abc"}),
            r"background\['tiers'\] must be a list of lists of node names, causes first, "
            r"e\.g\. \[\['a1', 'a2'\], \['x1'\]\]; got the str 'abc'",
        ),
        (
            dict(background={"tiers": ["a1", ["x1"]]}),
            r"the tier 'a1' is not a list\. Write \['a1'\] for a tier of one node",
        ),
        (
            dict(background={"required": "a1"}),
            r"background\['required'\] must be a list of \(source, target\) pairs, e\.g\. "
            r"\[\('a1', 'x1'\)\]; got the str 'a1'",
        ),
        (
            dict(background={"forbidden": ("a1", "x1")}),
            r"\['a1', 'x1'\] looks like one pair: write \[\('a1', 'x1'\)\]",
        ),
        (dict(max_condition_size=-1), "max_condition_size must be a whole number >= 0"),
        (dict(max_condition_size=1.5), "max_condition_size must be a whole number >= 0"),
        (dict(background={"forbiden": []}), r"unknown background key 'forbiden'.*'forbidden'"),
        (dict(background={"required": [("a1", "X1")]}), r"names node 'X1'.*Did you mean 'x1'"),
        (
            dict(background={"required": [("a1", "y")], "forbidden": [("a1", "y")]}),
            r"'a1' -> 'y' is both required and forbidden",
        ),
        (
            dict(background={"required": [("a1", "x1"), ("x1", "x2"), ("x2", "a1")]}),
            r"requires the edges 'a1' -> 'x1' -> 'x2' -> 'a1', a cycle.*reverse",
        ),
        (
            dict(background={"required": [(["a1"], "x1")]}),
            r"required edge \(\['a1'\], 'x1'\) names \['a1'\], a list, which cannot be a "
            r"node.*e\.g\. 'a1' instead of \['a1'\]",
        ),
        (
            dict(background={"tiers": [[["a1"]], ["y"]]}),
            r"tier 0 \[\['a1'\]\] names \['a1'\], a list.*a tier is a flat list of node names",
        ),
        (
            dict(background={"tiers": [["a1", "x1"], ["x1", "y"]]}),
            r"puts 'x1' in tier 0 \['a1', 'x1'\] and in tier 1 \['x1', 'y'\].*one tier",
        ),
    ],
)
def test_bad_options_are_rejected_with_a_suggestion(small_sem, kwargs, match):
    _, X, y = small_sem
    with pytest.raises((ValueError, GraphError), match=match):
        discover_graph(X.iloc[:200], y.iloc[:200], target="y", **kwargs)


def test_numpy_float_alpha_is_accepted(small_sem):
    _, X, y = small_sem
    graph = discover_graph(X.iloc[:300], y.iloc[:300], target="y", alpha=np.float32(0.05))
    assert graph.graph["alpha"] == pytest.approx(0.05)


def test_missing_labels_and_missing_categories_are_named(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:200], y.iloc[:200]
    labels = y.astype(object)
    labels.iloc[[2, 7]] = None
    with pytest.raises(ValueError, match=r"y has 2 missing labels \(rows 2, 7\)"):
        discover_graph(X, labels, target="y")
    text = X.assign(kind=np.where(np.arange(len(X)) % 2, "u", "v"))
    text.loc[text.index[3], "kind"] = None
    with pytest.raises(ValueError, match=r"missing values in columns \['kind'\].*pass that "
                       r"graph to fit, which accepts missing values"):
        discover_graph(text, y, target="y")
    with pytest.raises(ValueError, match=r"infinite values in columns \['x1'\]"):
        discover_graph(X.assign(x1=np.where(np.arange(len(X)) == 4, np.inf, X["x1"])), y,
                       target="y")
    with pytest.raises(ValueError, match="several columns named"):
        discover_graph(pd.concat([X, X.iloc[:, :1]], axis=1), y, target="y")


def test_object_column_of_numbers_is_numeric(small_sem):
    # CAMAClassifier reads an object column of numbers as numbers; discovery did not, and
    # the column became a hub with one category per value
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    numbers = discover_graph(X.assign(k=np.arange(300)), y, target="y")
    objects = discover_graph(X.assign(k=np.arange(300).astype(object)), y, target="y")
    assert set(objects.edges()) == set(numbers.edges())
    assert objects.degree("k") < 2


@pytest.mark.parametrize(
    "value", ["a", True, pd.Categorical(["a"] * 300), 1.5], ids=["text", "bool", "cat", "num"]
)
@pytest.mark.parametrize("test", ["block-lrt-nonlinear", "block-lrt", "fisherz"])
def test_constant_columns_of_any_kind_get_no_edges(small_sem, value, test):
    # an empty indicator block read as dependence (y -> k), and with the linear tests a
    # constant number's NaN p-values kept it adjacent to everything
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    with pytest.warns(UserWarning, match=r"columns \['k'\] are constant"):
        graph = discover_graph(X.assign(k=value), y, target="y", test=test)
    assert graph.degree("k") == 0
    assert set(graph.edges()) == set(discover_graph(X, y, target="y", test=test).edges())
    with pytest.warns(UserWarning, match=r"no edges \(besides the edges background requires "
                                         r"of \['k'\]\)"):
        required = discover_graph(
            X.assign(k=value), y, target="y", test=test, background={"required": [("a1", "k")]}
        )
    assert set(required.edges()) == set(graph.edges()) | {("a1", "k")}


def test_multiindex_columns_keep_the_target_apart(small_sem):
    # frame[target] = y on MultiIndex columns made the node ('y', ''), tested as a number
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.to_numpy()[:300]
    flat = discover_graph(X, y, target="y")
    multi = X.set_axis(pd.MultiIndex.from_tuples([("g", c) for c in X.columns]), axis=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = discover_graph(multi, y, target="y")
    assert not [w for w in caught if "MultiIndex" in str(w.message)]
    assert set(graph.nodes) == {*multi.columns, "y"}
    node = {**{c: ("g", c) for c in X.columns}, "y": "y"}
    assert set(graph.edges()) == {(node[u], node[v]) for u, v in flat.edges()}


@pytest.mark.parametrize("options", [
    {}, {"test": "block-lrt"}, {"test": "fisherz"}, {"test": "indicator-fisherz"},
    {"method": "fci"}, {"method": "ges"},
])
def test_perfectly_correlated_columns_are_named_for_every_test(small_sem, options):
    # the default test once returned a graph in which the copy had taken the child's place
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    with pytest.raises(ValueError, match=r"perfectly correlated: 'x1' and 'x1c'.*Drop one"):
        discover_graph(X.assign(x1c=X["x1"]), y, target="y", **options)
    with pytest.raises(ValueError, match=r"'x1' and 'x1c'"):  # a copy in other units
        discover_graph(X.assign(x1c=2.54 * X["x1"] - 3), y, target="y", **options)


def test_nearly_collinear_columns_are_warned_about(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    noise = np.random.default_rng(0).normal(size=300) * 0.05 * X["x1"].std()
    with pytest.warns(UserWarning, match=r"nearly collinear: 'x1' and 'x1b' \(\+0\.99\d\)"):
        discover_graph(X.assign(x1b=X["x1"] + noise), y, target="y")
    with warnings.catch_warnings():  # the columns as they are: no pair that close
        warnings.simplefilter("error", UserWarning)
        discover_graph(X, y, target="y")


def test_ges_over_many_columns_is_warned_about(small_sem, monkeypatch):
    import skcama.discovery

    _, X, y = small_sem
    X, y = X.iloc[:200, :5], y.iloc[:200]
    monkeypatch.setattr(skcama.discovery, "_GES_WARN_COLUMNS", 4)
    with pytest.warns(UserWarning, match="GES over 5 columns: its search grows steeply"):
        discover_graph(X, y, target="y", method="ges")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        discover_graph(X.iloc[:, :4], y, target="y", method="ges")


def test_huge_values_give_the_graph_of_their_scaled_column(small_sem):
    # squares of values above about 1e154 overflow: the column's edges were lost
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    huge = X.assign(x1=X["x1"] * 1e200)
    assert set(discover_graph(huge, y, target="y").edges()) == set(
        discover_graph(X, y, target="y").edges())
    assert huge["x1"].abs().max() > 1e199  # the user's frame is left as it was


def test_labels_must_be_classes_in_one_column(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    with pytest.raises(ValueError, match=r"y is named 'label', which is also a column of X"):
        discover_graph(X.assign(label=y.to_numpy()), y.rename("label"))
    with pytest.raises(ValueError, match=r"one label per row \(1-d\), got shape \(300, 2\)"):
        discover_graph(X, np.c_[y, y])
    with pytest.raises(ValueError, match="continuous quantity.*pd.cut"):
        discover_graph(X, np.random.default_rng(0).normal(size=300))


def test_a_single_class_is_refused_by_discovery_and_by_a_fit_that_discovers(small_sem):
    _, X, y = small_sem
    X = X.iloc[:300, :5]
    with pytest.raises(ValueError, match=r"y holds a single class \('b'\); discovery needs at "
                                         "least 2 classes.*filtered to one class"):
        discover_graph(X, np.full(300, "b"))
    with pytest.raises(ValueError, match=r"y holds a single class \(0\)"):
        CAMAClassifier(graph="pc").fit(X, np.zeros(300, dtype=int))


# The graphs of ordinary numeric data must not change by accident. Computed with the code
# before the input-handling fixes (object, constant and MultiIndex columns); the
# "block-lrt-nonlinear" graph again when the basis tests began to condition on the
# products of the target's indicators with the conditioning columns (and a collider at the
# target began to need its two causes independent given nothing); the "fisherz" and default
# graphs when discovery began to read the columns sorted by name (the same edges, two and
# one of them reversed); the "block-lrt" and default graphs when PC began to orient a node
# independent of the target into its dependent neighbours (c2 -> x4, a true edge, and in
# the default graph c2 -> c3 and x6 -> o2 in turn: c2, a true co-parent, joined the
# blanket); every graph but "fisherz"'s when PC began to put back an edge at the target
# that the node's neighbours contradicted (y -> x4 with "block-lrt" and with the default
# test at target_alpha=alpha, where the parent a3 is now read as a child, and y -> x3 in
# the default graph: true children). These are the graphs at
# target_alpha=alpha, one level for every test; DEFAULT_EDGES is the default graph, whose
# tests at the target are read at 0.05.
SEM_EDGES = {
    "block-lrt-nonlinear": [
        ("a1", "y"), ("a2", "y"), ("c1", "o1"), ("c1", "x3"), ("c2", "x4"), ("c2", "x5"),
        ("c3", "c2"), ("c3", "x4"), ("o2", "a3"), ("x2", "c2"), ("x2", "c3"), ("x2", "x4"),
        ("x4", "x6"), ("x5", "x3"), ("x6", "o2"), ("x6", "x3"), ("x7", "c1"), ("x7", "c3"),
        ("x7", "x4"), ("x7", "x5"), ("x7", "x6"), ("y", "a3"), ("y", "x1"), ("y", "x4"),
        ("y", "x8"),
    ],
    "block-lrt": [
        ("a1", "y"), ("a2", "y"), ("c1", "o1"), ("c1", "x3"), ("c1", "x7"), ("c2", "x4"),
        ("c2", "x5"), ("x2", "c2"), ("x2", "c3"), ("x4", "c3"), ("x4", "x7"), ("x5", "x3"),
        ("x6", "o2"), ("x6", "x3"), ("x7", "c3"), ("x7", "x6"), ("y", "a3"), ("y", "x1"),
        ("y", "x4"), ("y", "x8"),
    ],
    "fisherz": [
        ("a1", "x8"), ("c1", "o1"), ("c1", "x3"), ("c2", "x2"), ("c2", "x4"), ("c3", "x4"),
        ("x2", "c3"), ("x2", "x4"), ("x5", "c2"), ("x5", "x3"), ("x6", "o2"), ("x6", "x3"),
        ("x7", "c1"), ("x7", "c3"), ("x7", "x4"), ("x7", "x6"), ("x8", "a2"), ("x8", "x1"),
        ("y", "a3"), ("y", "x1"), ("y", "x8"),
    ],
}


DEFAULT_EDGES = [
    ("a1", "y"), ("a2", "y"), ("a3", "o2"), ("c1", "o1"), ("c1", "x3"), ("c1", "x7"),
    ("c2", "c3"), ("c2", "x4"), ("c2", "x5"), ("x2", "c2"), ("x2", "c3"), ("x4", "c3"),
    ("x4", "x6"), ("x4", "x7"), ("x5", "x3"), ("x6", "o2"), ("x6", "x3"), ("x7", "c3"),
    ("x7", "x5"), ("x7", "x6"), ("y", "a3"), ("y", "x1"), ("y", "x3"), ("y", "x4"),
    ("y", "x8"),
]


@pytest.mark.parametrize("test", sorted(SEM_EDGES))
def test_graphs_of_numeric_data_are_unchanged(test):
    X, y = SyntheticSEM(random_state=0).sample(500, random_state=0)
    graph = discover_graph(X, y, target="y", test=test, target_alpha=0.01)
    assert sorted(graph.edges()) == SEM_EDGES[test]
    assert graph.graph["target_alpha"] == 0.01


def _weak_child(beta: float = 0.21, n: int = 1000):
    # x depends on y a little: the default test's p-value of x _||_ y is about 0.026
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    return pd.DataFrame({"x": beta * y + rng.normal(size=n)}), y


@pytest.mark.parametrize(
    "kwargs",
    [{}, dict(test="block-lrt"), dict(test="indicator-fisherz"), dict(method="fci")],
)
def test_target_alpha_is_the_level_of_the_tests_at_the_target(kwargs):
    X, y = _weak_child()

    def joined(**levels):
        graph = discover_graph(X, y, target="y", **kwargs, **levels)
        return graph.to_undirected().has_edge("x", "y")

    assert joined()  # the default level at the target, 0.05
    assert not joined(target_alpha=0.01)
    assert not joined(alpha=0.001, target_alpha=0.001)
    assert joined(alpha=0.001)  # the target's tests are read at 0.05 whatever alpha is
    assert not joined(alpha=0.001, target_alpha=0.005)


def test_target_alpha_leaves_the_tests_between_other_nodes_alone():
    # x1 and x2 are weakly correlated (p about 0.025) and unrelated to y: their edge
    # follows alpha alone
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=1000)
    X = pd.DataFrame({"x1": x1, "x2": 0.04 * x1 + rng.normal(size=1000)})
    y = rng.integers(0, 2, 1000)
    for target_alpha in (0.01, 0.05, 0.5):
        graph = discover_graph(X, y, target="y", target_alpha=target_alpha)
        assert not graph.to_undirected().has_edge("x1", "x2")
    assert discover_graph(X, y, target="y", alpha=0.05).to_undirected().has_edge("x1", "x2")


def test_default_graph_of_numeric_data_is_unchanged():
    X, y = SyntheticSEM(random_state=0).sample(500, random_state=0)
    graph = discover_graph(X, y, target="y")
    assert sorted(graph.edges()) == DEFAULT_EDGES
    assert graph.graph["target_alpha"] == 0.05


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        dict(test="block-lrt"),
        dict(test="indicator-fisherz"),
        dict(test="fisherz"),
        dict(method="ges"),
    ],
)
def test_normal_scores_give_the_same_graph_under_increasing_transforms(small_sem, kwargs):
    # conditional independence does not change under an increasing transform of a column,
    # and neither do the normal scores
    _, X, y = small_sem
    X, y = X.iloc[:1000], y.iloc[:1000]
    other = X.assign(x1=np.exp(X["x1"]), c1=X["c1"] ** 3, a1=1000 + 0.01 * X["a1"])
    other["x2"] = np.log1p(X["x2"] - X["x2"].min())
    kwargs["normal_scores"] = True
    assert sorted(discover_graph(other, y, target="y", **kwargs).edges()) == sorted(
        discover_graph(X, y, target="y", **kwargs).edges()
    )


def test_normal_scores_keep_a_heavy_tailed_column_from_making_false_edges():
    # lab depends on y only through s (s -> y, s -> lab), and is log-normal: read as raw
    # values, the cubic basis joins lab and y in 39 of these 200 samples with the target's
    # tests at 0.01; read as normal scores, in 10 (at the default 0.05: 67 and 23)
    rng = np.random.default_rng(0)
    reps, hits = 200, {False: 0, True: 0}
    for _ in range(reps):
        s = rng.normal(size=1000)
        lab = np.exp(0.8 * s + rng.normal(size=1000))
        y = (s + rng.normal(size=1000) > 0).astype(int) + (s > 1)
        for scores in hits:
            graph = discover_graph(
                pd.DataFrame({"s": s, "lab": lab}), y, target="y", normal_scores=scores,
                target_alpha=0.01,
            )
            hits[scores] += graph.to_undirected().has_edge("lab", "y")
    assert hits[True] < 0.1 * reps < hits[False]


def test_normal_scores_must_be_a_bool(small_sem):
    _, X, y = small_sem
    with pytest.raises(ValueError, match="normal_scores must be True or False, got 'yes'"):
        discover_graph(X, y, target="y", normal_scores="yes")


def test_background_knowledge_is_respected(small_sem):
    _, X, y = small_sem
    background = {
        "required": [("o1", "x4")],
        "forbidden": [("y", "x1")],
        "tiers": [["a1", "a2"], ["y"]],
    }
    graph = discover_graph(X, y, target="y", background=background)
    assert graph.has_edge("o1", "x4")
    assert not graph.has_edge("y", "x1")
    assert not graph.has_edge("y", "a1") and not graph.has_edge("y", "a2")


def test_verbose_logs_progress_and_timing(small_sem, caplog, capsys, monkeypatch):
    _, X, y = small_sem
    with caplog.at_level(logging.INFO, logger="skcama"):
        discover_graph(X.iloc[:300], y.iloc[:300], target="y", verbose=1)
    text = caplog.text
    assert "discovering a graph over 10 nodes from 300 rows" in text
    # each step of PC with its time; the skeleton's progress bar per depth only where
    # standard error is a terminal (a log file would fill with its redrawn frames)
    assert re.search(r"pc: skeleton of \d+ edges in [\d.]+ s", text)
    assert "pc: colliders" in text
    assert "discovered" in text and " s (" in text
    assert "Depth=" not in capsys.readouterr().err
    # the collider step, which can outlast the skeleton, says what it starts on and how
    # far it is (every 30 s; every triple here)
    monkeypatch.setattr("skcama.discovery._PROGRESS_SECONDS", -1.0)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="skcama"):
        discover_graph(X.iloc[:300], y.iloc[:300], target="y", verbose=1, progress=False)
    started = re.search(r"pc: judging (\d+) unshielded triples for colliders", caplog.text)
    assert started and int(started.group(1)) > 0
    assert f"pc: colliders: 0 of {started.group(1)} triples judged" in caplog.text
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    discover_graph(X.iloc[:300], y.iloc[:300], target="y", verbose=1)
    assert "Depth=0, working on node" in capsys.readouterr().err
    # the estimator passes it on, and discovery_params may turn it off
    CAMAClassifier(graph="pc", verbose=1, max_epochs=1, discovery_params={"progress": False},
                   random_state=0).fit(X.iloc[:300], y.iloc[:300])
    assert "Depth=" not in capsys.readouterr().err


def test_progress_false_keeps_the_log_without_the_bar(small_sem, caplog, capsys):
    _, X, y = small_sem
    with caplog.at_level(logging.INFO, logger="skcama"):
        discover_graph(X.iloc[:300], y.iloc[:300], target="y", verbose=1, progress=False)
    assert re.search(r"pc: skeleton of \d+ edges in [\d.]+ s", caplog.text)
    assert "Depth=" not in capsys.readouterr().err
    discover_graph(X.iloc[:300], y.iloc[:300], target="y", method="fci", progress=True)
    assert "Depth=0, working on node" in capsys.readouterr().err  # a bar without the log
    with pytest.raises(ValueError, match="progress must be True, False or None"):
        discover_graph(X, y, target="y", progress="no")


# ------------------------------------------------------------- orientation rules
def _marks(n: int, undirected=(), directed=(), bidirected=()) -> np.ndarray:
    m = np.zeros((n, n), dtype=int)
    for i, j in undirected:
        m[i, j] = m[j, i] = -1
    for i, j in directed:
        m[i, j], m[j, i] = -1, 1
    for i, j in bidirected:
        m[i, j] = m[j, i] = 1
    return m


def test_undirected_edges_at_the_target_point_away_from_it():
    # names: a, b, c, y (target last); y - a, y - b undirected, a - b undirected (a clique)
    names = ["a", "b", "c", "y"]
    marks = _marks(4, undirected=[(3, 0), (3, 1), (0, 1)], directed=[(2, 0)])
    graph, n_rule = _to_dag(marks, names, NO_BACKGROUND)
    assert graph.has_edge("y", "a") and graph.has_edge("y", "b")
    assert n_rule == 3
    assert nx.is_directed_acyclic_graph(graph)


def test_an_edge_at_the_target_from_a_node_with_a_path_to_it_points_at_the_target():
    # c -> d -> e -> y directed and c - y undirected (Meek's rules orient only two-step
    # paths): y -> c would close a cycle, whose breaking removed the oriented c -> d, so
    # the edge points at the target and every oriented edge stays, without a warning
    names = ["c", "d", "e", "y"]
    marks = _marks(4, undirected=[(0, 3)], directed=[(0, 1), (1, 2), (2, 3)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph, _ = _to_dag(marks, names, NO_BACKGROUND)
    assert set(graph.edges()) == {("c", "d"), ("d", "e"), ("e", "y"), ("c", "y")}


def test_orienting_away_from_the_target_creates_no_new_v_structure():
    # chain component y - a - b: the rule gives y -> a -> b, never y -> a <- b.
    names = ["a", "b", "y"]
    graph, _ = _to_dag(_marks(3, undirected=[(2, 0), (0, 1)]), names, NO_BACKGROUND)
    assert set(graph.edges()) == {("y", "a"), ("a", "b")}


def test_edges_without_a_consistent_orientation_are_warned_and_named():
    # a chordless 4-cycle a - b - c - d - a away from the target: every orientation has a
    # v-structure or a cycle, so the edges are oriented in some order, with a warning
    names = ["a", "b", "c", "d", "y"]
    marks = _marks(5, undirected=[(0, 1), (1, 2), (2, 3), (3, 0)], directed=[(4, 0)])
    with pytest.warns(UserWarning, match=r"4 edges were oriented in an arbitrary order of "
                                         r"the columns: 'b' -> 'a', 'b' -> 'c', 'c' -> 'd', "
                                         r"'d' -> 'a'"):
        graph, _ = _to_dag(marks, names, NO_BACKGROUND)
    assert nx.is_directed_acyclic_graph(graph)
    # an edge that background knowledge orients is the user's, and is not named; the
    # others are named as the returned graph has them
    knowledge = dict(NO_BACKGROUND, required=[("a", "b")])
    with pytest.warns(UserWarning, match=r"3 edges were oriented") as caught:
        graph, _ = _to_dag(marks, names, knowledge)
    assert graph.has_edge("a", "b")
    named = re.findall(r"'(\w)' -> '(\w)'", str(caught[0].message))
    assert ("a", "b") not in named and ("b", "a") not in named
    assert all(graph.has_edge(u, v) for u, v in named)


def test_two_causes_of_the_label_joined_by_a_mediator_are_read_as_children_with_a_warning():
    """x0 -> m -> x2, x0 -> y <- x2: x0 and x2 are dependent given nothing (through m), so
    the collider at the label is not oriented (the rule that keeps children of the label
    from becoming its causes, see the module notes): both are read as children, and the
    edges around m, which then admit no orientation without a new v-structure, are named
    in a warning."""
    rng = np.random.default_rng(7)
    n = 3000
    x0 = rng.normal(size=n)
    m = x0 + rng.normal(size=n)
    x2 = m + rng.normal(size=n)
    y = (x0 + x2 / np.sqrt(3) + 0.7 * rng.normal(size=n) > 0).astype(int)
    X = pd.DataFrame({"x0": x0, "m": m, "x2": x2, "c1": 1.5 * y + rng.normal(size=n),
                      "c2": -1.5 * y + rng.normal(size=n)})
    with pytest.warns(UserWarning, match=r"2 edges were oriented in an arbitrary order of "
                                         r"the columns: 'm' -> 'x0', 'm' -> 'x2'"):
        graph = discover_graph(X, pd.Series(y, name="y"), target="y")
    assert set(graph.successors("y")) == {"x0", "x2", "c1", "c2"}
    assert nx.is_directed_acyclic_graph(graph)
    # given as background knowledge, the direction is the user's and nothing is warned
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        known = discover_graph(X, pd.Series(y, name="y"), target="y",
                               background={"required": [("x0", "y"), ("x2", "y")]})
    assert known.has_edge("x0", "y") and known.has_edge("x2", "y")


def test_bidirected_edges_at_the_target_become_children():
    names = ["a", "b", "y"]
    marks = _marks(3, bidirected=[(0, 2)], directed=[(1, 2)])
    graph, _ = _to_dag(marks, names, NO_BACKGROUND)
    assert set(graph.edges()) == {("y", "a"), ("b", "y")}


def test_bidirected_edges_elsewhere_point_into_a_child_or_are_dropped():
    # a, b children of y (a <-> y, y - b); a <-> b between two children: dropped (the latent
    # causes z model it); c <-> a between a child and another node: kept as c -> a (c a
    # co-parent: z cannot model a dependence on c); c <-> d between two non-children:
    # dropped
    names = ["a", "b", "c", "d", "y"]
    marks = _marks(5, undirected=[(4, 1)], bidirected=[(0, 4), (0, 1), (2, 0), (2, 3)])
    graph, _ = _to_dag(marks, names, NO_BACKGROUND)
    assert set(graph.edges()) == {("y", "a"), ("y", "b"), ("c", "a")}


def test_pag_circle_marks_are_read_like_a_cpdag():
    names = ["a", "b", "y"]
    marks = np.zeros((3, 3), dtype=int)
    marks[0, 2], marks[2, 0] = 2, 1  # a o-> y
    marks[1, 2] = marks[2, 1] = 2  # b o-o y
    graph, _ = _to_dag(marks, names, NO_BACKGROUND)
    assert set(graph.edges()) == {("a", "y"), ("y", "b")}


# ------------------------------------------------------------------ estimator glue
def test_resolve_graph_spec_handles_every_kind(small_sem, tmp_path):
    sem, X, y = small_sem
    X, y = X.iloc[:600], y.to_numpy()[:600]
    graph, target = resolve_graph_spec(None, X, y, None)
    assert target == "y" and set(graph.successors("y")) == set(X.columns)
    graph, target = resolve_graph_spec("pc", X, y, None, random_state=0)
    assert target == "y" and graph.graph["method"] == "pc"
    path = tmp_path / "g.dot"
    write_graph(sem.graph, path)
    for spec in (str(path), path, sem.graph, nx.to_dict_of_lists(sem.graph.reverse())):
        graph, target = resolve_graph_spec(spec, X, y, None)
        assert target == "y" and set(graph.edges()) == set(sem.graph.edges())


def test_resolve_graph_spec_rejects_a_misspelled_method(small_sem):
    _, X, y = small_sem
    with pytest.raises(GraphError, match=r"graph='pcc' is neither a discovery method.*'pc'"):
        resolve_graph_spec("pcc", X, y.to_numpy(), None)


def test_resolve_graph_spec_validates_a_given_graph(small_sem):
    _, X, y = small_sem
    bad = nx.DiGraph([("y", "x1"), ("x1", "x2"), ("x2", "x1")])
    with pytest.raises(GraphError, match=r"cycle x1 -> x2 -> x1: .*could not orient"):
        resolve_graph_spec(bad, X, y.to_numpy(), "y")


@pytest.mark.parametrize("seed", [0, 1])
def test_collider_step_matches_causal_learn_and_its_limit_changes_nothing_here(seed):
    """Our PC is causal-learn's skeleton + definiteMaxP + Meek; with no limit on the
    conditioning sets it returns exactly causal-learn's pc(uc_rule=2), and the default
    limit returns the same graph on these SEMs (the skeleton needed small sets only)."""
    from causallearn.search.ConstraintBased.PC import pc

    from skcama.discovery import _LRT_NAME, _encode, _pc

    sem = SyntheticSEM(n_parents=2, n_coparents=3, n_children=5, n_outside=2, n_classes=3,
                       random_state=seed)
    X, y = sem.sample(1500, random_state=seed + 10)
    enc = _encode(X, np.asarray(y), "y", basis=True)
    kwargs = dict(expanded=enc.expanded, blocks=enc.blocks, conditioning=enc.conditioning)
    stock = pc(enc.data, 0.01, _LRT_NAME, stable=True, uc_rule=2, show_progress=False,
               **kwargs)
    ours = _pc(enc.data, 0.01, _LRT_NAME, None, None, **kwargs)
    np.testing.assert_array_equal(ours.G.graph, stock.G.graph)
    limited = _pc(enc.data, 0.01, _LRT_NAME, None, 4, **kwargs)
    np.testing.assert_array_equal(limited.G.graph, stock.G.graph)


class _MarginalTest:
    """A stand-in for causal-learn's test: given nothing, a pair is dependent exactly when
    it is in ``dependent``; given a set, dependent unless ``(i, j, set)`` is in
    ``independent``."""

    method = "stand-in"

    def __init__(self, dependent: set, independent: set = frozenset()):
        self.dependent = {frozenset(pair) for pair in dependent}
        self.independent = {(frozenset((i, j)), frozenset(S)) for i, j, S in independent}

    def __call__(self, i, j, S):
        if not S:
            return 0.0 if frozenset((i, j)) in self.dependent else 0.5
        return 0.5 if (frozenset((i, j)), frozenset(S)) in self.independent else 0.0


def _graph_of(n: int, edges: dict):
    """causal-learn's graph of ``n`` nodes with only ``edges``: (i, j) -> '--' or '->'."""
    from causallearn.graph.GraphClass import CausalGraph

    from skcama.discovery import _orient

    cg = CausalGraph(n)
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) not in edges and (j, i) not in edges:
                cg.G.remove_edge(cg.G.get_edge(cg.G.nodes[i], cg.G.nodes[j]))
    for (i, j), kind in edges.items():
        if kind == "->":
            _orient(cg, i, j)
    return cg


def test_a_node_independent_of_the_target_points_into_its_dependent_neighbours():
    """w (0) is independent of the target (4) given nothing; x1 (1) and x2 (2) are children
    of the target, joined to w by a collider x1 -> w <- x2 that tests given larger sets
    claimed, and a (3) is a cause of the target that a collider at it found. w becomes a
    cause of both children (the collider goes), the target's undirected edge to x2 points
    at x2, and the edge between w and the cause a is left alone."""
    from skcama.discovery import _independent_of_target_point_in

    w, x1, x2, a, t = range(5)
    cg = _graph_of(5, {(x1, w): "->", (x2, w): "->", (t, x1): "->", (x2, t): "--",
                       (a, t): "->", (a, w): "--"})
    cg.definite_UC = [(x1, w, x2)]
    cg.test = _MarginalTest({(x1, t), (x2, t), (a, t), (x1, x2)})
    oriented = _independent_of_target_point_in(cg, 0.01, None, t)
    assert sorted(oriented) == [(w, x1), (w, x2), (t, x2)]
    for i, j in [(w, x1), (w, x2), (t, x1), (t, x2), (a, t)]:
        assert cg.is_fully_directed(i, j), (i, j)
    assert cg.is_undirected(a, w)
    assert cg.definite_UC == []


def test_the_independent_node_rule_needs_the_collider_and_closes_no_cycle():
    """w (0) and c (1) are independent of the target (4); x (2) and v (3) depend on it.
    w - x: w is independent of the target given x and c (a chain w -> c -> x the skeleton
    kept as an edge too), so the edge is left. c - x: a collider, but x -> v -> c is
    directed, so c -> x would close a cycle: left in the first pass. c - v, checked next:
    turned round to c -> v (v -> c would join c to the target), and the undirected
    v - target then points at v. With v -> c gone, the next pass orients c -> x, and
    x - target points at x."""
    from skcama.discovery import _independent_of_target_point_in

    w, c, x, v, t = range(5)
    cg = _graph_of(5, {(w, x): "--", (w, c): "--", (c, x): "--", (x, v): "->",
                       (v, c): "->", (x, t): "--", (v, t): "--"})
    cg.test = _MarginalTest({(x, t), (v, t), (w, c), (c, x), (x, v)},
                            independent={(w, t, (x, c))})
    assert _independent_of_target_point_in(cg, 0.01, None, t) == [(c, v), (t, v), (c, x),
                                                                   (t, x)]
    assert cg.is_undirected(w, x) and cg.is_fully_directed(c, x)
    assert cg.is_fully_directed(c, v) and cg.is_fully_directed(x, v)
    # a path the rule does not turn round blocks it for good: x -> v -> u -> c, where u
    # is independent of the target but not given v (so v -> u stays)
    c, x, v, u, t = range(5)
    cg = _graph_of(5, {(c, x): "--", (x, v): "->", (v, u): "->", (u, c): "->",
                       (x, t): "--", (v, t): "--"})
    cg.test = _MarginalTest({(x, t), (v, t)}, independent={(u, t, (v,))})
    assert _independent_of_target_point_in(cg, 0.01, None, t) == []
    assert cg.is_undirected(c, x) and cg.is_fully_directed(v, u) and cg.is_undirected(x, t)
    # without the path x -> v the collider at x is oriented
    c, x, t = 1, 2, 4
    cg = _graph_of(5, {(c, x): "--", (x, t): "--"})
    cg.test = _MarginalTest({(x, t)})
    assert _independent_of_target_point_in(cg, 0.01, None, t) == [(c, x), (t, x)]


def test_a_collider_into_a_dependent_neighbour_points_its_target_edge_at_it_too():
    """w -> x from a collider w -> x <- z (w independent of the target t, x dependent):
    x -> t would make w a cause of t, so the undirected x - t points at x even though the
    rule itself did not orient w -> x (Meek would otherwise read w -> x - t as x -> t)."""
    from skcama.discovery import _independent_of_target_point_in

    w, z, x, t = range(4)
    cg = _graph_of(4, {(w, x): "->", (z, x): "->", (x, t): "--"})
    cg.test = _MarginalTest({(x, t), (z, t)}, independent={(w, t, (x,))})
    assert _independent_of_target_point_in(cg, 0.01, None, t) == [(t, x)]
    assert cg.is_fully_directed(t, x) and cg.is_fully_directed(w, x)


def _scaled_stand_in(w: int, t: int, others_dependent: set, marginal: dict, given: float,
                     factor: float):
    """A stand-in for _TargetLevel around a test whose own p-values are ``marginal[i]``
    for node i and the target t given nothing (0 where not listed) and ``given`` for w
    and t given anything; the target's p-values come out multiplied by ``factor`` (at
    most 1). Returns (the wrapper as cg.test, the own test as a function)."""

    def own(i, j, S):
        if t not in (i, j):
            return 0.0 if S or frozenset((i, j)) in others_dependent else 0.5
        (other,) = {i, j} - {t}
        return (given if other == w else 0.0) if S else marginal.get(other, 0.0)

    class Scaled:
        method = "stand-in"

        def __call__(self, i, j, S):
            p_value = own(i, j, S)
            return min(1.0, p_value * factor) if t in (i, j) else p_value

    return Scaled(), own


def test_the_independent_node_rule_reads_independence_at_alpha_not_target_alpha():
    """With the target's tests read at target_alpha = 0.05 (their p-values multiplied by
    alpha / target_alpha = 0.2, as _TargetLevel does), the rule reads independence of the
    target given nothing at alpha = 0.01 on the wrapped test's own p-value: w, not
    adjacent to the target, with p = 0.03 is independent of it, so the collider
    x -> w <- v that larger sets claimed turns round where w depends on the target given
    x and given v. That test stays at the target's level (0.03 is dependence; 0.07 is
    not, at either level). A neighbour of the target depends on it whatever its p-value
    (x at 0.03 still takes w's edge). At 0.005 w depends on the target, and a rule that
    reads the multiplied p-value (0.006) takes it for dependence, as it did before. With
    target_alpha below alpha (0.01 and 0.1: multiplied by 10, so 1 for any own p-value
    above 0.1) w at 0.5 is independent too."""
    from skcama.discovery import _independent_of_target_point_in

    w, x, v, t = range(4)

    def oriented(marginal: dict, given: float, factor: float = 0.2, alpha: float = 0.01,
                 told: bool = True) -> tuple[list, object]:
        cg = _graph_of(4, {(x, w): "->", (v, w): "->", (x, t): "--", (v, t): "--"})
        cg.test, own = _scaled_stand_in(w, t, {frozenset((x, v))}, marginal, given, factor)
        rule = _independent_of_target_point_in
        return rule(cg, alpha, None, t, own_test=own if told else None), cg

    cases = [({w: 0.03}, 1e-6, 0.2, 0.01), ({w: 0.03}, 0.03, 0.2, 0.01),
             ({w: 0.03, x: 0.03}, 1e-6, 0.2, 0.01), ({w: 0.5}, 1e-6, 10.0, 0.1)]
    for marginal, given, factor, alpha in cases:
        turned, cg = oriented(marginal, given, factor, alpha)
        assert sorted(turned) == [(w, x), (w, v), (t, x), (t, v)], (marginal, given)
        assert cg.is_fully_directed(w, x) and cg.is_fully_directed(w, v)
    for marginal, given, told in [({w: 0.005}, 1e-6, True), ({w: 0.03}, 0.07, True),
                                  ({w: 0.03}, 1e-6, False)]:
        kept, cg = oriented(marginal, given, told=told)
        assert kept == [], (marginal, given, told)
        assert cg.is_fully_directed(x, w) and cg.is_fully_directed(v, w)


def test_the_independent_node_rule_respects_the_skeletons_separating_set():
    """w's own p-value against the target given nothing, 0.03, lies between alpha and
    target_alpha, so PC removed the edge w - t at a larger depth; where the set that
    separated them holds x, x is no collider between them and the rule leaves w - x (and
    x - t) alone; v, not in that set, still takes w's edge."""
    import numpy as np

    from skcama.discovery import _independent_of_target_point_in

    w, x, v, t = range(4)
    cg = _graph_of(4, {(x, w): "->", (v, w): "->", (x, t): "--", (v, t): "--"})
    cg.test, own = _scaled_stand_in(w, t, {frozenset((x, v))}, {w: 0.03}, 1e-6, 0.2)
    cg.sepset = np.empty((4, 4), object)
    cg.sepset[w, t] = cg.sepset[t, w] = [(x,)]
    oriented = _independent_of_target_point_in(cg, 0.01, None, t, own_test=own)
    assert sorted(oriented) == [(w, v), (t, v)]
    assert cg.is_fully_directed(x, w) and cg.is_undirected(x, t)


def test_pc_gives_the_independent_node_rule_the_wrapped_test(monkeypatch):
    """_pc gives the rule the test that _TargetLevel wraps (its p-values unscaled), and
    the test itself where every test is read at alpha."""
    import skcama.discovery as discovery

    seen = []
    rule = discovery._independent_of_target_point_in

    def recording(cg, alpha, bk, target, limit=None, own_test=None):
        seen.append(own_test is getattr(cg.test, "inner", cg.test))
        seen.append(type(own_test).__name__)
        return rule(cg, alpha, bk, target, limit, own_test)

    monkeypatch.setattr(discovery, "_independent_of_target_point_in", recording)
    X, y = SyntheticSEM(random_state=0).sample(300, random_state=1)
    discovery.discover_graph(X, y, target="y", alpha=0.01, target_alpha=0.05)
    discovery.discover_graph(X, y, target="y", alpha=0.01, target_alpha=0.01)
    assert seen == [True, "_BlockLRT", True, "_BlockLRT"]


def test_the_independent_node_rule_does_not_depend_on_the_order_of_the_nodes():
    """a -> w1 <- x2, w1 -> w2 <- b and x2 -> w2 (colliders that larger sets claimed),
    x2 - t; only x2 depends on the target. Both w1 and w2 point into x2 whichever comes
    first: with w2 first, x2 -> w1 -> w2 blocked w2 -> x2 as a cycle until w1's turn
    reversed x2 -> w1, and one pass left w2 an effect of the child x2."""
    from skcama.discovery import _independent_of_target_point_in

    results = []
    for w1, w2 in [(1, 2), (2, 1)]:
        a, b, x2, t = 0, 3, 4, 5
        cg = _graph_of(6, {(x2, w1): "->", (a, w1): "->", (w1, w2): "->", (b, w2): "->",
                           (x2, w2): "->", (x2, t): "--"})
        cg.test = _MarginalTest({(x2, t)})
        _independent_of_target_point_in(cg, 0.01, None, t)
        assert cg.is_fully_directed(w1, x2) and cg.is_fully_directed(w2, x2), (w1, w2)
        assert cg.is_fully_directed(t, x2) and cg.is_fully_directed(w1, w2)
        results.append(cg.G.graph[[a, b, x2, t]][:, [a, b, x2, t]].tolist())
    assert results[0] == results[1]


class _GivenSets(_MarginalTest):
    """_MarginalTest that records every conditioning set of a test with ``target``."""

    def __init__(self, dependent: set, independent: set = frozenset(), target: int = -1):
        super().__init__(dependent, independent)
        self.target, self.asked = target, []

    def __call__(self, i, j, S):
        if self.target in (i, j) and S:
            self.asked.append(({i, j} - {self.target}, frozenset(S)))
        return super().__call__(i, j, S)


def _separated(cg, pairs: dict) -> None:
    """Give causal-learn's graph ``cg`` the separating sets ``pairs``: (i, j) -> [sets]."""
    cg.sepset = np.empty((len(cg.G.nodes), len(cg.G.nodes)), object)
    for (i, j), sets in pairs.items():
        cg.sepset[i, j] = cg.sepset[j, i] = sets


def test_an_edge_at_the_target_comes_back_where_the_neighbours_contradict_its_separation():
    """x (0), dependent on the target t given nothing, was separated from it given the
    children s (1) and u (2) (colliders with a hidden cause of x). Its neighbour p (3),
    not adjacent to t and independent of it, joins that set, and given s, u and p x
    depends on t: the edge x - t comes back with no separating set left. Its other
    neighbours stay out of the set: w (4), adjacent to both x and t and in no separating
    set (a common effect x -> w <- t would open a path), and k (5), a common effect
    x -> k <- a of x and the target's cause a (6), which depends on t. o (7), a
    grandchild of t through s that depends on it given nothing but not given s (no
    free neighbour joins it), stays apart, and so does c (8), a cause of the common
    effect w, independent of t given nothing, although it depends on t given w."""
    from skcama.discovery import _restore_target_edges

    x, s, u, p, w, k, a, o, c, t = range(10)
    cg = _graph_of(10, {(x, s): "--", (x, u): "--", (x, p): "--", (x, w): "--",
                        (x, k): "--", (a, k): "--", (a, t): "--", (s, t): "--",
                        (u, t): "--", (w, t): "--", (o, s): "--", (c, w): "--"})
    _separated(cg, {(x, t): [(s, u)], (o, t): [(s,)], (c, t): [()]})
    cg.test = _GivenSets({(x, t), (o, t), (s, t), (u, t), (w, t), (k, t), (a, t)},
                         independent={(x, t, (s, u)), (o, t, (s,))}, target=t)
    assert _restore_target_edges(cg, 0.01, None, t) == [x]
    assert cg.is_undirected(x, t) and cg.sepset[x, t] is None and cg.sepset[t, x] is None
    assert cg.G.graph[o, t] == 0 and cg.G.graph[c, t] == 0
    assert cg.sepset[o, t] == [(s,)] and cg.sepset[c, t] == [()]
    assert ({x}, frozenset({s, u, p})) in cg.test.asked
    assert not any(w in given or k in given for _, given in cg.test.asked)


def test_an_edge_at_the_target_stays_removed_where_one_separation_holds():
    """The same x, independent of t given its separating set with its free neighbour p
    too: nothing changes. PC-stable records the union of the sets that separated a pair
    at one depth: here {L} and {c}, where c is a common effect x -> c <- a of x and the
    target's cause a (a path it opens cancels x's dependence through L). Given {L} (no
    free neighbour) x stays apart, so the edge stays removed although x depends on t
    given the whole recorded set. An edge that background knowledge forbids both ways
    is not tested; one forbidden one way is."""
    from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

    from skcama.discovery import _restore_target_edges

    x, s, p, t = range(4)
    edges = {(x, s): "--", (x, p): "--", (s, t): "--"}

    def graph(independent: set):
        cg = _graph_of(4, edges)
        _separated(cg, {(x, t): [(s,)]})
        cg.test = _MarginalTest({(x, t), (s, t)}, independent=independent)
        return cg

    cg = graph({(x, t, (s,)), (x, t, (s, p))})
    assert _restore_target_edges(cg, 0.01, None, t) == []
    assert cg.G.graph[x, t] == 0 and cg.sepset[x, t] == [(s,)]
    nodes = graph(set()).G.nodes
    bk = BackgroundKnowledge().add_forbidden_by_node(nodes[x], nodes[t])
    assert _restore_target_edges(graph({(x, t, (s,))}), 0.01, bk, t) == [x]
    bk.add_forbidden_by_node(nodes[t], nodes[x])
    assert _restore_target_edges(graph({(x, t, (s,))}), 0.01, bk, t) == []

    x, hidden, c, a, t = range(5)
    cg = _graph_of(5, {(hidden, x): "--", (hidden, t): "--", (x, c): "--", (a, c): "--",
                       (a, t): "--"})
    _separated(cg, {(x, t): [(hidden, c)], (c, t): [(a, x)]})
    cg.test = _MarginalTest({(x, t), (hidden, t), (a, t), (c, t)},
                            independent={(x, t, (hidden,)), (x, t, (c,))})
    assert _restore_target_edges(cg, 0.01, None, t) == []


def test_the_edge_check_tries_separating_sets_no_larger_than_the_limit():
    """x was separated from t given {s1, s2} and nothing smaller; with max_k = 1 the
    check tries the subsets of at most one node (none separates), so the edge stays
    removed and no set of two is asked; without a limit {s1, s2} is tried, joined by the
    free neighbour p, and the edge comes back."""
    from skcama.discovery import _restore_target_edges

    x, s1, s2, p, t = range(5)
    for max_k, restored in [(1, []), (None, [x])]:
        cg = _graph_of(5, {(x, s1): "--", (x, s2): "--", (x, p): "--", (s1, t): "--",
                           (s2, t): "--"})
        _separated(cg, {(x, t): [(s1, s2)]})
        cg.test = _GivenSets({(x, t), (s1, t), (s2, t)}, independent={(x, t, (s1, s2))},
                             target=t)
        assert _restore_target_edges(cg, 0.01, None, t, max_k=max_k) == restored
        largest = max(len(given - {p}) for _, given in cg.test.asked)
        assert largest == (1 if max_k == 1 else 2)


def test_a_common_effect_in_the_recorded_set_brings_no_edge_back():
    """Fisher-z on x -> c <- a -> t, L -> x, L -> t (5,000 linear-Gaussian rows): PC
    separates x and t given L, and also given c (a cancellation), and records {L, c}; x
    depends on t given both, but not given L, so no edge x - t appears."""
    from skcama.discovery import _pc

    rng = np.random.default_rng(0)
    hidden, a = rng.normal(size=(2, 5000))
    t = hidden + a + rng.normal(size=5000)
    x = hidden + rng.normal(size=5000)
    c = x + a + rng.normal(size=5000)
    cg = _pc(np.column_stack([hidden, a, x, c, t]), 0.01, "fisherz", None, 4, target_node=4)
    assert cg.G.graph[2, 4] == 0 and cg.G.graph[4, 2] == 0


def test_the_edge_check_reads_dependence_given_nothing_at_alpha_on_the_own_test():
    """With the target's tests read at 0.05 (p-values multiplied by 0.2), a node whose own
    p-value against the target given nothing is 0.03 counts as independent of it, as in
    the rule for such nodes, and its edge is not put back; the test given the separating
    set and the free neighbour f is read at the target's level (0.03 is dependence, 0.07
    is not)."""
    from skcama.discovery import _restore_target_edges

    x, s, f, t = range(4)
    for marginal, given, restored in [(0.03, 0.0, []), (0.005, 0.0, [x]),
                                      (0.005, 0.03, [x]), (0.005, 0.07, [])]:
        cg = _graph_of(4, {(x, s): "--", (x, f): "--", (s, t): "--"})
        _separated(cg, {(x, t): [(s,)]})

        def own(i, j, S, marginal=marginal, given=given):
            if t not in (i, j) or s in (i, j):
                return 0.0
            if f in (i, j):
                return 0.5  # f is independent of the target
            return given if f in S else 0.5 if S else marginal

        class Scaled:
            method = "stand-in"

            def __call__(self, i, j, S, own=own):
                p_value = own(i, j, S)
                return min(1.0, p_value * 0.2) if t in (i, j) else p_value

        cg.test = Scaled()
        assert _restore_target_edges(cg, 0.01, None, t, own) == restored, (marginal, given)


def test_pc_puts_back_a_child_whose_separation_its_neighbours_contradict():
    """On a 20-node SEM of benchmarks/graphs_sem.py (seed 13, 5,000 rows), PC separated
    the child x4 from the target given o2 and the children x1 and x5 (p = 0.067); given
    those and x4's neighbours independent of the target it depends on it (p about
    1e-30), and it comes out as a child, as it did not before."""
    sem = SyntheticSEM(n_parents=3, n_coparents=4, n_children=8, n_outside=4, n_classes=4,
                       random_state=13)
    X, y = sem.sample(5000, random_state=1013)
    roles = markov_blanket_roles(discover_graph(X, y, target="y"), "y")
    assert "x4" in roles.children


def test_the_independent_node_rule_keeps_to_the_conditioning_limit():
    from skcama.discovery import _independent_of_target_point_in

    class Recording(_MarginalTest):
        largest = 0

        def __call__(self, i, j, S):
            Recording.largest = max(Recording.largest, len(S))
            return super().__call__(i, j, S)

    w, c1, c2, c3, x, t = range(6)  # w's neighbours c1..c3 are independent of t too
    cg = _graph_of(6, {(w, x): "--", (w, c1): "--", (w, c2): "--", (w, c3): "--",
                       (x, t): "--"})
    cg.test = Recording({(x, t)})
    assert _independent_of_target_point_in(cg, 0.01, None, t, limit=2) == [(w, x), (t, x)]
    assert Recording.largest == 2
    cg = _graph_of(6, {(w, x): "--", (w, c1): "--", (w, c2): "--", (w, c3): "--",
                       (x, t): "--"})
    cg.test = Recording({(x, t)}, independent={(w, t, (x, c1, c2, c3))})
    assert _independent_of_target_point_in(cg, 0.01, None, t) == []  # no limit: all four


def test_background_knowledge_wins_over_the_independent_node_rule():
    from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

    from skcama.discovery import _independent_of_target_point_in

    w, x1, t = range(3)
    cg = _graph_of(3, {(x1, w): "->", (t, x1): "--"})
    cg.test = _MarginalTest({(x1, t)})
    bk = BackgroundKnowledge().add_forbidden_by_node(cg.G.nodes[w], cg.G.nodes[x1])
    assert _independent_of_target_point_in(cg, 0.01, bk, t) == []
    assert cg.is_fully_directed(x1, w) and cg.is_undirected(t, x1)


def test_conditioning_sets_are_limited_in_size():
    from causallearn.graph.GraphClass import CausalGraph

    from skcama.discovery import _condition_sets

    cg = CausalGraph(8)  # complete graph: every node has 7 neighbours
    sets = _condition_sets(cg, 0, 1, 2)
    assert max(len(s) for s in sets) == 2
    assert () in sets and (1, 2) in sets and (0, 2) in sets and (0, 1) not in sets
    assert len(_condition_sets(cg, 0, 1, None)) == 2**7 + 2**7 - 2**6  # two powersets



@pytest.mark.parametrize(
    ("values", "what"),
    [(np.arange(60) + 1j, "complex numbers"),
     (pd.date_range("2020-01-01", periods=60), "dates")],
)
def test_columns_fit_refuses_are_refused_by_discovery_too(values, what):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = pd.DataFrame({"a": rng.normal(size=60) + y, "k": values})
    with pytest.raises(ValueError, match=rf"column 'k' holds {what}"):
        discover_graph(X, y)


def test_fci_gives_the_same_graph_in_every_process():
    """causal-learn hashes its nodes by name, and Python salts str hashes per process;
    FCI's graph used to depend on that salt (PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    script = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from skcama.discovery import discover_graph\n"
        "from skcama.datasets import SyntheticSEM\n"
        "X, y = SyntheticSEM(random_state=0).sample(500, random_state=0)\n"
        "print(sorted(map(str, discover_graph(X, y, target='y', method='fci').edges)))\n"
    )
    graphs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (4, 1)  # two salts that gave different graphs before
    }
    assert len(graphs) == 1, graphs


def test_discovery_in_threads_gives_each_thread_its_graph_and_restores_the_process(small_sem):
    """causal-learn runs with process-wide state: FCI's node hash, the warning filters and
    standard output. Threads that discover at once (FCI next to PC and GES) must each get
    the graph they get alone, and the process must be as before afterwards (a
    save-and-restore per call in two threads kept the patched hash, or an "ignore every
    warning" filter, for good)."""
    import sys
    import threading

    from causallearn.graph.GraphNode import GraphNode

    _, X, y = small_sem
    own_hash, own_stdout, own_filters = GraphNode.__hash__, sys.stdout, list(warnings.filters)
    methods = ["fci", "pc", "ges", "fci", "pc"]
    alone = {m: set(discover_graph(X, y, target="y", method=m).edges) for m in set(methods)}
    results: dict = {}

    def run(i: int, method: str) -> None:
        results[i] = set(discover_graph(X, y, target="y", method=method).edges)

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(methods)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: alone[m] for i, m in enumerate(methods)}
    assert GraphNode.__hash__ is own_hash and sys.stdout is own_stdout
    assert warnings.filters == own_filters


def test_quiet_mutes_only_the_thread_that_runs_discovery(capsys):
    import threading

    from skcama.discovery import _quiet

    inside, printed = threading.Event(), threading.Event()

    def discovery_thread() -> None:
        with _quiet():
            print("from causal-learn")
            inside.set()
            printed.wait(timeout=30)

    worker = threading.Thread(target=discovery_thread)
    worker.start()
    assert inside.wait(timeout=30)
    print("from the user's thread")  # while the worker is still muted
    printed.set()
    worker.join()
    out = capsys.readouterr().out
    assert "from the user's thread" in out and "from causal-learn" not in out


def test_quiet_nests_mutes_writelines_and_leaves_nothing_behind(capsys):
    import copy
    import sys

    from skcama.discovery import _quiet

    before = sys.stdout
    with _quiet():
        with _quiet():
            print("inner")
        print("outer")
        sys.stdout.writelines(["by writelines\n"])
        proxy = sys.stdout
        assert copy.copy(proxy) is not proxy  # the proxy copies (no endless lookup)
    assert sys.stdout is before
    print("after")
    assert capsys.readouterr().out == "after\n"
    # a proxy that another thread's redirect puts back after the call passes output on
    sys.stdout = proxy
    try:
        print("through a stale proxy")
    finally:
        sys.stdout = before
    assert capsys.readouterr().out == "through a stale proxy\n"


def test_quiet_without_standard_output(monkeypatch):
    import sys

    from skcama.discovery import _quiet

    monkeypatch.setattr(sys, "stdout", None)  # pythonw, some daemons
    with _quiet():
        print("nowhere")
    assert sys.stdout is None


# ------------------------------------------------------------------ row weights
def _selected(seed: int, n: int = 6000):
    """Two independent causes ``a`` (of y) and ``c`` (of x), rows kept with a probability
    that grows with both: the kept rows show an a - c dependence that the population does
    not have; the inverse probabilities of selection undo it."""
    rng = np.random.default_rng(seed)
    a, c = rng.normal(size=n), rng.normal(size=n)
    y = (a + rng.normal(size=n) > 0).astype(int)
    x = y + 0.5 * c + 0.7 * rng.normal(size=n)
    keep = 1 / (1 + np.exp(-(a + c)))
    kept = rng.random(n) < keep
    return pd.DataFrame({"a": a, "c": c, "x": x})[kept], y[kept], 1 / keep[kept]


def test_weights_undo_a_selection_that_joins_two_causes():
    joined = {"unweighted": 0, "weighted": 0}
    for seed in range(10):
        X, y, weights = _selected(seed)
        for name, w in (("unweighted", None), ("weighted", weights)):
            g = discover_graph(X, y, target="y", sample_weight=w)
            joined[name] += g.has_edge("a", "c") or g.has_edge("c", "a")
    # measured: 10 and 1 of 10 (the weighted test's rate of a false edge grows with how
    # unequal the weights are, see discover_graph)
    assert joined["unweighted"] >= 9 and joined["weighted"] <= 3, joined


def test_fci_takes_weights_too():
    X, y, weights = _selected(0)
    graph = discover_graph(X, y, target="y", method="fci", sample_weight=weights)
    assert nx.is_directed_acyclic_graph(graph)
    assert not (graph.has_edge("a", "c") or graph.has_edge("c", "a"))
    unweighted = discover_graph(X, y, target="y", method="fci")
    assert unweighted.has_edge("a", "c") or unweighted.has_edge("c", "a")


def test_equal_weights_and_zero_weights(small_sem):
    _, X, y = small_sem
    alone = set(discover_graph(X, y, target="y").edges)
    assert set(discover_graph(X, y, target="y", sample_weight=np.full(len(X), 2.5)).edges) == alone
    keep = np.arange(len(X)) % 3 > 0
    kept_only = set(discover_graph(X[keep], np.asarray(y)[keep], target="y").edges)
    weighted = discover_graph(X, y, target="y", sample_weight=keep.astype(float))
    assert set(weighted.edges) == kept_only


def test_a_target_or_background_node_written_as_text_for_a_number_column_is_named():
    """'1' beside a column 1: the search ran, then every function refused the graph's two
    nodes reading '1'; a tier naming '1' got 'Did you mean 1?'."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = pd.DataFrame(rng.normal(size=(300, 3)) + y[:, None]).set_axis(range(3), axis=1)
    with pytest.raises(ValueError, match=r"the target '1' reads as X's column 1 \(str against "
                                         r"int\).*X.columns.map\(str\)"):
        discover_graph(X, y, target="1")
    with pytest.raises(GraphError, match=r"names node '1', which is neither a column of X nor "
                                         r"the target. '1' and the column 1 are the same text"):
        discover_graph(X, y, target="t", background={"tiers": [["1"], ["t"]]})


def test_weights_indexed_otherwise_than_x_are_warned_of(small_sem):
    """Rows are paired by position, as in fit, which warns of such a Series; discovery
    said nothing."""
    _, X, y = small_sem
    weights = pd.Series(np.ones(len(X)), index=X.index[::-1])
    with pytest.warns(UserWarning, match="sample_weight's index holds the rows in another "
                                         "order than X's index"):
        discover_graph(X, y, target="y", sample_weight=weights)


@pytest.mark.parametrize(
    "options, weights, message",
    [(dict(method="ges"), "ones", "not by method='ges'"),
     (dict(test="fisherz"), "ones", "not by test='fisherz'"),
     ({}, "short", "sample_weight has 1999 entries but X has 2000 rows"),
     ({}, "negative", "must be finite and non-negative; 1 of 2000 are not (row 3: -1.0)"),
     ({}, "zeros", "sample_weight is zero for every row"),
     ({}, "few", "at least 10 rows of positive weight, got 5")],
)
def test_bad_weights_are_refused(small_sem, options, weights, message):
    _, X, y = small_sem
    n = len(X)
    w = {"ones": np.ones(n), "short": np.ones(n - 1), "zeros": np.zeros(n),
         "negative": np.r_[1.0, 1.0, 1.0, -1.0, np.ones(n - 4)],
         "few": np.r_[np.arange(1.0, 6.0), np.zeros(n - 5)]}[weights]
    with pytest.raises(ValueError, match=re.escape(message)):
        discover_graph(X, y, target="y", sample_weight=w, **options)


def test_rows_of_weight_0_are_left_out_before_the_checks(small_sem):
    _, X, y = small_sem
    y = np.asarray(y).copy()
    weights = np.ones(len(X))
    X = X.copy()
    X.iloc[0, 0] = np.nan  # a hole and ...
    weights[0] = 0.0
    weights[1] = 2.0
    discover_graph(X, y, target="y", sample_weight=weights)  # ... left out: no error
    one_class = (y == y[0]).astype(float)  # every row of positive weight has one class
    with pytest.raises(ValueError, match="class"):
        discover_graph(X.iloc[1:], y[1:], target="y", sample_weight=one_class[1:] + 0.0)


def test_fit_passes_row_weights_not_class_weights_to_discovery(small_sem, monkeypatch):
    import skcama.discovery

    _, X, y = small_sem
    seen = []
    real = skcama.discovery.discover_graph

    def spy(*args, **kwargs):
        seen.append(kwargs.get("sample_weight"))
        return real(*args, **kwargs)

    monkeypatch.setattr(skcama.discovery, "discover_graph", spy)
    weights = np.where(np.arange(len(X)) % 2, 1.0, 3.0)
    clf = CAMAClassifier(graph="pc", max_epochs=1, class_weight="balanced", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y, sample_weight=weights)
        clf.fit(X, y, sample_weight=np.full(len(X), 2.0))  # equal weights: unweighted
    np.testing.assert_array_equal(seen[0], weights)
    assert seen[1] is None
    with pytest.warns(UserWarning, match="graph='ges' discovers the graph without sample_weight"):
        CAMAClassifier(graph="ges", max_epochs=1, random_state=0).fit(
            X, y, sample_weight=weights)
    # a test that takes no weights: discovered unweighted with the warning, as GES (it
    # raised, in discover_graph's words)
    seen.clear()
    with pytest.warns(UserWarning, match=r"graph='pc' discovers the graph without "
                                         r"sample_weight \(discovery_params\['test'\]="
                                         r"'fisherz' takes no row weights"):
        CAMAClassifier(graph="pc", max_epochs=1, random_state=0,
                       discovery_params={"test": "fisherz"}).fit(X, y, sample_weight=weights)
    assert seen == [None]


def test_fci_searches_with_its_tiers_and_takes_numpys_integers():
    """causal-learn keys tiers by node in a dict; built under the usual hash and read
    under FCI's stable one, no lookup found them: FCI searched as if none were given.
    A numpy integer max_condition_size crashed in causal-learn ('depth' must be int)."""
    import causallearn.search.ConstraintBased.FCI as causallearn_fci
    from causallearn.graph.GraphNode import GraphNode

    seen = []
    real = causallearn_fci.fci

    def spy(*args, background_knowledge=None, **kwargs):
        knowledge = background_knowledge
        seen.append(knowledge.is_forbidden(GraphNode("X2"), GraphNode("X1")))
        return real(*args, background_knowledge=knowledge, **kwargs)

    rng = np.random.default_rng(6)
    n = 500
    labels = rng.integers(0, 2, n)
    z = labels + rng.normal(size=n)
    x = rng.normal(size=n)
    b = x + z + rng.normal(size=n)
    frame = pd.DataFrame({"b": b, "x": x, "z": z})  # nodes X1 = b, X2 = x (by name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(causallearn_fci, "fci", spy)
        discover_graph(frame, labels, method="fci", background={"tiers": [["b"], ["x"]]},
                       max_condition_size=np.int64(2))
    assert seen == [True]  # x -> b goes against the tiers, inside the search


def test_verbose_must_be_a_whole_number_of_at_least_0(small_sem):
    _, X, y = small_sem
    for verbose in (-1, "no", 1.5):
        with pytest.raises(ValueError, match="verbose must be a whole number >= 0"):
            discover_graph(X, y, verbose=verbose)


def test_discovery_params_reach_discover_graph(small_sem, monkeypatch, tmp_path):
    import skcama.discovery
    from skcama.persistence import load_model

    _, X, y = small_sem
    seen = []
    real = skcama.discovery.discover_graph

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(skcama.discovery, "discover_graph", spy)
    params = {"target_alpha": 0.02, "max_condition_size": 2,
              "background": {"forbidden": [("x1", "a1")]}}
    clf = CAMAClassifier(graph="pc", discovery_params=params, max_epochs=1, random_state=0)
    clf.fit(X.iloc[:500], y.iloc[:500])
    assert {k: seen[0][k] for k in params} == params
    assert clf.graph_.graph["target_alpha"] == 0.02
    assert not clf.graph_.has_edge("x1", "a1")
    assert clf.discovery_params == params  # the estimator's parameter is left as given
    clf.save(tmp_path / "model.skcama")  # and a model file keeps it
    assert load_model(tmp_path / "model.skcama").discovery_params == params
    # the default: discover_graph's own defaults
    CAMAClassifier(graph="pc", max_epochs=1, random_state=0).fit(X.iloc[:500], y.iloc[:500])
    assert not set(params) & set(seen[1])


@pytest.mark.parametrize("graph", ["pc", None])
@pytest.mark.parametrize(
    "params, match",
    [
        ({"target_alpa": 0.1}, r"key 'target_alpa'.*Did you mean 'target_alpha'"),
        ({"method": "ges"}, r"key 'method'.*The estimator sets it: the method is graph="),
        ({"sample_weight": None}, r"key 'sample_weight'.*The estimator sets it"),
    ],
)
def test_discovery_params_with_unknown_keys_are_refused(small_sem, graph, params, match):
    _, X, y = small_sem
    clf = CAMAClassifier(graph=graph, discovery_params=params, max_epochs=1)
    with pytest.raises(ValueError, match=match):
        clf.fit(X.iloc[:200], y.iloc[:200])


def test_discovery_params_values_are_checked_by_discover_graph(small_sem):
    _, X, y = small_sem
    clf = CAMAClassifier(graph="pc", discovery_params={"target_alpha": 2.0}, max_epochs=1)
    with pytest.raises(ValueError, match="target_alpha must be a number strictly between"):
        clf.fit(X.iloc[:200], y.iloc[:200])
    with pytest.raises(ValueError, match="discovery_params"):  # sklearn's own type check
        CAMAClassifier(graph="pc", discovery_params=[("alpha", 0.1)]).fit(X, y)


@pytest.mark.parametrize("graph", [None, "a graph"])
def test_discovery_params_without_discovery_warn_that_they_are_ignored(small_sem, graph):
    sem, X, y = small_sem
    spec = sem.graph if graph else None
    clf = CAMAClassifier(graph=spec, discovery_params={"alpha": 0.1}, max_epochs=1)
    with pytest.warns(UserWarning, match=r"discovery_params=\{'alpha': 0.1\} is ignored.*"
                                         r"runs only when graph names a discovery method"):
        clf.fit(X.iloc[:200], y.iloc[:200])
    with warnings.catch_warnings():  # empty options say nothing
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(discovery_params={}).fit(X.iloc[:200], y.iloc[:200])


def test_discovery_that_finds_no_neighbour_of_the_target_says_what_to_try():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    with pytest.raises(GraphError, match=r"Discovery \(graph='pc'\) found no column.*"
                                         r"target_alpha"):
        CAMAClassifier(graph="pc", max_epochs=1).fit(X, rng.integers(0, 2, 300))


def test_grid_search_tunes_discovery_with_the_model(small_sem):
    from sklearn.model_selection import GridSearchCV

    _, X, y = small_sem
    search = GridSearchCV(
        CAMAClassifier(graph="pc", max_epochs=2, random_state=0),
        {"discovery_params": [{"target_alpha": 0.01}, {"target_alpha": 0.05}]},
        cv=2,
    ).fit(X.iloc[:600], y.iloc[:600])
    assert search.best_params_["discovery_params"] in ({"target_alpha": 0.01},
                                                       {"target_alpha": 0.05})
    assert search.best_estimator_.graph_.graph["target_alpha"] in (0.01, 0.05)


def test_rcit_follows_random_state_and_leaves_numpy_global_state_alone(small_sem):
    """causal-learn's RCIT draws random features from numpy's global state and ignores a
    seed argument: the graph changed from call to call whatever random_state said."""
    _, X, y = small_sem
    X, y = X.iloc[:300], y.iloc[:300]
    np.random.seed(7)  # noqa: NPY002 (the global state is the point)
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state is the point)

    def edges(seed):
        graph = discover_graph(X, y, target="y", test="rcit", alpha=0.05, random_state=seed)
        return sorted(map(str, graph.edges))

    first, second = edges(0), edges(0)
    assert first == second
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002 (the global state is the point)
    # the helper seeds numpy with the given seed and restores the caller's state
    from skcama.discovery import _numpy_global_seed

    with _numpy_global_seed(0):
        a = np.random.rand()  # noqa: NPY002 (the global state is the point)
    with _numpy_global_seed(1):
        b = np.random.rand()  # noqa: NPY002 (the global state is the point)
    assert a != b
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002 (the global state is the point)


def test_a_text_identifier_column_is_refused_before_discovery_runs():
    """A distinct text in every row is a category with one level per row: slow to test
    (a 60-column search ran past 5 minutes with one, 76 s without) and, on few rows,
    fitted perfectly, so that it swallows the label's edges."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    X = pd.DataFrame({"x1": rng.normal(size=40) + y, "x2": rng.normal(size=40) - y,
                      "patient_id": [f"P{i:03d}" for i in range(40)]})
    with pytest.raises(ValueError, match=r"columns \['patient_id'\] hold a distinct value in "
                                          r"every row \(e.g. 'P000' in 'patient_id'\).*--id "
                                          r"'patient_id'"):
        discover_graph(X, y, target="y")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discover_graph(X.drop(columns="patient_id"), y, target="y")
    assert not [w for w in caught if "numbers the rows" in str(w.message)]
    # 40 rows are also too few for the tests to have power: said once
    assert sum("discovery on 40 rows" in str(w.message) for w in caught) == 1


def test_a_balanced_zero_one_column_is_read_as_the_flag_it_is():
    """A numeric 0/1 column with as many 0s as 1s (a 1:1 randomised arm) has a constant
    square: conditioning on it once made every test NaN, read as independence, and the
    graph lost its edges. It now gives the graph its bool twin gives."""
    from skcama.datasets import make_sem

    X, y, _ = make_sem(1500, n_parents=2, n_coparents=2, n_children=4, n_outside=1,
                       n_classes=3, random_state=1)
    X["x2"] = (X["x2"] > X["x2"].median()).astype(int)  # exactly 750 / 750
    assert X["x2"].mean() == 0.5
    as_int = discover_graph(X, y, target="y")
    as_bool = discover_graph(X.assign(x2=X["x2"].astype(bool)), y, target="y")
    assert set(as_int.edges) == set(as_bool.edges)
    assert set(as_int.predecessors("y")) | set(as_int.successors("y"))


def test_a_cycle_left_by_discovery_loses_an_edge_away_from_the_target_with_a_warning():
    from skcama.discovery import _break_cycles

    graph = nx.DiGraph([("crackles", "y"), ("y", "xray"), ("xray", "crackles"), ("a", "y")])
    with pytest.warns(UserWarning, match=r"discovery left cycles; to make the graph a DAG, 1 "
                                         r"edge\(s\) changed, one per cycle: 'xray' -> "
                                         r"'crackles' removed\."):
        _break_cycles(graph, set(), "y")
    assert set(graph.edges) == {("crackles", "y"), ("y", "xray"), ("a", "y")}
    # a required edge stays whatever it touches: with only edges at the target left to
    # lose, one is reversed
    graph = nx.DiGraph([("y", "b"), ("b", "c"), ("c", "y")])
    with pytest.warns(UserWarning, match="reversed"):
        _break_cycles(graph, {("b", "c")}, "y")
    assert ("b", "c") in graph.edges and graph.number_of_edges() == 3
    assert nx.is_directed_acyclic_graph(graph)
    # unless the reversal is forbidden
    graph = nx.DiGraph([("y", "b"), ("b", "c"), ("c", "y")])
    with pytest.warns(UserWarning, match="removed"):
        _break_cycles(graph, {("b", "c")}, "y", forbidden={("b", "y"), ("y", "c")})
    assert nx.is_directed_acyclic_graph(graph) and ("b", "c") in graph.edges
    # a 2-cycle at the target: reversing one edge would be removing it, and says so
    graph = nx.DiGraph([("u", "y"), ("y", "u")])
    with pytest.warns(UserWarning, match=r"'u' -> 'y' removed\."):
        _break_cycles(graph, set(), "y")
    assert list(graph.edges) == [("y", "u")]


def test_cycles_sharing_a_misdirected_target_edge_reverse_it_in_one_warning():
    """Eight cycles through x0 -> y (the child x0 read as a parent): the second cycle
    through that edge reverses it, instead of one edge removed per cycle, and one warning
    tells it all."""
    from skcama.discovery import _break_cycles

    edges = [("x0", "y")]
    for k in range(1, 9):  # y -> xk -> x0 closes a cycle through x0 -> y, eight times
        edges += [("y", f"x{k}"), (f"x{k}", "x0")]
    graph = nx.DiGraph(edges)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _break_cycles(graph, set(), "y")
    assert len(caught) == 1
    assert "2 edge(s) changed, one per cycle: 'x1' -> 'x0' removed, 'x0' -> 'y' reversed" in (
        str(caught[0].message))
    assert graph.has_edge("y", "x0") and graph.number_of_edges() == len(edges) - 1
    assert graph.graph["cycles_broken"] == "'x1' -> 'x0' removed; 'x0' -> 'y' reversed"


def test_columns_that_group_the_rows_alike_are_refused_and_a_label_copy_named():
    from skcama.datasets import make_sem

    X, y, _ = make_sem(600, n_parents=2, n_coparents=2, n_children=4, n_outside=1,
                       n_classes=3, random_state=1)
    X["grade"] = pd.cut(X["x4"], 3, labels=False)
    as_text = X.assign(grade_text=X["grade"].map({0: "low", 1: "mid", 2: "high"}))
    with pytest.raises(ValueError, match=r"group the rows alike: 'grade' and 'grade_text'"):
        discover_graph(as_text, y, target="y")
    with pytest.warns(UserWarning, match=r"column 'code' of X groups the rows as the labels do"):
        discover_graph(X.assign(code=np.asarray(y).astype(str)), y, target="y")
    shuffled = pd.Series(np.asarray(y), index=X.index).sample(frac=1, random_state=0)
    with pytest.warns(UserWarning, match="another order"):
        discover_graph(X, shuffled, target="y")
    with warnings.catch_warnings():  # two constant columns are no pair
        warnings.simplefilter("ignore")
        discover_graph(X.assign(k1=1.0, k2="a"), y, target="y")


def test_verbose_discovery_reports_on_stderr_where_logging_is_not_configured():
    import subprocess
    import sys

    # a fresh interpreter: pytest configures logging, a plain script does not
    script = ("from skcama.datasets import make_sem; from skcama.discovery import "
              "discover_graph; X, y, _ = make_sem(300, random_state=0); "
              "discover_graph(X, y, target='y', verbose={})")
    for verbose in (1, 0):
        run = subprocess.run([sys.executable, "-c", script.format(verbose)],
                             capture_output=True, text=True, timeout=300, check=True)
        reported = "skcama: discovering a graph over" in run.stderr and (
            "skcama: discovered" in run.stderr)
        assert reported == bool(verbose), run.stderr


def test_the_discovered_graph_keeps_its_settings_in_every_file_format(tmp_path):
    from skcama.datasets import make_sem
    from skcama.graph import read_graph, write_graph

    X, y, _ = make_sem(300, random_state=0)
    graph = discover_graph(X, y, target="y", normal_scores=True,
                           background={"forbidden": [("x1", "x2")]})
    assert graph.graph["normal_scores"] is True and graph.graph["max_condition_size"] == 4
    assert graph.graph["background"] == "{'forbidden': [('x1', 'x2')]}"
    for suffix in (".gml", ".graphml", ".json"):
        write_graph(graph, tmp_path / f"g{suffix}")
        kept = read_graph(tmp_path / f"g{suffix}").graph
        assert kept["method"] == "pc" and kept["background"] == graph.graph["background"]


def test_nothing_to_discover_without_a_column_besides_the_target(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:200], y.iloc[:200]
    with pytest.raises(ValueError, match=r"X has no columns \(only the labels of the target "
                                         r"'y' were given\), so there is nothing to discover.*"
                                         r"Pass X with the measurements as its columns"):
        discover_graph(X.iloc[:, :0], y, target="y")
    with pytest.raises(ValueError, match=r"X's only column is the target 'label', so there "
                                         r"is nothing to discover"):
        discover_graph(pd.DataFrame({"label": y.to_numpy()}), target="label")


def test_a_target_missing_from_x_gets_a_suggestion(small_sem):
    _, X, y = small_sem
    frame = X.iloc[:200].assign(Y=y.iloc[:200].to_numpy())
    with pytest.raises(ValueError, match=r"the target must be a column of X, and 'y' is not "
                                         r"one \(columns: .*\)\. Did you mean 'Y'\?"):
        discover_graph(frame, None, target="y")
    with pytest.raises(ValueError, match=r"no target was given .*Pass target=<column name>"):
        discover_graph(frame, None)


def test_labels_mixing_types_or_infinite_are_named_as_fit_names_them(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    mixed = y.astype(object)
    mixed.iloc[:100] = mixed.iloc[:100].astype(str)  # '0', '1', ... then 0, 1, ...
    with pytest.raises(ValueError, match=r"y mixes text labels with labels of type \['int'\]; "
                                         r"use one type for every label, e\.g\. y\.astype"):
        discover_graph(X, mixed, target="y")
    with pytest.raises(ValueError, match=r"X\['label'\] mixes text labels"):
        discover_graph(X.assign(label=mixed.to_numpy()), target="label")
    infinite = y.astype(float)
    infinite.iloc[3] = np.inf
    with pytest.raises(ValueError, match=r"y has 1 infinite labels \(rows 3\)"):
        discover_graph(X, infinite, target="y")
    # rows of weight 0 are left out first: the row is still named by its place in X
    weights = np.r_[0.0, np.ones(299)]
    with pytest.raises(ValueError, match=r"y has 1 infinite labels \(rows 3\)"):
        discover_graph(X, infinite, target="y", sample_weight=weights)


def test_a_column_of_nearly_one_level_per_row_is_refused(small_sem):
    """One repeated value let an identifier past the check of one level per row: read as
    a category of 1,999 levels it became the label's only neighbour (its parent)."""
    _, X, y = small_sem
    ids = np.array([f"p{i}" for i in range(len(X))])
    ids[1] = ids[0]
    with pytest.raises(ValueError, match=r"columns \['pid'\] hold nearly one distinct value "
                                         r"per row \(1999 in 2000 rows in 'pid'\).*--id 'pid'"):
        discover_graph(X.assign(pid=ids), y, target="y")
    noted = np.where(X["x1"] > 1.5, "high", X["x1"].astype(str))  # numbers and a note
    with pytest.raises(ValueError, match=r"hold nearly one distinct value per row.*"
                                         r"pd.to_numeric\(X\['x1'\]"):
        discover_graph(X.assign(x1=noted), y, target="y")
    # a category of many levels with several rows each is a category
    wards = np.array([f"w{i}" for i in range(100)])[np.arange(len(X)) % 100]
    discover_graph(X.assign(ward=wards), y, target="y")


def test_odd_but_valid_inputs_give_the_graph_of_the_plain_ones(small_sem):
    """pd.NA in an object column of numbers raised pandas' TypeError (now: missing, as
    elsewhere); values below about 1e-162 read as perfectly correlated with others; names
    that print alike (1 and '1') left the graph to X's column order; weights of 1e160
    gave an empty graph."""
    _, X, y = small_sem
    plain = set(discover_graph(X, y, target="y").edges())
    holed = pd.Series([pd.NA, *X["x1"].iloc[1:]], dtype=object, index=X.index)
    with pytest.raises(ValueError, match=r"missing values in columns \['x1'\]; \d+ of \d+ rows "
                                         r"are complete.*on the complete rows"):
        discover_graph(X.assign(x1=holed), y, target="y")
    # holes spread over the columns leave too few complete rows: impute for discovery
    sparse = X.mask(np.random.default_rng(0).random(X.shape) < 0.3)
    with pytest.raises(ValueError, match=r"rows are complete.*IterativeImputer"):
        discover_graph(sparse, y, target="y")
    minute = discover_graph(X.assign(x1=X["x1"] * 1e-170), y, target="y")
    assert set(minute.edges()) == plain
    named = X.rename(columns={"x2": 1, "c2": "1"})
    order = list(named.columns)
    i, j = order.index(1), order.index("1")
    order[i], order[j] = order[j], order[i]
    assert set(discover_graph(named, y, target="y").edges()) == set(
        discover_graph(named[order], y, target="y").edges())
    weights = np.r_[0.5, np.ones(len(X) - 1)]
    assert set(discover_graph(X, y, target="y", sample_weight=weights * 1e160).edges()) == \
        set(discover_graph(X, y, target="y", sample_weight=weights).edges())


def test_a_bad_target_or_seed_and_an_array_of_edges(small_sem):
    _, X, y = small_sem
    with pytest.raises(TypeError, match=r"target must be the target's name .* list \['y'\]"):
        discover_graph(X, y, target=["y"])
    for seed in (-1, "a", 2**32, True):
        with pytest.raises(ValueError, match="random_state must be None, an int in"):
            discover_graph(X, y, target="y", random_state=seed)
    # required edges as a numpy array or a DataFrame of pairs are their rows
    listed = discover_graph(X, y, target="y", background={"required": [("a1", "y")]})
    for edges in (np.array([["a1", "y"]]), pd.DataFrame({"s": ["a1"], "t": ["y"]})):
        given = discover_graph(X, y, target="y", background={"required": edges})
        assert set(given.edges()) == set(listed.edges())


def test_a_measurement_with_a_stray_text_value_is_not_called_an_identifier(small_sem):
    """fit reads a column of numbers and some text as labels, with a warning that says to
    convert it; discovery says the same instead of advising to drop it as an identifier."""
    _, X, y = small_sem
    X, y = X.iloc[:300, :5].copy(), y.iloc[:300]
    X["x1"] = X["x1"].astype(object)
    X.loc[X.index[3], "x1"] = "high"
    with pytest.raises(ValueError, match=r"column 'x1' is read as categorical labels.*holds "
                                         r"numbers and some text \(\['high'\]\).*convert it "
                                         r"with pd\.to_numeric\(X\['x1'\], errors='coerce'\)"
                       ) as info:
        discover_graph(X, y, target="y")
    assert "as an identifier does" not in str(info.value)
    # a graded column with a note: read as labels, as fit reads it, with fit's warning
    grade = pd.Series(np.arange(300) % 4, dtype=object).where(np.arange(300) % 7 > 0, "n/a")
    with pytest.warns(UserWarning, match=r"column 'g' holds numbers and some text "
                                         r"\(\['n/a'\]\), so it is read as categorical labels"):
        graph = discover_graph(X.assign(x1=1.0 * np.arange(300), g=grade.to_numpy()), y,
                               target="y")
    assert "g" in graph
    # the same table through a CSV file: every value of x1 is text there
    stray = pd.read_csv(io.StringIO(X.to_csv(index=False)))
    with pytest.raises(ValueError, match=r"column 'x1' is read as categorical.*holds numbers "
                                         r"and some text \(\['high'\]\).*pd\.to_numeric"):
        discover_graph(stray, y.to_numpy(), target="y")
    commas = X.assign(x1=X["x1"].astype(str).str.replace(".", ",", regex=False))
    commas.loc[commas.index[3], "x1"] = "0,5"
    with pytest.raises(ValueError, match=r"column 'x1' is read as categorical.*decimal commas "
                                         r"\(e\.g\. '-?\d+,\d+'\); read the file with "
                                         r"decimal=','"):
        discover_graph(commas, y, target="y")
    # numbers grouped by thousands were said to hold decimal commas
    spaced = X.assign(x1=[f"{v:,.0f}".replace(",", " ")
                          for v in 2000 + 300 * small_sem[1]["x1"].iloc[:300]])
    assert spaced["x1"].nunique() < len(spaced)  # nearly one value per row
    with pytest.raises(ValueError, match=r"nearly one distinct value per row .* if it is a "
                                         r"measurement, read it as one: its numbers have spaces "
                                         r"between groups of three digits .*thousands=' '"):
        discover_graph(spaced, y, target="y")


def test_numbers_written_as_text_are_read_as_numbers_as_fit_reads_them(small_sem):
    _, X, y = small_sem
    X, y = X.iloc[:300, :5], y.iloc[:300]
    as_text = X.astype({"x1": str})
    with pytest.warns(UserWarning, match=r"column 'x1' holds numbers written as text"):
        graph = discover_graph(as_text, y, target="y")
    assert sorted(graph.edges) == sorted(discover_graph(X, y, target="y").edges)
    assert as_text["x1"].dtype != float  # the caller's frame is left as it was
    # row numbers written as text stay an identifier, as fit reads them; numbers of two
    # Python types are numbers
    with pytest.raises(ValueError, match=r"columns \['id'\] hold a distinct value in every row"):
        discover_graph(as_text.assign(id=[str(i) for i in range(300)]), y, target="y")
    mixed = X.assign(x1=pd.Series([int(v) if i % 2 else v for i, v in enumerate(X["x1"] * 100)],
                                  dtype=object).to_numpy())
    assert sorted(discover_graph(mixed, y, target="y").nodes) == sorted(graph.nodes)


def test_the_discovered_graph_marks_its_target_as_dagitty_does(small_sem, tmp_path):
    from skcama.graph import write_graph

    _, X, y = small_sem
    graph = discover_graph(X.iloc[:300], y.iloc[:300], target="y")
    assert graph.nodes["y"]["outcome"] is True
    assert sum(bool(data.get("outcome")) for _, data in graph.nodes(data=True)) == 1
    write_graph(graph, tmp_path / "g.dagitty")  # a written graph names its target
    assert re.search(r"\by \[outcome", (tmp_path / "g.dagitty").read_text())


def _lab_data(n: int = 400) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, n)
    return pd.DataFrame({"crp": np.exp(y + rng.normal(size=n)),
                         "age": rng.normal(size=n)}), y


def test_normal_scores_refuse_a_monotone_copy_of_a_column():
    X, y = _lab_data()
    logged = X.assign(log_crp=np.log(X["crp"]))
    discover_graph(logged, y)  # on the raw scale the two are different columns
    with pytest.raises(ValueError, match=r"'crp' and 'log_crp'.*normal_scores=True the tests read"):
        discover_graph(logged, y, normal_scores=True)


def test_ges_warns_of_the_test_options_it_does_not_use():
    X, y = _lab_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = discover_graph(X, y, method="ges")  # the defaults: no warning
    assert graph.graph["alpha"] is None and graph.graph["test"] is None
    with pytest.warns(UserWarning, match=r"method='ges' does not use \['test', 'alpha'\]"):
        discover_graph(X, y, method="ges", alpha=0.3, test="kci")


def test_method_names_with_spaces_and_folders_of_their_name(tmp_path, monkeypatch):
    X, y = _lab_data()
    plain = discover_graph(X, y)
    assert sorted(discover_graph(X, y, method=" PC ").edges) == sorted(plain.edges)
    assert sorted(resolve_graph_spec(" pc", X, y, None)[0].edges) == sorted(plain.edges)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pc").mkdir()  # a folder is no graph file: "pc" still names the method
    clf = CAMAClassifier(graph="pc", max_epochs=2).fit(X, y)
    assert sorted(clf.graph_.edges) == sorted(plain.edges)
    (tmp_path / "ges").write_text("")  # a file of that name is read as the graph
    with pytest.raises(GraphError, match="ges"):
        CAMAClassifier(graph="ges", max_epochs=2).fit(X, y)


def test_discovery_names_unnamed_labels_as_fit_does():
    X, y = _lab_data()
    X = X.rename(columns={"age": "y"})  # a feature called y, as make_moons gives
    graph = discover_graph(X, y)
    assert "target" in graph and "y" in graph
    with pytest.raises(GraphError, match="holds the labels themselves"):
        discover_graph(X.assign(y=y), y)


def test_discovery_ignores_only_causal_learns_own_warnings(monkeypatch):
    # the warning filters belong to the whole process: other threads' warnings (here
    # one from another module) are still shown while causal-learn runs
    import warnings

    from skcama import discovery

    shown: list[str] = []
    monkeypatch.setattr(warnings, "showwarning",
                        lambda message, *args, **kwargs: shown.append(str(message)))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with discovery._causal_learn_call():
            for module in ("causallearn.utils.cit", "causallearn", "mine", "causallearnx"):
                warnings.warn_explicit(f"from {module}", RuntimeWarning, "f.py", 1,
                                       module=module, registry={})
    assert shown == ["from mine", "from causallearnx"]
