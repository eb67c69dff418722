"""Tests of skcama.attacks: attacks must work, stay in budget and refuse bad input."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import DataConversionWarning, NotFittedError

from skcama import CAMAClassifier
from skcama._columns import class_positions
from skcama.attacks import (
    attack_variants,
    differentiable_log_proba,
    fgsm,
    pgd,
    strongest_attack,
)
from skcama.baselines import TorchMLPClassifier
from skcama.graph import MarkovBlanketRoles
from skcama.manipulations import InvalidManipulationWarning

from conftest import simple_sem


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    X = pd.DataFrame(rng.normal(size=(400, 3)) * 0.7 + 1.5 * y[:, None], columns=["a", "c", "x"])
    mlp = TorchMLPClassifier(max_epochs=10, random_state=0).fit(X, y)
    return X, y, mlp


@pytest.fixture(scope="module")
def sem():
    X, y, graph = simple_sem(0, n=250)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=20, n_samples=4, random_state=0)
    return X, y, clf.fit(X, y)


def test_pgd_substantially_lowers_an_undefended_mlp(blobs):
    X, y, mlp = blobs
    clean = mlp.score(X, y)
    attacked = mlp.score(pgd(mlp, X, y, 1.0, columns=["c", "x"], random_state=0), y)
    assert clean > 0.85
    assert attacked < clean - 0.25, (clean, attacked)


def test_fgsm_substantially_lowers_an_undefended_mlp(blobs):
    X, y, mlp = blobs
    clean = mlp.score(X, y)
    attacked = mlp.score(fgsm(mlp, X, y, 1.0, columns=["c", "x"]), y)
    assert attacked < clean - 0.2, (clean, attacked)


def test_pgd_is_at_least_as_strong_as_random_noise_and_fgsm(blobs):
    X, y, mlp = blobs
    rng = np.random.default_rng(0)
    noisy = X.copy()
    noisy[["c", "x"]] += rng.choice([-1, 1], size=(len(X), 2)) * 1.0 * mlp.scale_[1:]
    strong = mlp.score(pgd(mlp, X, y, 1.0, columns=["c", "x"], random_state=0), y)
    assert strong < mlp.score(noisy, y) - 0.1
    assert strong <= mlp.score(fgsm(mlp, X, y, 1.0, columns=["c", "x"]), y) + 1e-9


def test_attack_respects_budget_and_leaves_other_columns(blobs):
    X, y, mlp = blobs
    X_adv = pgd(mlp, X, y, 0.3, columns=["x"], random_state=0)
    assert np.all(np.abs(X_adv["x"] - X["x"]) <= 0.3 * mlp.scale_[2] + 1e-5)
    assert X_adv[["a", "c"]].equals(X[["a", "c"]])
    assert X_adv.attrs["mode"] == "white-box"


def test_attacked_columns_keep_their_float_type_as_the_manipulations_do(sem):
    """float32 stays float32 and a nullable column stays Float64 with its <NA> (the attacks
    returned float64 and NaN where shift kept the types)."""
    X, y, clf = sem
    typed = X.astype({"c": "float32", "x1": "Float64"})
    typed.loc[typed.index[:3], "x1"] = pd.NA
    for attacked in (fgsm(clf, typed, y, 0.3), pgd(clf, typed, y, 0.3, steps=3, random_state=0),
                     strongest_attack(clf, typed, y, 0.3, steps=3, eot=2, random_state=0)):
        assert attacked["c"].dtype == np.float32 and attacked["x1"].dtype == "Float64"
        assert attacked["x1"].iloc[:3].isna().all() and attacked["x1"].iloc[3:].notna().all()
        assert (attacked["c"] != typed["c"]).any()
        np.testing.assert_array_less(np.abs(attacked["c"] - typed["c"]),
                                     0.3 * clf.scaler_.scale[clf.scaler_.names.index("c")]
                                     + 1e-5)


def test_a_float32_column_too_coarse_for_the_move_is_written_as_float64():
    """Large values in float32 round a small move off (30,000 moved by 0.0007 stays
    30,000): the attack moved nothing while reporting success; such a column comes back
    in float64, with a warning, and the rows move within the budget."""
    X, y, graph = simple_sem(0, n=200)
    coarse = X.assign(x1=(30_000 + 0.01 * X["x1"]).astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(coarse, y)
    with pytest.warns(UserWarning, match=r"columns \['x1'\] are float32, whose precision"):
        attacked = fgsm(clf, coarse, y, 0.05, columns=["x1"])
    limit = 0.05 * clf.scaler_.scale[clf.scaler_.names.index("x1")]
    moved = np.abs(attacked["x1"].to_numpy() - coarse["x1"].to_numpy(np.float64))
    assert attacked["x1"].dtype == np.float64 and (moved > 0).mean() > 0.9
    assert moved.max() <= limit + 1e-9  # float64 rounding at 30,000: about 4e-12


def test_a_flag_read_as_gaussian_is_left_alone_by_attacks_and_manipulations_alike():
    """A True / False column that column_types= declares Gaussian: fgsm moved it to 0.24 /
    0.76 while shift refused the whole role, so a robustness curve failed; both now leave
    it as it is within a role, and refuse it by name."""
    from skcama.manipulations import shift
    from skcama.robustness import robustness_curve

    X, y, graph = simple_sem(0, n=250)
    X["x3"] = X["x3"] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", column_types={"x3": "gaussian"},
                             max_epochs=3, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match=r"\['x3'\] are discrete"):
        attacked = fgsm(clf, X, y, 0.5, columns="children")
    with pytest.warns(UserWarning, match=r"\['x3'\] are discrete"):
        shifted = shift(X, 0.5, columns="children", reference=clf)
    for moved in (attacked, shifted):
        assert moved["x3"].dtype == bool and moved["x3"].equals(X["x3"])
        assert not moved["x1"].equals(X["x1"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        curve = robustness_curve({"cama": clf}, X, y, "shift", [1.0])
    assert len(curve) == 1
    with pytest.raises(ValueError, match=r"\['x3'\] are discrete .*in X \(True / False\)"):
        fgsm(clf, X, y, 0.5, columns=["x3"])
    with pytest.raises(ValueError, match=r"\['x3'\] hold True / False"):
        shift(X, 0.5, columns=["x3"], reference=clf)


def test_pgd_through_cama_moves_only_coparents_and_children(sem):
    X, y, clf = sem
    X_adv = pgd(clf, X, y, 0.5, steps=5, random_state=0)
    moved = [c for c in X.columns if not np.allclose(X_adv[c], X[c])]
    assert moved == ["c", "x1", "x2", "x3"]
    assert clf.score(X, y) > 0.45  # a trained model, so a drop means something
    assert clf.score(X_adv, y) < clf.score(X, y) - 0.1


def test_eot_attack_on_cama_runs_and_lowers_accuracy(sem):
    X, y, clf = sem
    X_adv = pgd(clf, X, y, 0.5, steps=3, eot=2, random_state=0)
    assert X_adv.attrs["eot"] == 2
    assert clf.score(X_adv, y) < clf.score(X, y)


def test_gradient_boosting_needs_a_surrogate_and_is_labelled_transfer(blobs):
    X, y, mlp = blobs
    gb = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="surrogate="):
        pgd(gb, X, y, 0.5, columns=["x"])
    X_adv = pgd(gb, X, y, 0.5, columns=["c", "x"], surrogate=mlp, random_state=0)
    assert X_adv.attrs["mode"] == "transfer from TorchMLPClassifier"
    assert gb.score(X_adv, y) < gb.score(X, y)


def test_a_surrogate_without_gradients_and_repeated_column_names_are_named(blobs):
    """A Pipeline as the surrogate was told to pass a surrogate; a frame repeating a column
    name failed with pandas' AttributeError, whichever column was attacked."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, mlp = blobs
    gb = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    piped = make_pipeline(StandardScaler(), TorchMLPClassifier(max_epochs=2, random_state=0))
    with pytest.raises(TypeError, match=r"the surrogate, a Pipeline, is not differentiable.*"
                                        r"a Pipeline's scaling steps pass no gradient"):
        fgsm(gb, X, y, 0.5, columns=["x"], surrogate=piped.fit(X, y))
    twice = pd.concat([X, X[["c"]]], axis=1)
    for attack in (fgsm, pgd):
        with pytest.raises(ValueError, match=r"X has several columns named \['c'\]"):
            attack(mlp, twice, y, 0.5, columns=["x"])


def test_a_surrogate_fitted_on_other_labels_is_named_as_the_surrogate(blobs):
    """The labels suit the attacked model: the message named the surrogate's class as if
    it were the model attacked, and told to pass other labels."""
    X, y, _ = blobs
    three = np.where(X["a"] > 2.5, 2, y)
    gb = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, three)
    binary = TorchMLPClassifier(max_epochs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"unknown to the surrogate TorchMLPClassifier \(a "
                                         r"surrogate must be trained on the same task"):
        fgsm(gb, X, three, 0.5, columns=["x"], surrogate=binary)
    with pytest.raises(ValueError, match=r"unknown to the attacked "
                                         r"HistGradientBoostingClassifier"):
        fgsm(gb, X, np.where(three == 2, 5, three), 0.5, columns=["x"], surrogate=binary)


def test_a_model_fitted_on_an_array_is_said_to_know_positions_only(blobs):
    X, y, _ = blobs
    wide = pd.concat([X] * 4, axis=1).set_axis([f"v{i}" for i in range(12)], axis=1)
    positional = TorchMLPClassifier(max_epochs=2, random_state=0).fit(wide.to_numpy(), y)
    with pytest.raises(ValueError, match=r"fitted on an array and knows its inputs by position "
                                         r"0..11 only: fit it on a DataFrame.*choose among "
                                         r"\[0, 1, .*, 9, \.\.\. \(12 in all\)\]"):
        fgsm(positional, wide, y, 0.5, columns=["v1"])


@pytest.mark.parametrize("epsilon", [0.0, -0.1, np.nan, "a", True])
def test_non_positive_budget_raises(blobs, epsilon):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="epsilon"):
        pgd(mlp, X, y, epsilon, columns=["x"])


def test_a_budget_of_many_sds_is_warned_as_a_likely_unit_mistake(blobs):
    X, y, mlp = blobs
    with pytest.warns(UserWarning, match="budgets are in sds"):
        fgsm(mlp, X, y, 10, columns=["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fgsm(mlp, X, y, 0.5, columns=["x"])


def test_unfitted_model_raises():
    X = pd.DataFrame({"x": [0.0, 1.0]})
    with pytest.raises(NotFittedError):
        fgsm(TorchMLPClassifier(), X, [0, 1], 0.1, columns=["x"])


def test_a_missing_label_is_named_by_its_row(blobs):
    X, y, mlp = blobs
    labels = pd.Series(y).astype(float)
    labels.iloc[3] = np.nan
    with pytest.raises(ValueError, match=r"y has 1 missing labels \(rows 3\)"):
        fgsm(mlp, X, labels, 0.1, columns=["x"])


def test_unknown_column_raises_with_suggestion(blobs):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="Did you mean 'x'"):
        pgd(mlp, X, y, 0.1, columns=["X"])


def test_columns_required_without_cama(blobs):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="pass columns="):
        pgd(mlp, X, y, 0.1)


def test_attacking_the_target_of_cama_raises(sem):
    X, y, clf = sem
    with pytest.raises(ValueError, match="cannot manipulate the target"):
        pgd(clf, X.assign(y=y), y, 0.1, columns=["y"])


def test_a_column_outside_the_blanket_is_named_as_such_not_as_discrete(sem):
    """'o' is a continuous column CAMA ignores: the error says it is outside the Markov
    blanket, not that it is discrete."""
    X, y, clf = sem
    assert "o" in clf.roles_.outside
    with pytest.raises(ValueError, match=r"\['o'\] are not inputs of CAMAClassifier "
                                         r"\(outside its Markov blanket") as caught:
        pgd(clf, X, y, 0.1, columns=["o"])
    assert "discrete" not in str(caught.value)


def test_attacking_the_target_by_roles_raises_without_cama(blobs):
    X, y, mlp = blobs
    roles = {"target": "a", "parents": [], "coparents": ["c"], "children": ["x"]}
    with pytest.raises(ValueError, match="cannot manipulate the target 'a'"):
        pgd(mlp, X, y, 0.1, columns=["a"], roles=roles)


def test_unfitted_cama_and_unfitted_surrogate_raise(sem, blobs):
    X, y, _ = sem
    graph = simple_sem(0, n=10)[2]
    with pytest.raises(NotFittedError):
        pgd(CAMAClassifier(graph=graph, target="y"), X, y, 0.1)
    Xb, yb, mlp = blobs
    gb = HistGradientBoostingClassifier(max_iter=5).fit(Xb, yb)
    with pytest.raises(NotFittedError):
        pgd(gb, Xb, yb, 0.1, columns=["x"], surrogate=TorchMLPClassifier())


@pytest.mark.parametrize("epsilon", [0.0, -1.0])
def test_strongest_attack_refuses_a_non_positive_budget(blobs, epsilon):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="epsilon"):
        strongest_attack(mlp, X, y, epsilon, columns=["x"])


def test_white_box_function_is_the_predictor_before_and_after_adaptation(sem):
    X, y, clf = sem
    for model in (clf, copy.deepcopy(clf).set_params(adapt_steps=5).adapt(X)):
        f = differentiable_log_proba(model)
        values = torch.from_numpy(np.array(X[f.columns], dtype=np.float32))
        np.testing.assert_allclose(
            f.log_proba(values, None).detach().numpy(), model.predict_log_proba(X), atol=1e-4
        )


def test_strongest_attack_on_cama_tries_every_variant_and_keeps_the_worst(sem, blobs):
    X, y, clf = sem
    surrogate = TorchMLPClassifier(max_epochs=20, random_state=0).fit(X, y)
    variants = attack_variants(clf, X, y, 0.5, eot=2, surrogate=surrogate, steps=3,
                               random_state=0)
    assert list(variants) == [
        "white-box (fixed noise)", "white-box (EOT, 2 draws)",
        "transfer from TorchMLPClassifier",
    ]
    X_adv = strongest_attack(clf, X, y, 0.5, eot=2, surrogate=surrogate, steps=3,
                             random_state=0)
    accuracies = X_adv.attrs["accuracies"]
    single = {k: v for k, v in accuracies.items() if k != "per-row worst"}
    assert single == {k: clf.score(v, y) for k, v in variants.items()}
    assert clf.score(X_adv, y) == min(single.values())
    assert X_adv.attrs["mode"] == X_adv.attrs["strongest"]
    assert accuracies["per-row worst"] <= min(single.values())
    per_row = strongest_attack(clf, X, y, 0.5, eot=2, surrogate=surrogate, steps=3,
                               per_row=True, random_state=0)
    assert clf.score(per_row, y) == pytest.approx(accuracies["per-row worst"])
    assert sum(per_row.attrs["rows_from"].values()) == len(X)
    budget = 0.5 * clf.scaler_.scale[list(clf.roles_.blanket).index("x1")]
    assert np.all(np.abs(per_row["x1"] - X["x1"]) <= budget + 1e-5)
    assert per_row[["a", "o", "w"]].equals(X[["a", "o", "w"]])


def test_strongest_attack_names_an_unknown_option_and_takes_no_rows(blobs):
    """A misspelt option reached pgd() as Python's TypeError; 0 rows reached the
    baseline's predict, which refuses them as scikit-learn's models do."""
    X, y, mlp = blobs
    with pytest.raises(TypeError, match=r"pgd takes no option 'stepz' \(did you mean "
                                        r"'steps'\?\)"):
        strongest_attack(mlp, X, y, 0.5, columns=["x"], stepz=2)
    with pytest.raises(TypeError, match=r"fgsm takes no option 'steps'"):
        attack_variants(mlp, X, y, 0.5, attack="fgsm", columns=["x"], steps=2)
    for per_row in (False, True):
        empty = strongest_attack(mlp, X.iloc[:0], y[:0], 0.5, columns=["x"], steps=2,
                                 per_row=per_row)
        assert len(empty) == 0 and list(empty.columns) == list(X.columns)
        assert all(np.isnan(v) for v in empty.attrs["accuracies"].values())


def test_strongest_attack_needs_a_surrogate_for_a_model_without_gradients(blobs):
    X, y, mlp = blobs
    gb = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="surrogate="):
        strongest_attack(gb, X, y, 0.5, columns=["x"])
    X_adv = strongest_attack(gb, X, y, 0.5, columns=["c", "x"], surrogate=mlp, random_state=0)
    assert list(X_adv.attrs["accuracies"]) == ["transfer from TorchMLPClassifier",
                                              "per-row worst"]
    assert gb.score(X_adv, y) < gb.score(X, y)
    with pytest.raises(ValueError, match="'fgsm' or 'pgd'"):
        strongest_attack(mlp, X, y, 0.5, columns=["x"], attack="cw")


@pytest.fixture(scope="module")
def mixed_cama():
    """CAMA whose children include a graded integer column (levels 5..7) and a text one."""
    rng = np.random.default_rng(0)
    y = pd.Series(rng.integers(0, 2, 300), name="y")
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a1", "c1", "x1"]) + y.to_numpy()[:, None]
    X["x2"] = 5 + y + rng.integers(0, 2, 300)
    X["x3"] = np.where(rng.random(300) < 0.3 + 0.4 * y, "hi", "lo")
    graph = {"y": ["a1"], "x1": ["y", "c1"], "x2": ["y"], "x3": ["y"]}
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=30, random_state=0).fit(X, y)
    return X, y, clf


def test_attack_on_cama_with_discrete_columns_moves_only_continuous_ones(mixed_cama):
    X, y, clf = mixed_cama
    assert clf.column_types_["x2"] == "categorical"
    with pytest.warns(UserWarning, match=r"columns \['x2', 'x3'\] are discrete \(categorical "
                                         r"or binary\) for CAMAClassifier, so the attack "
                                         r"leaves them as they are"):
        attacked = pgd(clf, X, y, 1.0, random_state=0)
    assert attacked.attrs["columns"] == ["c1", "x1"]  # the discrete children are left out
    pd.testing.assert_frame_equal(attacked[["a1", "x2", "x3"]], X[["a1", "x2", "x3"]])
    assert clf.score(attacked, y) < clf.score(X, y) - 0.05
    with pytest.raises(ValueError, match=r"columns \['x2'\] are discrete"):
        fgsm(clf, X, y, 0.5, columns=["x2"])


def test_a_transfer_leaves_the_columns_cama_reads_as_discrete_alone(mixed_cama):
    """The surrogate MLP reads the grade x2 as a number, but the CAMA model it attacks reads
    it as categories: moving it off its levels would break CAMA's predict."""
    X, y, clf = mixed_cama
    numbers = X.drop(columns="x3")
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(numbers, y)
    attacked = pgd(clf, X, y, 0.5, surrogate=mlp, random_state=0)
    assert attacked.attrs["columns"] == ["c1", "x1"]
    pd.testing.assert_frame_equal(attacked[["a1", "x2", "x3"]], X[["a1", "x2", "x3"]])
    clf.predict(attacked)
    with pytest.raises(ValueError, match=r"columns \['x2'\] are discrete \(categorical or "
                                         r"binary\) for CAMAClassifier;"):
        pgd(clf, X, y, 0.5, surrogate=mlp, columns=["x1", "x2"])
    # another CAMA model reading the grade as a measurement, as surrogate or reference
    graph = {"y": ["a1"], "x1": ["y", "c1"], "x2": ["y"], "x3": ["y"]}
    other = CAMAClassifier(graph=graph, target="y", max_epochs=5, random_state=1,
                           column_types={"x2": "gaussian"}).fit(X, y)
    for options in ({"surrogate": other}, {"reference": other}):
        attacked = pgd(clf, X, y, 0.5, random_state=0, **options)
        assert attacked.attrs["columns"] == ["c1", "x1"], options
        pd.testing.assert_series_equal(attacked["x2"], X["x2"])


def test_a_role_named_in_columns_loses_its_discrete_members_as_the_default_does(mixed_cama):
    """``columns="children"`` attacks the children's continuous columns, as ``columns=None``
    does for both roles; only a discrete column named on its own is an error."""
    X, y, clf = mixed_cama
    attacked = pgd(clf, X, y, 0.5, columns="children", random_state=0)
    assert attacked.attrs["columns"] == ["x1"]
    pd.testing.assert_frame_equal(attacked.drop(columns="x1"), X.drop(columns="x1"))
    with pytest.raises(ValueError, match=r"columns \['x3'\] are discrete"):
        fgsm(clf, X, y, 0.5, columns=["children", "x3"])
    only_discrete = CAMAClassifier(graph={"x2": ["y"], "x3": ["y"]}, target="y", max_epochs=2,
                                   random_state=0).fit(X[["x2", "x3"]], y)
    with pytest.raises(ValueError, match=r"every column of \['children'\] is discrete"):
        fgsm(only_discrete, X[["x2", "x3"]], y, 0.5, columns="children")


def test_cama_as_reference_supplies_the_roles_for_another_model(sem):
    X, y, clf = sem
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    attacked = fgsm(mlp, X, y, 0.5, reference=clf)
    assert attacked.attrs["columns"] == ["c", "x1", "x2", "x3"]


def test_step_size_must_be_a_positive_number(blobs):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="step_size is a fraction of epsilon"):
        pgd(mlp, X, y, 0.1, columns=["x"], step_size="a")


# ----------------------------------------------------- parents of the target, labels
ROLES = {"target": "y", "parents": ["a"], "coparents": ["c"], "children": ["x"]}


@pytest.mark.parametrize("attack", [fgsm, pgd, strongest_attack])
def test_attacking_a_parent_warns_unless_allow_parents(blobs, attack):
    X, y, mlp = blobs
    options = dict(columns=["a", "x"], roles=ROLES, random_state=0)
    with pytest.warns(InvalidManipulationWarning, match=r"columns \['a'\] are parents.*"
                      "pass allow_parents=True to silence this") as record:
        warned = attack(mlp, X, y, 0.3, **options)
    assert record[0].filename == __file__  # the warning names the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvalidManipulationWarning)
        allowed = attack(mlp, X, y, 0.3, allow_parents=True, **options)
    pd.testing.assert_frame_equal(allowed, warned)  # the same attack, only without the warning
    assert allowed.attrs["columns"] == ["a", "x"]
    assert not np.allclose(allowed["a"], X["a"])


def test_attacking_a_parent_of_cama_warns_unless_allow_parents(sem):
    X, y, clf = sem
    with pytest.warns(InvalidManipulationWarning, match=r"parents of the target 'y'"):
        fgsm(clf, X, y, 0.3, columns=["a"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvalidManipulationWarning)
        attacked = pgd(clf, X, y, 0.3, columns=["a"], steps=1, allow_parents=True)
    assert attacked.attrs["columns"] == ["a"]


def test_labels_as_a_column_vector_are_accepted_with_the_warning_fit_gives(blobs):
    X, y, mlp = blobs
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        column = fgsm(mlp, X, y[:, None], 0.5, columns=["x"])
    pd.testing.assert_frame_equal(column, fgsm(mlp, X, y, 0.5, columns=["x"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        strongest = strongest_attack(mlp, X, y[:, None], 0.5, columns=["x"], random_state=0)
    assert [w.category for w in caught] == [DataConversionWarning]  # once, not per variant
    flat = strongest_attack(mlp, X, y, 0.5, columns=["x"], random_state=0)
    assert strongest.attrs["accuracies"] == flat.attrs["accuracies"]


@pytest.mark.parametrize("attack", [fgsm, strongest_attack])
def test_labels_of_two_columns_are_rejected_naming_the_shape(blobs, attack):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match=r"y must hold one label per row.*got an array of "
                       r"shape \(400, 2\)\. Pass the labels as one column"):
        attack(mlp, X, np.stack([y, y], axis=1), 0.5, columns=["x"])


def test_labels_are_checked_against_the_rows_and_the_classes(blobs):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match=r"y must hold one label per row of X \(400 rows\); "
                       "got None"):
        fgsm(mlp, X, None, 0.5, columns=["x"])
    with pytest.raises(ValueError, match=r"of X \(400 rows\); got 10 labels"):
        fgsm(mlp, X, y[:10], 0.5, columns=["x"])
    with pytest.raises(ValueError, match=r"y holds labels \['0', '1'\] unknown to "
                       r"TorchMLPClassifier \(classes: \[0, 1\]\); they match its classes in "
                       r"text but not in type \(str labels, int classes\)"):
        pgd(mlp, X, y.astype(str), 0.5, columns=["x"])
    with pytest.raises(ValueError, match=r"y holds labels \[7\] unknown to TorchMLPClassifier.*"
                       "pass the labels the model was fitted with"):
        pgd(mlp, X, np.where(y == 1, 7, y), 0.5, columns=["x"])


def test_labels_equal_as_numbers_are_the_models_classes(blobs):
    # True is 1 for the label check and for the score; the attack's class positions
    # matched no bool against numbers and failed with torch's IndexError
    X, y, mlp = blobs
    flags = mlp.__class__(random_state=0, max_epochs=5).fit(X, y == 1)
    assert flags.classes_.tolist() == [False, True]
    by_numbers = pgd(flags, X, y, 0.5, columns=["x"], random_state=0)
    by_flags = pgd(flags, X, y == 1, 0.5, columns=["x"], random_state=0)
    pd.testing.assert_frame_equal(by_numbers, by_flags)
    assert flags.score(by_numbers, y) < flags.score(X, y)
    pd.testing.assert_frame_equal(fgsm(mlp, X, y == 1, 0.5, columns=["x"]),
                                  fgsm(mlp, X, y, 0.5, columns=["x"]))
    # the shared mapping: a missing label is no class (factorize codes it -1, which
    # indexed the last class)
    assert class_positions(np.array([0.0, np.nan, 1.0]), np.array([0.0, 1.0])).tolist() == [
        0, -1, 1]
    assert class_positions(np.array([None], dtype=object), np.array([0, 1])).tolist() == [-1]


def test_transfer_checks_the_labels_against_the_attacked_model_too(blobs):
    X, y, mlp = blobs
    text = np.array(["a", "b"])[y]
    gb = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    surrogate = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, text)
    with pytest.raises(ValueError, match=r"unknown to the attacked HistGradientBoostingClassifier"):
        pgd(gb, X, text, 0.5, columns=["x"], surrogate=surrogate)
    with pytest.raises(ValueError, match=r"unknown to the attacked HistGradientBoostingClassifier"):
        strongest_attack(gb, X, text, 0.5, columns=["x"], surrogate=surrogate)


def test_random_start_must_be_a_bool(blobs):
    X, y, mlp = blobs
    with pytest.raises(TypeError, match="random_start must be True or False; got 'no'"):
        pgd(mlp, X, y, 0.5, columns=["x"], random_start="no")


def test_without_cama_the_dtypes_or_the_reference_rows_say_what_is_discrete(blobs):
    """An MLP reads a bool column and a column of codes as numbers; the attack must not
    move them off their values (the manipulations' rule, as with a CAMA model)."""
    X, y, _ = blobs
    rng = np.random.default_rng(1)
    X = X.assign(flag=rng.random(len(X)) < 0.3 + 0.4 * y, ward=rng.integers(0, 3, len(X)))
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    roles = MarkovBlanketRoles(target="y", parents=("a",), coparents=("c", "ward"),
                               children=("x", "flag"), outside=())
    with pytest.raises(ValueError, match=r"columns \['flag'\] are discrete \(categorical or "
                                         r"binary\) by their dtype in X"):
        fgsm(mlp, X, y, 0.5, columns=["x", "flag"])
    with pytest.warns(UserWarning, match=r"columns \['flag'\] are discrete .* leaves them"):
        attacked = fgsm(mlp, X, y, 0.5, roles=roles)
    assert attacked.attrs["columns"] == ["c", "ward", "x"]
    pd.testing.assert_series_equal(attacked["flag"], X["flag"])
    # the training rows as reference: whole-number codes are discrete too, as fit reads them
    with pytest.warns(UserWarning, match=r"columns \['ward', 'flag'\] are discrete .* in the "
                                         r"reference rows"):
        attacked = fgsm(mlp, X, y, 0.5, roles=roles, reference=X)
    assert attacked.attrs["columns"] == ["c", "x"]


def test_rows_a_surrogate_cannot_read_are_counted_in_a_warning(blobs):
    X, y, mlp = blobs
    holed = X.copy()
    holed.loc[:9, "x"] = np.nan
    hgb = HistGradientBoostingClassifier(max_iter=20).fit(holed, y)
    with pytest.warns(UserWarning, match=r"10 of 400 rows hold missing values in \['x'\], "
                                         r"which TorchMLPClassifier cannot read"):
        attacked = fgsm(hgb, holed, y, 0.5, columns=["c", "x"], surrogate=mlp)
    pd.testing.assert_frame_equal(attacked.iloc[:10], holed.iloc[:10], check_dtype=False,
                                  atol=1e-5)
    # PGD too, from its random start: such a row keeps its values, not the start
    with pytest.warns(UserWarning, match="10 of 400 rows hold missing values"):
        attacked = pgd(hgb, holed, y, 0.5, columns=["c", "x"], surrogate=mlp, random_state=0)
    pd.testing.assert_frame_equal(attacked.iloc[:10], holed.iloc[:10], check_dtype=False,
                                  atol=1e-5)
    assert (attacked["c"].iloc[10:] != holed["c"].iloc[10:]).all()


@pytest.fixture(scope="module")
def offset():
    """A child measured far from 0 in its own sds (1e7 + N(0, 1)): float32 rounds its
    values by up to 0.5, ten times a budget of 0.05 sd."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = pd.DataFrame({"a1": rng.normal(size=300), "c1": rng.normal(size=300),
                      "x1": 1e7 + rng.normal(size=300) + y})
    return X, y


def _moved_by(X_adv, X, columns, std):
    """The largest move of each column, in sds."""
    return ((X_adv[columns] - X[columns]).abs() / np.asarray(std)).max()


def test_an_attack_on_an_mlp_stays_in_budget_on_a_column_with_a_large_offset(offset):
    X, y = offset
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    holed = X.copy()
    holed.loc[:9, "a1"] = np.nan  # rows the MLP cannot read: left alone
    for attack, options in ((fgsm, {}), (pgd, {"random_state": 0})):
        with pytest.warns(UserWarning, match="10 of 300 rows hold missing values"):
            attacked = attack(mlp, holed, y, 0.05, columns=["c1", "x1"], **options)
        assert (_moved_by(attacked, X, ["c1", "x1"], mlp.scale_[1:])
                <= 0.05 * (1 + 1e-9)).all(), attack
        pd.testing.assert_frame_equal(attacked.iloc[:10], holed.iloc[:10])  # bit-identical


def test_an_attack_on_cama_stays_in_budget_on_a_column_with_a_large_offset(offset):
    X, y = offset
    clf = CAMAClassifier(graph={"y": ["a1"], "x1": ["y", "c1"]}, target="y", max_epochs=5,
                         random_state=0).fit(X, y)
    std = pd.Series(clf.scaler_.scale, index=clf.scaler_.names)[["c1", "x1"]]
    holed = X.copy()
    holed.loc[:9, "x1"] = np.nan  # the co-parent gets no gradient where its child is missing
    for attack, options in ((fgsm, {}), (pgd, {"random_state": 0})):
        attacked = attack(clf, holed, y, 0.05, **options)
        assert attacked.attrs["columns"] == ["c1", "x1"]
        assert (_moved_by(attacked, holed, ["c1", "x1"], std) <= 0.05 * (1 + 1e-9)).all()
        assert attacked["x1"].iloc[:10].isna().all()  # missing values stay missing
    # FGSM leaves those rows alone: they come back bit-identical
    pd.testing.assert_frame_equal(fgsm(clf, holed, y, 0.05).iloc[:10], holed.iloc[:10])


def test_an_attack_is_as_strong_on_a_column_with_a_large_offset_as_without_it(offset):
    # the gradient's inputs are standardised in float64: in float32, a move of 0.25 sd
    # of a column at 1e7 sds from 0 rounded away, and the attack moved nothing
    X, y = offset
    plain = X.assign(x1=X["x1"] - 1e7)
    for make in (lambda: TorchMLPClassifier(max_epochs=20, random_state=0),
                 lambda: CAMAClassifier(graph={"y": ["a1"], "x1": ["y", "c1"]}, target="y",
                                        max_epochs=20, random_state=0)):
        accuracies = []
        for data in (plain, X):
            model = make().fit(data, y)
            f = differentiable_log_proba(model)
            np.testing.assert_allclose(f.log_proba(f.inputs(data), None).detach().numpy(),
                                       np.log(model.predict_proba(data)), atol=1e-4)
            attacked = pgd(model, data, y, 0.25, columns=["c1", "x1"], random_state=0)
            accuracies.append((model.score(data, y), model.score(attacked, y)))
        (clean, hit), (clean_far, hit_far) = accuracies
        assert hit < clean - 0.05, (type(model).__name__, accuracies)
        assert abs(hit_far - hit) <= 0.02 and abs(clean_far - clean) <= 0.02, accuracies


def test_a_model_of_another_library_with_torch_log_proba_gets_float32_rows(blobs):
    X, y, mlp = blobs

    class Other(ClassifierMixin, BaseEstimator):  # a network reading float32 rows
        def fit(self, X, y):
            self.classes_, self.scale_ = mlp.classes_, mlp.scale_
            self.feature_names_in_, self.n_features_in_ = mlp.feature_names_in_, 3
            return self

        def _torch_log_proba(self, values):
            assert values.dtype == torch.float32
            return mlp._torch_log_proba(values.double())

        def predict(self, X):
            return mlp.predict(X)

    attacked = fgsm(Other().fit(X, y), X, y, 0.5, columns=["c", "x"])
    assert mlp.score(attacked, y) < mlp.score(X, y) - 0.1


def test_the_fixed_noise_function_gives_rows_missing_a_feeding_child_predicts_samples():
    # a missing child that causes other children is averaged over with 64 samples in
    # predict; the attack's function scores those rows the same way
    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=10, n_samples=4,
                         random_state=0).fit(X, y)
    assert len(clf.model_.feed_column)
    holed = X.copy()
    holed.loc[holed.index[:20], "x1"] = np.nan
    f = differentiable_log_proba(clf)
    np.testing.assert_allclose(f.log_proba(f.inputs(holed), None).detach().numpy(),
                               clf.predict_log_proba(holed), atol=1e-4)


def test_pgd_with_few_steps_takes_larger_steps_and_is_at_least_as_strong_as_fgsm(blobs):
    """A step of 0.25 epsilon moves 3 steps at most 0.75 epsilon from a random start: too
    little to cross the budget. The default step grows when there are fewer than 10."""
    X, y, mlp = blobs
    one_step = mlp.score(fgsm(mlp, X, y, 0.5, columns=["c", "x"]), y)
    few_steps = mlp.score(pgd(mlp, X, y, 0.5, columns=["c", "x"], steps=3, random_state=0), y)
    assert few_steps <= one_step, (few_steps, one_step)
    # from 10 steps on, the default is the step of 0.25 epsilon it always was
    pd.testing.assert_frame_equal(
        pgd(mlp, X, y, 0.5, columns=["c", "x"], random_state=0),
        pgd(mlp, X, y, 0.5, columns=["c", "x"], step_size=0.25, random_state=0),
    )


def test_a_text_column_an_mlp_cannot_read_is_named_by_the_attack(blobs, mixed_cama):
    X, y, mlp = blobs
    texts = X.astype({"a": object})
    texts.loc[0, "a"] = "hi"
    with pytest.raises(ValueError, match=r"TorchMLPClassifier takes numeric columns only; "
                                         r"column 'a' holds text \(e.g. 'hi'\)"):
        fgsm(mlp, texts, y, 0.5, columns=["x"])
    # an MLP surrogate that read the text column of a CAMA model as codes
    X, y, clf = mixed_cama
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(
        X.assign(x3=(X["x3"] == "hi").astype(float)), y)
    with pytest.raises(ValueError, match=r"column 'x3' holds text"):
        pgd(clf, X, y, 0.5, surrogate=mlp, random_state=0)


def test_a_discrete_column_is_warned_once_per_model_that_reads_it(mixed_cama):
    """The surrogate CAMA model is named once, as the surrogate, not also as the model."""
    X, y, clf = mixed_cama
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X.drop(columns="x3"), y)
    with pytest.warns(UserWarning) as record:
        fgsm(mlp, X, y, 0.5, surrogate=clf)
    discrete = [str(w.message) for w in record if "discrete" in str(w.message)]
    assert len(discrete) == 1
    assert discrete[0].startswith("columns ['x2', 'x3'] are discrete (categorical or binary) "
                                  "for the surrogate CAMAClassifier, so"), discrete


def test_labels_indexed_unlike_the_rows_are_warned(blobs):
    X, y, mlp = blobs
    labels = pd.Series(y, index=X.index[::-1])
    with pytest.warns(UserWarning, match=r"y's index holds the rows in another order"):
        fgsm(mlp, X, labels, 0.5, columns=["c", "x"])
    with pytest.warns(UserWarning, match=r"y's index holds the rows in another order"):
        strongest_attack(mlp, X, labels, 0.5, columns=["c", "x"], steps=2, random_state=0)


def test_a_column_of_labels_is_warned_once(blobs):
    X, y, mlp = blobs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fgsm(mlp, X, y[:, None], 0.5, columns=["c", "x"])
    assert sum(issubclass(w.category, DataConversionWarning) for w in caught) == 1


def test_an_infinite_input_is_refused_for_a_model_of_any_kind(blobs):
    X, y, mlp = blobs
    X = X.copy()
    X.loc[3, "x"] = np.inf
    with pytest.raises(ValueError, match=r"infinity in columns \['x'\]; TorchMLPClassifier"):
        pgd(mlp, X, y, 0.5, columns=["c", "x"], random_state=0)


def test_a_wrong_number_of_labels_is_said_before_any_warning(sem):
    X, y, clf = sem
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the discrete-columns warning must not come first
        with pytest.raises(ValueError, match="one label per row"):
            fgsm(clf, X, y[:10], 0.5)


def test_per_row_worst_of_a_single_transfer_is_that_transfer(blobs):
    X, y, mlp = blobs
    boosting = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    out = strongest_attack(boosting, X, y, 0.5, surrogate=mlp, columns=["c", "x"],
                           per_row=True, steps=3, random_state=0)
    assert out.attrs["mode"].startswith("transfer from TorchMLPClassifier")


def test_an_attack_on_no_rows_gives_no_rows(blobs):
    X, y, mlp = blobs
    for attack in (pgd, fgsm):
        out = attack(mlp, X.iloc[:0], y[:0], 0.5, columns=["x"])
        assert out.shape == (0, 3) and list(out.columns) == ["a", "c", "x"]


def test_a_column_constant_in_the_training_rows_is_warned_as_moved_in_raw_units(blobs):
    """The baseline's scale_ is 1 for a column constant in fit (a stuck sensor): a budget
    in clean sds moved it by epsilon raw units without a word, where shift(...,
    reference=X_train) warns of the same."""
    X, y, _ = blobs
    stuck = X.assign(const=5.0)
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(stuck, y)
    assert mlp.constant_columns_ == ["const"] and mlp.scale_[3] == 1.0
    for attack in (fgsm, pgd):
        with pytest.warns(UserWarning, match=r"columns \['const'\] are constant in the "
                                             r"training rows of TorchMLPClassifier \(sd 0\), "
                                             r"so their budgets are taken in raw units \(sd 1\)"):
            out = attack(mlp, stuck, y, 0.5, columns=["x", "const"])
        assert (out["const"] - 5.0).abs().max() <= 0.5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fgsm(mlp, stuck, y, 0.5, columns=["x"])  # the constant column is not attacked
        varying = stuck.assign(const=np.linspace(4.0, 6.0, len(stuck)))
        out = fgsm(mlp, stuck, y, 0.5, columns=["x", "const"], reference=varying)
    assert not [w for w in caught if "constant" in str(w.message)]
    assert (out["const"] - 5.0).abs().max() <= 0.5 * varying["const"].std(ddof=0) + 1e-9
    unnamed = TorchMLPClassifier(max_epochs=1, random_state=0).fit(stuck.to_numpy(), y)
    assert unnamed.constant_columns_ == [3]
    # a column in small units (a hormone in mol/L, sd about 1e-13) is not constant: it is
    # standardised by its own sd, and its budget is in that sd, without a warning
    tiny = stuck.assign(const=X["x"] * 1e-13)
    small = TorchMLPClassifier(max_epochs=1, random_state=0).fit(tiny, y)
    assert small.constant_columns_ == []
    np.testing.assert_allclose(small.scale_[3], tiny["const"].std(ddof=0), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fgsm(small, tiny, y, 0.5, columns=["const"])
    assert (out["const"] - tiny["const"]).abs().max() <= 0.5 * small.scale_[3] * (1 + 1e-6)


def test_a_column_cama_reads_as_missing_is_said_to_be_out_of_the_attacks_reach():
    """CAMA reads a column constant in fit as missing whatever its value: the warning that
    its budget was in raw units was true and beside the point (FGSM moved it by 0)."""
    X, y, graph = simple_sem(0, n=250)
    stuck = X.assign(c=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=2, random_state=0).fit(stuck, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fgsm(clf, stuck, y, 0.5, columns=["c", "x1"])
    texts = [str(w.message) for w in caught]
    assert any("columns ['c'] are constant in the training rows of CAMAClassifier (or vary "
               "in a single row, which it reads as constant), which reads them as missing "
               "whatever their value" in t for t in texts)
    assert not any("raw units" in t for t in texts)
    assert (out["c"] == 2.0).all()


@pytest.mark.parametrize("attack", [fgsm, pgd])
def test_budget_scale_gives_each_column_its_own_budget(blobs, attack):
    """A column named in budget_scale moves by at most epsilon times its multiplier in
    clean sds, the others by epsilon; FGSM's single full step reaches each bound."""
    X, y, mlp = blobs
    X_adv = attack(mlp, X, y, 0.4, columns=["c", "x"], random_state=0,
                   budget_scale={"x": 0.25})
    moved = (X_adv - X).abs() / mlp.scale_
    assert moved["x"].max() <= 0.1 + 1e-9 and moved["c"].max() <= 0.4 + 1e-9
    assert moved["a"].max() == 0
    if attack is fgsm:  # every value at its bound (the gradient is nowhere exactly 0)
        np.testing.assert_allclose(moved["x"], 0.1, rtol=1e-6)
        np.testing.assert_allclose(moved["c"], 0.4, rtol=1e-6)
    assert X_adv.attrs["budget_scale"] == {"x": 0.25}
    # a multiplier of 1 is the attack without one
    same = attack(mlp, X, y, 0.4, columns=["c", "x"], random_state=0, budget_scale={"x": 1})
    assert same.equals(attack(mlp, X, y, 0.4, columns=["c", "x"], random_state=0))


def test_budget_scale_reaches_cama_through_the_strongest_attack_and_the_curve(sem):
    from skcama.robustness import robustness_curve

    X, y, clf = sem
    X_adv = strongest_attack(clf, X, y, 0.5, eot=0, steps=3, random_state=0,
                             budget_scale={"x1": 0.1, "c": 2.0})
    sd = pd.Series(clf.scaler_.scale, index=list(clf.roles_.blanket))
    moved = (X_adv[["c", "x1", "x2"]] - X[["c", "x1", "x2"]]).abs().max() / sd[
        ["c", "x1", "x2"]]
    assert moved["x1"] <= 0.05 + 1e-6 and moved["x2"] <= 0.5 + 1e-6
    assert moved["c"] > 0.5  # beyond epsilon: its multiplier is 2
    curve = robustness_curve({"CAMA": clf}, X, y, "pgd", [0.5], steps=3, random_state=0,
                             budget_scale={"x1": 0.1, "c": 2.0})
    assert curve["accuracy"].iloc[0] == pytest.approx(
        clf.score(pgd(clf, X, y, 0.5, steps=3, random_state=0,
                      budget_scale={"x1": 0.1, "c": 2.0}), y))


def test_budget_scale_sizes_each_columns_steps_and_random_start(blobs):
    """PGD's steps and its random start are in each column's own budget, not only the
    final bound: one step of a tenth of the budget moves each column by a tenth of its
    own, and a start drawn inside a small budget stays off its bound."""
    X, y, mlp = blobs
    step = pgd(mlp, X, y, 0.4, columns=["c", "x"], budget_scale={"x": 0.25}, steps=1,
               step_size=0.1, random_start=False)
    moved = (step - X).abs() / mlp.scale_
    np.testing.assert_allclose(moved["x"], 0.01, rtol=1e-6)
    np.testing.assert_allclose(moved["c"], 0.04, rtol=1e-6)
    start = pgd(mlp, X, y, 0.4, columns=["c", "x"], budget_scale={"x": 0.25}, steps=1,
                step_size=1e-9, random_state=0)
    moved = (start - X).abs() / mlp.scale_
    assert moved["x"].max() <= 0.1 + 1e-9
    assert np.mean(np.isclose(moved["x"], 0.1, rtol=1e-6)) < 0.05  # a uniform draw
    assert moved["x"].mean() == pytest.approx(0.05, abs=0.01)


def test_a_budget_scale_that_makes_a_large_budget_is_warned(blobs):
    X, y, mlp = blobs
    with pytest.warns(UserWarning, match=r"an attack budget of 10 clean sds \(epsilon 0.5 "
                                         r"times its budget_scale\)"):
        fgsm(mlp, X, y, 0.5, columns=["c", "x"], budget_scale={"x": 20})
    with warnings.catch_warnings():  # 4 sds scaled down to 0.4 everywhere: no warning
        warnings.simplefilter("error", UserWarning)
        fgsm(mlp, X, y, 4.0, columns=["c", "x"], budget_scale={"x": 0.1, "c": 0.1})


@pytest.mark.parametrize(
    "budget_scale, error, match",
    [
        ({"a": 0.5}, ValueError, r"budget_scale names 'a', but it is not among the columns "
                                 r"the attack moves \('c', 'x'\): name it in columns="),
        ({"xx": 0.5}, ValueError, r"'xx' is not a column of X. Did you mean 'x'\?"),
        ({"x": 0}, ValueError, r"budget_scale\['x'\] is 0; a multiplier of epsilon must be "
                               r"a finite number > 0"),
        ({"x": float("inf")}, ValueError, r"budget_scale\['x'\] is inf"),
        ({"x": True}, ValueError, r"budget_scale\['x'\] is True"),
        ({"x": "half"}, ValueError, r"budget_scale\['x'\] is 'half'"),
        ([("x", 0.5)], TypeError, "budget_scale maps columns to multipliers of epsilon"),
    ],
)
def test_a_bad_budget_scale_is_named(blobs, budget_scale, error, match):
    X, y, mlp = blobs
    with pytest.raises(error, match=match):
        pgd(mlp, X, y, 0.3, columns=["c", "x"], budget_scale=budget_scale)


def test_a_budget_scale_key_written_as_text_for_a_number_column_is_told():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame(rng.normal(size=(200, 3)) + y[:, None])  # columns 0, 1, 2
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"budget_scale names '2', but '2' is not a column of "
                                         r"X. X has the column 2 \(int\); use it as the key"):
        pgd(mlp, X, y, 0.3, columns=[1, 2], budget_scale={"2": 0.5})


def test_a_bool_budget_scale_key_names_no_numbered_column():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame(rng.normal(size=(200, 3)) + y[:, None])  # columns 0, 1, 2
    mlp = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    for key in (True, np.True_):  # True == 1 in Python
        with pytest.raises(ValueError, match=rf"budget_scale names {key!r}, but {key!r} is "
                                             r"not a column of X"):
            pgd(mlp, X, y, 0.3, columns=[1, 2], budget_scale={key: 0.5})
    X_adv = fgsm(mlp, X, y, 0.3, columns=[1, 2], budget_scale={np.int64(2): 0.5})
    assert X_adv.attrs["budget_scale"] == {2: 0.5}


def test_strongest_attack_warns_of_missing_inputs_once_with_the_callers_rows():
    """Scoring every variant, and then the rows no variant fooled, repeated the model's
    warning four times, two of them counting an internal subset of the rows."""
    from skcama.datasets import add_missing, make_mixed_sem

    X, y, graph = make_mixed_sem(400, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CAMAClassifier(graph=graph, target="y", max_epochs=3,
                               random_state=0).fit(X[:300], y[:300])
    holed = add_missing(X[300:], 0.15, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        strongest_attack(model, holed, y[300:], 0.5, steps=2, eot=1, random_state=0)
    said = [str(w.message) for w in caught if "inputs with missing values" in str(w.message)]
    assert len(said) == 1 and "of 100 rows" in said[0], said


def test_a_transfer_attack_moves_within_the_attacked_models_budget(sem):
    """The budget of a transfer attack came from the surrogate's sds: a surrogate fitted
    on rows of twice the spread moved CAMA's columns by 0.6 of its sds at a budget of 0.3,
    and was then reported as the strongest variant."""
    X, y, clf = sem
    spread = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X * 2.0, y)
    attacked = fgsm(clf, X, y, 0.3, surrogate=spread)
    assert attacked.attrs["mode"].startswith("transfer")
    cols = attacked.attrs["columns"]
    sd = np.array([clf.scaler_.scale[clf.scaler_.names.index(c)] for c in cols])
    moved = (attacked[cols] - X[cols]).abs().to_numpy() / sd
    assert moved.max() <= 0.3 + 1e-9 and moved.max() > 0.29


def test_labels_find_their_column_in_classes_listed_in_any_order():
    """np.searchsorted assumed sorted classes: a model listing [1, 0] had its labels
    mapped to the wrong column, and the attack ascended the other class's loss."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Logit(ClassifierMixin, BaseEstimator):  # p(1 | x) = sigmoid(2 (x - 1))
        classes_ = np.array([1, 0])
        scale_ = np.array([1.0, 1.0])
        n_features_in_ = 2
        feature_names_in_ = np.array(["x", "z"], dtype=object)

        def fit(self, X, y):
            return self

        def __sklearn_is_fitted__(self):
            return True

        def _torch_log_proba(self, values):
            s = 2 * (values[:, 0] - 1)
            return torch.stack([torch.nn.functional.logsigmoid(s),
                                torch.nn.functional.logsigmoid(-s)], 1)

        def predict(self, X):
            return np.where(np.asarray(X["x"]) > 1, 1, 0)

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    X = pd.DataFrame({"x": rng.normal(size=400) + 2.0 * y, "z": rng.normal(size=400)})
    model = Logit()
    attacked = fgsm(model, X, y, 0.5, columns=["x"])
    toward_own_class = np.sign(attacked["x"] - X["x"]) == np.where(y == 1, 1, -1)
    assert not toward_own_class.any()  # every row is pushed away from its own class
    assert model.score(attacked, y) < model.score(X, y) - 0.1


def test_a_float32_column_stays_within_the_budget_after_rounding():
    """The move was clipped in float64 and then rounded to float32, which overstepped the
    budget by up to 1% (every row at values near 1000)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame(rng.normal(size=(200, 2)) + y[:, None] + 1000.0,
                     columns=["a", "x"]).astype("float32")
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    limit = 0.1 * mlp.scale_[1]
    for attacked in (fgsm(mlp, X, y, 0.1, columns=["x"]),
                     pgd(mlp, X, y, 0.1, columns=["x"], steps=3, random_state=0)):
        move = np.abs(attacked["x"].astype("float64") - X["x"].astype("float64"))
        assert attacked["x"].dtype == np.float32
        assert move.max() <= limit and (move > 0.9 * limit).mean() > 0.5


def test_an_infinite_step_size_is_refused(blobs):
    # 0 * inf made NaN iterates, and PGD kept its random start: no attack, no error
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="step_size is a fraction of epsilon and must be a "
                                         "finite number > 0; got inf"):
        pgd(mlp, X, y, 0.5, columns=["x"], step_size=float("inf"))


def test_the_default_columns_are_the_roles_even_where_a_column_is_called_children():
    """A column called 'children' (a child itself) was attacked alone by default, leaving
    the other children untouched; named one by one it is the column, with a warning."""
    import networkx as nx

    from skcama.datasets import SyntheticSEM
    from skcama.manipulations import shift

    sem = SyntheticSEM(random_state=0)
    X, y = sem.sample(300, random_state=1)
    graph = nx.relabel_nodes(sem.graph, {"x1": "children"})
    X = X.rename(columns={"x1": "children"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    expected = {*clf.roles_.children, *clf.roles_.coparents} - set(clf.roles_.parents)
    attacked = pgd(clf, X, y, 0.3, steps=2, random_state=0)
    assert set(attacked.attrs["columns"]) == expected
    moved = shift(X, 1.0, reference=clf)
    assert {c for c in X.columns if not moved[c].equals(X[c])} == expected
    with pytest.warns(UserWarning, match=r"columns names 'children', a column of X and also a "
                                         r"role: the column is taken"):
        alone = fgsm(clf, X, y, 0.3, columns="children")
    assert alone.attrs["columns"] == ["children"]


def test_variants_of_a_model_attacked_through_a_cama_surrogate_take_its_roles(sem):
    """pgd(mlp, surrogate=cama) took the CAMA model's co-parents and children, but
    attack_variants and strongest_attack refused columns=None: their white-box variant
    sees no CAMA model."""
    X, y, clf = sem
    mlp = TorchMLPClassifier(max_epochs=5, random_state=0).fit(X, y)
    expected = pgd(mlp, X, y, 0.3, surrogate=clf, steps=2, random_state=0).attrs["columns"]
    variants = attack_variants(mlp, X, y, 0.3, surrogate=clf, attack="pgd", steps=2,
                               random_state=0)
    assert list(variants) == ["white-box", "transfer from CAMAClassifier"]
    assert all(frame.attrs["columns"] == expected for frame in variants.values())
    strongest = strongest_attack(mlp, X, y, 0.3, surrogate=clf, steps=2, random_state=0)
    assert set(strongest.attrs["columns"]) == set(expected)
