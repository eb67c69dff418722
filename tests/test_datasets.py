"""Tests for the synthetic SEM generator and its Bayes-optimal oracle (skcama.datasets)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from skcama.datasets import SEMOracle, SyntheticSEM, make_sem

from conftest import blanket_from_graph

N_ROWS = 4000


@pytest.fixture(scope="module")
def sem() -> SyntheticSEM:
    return SyntheticSEM(random_state=0)


@pytest.fixture(scope="module")
def clean(sem):
    return sem.sample(N_ROWS, random_state=1)


def _descendants(sem: SyntheticSEM, node: str) -> set[str]:
    return nx.descendants(sem.graph, node) - {sem.target}


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"parent_child_edge_prob": 0.5, "child_edge_prob": 0.6, "n_outside": 6},
        {"n_coparents": 7, "n_children": 3, "n_latent": 4},
        {"n_parents": 0, "n_coparents": 0, "n_latent": 0, "n_outside": 0},
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_graph_is_dag_and_roles_match_markov_blanket(params, seed):
    sem = SyntheticSEM(**params, random_state=seed)
    assert nx.is_directed_acyclic_graph(sem.full_graph)
    assert sem.target == "y" and "y" in sem.graph
    blanket = blanket_from_graph(sem.graph, "y")
    for role, nodes in blanket.items():
        assert set(sem.roles[role]) == nodes, role
    assert set(sem.graph.nodes) == set(sem.feature_names) | {"y"}
    # Roles carry the names promised: pure co-parents are c*, and every c* is a co-parent.
    assert {c for c in sem.roles["coparents"] if c.startswith("c")} == {
        f"c{i + 1}" for i in range(sem.n_coparents)
    }


def test_latent_causes_point_only_into_children_and_stay_out_of_graph(sem):
    assert sem.roles["latent"] == ["z1", "z2"]
    for z in sem.roles["latent"]:
        assert z not in sem.graph
        targets = set(sem.full_graph.successors(z))
        assert targets and targets <= set(sem.roles["children"])
        assert sem.full_graph.in_degree(z) == 0


def test_outside_nodes_mix_ancestors_descendants_and_isolated():
    sem = SyntheticSEM(n_outside=3, random_state=0)
    o1, o2, o3 = sem.roles["outside"]
    assert set(sem.graph.successors(o1)) <= {*sem.roles["parents"], *sem.roles["coparents"]}
    assert sem.graph.out_degree(o1) == 1 and sem.graph.in_degree(o1) == 0
    assert "y" in nx.ancestors(sem.graph, o2)
    assert sem.graph.degree(o3) == 0


def test_every_coparent_causes_a_child():
    sem = SyntheticSEM(n_coparents=5, n_children=4, random_state=3)
    children = set(sem.roles["children"])
    for c in (f"c{i + 1}" for i in range(5)):
        assert set(sem.graph.successors(c)) & children, c


def test_parent_with_edge_into_child_holds_double_role():
    sem = SyntheticSEM(parent_child_edge_prob=1.0, random_state=0)
    assert set(sem.roles["parents"]) <= set(sem.roles["coparents"])


# --------------------------------------------------------------------------- sampling
def test_sample_returns_labelled_frame_in_stable_column_order(sem, clean):
    X, y = clean
    assert list(X.columns) == sem.feature_names
    assert sem.feature_names == [
        "a1",
        "a2",
        "a3",
        "c1",
        "c2",
        "c3",
        *(f"x{i}" for i in range(1, 9)),
        "o1",
        "o2",
    ]
    assert y.name == "y" and y.dtype == np.int64 and len(X) == len(y) == N_ROWS
    assert set(np.unique(y)) == {0, 1, 2}
    assert np.isfinite(X.to_numpy()).all()


def test_classes_are_roughly_balanced(clean):
    _, y = clean
    frequencies = np.bincount(y, minlength=3) / len(y)
    assert np.all(np.abs(frequencies - 1 / 3) < 0.05), frequencies


def test_clean_mean_and_std_describe_clean_samples(sem):
    X, _ = sem.sample(20_000, random_state=7)
    assert np.all(np.abs(X.mean() - sem.mean_) < 0.05 * sem.std_)
    assert np.all(np.abs(X.std() / sem.std_ - 1) < 0.05)


def test_same_random_state_gives_identical_frames():
    first, second = SyntheticSEM(random_state=5), SyntheticSEM(random_state=5)
    assert nx.utils.edges_equal(first.full_graph.edges, second.full_graph.edges)
    X1, y1 = first.sample(200, random_state=11)
    X2, y2 = second.sample(200, random_state=11)
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)
    different, _ = first.sample(200, random_state=12)
    assert not X1.equals(different)


def test_sample_without_seed_follows_the_models_own_sequence():
    first, second = SyntheticSEM(random_state=5), SyntheticSEM(random_state=5)
    a1, _ = first.sample(50)
    a2, _ = first.sample(50)
    b1, _ = second.sample(50)
    b2, _ = second.sample(50)
    assert not a1.equals(a2)
    pd.testing.assert_frame_equal(a1, b1)
    pd.testing.assert_frame_equal(a2, b2)


def test_shorter_sample_is_a_prefix_of_longer_one_with_same_seed(sem):
    short, y_short = sem.sample(100, random_state=3)
    long, y_long = sem.sample(300, random_state=3)
    pd.testing.assert_frame_equal(short, long.iloc[:100])
    pd.testing.assert_series_equal(y_short, y_long.iloc[:100])


def test_make_sem_returns_frame_labels_and_graph_over_columns():
    X, y, graph = make_sem(300, n_classes=4, random_state=2)
    assert set(graph.nodes) == set(X.columns) | {"y"}
    assert set(np.unique(y)) <= {0, 1, 2, 3}
    X2, y2, graph2, sem = make_sem(300, n_classes=4, random_state=2, return_sem=True)
    pd.testing.assert_frame_equal(X, X2)
    assert isinstance(sem, SyntheticSEM) and sem.n_classes == 4
    graph2.add_edge("y", "new")
    assert "new" not in sem.graph


@pytest.mark.parametrize("nonlinearity", ["linear", "tanh", "leaky_relu", "softplus", "mixed"])
def test_every_nonlinearity_gives_finite_standardised_scale_data(nonlinearity):
    sem = SyntheticSEM(nonlinearity=nonlinearity, random_state=0)
    X, _ = sem.sample(500, random_state=0)
    assert np.isfinite(X.to_numpy()).all()
    assert (sem.std_ > 0.3).all() and (sem.std_ < 5).all()


# --------------------------------------------------------------------------- manipulations
def _changed_columns(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    return {c for c in before.columns if not np.allclose(before[c], after[c], atol=0, rtol=0)}


@pytest.mark.parametrize("node", ["c2", "o1"])
def test_mechanism_shift_moves_node_and_propagates_to_its_descendants(sem, clean, node):
    X, y = clean
    X_shift, y_shift = sem.sample(N_ROWS, shift={node: 2.0}, random_state=1)
    np.testing.assert_allclose(X_shift[node] - X[node], 2.0 * sem.std_[node])
    descendants = _descendants(sem, node)
    assert descendants & set(sem.roles["children"])  # the shift reaches some children
    assert _changed_columns(X, X_shift) == {node} | descendants
    pd.testing.assert_series_equal(y, y_shift)  # neither node is a cause of y


def test_coparent_role_shift_moves_each_coparent_mean_by_amount_times_std(sem, clean):
    X, _ = clean
    X_shift, _ = sem.sample(N_ROWS, shift={"coparents": 2.0}, random_state=1)
    for c in sem.roles["coparents"]:
        assert X_shift[c].mean() - X[c].mean() == pytest.approx(2.0 * sem.std_[c], rel=1e-9)
        for x in set(sem.graph.successors(c)) & set(sem.roles["children"]):
            assert not np.allclose(X_shift[x], X[x])


def test_child_shift_is_a_measurement_shift_that_leaves_descendants_unchanged(sem, clean):
    X, y = clean
    child = max(sem.roles["children"], key=lambda x: len(_descendants(sem, x)))
    assert _descendants(sem, child)  # the check below has something to check
    X_shift, y_shift = sem.sample(N_ROWS, shift={child: -1.5}, random_state=1)
    np.testing.assert_allclose(X_shift[child] - X[child], -1.5 * sem.std_[child])
    assert _changed_columns(X, X_shift) == {child}
    pd.testing.assert_series_equal(y, y_shift)


def test_role_shift_on_coparents_leaves_parents_with_double_role_alone():
    sem = SyntheticSEM(parent_child_edge_prob=1.0, random_state=0)
    X, y = sem.sample(500, random_state=0)
    X_shift, y_shift = sem.sample(500, shift={"coparents": 1.0}, random_state=0)
    for a in sem.roles["parents"]:
        pd.testing.assert_series_equal(X[a], X_shift[a])
    for c in ("c1", "c2", "c3"):
        np.testing.assert_allclose(X_shift[c] - X[c], sem.std_[c])
    pd.testing.assert_series_equal(y, y_shift)


def test_a_role_without_nodes_is_an_error_not_a_clean_sample():
    """A role that names no node gave back the clean sample as the manipulated one."""
    doubled = SyntheticSEM(n_coparents=0, parent_child_edge_prob=0.5, random_state=0)
    assert doubled.roles["coparents"] and all(
        c in doubled.roles["parents"] for c in doubled.roles["coparents"])
    with pytest.raises(ValueError, match=r"the role 'coparents' in shift has no node in this "
                                         r"SEM; its co-parents \[.*\] are all parents of the "
                                         r"target too"):
        doubled.sample(20, shift={"coparents": 5.0}, random_state=0)
    with pytest.raises(ValueError, match=r"the role 'outside' in scale has no node"):
        SyntheticSEM(n_outside=0, random_state=0).sample(5, scale={"outside": 3.0})


def test_the_exact_oracle_takes_a_noise_tiny_next_to_the_latent_causes():
    """diag(noise^2) + U U^T was factorised as it is, which failed (LinAlgError) for a
    noise of 1e-9; the oracle now works in the noise-whitened space."""
    sem = SyntheticSEM(noise=1e-9, random_state=0)
    X, y = sem.sample(200, random_state=0)
    proba = sem.oracle().predict_proba(X)
    assert np.isfinite(proba).all() and sem.oracle().score(X, y) >= 0.95

def test_node_entry_overrides_its_roles_entry(sem, clean):
    X, _ = clean
    X_shift, _ = sem.sample(N_ROWS, shift={"children": 1.0, "x1": -2.0}, random_state=1)
    np.testing.assert_allclose(X_shift["x1"] - X["x1"], -2.0 * sem.std_["x1"])
    np.testing.assert_allclose(X_shift["x2"] - X["x2"], 1.0 * sem.std_["x2"])


def test_outside_role_shift_moves_only_outside_nodes_and_their_descendants(sem, clean):
    X, _ = clean
    X_shift, _ = sem.sample(N_ROWS, shift={"outside": 1.0}, random_state=1)
    outside = sem.roles["outside"]
    expected = set(outside).union(*(_descendants(sem, o) for o in outside))
    assert _changed_columns(X, X_shift) == expected


@pytest.mark.parametrize(("node", "factor", "propagates"), [("c2", 2.0, True), ("x5", 0.5, False)])
def test_scale_multiplies_deviation_from_clean_mean(sem, clean, node, factor, propagates):
    X, _ = clean
    X_scaled, _ = sem.sample(N_ROWS, scale={node: factor}, random_state=1)
    mean = sem.mean_[node]
    np.testing.assert_allclose(X_scaled[node] - mean, factor * (X[node] - mean))
    # A co-parent's scale changes its mechanism; a child's is a measurement change.
    descendants = _descendants(sem, node)
    assert descendants
    assert _changed_columns(X, X_scaled) == {node} | (descendants if propagates else set())


def test_do_sets_the_value_and_propagates_even_on_a_child(sem, clean):
    X, _ = clean
    X_do, _ = sem.sample(N_ROWS, do={"c2": 1.5}, random_state=1)
    assert (X_do["c2"] == 1.5).all()
    assert _changed_columns(X, X_do) == {"c2"} | _descendants(sem, "c2")
    # Unlike a shift of a child, a hard intervention on it reaches its descendants.
    assert _descendants(sem, "x5")
    X_do, _ = sem.sample(N_ROWS, do={"x5": -0.5}, random_state=1)
    assert (X_do["x5"] == -0.5).all()
    assert _changed_columns(X, X_do) == {"x5"} | _descendants(sem, "x5")


def test_shift_on_parent_warns_and_changes_labels(sem, clean):
    from skcama.manipulations import InvalidManipulationWarning

    _, y = clean
    with pytest.warns(InvalidManipulationWarning, match=r"not a valid manipulation") as record:
        _, y_shift = sem.sample(N_ROWS, shift={"parents": 2.0}, random_state=1)
    assert len(record) == 1 and "'a1'" in str(record[0].message)
    assert record[0].filename == __file__  # the user's line
    assert not y.equals(y_shift)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shift": {"y": 1.0}}, "cannot shift the target 'y'.*changes what is being predicted"),
        ({"do": {"y": 0}}, "cannot intervene on the target 'y'"),
        ({"scale": {"z1": 2.0}}, "cannot scale 'z1': latent causes are not observed"),
        ({"shift": {"latent": 1.0}}, "latent causes are not observed"),
        ({"shift": {"c_1": 1.0}}, "unknown node or role 'c_1' in shift. Did you mean 'c1'"),
        ({"shift": {"coparent": 1.0}}, "Did you mean 'coparents'"),
        ({"scale": {"x1": float("nan")}}, "scale value for 'x1' must be a finite number"),
        ({"shift": {"x1": "up"}}, "must be a finite number"),
        ({"shift": [("x1", 1.0)]}, "shift must be a dict"),
        ({"do": {"children": 0.0}}, "do takes node names, not the role 'children'"),
    ],
)
def test_invalid_manipulation_raises_helpful_value_error(sem, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sem.sample(10, **kwargs)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_classes": 1}, "n_classes must be an integer >= 2"),
        ({"n_classes": 10**7}, "n_classes must be an integer >= 2 and <= 1000, got 10000000"),
        ({"n_children": 2.5}, "n_children must be an integer"),
        ({"nonlinearity": "relu"}, "nonlinearity must be one of"),
        ({"noise": 0.0}, "noise must be a finite number > 0"),
        ({"child_edge_prob": 1.5}, "child_edge_prob must be a finite number >= 0.0 and <= 1.0"),
        ({"n_children": 0}, "need children to cause"),
    ],
)
def test_constructor_rejects_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SyntheticSEM(**params)


# --------------------------------------------------------------------------- oracle
@pytest.fixture(scope="module")
def oracle(sem) -> SEMOracle:
    return sem.oracle()


def test_oracle_probabilities_sum_to_one_with_columns_following_classes(oracle, clean):
    X, _ = clean
    proba = oracle.predict_proba(X[:500])
    assert proba.shape == (500, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(oracle.classes_, [0, 1, 2])
    np.testing.assert_array_equal(oracle.predict(X[:500]), proba.argmax(axis=1))


def test_oracle_beats_chance_by_a_wide_margin(oracle, clean):
    # Measured 0.83 on these rows; chance is 1/3.
    assert oracle.score(*clean) > 0.75


def test_oracle_is_nearly_unaffected_by_coparent_shift():
    # Measured losses at +2 std on seeds 0..2: -0.027 (a gain), -0.010 (a gain), +0.019.
    for seed in range(3):
        sem = SyntheticSEM(random_state=seed)
        oracle = sem.oracle()
        clean_accuracy = oracle.score(*sem.sample(N_ROWS, random_state=100))
        shifted = sem.sample(N_ROWS, shift={"coparents": 2.0}, random_state=100)
        assert clean_accuracy - oracle.score(*shifted) < 0.03, seed


def test_told_oracle_recovers_accuracy_under_child_shift(sem, oracle, clean):
    half = sem.roles["children"][: len(sem.roles["children"]) // 2]
    shift = dict.fromkeys(half, 3.0)
    X_shift, y_shift = sem.sample(N_ROWS, shift=shift, random_state=1)
    untold = oracle.score(X_shift, y_shift)
    told = sem.oracle(shift=shift).score(X_shift, y_shift)
    # Undoing a measurement shift restores the clean rows exactly (same seed).
    assert told == pytest.approx(oracle.score(*clean))
    assert told - untold > 0.3  # measured 0.83 against 0.33


def test_told_oracle_undoes_measurement_scale(sem, oracle, clean):
    X_scaled, y = sem.sample(N_ROWS, scale={"children": 3.0}, random_state=1)
    told = sem.oracle(scale={"children": 3.0})
    np.testing.assert_allclose(told.predict_proba(X_scaled), oracle.predict_proba(clean[0]))


def test_told_oracle_ignores_mechanism_shifts(sem, oracle, clean):
    X, _ = clean
    told = sem.oracle(shift={"coparents": 2.0, "outside": 1.0})
    np.testing.assert_allclose(told.predict_proba(X[:200]), oracle.predict_proba(X[:200]))


def test_oracle_predictions_do_not_depend_on_batch(oracle, clean):
    X, _ = clean
    full = oracle.predict_proba(X)
    rows = [3, 17, 2500, 3999]
    np.testing.assert_allclose(oracle.predict_proba(X.iloc[rows]), full[rows], rtol=1e-12)
    np.testing.assert_array_equal(oracle.predict(X.iloc[rows[:1]]), full[rows[:1]].argmax(1))


def test_monte_carlo_oracle_agrees_with_exact_integration(sem, oracle, clean):
    X, _ = clean
    X = X[:1000]
    exact = oracle.predict_proba(X)  # the default
    mc = sem.oracle(n_mc=1000).predict_proba(X)
    # Measured on these rows: 99.3% of predictions agree, mean |difference| 0.007.
    assert np.mean(exact.argmax(1) == mc.argmax(1)) > 0.97
    assert np.mean(np.abs(exact - mc)) < 0.03


def test_oracle_selects_columns_by_name_and_names_missing_ones(oracle, clean):
    X, _ = clean
    X = X[:50]
    shuffled = X[X.columns[::-1]].assign(extra=1.0)
    np.testing.assert_allclose(oracle.predict_proba(shuffled), oracle.predict_proba(X))
    with pytest.raises(ValueError, match=r"lacks the columns \['c2', 'x3'\]"):
        oracle.predict_proba(X.drop(columns=["x3", "c2"]))
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        oracle.predict_proba(X.to_numpy())
    # Outside nodes are not needed.
    assert "o1" not in oracle.required_columns
    oracle.predict_proba(X.drop(columns=["o1", "o2"]))


def test_oracle_refuses_to_undo_zero_scale(sem):
    with pytest.raises(ValueError, match="cannot undo scale 0 on child 'x1'"):
        sem.oracle(scale={"x1": 0.0})


@pytest.mark.parametrize(
    "params",
    [
        {"n_parents": 0, "n_coparents": 0, "n_latent": 0, "n_outside": 0},
        {"n_children": 0, "n_coparents": 0, "n_latent": 0},
        {"n_classes": 2, "n_latent": 0},
    ],
)
def test_oracle_handles_degenerate_blankets(params):
    sem = SyntheticSEM(**params, random_state=0)
    X, y = sem.sample(1000, random_state=0)
    mc, exact = sem.oracle(n_mc=200), sem.oracle(n_mc=None)
    np.testing.assert_allclose(mc.predict_proba(X).sum(axis=1), 1.0)
    if not sem.roles["latent"]:  # nothing to integrate: Monte Carlo is exact
        np.testing.assert_allclose(mc.predict_proba(X), exact.predict_proba(X), atol=1e-10)
    assert mc.score(X, y) > 1.0 / sem.n_classes


def test_oracle_score_refuses_labels_of_another_type_or_count(oracle, clean):
    X, y = clean
    with pytest.raises(ValueError, match="match its classes in text but not in type"):
        oracle.score(X, y.astype(str))
    with pytest.raises(ValueError, match=rf"one label per row of X \({len(X)} rows\)"):
        oracle.score(X, y[:10])
    assert oracle.score(X, y.to_numpy()[:, None]) == oracle.score(X, y)  # a column is fine



@pytest.mark.parametrize("seed", ["a", 1.5, -1, True])
def test_a_random_state_numpy_cannot_use_is_named(seed):
    with pytest.raises((TypeError, ValueError), match="random_state must be an int"):
        SyntheticSEM(random_state=seed)
    with pytest.raises((TypeError, ValueError), match="random_state must be an int"):
        SyntheticSEM(random_state=0).sample(5, random_state=seed)


def test_make_sem_return_sem_must_be_a_bool():
    with pytest.raises(TypeError, match="return_sem must be True or False, got 'no'"):
        make_sem(50, random_state=0, return_sem="no")


def test_a_legacy_random_state_builds_every_generator_reproducibly():
    # scikit-learn passes numpy.random.RandomState; it cannot spawn the SEMs' streams
    from skcama.datasets import MixedSEM, dyspnea_sem

    for build in (lambda rs: SyntheticSEM(random_state=rs),
                  lambda rs: MixedSEM.random(random_state=rs),
                  lambda rs: dyspnea_sem(random_state=rs)):
        first = build(np.random.RandomState(0)).sample(30, random_state=1)[0]
        again = build(np.random.RandomState(0)).sample(30, random_state=1)[0]
        pd.testing.assert_frame_equal(first, again)
    X, y = make_sem(40, random_state=np.random.RandomState(3))[:2]
    assert len(X) == len(y) == 40


def test_the_default_oracle_is_exact_where_latent_draws_fall_short():
    """With many latent causes, 1000 Monte Carlo draws are too few: the default integrates
    them out exactly, and no fitted model should beat it."""
    from sklearn.linear_model import LogisticRegression

    sem = SyntheticSEM(n_latent=8, random_state=0)
    X, y = sem.sample(8000, random_state=1)
    X_test, y_test = sem.sample(4000, random_state=2)
    exact = sem.oracle()
    assert exact.n_mc is None
    fitted = LogisticRegression(max_iter=2000).fit(X, y).score(X_test, y_test)
    assert exact.score(X_test, y_test) > fitted
    assert exact.score(X_test, y_test) > sem.oracle(n_mc=1000).score(X_test, y_test)


def test_shifting_an_outside_cause_of_a_parent_warns():
    from skcama.manipulations import InvalidManipulationWarning

    sem = next(s for s in (SyntheticSEM(random_state=seed) for seed in range(40))
               if any(sem_parent in s.roles["parents"]
                      for sem_parent in s.full_graph.successors("o1")))
    with pytest.warns(InvalidManipulationWarning, match=r"\['o1'\], causes of the target"):
        sem.sample(50, shift={"o1": 3.0}, random_state=0)
    with pytest.warns(InvalidManipulationWarning, match="causes of the target"):
        sem.sample(50, shift={"outside": 3.0}, random_state=0)


def test_a_sem_without_features_still_has_its_rows_and_roles_name_the_target():
    sem = SyntheticSEM(n_parents=0, n_coparents=0, n_children=0, n_latent=0, n_outside=0,
                       random_state=0)
    X, y = sem.sample(5, random_state=0)
    assert X.shape == (5, 0) and len(y) == 5
    assert SyntheticSEM(random_state=0).roles.target == "y"


@pytest.mark.parametrize("name", ["noise", "class_sep"])
def test_scales_that_would_overflow_are_refused(name):
    with pytest.raises(ValueError, match=rf"{name} must be a finite number .*<= 1000000"):
        SyntheticSEM(**{name: 1e200})
