"""Tests of skcama.robustness: the tidy table, adaptation rows, attacks, the figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import functools
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.linear_model import LogisticRegression

from skcama import CAMAClassifier
from skcama.baselines import TorchMLPClassifier
from skcama.manipulations import InvalidManipulationWarning
from skcama.robustness import plot_robustness, robustness_curve

from conftest import simple_sem


@pytest.fixture(scope="module")
def fitted():
    X, y, graph = simple_sem(0, n=250)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=5, n_samples=4,
                         adapt_steps=5, random_state=0).fit(X, y)
    logreg = LogisticRegression(max_iter=500).fit(X, y)
    return X, y, {"CAMA": clf, "logreg": logreg}


def test_curve_is_tidy_with_one_row_per_model_and_strength(fitted):
    X, y, models = fitted
    curve = robustness_curve(models, X, y, "shift", [0.0, 1.0, 2.0],
                             reference=models["CAMA"])
    assert list(curve.columns) == ["model", "manipulation", "strength", "accuracy", "adapted"]
    assert len(curve) == 6
    assert curve["accuracy"].between(0, 1).all()
    assert not curve["adapted"].any()


def test_adapt_scores_an_adapted_copy_and_leaves_the_original(fitted):
    X, y, models = fitted
    before = models["CAMA"].predict_proba(X)
    curve = robustness_curve(models, X, y, "shift", [2.0], adapt=True,
                             clean_after_adapt=True, reference=models["CAMA"])
    cama = curve[curve.model == "CAMA"]
    assert sorted(cama.adapted.tolist()) == [False, True, True]
    assert "shift (clean rows)" in set(cama.manipulation)
    assert not curve[curve.model == "logreg"].adapted.any()
    np.testing.assert_allclose(models["CAMA"].predict_proba(X), before)


def test_each_rows_accuracy_is_that_of_its_model_on_its_rows(fitted):
    # the curve's three rows against the same steps taken by hand: the model on the
    # shifted rows, an adapted copy on them, and that copy on the clean rows
    import copy

    from skcama.manipulations import shift

    X, y, models = fitted
    cama = copy.deepcopy(models["CAMA"]).set_params(adapt_steps=50)
    curve = robustness_curve({"CAMA": cama}, X, y, "shift", [3.0], adapt=True,
                             clean_after_adapt=True, reference=cama)
    shifted = shift(X, 3.0, reference=cama)
    adapted = copy.deepcopy(cama).adapt(shifted)
    expected = {(False, "shift"): cama.score(shifted, y),
                (True, "shift"): adapted.score(shifted, y),
                (True, "shift (clean rows)"): adapted.score(X, y)}
    found = {(row.adapted, row.manipulation): row.accuracy for row in curve.itertuples()}
    assert found == pytest.approx(expected)
    assert expected[True, "shift"] != expected[False, "shift"]  # adapting moved something
    assert expected[True, "shift"] != expected[True, "shift (clean rows)"]


def test_callable_manipulation_and_attack_by_name(fitted):
    X, y, models = fitted
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, lambda X, s: X + s, [0.0])
    assert curve.manipulation.iloc[0] == "<lambda>"
    from skcama.manipulations import shift
    bound = functools.partial(shift, columns=["x1"], reference=X)  # named by its function
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, bound, [0.0, 1.0])
    assert curve.manipulation.tolist() == ["shift", "shift"]
    attacked = robustness_curve({"CAMA": models["CAMA"]}, X, y, "fgsm", [0.0, 0.5])
    assert attacked["mode"].tolist() == ["none", "white-box"]
    assert attacked.accuracy.iloc[1] < attacked.accuracy.iloc[0]


def test_unknown_manipulation_suggests_a_name(fitted):
    X, y, models = fitted
    with pytest.raises(ValueError, match="Did you mean 'shift'"):
        robustness_curve(models, X, y, "shfit", [1.0])


def test_no_rows_is_an_error_not_a_curve_of_nan(fitted):
    X, y, models = fitted
    with pytest.raises(ValueError, match="X has no rows"):
        robustness_curve(models, X.iloc[:0], y.iloc[:0], "shift", [0.0, 1.0])


def test_plot_draws_one_line_per_model_and_adaptation(fitted):
    X, y, models = fitted
    curve = robustness_curve(models, X, y, "noise", [0.0, 1.0],
                             reference=models["CAMA"], random_state=0)
    adapted = curve[curve.model == "CAMA"].assign(adapted=True)
    ax = plot_robustness(pd.concat([curve, adapted]))
    assert len(ax.get_lines()) == 3
    with pytest.raises(ValueError, match="robustness_curve"):
        plot_robustness(curve.drop(columns="adapted"))


def test_strongest_attack_records_every_variant_and_the_one_that_counted(fitted):
    X, y, models = fitted
    surrogate = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    curve = robustness_curve(models, X, y, "strongest", [0.0, 0.5], surrogate=surrogate,
                             columns=["c", "x1", "x2", "x3"], eot=2, steps=2, random_state=0)
    cama = curve[(curve.model == "CAMA") & (curve.strength > 0)].iloc[0]
    assert set(cama["variants"]) == {
        "white-box (fixed noise)", "white-box (EOT, 2 draws)",
        "transfer from TorchMLPClassifier", "per-row worst",
    }
    single = {k: v for k, v in cama["variants"].items() if k != "per-row worst"}
    assert cama["accuracy"] == min(single.values())
    assert cama["mode"] == min(single, key=single.get)
    logreg = curve[(curve.model == "logreg") & (curve.strength > 0)].iloc[0]
    assert logreg["mode"] == "transfer from TorchMLPClassifier"
    assert curve[curve.strength == 0]["mode"].eq("none").all()


def test_plot_marks_clean_rows_after_adaptation_as_dotted(fitted):
    X, y, models = fitted
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, "shift", [0.0, 1.0],
                             adapt=True, clean_after_adapt=True, reference=models["CAMA"])
    ax = plot_robustness(curve)
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles == {"CAMA": "-", "CAMA + adapt": "--", "CAMA + adapt, on clean rows": ":"}


@pytest.mark.parametrize(
    "strengths, match",
    [
        (None, "strengths must be a list of numbers"),
        (1.0, "strengths must be a list of numbers"),
        (np.array(2.0), "strengths must be a list of numbers"),
        ("12", "strengths must be a list of numbers"),
        (["a"], "strengths must be numbers; got 'a'"),
        ([float("nan")], "strengths must be finite"),
        ([], "strengths is empty"),
        ([0, 0.5, 1, 0.5, 0], "strengths lists 0, 0.5 more than once"),
    ],
)
def test_bad_strengths_are_named(fitted, strengths, match):
    X, y, models = fitted
    with pytest.raises(ValueError, match=match):
        robustness_curve(models, X, y, "shift", strengths, reference=models["CAMA"])


def test_strengths_may_be_any_iterable_of_numbers(fitted):
    X, y, models = fitted
    for strengths in ((s for s in (0.0, 1.0)), {0.0, 1.0}, np.array([0.0, 1.0])):
        curve = robustness_curve({"logreg": models["logreg"]}, X, y, "shift", strengths,
                                 columns=["x1"])
        assert sorted(curve["strength"]) == [0.0, 1.0]


def test_labels_must_match_the_rows(fitted):
    X, y, models = fitted
    for labels in (None, y[:5]):
        with pytest.raises(ValueError, match="y must hold one label per row of X"):
            robustness_curve(models, X, labels, "shift", [1.0], reference=models["CAMA"])


def test_an_unfitted_entry_is_named(fitted):
    X, y, models = fitted
    with pytest.raises(NotFittedError, match=r"estimators\['late'\] \(LogisticRegression\) "
                                             "is not fitted"):
        robustness_curve({**models, "late": LogisticRegression()}, X, y, "shift", [1.0],
                         reference=models["CAMA"])


def test_negative_attack_budget_and_a_manipulation_returning_nothing_are_errors(fitted):
    X, y, models = fitted
    with pytest.raises(ValueError, match="attack budget cannot be negative"):
        robustness_curve({"CAMA": models["CAMA"]}, X, y, "fgsm", [0.0, -0.5])
    with pytest.raises(TypeError, match="must return the manipulated rows as a DataFrame"):
        robustness_curve(models, X, y, lambda X, s: None, [1.0])
    # an array has lost the column names the models read: refused, with the wrapping
    with pytest.raises(TypeError, match=r"got ndarray\. Wrap it: pd\.DataFrame\(values, "
                                        r"index=X\.index, columns=X\.columns\)"):
        robustness_curve(models, X, y, lambda X, s: X.to_numpy() + s, [1.0])
    with pytest.raises(ValueError, match=r"a frame with the 250 rows of X\); got 10 rows"):
        robustness_curve(models, X, y, lambda X, s: X.head(10), [1.0])


def test_plotting_an_empty_frame_is_an_error(fitted):
    X, y, models = fitted
    curve = robustness_curve(models, X, y, "shift", [1.0], reference=models["CAMA"])
    with pytest.raises(ValueError, match="no rows"):
        plot_robustness(curve.iloc[:0])


def test_plotting_refuses_what_it_would_draw_wrongly(fitted):
    """Two runs of one model concatenated drew one zig-zag line; 'adapted' read from a
    file as text drew every row as adapted; an array of axes raised numpy's
    AttributeError."""
    import matplotlib.pyplot as plt

    X, y, models = fitted
    logreg = {"logreg": models["logreg"]}
    first, second = (robustness_curve(logreg, part, y.loc[part.index], "shift", [0.0, 1.0],
                                      columns=["x1"]) for part in (X.iloc[:125], X.iloc[125:]))
    with pytest.raises(ValueError, match=r"several rows of one curve point \(model 'logreg', "
                                         r"'shift' at strength 0\).*frame.assign\(model="):
        plot_robustness(pd.concat([first, second]))
    plot_robustness(pd.concat([first, second.assign(model="logreg, second half")]))
    with pytest.raises(TypeError, match=r"'adapted' column must hold True / False.*== 'True'"):
        plot_robustness(first.astype({"adapted": str}))
    with pytest.raises(TypeError, match=r"'accuracy' column must hold numbers"):
        plot_robustness(first.astype({"accuracy": str}))
    _, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match=r"one matplotlib Axes; got ndarray \(an array of "
                                        r"them.*axes\[0\]\)"):
        plot_robustness(first, ax=axes)
    plot_robustness(first, ax=axes[0])
    plt.close("all")


def test_predictions_that_are_not_one_label_per_row_of_ys_kind_are_refused():
    """A fixed rule has no classes_ to check first: a column of labels broadcast against y
    into an n x n comparison (0.50 where 0.825 was right), and labels as text against
    numbers scored 0 without a word."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"x": rng.normal(size=200) + 2 * y})

    class Rule:  # a fixed rule: predict and no fit
        def __init__(self, out):
            self.out = out

        def predict(self, X):
            return self.out(X["x"].to_numpy() > 1)

    right = robustness_curve({"rule": Rule(lambda hit: hit.astype(int))}, X, y, "shift",
                             [0.0], columns=["x"])
    assert right["accuracy"].iloc[0] == pytest.approx(np.mean((X["x"] > 1) == y))
    for out, match in ((lambda hit: hit.astype(int)[:, None], r"shape \(200, 1\) for 200 rows"),
                       (lambda hit: hit.astype(int)[:-1], r"shape \(199,\) for 200 rows"),
                       (lambda hit: np.where(hit, "1", "0"),
                        r"labels \['0', '1'\] where y holds \[0, 1\]"),
                       (lambda hit: [None] * len(hit), r"labels \[None\]")):
        with pytest.raises(ValueError, match=match):
            robustness_curve({"rule": Rule(out)}, X, y, "shift", [0.0], columns=["x"])
    # a rule that is simply always wrong scores 0
    wrong = robustness_curve({"rule": Rule(lambda hit: np.full(len(hit), 7))}, X, y, "shift",
                             [0.0], columns=["x"])
    assert wrong["accuracy"].iloc[0] == 0.0


@pytest.mark.parametrize("manipulation", ["shift", "fgsm", lambda X, s: X])
def test_labels_of_another_type_than_the_classes_are_an_error_not_accuracy_0(fitted,
                                                                             manipulation):
    X, y, models = fitted
    with pytest.raises(ValueError, match=r"y holds labels \['0', '1', '2'\] unknown to model "
                       r"'CAMA' \(CAMAClassifier\) \(classes: \[0, 1, 2\]\); they match its "
                       "classes in text but not in type"):
        robustness_curve(models, X, y.astype(str), manipulation, [0.0], columns=["x1"])


def test_labels_unknown_to_one_model_name_that_model(fitted):
    X, y, models = fitted
    two_classes = LogisticRegression().fit(X, (y > 0).astype(int))
    with pytest.raises(ValueError, match=r"y holds labels \[2\] unknown to model 'binary' "
                       r"\(LogisticRegression\).*pass the labels the model was fitted with"):
        robustness_curve({**models, "binary": two_classes}, X, y, "shift", [1.0],
                         columns=["x1"])


def test_labels_as_a_column_vector_are_accepted_with_the_warning_fit_gives(fitted):
    X, y, models = fitted
    flat = robustness_curve(models, X, y, "shift", [1.0], reference=models["CAMA"])
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        column = robustness_curve(models, X, y.to_frame(), "shift", [1.0],
                                  reference=models["CAMA"])
    pd.testing.assert_frame_equal(column, flat)
    with pytest.raises(ValueError, match=r"got an array of shape \(250, 2\)"):
        robustness_curve(models, X, np.stack([y, y], axis=1), "shift", [1.0])


def test_allow_parents_reaches_the_attack(fitted):
    X, y, models = fitted
    cama = {"CAMA": models["CAMA"]}
    with pytest.warns(InvalidManipulationWarning, match="pass allow_parents=True"):
        robustness_curve(cama, X, y, "fgsm", [0.3], columns=["a"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvalidManipulationWarning)
        curve = robustness_curve(cama, X, y, "fgsm", [0.3], columns=["a"], allow_parents=True)
    assert curve["mode"].tolist() == ["white-box"]


def test_an_entry_that_is_not_an_estimator_is_named(fitted):
    X, y, models = fitted
    with pytest.raises(TypeError, match=r"estimators\['x'\] is a str, not a classifier: every "
                       "entry must be a fitted estimator with a predict method"):
        robustness_curve({**models, "x": "abc"}, X, y, "shift", [1.0], columns=["x1"])


def test_an_unknown_option_names_the_accepted_ones(fitted):
    X, y, models = fitted
    with pytest.raises(TypeError, match=r"does not take the option\(s\) 'colums' \(did you "
                       r"mean 'columns'\?\); it accepts \['allow_parents', 'columns'"):
        robustness_curve(models, X, y, "shift", [1.0], colums=["x1"])
    with pytest.raises(TypeError, match=r"'stepz' \(did you mean 'steps'\?\)"):
        robustness_curve(models, X, y, "strongest", [0.5], stepz=2)
    with pytest.raises(TypeError, match="the callable '<lambda>' is called as f"):
        robustness_curve(models, X, y, lambda X, s: X, [1.0], columns=["x1"])


def test_an_infinite_value_in_the_test_rows_is_an_error_naming_the_column(fitted):
    X, y, models = fitted
    broken = X.copy()
    broken.loc[broken.index[0], "x1"] = np.inf
    with pytest.raises(ValueError, match=r"X contains infinity in columns \['x1'\]"):
        robustness_curve({"logreg": models["logreg"]}, broken, y, "shift", [1.0],
                         columns=["x1"])


def test_plot_names_models_of_any_type_and_needs_the_frame(fitted):
    X, y, models = fitted
    curve = robustness_curve({1: models["logreg"], ("CAMA", 2): models["CAMA"]}, X, y,
                             "shift", [0.0, 1.0], columns=["x1"])
    adapted = curve[curve.model == 1].assign(adapted=True)
    ax = plot_robustness(pd.concat([curve, adapted]))
    assert [line.get_label() for line in ax.get_lines()] == ["1", "('CAMA', 2)", "1 + adapt"]
    for wrong in (curve.to_dict(), [curve]):
        with pytest.raises(TypeError, match="frame must be the DataFrame robustness_curve "
                           "returns"):
            plot_robustness(wrong)


def test_the_cama_among_the_models_lends_its_roles_to_the_others(fitted):
    X, y, models = fitted
    curve = robustness_curve(models, X, y, "shift", [2.0])  # no roles=, reference= or columns=
    by_hand = robustness_curve(models, X, y, "shift", [2.0], columns=["c", "x1", "x2", "x3"],
                               reference=models["CAMA"])
    np.testing.assert_array_equal(curve.accuracy, by_hand.accuracy)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    attacked = robustness_curve({"CAMA": models["CAMA"], "MLP": mlp}, X, y, "fgsm", [0.25])
    assert attacked["mode"].tolist() == ["white-box", "white-box"]
    other = CAMAClassifier(graph=None, max_epochs=2, random_state=0).fit(X, y)  # other roles
    with pytest.raises(ValueError, match=r"give the target different roles.*\['logreg'\]"):
        robustness_curve({**models, "all children": other}, X, y, "shift", [1.0])


def test_surrogates_are_checked_before_any_attack_runs(fitted, monkeypatch):
    import skcama.attacks

    X, y, models = fitted
    ran = []
    real = skcama.attacks.ATTACKS["fgsm"]

    @functools.wraps(real)  # the same signature, so the same options are accepted
    def spy(*args, **kwargs):
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setitem(skcama.attacks.ATTACKS, "fgsm", spy)
    with pytest.raises(ValueError, match=r"surrogate\['LogReg'\] names no model.*'logreg'"):
        robustness_curve(models, X, y, "fgsm", [0.25], surrogate={"LogReg": models["CAMA"]})
    with pytest.raises(TypeError, match=r"estimators\['logreg'\].*surrogate="):
        robustness_curve(models, X, y, "fgsm", [0.25])
    assert not ran


def test_adapt_options_that_would_do_nothing_are_said(fitted):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, models = fitted
    with pytest.warns(UserWarning, match=r"none of the models \['logreg'\] has an adapt"):
        curve = robustness_curve({"logreg": models["logreg"]}, X, y, "shift", [1.0],
                                 adapt=True, columns=["x1"])
    assert not curve.adapted.any()
    with pytest.raises(ValueError, match="clean_after_adapt=True .* needs adapt=True"):
        robustness_curve(models, X, y, "shift", [1.0], clean_after_adapt=True)
    # a Pipeline ending in CAMA adapts through its last step, as the one-off CAMA does
    from sklearn.pipeline import Pipeline

    pipe = make_pipeline(FunctionTransformer(), models["CAMA"])
    alone = Pipeline([("cama", models["CAMA"])])  # a pipeline of one step
    both = robustness_curve({"pipe": pipe, "alone": alone, "CAMA": models["CAMA"]}, X, y,
                            "shift", [2.0], adapt=True)
    rows = {m: both[both.model == m].accuracy.to_numpy() for m in ("pipe", "alone", "CAMA")}
    assert len(rows["pipe"]) == 2
    np.testing.assert_array_equal(rows["pipe"], rows["CAMA"])
    np.testing.assert_array_equal(rows["alone"], rows["CAMA"])


def test_labels_indexed_unlike_the_rows_are_warned(fitted):
    X, y, models = fitted
    shuffled = y.sample(frac=1, random_state=0)
    with pytest.warns(UserWarning, match="rows are paired by position"):
        robustness_curve(models, X, shuffled, "shift", [0.0])


def test_a_manipulations_warning_is_shown_once_per_curve_not_once_per_strength():
    """Fitting and predicting reset Python's memory of shown warnings, so without care the
    discrete-columns warning of the shift and the budget warning of every attack variant
    would repeat at each strength."""
    X, y, graph = simple_sem(0, n=250)
    X = X.assign(g=np.clip(np.round(X["x2"]), -2, 2).astype(int) + 2)  # a grade 0-4
    graph.add_edge("y", "g")
    cama = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        robustness_curve({"CAMA": cama}, X, y, "shift", [1.0, 2.0, 3.0], columns="children")
        robustness_curve({"CAMA": cama}, X, y, "strongest", [4.0, 5.0], surrogate=mlp, eot=0)
    texts = [str(w.message) for w in caught]
    # once for the shift, once for the attacks (every variant, at every budget)
    assert sum("columns ['g'] are discrete" in t and "shifts" in t for t in texts) == 1
    assert sum("columns ['g'] are discrete" in t and "attack leaves" in t for t in texts) == 1
    assert sum("attack budget of 4 clean sds" in t for t in texts) == 1
    assert sum("attack budget of 5 clean sds" in t for t in texts) == 1
    with pytest.raises(UserWarning, match="are discrete"):  # filters still apply
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            robustness_curve({"CAMA": cama}, X, y, "shift", [1.0], columns="children")


def test_lent_roles_bring_the_lenders_column_kinds(monkeypatch):
    """A grade the CAMA model reads as categories is left as it is by a manipulation with
    lent roles, and no model is attacked on it: every model faces the same columns."""
    import skcama.attacks

    X, y, graph = simple_sem(0, n=250)
    X = X.assign(g=np.clip(np.round(X["x2"]), -2, 2).astype(int) + 2)  # a grade 0-4
    graph.add_edge("y", "g")
    cama = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert cama.column_types_["g"] == "categorical"
    with pytest.warns(UserWarning, match=r"columns \['g'\] are discrete"):
        curve = robustness_curve({"CAMA": cama, "MLP": mlp}, X, y, "shift", [1.0])
    assert len(curve) == 2  # CAMA predicted: no grade was moved off its levels
    seen = []
    real = skcama.attacks.ATTACKS["fgsm"]

    @functools.wraps(real)
    def spy(*args, **kwargs):
        seen.append(list(kwargs["columns"]))
        return real(*args, **kwargs)

    monkeypatch.setitem(skcama.attacks.ATTACKS, "fgsm", spy)
    robustness_curve({"CAMA": cama, "MLP": mlp}, X, y, "fgsm", [0.25])
    assert seen == [["c", "x1", "x2", "x3"]] * 2
    # the roles given by hand: the CAMA model still lends its kinds (the MLP, reading
    # X's dtypes alone, would be attacked on the grade's integer codes)
    seen.clear()
    robustness_curve({"CAMA": cama, "MLP": mlp}, X, y, "fgsm", [0.25], roles=cama.roles_)
    assert seen == [["c", "x1", "x2", "x3"]] * 2
    with pytest.warns(UserWarning, match=r"columns \['g'\] are discrete"):
        by_hand = robustness_curve({"CAMA": cama, "MLP": mlp}, X, y, "shift", [1.0],
                                   roles=cama.roles_)
    assert len(by_hand) == 2
    only_grade = CAMAClassifier(graph=nx.DiGraph([("y", "g")]), target="y", max_epochs=2,
                                random_state=0).fit(X[["g"]], y)
    with pytest.raises(ValueError, match=r"every column of \['coparents', 'children'\] is "
                                         r"discrete for 'CAMA' \(\['g'\]\)"):
        robustness_curve({"CAMA": only_grade, "MLP": mlp}, X, y, "fgsm", [0.25])


def test_a_parent_named_as_a_column_is_warned_with_a_cama_among_the_models(fitted):
    # roles were borrowed from the CAMA only for role names: 'a' named alone got no warning
    X, y, models = fitted
    for columns in ("a", ["a", "x1"]):
        with pytest.warns(InvalidManipulationWarning, match=r"\['a'\] are parents"):
            robustness_curve(models, X, y, "shift", [0.0, 1.0], columns=columns, reference=X)
    with pytest.raises(ValueError, match="cannot manipulate the target"):
        robustness_curve({"CAMA": models["CAMA"]}, X.assign(y=y), y, "shift", [1.0],
                         columns=["y"])
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:  # the attack on CAMA warns too
        warnings.simplefilter("always")
        robustness_curve({"CAMA": models["CAMA"], "mlp": mlp}, X, y, "fgsm", [0.0, 0.5],
                         columns=["a", "x1"])
    assert [w.category for w in caught].count(InvalidManipulationWarning) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvalidManipulationWarning)
        robustness_curve(models, X, y, "shift", [1.0], columns="a", allow_parents=True)
        robustness_curve({"logreg": models["logreg"]}, X, y, "shift", [1.0], columns="a")


def test_a_column_of_codes_in_the_reference_frame_is_refused_before_any_model_runs(fitted):
    X, y, models = fitted
    rng = np.random.default_rng(0)
    coded = X.assign(ward=rng.integers(0, 3, len(X)))  # 0/1/2: fit reads it as categories
    logreg = LogisticRegression(max_iter=500).fit(coded, y)
    with pytest.raises(ValueError, match=r"columns \['ward'\] hold a few distinct whole "
                                         r"numbers in the reference frame.*discrete codes"):
        robustness_curve({"logreg": logreg}, coded, y, "shift", [1.0], columns="ward",
                         reference=coded)
    from skcama.manipulations import shift
    with pytest.raises(ValueError, match=r"\['ward'\] hold a few distinct whole numbers"):
        shift(coded, 1.0, columns="ward", reference=coded)
    # without a reference the few rows of X say little: its dtype alone decides, as before
    assert shift(coded.head(3), 1.0, columns="ward")["ward"].dtype == float


def test_a_model_fitted_on_another_column_order_is_named_before_any_model_runs(fitted):
    X, y, models = fitted
    reordered = LogisticRegression(max_iter=500).fit(X[X.columns[::-1]], y)
    with pytest.raises(ValueError, match=r"estimators\['reversed'\] \(LogisticRegression\) "
                                         r"was fitted on other columns than X's \(the same "
                                         r"columns in another order\).*feature_names_in_"):
        robustness_curve({"CAMA": models["CAMA"], "reversed": reordered}, X, y, "shift",
                         [0.0, 1.0], columns="x1")
    # the columns that differ are named, however many columns agree
    fewer = LogisticRegression(max_iter=500).fit(X.drop(columns="w"), y)
    with pytest.raises(ValueError, match=r"other columns than X's \(X has besides them "
                                         r"\['w'\]\)"):
        robustness_curve({"fewer": fewer}, X, y, "shift", [1.0], columns="x1")
    # skcama's own models pick their columns by name
    robustness_curve({"CAMA": models["CAMA"]}, X[X.columns[::-1]], y, "shift", [1.0],
                     columns="x1")


def test_scale_with_a_strength_of_zero_is_warned(fitted):
    X, y, models = fitted
    with pytest.warns(UserWarning, match=r"strength 0 of 'scale'.*strength 1"):
        robustness_curve({"logreg": models["logreg"]}, X, y, "scale", [0.0, 1.0],
                         columns="x1")


def test_a_cama_inside_a_pipeline_is_named_when_the_attack_needs_roles(fitted):
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, models = fitted
    pipe = make_pipeline(FunctionTransformer(), clone(models["CAMA"])).fit(X, y)
    surrogate = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"not read from a CAMAClassifier inside a "
                                         r"Pipeline: pass roles=pipe\[-1\].roles_"):
        robustness_curve({"pipe": pipe}, X, y, "fgsm", [0.5], surrogate=surrogate)


def test_plot_gives_a_model_one_colour_and_says_transfer_and_the_strength(fitted):
    X, y, models = fitted
    curve = robustness_curve(models, X, y, "shift", [0.0, 1.0], adapt=True,
                             clean_after_adapt=True, reference=models["CAMA"])
    lines = {line.get_label(): line for line in plot_robustness(curve).get_lines()}
    assert (lines["CAMA"].get_color() == lines["CAMA + adapt"].get_color()
            == lines["CAMA + adapt, on clean rows"].get_color())
    assert lines["logreg"].get_color() != lines["CAMA"].get_color()
    assert lines["CAMA"].axes.get_xlabel() == "shift (clean sds)"
    surrogate = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    attacked = robustness_curve(models, X, y, "fgsm", [0.0, 0.5], surrogate={"logreg": surrogate})
    ax = plot_robustness(attacked)
    assert [line.get_label() for line in ax.get_lines()] == ["CAMA", "logreg (transfer)"]
    assert ax.get_xlabel() == "attack budget (L-inf, clean sds)"


def test_one_surrogate_transfers_only_to_the_models_without_gradients(fitted):
    """A single surrogate, passed so that logistic regression can be attacked, must not
    turn CAMA's attack into a (weaker) transfer: under "fgsm" / "pgd" CAMA stays white-box
    and gets the rows of a white-box attack; a dict entry still attacks it by transfer."""
    from skcama.attacks import fgsm

    X, y, models = fitted
    surrogate = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    curve = robustness_curve(models, X, y, "fgsm", [0.5], surrogate=surrogate).set_index("model")
    assert curve.loc["CAMA", "mode"] == "white-box"
    assert curve.loc["logreg", "mode"] == "transfer from TorchMLPClassifier"
    white_box = fgsm(models["CAMA"], X, y, 0.5)
    assert curve.loc["CAMA", "accuracy"] == pytest.approx(models["CAMA"].score(white_box, y))
    both = {"CAMA": surrogate, "logreg": surrogate}
    transferred = robustness_curve(models, X, y, "fgsm", [0.5], surrogate=both).set_index("model")
    assert transferred.loc["CAMA", "mode"] == "transfer from TorchMLPClassifier"


def test_a_legend_goes_beside_a_widened_panel(fitted):
    """In a figure the function makes, the legend stands beside the panel (inside, it
    covered curves), and the figure grows to hold it; a figure the caller gave keeps its
    size."""
    import matplotlib.pyplot as plt

    X, y, models = fitted
    curve = robustness_curve(models, X, y, "shift", [0.0, 1.0], adapt=True,
                             clean_after_adapt=True, reference=models["CAMA"])
    many = pd.concat([curve, curve.assign(model=curve["model"] + " again")])
    ax = plot_robustness(many)
    assert len(ax.get_lines()) == 8
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1
    assert ax.figure.get_figwidth() == pytest.approx(8.5)
    _, given = plt.subplots(figsize=(4, 3))
    plot_robustness(many, ax=given)
    assert given.figure.get_figwidth() == pytest.approx(4)
    short = plot_robustness(curve)
    assert short.figure.get_figwidth() == pytest.approx(7.5)
    assert short.get_legend().get_bbox_to_anchor().x0 > short.get_window_extent().x1
    plt.close("all")


def test_an_error_inside_a_model_names_the_model_and_the_strength(fitted):
    X, y, models = fitted

    def broken(X_new):
        raise ValueError("cannot read these rows")

    class Broken(LogisticRegression):
        def predict(self, X_new):
            return broken(X_new)

    model = Broken(max_iter=500).fit(X, y)
    with pytest.raises(ValueError, match=r"^estimators\['odd'\] on shift at strength 1: "
                                         r"cannot read these rows$"):
        robustness_curve({"CAMA": models["CAMA"], "odd": model}, X, y, "shift", [1.0],
                         columns=["x1"])
    def as_array(X_new, strength):
        return X_new.to_numpy()

    def missing_column(X_new, strength):
        return X_new["nope"]

    # an error of the manipulation itself names no model
    with pytest.raises((TypeError, ValueError), match=r"^as_array at strength 2: "):
        robustness_curve(models, X, y, as_array, [2.0])
    # other errors keep their type and arguments (a KeyError its key), with a note
    with pytest.raises(KeyError) as error:
        robustness_curve(models, X, y, missing_column, [1.0])
    assert error.value.args == ("nope",)


def test_plot_gives_each_concatenated_manipulation_its_marker_and_a_legend_inside_given_axes(
        fitted):
    import matplotlib.pyplot as plt

    X, y, models = fitted
    both = pd.concat([
        robustness_curve(models, X, y, "shift", [0.0, 1.0], columns=["x1"]),
        robustness_curve(models, X, y, "noise", [0.0, 1.0], columns=["x1"], random_state=0),
    ])
    drawn = plot_robustness(both)
    assert drawn.get_title() == "shift and noise" and drawn.get_xlabel() == "strength"
    lines = {line.get_label(): line for line in drawn.get_lines()}
    assert lines["CAMA"].get_marker() != lines["CAMA [noise]"].get_marker()
    assert lines["CAMA [noise]"].get_linestyle() == "-."
    assert lines["CAMA"].get_color() == lines["CAMA [noise]"].get_color()
    many = pd.concat([both.assign(model=both["model"] + f" {i}") for i in range(2)])
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    ax = plot_robustness(many, ax=axes[0])
    assert len(ax.get_lines()) == 8
    fig.canvas.draw()  # the legend stays inside the caller's panel, off the next one
    assert ax.get_legend().get_window_extent().x1 <= ax.get_window_extent().x1 + 1
    assert fig.get_figwidth() == 8
    plt.close("all")


def test_a_callable_that_edits_x_in_place_gets_a_fresh_copy_at_each_strength(fitted):
    X, y, models = fitted
    clean = X.copy()

    def in_place(X, s):
        X["x1"] += s
        return X

    def copying(X, s):
        return X.assign(x1=X["x1"] + s)

    strengths = [0.0, 2.0, 4.0]
    edited = robustness_curve(models, X, y, in_place, strengths)
    copied = robustness_curve(models, X, y, copying, strengths)
    pd.testing.assert_series_equal(edited["accuracy"], copied["accuracy"])
    pd.testing.assert_frame_equal(X, clean)  # the caller's rows are left as they were


def test_a_cama_inside_a_pipeline_is_named_when_a_manipulation_needs_roles(fitted):
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, models = fitted
    pipe = make_pipeline(FunctionTransformer(), clone(models["CAMA"])).fit(X, y)
    for columns in ({}, {"columns": "children"}):
        with pytest.raises(ValueError, match=r"not read from a CAMAClassifier inside a "
                                             r"Pipeline: pass roles=pipe\[-1\].roles_"):
            robustness_curve({"pipe": pipe}, X, y, "shift", [0.5], **columns)
    curve = robustness_curve({"pipe": pipe}, X, y, "shift", [0.5], roles=pipe[-1].roles_,
                             reference=X)
    assert len(curve) == 1


def test_the_model_inside_a_pipeline_is_refused_as_its_reference_or_surrogate(fitted):
    """A Pipeline's last step reads the columns its earlier steps transformed: as
    reference= its sds, as surrogate= its gradients, would be in other units (a step
    multiplying by 100 made a shift of 1 sd move 100 raw sds, with no error)."""
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skcama.attacks import fgsm
    from skcama.manipulations import shift

    X, y, models = fitted
    pipe = make_pipeline(FunctionTransformer(lambda f: f * 100.0),
                         clone(models["CAMA"])).fit(X, y)
    roles = pipe[-1].roles_
    with pytest.raises(ValueError, match=r"estimators\['pipe'\]: reference= is the last step "
                                         r"of a Pipeline.*reference=X_train"):
        robustness_curve({"pipe": pipe}, X, y, "shift", [1.0], roles=roles,
                         reference=pipe[-1])
    with pytest.raises(ValueError, match=r"surrogate= is the last step of a Pipeline.*fitted "
                                         r"on the raw columns"):
        fgsm(pipe, X, y, 0.5, surrogate=pipe[-1], roles=roles)
    with pytest.raises(ValueError, match=r"got a Pipeline.*reference=X_train"):
        shift(X, 1.0, reference=pipe, roles=roles)
    curve = robustness_curve({"pipe": pipe}, X, y, "fgsm", [0.5], roles=roles, reference=X,
                             surrogate=models["CAMA"])
    assert len(curve) == 1


def test_a_moved_code_that_a_pipeline_refuses_is_explained(fitted):
    """A Pipeline ending in CAMA lends no column kinds: a transfer attack that moves an
    integer code it reads as categories gets an error that points to reference=."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y, graph = simple_sem(0, n=250)
    X = X.assign(g=np.clip(np.round(X["x2"]), -2, 2).astype(int) + 2)
    graph.add_edge("y", "g")
    pipe = make_pipeline(FunctionTransformer(feature_names_out="one-to-one"),
                         CAMAClassifier(graph=graph, target="y", max_epochs=3,
                                        random_state=0)).set_output(transform="pandas")
    pipe.fit(X, y)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"not seen in fit \(known: .*\): the fgsm moved it, "
                                         r"and this model reads it as discrete codes.*"
                                         r"pass reference="):
        robustness_curve({"pipe": pipe}, X, y, "fgsm", [0.5], surrogate=mlp,
                         roles=pipe[-1].roles_)
    with pytest.warns(UserWarning, match=r"columns \['g'\] are discrete"):
        curve = robustness_curve({"pipe": pipe}, X, y, "fgsm", [0.5], surrogate=mlp,
                                 roles=pipe[-1].roles_, reference=X)
    assert len(curve) == 1
    # a callable of the user's own moved the code: the model's own message, unchanged
    with pytest.raises(ValueError, match=r"not seen in fit .*; map them to known values"):
        robustness_curve({"pipe": pipe}, X, y, lambda rows, s: rows.assign(g=rows["g"] + s),
                         [1.0])


def test_a_fixed_rule_with_predict_alone_is_scored():
    """A model with predict and no fit (a hand-written rule) is taken as fitted."""

    class Threshold:
        def predict(self, X):
            return (X["x"].to_numpy() > 9).astype(int)

    X = pd.DataFrame({"x": np.arange(20.0)})
    y = (X["x"] > 9).astype(int).to_numpy()
    curve = robustness_curve({"rule": Threshold()}, X, y, "shift", [0, 1], columns=["x"])
    assert curve["accuracy"].tolist() == [1.0, 0.7]
    surrogate = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
    attacked = robustness_curve({"rule": Threshold()}, X, y, "fgsm", [0.5],
                                columns=["x"], surrogate=surrogate)
    assert attacked["mode"].tolist() == ["transfer from TorchMLPClassifier"]


def test_columns_named_one_by_one_are_moved_in_the_cama_models_training_sds(monkeypatch):
    """The same children named one by one or by their role give the same curve: both
    shift in the CAMA model's training sds and keep its discrete columns still."""
    import skcama.manipulations

    X, y, graph = simple_sem(0, n=250)
    X = X.assign(g=np.clip(np.round(X["x2"]), -2, 2).astype(int) + 2)  # a grade 0-4
    graph.add_edge("y", "g")
    cama = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    models = {"CAMA": cama, "MLP": mlp}
    test = X.iloc[:100] * 1.0
    test["x1"] *= 3  # test rows spread unlike the training rows
    references = []
    real = skcama.manipulations.MANIPULATIONS["shift"]

    @functools.wraps(real)
    def spy(*args, **kwargs):
        references.append(kwargs.get("reference"))
        return real(*args, **kwargs)

    monkeypatch.setitem(skcama.manipulations.MANIPULATIONS, "shift", spy)
    named = robustness_curve(models, test, y.iloc[:100], "shift", [2.0],
                             columns=["x1", "x2", "x3"])
    assert references == [cama]
    with pytest.warns(UserWarning, match=r"columns \['g'\] are discrete"):
        by_role = robustness_curve(models, test, y.iloc[:100], "shift", [2.0],
                                   columns="children")
    pd.testing.assert_frame_equal(named, by_role)
    with pytest.raises(ValueError, match="'g'"):  # a code is refused, not moved
        robustness_curve(models, test, y.iloc[:100], "shift", [2.0], columns=["x1", "g"],
                         roles=cama.roles_)


def test_a_partial_of_a_manipulation_is_named_as_the_manipulation(fitted):
    from skcama.manipulations import add_noise, scale

    X, y, models = fitted
    curve = robustness_curve(models, X, y, functools.partial(add_noise, columns=["x1"],
                                                             random_state=0), [0.0, 1.0])
    assert set(curve["manipulation"]) == {"noise"}
    assert plot_robustness(curve).get_xlabel() == "noise sd (clean sds)"
    with pytest.warns(UserWarning, match="strength 0 of 'scale'"):
        robustness_curve(models, X, y, functools.partial(scale, columns=["x1"]), [0.0, 1.0])


def test_an_attack_passed_as_its_function_runs_as_the_attack_named():
    from skcama.attacks import pgd

    X, y, graph = simple_sem(0, n=200)
    cama = CAMAClassifier(graph=graph, target="y", max_epochs=5, random_state=0).fit(X, y)
    named = robustness_curve({"CAMA": cama}, X, y, "pgd", [0.0, 0.5], steps=3, random_state=0)
    for manipulation, options in (
        (pgd, {"steps": 3, "random_state": 0}),
        (functools.partial(pgd, steps=3, random_state=0), {}),
        (functools.partial(pgd, steps=50), {"steps": 3, "random_state": 0}),  # options win
    ):
        curve = robustness_curve({"CAMA": cama}, X, y, manipulation, [0.0, 0.5], **options)
        pd.testing.assert_frame_equal(curve, named)


def test_plot_says_transfer_only_for_a_model_attacked_by_transfer_at_every_strength():
    curve = pd.DataFrame({
        "model": ["CAMA"] * 3 + ["boosting"] * 3, "manipulation": ["strongest"] * 6,
        "strength": [0.0, 0.1, 0.2] * 2, "accuracy": [0.9, 0.8, 0.7, 0.9, 0.7, 0.5],
        "adapted": [False] * 6,
        "mode": ["none", "white-box (fixed noise)", "transfer from MLP",
                 "none", "transfer from MLP", "transfer from MLP"],
    })
    labels = [line.get_label() for line in plot_robustness(curve).get_lines()]
    assert labels == ["CAMA (transfer at some strengths)", "boosting (transfer)"]


def test_columns_named_beyond_the_cama_models_blanket_are_warned_that_nothing_is_lent(fitted):
    X, y, models = fitted
    with pytest.warns(UserWarning, match=r"columns \['o'\] are outside the Markov blanket "
                                         r"of 'CAMA', so it cannot lend"):
        robustness_curve(models, X, y, "shift", [1.0], columns=["x1", "o"])


def test_an_error_inside_the_curve_keeps_its_type_and_attributes_with_where_it_happened():
    from skcama._columns import UnseenValueError
    from skcama.graph import GraphError
    from skcama.robustness import _naming

    with pytest.raises(UnseenValueError, match="^CAMA, shift 1: column 'c'") as caught:
        with _naming("CAMA, shift 1"):
            raise UnseenValueError("column 'c' holds 'z'", column="c", values=("z",),
                                   categories=("a", "b"))
    assert (caught.value.column, caught.value.values) == ("c", ("z",))
    with pytest.raises(GraphError, match="^CAMA, shift 1: node 'q'"):
        with _naming("CAMA, shift 1"):
            raise GraphError("node 'q' is not in the graph")

    class NeedsTwo(ValueError):
        def __init__(self, message, code):
            super().__init__(message)
            self.code = code

    with pytest.raises(NeedsTwo, match="^bad") as caught:  # it cannot be rebuilt: a note
        with _naming("CAMA, shift 1"):
            raise NeedsTwo("bad", 7)
    assert caught.value.code == 7
    assert getattr(caught.value, "__notes__", ["CAMA, shift 1"]) == ["CAMA, shift 1"]


def test_rows_a_manipulation_returns_in_another_order_are_paired_with_their_labels(fitted):
    """Labels are paired with rows by position: a manipulation that splits, edits and
    concatenates the rows (or sorts them) returns them in another order, which scored
    chance accuracy silently; they are put back by their index labels. Rows with other
    labels are refused, naming the fix; a fresh index 0..n-1 (a frame built from an
    array) is read in X's order, as before."""
    X, y, models = fitted
    models = {"logreg": models["logreg"]}

    def concatenated(X, s):
        high = X["c"] > 0
        return pd.concat([X[~high], X[high].assign(x1=X.loc[high, "x1"] + s)])

    def in_order(X, s):
        high = X["c"] > 0
        return X.assign(x1=X["x1"].where(~high, X["x1"] + s))

    curve = robustness_curve(models, X, y, concatenated, [0.0, 1.0])
    pd.testing.assert_series_equal(curve["accuracy"],
                                   robustness_curve(models, X, y, in_order, [0.0, 1.0])["accuracy"])
    with pytest.raises(ValueError, match=r"returned rows holding labels that are not X's "
                                         r"\(the first: 1000\).*Keep X's index"):
        robustness_curve(models, X, y, lambda X, s: X.set_axis(X.index + 1000), [0.0])
    # the first foreign label is named, not the first row's; a repeated label is said so
    with pytest.raises(ValueError, match=r"not X's \(the first: 500\)"):
        robustness_curve(models, X, y, lambda X, s: X.iloc[::-1].set_axis(
            [*X.index[:-1], 500]), [0.0])
    with pytest.raises(ValueError, match="holding a label more than once"):
        robustness_curve(models, X, y, lambda X, s: X.iloc[::-1].set_axis(
            [*X.index[:-1], X.index[0]]), [0.0])
    # a MultiIndex X and a function that rebuilds the frame from its values: by position
    nested = X.set_axis(pd.MultiIndex.from_arrays([np.arange(len(X)) // 10,
                                                   np.arange(len(X)) % 10]))
    rebuilt = robustness_curve(models, nested, np.asarray(y), lambda X, s:
                               pd.DataFrame(X.to_numpy(), columns=X.columns), [0.0])
    assert rebuilt["accuracy"].iloc[0] == curve["accuracy"].iloc[0]
    # a frame built from an array has a fresh index: its rows are read in X's order
    from_array = robustness_curve(models, X.set_axis(X.index + 7), np.asarray(y), lambda X, s:
                                  pd.DataFrame(X.to_numpy(), columns=X.columns), [0.0])
    assert from_array["accuracy"].iloc[0] == curve["accuracy"].iloc[0]
    # X labelled 0..n-1 in another order: positions or a sort by label? said
    with pytest.warns(UserWarning, match="rows are read in X's order by position"):
        robustness_curve(models, X.set_axis(X.index[::-1]), np.asarray(y),
                         lambda X, s: pd.DataFrame(X.to_numpy(), columns=X.columns), [0.0])
    with pytest.raises(ValueError, match="X's index repeats labels"):
        robustness_curve(models, X.set_axis(np.arange(len(X)) % 2), np.asarray(y),
                         lambda X, s: X.iloc[::-1], [0.0])


def test_a_sort_by_label_is_put_back_by_label_unless_it_returns_0_to_n_in_order(fitted):
    """What docs/user_guide/robustness.rst says of a callable's rows: X's labels in another
    order are matched by label, but an index 0..n-1 in order is read by position, also
    where it comes from sorting an X labelled 0..n-1 in another order (a shuffled test
    set), with a warning; the guide said a sort was always put back in X's order."""
    X, y, models = fitted
    models = {"logreg": models["logreg"]}
    order = np.random.default_rng(0).permutation(len(X))
    shuffled, labels = X.iloc[order], np.asarray(y)[order]
    assert not shuffled.index.equals(pd.RangeIndex(len(X)))

    def sorted_by_label(X, s):
        return X.sort_index()

    clean = robustness_curve(models, shuffled, labels, "shift", [0.0], columns=["x1"])
    by_label = robustness_curve(models, shuffled.set_axis(shuffled.index + 1000), labels,
                                sorted_by_label, [0.0])
    assert by_label["accuracy"].iloc[0] == clean["accuracy"].iloc[0]
    with pytest.warns(UserWarning, match="rows are read in X's order by position"):
        by_position = robustness_curve(models, shuffled, labels, sorted_by_label, [0.0])
    assert by_position["accuracy"].iloc[0] < clean["accuracy"].iloc[0] - 0.2


def test_adapted_rows_do_not_carry_the_variants_of_the_model_before_adapting(fitted):
    """Under "strongest", the variants' accuracies are those of the model before
    adaptation: its adapted copy's row has none, and its clean-rows row is no attack."""
    X, y, models = fitted
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, "strongest", [0.5],
                             adapt=True, clean_after_adapt=True, columns=["x1", "x2"],
                             eot=2, steps=2, random_state=0)
    before, after, clean = (curve.iloc[i] for i in range(3))
    assert not before["adapted"] and isinstance(before["variants"], dict)
    assert after["adapted"] and after["variants"] is None and after["mode"] == before["mode"]
    assert clean["manipulation"].endswith("(clean rows)")
    assert clean["mode"] == "none" and clean["variants"] is None


def test_an_attack_on_a_baseline_fitted_on_an_array_is_refused_before_it_runs(fitted):
    X, y, models = fitted
    on_array = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match=r"estimators\['mlp'\] \(TorchMLPClassifier\) was "
                                         r"fitted on an array.*Refit it on a DataFrame"):
        robustness_curve({"logreg": models["logreg"], "mlp": on_array}, X, y, "pgd", [0.1],
                         columns=["x1"], steps=2)
    # a manipulation edits X itself: the model reads its columns by position
    with pytest.warns(UserWarning, match="fitted without feature names"):
        robustness_curve({"mlp": on_array}, X, y, "shift", [0.0, 1.0], columns=["x1"])


def test_attack_adapted_attacks_the_adapted_copy_anew(fitted):
    """The row of an attacker who knows the adapted model: the attack crafted against the
    adapted copy (from the clean rows, with the same options) and the copy scored on it,
    as done by hand; the clean rows get no such row, and a model that does not adapt
    none at all."""
    import copy

    from skcama.attacks import pgd

    X, y, models = fitted
    cama = copy.deepcopy(models["CAMA"]).set_params(adapt_steps=30)
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    options = dict(columns=["x1", "x2", "x3"], steps=3, random_state=0)
    curve = robustness_curve({"CAMA": cama, "mlp": mlp}, X, y, "pgd",
                             [0.0, 0.5], adapt=True, attack_adapted=True, **options)
    again = curve[curve.manipulation == "pgd (attacked after adapting)"]
    assert again["model"].tolist() == ["CAMA"] and again["strength"].tolist() == [0.5]
    assert again["adapted"].all() and again["mode"].iloc[0].startswith("white-box")

    attacked = pgd(cama, X, y, 0.5, **options)
    adapted = copy.deepcopy(cama).adapt(attacked)
    crafted = pgd(adapted, X, y, 0.5, **options)
    assert again["accuracy"].iloc[0] == pytest.approx(adapted.score(crafted, y))
    # the attack moved the adapted copy's rows: it is not the attack on the model before
    assert not crafted.equals(attacked)
    assert adapted.score(crafted, y) < adapted.score(X, y)


def test_attack_adapted_under_strongest_keeps_the_adapted_copys_variants(fitted):
    X, y, models = fitted
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, "strongest", [0.5],
                             adapt=True, attack_adapted=True, columns=["x1", "x2"],
                             eot=2, steps=2, random_state=0)
    assert curve["manipulation"].tolist() == [
        "strongest", "strongest", "strongest (attacked after adapting)"]
    again = curve.iloc[2]
    assert isinstance(again["variants"], dict) and again["variants"]
    single = {k: v for k, v in again["variants"].items() if k != "per-row worst"}
    assert again["accuracy"] == min(single.values())


def test_attack_adapted_needs_adaptation_and_an_attack(fitted):
    from skcama.attacks import pgd

    X, y, models = fitted
    with pytest.raises(ValueError, match="attacks the adapted models anew; it needs "
                                         "adapt=True"):
        robustness_curve(models, X, y, "pgd", [0.5], attack_adapted=True, columns=["x1"])
    with pytest.raises(ValueError, match="needs an attack as the manipulation.*'shift' "
                                         r"runs as a manipulation f\(X, strength\)"):
        robustness_curve(models, X, y, "shift", [0.5], adapt=True, attack_adapted=True,
                         columns=["x1"])
    # a partial binding the model would be called bound(X, strength): pgd() then missed
    # its budget, in Python's words
    bound = functools.partial(pgd, models["CAMA"])
    for adapt in (False, True):
        with pytest.raises(TypeError, match=r"a functools.partial of pgd that binds positional "
                                            r"arguments .*Pass manipulation='pgd'"):
            robustness_curve(models, X, y, bound, [0.5], adapt=adapt, attack_adapted=adapt)


def test_attack_adapted_records_nothing_for_a_model_attacked_by_transfer(fitted):
    """A transfer attack's rows do not depend on the model it targets: the adapted copy
    attacked anew would meet the rows it was scored on, so no row is recorded, with a
    warning; a surrogate for the other models leaves CAMA white-box."""
    X, y, models = fitted
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    options = dict(columns=["x1", "x2"], steps=2, random_state=0, adapt=True,
                   attack_adapted=True)
    with pytest.warns(UserWarning, match="model 'CAMA' is attacked by transfer from a "
                                         "surrogate only.*no '\\(attacked after adapting"):
        curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, "pgd", [0.5],
                                 surrogate={"CAMA": mlp}, **options)
    assert curve["manipulation"].tolist() == ["pgd", "pgd"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        curve = robustness_curve(models, X, y, "pgd", [0.5], surrogate=mlp, **options)
    again = curve[curve.manipulation == "pgd (attacked after adapting)"]
    assert again["model"].tolist() == ["CAMA"]
    assert again["mode"].iloc[0] == "white-box"


def test_plot_draws_the_adapted_model_attacked_anew_in_its_own_style(fitted):
    X, y, models = fitted
    curve = robustness_curve({"CAMA": models["CAMA"]}, X, y, "pgd", [0.0, 0.5],
                             adapt=True, clean_after_adapt=True, attack_adapted=True,
                             columns=["x1", "x2"], steps=2, random_state=0)
    ax = plot_robustness(curve)
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles == {"CAMA": "-", "CAMA + adapt": "--", "CAMA + adapt, on clean rows": ":",
                      "CAMA + adapt, attacked anew": "--"}  # "--": any dash pattern
    lines = {line.get_label(): line for line in ax.get_lines()}
    # its own pattern of dashes and dots, unlike the adapted line's plain dashes
    patterns = [getattr(lines[name], "_unscaled_dash_pattern", None)
                for name in ("CAMA + adapt", "CAMA + adapt, attacked anew")]
    assert patterns[0] != patterns[1]
    assert ax.get_title() == "pgd"


def test_attack_adapted_leaves_a_generators_draws_for_the_other_rows(fitted):
    """With a numpy Generator as random_state, the attacks anew draw from a stream of
    their own: every other row of the curve is the same with and without them."""
    X, y, models = fitted
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    estimators = {"CAMA": models["CAMA"], "mlp": mlp}

    def curve(**extra):
        return robustness_curve(estimators, X, y, "pgd", [0.3, 0.6], adapt=True,
                                columns=["x1", "x2"], steps=2,
                                random_state=np.random.default_rng(5), **extra)

    plain, again = curve(), curve(attack_adapted=True)
    kept = again[~again.manipulation.str.endswith("(attacked after adapting)")]
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), plain)
    assert len(again) == len(plain) + 2


@pytest.mark.parametrize("flag", ["adapt", "clean_after_adapt", "attack_adapted"])
def test_the_adaptation_flags_must_be_true_or_false(fitted, flag):
    X, y, models = fitted
    with pytest.raises(TypeError, match=f"{flag} must be True or False; got 'no'"):
        robustness_curve(models, X, y, "shift", [1.0], columns=["x1"], **{flag: "no"})


def test_codes_any_cama_model_reads_as_discrete_are_moved_in_none_whatever_the_order():
    """The first CAMA model among estimators lent its column kinds: with one reading a
    grade as a measurement first, the shift moved it and the other model refused the
    values (blaming the data), and the attack refused the columns it chose itself."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skcama.datasets import make_mixed_sem

    X, y, graph = make_mixed_sem(400, random_state=0)
    train, test = slice(0, 300), slice(300, 400)
    params = dict(graph=graph, target="y", max_epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        codes = CAMAClassifier(**params).fit(X[train], y[train])
        graded = [c for c in ("c3", "x3") if codes.column_types_[c] != "gaussian"]
        assert graded, "the test needs integer codes read as discrete"
        numbers = CAMAClassifier(**params, column_types=dict.fromkeys(graded, "gaussian")).fit(
            X[train], y[train])
        boosting = HistGradientBoostingClassifier(max_iter=10).fit(X[train], y[train])
    for manipulation, options in (("shift", {}),
                                  ("pgd", dict(surrogate=numbers, steps=2, random_state=0))):
        curves = []
        for order in (("codes", "numbers"), ("numbers", "codes")):
            models = {name: {"codes": codes, "numbers": numbers}[name] for name in order}
            models["boosting"] = boosting
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                curve = robustness_curve(models, X[test], y[test], manipulation, [0.0, 0.5],
                                         **options)
            curves.append(curve.set_index(["model", "strength"])["accuracy"].sort_index())
        pd.testing.assert_series_equal(curves[0], curves[1])


def test_each_warning_once_blocks_overlapping_in_two_threads_restore_showwarning():
    import threading
    import warnings

    from skcama._warn import each_warning_once

    original = warnings.showwarning
    a_open, b_open, a_closed = threading.Event(), threading.Event(), threading.Event()
    shown: list[str] = []

    def record(message, category, *args, **kwargs):
        shown.append(f"{threading.current_thread().name}: {message}")

    def first():  # opens, waits for the second to open, closes first
        with each_warning_once():
            a_open.set()
            b_open.wait(5)
            warnings.warn("repeated", stacklevel=1)
            warnings.warn("repeated", stacklevel=1)
        a_closed.set()

    def second():  # opens while the first is open, closes after it
        a_open.wait(5)
        with each_warning_once():
            b_open.set()
            a_closed.wait(5)
            warnings.warn("repeated", stacklevel=1)

    warnings.showwarning = record
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            threads = [threading.Thread(target=f, name=f.__name__) for f in (first, second)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert warnings.showwarning is record  # put back once both blocks closed
            warnings.warn("repeated", stacklevel=1)
            warnings.warn("repeated", stacklevel=1)  # outside any block: every one is shown
    finally:
        warnings.showwarning = original
    # each block drops its own thread's repeats only
    assert sorted(shown) == ["MainThread: repeated", "MainThread: repeated",
                             "first: repeated", "second: repeated"]


def test_each_warning_once_nested_blocks_show_a_warning_once_in_all():
    import warnings

    from skcama._warn import each_warning_once

    shown: list[str] = []
    original = warnings.showwarning
    warnings.showwarning = lambda message, *args, **kwargs: shown.append(str(message))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            with each_warning_once():  # a robustness curve's block
                for _ in range(3):
                    with each_warning_once():  # an attack's block, once per strength
                        warnings.warn("budget", stacklevel=1)
    finally:
        warnings.showwarning = original
    assert shown == ["budget"]


def test_the_record_of_shown_warnings_stays_bounded(monkeypatch):
    # a service warning with a new text on every call must not grow the record for ever
    import sys
    import warnings

    from skcama import _warn

    monkeypatch.setattr(_warn, "_SHOWN", type(_warn._SHOWN)())
    monkeypatch.setattr(_warn, "_SHOWN_MAX", 50)

    def shown(i):  # one line warning, as a library line does
        return _warn._shown_before(f"estimate {i}", UserWarning, sys._getframe())

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        for i in range(200):
            assert not shown(i)
        assert len(_warn._SHOWN) == 50
        assert shown(199)  # a recent one: remembered
        assert not shown(0)  # the oldest: forgotten


def test_roles_reaching_outside_the_blanket_still_keep_the_codes_cama_reads_as_discrete():
    """Roles given by hand that name a column outside CAMA's blanket lend no sds, yet the
    grade CAMA reads as categories stays as it is for every model (it was shifted off its
    levels: an error for CAMA, shifted codes for the others)."""
    X, y, graph = simple_sem(0, n=250)
    X = X.assign(g=np.clip(np.round(X["x2"]), -2, 2).astype(int) + 2)  # a grade 0-4
    graph.add_edge("y", "g")
    cama = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    assert cama.column_types_["g"] == "categorical" and "o" not in cama.roles_.blanket
    roles = cama.roles_.as_dict()
    roles["children"] = [*roles["children"], "o"]
    with pytest.warns(UserWarning, match=r"the roles name columns \['o'\] outside the Markov "
                                         r"blanket of 'CAMA'.*columns \['g'\], which it "
                                         r"reads as discrete, are left as they are"):
        curve = robustness_curve({"CAMA": cama}, X, y, "shift", [0.0, 1.0], roles=roles)
    assert len(curve) == 2


def test_a_pipeline_that_picks_its_columns_by_name_takes_them_in_any_order(fitted):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _ = fitted
    picks = make_pipeline(ColumnTransformer([("s", StandardScaler(), ["x1", "x2"])]),
                          LogisticRegression()).fit(X, y)
    mixed = X[X.columns[::-1]].assign(extra=0.0)
    curve = robustness_curve({"picks": picks}, mixed, y, "shift", [0.0, 1.0], columns="x1")
    assert curve.accuracy.iloc[0] == pytest.approx(picks.score(mixed, y))
    # one that reads its columns by position is still refused, with scikit-learn's reason
    scaled = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="other columns than X's") as caught:
        robustness_curve({"scaled": scaled}, mixed, y, "shift", [1.0], columns="x1")
    assert "feature names" in str(caught.value.__cause__).lower()


def test_a_fitted_model_that_is_not_a_scikit_learn_estimator_is_taken(fitted):
    X, y, models = fitted

    class Wrapped:  # fit and predict, but no scikit-learn tags
        def fit(self, X, y):
            self.model_ = LogisticRegression(max_iter=500).fit(X, y)
            return self

        def predict(self, X):
            return self.model_.predict(X)

    curve = robustness_curve({"wrapped": Wrapped().fit(X, y)}, X, y, "shift", [0.0, 1.0],
                             columns="x1")
    assert len(curve) == 2
    with pytest.raises(NotFittedError, match=r"estimators\['raw'\] \(Wrapped\) is not fitted"):
        robustness_curve({"raw": Wrapped()}, X, y, "shift", [1.0], columns="x1")


def test_an_adapt_that_works_in_place_and_returns_none_is_scored(fitted):
    X, y, models = fitted

    class InPlace:
        def __init__(self, model):
            self.model, self.flipped = model, False

        def predict(self, X):  # adapted: the first class for every row
            labels = self.model.predict(X)
            return np.full_like(labels, self.model.classes_[0]) if self.flipped else labels

        def adapt(self, X):
            self.flipped = True  # returns None

    original = InPlace(models["logreg"])
    curve = robustness_curve({"ip": original}, X, y, "shift", [1.0], columns="x1",
                             adapt=True)
    adapted = curve[curve.adapted]
    assert len(adapted) == 1 and not original.flipped
    first = models["logreg"].classes_[0]
    assert adapted.accuracy.iloc[0] == pytest.approx(np.mean(np.asarray(y) == first))


def test_columns_as_a_generator_are_read_once(fitted):
    X, y, models = fitted
    curve = robustness_curve({"logreg": models["logreg"]}, X, y, "shift", [0.0, 1.0],
                             columns=(c for c in X.columns if c.startswith("x")))
    by_list = robustness_curve({"logreg": models["logreg"]}, X, y, "shift", [0.0, 1.0],
                               columns=[c for c in X.columns if c.startswith("x")])
    pd.testing.assert_frame_equal(curve, by_list)


def test_an_array_or_a_model_named_none_is_refused_before_anything_runs(fitted):
    X, y, models = fitted
    logreg = LogisticRegression(max_iter=500).fit(X.to_numpy(), y)

    def nudge(rows, strength):
        return rows + strength

    with pytest.raises(TypeError, match="X must be a pandas DataFrame"):
        robustness_curve({"logreg": logreg}, X.to_numpy(), y, nudge, [0.0, 1.0])
    for name in (None, float("nan")):
        with pytest.raises(ValueError, match="a model named"):
            robustness_curve({name: models["logreg"], "lr": models["logreg"]}, X, y,
                             "shift", [1.0], columns="x1")


def test_a_plot_keeps_a_model_whose_name_reads_as_missing():
    curve = pd.DataFrame({"model": [None, None, "lr", "lr"], "manipulation": ["shift"] * 4,
                          "strength": [0.0, 1.0] * 2, "accuracy": [0.9, 0.8, 0.9, 0.7],
                          "adapted": [False] * 4})
    assert len(plot_robustness(curve).get_lines()) == 2
