"""Behaviour of CAMAClassifier: roles, prediction, determinism, sklearn integration."""

from __future__ import annotations

import copy
import io
import logging
import pickle
import re
import sys
import warnings

import joblib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skcama import CAMAClassifier, GraphError, load_model
from skcama._training import stratified_hold_out

from conftest import FAST, simple_sem


@pytest.fixture(scope="module")
def fitted(sem_data):
    X, y, graph = sem_data
    return CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y)


def test_fit_learns_the_sem_well_above_chance(fitted):
    X_test, y_test, _ = simple_sem(1)
    assert fitted.score(X_test, y_test) > 0.8


def test_roles_follow_the_graph_and_report_ignored_columns(fitted):
    roles = fitted.roles_
    assert roles.parents == ("a",)
    assert roles.coparents == ("c",)
    assert roles.children == ("x1", "x2", "x3")
    assert set(roles.outside) == {"o", "w"}
    assert roles.child_parents["x3"] == ("x1",)


def test_predict_proba_rows_sum_to_one_and_match_predict(fitted, sem_data):
    X, _, _ = sem_data
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(fitted.classes_[proba.argmax(1)], fitted.predict(X))
    assert proba.shape == (len(X), 3)


def test_predictions_do_not_depend_on_the_other_rows_of_the_batch(fitted, sem_data):
    X, _, _ = sem_data
    full = fitted.predict_proba(X)
    order = np.random.default_rng(0).permutation(len(X))
    shuffled = fitted.predict_proba(X.iloc[order])
    np.testing.assert_allclose(shuffled, full[order], atol=1e-6)
    np.testing.assert_allclose(fitted.predict_proba(X.iloc[:7]), full[:7], atol=1e-6)


def test_columns_are_matched_by_name_in_any_order_with_extras_ignored(fitted, sem_data):
    X, _, _ = sem_data
    reordered = X[X.columns[::-1]].assign(patient_id=np.arange(len(X)).astype(str))
    np.testing.assert_allclose(fitted.predict_proba(reordered), fitted.predict_proba(X))
    # columns outside the blanket are not needed at prediction time
    np.testing.assert_allclose(
        fitted.predict_proba(X.drop(columns=["o", "w"])), fitted.predict_proba(X)
    )


def test_same_random_state_gives_identical_predictions(sem_data):
    X, y, graph = sem_data
    p1 = CAMAClassifier(graph=graph, **FAST).fit(X, y).predict_proba(X)
    p2 = CAMAClassifier(graph=graph, **FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    # and the seed is read: another one gives another model
    p3 = CAMAClassifier(graph=graph, **{**FAST, "random_state": 1}).fit(X, y).predict_proba(X)
    assert np.abs(p3 - p1).max() > 1e-3


@pytest.mark.parametrize("n_samples", [1, 4, 5])
def test_prediction_noise_comes_in_antithetic_pairs(fitted, n_samples):
    eps_z, _ = copy.deepcopy(fitted).set_params(n_samples=n_samples)._prediction_noise()
    half = (n_samples + 1) // 2
    assert eps_z.shape == (n_samples, fitted.model_.cfg.latent_dim)
    np.testing.assert_array_equal(eps_z[half:], -eps_z[: n_samples - half])


def test_fit_leaves_global_torch_random_state_alone(sem_data):
    import torch

    X, y, graph = sem_data
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    CAMAClassifier(graph=graph, target="y", max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_fits_in_threads_give_what_their_random_state_gives(sem_data):
    # joblib's "threading" backend and Dask workers with several threads fit in threads of
    # one process, where torch's initialisers share one global generator
    from concurrent.futures import ThreadPoolExecutor

    X, y, graph = sem_data

    def fit(seed):
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=1, random_state=seed)
        return clf.fit(X.iloc[:300], y.iloc[:300]).predict_proba(X.iloc[:50])

    seeds = range(8)
    alone = [fit(seed) for seed in seeds]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(fit, seeds))
    np.testing.assert_array_equal(torch.rand(3), expected)
    for seed, a, b in zip(seeds, alone, threaded, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"random_state={seed}")


def test_fits_beside_a_thread_loading_models_give_what_their_random_state_gives(sem_data,
                                                                               tmp_path):
    """load_model builds a network too: under the same lock as the seeded fits."""
    import threading

    X, y, graph = sem_data

    def fit():
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=1, random_state=0)
        return clf.fit(X.iloc[:300], y.iloc[:300]).predict_proba(X.iloc[:50])

    alone = fit()
    path = tmp_path / "m.skcama"
    CAMAClassifier(graph=graph, target="y", max_epochs=1, random_state=1).fit(X, y).save(path)
    done = threading.Event()

    def load_until_done():
        while not done.is_set():
            load_model(path)

    loader = threading.Thread(target=load_until_done)
    loader.start()
    try:
        results = [fit() for _ in range(4)]
    finally:
        done.set()
        loader.join()
    for result in results:
        np.testing.assert_array_equal(result, alone)

def test_history_records_every_epoch(fitted):
    history = pd.DataFrame(fitted.history_)
    assert list(history.epoch) == list(range(1, fitted.n_iter_ + 1))
    assert {"train_elbo", "valid_elbo", "seconds"} <= set(history.columns)
    assert history.valid_elbo.iloc[-1] > history.valid_elbo.iloc[0]


def test_running_out_of_epochs_warns(sem_data):
    X, y, graph = sem_data
    with pytest.warns(ConvergenceWarning, match="max_epochs"):
        CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X, y)


def test_verbose_shows_a_progress_bar(sem_data, capsys, monkeypatch):
    X, y, graph = sem_data
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a terminal
    CAMAClassifier(graph=graph, max_epochs=2, verbose=1, random_state=0).fit(X, y)
    assert "CAMA fit" in capsys.readouterr().err


# ----------------------------------------------------------------- graphs and blankets
def test_dict_graph_and_inferred_target_from_y_name(sem_data):
    X, y, graph = sem_data
    parents = {node: list(graph.predecessors(node)) for node in graph.nodes}
    clf = CAMAClassifier(graph=parents, **FAST).fit(X, y)
    assert clf.target_ == "y"
    assert clf.roles_.children == ("x1", "x2", "x3")


def test_target_inferred_as_the_only_graph_node_missing_from_x(sem_data):
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, **FAST).fit(X, y.to_numpy())
    assert clf.target_ == "y"


def test_parent_that_also_causes_a_child_holds_both_roles(sem_data):
    X, y, graph = sem_data
    g = graph.copy()
    g.add_edge("a", "x2")
    clf = CAMAClassifier(graph=g, **FAST).fit(X, y)
    assert "a" in clf.roles_.parents and "a" in clf.roles_.coparents
    assert clf.score(X, y) > 0.7


def test_graph_none_treats_every_feature_as_a_child(sem_data):
    X, y, _ = sem_data
    clf = CAMAClassifier(**FAST).fit(X, y)
    assert clf.roles_.children == tuple(sorted(X.columns))  # by name, not column order
    assert clf.roles_.parents == () and clf.roles_.coparents == ()
    assert clf.score(X, y) > 0.6


def test_the_order_in_which_a_graph_lists_its_nodes_does_not_change_the_model(
    sem_data, tmp_path
):
    # a CSV edge list lists nodes in edge order, a dict in key order, graph=None in the
    # column order of X: the same graph, so the same model for one random_state
    from skcama.graph import read_graph, write_graph

    X, y, graph = sem_data
    options = dict(target="y", max_epochs=3, random_state=0)
    expected = CAMAClassifier(graph=graph, **options).fit(X, y).predict_proba(X)
    write_graph(graph, tmp_path / "graph.csv")
    shuffled = nx.DiGraph()
    shuffled.add_nodes_from(reversed(list(graph.nodes)))
    shuffled.add_edges_from(reversed(list(graph.edges)))
    parents = {node: list(graph.predecessors(node)) for node in reversed(list(graph.nodes))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for spec in (read_graph(tmp_path / "graph.csv"), shuffled, parents):
            got = CAMAClassifier(graph=spec, **options).fit(X, y).predict_proba(X)
            np.testing.assert_array_equal(got, expected)
        columns = list(X.columns)
        forward = CAMAClassifier(**options).fit(X, y).predict_proba(X)
        backward = CAMAClassifier(**options).fit(X[columns[::-1]], y).predict_proba(X)
        # a discovered graph too: discovery reads the columns sorted by name
        found = CAMAClassifier(graph="pc", **options).fit(X, y).predict_proba(X)
        found_backward = CAMAClassifier(graph="pc", **options).fit(
            X[columns[::-1]], y
        ).predict_proba(X)
    np.testing.assert_array_equal(backward, forward)
    np.testing.assert_array_equal(found_backward, found)


@pytest.mark.parametrize(
    "edges, expected",
    [
        ([("a", "y"), ("y", "x1"), ("y", "x2")], "no co-parents"),
        ([("y", "x1"), ("c", "x1"), ("y", "x2")], "no parents"),
        ([("a", "y")], "no children"),
    ],
)
def test_degenerate_blankets_fit_and_predict(sem_data, edges, expected):
    X, y, _ = sem_data
    clf = CAMAClassifier(graph=nx.DiGraph(edges), target="y", **FAST).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert clf.score(X, y) > 0.45, expected


def test_numpy_input_with_integer_nodes():
    X, y, _ = simple_sem(0)
    array = X[["a", "c", "x1", "x2"]].to_numpy()
    graph = nx.DiGraph([(0, "t"), ("t", 2), ("t", 3), (1, 2), (1, 3)])
    clf = CAMAClassifier(graph=graph, target="t", **FAST).fit(array, y)
    assert clf.roles_.parents == (0,) and clf.roles_.coparents == (1,)
    assert clf.predict(array).shape == (len(array),)


@pytest.mark.parametrize("labels", [[3, 1, 0, 2], [3.0, 1.0, 0.0, 2.0]], ids=["int", "float"])
def test_a_frame_of_an_array_model_with_its_positions_in_another_order_is_warned_of(labels):
    # the graph names the columns 0..3 and the manipulations read a frame by label, while
    # the model reads it by position, as scikit-learn's do: the same rows scored
    # otherwise as their columns were ordered, with no word
    X, y, _ = simple_sem(0)
    array = X[["a", "c", "x1", "x2"]].to_numpy()
    graph = nx.DiGraph([(0, "t"), ("t", 2), ("t", 3), (1, 2), (1, 3)])
    clf = CAMAClassifier(graph=graph, target="t", **FAST).fit(array, y)
    frame = pd.DataFrame(array[:50][:, [3, 1, 0, 2]], columns=labels)
    with pytest.warns(UserWarning, match=r"the positions 0 .. 3 in another order.*by "
                                         r"position.*X\[sorted\(X.columns\)\]"):
        proba = clf.predict_proba(frame)
    np.testing.assert_array_equal(proba, clf.predict_proba(array[:50][:, [3, 1, 0, 2]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(clf.predict_proba(frame[sorted(frame.columns)]),
                                      clf.predict_proba(array[:50]))


def test_a_frame_that_lost_its_column_names_is_told_so_without_guesses(sem_data):
    from skcama.manipulations import shift

    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y)
    numbered = pd.DataFrame(X.to_numpy())
    with pytest.raises(ValueError, match=r"numbered 0 to \d+, as a DataFrame made from an "
                       r"array without column names") as error:
        clf.predict(numbered)
    assert "did you mean" not in str(error.value)
    with pytest.raises(ValueError, match="not in X") as error:
        shift(numbered, 1.0, columns=["x1"])
    assert "Did you mean" not in str(error.value)


def test_column_names_of_mixed_types_are_refused_with_the_fix(sem_data):
    X, y, _ = sem_data
    mixed = X.rename(columns={X.columns[0]: 0})
    with pytest.raises(TypeError, match=r"mix text .*int: \[0\].*astype\(str\)"):
        CAMAClassifier(**FAST).fit(mixed, y)
    # numpy's str_ beside str: scikit-learn refuses the mix as well
    numpy_text = X.set_axis(pd.Index([np.str_(c) if i % 2 else c
                                      for i, c in enumerate(X.columns)], dtype=object), axis=1)
    with pytest.raises(TypeError, match=r"mix text .*str_: .*astype\(str\)"):
        CAMAClassifier(**FAST).fit(numpy_text, y)


@pytest.mark.parametrize("marker", [pd.NaT, np.datetime64("NaT")], ids=["NaT", "np-NaT"])
def test_not_a_time_among_numbers_is_a_missing_value(sem_data, marker):
    from skcama.manipulations import shift

    X, y, graph = sem_data
    holed = X.astype({"x2": object})
    holed.loc[holed.index[5], "x2"] = marker
    as_nan = X.copy()
    as_nan.loc[as_nan.index[5], "x2"] = np.nan
    clf = CAMAClassifier(graph=graph, target="y", **FAST).fit(holed, y)
    reference = CAMAClassifier(graph=graph, target="y", **FAST).fit(as_nan, y)
    np.testing.assert_array_equal(clf.predict_proba(holed), reference.predict_proba(as_nan))
    assert np.isnan(shift(holed, 1.0, columns=["x2"])["x2"].iloc[5])
    # rows that hold no number in the column, only missing markers: it read no example
    # number (IndexError) where NaN alone predicted
    markers = X.iloc[:3].astype({"x2": object})
    markers["x2"] = pd.Series([marker, None, np.nan], index=markers.index, dtype=object)
    np.testing.assert_array_equal(
        clf.predict_proba(markers), clf.predict_proba(X.iloc[:3].assign(x2=np.nan)))
    np.testing.assert_array_equal(
        clf.predict_proba(markers.iloc[[0]]), clf.predict_proba(X.iloc[:1].assign(x2=np.nan)))


def test_a_non_number_in_a_numeric_column_is_the_example_of_the_error(fitted, sem_data):
    X, _, _ = sem_data
    odd = X.astype({"x2": object})
    odd.loc[odd.index[5], "x2"] = pd.Timestamp("2020-01-01")
    with pytest.raises(ValueError, match=r"'x2'.*non-numeric values \(e\.g\. Timestamp"):
        fitted.predict(odd)


def test_score_on_no_rows_says_so(fitted, sem_data):
    X, y, _ = sem_data
    with pytest.raises(ValueError, match="X has no rows"):
        fitted.score(X.iloc[:0], y.iloc[:0])


def test_string_class_labels(sem_data):
    X, y, graph = sem_data
    labels = np.array(["mild", "moderate", "severe"])[y]
    clf = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, labels)
    assert set(clf.predict(X)) <= {"mild", "moderate", "severe"}
    assert list(clf.classes_) == ["mild", "moderate", "severe"]


# ---------------------------------------------------------------------- bad input
def test_cyclic_graph_is_rejected_naming_the_cycle(sem_data):
    X, y, graph = sem_data
    g = graph.copy()
    g.add_edge("x3", "c")
    with pytest.raises(GraphError, match=r"cycle .*x3.*c|cycle .*c.*x3"):
        CAMAClassifier(graph=g, target="y").fit(X, y)


def test_the_cycles_suggested_edge_is_on_the_cycle_and_removing_it_breaks_it(sem_data):
    X, y, graph = sem_data
    g = graph.copy()
    g.add_edge("x3", "c")  # c -> x1 -> x3 -> c
    with pytest.raises(GraphError) as caught:
        CAMAClassifier(graph=g, target="y").fit(X, y)
    message = str(caught.value)
    cycle = re.search(r"cycle ((?:\S+ -> )+\S+);", message).group(1).split(" -> ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"c", "x1", "x3"}
    suggested = tuple(re.search(r"e\.g\. \('(\w+)', '(\w+)'\)", message).groups())
    assert suggested in set(zip(cycle, cycle[1:], strict=False))
    g.remove_edge(*suggested)
    assert nx.is_directed_acyclic_graph(g)


_BAD_INPUTS = {  # name -> (how to spoil X, y, graph, the CAMAClassifier keywords), message
    "cycle": (lambda X, y, g: (X, y, nx.DiGraph([*g.edges, ("x3", "c")]), {}), "cycle"),
    "missing column": (lambda X, y, g: (X.drop(columns="x2"), y, g, {}), "x2"),
    "target not in graph": (lambda X, y, g: (X, y, g, {"target": "Y"}), "'Y'"),
    "infinite value": (lambda X, y, g: (X.assign(x2=X.x2.where(X.index != 3, np.inf)), y, g,
                                        {}), "infinite"),
    "single class": (lambda X, y, g: (X, y * 0, g, {}), "class"),
    "empty frame": (lambda X, y, g: (X.iloc[:0], y.iloc[:0], g, {}), "empty"),
}


@pytest.mark.parametrize("case", list(_BAD_INPUTS))
def test_a_refused_fit_leaves_the_callers_data_and_graph_as_they_were(sem_data, case):
    spoil, message = _BAD_INPUTS[case]
    X, y, graph, params = spoil(*sem_data)
    X, y, graph = X.copy(), y.copy(), graph.copy()  # objects the caller holds
    kept = X.copy(deep=True), y.copy(deep=True), graph.copy()
    with pytest.raises((ValueError, GraphError), match=message):
        CAMAClassifier(graph=graph, **{"target": "y", **params}).fit(X, y)
    pd.testing.assert_frame_equal(X, kept[0])
    pd.testing.assert_series_equal(y, kept[1])
    assert nx.utils.graphs_equal(graph, kept[2])
    assert list(graph.edges) == list(kept[2].edges)


def test_a_refused_prediction_leaves_the_callers_frame_as_it_was(sem_data):
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=3).fit(X, y)
    for bad, message in ((X.drop(columns="x2"), "x2"),
                         (X.assign(x1=X.x1.where(X.index != 0, -np.inf)),
                          r"infinity in columns \['x1'\].*Replace the infinite values")):
        kept = bad.copy(deep=True)
        with pytest.raises(ValueError, match=message):
            clf.predict(bad)
        pd.testing.assert_frame_equal(bad, kept)


def test_target_not_in_graph_is_rejected_with_a_suggestion(sem_data):
    X, y, graph = sem_data
    with pytest.raises(GraphError, match="target 'Y' is not a node.*Did you mean 'y'"):
        CAMAClassifier(graph=graph, target="Y").fit(X, y)


def test_graph_nodes_missing_from_the_data_are_named(sem_data):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match=r"\['x2'\].*did you mean 'X2'"):
        CAMAClassifier(graph=graph, target="y").fit(X.rename(columns={"x2": "X2"}), y)


def test_columns_renamed_by_a_column_transformer_or_one_hot_encoded_get_their_fix():
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    X = pd.DataFrame({"age": rng.normal(size=120) + y, "bp": rng.normal(size=120) - y,
                      "cat": np.where(rng.random(120) < 0.3 + 0.4 * y, "hi", "lo")})
    graph = {"age": ["y"], "bp": ["y"], "cat": ["y"]}

    def fit(**options):
        encode = make_column_transformer(
            (StandardScaler(), ["age", "bp"]), (OneHotEncoder(sparse_output=False), ["cat"]),
            **options,
        )
        pipe = make_pipeline(encode, CAMAClassifier(graph=graph, target="y", max_epochs=2))
        return pipe.set_output(transform="pandas").fit(X, y)

    with pytest.raises(ValueError, match=r"prefixes \('standardscaler__age' for 'age', .*"
                                         r"verbose_feature_names_out=False.*'cat' looks "
                                         r"one-hot encoded into \['onehotencoder__cat_hi'"):
        fit()
    with pytest.raises(ValueError, match=r"\['cat'\] .* 'cat' looks one-hot encoded into "
                                         r"\['cat_hi', 'cat_lo'\]: .*leave the encoder out"):
        fit(verbose_feature_names_out=False)


def test_text_handed_on_as_an_array_by_a_pipeline_step_gets_the_set_output_fix():
    from sklearn.compose import make_column_transformer
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    X = pd.DataFrame({"x": rng.normal(size=120) + y, "sex": rng.choice(["F", "M"], 120)})
    scale = make_column_transformer((StandardScaler(), ["x"]), remainder="passthrough",
                                    verbose_feature_names_out=False)
    pipe = make_pipeline(scale, CAMAClassifier(max_epochs=2, random_state=0))
    with pytest.raises(ValueError, match=r"column 1 of X holds text \(e.g. '[FM]'\).*In a "
                                         r"Pipeline, .*set_output\(transform='pandas'\)"):
        pipe.fit(X, y)
    with warnings.catch_warnings():  # the fix, as written
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.set_output(transform="pandas").fit(X, y)
    assert pipe[-1].column_types_ == {"x": "gaussian", "sex": "bernoulli"}


def test_new_features_before_the_classifier_are_named_as_such_not_guessed_as_renames():
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline

    X, y, graph = simple_sem(0, n=120)
    pipe = make_pipeline(PCA(3), CAMAClassifier(graph=graph, target="y", max_epochs=2))
    with pytest.raises(ValueError, match=r"No node of the Markov blanket of 'y' is a column "
                                         r"of X \(X has \['pca0', 'pca1', 'pca2'\]\): a "
                                         r"transformer before the classifier \(PCA") as caught:
        pipe.set_output(transform="pandas").fit(X, y)
    assert "did you mean" not in str(caught.value)  # 'x1' -> 'pca1' was a chance likeness
    with pytest.raises(ValueError, match=r"written otherwise \('A' for 'a', 'C' for 'c', "
                                         r"'X1' for 'x1'\); name them alike"):
        CAMAClassifier(graph=graph, target="y").fit(X.rename(columns=str.upper), y)


def test_a_wrapper_that_hands_on_an_array_is_named_with_the_positional_fix():
    from sklearn.ensemble import BaggingClassifier

    X, y, graph = simple_sem(0, n=120)
    bag = BaggingClassifier(CAMAClassifier(graph=graph, max_epochs=2), n_estimators=2)
    with pytest.raises(GraphError, match=r"numbered 0..6, as an array's are"):
        bag.fit(X, y)
    bag.set_params(estimator__target="y")
    with pytest.raises(ValueError, match=r"BaggingClassifier.*nx.relabel_nodes"):
        bag.fit(X, y)
    positions = nx.relabel_nodes(graph, {name: i for i, name in enumerate(X.columns)})
    positions = nx.relabel_nodes(positions, {"y": "target"})
    bag = BaggingClassifier(CAMAClassifier(graph=positions, target="target", max_epochs=2,
                                           random_state=0), n_estimators=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bag.fit(X, y)
    position = {name: i for i, name in enumerate(X.columns)}
    children = sorted(position[c] for c in graph.successors("y"))
    assert [sorted(e.roles_.children) for e in bag.estimators_] == [children, children]
    # that graph of positions with the named frame itself: the positions are named
    with pytest.raises(ValueError, match=r"nodes \[.*\] are column positions, as for an "
                                         r"array, while X has named columns .*X.to_numpy\(\)"
                                         r".*dict\(enumerate\(X.columns\)\)"):
        CAMAClassifier(graph=positions, target="target").fit(X, y)


def test_prediction_frame_missing_a_used_column_is_named(fitted, sem_data):
    X, _, _ = sem_data
    with pytest.raises(ValueError, match=r"lacks the columns \['c'\].*co-parent"):
        fitted.predict(X.drop(columns=["c"]))


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_values_are_rejected_naming_the_column(fitted, sem_data, bad):
    X, y, graph = sem_data
    X_bad = X.copy()
    X_bad.loc[3, "x2"] = bad
    with pytest.raises(ValueError, match=r"infinity in columns \['x2'\].*Replace the infinite "
                                         "values with NaN"):
        CAMAClassifier(graph=graph).fit(X_bad, y)
    with pytest.raises(ValueError, match=r"infinity in columns \['x2'\]"):
        fitted.predict(X_bad)


def test_values_far_from_the_training_data_are_warned_and_beyond_float_range_refused(
    fitted, sem_data, tmp_path
):
    """A unit mistake or a code for missing (9999) in a child: far values are warned with
    the column, value and training scale; values so far that float32 likelihoods can no
    longer tell the classes apart (a row scored 1/K each, or NaN) are an error, in
    predict and in adapt alike."""
    X, _, _ = sem_data
    far = X.copy()
    far.loc[3, "x2"] = 9999.0
    with pytest.warns(UserWarning, match=r"'x2': 9999 \(row 3\) is .* sds from its training "
                                         r"mean .*"
                                         r"1 value beyond 100 sds.*code for a missing"):
        proba = fitted.predict_proba(far)
    assert np.isfinite(proba).all()
    for value in (1e8, 1e30, -1e30):
        far.loc[3, "x2"] = value
        with pytest.raises(ValueError, match=r"too far from the training data.*'x2'"):
            fitted.predict_proba(far)
    clf = copy.deepcopy(fitted)
    with pytest.raises(ValueError, match=r"too far from the training data.*'x2'.*set those "
                                         r"values to NaN \(missing\) first; they are in "
                                         r"row 3\."):
        clf.adapt(far)
    assert not clf.manipulation_learned_
    # in every row: NaN would leave nothing to adapt to; other units are likelier
    with pytest.raises(ValueError, match=r"Every row holds such a value, as a column "
                                         r"recorded in other units .* convert those columns"):
        clf.adapt(X.assign(x2=X["x2"] + 1e7))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict_proba(X.assign(x2=X["x2"] + 20 * X["x2"].std()))  # a large shift
    # a far value in the training rows inflates the very sd it would be measured against
    # (in n rows none lies more than sqrt(n - 1) sds out): fit judges it by robust sds
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"x": rng.normal(size=2_000)})
    big.loc[0, "x"] = 1e4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CAMAClassifier(max_epochs=1).fit(big, rng.integers(0, 2, 2_000))
    assert not [w for w in caught if "far outside" in str(w.message)]
    assert [w for w in caught if re.search(
        r"column 'x': the training value 10000 is .* robust sds from the column's median "
        r".*\(1 value beyond 100\); the column is standardised with its mean .* and sd "
        r".*unit mistake", str(w.message))]
    with warnings.catch_warnings(record=True) as caught:  # a heavy tail within reach
        warnings.simplefilter("always")
        CAMAClassifier(max_epochs=1).fit(
            pd.DataFrame({"x": rng.standard_t(3, size=2_000)}), rng.integers(0, 2, 2_000))
    assert not [w for w in caught if "robust sds" in str(w.message)]
    # a cluster of far values is a measurement nearly determined by the class, read
    # perfectly: its values are not mistakes to delete (a quarter of the rows at 141
    # robust sds were called so)
    labels = (rng.random(300) < 0.3).astype(int)
    marker = pd.DataFrame({"marker": 1.0 + 2.0 * labels + 0.01 * rng.normal(size=300)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CAMAClassifier(max_epochs=1).fit(marker, labels)
    assert not [w for w in caught if "robust sds" in str(w.message)]
    # a column constant in fit is read as missing: a far value of it is no evidence at all
    flat = pd.DataFrame({"x": rng.normal(size=200), "k": 5.0})
    with pytest.warns(UserWarning, match="constant"):
        model = CAMAClassifier(max_epochs=1).fit(flat, rng.integers(0, 2, 200))
    path = tmp_path / "flat.skcama"
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for clf in (model, load_model(path)):
            np.testing.assert_array_equal(clf.predict_proba(flat.assign(k=500.0)),
                                          clf.predict_proba(flat))


def test_non_finite_values_outside_the_blanket_do_not_matter(fitted, sem_data):
    X, _, _ = sem_data
    X_out = X.assign(o=np.nan)
    np.testing.assert_allclose(fitted.predict_proba(X_out), fitted.predict_proba(X))


def test_single_class_is_rejected(sem_data):
    X, _, graph = sem_data
    with pytest.raises(ValueError, match=r"at least 2 classes.*got 1 class \(0\);"):
        CAMAClassifier(graph=graph).fit(X, np.zeros(len(X), dtype=int))


def test_labels_as_a_one_column_frame_are_warned_at_the_users_line(sem_data):
    from sklearn.exceptions import DataConversionWarning

    X, y, graph = sem_data
    with pytest.warns(DataConversionWarning, match="column-vector y") as caught:
        CAMAClassifier(graph=graph, max_epochs=1).fit(X, pd.DataFrame({"y": y}))
    assert [w.filename for w in caught if w.category is DataConversionWarning] == [__file__]


def test_empty_frame_is_rejected(sem_data):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match=r"X is empty \(0 rows\); CAMAClassifier needs at "
                                         "least 2 rows"):
        CAMAClassifier(graph=graph).fit(X.iloc[:0], y.iloc[:0])


def test_one_row_as_a_series_is_named(fitted, sem_data):
    X, _, _ = sem_data
    for method in ("predict", "predict_proba", "adapt"):
        with pytest.raises(ValueError, match=r"X is a Series .*X\.iloc\[\[i\]\]"):
            getattr(copy.deepcopy(fitted), method)(X.iloc[0])


def test_empty_markov_blanket_is_rejected(sem_data):
    X, y, _ = sem_data
    graph = nx.DiGraph([("a", "c")])
    graph.add_node("y")
    with pytest.raises(GraphError, match="'y' has no parents, co-parents or children"):
        CAMAClassifier(graph=graph, target="y").fit(X, y)


def test_undirected_graph_is_rejected(sem_data):
    X, y, _ = sem_data
    with pytest.raises(GraphError, match="undirected"):
        CAMAClassifier(graph=nx.Graph([("y", "x1")]), target="y").fit(X, y)


def test_constant_column_warns_and_still_fits(sem_data):
    X, y, graph = sem_data
    with pytest.warns(UserWarning, match=r"\['x2'\] are constant") as record:
        clf = CAMAClassifier(graph=graph, **FAST).fit(X.assign(x2=1.0), y)
    assert np.isfinite(clf.predict_proba(X)).all()
    assert {w.filename for w in record} == {__file__}  # the user's line, not skcama's
    # read as missing: whatever it holds later adds no evidence (adapted or not)
    expected = clf.predict_proba(X.assign(x2=np.nan))
    for value in (1.0, 50.0, -3.0):
        np.testing.assert_array_equal(clf.predict_proba(X.assign(x2=value)), expected)
    clf.set_params(adapt_steps=5).adapt(X.assign(x2=7.0))
    np.testing.assert_array_equal(clf.predict_proba(X.assign(x2=9.0)),
                                  clf.predict_proba(X.assign(x2=np.nan)))
    # reconstruct_clean gives a constant column back as given (a co-parent here)
    with pytest.warns(UserWarning, match=r"\['c'\] are constant"):
        flat = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X.assign(c=2.0), y)
    np.testing.assert_array_equal(flat.reconstruct_clean(X.assign(c=2.0))["c"], 2.0)


@pytest.mark.parametrize("measured", [1, 5])
def test_a_column_measured_in_few_training_rows_is_named(sem_data, measured):
    """Measured once it is constant (read as missing, no evidence); a few times, a warning
    says that its evidence rests on those rows."""
    X, y, graph = sem_data
    sparse = X.copy()
    sparse["x2"] = np.nan
    sparse.loc[sparse.index[:measured], "x2"] = X["x2"].iloc[:measured]
    match = "are constant" if measured == 1 else r"fewer than 20 of the 400 training rows " \
                                                 r"\('x2' in 5\)"
    with pytest.warns(UserWarning, match=match):
        clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(sparse, y)
    if measured == 1:
        np.testing.assert_array_equal(clf.predict_proba(X),
                                      clf.predict_proba(X.assign(x2=np.nan)))


@pytest.mark.parametrize("differing", [1, 5])
def test_a_measurement_that_varies_in_few_training_rows_is_named(sem_data, differing):
    """Varying in one row it is read as constant (its sd was that row's alone: a child
    of 1.0 in 399 rows and 1.5 in one read a later 1.5 as 20 sds out, and predictions
    moved with it; the only warning was of a scaled yes / no indicator); in a few rows, a
    warning says that its evidence rests on those rows."""
    X, y, graph = sem_data
    rare = X.assign(x2=1.0)
    rare.loc[rare.index[:differing], "x2"] = 1.5 + np.arange(differing) / 10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(rare, y)
    said = [str(w.message) for w in caught if "max_epochs" not in str(w.message)]
    if differing == 1:
        assert said == [
            "columns ['x2'] vary in a single training row (column 'x2' is 1 in 399 of its "
            "400 measured rows and 1.5 in one, sd 0.025): one row cannot show how a column "
            "depends on the label, and that sd would read any other value as many sds out, "
            "so the model reads them as missing, as constant columns, in fit and in "
            "prediction. Fit with rows where they vary, or leave them out; if the odd value "
            "is a code for a missing measurement, set it to NaN first "
            "(X['x2'].replace(1.5, np.nan))."], said
        assert "x2" in clf.scaler_.missing_constant
        for value in (1.5, 0.0):
            np.testing.assert_array_equal(clf.predict_proba(X.assign(x2=value)),
                                          clf.predict_proba(X.assign(x2=np.nan)))
    else:
        assert len(said) == 1 and said[0].startswith(
            "columns that vary in fewer than 20 of their measured training rows ('x2' in 5 "
            "of 400 (else 1, sd "), said
        assert "x2" not in clf.scaler_.constant


def test_tiny_units_are_a_spread_not_a_constant(sem_data):
    X, y, graph = sem_data
    tiny = X.assign(x1=X["x1"] * 1e-13)  # a hormone in mol/L
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = CAMAClassifier(graph=graph, max_epochs=1, random_state=0).fit(tiny, y)
    assert not [w for w in caught if "constant" in str(w.message)]
    assert "x1" not in clf.scaler_.constant
    assert clf.scaler_.scale[clf.scaler_.names.index("x1")] == pytest.approx(
        X["x1"].std(ddof=0) * 1e-13)


def test_minute_units_are_a_spread_not_a_constant():
    """The squares of values below about 1e-162 underflow: the sd came out 0 and such a
    column read as constant, missing in every row (as 1e200 overflowed before)."""
    values, y = _labelled_rows()
    X = pd.DataFrame(values, columns=["a", "b", "c"])
    fits = []
    for factor in (1.0, 1e-170):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fits.append(CAMAClassifier(max_epochs=5, random_state=0).fit(
                X.assign(a=X["a"] * factor), y))
        assert not [w for w in caught if "constant" in str(w.message)]
    assert fits[1].scaler_.scale[0] == pytest.approx(fits[0].scaler_.scale[0] * 1e-170)
    np.testing.assert_allclose(fits[1].predict_proba(X.assign(a=X["a"] * 1e-170)),
                               fits[0].predict_proba(X), atol=1e-5)


def test_a_child_measured_in_no_or_few_rows_of_a_class_is_named():
    """A test ordered only where a diagnosis was suspected: a child measured in no row of
    a class had a mechanism under that class learned from nothing, and predictions that
    read it fell below chance without a word."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["x0", "x1", "x2"])
    y = pd.Series(np.where(X["x0"] + 0.5 * rng.normal(size=400) > 0, "sick", "well"))
    for measured in (0, 6):
        gappy = X.assign(x0=X["x0"].where(y == "sick"))
        well = np.flatnonzero(y == "well")
        gappy.iloc[well[:measured], 0] = X["x0"].iloc[well[:measured]]
        with pytest.warns(UserWarning, match=(
            rf"children measured in few rows of a class \('x0' in {measured} of the "
            rf"{len(well)} rows of class 'well'\).*Leave such columns out")):
            CAMAClassifier(max_epochs=2, random_state=0).fit(gappy, y)
    # 20 rows of the class suffice, and a small class is short of every child alike
    enough = X.assign(x0=X["x0"].where((y == "sick") | (np.arange(400) % 9 == 0)))
    small = np.r_[np.flatnonzero(y == "sick"), np.flatnonzero(y == "well")[:15]]
    for frame, labels in ((enough, y), (X.iloc[small].assign(x0=np.nan), y.iloc[small])):
        frame = frame.copy()
        frame.iloc[:30, 0] = X["x0"].iloc[frame.index[:30]]  # measured in some rows
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            CAMAClassifier(max_epochs=2, random_state=0).fit(frame, labels)
        assert not [w for w in caught if "few rows of a class" in str(w.message)]


@pytest.mark.parametrize("dtype", [bool, "boolean"])
def test_a_finding_absent_in_every_training_row_may_be_present_later(sem_data, dtype):
    X, y, graph = sem_data
    flagged = X.assign(x2=pd.Series(False, index=X.index).astype(dtype))
    with pytest.warns(UserWarning, match=r"\['x2'\] are constant"):
        clf = CAMAClassifier(graph=graph, max_epochs=1, random_state=0).fit(flagged, y)
    present = flagged.assign(x2=pd.Series(True, index=X.index).astype(dtype))
    np.testing.assert_array_equal(clf.predict_proba(present), clf.predict_proba(flagged))


def test_warnings_inside_a_pipeline_name_the_users_line(sem_data):
    X, y, graph = sem_data
    pipe = Pipeline([("cama", CAMAClassifier(graph=graph, max_epochs=2, random_state=0))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe.fit(X.assign(extra=1.0), y)
    assert {w.filename for w in caught if "not nodes of the graph" in str(w.message)} == {
        __file__
    }
    assert {w.filename for w in caught if issubclass(w.category, ConvergenceWarning)} == {
        __file__
    }


def test_columns_not_in_the_graph_are_listed_once_in_a_warning(sem_data):
    X, y, graph = sem_data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X.assign(extra=1.0), y)
    messages = [str(w.message) for w in caught if "not nodes of the graph" in str(w.message)]
    assert messages == ["columns ['extra'] are not nodes of the graph and are ignored."]


def test_labels_indexed_unlike_x_are_paired_by_position_with_a_warning(sem_data):
    X, y, graph = sem_data
    shuffled = y.sample(frac=1, random_state=0)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=2)
    with pytest.warns(UserWarning, match=r"y's index holds the rows in another order than "
                                         r"X's index; rows are paired by position") as caught:
        clf.fit(X, shuffled)
    assert caught[0].filename == __file__
    with pytest.warns(UserWarning, match=r"sample_weight's index holds the rows with other "
                                         r"labels.*sample_weight = sample_weight\.loc"):
        clf.fit(X, y, sample_weight=pd.Series(1.0, index=X.index + 1000))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        clf.fit(X, y, manipulated=pd.Series(False, index=X.index))  # aligned: no warning
    # a MultiIndex on one side only, and repeated labels (no .loc advice then)
    nested = pd.MultiIndex.from_arrays([np.arange(len(y)) % 2, np.arange(len(y))])
    with pytest.warns(UserWarning, match="with other labels"):
        clf.fit(X, pd.Series(y.to_numpy(), index=nested))
    repeated = X.set_axis(np.repeat(np.arange(len(y) // 2 + 1), 2)[: len(y)])
    with pytest.warns(UserWarning, match="labels repeat in it") as caught:
        clf.fit(repeated, y.iloc[::-1].set_axis(repeated.index[::-1]))
    assert ".loc" not in str(caught[0].message)
    # inside cross-validation the warning names the user's line, not joblib's
    with pytest.warns(UserWarning, match="y's index holds the rows") as caught:
        cross_val_score(clf, X, shuffled, cv=2)
    assert {w.filename for w in caught if "index" in str(w.message)} == {__file__}


def test_failed_refit_leaves_the_fitted_model_unchanged(fitted, sem_data):
    X, y, graph = sem_data
    clf = pickle.loads(pickle.dumps(fitted))
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="column 'x1' holds only missing values"):
        clf.fit(X.assign(x1=np.nan), y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_features_in_ == X.shape[1]


def test_invalid_hyperparameter_names_the_parameter(sem_data):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match="'n_samples' parameter"):
        CAMAClassifier(graph=graph, n_samples=0).fit(X, y)


@pytest.mark.parametrize(
    "params, call",
    [
        (dict(n_samples=0), "predict"),
        (dict(clean_prior=2.0), "predict"),
        (dict(handle_unknown="bogus"), "predict"),
        (dict(adapt_steps=0), "adapt"),
        (dict(adapt_learning_rate=-1.0), "adapt"),
        (dict(adapt_mechanism_rate=-0.5), "adapt"),
    ],
)
def test_hyperparameters_set_after_fit_are_checked_before_use(fitted, sem_data, params, call):
    X, _, _ = sem_data
    clf = copy.deepcopy(fitted).set_params(**params)
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        getattr(clf, call)(X.iloc[:20])
    clf.set_params(**{name: fitted.get_params()[name]})
    np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.parametrize("bad, match", [
    ([0.0, 1.0, np.inf, *[0.0, 1.0] * 18, 2.0], r"y has 1 infinite labels \(rows 2\)"),
    ([True, 1, 0, False] * 10, r"y mixes True / False labels with labels of type \['int'\]"),
    ([10**400, 1.5, np.inf, *[0.5, 1.5] * 18, 2.5], r"y has 1 infinite labels \(rows 2\)"),
])
def test_infinite_labels_and_bools_mixed_with_numbers_are_named(bad, match):
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    with pytest.raises(ValueError, match=match):
        CAMAClassifier(**FAST).fit(X, pd.Series(bad, dtype=object))
    with pytest.raises(ValueError, match=match):  # as numbers, too
        plain = all(isinstance(v, float) for v in bad)
        CAMAClassifier(**FAST).fit(X, np.asarray(bad, dtype=float if plain else object))


def test_a_class_of_a_single_row_is_warned_as_a_likely_stray_label(sem_data):
    X, y, graph = sem_data
    stray = y.iloc[:300].astype(str)
    stray.iloc[3] = "two"
    with pytest.warns(UserWarning, match=r"a single row of each of the classes \['two'\] "
                                         r"\(rows \[3\]\)"):
        CAMAClassifier(graph=graph, target="y", **FAST).fit(X.iloc[:300], stray)


@pytest.mark.parametrize("params", [dict(max_epochs=0), dict(latent_dim=0),
                                    dict(learning_rate=-1.0), dict(class_weight="bogus")])
def test_a_bad_fit_only_hyperparameter_leaves_the_fitted_model_predicting(fitted, sem_data,
                                                                          params):
    # only the next fit reads it, and refuses it; until then the model predicts as fitted
    X, y, _ = sem_data
    clf = copy.deepcopy(fitted).set_params(**params)
    with pytest.raises(ValueError, match=f"'{next(iter(params))}' parameter"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))
    assert clf.explain(X.iloc[:5]).shape[0] == 5


def test_repeated_column_names_are_rejected(fitted, sem_data):
    X, y, graph = sem_data
    doubled = pd.concat([X, X[["x1"]]], axis=1)
    with pytest.raises(ValueError, match=r"several columns named \['x1'\]"):
        CAMAClassifier(graph=graph, **FAST).fit(doubled, y)
    with pytest.raises(ValueError, match=r"several columns named \['x1'\]"):
        fitted.predict(doubled)


@pytest.mark.parametrize(
    "value, what",
    [(pd.Timestamp("2020-01-01"), "dates"), (pd.Timedelta("1h"), "durations"),
     (1 + 2j, "complex numbers"), (pd.Period("2020-01", freq="M"), "periods")],
)
def test_dates_durations_and_complex_columns_are_rejected(fitted, sem_data, value, what):
    X, y, graph = sem_data
    bad = X.assign(x2=value)
    with pytest.raises(ValueError, match=f"column 'x2' holds {what}"):
        CAMAClassifier(graph=graph, **FAST).fit(bad, y)
    with pytest.raises(ValueError, match=f"column 'x2' holds {what}"):
        fitted.predict(bad)


def test_non_numeric_value_in_a_continuous_column_is_quoted(fitted, sem_data):
    X, _, _ = sem_data
    text = X["x2"].astype(object)
    text.iloc[5] = "n/a"
    with pytest.raises(ValueError, match=r"column 'x2' .*non-numeric values \(e.g. 'n/a'\)"):
        fitted.predict(X.assign(x2=text))


def test_missing_and_mixed_labels_are_named(sem_data):
    X, y, graph = sem_data
    holes = y.astype(float)
    holes.iloc[[3, 8]] = np.nan
    with pytest.raises(ValueError, match=r"y has 2 missing labels \(rows 3, 8\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X, holes)
    mixed = y.astype(object)
    mixed.iloc[0] = "zero"
    with pytest.raises(ValueError, match="y mixes text labels with labels of type"):
        CAMAClassifier(graph=graph, **FAST).fit(X, mixed)
    # rows of a frame with an index of its own are named by their labels, as elsewhere
    ids = [f"P{i:03d}" for i in range(len(X))]
    X_ids, holes_ids = X.set_axis(ids), holes.set_axis(ids)
    with pytest.raises(ValueError, match=r"y has 2 missing labels \(rows labelled 'P003', "
                                         r"'P008'\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X_ids, holes_ids)
    weights = pd.Series(1.0, index=ids)
    weights.iloc[5] = -1.0
    with pytest.raises(ValueError, match=r"\(row labelled 'P005': -1\.0\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X_ids, y.set_axis(ids), sample_weight=weights)
    flags = pd.Series(False, index=ids, dtype=object)
    flags.iloc[4] = None
    with pytest.raises(ValueError, match=r"1 missing flags \(rows labelled 'P004'\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X_ids, y.set_axis(ids), manipulated=flags)
    # an index that repeats labels names no row: positions, as for an array
    twice = [f"P{i // 2:03d}" for i in range(len(X))]
    with pytest.raises(ValueError, match=r"y has 2 missing labels \(rows 3, 8\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X.set_axis(twice), holes.set_axis(twice))


def test_target_that_is_also_a_column_of_x_is_rejected(sem_data):
    X, y, graph = sem_data
    with pytest.raises(GraphError, match="target 'x3' is also a column of X"):
        CAMAClassifier(graph=graph, target="x3").fit(X, y)


def test_an_object_array_with_pandas_missing_values_reads_them_as_missing(sem_data):
    # X.to_numpy() of a frame with an Int64 column holds pd.NA in an object array
    X, y, _ = sem_data
    frame = X[["x1", "x2"]].assign(g=pd.array(np.arange(len(X)) % 3, dtype="Int64"))
    frame.loc[frame.index[:5], "g"] = pd.NA
    values = frame.to_numpy()
    assert values.dtype == object
    clf = CAMAClassifier(**FAST).fit(values, np.asarray(y))
    assert np.isfinite(clf.predict_proba(values)).all()
    with pytest.raises(ValueError, match="X is one-dimensional"):  # not float()'s error
        CAMAClassifier(**FAST).fit(values[:, 2], np.asarray(y))


def test_a_column_of_two_values_read_as_a_measurement_is_warned_of(sem_data):
    # a 0/1 indicator a StandardScaler has scaled: its kind would follow its prevalence
    X, y, _ = sem_data
    flag = (np.arange(len(X)) % 3 == 0).astype(float)
    scaled = X[["x1"]].assign(flag=(flag - flag.mean()) / flag.std())
    with pytest.warns(UserWarning, match=r"columns \['flag'\] are read as continuous .* "
                                         "hold two values each.*pass such columns unscaled"):
        CAMAClassifier(**FAST).fit(scaled, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # raw 0/1, or declared: no warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(**FAST).fit(X[["x1"]].assign(flag=flag), y)
        CAMAClassifier(column_types={"flag": "bernoulli"}, **FAST).fit(scaled, y)


def test_without_a_graph_unnamed_labels_take_a_name_no_column_has(sem_data):
    # graph=None names the target node itself: a feature called 'y' is a feature
    X, y, _ = sem_data
    X = X[["x1", "x2"]].rename(columns={"x2": "y"})
    clf = CAMAClassifier(**FAST).fit(X, np.asarray(y))
    assert clf.target_ == "target" and set(clf.roles_.children) == {"x1", "y"}
    with pytest.raises(GraphError, match="target 'y' is also a column of X"):
        CAMAClassifier(target="y", **FAST).fit(X, np.asarray(y))  # as the user asks
    # a column 'y' that holds the labels is the labels left in X, not a feature
    with pytest.raises(GraphError, match="X's column 'y' holds the labels themselves"):
        CAMAClassifier(**FAST).fit(X.assign(y=np.asarray(y)), np.asarray(y))


@pytest.mark.parametrize("graph", [None, "with the label as a child"])
def test_labels_left_in_x_are_refused(sem_data, graph):
    # fit(df, df["label"]) without dropping the column: graph=None made it a child
    X, y, sem_graph = sem_data
    frame = X.assign(label=np.asarray(y))
    before = frame.copy()
    spec = None if graph is None else sem_graph.copy()
    if spec is not None:
        spec.add_edge("y", "label")
    with pytest.raises(ValueError, match=r"y is named 'label', which is also a column of X.*"
                                         r"X.drop\(columns=\['label'\]\)"):
        CAMAClassifier(graph=spec, **FAST).fit(frame, frame["label"])
    pd.testing.assert_frame_equal(frame, before)
    # a numpy X has no names: a Series named 0 is not its column 0
    CAMAClassifier(max_epochs=2, random_state=0).fit(X.to_numpy(), pd.Series(np.asarray(y), name=0))


def test_a_copy_of_the_labels_under_another_name_is_warned(sem_data):
    # y = df.pop(...) gone wrong: the labels stay in X, recoded, and y is a plain array
    X, y, sem_graph = sem_data
    codes = np.asarray(y)
    frame = X.assign(outcome=np.array(["low", "mid", "high"])[codes])
    graph = sem_graph.copy()
    graph.add_edge("y", "outcome")
    for spec, fix in [(None, r"drop it from X \(X.drop\(columns=\['outcome'\]\)\)"),
                      (graph, "drop it from X and the graph")]:
        with pytest.warns(UserWarning, match=r"column 'outcome' holds the labels themselves: "
                                             rf"in all {len(codes)} rows.*{fix}"):
            CAMAClassifier(graph=spec, target="y", max_epochs=2, random_state=0).fit(frame,
                                                                                     codes)
    # one row that differs is a measurement, however close
    frame.loc[frame.index[0], "outcome"] = "mid" if codes[0] != 1 else "low"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(graph=graph, target="y", max_epochs=2, random_state=0).fit(frame, codes)


def test_a_copy_of_the_labels_is_warned_whatever_kind_the_column_is_read_as():
    """A code of 12 classes (read as a number), a code that is no whole number, and a
    category with a declared level no row holds went unwarned: only discrete columns with
    as many levels as classes were looked at."""
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 12, n)
    X = pd.DataFrame({"x1": rng.normal(size=n) + 0.3 * y, "x2": rng.normal(size=n)})
    names = np.array(["asthma", "copd", "hf"])
    levels = pd.CategoricalDtype(["asthma", "copd", "hf", "other"])
    for frame, labels in [(X.assign(dx_code=y), y), (X.assign(dx_code=y + 0.5), y),
                          (X.assign(dx_code=pd.Series(names[y % 3]).astype(levels)), y % 3)]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = CAMAClassifier(max_epochs=1, random_state=0).fit(frame, labels)
        assert any("'dx_code' holds the labels themselves" in str(w.message) for w in caught), (
            clf.column_types_["dx_code"])
    # a measurement with as many values as classes that is no copy stays unwarned
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CAMAClassifier(max_epochs=1, random_state=0).fit(
            X.assign(dx_code=(y + (np.arange(n) == 0)) % 12), y)
    assert not any("labels themselves" in str(w.message) for w in caught)

def test_array_input_with_text_graph_nodes_explains_positions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = rng.normal(size=(60, 2)) + y[:, None]
    with pytest.raises(ValueError, match=r"columns of X are numbered 0..1 \(as an array.s are\)"):
        CAMAClassifier(graph={"0": ["y"], "1": ["y"]}, target="y").fit(X, y)



def test_frame_with_number_columns_and_text_graph_nodes_names_the_types():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = pd.DataFrame(rng.normal(size=(60, 2)) + y[:, None], columns=[1, 2])
    with pytest.raises(ValueError, match=r"graph names \['1', '2'\] \(str\) where X has the "
                                         r"columns \[1, 2\] \(int\)"):
        CAMAClassifier(graph={"1": ["y"], "2": ["y"]}, target="y").fit(X, y)

def test_frame_without_columns_is_rejected(sem_data):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match="X has no columns"):
        CAMAClassifier(graph=graph, target="y").fit(X.iloc[:, :0], y)


def _labelled_rows(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    return rng.normal(size=(n, 3)) + y[:, None] * np.array([1.0, 0.0, 3.0]), y


@pytest.mark.parametrize("labels", [[10, 20, 30], [0, 1, 2], [0.5, 1.5, 2.5]])
def test_a_frame_is_matched_by_column_label_whatever_the_labels(labels, tmp_path):
    """Labels that are not text (no feature_names_in_) are matched by label too: in any
    order, and an array gives the fit's columns by position; a saved model keeps it."""
    values, y = _labelled_rows()
    X = pd.DataFrame(values, columns=labels)
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(X[labels[::-1]]), proba)
    np.testing.assert_array_equal(clf.predict_proba(values), proba)
    clf.save(tmp_path / "m.skcama")
    loaded = CAMAClassifier.load(tmp_path / "m.skcama")
    np.testing.assert_array_equal(loaded.predict_proba(X[labels[::-1]]), proba)


def test_a_model_fitted_on_an_array_warns_when_given_named_columns():
    values, y = _labelled_rows()
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(values, y)
    with pytest.warns(UserWarning, match="X has feature names, but CAMAClassifier was fitted"):
        clf.predict_proba(pd.DataFrame(values, columns=list("abc")))


def test_zero_rows_predict_to_zero_rows_as_array_or_frame(fitted, sem_data):
    X, _, _ = sem_data
    assert fitted.predict(X.iloc[:0]).shape == (0,)
    fitted_on_array = CAMAClassifier(max_epochs=5, random_state=0).fit(*_labelled_rows())
    assert fitted_on_array.predict_proba(np.zeros((0, 3))).shape == (0, 2)


@pytest.mark.parametrize(
    "fit_values, predict_values",
    [("bool", "int"), ("int", "bool"), ("bool", "float"), ("int", "float")],
)
def test_a_binary_column_reads_the_same_as_bool_or_as_zero_one(fit_values, predict_values):
    """True / False, 1 / 0 and 1.0 / 0.0 are one binary column's values, whichever the
    fit saw (a bool column with a hole is read as floats by pandas)."""
    values, y = _labelled_rows()
    flag = values[:, 2] > 1.5
    as_type = {"bool": flag, "int": flag.astype(int), "float": flag.astype(float)}
    X = pd.DataFrame({"a": values[:, 0], "b": as_type[fit_values]})
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert clf.column_types_["b"] == "bernoulli"
    np.testing.assert_array_equal(
        clf.predict_proba(X.assign(b=as_type[predict_values])), clf.predict_proba(X)
    )


def test_a_numeric_column_with_some_text_warns_that_it_is_read_as_labels():
    values, y = _labelled_rows()
    X = pd.DataFrame(values, columns=["a", "b", "c"]).astype(object)
    X.loc[3, "c"] = "n/a"
    with pytest.warns(UserWarning, match=r"column 'c' holds numbers and some text \(\['n/a'\]\)"):
        CAMAClassifier(max_epochs=2, random_state=0).fit(X, y)


def test_columns_missing_at_prediction_get_the_fix(sem_data):
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"lacks the columns \['x2'\].*A child that was not "
                                         r"measured can be passed as a column of NaN"):
        clf.predict(X.drop(columns="x2"))
    assert clf.predict(X.assign(x2=np.nan)).shape == (len(X),)  # as the message says
    with pytest.raises(ValueError, match=r"lacks the columns \['c'\].*co-parent.*A parent or "
                                         r"co-parent that was not measured can be passed as "
                                         r"a column of NaN \(X\['c'\] = np.nan\).*training "
                                         r"mean") as raised:
        clf.predict(X.drop(columns="c"))
    assert "A child" not in str(raised.value)
    with pytest.warns(UserWarning, match=r"'c'.*missing in every row"):  # as it says
        assert clf.predict(X.assign(c=np.nan)).shape == (len(X),)
    for spelled in ("X2", "x2 "):  # a renamed column is named, not to be replaced by NaN
        with pytest.raises(ValueError, match=rf"'x2' -> did you mean '{spelled}'\?") as raised:
            clf.predict(X.rename(columns={"x2": spelled}))
        assert "column of NaN" not in str(raised.value)
    with pytest.raises(ValueError, match=r"did you mean 'x12'.*column of NaN"):  # merely alike
        clf.predict(X.drop(columns="x2").assign(x12=0.0))
    numbered = X.set_axis(range(X.shape[1]), axis=1)
    clf = CAMAClassifier(max_epochs=2, random_state=0).fit(numbered, y)
    with pytest.raises(ValueError, match=r"X has \['0', '1'.*\(str\) where the model has "
                                         r"\[0, 1.*\(int\)") as raised:
        clf.predict(numbered.set_axis(numbered.columns.astype(str), axis=1))
    assert "column of NaN" not in str(raised.value)  # the names' type is the fix


def test_the_advice_for_a_missing_cause_column_says_how_it_will_be_read(sem_data):
    X, y, graph = sem_data
    complete = CAMAClassifier(graph=graph, **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"X\['a'\] = np.nan\): it is then read at its "
                                         r"training mean \(with a warning\)"):
        complete.predict(X.drop(columns="a"))
    holed = CAMAClassifier(graph=graph, **FAST).fit(X.assign(a=X["a"].mask(X.index < 20)), y)
    with pytest.raises(ValueError, match=r"it is then read as missing, as in the training "
                                         "rows that lacked it"):
        holed.predict(X.drop(columns="a"))


def test_an_input_missing_in_every_row_is_warned_about(sem_data):
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match=r"columns \['a'\] are missing in every row.*"
                                         "training mean"):
        clf.predict(X.assign(a=np.nan))
    with pytest.warns(UserWarning, match=r"inputs with missing values: 'a' \(10 of "
                                         rf"{len(X)} rows\); .*reads them as their training "
                                         "mean.*Fit with rows where they are sometimes"):
        clf.predict(X.assign(a=X["a"].where(np.arange(len(X)) >= 10)))  # some rows only
    # a graded x1 causes x3: its own factor drops out, and x3's likelihood is averaged
    # over its grades
    graded = X.assign(x1=np.clip(np.round(X["x1"]), -2, 2).astype(int))
    on_grades = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(graded, y)
    assert on_grades.column_types_["x1"] == "categorical"
    holes = X.assign(x1=X["x1"].where(np.arange(len(X)) % 3 > 0))
    learned = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(holes, y)
    with warnings.catch_warnings():  # a leaf child is marginalised exactly; a row is a row
        warnings.simplefilter("error", UserWarning)
        clf.predict(X.assign(x2=np.nan))
        clf.predict(X.assign(x3=np.nan))
        clf.predict(X.assign(x1=np.nan))  # continuous: averaged over in x3's likelihood
        on_grades.predict(graded.assign(x1=np.nan))  # discrete: summed over likewise
        learned.predict(graded.assign(x1=np.nan).astype({"x1": float}))  # learned in fit
    # a single row has missing values; it is not "missing in every row" of a column
    with pytest.warns(UserWarning, match=r"inputs with missing values: 'a' \(1 of 1 rows\)"):
        clf.predict(X.iloc[:1].assign(a=np.nan))


def test_missing_continuous_children_that_cause_others_are_averaged_over():
    """A chain y -> x1 -> x2 -> x3 (each also a child of y), linear Gaussian, so the exact
    posterior with x1, or x1 and x2, missing is known. The children they cause are scored
    averaged over their values, drawn from their own mechanisms (two passes for the chain);
    reading them at their training mean instead is far off."""
    means = np.array([[-1.0, 0.8, -0.6], [0.0, -0.8, 0.6], [1.0, 0.0, 0.0]])  # class, child
    sd = 0.6

    def sample(n, seed):
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 3, n)
        x1 = means[y, 0] + sd * rng.normal(size=n)
        x2 = 0.5 * x1 + means[y, 1] + sd * rng.normal(size=n)
        x3 = 0.5 * x2 + means[y, 2] + sd * rng.normal(size=n)
        return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3}), y

    def exact(X, missing):
        log_p = np.zeros((len(X), 3))
        for k in range(3):
            m2, v2 = 0.5 * means[k, 0] + means[k, 1], 0.25 * sd**2 + sd**2
            if "x2" in missing:  # x3 | y with x1 and x2 integrated out
                m3, v3 = 0.5 * m2 + means[k, 2], 0.25 * v2 + sd**2
                log_p[:, k] = -0.5 * (X["x3"] - m3) ** 2 / v3 - 0.5 * np.log(v3)
            else:  # x2 | y with x1 integrated out, then x3 | x2, y
                log_p[:, k] = (-0.5 * (X["x2"] - m2) ** 2 / v2 - 0.5 * np.log(v2)
                               - 0.5 * (X["x3"] - 0.5 * X["x2"] - means[k, 2]) ** 2 / sd**2)
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    graph = nx.DiGraph([("y", "x1"), ("y", "x2"), ("y", "x3"), ("x1", "x2"), ("x2", "x3")])
    X, y = sample(1500, 0)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=40, random_state=0).fit(X, y)
    X_test, y_test = sample(1000, 1)

    def log_loss(p):
        return -np.mean(np.log(p[np.arange(len(y_test)), y_test]))

    for missing in (["x1"], ["x1", "x2"]):
        blank = X_test.assign(**{c: np.nan for c in missing})
        proba, truth = clf.predict_proba(blank), exact(X_test, missing)
        assert log_loss(proba) < log_loss(truth) + 0.03, missing
        assert np.abs(proba - truth).mean() < 0.05, missing
        np.testing.assert_array_equal(proba, clf.predict_proba(blank))  # deterministic
        at_mean = copy.deepcopy(clf)
        at_mean.model_.feed_passes = 0  # no draws: the feeders read at their training mean
        assert log_loss(at_mean.predict_proba(blank)) > log_loss(truth) + 0.1, missing

    # a row missing a child that causes others gets at least 64 samples, alone or among
    # complete rows (which keep n_samples), and explain scores it the same way
    mixed = X_test.iloc[:200].copy()
    mixed.loc[mixed.index[::2], "x1"] = np.nan
    sampled = {n: clf.set_params(n_samples=n).predict_log_proba(mixed) for n in (4, 16, 64)}
    clf.set_params(n_samples=4)
    holes = mixed["x1"].isna().to_numpy()
    np.testing.assert_array_equal(sampled[4][holes], sampled[16][holes])
    np.testing.assert_array_equal(sampled[4][holes], sampled[64][holes])
    assert not np.array_equal(sampled[4][~holes], sampled[64][~holes])
    np.testing.assert_array_equal(sampled[4][holes], clf.predict_log_proba(mixed[holes]))
    np.testing.assert_array_equal(sampled[4][~holes], clf.predict_log_proba(mixed[~holes]))
    # where every child x1 feeds is missing too, nothing is averaged: n_samples stays
    nothing = clf._prediction_tensors(mixed.iloc[:3].assign(x1=np.nan, x2=np.nan, x3=np.nan))
    assert clf._sample_counts(nothing.x) == [(None, 4)]
    terms = clf.explain(mixed)
    scores = np.stack([terms[k].sum(axis=1) for k in clf.classes_], axis=1)
    scores = scores - np.logaddexp.reduce(scores, axis=1, keepdims=True)
    np.testing.assert_allclose(scores, sampled[4], atol=1e-4)

    # the samples evaluated in groups (as wide models predict) draw the same values
    data = clf._prediction_tensors(X_test.assign(x1=np.nan, x2=np.nan))
    eps = torch.randn(8, clf.model_.cfg.latent_dim, generator=torch.Generator().manual_seed(0))
    eps = eps.to(data.x.device)  # where the model lives (a GPU where there is one)
    with torch.no_grad():
        whole = clf.model_.log_joint(data.a, data.c, data.x, eps)
        decoder = clf.model_.decoder
        calls = []
        original = decoder.parent_terms
        decoder.parent_terms = lambda u: calls.append(len(u)) or original(u)
        try:
            grouped = clf.model_.log_joint(data.a, data.c, data.x, eps, sample_group=3)
        finally:
            del decoder.parent_terms
    torch.testing.assert_close(grouped, whole)
    assert len(calls) == 1  # the parents' terms once for the three groups, not per group
    # a model pickled before the feeders were known rebuilds them
    older = copy.deepcopy(clf)
    for name in ("feed_column", "feed_feature", "feed_output", "feed_passes",
                 "discrete_feeders", "n_gauss_feeders", "discrete_feature"):
        delattr(older.model_, name)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(older)).predict_proba(blank),
                                  clf.predict_proba(blank))


def test_missing_discrete_children_that_cause_others_are_summed_over():
    """A categorical x1 and a yes/no x3, children of y, both cause the Gaussian x2: the
    exact posterior with either or both missing sums x2's likelihood over their values.
    The library draws them from their own mechanisms in each importance sample; reading
    them as 'none of their values', as earlier versions did, is far off."""
    level_p = np.array([[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.1, 0.2, 0.7]])  # y -> x1
    yes_p = np.array([0.2, 0.5, 0.8])  # P(x3 | y)
    effect, means, sd = np.array([-1.2, 0.0, 1.2]), np.array([-0.5, 0.0, 0.5]), 0.5

    def sample(n, seed):
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 3, n)
        x1 = (rng.random(n)[:, None] > level_p[y].cumsum(1)).sum(1)
        x3 = (rng.random(n) < yes_p[y]).astype(int)
        x2 = means[y] + effect[x1] + 0.8 * x3 + sd * rng.normal(size=n)
        return pd.DataFrame({"x1": pd.Categorical(x1, categories=[0, 1, 2]), "x2": x2,
                             "x3": pd.array(x3.astype(bool), dtype="boolean")}), y

    def exact(X, missing):
        x1, x3 = X["x1"].astype(int).to_numpy(), X["x3"].astype(int).to_numpy()
        p = np.zeros((len(X), 3))
        for k in range(3):
            for one in (range(3) if "x1" in missing else [x1]):
                for three in ((0, 1) if "x3" in missing else [x3]):
                    p[:, k] += (level_p[k, one] * np.where(three == 1, yes_p[k], 1 - yes_p[k])
                                * np.exp(-0.5 * (X["x2"] - means[k] - effect[one]
                                                 - 0.8 * three) ** 2 / sd**2))
        return p / p.sum(axis=1, keepdims=True)

    graph = nx.DiGraph([("y", "x1"), ("y", "x2"), ("y", "x3"), ("x1", "x2"), ("x3", "x2")])
    X, y = sample(2000, 0)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=40, random_state=0).fit(X, y)
    assert clf.column_types_ == {"x1": "categorical", "x2": "gaussian", "x3": "bernoulli"}
    X_test, y_test = sample(1000, 1)

    def log_loss(p):
        return -np.mean(np.log(p[np.arange(len(y_test)), y_test]))

    gap = log_loss(clf.predict_proba(X_test)) - log_loss(exact(X_test, []))
    for missing in (["x1"], ["x3"], ["x1", "x3"]):
        blank = X_test.copy()
        blank.loc[:, missing] = None
        assert blank[missing].isna().all().all()
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # nothing to warn of
            proba = clf.predict_proba(blank)
        truth = exact(X_test, missing)
        assert log_loss(proba) < log_loss(truth) + gap + 0.02, missing
        assert np.abs(proba - truth).mean() < 0.04, missing
        np.testing.assert_array_equal(proba, clf.predict_proba(blank))  # deterministic
        np.testing.assert_array_equal(proba[:5], clf.predict_proba(blank.iloc[:5]))
        as_zeros = copy.deepcopy(clf)
        as_zeros.model_.feed_passes = 0  # no draws: 'none of its values'
        # a yes / no feeder's zero coding is P(yes) = 0.5, near its average: the reading
        # is worse by 0.002 to 0.019 in fits at random_state 0 to 3 (0.05 to 0.13 where
        # the categorical x1 is missing)
        margin = 0.01 if "x1" in missing else 0.0
        assert log_loss(as_zeros.predict_proba(blank)) > log_loss(proba) + margin, missing
    # a training or adaptation step (one sample per row) feeds the expected coding, the
    # level probabilities and 2 P(yes) - 1, as a Gaussian feeder gets its mean there
    model = clf.model_
    data = clf._prediction_tensors(X_test.iloc[:20].assign(x1=None, x3=None))
    f = model.features(data.a, data.c, data.x)
    z = torch.randn(20, 1, 1, model.cfg.latent_dim, generator=torch.Generator().manual_seed(0))
    z, y_index = z.to(data.x.device), (torch.arange(20) % 3).to(data.x.device)  # a GPU's
    with torch.no_grad():
        out = model._child_outputs(f, data.x, y_index, None, z)
        first = model.decoder.outputs_given(
            *model.decoder.conditioning(f.parents_of_children, y_index, None), z)
        one, three = (model.heads.offsets[clf.roles_.children.index(c)] for c in ("x1", "x3"))
        expected = torch.cat([first[..., one:one + 3].softmax(-1),
                              2 * first[..., three:three + 1].sigmoid() - 1], -1)
        u = f.parents_of_children.clone()
        u[:, model.discrete_feature] = expected[:, 0, 0]
        by_hand = model.decoder.outputs_given(*model.decoder.conditioning(u, y_index, None), z)
    torch.testing.assert_close(out, by_hand)
    # the samples evaluated in groups, of one too (as wide models predict), draw the
    # same levels as in one pass
    eps = torch.randn(8, model.cfg.latent_dim, generator=torch.Generator().manual_seed(0))
    eps = eps.to(data.x.device)
    with torch.no_grad():
        whole = model.log_joint(data.a, data.c, data.x, eps)
        for group in (1, 3):
            grouped = model.log_joint(data.a, data.c, data.x, eps, sample_group=group)
            torch.testing.assert_close(grouped, whole)
    # a discrete child constant in fit (read as missing in every row) tells the children
    # it causes nothing: it is no input of theirs, so no row is averaged over it
    never = X.assign(x3=pd.array([False] * len(X), dtype="boolean"))
    flat = CAMAClassifier(graph=graph, target="y", max_epochs=2, random_state=0).fit(never, y)
    assert flat.model_.feed_column.tolist() == [flat.roles_.children.index("x1")]
    assert flat._sample_counts(flat._prediction_tensors(never.iloc[:5]).x) == [(None, 4)]
    # explain scores such rows the same way
    blank = X_test.iloc[:50].copy()
    blank.loc[blank.index[::2], "x1"] = None
    terms = clf.explain(blank)
    scores = np.stack([terms[k].sum(axis=1) for k in clf.classes_], axis=1)
    scores = scores - np.logaddexp.reduce(scores, axis=1, keepdims=True)
    np.testing.assert_allclose(scores, clf.predict_log_proba(blank), atol=1e-4)


def test_huge_values_are_standardised_without_overflow():
    # values of 1e200 once gave the column an infinite scale, so it read as all zeros
    values, y = _labelled_rows()
    X = pd.DataFrame(values, columns=["a", "b", "c"])
    fits = [CAMAClassifier(max_epochs=5, random_state=0).fit(X.assign(a=X["a"] * f), y)
            for f in (1.0, 1e200)]
    assert np.isclose(fits[1].scaler_.scale[0], fits[0].scaler_.scale[0] * 1e200)
    np.testing.assert_allclose(fits[1].predict_proba(X.assign(a=X["a"] * 1e200)),
                               fits[0].predict_proba(X), atol=1e-5)


def test_numbers_written_as_text_are_read_as_measurements_or_warned_as_labels():
    # X.astype(str) once made every measurement a categorical column, one level per row;
    # predict parsed the same text as numbers
    values, y = _labelled_rows()
    X = pd.DataFrame(values, columns=["a", "b", "c"])
    with pytest.warns(UserWarning, match=r"column 'a' holds numbers written as text .*"
                                         r"read as a measurement.*pd.to_numeric\(X\['a'\]\)"):
        clf = CAMAClassifier(max_epochs=2, random_state=0).fit(X.astype({"a": str}), y)
    assert clf.column_types_["a"] == "gaussian"
    with warnings.catch_warnings(record=True) as caught:  # a panel read as text: one warning
        warnings.simplefilter("always")
        CAMAClassifier(max_epochs=2, random_state=0).fit(X.astype(str), y)
    texts = [str(w.message) for w in caught if "written as text" in str(w.message)]
    assert len(texts) == 1 and texts[0].startswith("3 columns (['a', 'b', 'c']) hold numbers")
    plain = CAMAClassifier(max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.scaler_.mean, plain.scaler_.mean)
    np.testing.assert_allclose(clf.predict_proba(X.astype({"a": str})),
                               plain.predict_proba(X), atol=1e-6)
    noted = X.astype({"a": str})
    noted.loc[:2, "a"] = "<0.1"  # a few notes in a column read from a file
    with pytest.warns(UserWarning, match=r"column 'a' holds numbers written as text .*"
                                         r"other text \(\['<0.1'\]\).*errors='coerce'"):
        CAMAClassifier(max_epochs=2, random_state=0).fit(noted.astype({"a": "string"}), y)
    commas = X.assign(a=X["a"].round(3).astype(str).str.replace(".", ","))
    with pytest.warns(UserWarning, match=r"column 'a' holds numbers.*decimal commas"):
        CAMAClassifier(max_epochs=2, random_state=0).fit(commas, y)
    grades = X.assign(g=np.arange(len(X)) % 3 + 1)
    with warnings.catch_warnings():  # a few whole numbers as text: labels, no warning
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(max_epochs=2, random_state=0).fit(grades.astype({"g": str}), y)
        CAMAClassifier(max_epochs=2, random_state=0).fit(  # a category dtype says "labels"
            X.astype({"a": str}).astype({"a": "category"}), y)


def test_thousands_separators_are_not_taken_for_decimal_commas():
    """'1,730' was said to hold a decimal comma, and decimal=',' reads it as 1.73: the
    largest values, a thousand times too small; with fewer than half of the values so
    written, the advice made them missing."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    values = np.exp(rng.normal(6.5, 1.0, 400) + y)  # 30 to 20,000: a lab value
    X = pd.DataFrame({"lab": [f"{v:,.0f}" for v in values], "v": rng.normal(size=400)})
    for frame, share in ((X, "many"), (X.assign(lab=[f"{v / 10:,.0f}" for v in values]), "few")):
        assert (frame["lab"].str.contains(",").mean() < 0.5) == (share == "few")
        with pytest.warns(UserWarning, match=r"column 'lab' holds numbers written as text .*"
                                             r"commas between groups of three digits \(e.g. "
                                             r"'\d{1,3},\d{3}'\), as thousands separators do; "
                                             r"read the file with thousands=','"):
            CAMAClassifier(max_epochs=1, random_state=0).fit(frame, y)
    model = CAMAClassifier(max_epochs=1, random_state=0).fit(X.assign(lab=values), y)
    with pytest.raises(ValueError, match=r"column 'lab' is declared or inferred continuous "
                                         r"but holds numbers written with marks: .*thousands "
                                         r"separators do"):
        model.predict(X)
    mixed = X.assign(lab=[v if v < 1000 else f"{v:,.0f}" for v in np.round(values)])
    with pytest.warns(UserWarning, match=r"holds numbers and some text .* thousands=','"):
        CAMAClassifier(max_epochs=1, random_state=0).fit(mixed, y)


def test_numbers_written_with_marks_are_named_beside_text_for_missing_values():
    """A cell 'NA' among '1,360' made the commas read as decimal marks (the advice,
    decimal=',', read 1,360 as 1.36); numbers grouped by a space, a no-break space or an
    apostrophe, and whole numbers beside decimal commas ('39', '37,5'), were read as
    labels without a word; a typographic minus got advice that made every negative value
    missing."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    values = np.round(np.exp(rng.normal(6.8, 0.6, 200) + 0.5 * y))  # 100 to 10,000
    X = pd.DataFrame({"v": rng.normal(size=200)})
    fit = CAMAClassifier(max_epochs=1, random_state=0)
    grouped = pd.Series([f"{v:,.0f}" for v in values], dtype=object)
    grouped[::10] = "NA"
    with pytest.warns(UserWarning, match=r"column 'lab' holds numbers written as text .*"
                                         r"commas between groups of three digits \(e.g. "
                                         r"'\d,\d{3}'\).*thousands=','"):
        fit.fit(X.assign(lab=grouped), y)
    declared = CAMAClassifier(max_epochs=1, random_state=0, column_types={"lab": "gaussian"})
    with pytest.raises(ValueError, match=r"'lab' is declared or inferred continuous but "
                                         r"holds numbers written with marks: its numbers have "
                                         r"commas .*\(e.g. '\d,\d{3}'\)"):
        declared.fit(X.assign(lab=grouped), y)
    for mark, said, advice in ((" ", "spaces", "thousands=' '"),
                               ("\u00a0", "no-break spaces", "remove the marks"),
                               ("'", "apostrophes", "thousands=\"'\"")):
        spaced = [f"{v:,.0f}".replace(",", mark) for v in values]
        with pytest.warns(UserWarning, match=f"column 'lab' holds numbers written as text .*"
                                             f"{said} between groups of three digits.*"
                                             f"{re.escape(advice)}"):
            fit.fit(X.assign(lab=spaced), y)
    temperature = np.round(rng.normal(37.5, 1.0, 200) * 2) / 2
    temperature[::3] = np.round(temperature[::3])
    written = [f"{t:.0f}" if t % 1 == 0 else f"{t:.1f}".replace(".", ",") for t in temperature]
    assert 0.2 < np.mean([w.count(",") for w in written]) < 0.5
    with pytest.warns(UserWarning, match=r"column 'temp' holds numbers written as text .*"
                                         r"decimal commas \(e.g. '\d+,5'\); read the file "
                                         r"with decimal=','"):
        fit.fit(X.assign(temp=written), y)
    for centre in (1.0, -1.0):  # a few negative values, or most
        minus = [f"{v:.1f}".replace("-", "\u2212") for v in rng.normal(size=200) + centre]
        with pytest.warns(UserWarning, match=r"'be' holds numbers written as text .*other text "
                                             r"\(\['\u2212\d.*write its minus signs as '-' and "
                                             r"convert it: pd.to_numeric\(X\['be'\].str.replace"
                                             r"\('\u2212', '-'\), errors='coerce'\)"):
            fit.fit(X.assign(be=minus), y)
    noted = [f"{v:.1f}" for v in rng.normal(size=200)]
    noted[:3] = ["12 %", "12 %", "n/a"]  # a number with a unit among them: not made missing
    with pytest.warns(UserWarning, match=r"first write the text with digits \(e.g. '12 %'\) "
                                         r"as plain numbers .*would make missing"):
        fit.fit(X.assign(be=noted), y)


def test_infinity_in_a_discrete_column_is_refused_as_in_a_measurement():
    """inf was a level of a column declared categorical, and at prediction an unseen
    value said to have a fractional part (or, with handle_unknown='missing', read as
    missing), although infinite values are an error."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    X = pd.DataFrame({"v": rng.normal(size=120) + y,
                      "grade": rng.integers(0, 4, 120).astype(float)})
    X.loc[::9, "grade"] = np.nan
    infinite = X.assign(grade=X["grade"].where(X.index != 3, np.inf))
    for types in ({"grade": "categorical"}, {}):
        with pytest.raises(ValueError, match=r"infinity in columns \['grade'\] \(1 values\)"):
            CAMAClassifier(max_epochs=1, random_state=0, column_types=types).fit(infinite, y)
    clf = CAMAClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert clf.column_types_["grade"] == "categorical"
    for handle in ("error", "missing"):
        clf.set_params(handle_unknown=handle)
        with pytest.raises(ValueError, match=r"infinity in columns \['grade'\] \(1 values\)"):
            clf.predict(infinite)
        with pytest.raises(ValueError, match=r"infinity in columns \['grade'\]"):
            clf.predict(infinite.astype({"grade": object}))


def test_a_value_of_another_type_in_a_column_of_mixed_types_is_mapped_alone():
    """Fit's levels [1, 2, '3', 'x']: for 3 the hint said astype('str'), which then
    made 1 and 2 unknown, whose hint said astype('int')."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    X = pd.DataFrame({"v": rng.normal(size=120),
                      "mix": rng.choice(np.array([1, 2, "3", "x"], dtype=object), 120)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(max_epochs=1, random_state=0).fit(X, y)
    new = X.head(4).assign(mix=[1, 2, 3, "x"])
    with pytest.raises(ValueError, match=re.escape("X['mix'] = X['mix'].replace({3: '3'})")):
        clf.predict(new)
    assert len(clf.predict(new.assign(mix=new["mix"].replace({3: "3"})))) == 4


def test_numbers_written_as_text_beside_the_same_numbers_are_named():
    """3 beside '3' split one grade into two levels, and the warning said the text would
    become missing with pd.to_numeric, which reads '3' as 3."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    grade = pd.Series(rng.integers(0, 4, 300), dtype=object)
    grade[::7] = grade[::7].astype(str)
    X = pd.DataFrame({"grade": grade, "v": rng.normal(size=300) + y})
    with pytest.warns(UserWarning, match=r"column 'grade' holds numbers, some of them written "
                                         r"as text .* Convert it first: X\['grade'\] = "
                                         r"pd.to_numeric\(X\['grade'\]\)"):
        CAMAClassifier(max_epochs=1, random_state=0).fit(X, y)


def test_numbers_with_a_unit_are_named_beside_text_for_missing_values():
    """'74 %' with 'NA' in 15% of the rows became a category of 55 levels silently (the
    share of values with the unit was counted over the 'NA's too)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    ratio = rng.normal(70, 8, 400) + 3 * y
    text = [f"{v:.0f} %" if i % 7 else "NA" for i, v in enumerate(ratio)]
    X = pd.DataFrame({"ratio": text, "v": rng.normal(size=400)})
    with pytest.warns(UserWarning, match=r"column 'ratio' holds numbers written with the unit "
                                         r"'%' \(e.g. .*\), besides other text \(\['NA'\]\)"):
        CAMAClassifier(max_epochs=1, random_state=0).fit(X, y)


def test_a_bernoulli_column_spelt_two_ways_gets_the_spelling_fix():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    finding = np.where(rng.random(200) < 0.4, "yes", "no").astype(object)
    finding[:5] = "Yes "
    X = pd.DataFrame({"finding": finding, "v": rng.normal(size=200) + y})
    with pytest.raises(ValueError, match=r"declared 'bernoulli' but holds 3 values .*differ "
                                         r"only in case or in spaces .*\.str\.strip\(\)"):
        CAMAClassifier(max_epochs=1, column_types={"finding": "bernoulli"}).fit(X, y)
    finding[:5] = "maybe"
    with pytest.raises(ValueError, match="declare it 'categorical' instead"):
        CAMAClassifier(max_epochs=1, column_types={"finding": "bernoulli"}).fit(
            X.assign(finding=finding), y)


def test_a_mistyped_target_in_the_graph_and_the_label_left_in_x_are_named():
    rng = np.random.default_rng(0)
    y = pd.Series(rng.integers(0, 2, 200), name="diagnosis")
    X = pd.DataFrame({"age": rng.normal(size=200), "marker": rng.normal(size=200) + y,
                      "finding": rng.normal(size=200) + y})
    graph = {"diagnosis": ["age"], "marker": ["diagnosis"], "finding": ["diagnsis"]}
    with pytest.warns(UserWarning, match=r"graph nodes 'diagnsis' \(like the target "
                                         r"'diagnosis'; edges diagnsis -> finding\)"):
        CAMAClassifier(graph=graph, target="diagnosis", max_epochs=1).fit(X, y)
    full = {"diagnosis": ["age"], "marker": ["diagnosis"], "finding": ["diagnosis"]}
    with pytest.raises(GraphError, match=r"Every node of the graph is a column of X: if one "
                                         r"of them holds the labels, drop it from X"):
        CAMAClassifier(graph=full, max_epochs=1).fit(X.assign(diagnosis=y), y.to_numpy())


@pytest.mark.parametrize("graph, close", [("pcc", "pc"), ("gse", "ges"), ("fcii", "fci")])
def test_a_mistyped_discovery_method_is_named_with_a_suggestion(sem_data, graph, close):
    X, y, _ = sem_data
    with pytest.raises(GraphError, match=rf"graph='{graph}' is neither a discovery method.*"
                                         rf"Did you mean '{close}'\?"):
        CAMAClassifier(graph=graph, target="y").fit(X, y)


def test_missing_flags_in_the_manipulated_mask_are_named_by_row(sem_data):
    X, y, graph = sem_data
    mask = pd.Series([False] * len(X), dtype="boolean")
    mask.iloc[[1, 4]] = pd.NA
    with pytest.raises(ValueError, match=r"manipulated has 2 missing flags \(rows 1, 4\)"):
        CAMAClassifier(graph=graph, **FAST).fit(X, y, manipulated=mask)


@pytest.mark.parametrize("mask", [np.zeros((4, 2)), True])
def test_a_manipulated_mask_of_the_wrong_shape_is_named(sem_data, mask):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match=r"manipulated must be a 1-d array of one flag per row"):
        CAMAClassifier(graph=graph, **FAST).fit(X, y, manipulated=mask)


# ------------------------------------------------------------------ sample weights
def test_equal_sample_weights_give_the_unweighted_fit_exactly(fitted, sem_data):
    X, y, graph = sem_data
    weighted = CAMAClassifier(graph=graph, target="y", **FAST).fit(
        X, y, sample_weight=np.full(len(y), 2.5)
    )
    np.testing.assert_array_equal(weighted.predict_proba(X), fitted.predict_proba(X))


def test_a_zero_weight_row_is_a_row_left_out(sem_data):
    X, y, graph = sem_data
    weights = np.ones(len(y))
    weights[::3] = 0.0
    keep = weights > 0
    weighted = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y, sample_weight=weights)
    reduced = CAMAClassifier(graph=graph, target="y", **FAST).fit(X[keep], y[keep])
    np.testing.assert_array_equal(weighted.predict_proba(X), reduced.predict_proba(X))
    np.testing.assert_array_equal(weighted.class_prior_, reduced.class_prior_)
    # also for arrays, and when every row of a class weighs 0 (the class is absent)
    absent = np.where(y == 2, 0.0, 1.0)
    with pytest.warns(UserWarning, match=r"every row of the class\(es\) \[2\] has "
                                         r"sample_weight 0, so they are not classes of this "
                                         r"fit: classes_ is \[0, 1\]"):
        two = CAMAClassifier(max_epochs=3, random_state=0).fit(X.to_numpy(), y,
                                                               sample_weight=absent)
    np.testing.assert_array_equal(two.classes_, [0, 1])
    with pytest.raises(ValueError, match=r"got 1 class \(0\).* The rows of \[1, 2\] all "
                                         r"have sample_weight 0"):
        CAMAClassifier(max_epochs=3).fit(X.to_numpy(), y, sample_weight=(y == 0) * 1.0)


def _weak_two_class_data(seed: int, n: int) -> tuple[pd.DataFrame, pd.Series]:
    """Two overlapping classes (the children carry little evidence), so the class prior
    moves the predictions."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = pd.DataFrame({"x1": rng.normal(size=n) + 0.5 * y, "x2": rng.normal(size=n) - 0.5 * y})
    return X, pd.Series(y, name="y")


def test_an_integer_weight_acts_like_repeating_the_row():
    X, y = _weak_two_class_data(0, 600)
    X_test, _ = _weak_two_class_data(1, 2000)
    weights = np.where(y == 0, 3.0, 1.0)
    repeated = np.repeat(np.arange(len(y)), weights.astype(int))
    plain = CAMAClassifier(**FAST).fit(X, y)
    weighted = CAMAClassifier(**FAST).fit(X, y, sample_weight=weights)
    copies = CAMAClassifier(**FAST).fit(X.iloc[repeated], y.iloc[repeated])
    np.testing.assert_allclose(weighted.class_prior_, copies.class_prior_)
    share = {name: model.predict_proba(X_test)[:, 0].mean()
             for name, model in [("plain", plain), ("weighted", weighted), ("copies", copies)]}
    assert share["weighted"] > share["plain"] + 0.15, share
    assert abs(share["weighted"] - share["copies"]) < 0.05, share


@pytest.mark.parametrize(
    ("make_weights", "match"),
    [
        (lambda n: np.r_[np.ones(n - 2), -1.0, 1.0], r"finite and non-negative; 1 of \d+ are "
                                                      r"not \(row \d+: -1\.0\)"),
        (lambda n: np.r_[np.nan, np.ones(n - 1)], r"row 0: nan"),
        (lambda n: np.r_[np.inf, np.ones(n - 1)], r"row 0: inf"),
        (lambda n: np.zeros(n), "zero for every row"),
        (lambda n: np.ones(n - 1), r"sample_weight has \d+ entries but X has \d+ rows"),
        (lambda n: np.ones((n, 2)), "1-d array of one weight per row"),
        (lambda n: ["heavy"] * n, "must hold numbers"),
    ],
)
def test_bad_sample_weights_are_named_and_lose_nothing(fitted, sem_data, make_weights, match):
    X, y, _ = sem_data
    clf = pickle.loads(pickle.dumps(fitted))
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_weight=make_weights(len(y)))
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_a_zero_weight_row_may_lack_its_label_and_other_rows_are_named_by_position(sem_data):
    X, y, graph = sem_data
    labels = y.map({0: "mild", 1: "moderate", 2: "severe"}).astype(object)
    labels.iloc[[2, 9]] = None
    weights = np.ones(len(y))
    weights[:5] = 0.0  # row 2 is left out; row 9 is not, and is named as row 9
    with pytest.raises(ValueError, match=r"y has 1 missing labels \(rows 9\)"):
        CAMAClassifier(graph=graph, target="y", **FAST).fit(X, labels, sample_weight=weights)
    weights[9] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a missing label is not a class lost
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=2).fit(
            X, labels, sample_weight=weights
        )
    assert len(clf.classes_) == 3


def test_extreme_weights_still_weight_and_still_adapt(sem_data):
    X, y, graph = sem_data
    huge = np.where(y == 0, 1e308, 1.0)  # their mean overflows
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=2).fit(X, y, sample_weight=huge)
    np.testing.assert_allclose(clf.class_prior_, [1.0, 0.0, 0.0], atol=1e-12)
    one_row = np.ones(len(y))
    one_row[0] = 1e20  # one row holds nearly all the weight
    clf.fit(X, y, sample_weight=one_row)
    assert np.isfinite(clf.replay_summary_["cholesky"]).all()
    clf.set_params(adapt_steps=5).adapt(X.assign(x1=X["x1"] + 1.0))


def test_the_latent_summary_reads_at_most_its_share_of_rows(fitted, sem_data, monkeypatch):
    from skcama import _classifier

    X, y, _ = sem_data
    data = fitted._prediction_tensors(X)
    data.y = torch.as_tensor(np.searchsorted(fitted.classes_, y), device=data.x.device)
    data.weight = torch.as_tensor(np.random.default_rng(0).uniform(0.5, 1.5, len(y)),
                                  dtype=torch.float32, device=data.x.device)
    data.weight = data.weight / data.weight.mean()
    full = _classifier._latent_summary(fitted.model_, data)
    seen = []
    encode = fitted.model_.latent_posterior
    monkeypatch.setattr(fitted.model_, "latent_posterior",
                        lambda a, *rest: seen.append(len(a)) or encode(a, *rest))
    monkeypatch.setattr(_classifier, "_SUMMARY_ROWS", 100)
    part = _classifier._latent_summary(fitted.model_, data)
    assert sum(seen) == 100  # 400 rows, every 4th
    spread = np.diag(full["cholesky"] @ full["cholesky"].T) ** 0.5
    assert np.all(np.abs(part["mean"] - full["mean"]) < 0.3 * spread)
    assert np.isfinite(part["cholesky"]).all()


def test_a_single_number_weighs_every_row_alike(fitted, sem_data):
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y, sample_weight=2.0)
    np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))


def test_weight_errors_name_a_series_and_empty_data_is_named_first(sem_data):
    X, y, graph = sem_data
    weights = pd.Series(np.ones(len(y)), name="selection_weight")
    weights.iloc[3] = -2.0
    with pytest.raises(ValueError, match=r"sample_weight \(column 'selection_weight'\) must "
                                         r"be finite and non-negative.*row 3: -2\.0"):
        CAMAClassifier(graph=graph, target="y").fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match=r"X is empty \(0 rows\)"):
        CAMAClassifier(graph=graph, target="y").fit(X.iloc[:0], y.iloc[:0], sample_weight=[])


def test_sample_weights_and_the_manipulated_mask_work_together(sem_data):
    X, y, graph = sem_data
    flags = np.arange(len(y)) % 4 == 0
    weights = np.where(flags, 0.0, 1.0)  # the flagged rows weigh nothing: a clean fit
    clf = CAMAClassifier(graph=graph, target="y", **FAST)
    clf.fit(X, y, manipulated=flags, sample_weight=weights)
    assert not clf.manipulation_learned_
    clf.fit(X, y, manipulated=flags, sample_weight=np.where(flags, 2.0, 1.0))
    assert clf.manipulation_learned_


def test_sample_weights_reach_the_model_through_pipeline_and_grid_search(sem_data):
    import sklearn

    X, y, graph = sem_data
    weights = np.where(y == 2, 0.0, 1.0)  # class 2 left out: visible in classes_
    pipe = Pipeline([("identity", FunctionTransformer()),
                     ("cama", CAMAClassifier(graph=graph, target="y", max_epochs=3))])
    pipe.fit(X, y, cama__sample_weight=weights)
    np.testing.assert_array_equal(pipe.classes_, [0, 1])
    with sklearn.config_context(enable_metadata_routing=True):
        cama = CAMAClassifier(graph=graph, target="y", max_epochs=3).set_fit_request(
            sample_weight=True
        ).set_score_request(sample_weight=False)
        search = GridSearchCV(cama, {"latent_dim": [2]}, cv=2).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(search.best_estimator_.classes_, [0, 1])


# ------------------------------------------------------------------ class weights
def test_class_weights_are_the_matching_sample_weights(sem_data):
    X, y, graph = sem_data
    counts = np.bincount(y)
    balanced = len(y) / (3 * counts)
    by_class = CAMAClassifier(graph=graph, target="y", class_weight="balanced", **FAST)
    by_row = CAMAClassifier(graph=graph, target="y", **FAST)
    by_class.fit(X, y)
    by_row.fit(X, y, sample_weight=balanced[y])
    np.testing.assert_array_equal(by_class.predict_proba(X), by_row.predict_proba(X))
    np.testing.assert_allclose(by_class.class_prior_, [1 / 3] * 3)
    # a mapping (classes left out weigh 1), multiplied into sample_weight
    rows = np.linspace(0.5, 2.0, len(y))
    by_class.set_params(class_weight={2: 4.0, 0: 0.5}).fit(X, y, sample_weight=rows)
    by_row.fit(X, y, sample_weight=rows * np.array([0.5, 1.0, 4.0])[y])
    np.testing.assert_array_equal(by_class.predict_proba(X), by_row.predict_proba(X))


def test_balanced_class_weights_count_sample_weights_and_even_out_the_prior(sem_data):
    X, y, graph = sem_data
    rows = np.where(y == 0, 3.0, 1.0)
    clf = CAMAClassifier(graph=graph, target="y", class_weight="balanced", max_epochs=2)
    clf.fit(X, y, sample_weight=rows)
    np.testing.assert_allclose(clf.class_prior_, [1 / 3] * 3)
    # with equal counts, balanced weights are equal weights: the unweighted fit exactly
    even = np.arange(len(y)) % 4
    assert len(set(np.bincount(even))) == 1
    plain = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, even)
    both = CAMAClassifier(graph=graph, target="y", class_weight="balanced", **FAST)
    np.testing.assert_array_equal(both.fit(X, even).predict_proba(X), plain.predict_proba(X))


def test_balanced_class_weights_raise_the_recall_of_a_rare_class():
    from sklearn.metrics import balanced_accuracy_score, recall_score

    rng = np.random.default_rng(0)
    n = 3000
    y = (rng.random(n) < 0.1).astype(int)  # 10% of the rows in class 1
    X = pd.DataFrame({"x1": rng.normal(size=n) + 1.0 * y, "x2": rng.normal(size=n) + 1.0 * y})
    test = slice(2000, None)
    plain = CAMAClassifier(random_state=0).fit(X[:2000], y[:2000])
    balanced = CAMAClassifier(class_weight="balanced", random_state=0).fit(X[:2000], y[:2000])
    recall = {name: recall_score(y[test], model.predict(X[test]))
              for name, model in [("plain", plain), ("balanced", balanced)]}
    assert recall["balanced"] > recall["plain"] + 0.3, recall
    assert (balanced_accuracy_score(y[test], balanced.predict(X[test]))
            > balanced_accuracy_score(y[test], plain.predict(X[test])))


@pytest.mark.parametrize(
    ("class_weight", "match"),
    [
        ({3: 2.0}, r"class_weight names the class 3, which is not a class of y; the "
                   r"classes are \[0, 1, 2\]"),
        ({"1": 2.0}, r"names the class '1'.*written as text does not match the number"),
        ({1: 0.0}, r"class_weight of class 1 is 0\.0; class weights must be finite positive"),
        ({1: -1}, r"class_weight of class 1 is -1"),
        ({1: float("nan")}, r"class_weight of class 1 is nan"),
        ({1: "heavy"}, r"class_weight of class 1 is 'heavy'"),
    ],
)
def test_bad_class_weights_are_named_and_lose_nothing(fitted, sem_data, class_weight, match):
    X, y, _ = sem_data
    clf = pickle.loads(pickle.dumps(fitted))
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=match):
        clf.set_params(class_weight=class_weight).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_a_class_left_out_by_zero_weights_is_named_as_such_and_huge_weights_balance(sem_data):
    X, y, graph = sem_data
    weights = np.where(y == 2, 0.0, 1.0)
    clf = CAMAClassifier(graph=graph, target="y", class_weight={2: 5.0}, max_epochs=2)
    with pytest.raises(ValueError, match=r"class 2, but every row of that class has "
                                         r"sample_weight 0"):
        clf.fit(X, y, sample_weight=weights)
    huge = CAMAClassifier(graph=graph, target="y", class_weight="balanced", max_epochs=2)
    huge.fit(X, y, sample_weight=np.full(len(y), 1e307))  # their products overflow
    np.testing.assert_allclose(huge.class_prior_, [1 / 3] * 3)


def test_a_class_weight_that_is_not_a_mapping_or_balanced_is_refused(sem_data):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y, graph = sem_data
    with pytest.raises(InvalidParameterError, match="class_weight"):
        CAMAClassifier(graph=graph, target="y", class_weight="balance").fit(X, y)


# ------------------------------------------------------------ scikit-learn integration
def test_clone_and_params_round_trip(fitted):
    copy = clone(fitted)
    params, original = copy.get_params(), fitted.get_params()
    assert sorted(params.pop("graph").edges()) == sorted(original.pop("graph").edges())
    assert params == original
    assert not hasattr(copy, "model_")
    copy.set_params(latent_dim=2)
    assert copy.latent_dim == 2


def test_pickle_and_joblib_round_trips_give_identical_predictions(fitted, sem_data):
    X, _, _ = sem_data
    expected = fitted.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).predict_proba(X), expected)
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).predict_proba(X), expected)


def test_works_inside_a_pipeline_and_grid_search(sem_data):
    X, y, graph = sem_data
    pipe = Pipeline(
        [("identity", FunctionTransformer(validate=False)),
         ("cama", CAMAClassifier(graph=graph, target="y", **FAST))]
    )
    search = GridSearchCV(pipe, {"cama__latent_dim": [1, 3]}, cv=2).fit(X, y)
    assert search.best_params_["cama__latent_dim"] in (1, 3)
    assert search.score(X, y) > 0.7


def test_an_ensemble_of_fits_through_voting_classifier(sem_data):
    """The graphs guide's recipe: members differing only in random_state, soft voting
    (the mean of their probabilities), string labels, and each member adapted."""
    from sklearn.ensemble import VotingClassifier

    X, y, graph = sem_data
    labels = pd.Series(np.array(["flu", "cold", "covid"])[y], index=y.index)
    ensemble = VotingClassifier(
        [(f"cama{k}", CAMAClassifier(graph=graph, target="y", **{**FAST, "random_state": k}))
         for k in range(2)],
        voting="soft",
    ).fit(X, labels)
    members = [m.predict_proba(X) for m in ensemble.estimators_]
    assert not np.allclose(members[0], members[1])  # the seeds made different fits
    np.testing.assert_allclose(ensemble.predict_proba(X), np.mean(members, axis=0))
    assert set(ensemble.predict(X)) <= {"flu", "cold", "covid"}
    assert ensemble.score(X, labels) > 0.7
    X_new = X.assign(x1=X["x1"] + 3.0)
    before = ensemble.predict_proba(X_new)
    for member in ensemble.estimators_:
        member.set_params(adapt_steps=5).adapt(X_new)
    assert not np.allclose(ensemble.predict_proba(X_new), before)


def test_cross_val_score(sem_data):
    X, y, graph = sem_data
    scores = cross_val_score(CAMAClassifier(graph=graph, target="y", **FAST), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.7


def test_calibrated_classifier_cv_wraps_it(sem_data):
    from sklearn.calibration import CalibratedClassifierCV

    X, y, graph = sem_data
    calibrated = CalibratedClassifierCV(
        CAMAClassifier(graph=graph, target="y", **FAST), method="sigmoid", cv=2
    ).fit(X, y)
    proba = calibrated.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert calibrated.score(X, y) > 0.7


def test_text_in_an_array_is_named_by_column():
    _, y = _labelled_rows(60)
    X = np.array([["1.0", "abc", "2"]] * 60)
    with pytest.raises(ValueError, match=r"column 1 of X holds text \(e.g. 'abc'\); an array"):
        CAMAClassifier(max_epochs=2).fit(X, y)
    # so the estimator does not tell scikit-learn it takes arrays of strings
    assert not CAMAClassifier().__sklearn_tags__().input_tags.string


def test_a_diverged_fit_says_so_and_names_the_learning_rate():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    X = pd.DataFrame({"a": rng.normal(1.5 * y, 1), "b": rng.normal(-y, 1)})
    with pytest.warns(ConvergenceWarning, match=r"training made the model worse than it "
                                                r"was untrained.*Lower learning_rate \(now 10\)"):
        # on the CPU: how far such steps go before the ELBO is NaN (an error naming
        # learning_rate too) depends on the device's arithmetic
        CAMAClassifier(learning_rate=10.0, max_epochs=20, random_state=0,
                       device="cpu").fit(X, y)
    with warnings.catch_warnings():  # a sound fit: no such warning
        warnings.simplefilter("error", ConvergenceWarning)
        CAMAClassifier(random_state=0).fit(X, y)


def test_a_column_with_a_large_offset_is_not_constant():
    """1e10 + N(0, 1): the spread is 1e-10 of the size, far above float64's rounding."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    X = pd.DataFrame({"s": 1e10 + rng.normal(size=1000) + 2.0 * y, "noise": rng.normal(size=1000)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
    assert "s" not in clf.scaler_.missing_constant
    assert clf.score(X, y) > 0.75


def test_a_column_varying_below_float_rounding_is_not_called_constant():
    """2**60 + a spread of 1e5: read as missing like a constant column, but it varies,
    and the warning said it was constant; it now says why and how to read it."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = pd.DataFrame({"x": (2**60 + rng.integers(0, 300, 300) * 1000).astype(np.int64),
                      "k": 5.0, "v": rng.normal(size=300) + y})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = CAMAClassifier(max_epochs=1).fit(X, y)
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("columns ['k'] are constant") for m in messages)
    assert any(re.match(r"columns \['x'\] vary by less than 1e-12 of the size of their "
                        r"values \(column 'x': sd .* against values up to 1.15e\+18\).*"
                        r"X\['x'\] = X\['x'\] - X\['x'\].min\(\)", m) for m in messages)
    assert not any("['x'] are constant" in m or "'x', 'k'" in m for m in messages)
    assert {"x", "k"} <= set(clf.scaler_.missing_constant)


def test_verbose_writes_a_line_per_epoch_where_stderr_is_not_a_terminal(capsys, caplog):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"a": rng.normal(size=200) + y})
    with caplog.at_level(logging.INFO, logger="skcama"):
        CAMAClassifier(max_epochs=3, n_iter_no_change=10, verbose=1, random_state=0).fit(X, y)
    assert "\r" not in capsys.readouterr().err  # no redrawn bar
    assert len(re.findall(r"fit: epoch \d of at most 3, train_elbo -?\d", caplog.text)) == 3


def test_a_value_too_far_to_score_names_its_row():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = pd.DataFrame({"bmi": 25 + 4 * rng.normal(size=300) + y, "x": y + rng.normal(size=300)},
                     index=[f"p{i}" for i in range(300)])
    clf = CAMAClassifier(max_epochs=3, random_state=0).fit(X, y)
    X.loc["p7", "bmi"] = 2.5e9
    with pytest.raises(ValueError, match=r"'bmi': 2\.5e\+09 \(row 'p7'\).*set those values to "
                                         r"NaN \(missing\) first; they are in row 'p7'"):
        clf.predict(X)


def test_a_validation_fraction_leaving_no_training_rows_is_refused_and_classes_are_split_alike():
    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, target="y", validation_fraction=0.999, **FAST)
    with pytest.raises(ValueError, match=r"holds out 300 of the 300 training rows for early "
                                         r"stopping, leaving 0 to train on; lower it"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")  # nothing half-fitted is left behind
    # the split was random: a class of two rows fell wholly in the held-out half at some
    # random_state (warned of); each class is now split in its share
    labels = torch.as_tensor(np.r_[np.zeros(280), np.ones(17), 2, 2, 3]).long()
    for seed in range(20):
        held = stratified_hold_out(labels, 150, torch.Generator().manual_seed(seed))
        counts = [int(held[labels == k].sum()) for k in range(4)]
        assert counts[0] == 140 and counts[1] in (8, 9) and counts[2] == 1, counts
        assert counts[3] == 0  # a single row is trained on
        assert sum(counts) in (149, 150)
    # above half held out, a class of two rows still keeps one for training
    for seed in range(20):
        held = stratified_hold_out(labels, 270, torch.Generator().manual_seed(seed))
        assert [int((~held)[labels == k].sum()) >= 1 for k in range(4)] == [True] * 4
    # a class's share rounds up as often as its fraction says, wherever it sorts: 3 rows
    # of 500 at 50 held out hold 0.3 rows (it always got 1 when its label sorted last,
    # never when first)
    for rare in (0, 1):
        small = torch.full((500,), 1 - rare, dtype=torch.long)
        small[:3] = rare
        share = np.mean([int(stratified_hold_out(small, 50, torch.Generator().manual_seed(seed))
                             [small == rare].sum()) for seed in range(300)])
        assert 0.2 < share < 0.4, (rare, share)
    first, again = (stratified_hold_out(labels, 30, torch.Generator().manual_seed(0))
                    for _ in range(2))
    assert torch.equal(first, again)
    assert not torch.equal(first, stratified_hold_out(labels, 30,
                                                      torch.Generator().manual_seed(1)))
    rare = y.astype(str).to_numpy().copy()
    rare[:2] = "rare"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(5):
            fitted = CAMAClassifier(graph=graph, target="y", validation_fraction=0.5,
                                    **dict(FAST, random_state=seed)).fit(X, rare)
            assert "rare" in fitted.classes_


def test_early_stopping_weighs_each_class_alike():
    """The held-out ELBO's plain mean weighs a class of 2% of the rows 2%: on these rows
    a fit restored epoch 8 while that class's likelihood still improved, its recall 0.16
    on fresh rows against 0.54 for linear discriminant analysis. The mean over the
    classes is monitored (with tol=0 the fit stops n_iter_no_change epochs after that
    score's first maximum), and the class is found as LDA finds it."""

    def sample(n, seed):
        rng = np.random.default_rng(seed)
        y = rng.choice(2, size=n, p=[0.98, 0.02])
        return pd.DataFrame(rng.normal(size=(n, 4)) + 1.5 * y[:, None],
                            columns=["a", "b", "c", "d"]), y

    X, y = sample(3000, 3)
    X_test, y_test = sample(3000, 4)
    clf = CAMAClassifier(random_state=0, tol=0.0).fit(X, y)
    history = pd.DataFrame(clf.history_)
    assert {"valid_elbo", "valid_class_mean_elbo"} <= set(history.columns)
    assert clf.n_iter_ < clf.max_epochs
    best = int(np.argmax(history.valid_class_mean_elbo.to_numpy()))
    assert clf.n_iter_ == best + 1 + clf.n_iter_no_change
    plain = int(np.argmax(history.valid_elbo.to_numpy()))
    assert plain != best  # the two scores pick other epochs here
    lda = LinearDiscriminantAnalysis().fit(X, y)
    rare = y_test == 1
    assert clf.predict(X_test)[rare].mean() >= lda.predict(X_test)[rare].mean() - 0.1


def test_early_stopping_restores_the_best_epoch_whatever_tol(monkeypatch):
    """An epoch better by less than tol was not kept: with a held-out score creeping up,
    the fit stopped and restored the weights of n_iter_no_change epochs before the best
    (tol=0.01: -7.53 restored against a best of -7.46). tol now says only what counts
    as progress."""
    import skcama._training as training

    scores = iter([-10.0, -9.0, -8.99, -8.98, -8.97, -8.96, -8.95, -8.94] + [-9.5] * 50)
    monkeypatch.setattr(training, "held_out_scores",
                        lambda *args, **kwargs: (0.0, next(scores)))
    snapshots = []
    train = training._train_loop

    def recording(model, *args, **kwargs):
        *rest, progress = args

        def snapshot(record):
            snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
            if progress is not None:
                progress(record)

        return train(model, *rest, snapshot, **kwargs)

    monkeypatch.setattr(training, "_train_loop", recording)
    X, y, graph = simple_sem(0, n=200)
    clf = CAMAClassifier(graph=graph, max_epochs=30, n_iter_no_change=3, tol=0.01,
                         random_state=0).fit(X, y)
    # epoch 1 (-9.0) is the last progress by more than tol; three stale epochs follow
    assert clf.n_iter_ == 4 and len(snapshots) == 4
    kept = clf.model_.state_dict()
    best = snapshots[3]  # epoch 4, -8.97: the best of those run (-10.0 is the start)
    assert all(torch.equal(kept[k], best[k]) for k in kept)
    assert not all(torch.equal(kept[k], snapshots[0][k]) for k in kept)


def test_a_validation_share_of_a_few_rows_monitors_the_training_elbo(caplog):
    """Early stopping on the ELBO of one held-out row stopped a fit of 50 rows at epoch
    19 near chance accuracy; fewer than 5 held-out rows are not held out."""
    X, y, graph = simple_sem(0, n=100)
    params = dict(FAST, max_epochs=4)
    with caplog.at_level(logging.INFO, logger="skcama"):
        few = CAMAClassifier(graph=graph, target="y", validation_fraction=0.02,
                             **params).fit(X, y)
    assert "holds out 2 row(s), fewer than 5: the training ELBO is monitored" in caplog.text
    none = CAMAClassifier(graph=graph, target="y", validation_fraction=0.0, **params).fit(X, y)
    np.testing.assert_array_equal(few.predict_proba(X), none.predict_proba(X))
    five = CAMAClassifier(graph=graph, target="y", validation_fraction=0.05, **params).fit(X, y)
    assert not np.array_equal(five.predict_proba(X), none.predict_proba(X))


def test_a_missing_parent_in_a_single_row_is_warned_as_in_a_batch():
    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y)
    rows = X.iloc[:2].copy()
    rows.loc[rows.index[0], "a"] = np.nan
    for part in (rows.iloc[:1], rows):
        with pytest.warns(UserWarning, match=r"inputs with missing values: 'a' \(1 of "):
            clf.predict_proba(part)


def test_reset_adaptation_and_refit_remove_the_adaptation_history():
    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, target="y", **dict(FAST, adapt_steps=3)).fit(X, y)
    clf.adapt(X + 0.5)
    assert clf.adapt_history_
    assert not hasattr(clf.reset_adaptation(), "adapt_history_")
    clf.adapt(X + 0.5).fit(X, y)
    assert not hasattr(clf, "adapt_history_")


def test_score_checks_the_labels_as_the_rest_of_the_library(fitted, sem_data):
    X, y, _ = sem_data
    X, y = X.iloc[:300], y.iloc[:300]
    accuracy = fitted.score(X, y)
    assert accuracy == np.mean(fitted.predict(X) == y.to_numpy())
    with pytest.warns(UserWarning, match="another order"):
        fitted.score(X, y.sample(frac=1, random_state=0))
    with pytest.warns(UserWarning, match=r"y holds labels \[10, 11, 12\] unknown to this "
                                         r"CAMAClassifier .*; their 300 rows count as wrong"):
        assert fitted.score(X, y + 10) == 0.0  # as scikit-learn scores them (a CV fold)
    with pytest.warns(UserWarning, match="in text but not in type"):
        assert fitted.score(X, y.astype(str)) == 0.0
    with pytest.raises(ValueError, match="missing labels"):
        fitted.score(X, y.astype(float).where(y.index != y.index[5]))
    weights = np.where(fitted.predict(X) == y.to_numpy(), 1.0, 0.0)
    assert fitted.score(X, y, sample_weight=weights) == 1.0
    # unknown labels of weight 0 count for nothing, so they are not said to count
    unknown = y.where(weights > 0, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert fitted.score(X, unknown, sample_weight=weights) == 1.0
    one_counted = weights.copy()
    one_counted[np.argmin(weights)] = 1.0  # a wrong prediction's row, now with its label 10
    with pytest.warns(UserWarning, match=r"y holds labels \[10\] .*; their 1 rows count"):
        fitted.score(X, unknown, sample_weight=one_counted)
    with pytest.warns(UserWarning, match="sample_weight's index"):
        fitted.score(X, y, sample_weight=pd.Series(weights, index=X.index[::-1]))
    # weights are checked as fit checks them: a negative one was read as it stood
    for bad, match in ((-weights, "must be finite and non-negative"),
                       (np.r_[weights[:-1], np.nan], r"non-negative; 1 of 300 are not"),
                       (weights[:-1], "has 299 entries but X has 300 rows"),
                       (0.0 * weights, "zero for every row")):
        with pytest.raises(ValueError, match=match):
            fitted.score(X, y, sample_weight=bad)


def test_score_counts_bool_labels_equal_to_numeric_classes_as_accuracy_score_does():
    """pd.Index([0, 1]).get_indexer([False, True]) is [-1, -1]: score gave 0.0, without a
    warning, for bool labels of a model fitted on 0/1 (and the reverse, and numpy bool
    labels of a model fitted on a pandas "boolean" y, whose classes are [0., 1.]), where
    scikit-learn's accuracy_score takes True == 1."""
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = pd.DataFrame({"a": rng.normal(size=300) + y, "b": rng.normal(size=300) - y})
    weights = rng.uniform(0.5, 2.0, 300)
    nullable = pd.Series(y.astype(bool), dtype="boolean")
    cases = [(y, y.astype(bool)), (y.astype(bool), y), (nullable, y.astype(bool))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        models = [CAMAClassifier(max_epochs=5, random_state=0).fit(X, fit_y)
                  for fit_y, _ in cases]
    assert models[2].classes_.tolist() == [0.0, 1.0]
    for clf, (_, scored_y) in zip(models, cases, strict=True):
        predicted = clf.predict(X)
        expected = accuracy_score(scored_y, predicted)
        assert expected > 0.6
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no label is unknown
            assert clf.score(X, scored_y) == pytest.approx(expected)
            assert clf.score(X, scored_y, sample_weight=weights) == pytest.approx(
                accuracy_score(scored_y, predicted, sample_weight=weights))
    with pytest.warns(UserWarning, match=r"y holds labels \[2\] unknown .*their \d+ rows"):
        models[1].score(X, np.where(y == 1, 2, 0))  # 0 is False; 2 is no class


def test_reconstruct_clean_reads_a_frame_by_position_for_a_model_fitted_on_an_array():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = np.c_[rng.normal(size=300) + 2 * y, 100 + rng.normal(size=300)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    expected = clf.reconstruct_clean(X[:3])
    with pytest.warns(UserWarning, match="feature names"):  # scikit-learn's, as in predict
        named = clf.reconstruct_clean(pd.DataFrame(X[:3], columns=["bnp", "age"]))
    pd.testing.assert_frame_equal(named, expected)
    # fit's positions as labels in another order: by position, as predict reads it (with
    # its warning), and the result keeps fit's labels
    with pytest.warns(UserWarning, match="the positions 0 .. 1 in another order"):
        swapped = clf.reconstruct_clean(pd.DataFrame(X[:3], columns=[1, 0]))
    pd.testing.assert_frame_equal(swapped, expected)


def test_records_as_dicts_are_refused_with_the_dataframe_to_make(fitted, sem_data):
    X, y, _ = sem_data
    record = X.iloc[0].to_dict()
    with pytest.raises(TypeError, match=r"X is a dict .*pd.DataFrame\(\[X\]\)"):
        fitted.predict_proba(record)
    with pytest.raises(TypeError, match=r"X is a list of dicts .*pd.DataFrame\(X\)"):
        fitted.explain([record, record])
    with pytest.raises(TypeError, match="a list of dicts"):
        CAMAClassifier(**FAST).fit(X.to_dict("records"), y)


def test_a_record_array_is_refused_with_the_dataframe_to_make(fitted, sem_data):
    """A structured array was cast by scikit-learn's check_array, whose TypeError named
    numpy's casting rule only."""
    X, y, _ = sem_data
    records = X.to_records(index=False)
    with pytest.raises(TypeError, match=r"structured \(record\) array with fields "
                                        r"\['a', .*pd.DataFrame\(X\)"):
        CAMAClassifier(**FAST).fit(records, y)
    with pytest.raises(TypeError, match=r"structured \(record\) array"):
        fitted.predict_proba(np.asarray(records))


def test_a_dict_of_columns_gets_its_own_dataframe_advice(fitted, sem_data):
    X, _, _ = sem_data
    with pytest.raises(TypeError, match=r"pd.DataFrame\(X\),"):
        fitted.predict_proba(X.iloc[:2].to_dict("list"))


def test_a_graph_node_named_nearly_like_the_target_or_a_column_is_warned():
    """'Diagnosis -> hba1c' beside the target 'diagnosis' made a node of its own, taken
    for an unmeasured variable: hba1c fell out of the blanket without a word. A latent
    node named unlike every unused column, or like a column the graph names (age2 beside
    age, one of a numbered series), is not warned of."""
    rng = np.random.default_rng(0)
    n = 200
    y = pd.Series(rng.integers(0, 2, n), name="diagnosis")
    X = pd.DataFrame({"age": rng.normal(50, 10, n), "hba1c": rng.normal(y, 1.0),
                      "crp": rng.normal(y, 1.0), "smoker": rng.integers(0, 2, n)})
    typo = nx.DiGraph([("age", "diagnosis"), ("Diagnosis", "hba1c"), ("diagnosis", "crp"),
                       ("smokre", "age")])
    with pytest.warns(UserWarning, match=r"graph nodes 'Diagnosis' \(like the target "
                                         r"'diagnosis'; edges Diagnosis -> hba1c\); 'smokre' "
                                         r"\(like the column 'smoker'; edges smokre -> age\) "
                                         r"are not columns of X nor the target"):
        CAMAClassifier(graph=typo, target="diagnosis", max_epochs=1).fit(X, y)
    latent = nx.DiGraph([("age", "diagnosis"), ("diagnosis", "hba1c"), ("diagnosis", "crp"),
                         ("U_environment", "age"), ("smoker", "crp"), ("age2", "age")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CAMAClassifier(graph=latent, target="diagnosis", max_epochs=1).fit(X, y)
    assert not [w for w in caught if "nearly like" in str(w.message)]



def test_a_graph_with_numbers_for_texts_columns_is_told_to_relabel_the_graph():
    """The hint told to retype X's columns to str where they were already text: the
    graph holds the numbers."""
    rng = np.random.default_rng(0)
    y = pd.Series(rng.integers(0, 2, 100), name="y")
    X = pd.DataFrame({"0": rng.normal(y, 1.0), "1": rng.normal(y, 1.0)})
    numbered = nx.DiGraph([("y", 0), ("y", 1)])
    with pytest.raises(ValueError, match=r"give the graph's nodes the columns' type, e.g. "
                                         r"graph = networkx.relabel_nodes\(graph, str\)"):
        CAMAClassifier(graph=numbered, target="y", max_epochs=1).fit(X, y)
    # the reverse still says to retype X's columns
    with pytest.raises(ValueError, match=r"X.columns = X.columns.astype\(str\)"):
        CAMAClassifier(graph=nx.relabel_nodes(numbered, str), target="y", max_epochs=1).fit(
            X.set_axis([0, 1], axis=1), y)

def test_an_empty_discovered_blanket_names_the_forbidden_edges_at_the_target():
    rng = np.random.default_rng(0)
    n = 200
    y = pd.Series(rng.integers(0, 2, n), name="diagnosis")
    X = pd.DataFrame({"age": rng.normal(size=n), "hba1c": 2 * y + rng.normal(size=n)})
    background = {"forbidden": [(c, "diagnosis") for c in X] + [("diagnosis", c) for c in X]}
    clf = CAMAClassifier(graph="pc", target="diagnosis", max_epochs=1,
                         discovery_params={"background": background})
    with pytest.raises(GraphError, match=r"background knowledge forbids 4 edges at the "
                                         r"target \(e.g. \('age', 'diagnosis'\)\)"):
        clf.fit(X, y)


def test_training_knows_complete_rows_only_while_it_trains(sem_data, monkeypatch):
    from skcama import _model

    X, y, graph = sem_data
    seen = []
    elbo = _model.CAMANet.elbo

    def spy(self, *args, **kwargs):
        seen.append(self.rows_complete)
        return elbo(self, *args, **kwargs)

    monkeypatch.setattr(_model.CAMANet, "elbo", spy)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=2).fit(X, y)
    assert seen and all(seen) and not clf.model_.rows_complete
    seen.clear()
    clf.fit(X.assign(x1=X["x1"].where(X.index != 3)), y)  # a missing child in one row
    assert seen and not any(seen)


@pytest.mark.parametrize("n_children", [3, 20])
def test_the_outputs_are_the_same_with_and_without_autograd(n_children):
    from skcama.datasets import MixedSEM

    sem = MixedSEM.random(n_parents=1, n_coparents=2, n_children=n_children, random_state=0)
    X, y = sem.sample(200, random_state=0)
    # on the CPU, where the tensors below are made (a GPU machine fits on the GPU)
    clf = CAMAClassifier(graph=sem.graph, target=sem.target, max_epochs=2, device="cpu")
    clf.fit(X, y)
    data = clf._prediction_tensors(X)
    model = clf.model_
    f = model.features(data.a, data.c, data.x)
    z = torch.randn(len(X), len(clf.classes_), 4, clf.latent_dim)
    with torch.no_grad():
        without = model._child_outputs(f, data.x, None, None, z)
    with torch.enable_grad():
        with_grad = model._child_outputs(f, data.x, None, None, z.requires_grad_())
    torch.testing.assert_close(with_grad.detach(), without, rtol=1e-5, atol=1e-5)


def test_progress_lines_of_threads_are_each_shown_once(capsys, monkeypatch):
    # a handler added and removed around each line lost and repeated lines across threads
    import threading

    from skcama._warn import report

    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # logging as in a script

    def lines(k):
        for i in range(500):
            report(1, "thread %d line %d", k, i)

    threads = [threading.Thread(target=lines, args=(k,)) for k in range(3)]
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often, as under load
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    shown = capsys.readouterr().err.splitlines()
    assert sorted(shown) == sorted(f"skcama: thread {k} line {i}"
                                   for k in range(3) for i in range(500))
    assert logging.getLogger("skcama").level == logging.NOTSET

    # logging.disable and the skcama logger's filters still silence them
    logging.disable(logging.INFO)
    try:
        report(1, "not shown")
    finally:
        logging.disable(logging.NOTSET)
    quiet = logging.Filter("elsewhere")  # lets through records of another logger only
    logging.getLogger("skcama").addFilter(quiet)
    try:
        report(1, "not shown either")
    finally:
        logging.getLogger("skcama").removeFilter(quiet)
    report(1, "shown")
    assert capsys.readouterr().err == "skcama: shown\n"


def test_a_warning_without_user_code_on_the_stack_names_the_line_that_called_skcama(sem_data):
    """A fit in a worker (joblib's processes, a thread) has no user frame: its warnings
    named multiprocessing's or threading's line; they name the scikit-learn line that
    called the fit."""
    import threading

    from sklearn.model_selection import cross_val_score

    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker = threading.Thread(target=cross_val_score, args=(clf, X, y), kwargs={"cv": 2})
        worker.start()
        worker.join()
    files = {w.filename for w in caught if issubclass(w.category, ConvergenceWarning)}
    assert files and all(f.endswith(("_validation.py", "parallel.py")) for f in files), files


def test_a_warning_of_a_scoring_loop_is_shown_once_per_line_as_python_shows_it(sem_data):
    # pandas enters warnings.catch_warnings on every call of predict, which made Python
    # forget the warnings it had shown: a loop over single rows repeated one per row
    X, y, graph = sem_data
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    rows = X.head(4).assign(c=np.nan)  # c was measured in every training row
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for i in range(4):
            clf.predict(rows.iloc[[i]])
        assert sum("inputs with missing values: 'c'" in str(w.message) for w in caught) == 1
        warnings.simplefilter("always")  # filters changed, and "always" shows each one
        for i in range(2):
            clf.predict(rows.iloc[[i]])
    assert sum("inputs with missing values: 'c'" in str(w.message) for w in caught) == 3
    # a far value names its row and value, which change from row to row: the same finding
    # (the same columns far out) is shown once all the same
    far = X.head(4).assign(x1=X["x1"].head(4) * 1e3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for i in range(4):
            clf.predict(far.iloc[[i]])
    assert sum("far outside the training data" in str(w.message) for w in caught) == 1


@pytest.mark.parametrize(("make", "message"), [
    (lambda X, y: (X, "y"), r"y must hold one label per row \(300 rows\), got 'y'"),
    (lambda X, y: (X.assign(y=y), "y"), r"'y' is a column of X: pass fit\(X.drop\(columns="
                                        r"\['y'\]\), X\['y'\]\)"),
    (lambda X, y: (X, pd.DataFrame({"y": y, "z": y})), r"got an array of shape \(300, 2\) "
                                                       r"\(columns \['y', 'z'\]: pass one"),
    (lambda X, y: (X["x1"], y), r"X is one-dimensional \(Series of 300 values\).*"
                                r"X.to_frame\(\)"),
    (lambda X, y: (X["x1"].to_numpy(), y), r"X is one-dimensional \(ndarray"),
    (lambda X, y: (X, [int(v) if v else "0" for v in y]), r"y mixes text labels with "
                                                           r"labels of type \['int'\]"),
], ids=["name as y", "name of a column", "two columns", "series", "1-d array", "mixed list"])
def test_beginner_mistakes_in_fit_are_named_with_their_fix(sem_data, make, message):
    """scikit-learn's own messages named no fix (a column's name as y, a frame of two
    columns, a Series as X), and a list mixing numbers and text became text silently."""
    X, y, graph = sem_data
    X, y = X.iloc[:300], y.iloc[:300].to_numpy()
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=1)
    with pytest.raises(ValueError, match=message):
        clf.fit(*make(X, y))
    assert not hasattr(clf, "model_")


def test_labels_given_to_adapt_are_refused_with_where_they_belong(fitted, sem_data):
    X, y, _ = sem_data
    clf = copy.deepcopy(fitted)
    for method in (clf.adapt, clf.adapt_prior):
        with pytest.raises(TypeError, match=r"learns from unlabelled rows and takes no y.*"
                                            r"reference=\(X_ref, y_ref\).*manipulated=mask"):
            method(X.iloc[:60], y.iloc[:60])
    assert not getattr(clf, "manipulation_learned_", False)


def test_columns_of_several_levels_get_the_flattening_fix(sem_data):
    X, y, graph = sem_data
    levelled = X.copy()
    levelled.columns = pd.MultiIndex.from_tuples([("site", c) for c in X.columns])
    with pytest.raises(ValueError, match=r"X's columns have several levels .*"
                                         r"X.columns.get_level_values\(-1\)"):
        CAMAClassifier(graph=graph, target="y", max_epochs=1).fit(levelled, y)


def test_third_positional_argument_of_fit_is_sample_weight_as_in_scikit_learn(fitted,
                                                                              sem_data):
    """``fit(X, y, w)`` weights rows as LogisticRegression's does; ``manipulated`` is
    keyword only, so 0/1 weights are never read as manipulation flags."""
    X, y, graph = sem_data
    weights = np.ones(len(y))
    weights[: len(y) // 4] = 0
    positional = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y, weights)
    keyword = CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y, sample_weight=weights)
    assert not positional.manipulation_learned_
    np.testing.assert_array_equal(positional.predict_proba(X), keyword.predict_proba(X))
    with pytest.raises(TypeError, match="positional"):
        CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y, None, weights > 0)


def test_fit_adapt_and_attacks_work_inside_no_grad_and_inference_mode(fitted, sem_data):
    """Evaluation code often runs under torch.no_grad() or torch.inference_mode(): a
    call that trains or differentiates turns gradients on for itself."""
    from skcama.attacks import pgd

    X, y, graph = sem_data
    for mode in (torch.no_grad, torch.inference_mode):
        with mode():
            clf = CAMAClassifier(graph=graph, target="y", adapt_steps=5, **FAST).fit(X, y)
            np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))
            clf.adapt(X)
            assert clf.manipulation_learned_
            attacked = pgd(fitted, X.iloc[:50], y[:50], 0.5, steps=3, random_state=0)
            assert not attacked.equals(X.iloc[:50])
        assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def test_a_float64_default_dtype_changes_nothing(fitted, sem_data):
    """The model computes in float32 whatever torch's default dtype: a session that sets
    float64 (as many scientific torch libraries ask) fits, predicts, adapts and attacks
    exactly as it would with the default."""
    from skcama.attacks import pgd
    from skcama.baselines import CausalAdvClassifier

    X, y, graph = sem_data
    expected_attack = pgd(fitted, X.iloc[:50], y[:50], 0.5, steps=3, random_state=0)
    expected_adv = CausalAdvClassifier(max_epochs=2, random_state=0).fit(X, y).predict_proba(X)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        np.testing.assert_array_equal(fitted.predict_proba(X), fitted.predict_proba(X))
        refit = CAMAClassifier(graph=graph, target="y", adapt_steps=5, **FAST).fit(X, y)
        np.testing.assert_array_equal(refit.predict_proba(X), fitted.predict_proba(X))
        refit.adapt(X)
        assert refit.predict_proba(X).shape == (len(X), 3)
        pd.testing.assert_frame_equal(
            pgd(fitted, X.iloc[:50], y[:50], 0.5, steps=3, random_state=0), expected_attack)
        adv = CausalAdvClassifier(max_epochs=2, random_state=0).fit(X, y).predict_proba(X)
        np.testing.assert_array_equal(adv, expected_adv)
    finally:
        torch.set_default_dtype(before)


def test_columns_labelled_true_and_false_are_selected_by_label():
    """pd.get_dummies of a bool column names its columns False and True, which pandas
    reads as a mask when listed."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({False: rng.normal(size=200) + y, True: rng.normal(size=200) - y})
    clf = CAMAClassifier(**FAST).fit(X, y)
    assert clf.roles_.children == (False, True)
    swapped = X.iloc[:, ::-1]
    np.testing.assert_array_equal(clf.predict_proba(swapped), clf.predict_proba(X))
    named = CAMAClassifier(**FAST).fit(X.set_axis(["f", "t"], axis=1), y)
    np.testing.assert_array_equal(clf.predict_proba(X),
                                  named.predict_proba(X.set_axis(["f", "t"], axis=1)))
    np.testing.assert_array_equal(clf.reconstruct_clean(X).to_numpy(),
                                  named.reconstruct_clean(X.set_axis(["f", "t"], axis=1)))
    from skcama.attacks import pgd, strongest_attack

    for attack in (pgd, strongest_attack):
        attacked = attack(clf, X, y, 0.3, random_state=0)
        assert list(attacked.columns) == [False, True]
        np.testing.assert_array_equal(
            attacked.to_numpy(),
            attack(named, X.set_axis(["f", "t"], axis=1), y, 0.3, random_state=0).to_numpy())


def test_unusual_column_values_get_skcama_messages_or_are_read_as_numbers(sem_data):
    import fractions

    import pyarrow as pa

    X, y, graph = sem_data
    lists = pd.Series([[1, 2]] * len(X), dtype=pd.ArrowDtype(pa.list_(pa.int64())))
    with pytest.raises(ValueError, match="column 'x2' holds values that are neither numbers "
                                         "nor labels"):
        CAMAClassifier(graph=graph, **FAST).fit(X.assign(x2=lists), y)
    # Python fractions are real numbers: read as their float values
    rounded = X.assign(x2=(X["x2"] * 64).round() / 64)
    exact = rounded.assign(x2=[fractions.Fraction(v).limit_denominator(64)
                               for v in rounded["x2"]])
    as_fractions = CAMAClassifier(graph=graph, **FAST).fit(exact, y)
    as_floats = CAMAClassifier(graph=graph, **FAST).fit(rounded, y)
    assert as_fractions.column_types_ == as_floats.column_types_
    np.testing.assert_array_equal(as_fractions.predict_proba(exact),
                                  as_floats.predict_proba(rounded))
    from skcama.attacks import pgd
    from skcama.manipulations import shift

    for reference in (None, exact, as_fractions):
        np.testing.assert_array_equal(
            shift(exact, 1.0, columns=["x2"], reference=reference)["x2"].to_numpy(float),
            shift(rounded, 1.0, columns=["x2"], reference=(
                rounded if reference is exact else as_floats if reference is as_fractions
                else None))["x2"].to_numpy(float))
    np.testing.assert_array_equal(
        pgd(as_fractions, exact.iloc[:30], y[:30], 0.3, steps=2, random_state=0).to_numpy(float),
        pgd(as_floats, rounded.iloc[:30], y[:30], 0.3, steps=2, random_state=0).to_numpy(float))


def test_many_classes_coded_0_to_k_are_labels_and_many_measured_values_are_warned_of():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 26, 1300)  # LabelEncoder's codes of 26 labels
    X = pd.DataFrame({"a": rng.normal(size=1300) + 0.1 * codes})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(max_epochs=1, random_state=0).fit(X, codes)
        CAMAClassifier(max_epochs=1, random_state=0).fit(X, codes + 1)
    with pytest.warns(UserWarning, match=r"y holds 26 distinct numbers \(\[40, 41, 42\] \.\.\. "
                      r"\[65\]\), each a class of its own: if they are codes of labels, that "
                      r"is as meant; if y is a count or a measurement \(an age, a score\)"):
        CAMAClassifier(max_epochs=1, random_state=0).fit(X, 40 + codes)  # ages, say


@pytest.mark.parametrize("validation_fraction", [0.0, 0.1])
def test_a_fit_that_diverged_is_warned_of_with_or_without_held_out_rows(validation_fraction):
    rng = np.random.default_rng(0)
    y = np.arange(200) % 2
    X = pd.DataFrame(rng.normal(size=(200, 3)) + 2 * y[:, None], columns=list("abc"))
    with pytest.warns(ConvergenceWarning, match=r"training made the model worse than it was "
                                                r"untrained.*Lower learning_rate \(now 10\)"):
        CAMAClassifier(learning_rate=10.0, max_epochs=20, random_state=0,
                       validation_fraction=validation_fraction).fit(X, y)


def test_a_cause_missing_in_one_class_only_is_warned_of_as_telling_the_class():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(300, int), np.ones(100, int)]
    X = pd.DataFrame({"a": rng.normal(size=400), "x1": 2 * y + rng.normal(size=400)})
    graph = {"y": ["a"], "x1": ["y"]}
    holed = X.assign(a=X["a"].where(y == 0))  # measured in class 0 only
    with pytest.warns(UserWarning, match=r"the missing values of parents or co-parents tell "
                                         r"the class \('a' missing in 100% of the rows of "
                                         r"class 1, 0% of class 0\)"):
        CAMAClassifier(graph=graph, **FAST).fit(holed, y)
    random_holes = X.assign(a=X["a"].where(rng.random(400) > 0.3))  # alike in both classes
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(graph=graph, **FAST).fit(random_holes, y)
