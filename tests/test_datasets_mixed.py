"""Tests for the mixed-type SEM generator, the missingness helper and the dyspnea example."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from skcama.datasets import (
    DYSPNEA_COLUMNS,
    MixedNode,
    MixedSEM,
    add_missing,
    dyspnea_sem,
    load_dyspnea,
    make_mixed_sem,
)

from conftest import blanket_from_graph

N_ROWS = 4000
DTYPE_OF_KIND = {
    "continuous": "float64",
    "binary": "bool",
    "ordinal": "int64",
    "categorical": "category",
}


@pytest.fixture(scope="module")
def sem() -> MixedSEM:
    return MixedSEM.random(random_state=0)


@pytest.fixture(scope="module")
def clean(sem):
    return sem.sample(N_ROWS, random_state=1)


def _changed_columns(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    return {c for c in before.columns if not before[c].equals(after[c])}


def _of_kind(sem: MixedSEM, kind: str, role: str = "children") -> list[str]:
    return [n for n in sem.roles[role] if sem.node_kinds[n] == kind]


# --------------------------------------------------------------------------- structure and dtypes
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"parent_child_edge_prob": 0.5, "child_edge_prob": 0.6, "n_outside": 6},
        {"n_parents": 0, "n_coparents": 0, "n_latent": 0, "n_outside": 0},
        {"n_classes": 2, "n_levels": 3, "n_categories": 2},
    ],
)
def test_random_graph_is_dag_and_roles_match_markov_blanket(params):
    sem = MixedSEM.random(**params, random_state=1)
    assert nx.is_directed_acyclic_graph(sem.full_graph)
    assert set(sem.graph.nodes) == set(sem.feature_names) | {"y"}
    for role, nodes in blanket_from_graph(sem.graph, "y").items():
        assert set(sem.roles[role]) == nodes, role
    for z in sem.roles["latent"]:
        assert z not in sem.graph
        assert set(sem.full_graph.successors(z)) <= set(sem.roles["children"])


def test_sample_columns_have_the_dtype_of_their_kind(sem, clean):
    X, y = clean
    assert list(X.columns) == sem.feature_names
    assert list(sem.node_kinds) == sem.feature_names
    for column, kind in sem.node_kinds.items():
        assert X[column].dtype.name == DTYPE_OF_KIND[kind], column
    assert set(sem.node_kinds.values()) == {"continuous", "binary", "ordinal", "categorical"}
    assert X.notna().all().all()
    assert y.name == "y" and y.dtype == np.int64 and set(y) == {0, 1, 2}


def test_default_kinds_cycle_within_roles_and_can_be_overridden(sem):
    kinds = [sem.node_kinds[x] for x in sem.roles["children"]]
    assert kinds == ["continuous", "binary", "ordinal", "categorical"] * 2
    assert [sem.node_kinds[a] for a in ("a1", "a2", "a3")] == [
        "continuous",
        "binary",
        "categorical",
    ]
    assert [sem.node_kinds[c] for c in ("c1", "c2", "c3")] == ["continuous", "binary", "ordinal"]
    other = MixedSEM.random(node_kinds={"x1": "ordinal", "c1": "categorical"}, random_state=0)
    assert other.node_kinds["x1"] == "ordinal" and other.node_kinds["c1"] == "categorical"
    X, _ = other.sample(50, random_state=0)
    assert X["x1"].dtype == np.int64 and X["c1"].dtype.name == "category"


def test_levels_and_categories_are_the_promised_ranges(clean, sem):
    X, _ = clean
    for column in _of_kind(sem, "ordinal") + _of_kind(sem, "ordinal", "coparents"):
        assert set(X[column].unique()) == {0, 1, 2, 3, 4}, column
    for column in _of_kind(sem, "categorical"):
        assert list(X[column].cat.categories) == ["a", "b", "c", "d"]
        assert X[column].value_counts().min() > 0


def test_calibration_gives_balanced_classes_and_moderate_prevalences(clean, sem):
    X, y = clean
    frequencies = y.value_counts(normalize=True)
    assert np.all(np.abs(frequencies - 1 / 3) < 0.06), frequencies
    for column, kind in sem.node_kinds.items():
        if kind == "binary":
            assert 0.12 < X[column].mean() < 0.6, column


def test_string_class_names_label_the_target():
    X, y, graph = make_mixed_sem(500, class_names=["flu", "cold", "covid"], random_state=3)
    assert set(y.unique()) <= {"flu", "cold", "covid"}
    assert pd.api.types.is_string_dtype(y.dtype) or y.dtype == object
    assert set(graph.nodes) == set(X.columns) | {"y"}


def test_children_carry_information_about_the_target(sem, clean):
    # The distribution of every child (continuous ones in quartiles) differs between classes.
    X, y = clean
    for child in sem.roles["children"]:
        values = X[child]
        codes = pd.qcut(values, 4, labels=False) if values.dtype == np.float64 else values
        by_class = pd.crosstab(y, codes, normalize="index")
        assert np.abs(by_class.to_numpy() - by_class.mean().to_numpy()).max() > 0.02, child


# --------------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_models_and_frames():
    first, second = MixedSEM.random(random_state=5), MixedSEM.random(random_state=5)
    assert sorted(first.full_graph.edges) == sorted(second.full_graph.edges)
    X1, y1 = first.sample(300, random_state=11)
    X2, y2 = second.sample(300, random_state=11)
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)
    X3, _ = first.sample(300, random_state=12)
    assert not X1.equals(X3)


def test_sample_without_seed_follows_the_models_own_sequence():
    first, second = MixedSEM.random(random_state=5), MixedSEM.random(random_state=5)
    a1, a2 = first.sample(50)[0], first.sample(50)[0]
    b1, b2 = second.sample(50)[0], second.sample(50)[0]
    assert not a1.equals(a2)
    pd.testing.assert_frame_equal(a1, b1)
    pd.testing.assert_frame_equal(a2, b2)


def test_shorter_sample_is_a_prefix_of_a_longer_one(sem):
    short, y_short = sem.sample(100, random_state=3)
    long, y_long = sem.sample(300, random_state=3)
    pd.testing.assert_frame_equal(short, long.iloc[:100])
    pd.testing.assert_series_equal(y_short, y_long.iloc[:100])


# --------------------------------------------------------------------------- manipulations
def test_flip_records_a_fraction_of_false_as_true_and_nothing_else(sem, clean):
    X, y = clean
    child = _of_kind(sem, "binary")[0]
    X_flip, y_flip = sem.sample(N_ROWS, flip={child: 0.3}, random_state=1)
    assert _changed_columns(X, X_flip) == {child}  # a measurement change: no propagation
    pd.testing.assert_series_equal(y, y_flip)
    assert (X_flip[child] >= X[child]).all()  # only False -> True
    was_false = ~X[child]
    assert X_flip[child][was_false].mean() == pytest.approx(0.3, abs=0.03)


def test_negative_flip_records_a_fraction_of_true_as_false(sem, clean):
    X, _ = clean
    child = _of_kind(sem, "binary")[0]
    X_flip, _ = sem.sample(N_ROWS, flip={child: -0.5}, random_state=1)
    assert (X_flip[child] <= X[child]).all()
    assert (~X_flip[child][X[child]]).mean() == pytest.approx(0.5, abs=0.04)


def test_larger_flip_rate_flips_a_superset(sem):
    child = _of_kind(sem, "binary")[0]
    low, _ = sem.sample(1000, flip={child: 0.2}, random_state=4)
    high, _ = sem.sample(1000, flip={child: 0.6}, random_state=4)
    assert (high[child] >= low[child]).all() and high[child].sum() > low[child].sum()


@pytest.mark.parametrize("levels", [1, -2])
def test_level_shift_moves_a_graded_scale_and_clips(sem, clean, levels):
    X, _ = clean
    child = _of_kind(sem, "ordinal")[0]
    X_shift, _ = sem.sample(N_ROWS, level_shift={child: levels}, random_state=1)
    np.testing.assert_array_equal(X_shift[child], np.clip(X[child] + levels, 0, 4))
    assert X_shift[child].dtype == np.int64
    assert _changed_columns(X, X_shift) == {child}


def test_shift_moves_a_continuous_child_in_units_of_clean_sd(sem, clean):
    X, _ = clean
    child = _of_kind(sem, "continuous")[0]
    X_shift, _ = sem.sample(N_ROWS, shift={child: -1.5}, random_state=1)
    np.testing.assert_allclose(X_shift[child] - X[child], -1.5 * sem.std_[child])
    assert _changed_columns(X, X_shift) == {child}


def test_recode_records_one_category_as_another(sem, clean):
    X, _ = clean
    child = _of_kind(sem, "categorical")[0]
    X_recoded, _ = sem.sample(N_ROWS, recode={child: {"a": "b"}}, random_state=1)
    assert (X_recoded[child] == "a").sum() == 0
    assert (X_recoded[child] == "b").sum() == X[child].isin(["a", "b"]).sum()
    assert X_recoded[child].dtype == X[child].dtype
    assert _changed_columns(X, X_recoded) == {child}


def test_role_entries_select_nodes_of_the_matching_kind_and_node_entries_win(sem, clean):
    X, _ = clean
    binary_children = _of_kind(sem, "binary")
    first, second = binary_children[0], binary_children[1]
    X_flip, _ = sem.sample(N_ROWS, flip={"children": 0.4, first: 0.0}, random_state=1)
    assert _changed_columns(X, X_flip) == {second}
    X_level, _ = sem.sample(N_ROWS, level_shift={"children": 1}, random_state=1)
    assert _changed_columns(X, X_level) == set(_of_kind(sem, "ordinal"))


def test_manipulating_a_coparent_changes_its_mechanism_and_propagates(sem, clean):
    X, y = clean
    X_flip, y_flip = sem.sample(N_ROWS, flip={"c2": 0.5}, random_state=1)
    changed = _changed_columns(X, X_flip)
    descendants = nx.descendants(sem.graph, "c2")
    assert "c2" in changed and changed <= {"c2"} | descendants
    assert changed & set(sem.roles["children"])
    pd.testing.assert_series_equal(y, y_flip)


def test_manipulating_a_parent_warns(sem):
    from skcama.manipulations import InvalidManipulationWarning

    with pytest.warns(InvalidManipulationWarning, match=r"\['a1'\].*not a valid manipulation"):
        sem.sample(10, shift={"a1": 1.0}, random_state=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"flip": {"x1": 0.3}}, "flip applies to binary nodes, but 'x1' is continuous; use shift"),
        ({"level_shift": {"x2": 1}}, "'x2' is binary; use flip"),
        ({"shift": {"x3": 1.0}}, "'x3' is ordinal; use level_shift"),
        ({"shift": {"y": 1.0}}, "cannot apply shift to the target 'y'"),
        ({"flip": {"z1": 0.1}}, "latent causes are not observed"),
        ({"flip": {"x_2": 0.1}}, "unknown node or role 'x_2' in flip. Did you mean 'x2'"),
        ({"flip": {"x2": 1.5}}, r"flip value for 'x2' must be a rate in \[-1, 1\]"),
        ({"flip": {"x2": True}}, "must be a finite number"),
        ({"level_shift": {"x3": 0.5}}, "must be an integer number of levels"),
        ({"recode": {"x4": {"a": "z"}}}, "names the category 'z'"),
        ({"recode": {"children": {"a": "b"}}}, "recode takes node names"),
        ({"recode": {"x4": "b"}}, "must be a non-empty dict"),
        ({"flip": {"outside": 0.2, "parents": 0.1}}, None),
        ({"level_shift": {"outside": 1}}, "the role 'outside' has no ordinal node"),
        ({"shift": [("x1", 1.0)]}, "shift must be a dict"),
    ],
)
def test_invalid_manipulations_raise_errors_naming_the_argument(sem, kwargs, match):
    if match is None:  # a valid combination, for contrast
        sem.sample(10, **kwargs)
        return
    with pytest.raises(ValueError, match=match):
        sem.sample(10, **kwargs)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_classes": 1}, "n_classes must be an integer >= 2"),
        ({"n_levels": 1}, "n_levels must be an integer >= 2"),
        ({"n_categories": 5000}, "n_categories must be an integer >= 2 and <= 1000"),
        ({"node_kinds": {"x_1": "binary"}}, "node_kinds names 'x_1'.*Did you mean 'x1'"),
        ({"node_kinds": {"x1": "latent"}}, r"node_kinds\['x1'\] must be one of"),
        ({"class_names": ["a", "b"]}, "class_names must be a list of 3 distinct labels"),
        ({"class_names": "abc"}, "class_names must be a list of 3 distinct labels"),
        ({"nonlinearity": "relu"}, "nonlinearity must be one of"),
        ({"n_children": 0}, "need children to cause"),
    ],
)
def test_random_rejects_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MixedSEM.random(**params)


# --------------------------------------------------------------------------- hand-written models
def _tiny_nodes(**target_overrides):
    target = {
        "name": "d",
        "kind": "categorical",
        "parents": ("a",),
        "categories": ("n", "y"),
        "mechanism": lambda v: np.stack([0 * v["a"], v["a"]], axis=1),
    }
    target.update(target_overrides)
    return [
        MixedNode("a", "continuous"),
        MixedNode(**target),
        MixedNode("f", "binary", parents=("d",), mechanism=lambda v: 2.0 * v["d"] - 1.0),
    ]


def test_hand_written_model_follows_its_mechanisms():
    sem = MixedSEM(_tiny_nodes(), target="d", random_state=0)
    X, y = sem.sample(N_ROWS, random_state=0)
    assert sem.roles == {
        "parents": ["a"],
        "coparents": [],
        "children": ["f"],
        "latent": [],
        "outside": [],
    }
    # P(f | d) = sigmoid(2 d - 1): 0.27 for "n", 0.73 for "y".
    rates = X["f"].groupby(y).mean()
    assert rates["n"] == pytest.approx(0.269, abs=0.03)
    assert rates["y"] == pytest.approx(0.731, abs=0.03)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: MixedSEM(_tiny_nodes(), target="dd"), "target 'dd' is not a node. Did you mean"),
        (lambda: MixedSEM(_tiny_nodes(), target="a"), "must be a categorical node"),
        (lambda: MixedSEM(_tiny_nodes(parents=("b",)), target="d"), "parent 'b' of node 'd'"),
        (lambda: MixedSEM(_tiny_nodes() + [MixedNode("a", "binary")], target="d"), "unique"),
        (
            lambda: MixedSEM(_tiny_nodes(parents=("a", "f")), target="d"),
            "has a cycle",
        ),
        (lambda: MixedSEM(_tiny_nodes()[0], target="d"), "non-empty list of MixedNode"),
        (lambda: MixedNode("g", "ordinal", thresholds=(1.0, 0.5)), "strictly increasing"),
        (lambda: MixedNode("g", "categorical", categories=("a",)), "at least two distinct"),
        (lambda: MixedNode("g", "binary", thresholds=(0.0,)), "thresholds are for ordinal"),
        (lambda: MixedNode("g", "gaussian"), "kind of node 'g' must be one of"),
        (lambda: MixedNode("g", "latent", parents=("a",)), "standard normal root"),
        (lambda: MixedNode("g", "binary", transform=np.exp), "transform is for continuous"),
        (lambda: MixedNode("g", "continuous", noise=-1.0), "noise of node 'g'"),
        # a scalar, text or a list as a label: Python's own TypeError / ValueError before
        (lambda: MixedNode("g", "ordinal", thresholds=0.5),
         r"thresholds of node 'g' must be .* e.g. thresholds=\(0.0,\) for two; got 0.5"),
        (lambda: MixedNode("g", "ordinal", thresholds=("a",)), "thresholds of node 'g' must"),
        (lambda: MixedNode("g", "categorical", categories=([1], [2])),
         r"categories of node 'g' must be labels .* \[1\] is not one"),
        (lambda: MixedNode("g", "categorical", categories="ab"),
         "categories of node 'g' must be a tuple of labels, got 'ab'"),
    ],
)
def test_invalid_hand_written_models_raise_errors_naming_the_node(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_mechanism_with_a_wrong_shape_is_named():
    nodes = _tiny_nodes(mechanism=lambda v: np.zeros((len(v["a"]), 3)))
    with pytest.raises(ValueError, match="categorical node 'd' returned shape"):
        MixedSEM(nodes, target="d")


# --------------------------------------------------------------------------- missing values
@pytest.fixture(scope="module")
def table():
    X, _ = MixedSEM.random(random_state=2).sample(10_000, random_state=0)
    return X


def test_mcar_blanks_each_chosen_column_at_its_rate(table):
    columns = ["x1", "x2", "x3", "x4"]
    X_missing, mask = add_missing(table, 0.3, columns=columns, random_state=0, return_mask=True)
    rates = X_missing.isna().mean()
    assert np.all(np.abs(rates[columns] - 0.3) < 0.02), rates
    assert (rates.drop(columns) == 0).all()
    pd.testing.assert_frame_equal(mask, X_missing.isna())
    pd.testing.assert_frame_equal(X_missing.drop(columns=columns), table.drop(columns=columns))
    observed = ~mask["x1"]
    pd.testing.assert_series_equal(X_missing["x1"][observed], table["x1"][observed])


def test_the_mask_holds_the_cells_blanked_not_those_missing_already(table):
    first, _ = add_missing(table, 0.3, columns=["x1"], random_state=0, return_mask=True)
    second, mask = add_missing(first, 0.3, columns=["x1"], random_state=1, return_mask=True)
    assert not (mask["x1"] & first["x1"].isna()).any()
    pd.testing.assert_series_equal(mask["x1"], second["x1"].isna() & first["x1"].notna(),
                                   check_names=False)
    assert mask["x1"].sum() > 0


def test_mcar_is_independent_of_the_other_columns(table):
    X_missing = add_missing(table, 0.3, columns=["x1"], random_state=1)
    high = table["c1"] > table["c1"].median()
    assert abs(X_missing["x1"][high].isna().mean() - X_missing["x1"][~high].isna().mean()) < 0.03


def test_per_column_rates_choose_the_columns(table):
    X_missing = add_missing(table, {"x1": 0.1, "x3": 0.5}, random_state=0)
    rates = X_missing.isna().mean()
    assert rates["x1"] == pytest.approx(0.1, abs=0.015)
    assert rates["x3"] == pytest.approx(0.5, abs=0.02)
    assert rates.drop(["x1", "x3"]).eq(0).all()


def test_missing_capable_dtypes_keep_the_kind_visible(table):
    nullable = add_missing(table, 0.2, columns=["x1", "x2", "x3", "x4"], random_state=0)
    assert nullable.dtypes[["x1", "x2", "x3", "x4"]].astype(str).tolist() == [
        "float64",
        "boolean",
        "Int64",
        "category",
    ]
    plain = add_missing(table, 0.2, columns=["x2", "x3"], nullable=False, random_state=0)
    assert plain["x2"].dtype == object and plain["x3"].dtype == np.float64
    assert set(plain["x2"].dropna().unique()) == {True, False}
    # Even at rate 0 the chosen columns get the missing-capable dtype.
    zero = add_missing(table, 0.0, columns=["x2"], random_state=0)
    assert zero["x2"].dtype.name == "boolean" and zero["x2"].notna().all()


def test_missingness_is_deterministic_and_nested_in_the_rate(table):
    first = add_missing(table, 0.3, columns=["x1", "x2"], random_state=7)
    again = add_missing(table, 0.3, columns=["x1", "x2"], random_state=7)
    pd.testing.assert_frame_equal(first, again)
    more = add_missing(table, 0.5, columns=["x1", "x2"], random_state=7)
    assert (more.isna() | ~first.isna()).all().all()  # every cell missing at 0.3 is at 0.5
    other = add_missing(table, 0.3, columns=["x1", "x2"], random_state=8)
    assert not first.isna().equals(other.isna())


@pytest.mark.parametrize("strength", [2.0, -2.0])
def test_mar_missingness_depends_on_the_driver_column(table, strength):
    X_missing = add_missing(
        table,
        0.3,
        columns=["x1", "x3"],
        mechanism="mar",
        depends_on="c1",
        strength=strength,
        random_state=0,
    )
    rates = X_missing[["x1", "x3"]].isna()
    assert np.all(np.abs(rates.mean() - 0.3) < 0.02)
    high = table["c1"] > table["c1"].median()
    gap = rates[high].mean() - rates[~high].mean()
    assert np.all(np.sign(gap) == np.sign(strength)) and np.all(np.abs(gap) > 0.2), gap
    assert X_missing["c1"].notna().all()


@pytest.mark.parametrize("strength", [100.0, 1000.0, -1e6])
def test_mar_keeps_the_rate_however_strong_the_dependence(strength):
    """The search for the rate's offset kept to [-50, 50]: at strength 1000 a rate of 0.2
    came out 0.47."""
    X = pd.DataFrame({"a": np.random.default_rng(0).normal(size=4000), "b": 0.0})
    blanked = add_missing(X, 0.2, columns=["b"], mechanism="mar", depends_on="a",
                          strength=strength, random_state=0)
    assert abs(blanked["b"].isna().mean() - 0.2) < 0.02


@pytest.mark.parametrize("names", [[1, "1"], ["a", b"a"], [True, 2], [1, "a"], [None, "x"],
                                   [np.nan, 1.0], [(1, 2), (3, 4)]])
def test_class_labels_that_an_array_would_not_hold_as_given_are_refused(names):
    """[1, '1'] became ['1', '1'], one label for two classes; [None, 'x'] gave a class of
    missing labels; tuples failed in sample with pandas' 'must be 1-dimensional'."""
    with pytest.raises(ValueError, match="class labels of 'y'"):
        MixedSEM.random(n_classes=2, class_names=names, random_state=0)
    if any(not isinstance(n, tuple) and pd.isna(n) for n in names):  # as the node is made
        with pytest.raises(ValueError, match="node 'y' has a missing value among its categ"):
            MixedNode("y", "categorical", categories=tuple(names))
        return
    target = MixedNode("y", "categorical", categories=tuple(names))
    child = MixedNode("x", "continuous", parents=("y",))
    with pytest.raises(ValueError, match="class labels of 'y'"):
        MixedSEM([target, child], "y", random_state=0)


@pytest.mark.parametrize("names", [["no", "yes"], [0, 1], [np.int64(3), np.int64(5)],
                                   [False, True], [1.5, 2.5]])
def test_class_labels_of_one_kind_are_kept(names):
    sem = MixedSEM.random(n_classes=2, class_names=names, random_state=0)
    assert sem.classes_.tolist() == [n.item() if isinstance(n, np.generic) else n
                                     for n in names]
    assert set(sem.sample(200, random_state=0)[1]) == set(sem.classes_.tolist())


def test_more_than_26_categories_are_named_as_spreadsheet_columns():
    """Past 'z' the names ran on into '{', '|', ... and control characters."""
    sem = MixedSEM.random(n_categories=30, random_state=0)
    categorical = [n for n in sem.nodes.values()
                   if n.kind == "categorical" and n.name != sem.target]
    assert categorical
    for node in categorical:
        assert node.categories[:3] == ("a", "b", "c")
        assert node.categories[25:] == ("z", "aa", "ab", "ac", "ad")


def test_a_transform_must_give_one_finite_value_per_value():
    """np.log of Gaussian values gave NaN measurements (and a NaN mean_); a transform
    changing the length failed in pandas; an error inside names its node."""
    target = MixedNode("y", "categorical", categories=("a", "b"))
    for transform, match in ((np.log, r"transform of node 'x' returned non-finite values"),
                             (lambda v: v[:2], r"transform of node 'x' returned shape \(2,\)")):
        child = MixedNode("x", "continuous", parents=("y",), transform=transform)
        with pytest.raises(ValueError, match=match):
            MixedSEM([target, child], "y", random_state=0).sample(50, random_state=0)
    fine = MixedNode("x", "continuous", parents=("y",), transform=np.exp)
    X, _ = MixedSEM([target, fine], "y", random_state=0).sample(50, random_state=0)
    assert (X["x"] > 0).all()


def test_mar_accepts_binary_and_categorical_drivers(table):
    by_flag = add_missing(
        table, 0.2, columns=["x1"], mechanism="mar", depends_on="c2", strength=3.0, random_state=0
    )
    missing = by_flag["x1"].isna()
    assert missing[table["c2"]].mean() > 2 * missing[~table["c2"]].mean()
    by_category = add_missing(
        table, 0.2, columns=["x1"], mechanism="mar", depends_on="x4", random_state=0
    )
    assert by_category["x1"].isna().mean() == pytest.approx(0.2, abs=0.02)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rate": 1.0}, r"rate for column 'x1' must be a number in \[0, 1\)"),
        ({"rate": -0.1}, "must be a number in"),
        ({"rate": {"x2": 0.1}}, r"rate has no entry for the columns \['x1'\]"),
        # a misspelt entry beside columns was left unused, unchecked
        ({"rate": {"x1": 0.1, "x11": 7.0}},
         r"rate has entries for \['x11'\], which columns=\['x1'\] leaves out"),
        ({"columns": ["x1", "nope"]}, r"columns names \['nope'\], which is not a column"),
        ({"columns": "x1"}, "columns must be a list"),
        ({"columns": ["x1", "x1"]}, "lists a column twice"),
        ({"mechanism": "mnar"}, "mechanism must be one of 'mcar', 'mar'"),
        ({"mechanism": "mar"}, "needs depends_on"),
        ({"mechanism": "mar", "depends_on": "x1"}, "is among the columns to blank"),
        ({"mechanism": "mar", "depends_on": "q"}, r"depends_on names \['q'\]"),
        ({"depends_on": "c1"}, "only used with mechanism='mar'"),
        (
            {"mechanism": "mar", "depends_on": "c1", "strength": float("inf")},
            "strength must be a finite number",
        ),
        # any truthy value read as True
        ({"nullable": "no"}, "nullable must be True or False, got 'no'"),
        ({"return_mask": "no"}, "return_mask must be True or False, got 'no'"),
    ],
)
def test_add_missing_rejects_invalid_arguments(table, kwargs, match):
    arguments = {"rate": 0.1, "columns": ["x1"], **kwargs}
    with pytest.raises(ValueError, match=match):
        add_missing(table, **arguments)


def test_mar_driver_must_be_observed(table):
    holed = add_missing(table, 0.1, columns=["c1"], random_state=0)
    with pytest.raises(ValueError, match="depends_on='c1' has missing values"):
        add_missing(holed, 0.1, columns=["x1"], mechanism="mar", depends_on="c1")
    with pytest.raises(ValueError, match="X must be a pandas DataFrame"):
        add_missing(table.to_numpy(), 0.1)



def test_unsigned_and_nullable_integers_keep_their_kind_and_values():
    """uint64 was cast to Int64: values of 2**63 and more failed to convert, the rest
    became signed."""
    X = pd.DataFrame({
        "u": np.array([2**63 + 5, 1, 2] * 20, dtype=np.uint64),
        "i": np.arange(60, dtype=np.int32),
        "n": pd.array([None, *range(59)], dtype="Int16"),
    })
    out, mask = add_missing(X, 0.3, random_state=0, return_mask=True)
    assert out.dtypes.astype(str).tolist() == ["UInt64", "Int64", "Int16"]
    kept = ~mask["u"]
    assert (out["u"][kept].to_numpy(dtype=np.uint64) == X["u"][kept].to_numpy()).all()
    plain = add_missing(X, 0.3, random_state=0, nullable=False)
    assert plain.dtypes.astype(str).tolist() == ["float64"] * 3


def test_mar_depends_on_a_driver_of_any_magnitude():
    """A driver near the largest float overflowed its sd: the probabilities became flat
    (MCAR) with numpy's overflow warning alone. An empty frame gave numpy warnings."""
    rng = np.random.default_rng(0)
    age = rng.normal(60, 10, 4000)
    old = age > np.median(age)
    rates = []
    for factor in (1.0, 1e200):
        X = pd.DataFrame({"age": age * factor, "g": rng.normal(size=4000)})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = add_missing(X, 0.3, mechanism="mar", depends_on="age", columns=["g"],
                              random_state=0)
        rates.append((out["g"][old].isna().mean(), out["g"][~old].isna().mean()))
    assert rates[1] == rates[0]  # the same standardised driver
    assert rates[1][0] > rates[1][1] + 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = add_missing(pd.DataFrame({"age": [], "g": []}), 0.3, mechanism="mar",
                            depends_on="age", columns=["g"], random_state=0)
    assert empty.shape == (0, 2)


def test_mar_driver_must_hold_finite_numbers(table):
    infinite = table.assign(d=np.r_[np.inf, np.zeros(len(table) - 1)])
    with pytest.raises(ValueError, match="depends_on='d' holds 1 infinite values"):
        add_missing(infinite, 0.3, columns=["x1"], mechanism="mar", depends_on="d")
    text = table.assign(d="p")
    with pytest.raises(ValueError, match="depends_on='d' holds values that are not numbers"):
        add_missing(text, 0.3, columns=["x1"], mechanism="mar", depends_on="d")


def test_columns_may_be_any_list_like_of_names(table):
    as_list = add_missing(table, 0.3, columns=["x1", "c1"], random_state=0)
    for names in (pd.Index(["x1", "c1"]), np.array(["x1", "c1"]), ("x1", "c1")):
        pd.testing.assert_frame_equal(add_missing(table, 0.3, columns=names, random_state=0),
                                      as_list)


def test_duplicated_column_labels_are_named(table):
    doubled = pd.concat([table, table[["x1"]]], axis=1)
    with pytest.raises(ValueError, match=r"several columns labelled \['x1'\]"):
        add_missing(doubled, 0.3, columns=["x1"])


@pytest.mark.parametrize("seed", ["a", 1.5, -1])
def test_a_random_state_numpy_cannot_use_is_named(table, seed):
    with pytest.raises((TypeError, ValueError), match="random_state must be an int"):
        add_missing(table, 0.3, columns=["x1"], random_state=seed)

# --------------------------------------------------------------------------- dyspnea example
@pytest.fixture(scope="module")
def dyspnea():
    return load_dyspnea(return_graph=True)


def test_load_dyspnea_returns_typed_frame_labels_and_graph(dyspnea):
    X, y, graph = dyspnea
    assert X.shape == (3000, 17) and list(X.columns) == list(DYSPNEA_COLUMNS)
    assert y.name == "diagnosis" and set(y) == {"asthma", "copd", "heart_failure"}
    assert y.value_counts(normalize=True).min() > 0.2
    for column, (kind, _) in DYSPNEA_COLUMNS.items():
        holes = X[column].isna().any()
        expected = {
            "continuous": "float64",
            "binary": "boolean" if holes else "bool",
            "ordinal": "Int64" if holes else "int64",
            "categorical": "category",
        }[kind]
        assert X[column].dtype.name == expected, column
    assert set(graph.nodes) == set(X.columns) | {"diagnosis"}
    assert sorted(graph.predecessors("diagnosis")) == ["age", "family_history", "smoking"]


def test_dyspnea_has_the_documented_missing_values(dyspnea):
    X, _, _ = dyspnea
    rates = X.isna().mean()
    expected = {
        "nt_probnp": 0.25,
        "fev1_fvc": 0.15,
        "eosinophils": 0.10,
        "chest_xray": 0.08,
        "bmi": 0.05,
        "mmrc": 0.05,
        "crackles": 0.05,
    }
    for column, rate in expected.items():
        assert rates[column] == pytest.approx(rate, abs=0.02), column
    assert rates.drop(list(expected)).eq(0).all()
    # NT-proBNP is missing more often in younger patients (MAR on age).
    young = X["age"] < X["age"].median()
    assert X["nt_probnp"][young].isna().mean() > X["nt_probnp"][~young].isna().mean() + 0.1


def test_dyspnea_graph_is_the_models_graph_and_the_repository_copy(dyspnea):
    _, _, graph = dyspnea
    sem = dyspnea_sem()
    assert sorted(graph.edges) == sorted(sem.graph.edges)
    repository_copy = Path(__file__).resolve().parents[1] / "graphs" / "dyspnea.gml"
    if repository_copy.exists():
        assert sorted(nx.read_gml(repository_copy).edges) == sorted(graph.edges)


def test_load_dyspnea_as_arrays(dyspnea):
    X, y, _ = dyspnea
    X_array, y_array = load_dyspnea(as_frame=False)
    assert X_array.shape == (3000, 17) and X_array.dtype == np.float64
    np.testing.assert_array_equal(np.isnan(X_array), X.isna().to_numpy())
    smoking = list(X.columns).index("smoking")
    np.testing.assert_array_equal(X_array[:, smoking], X["smoking"].cat.codes)
    assert y_array.tolist() == y.tolist()
    with pytest.raises(ValueError, match="as_frame must be True or False"):
        load_dyspnea(as_frame="yes")


def test_packaged_dyspnea_table_is_what_the_script_regenerates(dyspnea):
    script = Path(__file__).resolve().parents[1] / "scripts" / "make_clinical_dataset.py"
    if not script.exists():
        pytest.skip("the regeneration script is only in the repository")
    spec = importlib.util.spec_from_file_location("make_clinical_dataset", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frame, graph = module.build()
    X, y, packaged_graph = dyspnea
    pd.testing.assert_frame_equal(frame.drop(columns="diagnosis"), X, check_exact=False, rtol=1e-12)
    assert frame["diagnosis"].tolist() == y.tolist()
    assert sorted(graph.edges) == sorted(packaged_graph.edges)


def test_dyspnea_sem_manipulations_fit_its_columns():
    sem = dyspnea_sem(random_state=0)
    X, y = sem.sample(2000, random_state=0)
    X_b, y_b = sem.sample(
        2000,
        flip={"wheezing": 0.3},
        level_shift={"mmrc": 1},
        shift={"nt_probnp": 1.0},
        random_state=0,
    )
    assert _changed_columns(X, X_b) == {"wheezing", "mmrc", "nt_probnp"}
    pd.testing.assert_series_equal(y, y_b)
    with pytest.raises(ValueError, match="'mmrc' is ordinal; use level_shift"):
        sem.sample(10, shift={"mmrc": 1.0})


def test_a_latent_cause_that_makes_an_outside_node_informative_is_refused():
    """The roles are read off the graph without its latent causes: L -> x <- y with
    L -> o made o tell about y once x is known (log loss 0.51 -> 0.23 in a check) while
    it was labelled outside. A latent cause of children alone is kept."""
    def nodes(o_parents):
        return [
            MixedNode("a", "continuous"),
            MixedNode("L", "latent"),
            MixedNode("y", "categorical", parents=("a",), categories=(0, 1),
                      mechanism=lambda v: np.stack([0 * v["a"], v["a"]], 1)),
            MixedNode("x", "continuous", parents=("y", "L"),
                      mechanism=lambda v: v["y"] + v["L"], noise=0.3),
            MixedNode("o", "continuous", parents=o_parents,
                      mechanism=lambda v: sum(v[p] for p in o_parents), noise=0.3),
        ]

    with pytest.raises(ValueError, match=r"latent causes \['L'\] make \['o'\] informative "
                                         r"about 'y' beyond its Markov blanket"):
        MixedSEM(nodes(("L",)), target="y", random_state=0)
    sem = MixedSEM(nodes(("a",)), target="y", random_state=0)  # o outside: truly
    assert sem.roles["outside"] == ["o"] and sem.roles["latent"] == ["L"]


@pytest.mark.parametrize("params", [dict(noise=1e-4), dict(class_sep=1000.0, n_categories=10),
                                    dict(noise=1e-3, class_sep=100.0)])
def test_extreme_allowed_noise_and_separation_build_calibrated_models(params):
    """A category whose mean probability underflowed made every bias NaN (the model
    failed to build, blaming a mechanism the user never wrote), and at class_sep 1000 a
    binary child's clean rate of True came out 0.67 where 0.2-0.5 is promised."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no divide-by-zero on the way
        sem = MixedSEM.random(random_state=0, **params)
    X, y = sem.sample(20_000, random_state=1)
    binary = [c for c, kind in sem.node_kinds.items() if kind == "binary" and c in X]
    assert binary and X[binary].mean().between(0.18, 0.52).all()
    assert y.value_counts(normalize=True).between(0.3, 0.37).all()


def test_a_missing_value_among_the_categories_of_a_node_is_refused():
    with pytest.raises(ValueError, match=r"categorical node 'c' has a missing value among its "
                                         r"categories"):
        MixedNode("c", "categorical", categories=("a", None))
    with pytest.raises(ValueError, match="has a missing value among its categories"):
        MixedNode("c", "categorical", categories=("a", float("nan")))


def test_return_sem_takes_only_true_or_false():
    with pytest.raises(TypeError, match="return_sem must be True or False, got 'no'"):
        make_mixed_sem(50, random_state=0, return_sem="no")
