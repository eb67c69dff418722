"""Tests of the torch baselines: sklearn API, seeding, CausalAdv's style space."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skcama.baselines import CausalAdvClassifier, PGDTrainedMLPClassifier, TorchMLPClassifier
from skcama.graph import MarkovBlanketRoles


def _data(seed: int = 0, n: int = 200):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = pd.DataFrame(rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y], columns=["a", "c", "x"])
    return X, y


BASELINES = [
    TorchMLPClassifier(max_epochs=10, random_state=0),
    PGDTrainedMLPClassifier(epsilon=0.1, attack_columns=["c", "x"], max_epochs=5,
                            pgd_steps=2, random_state=0),
    CausalAdvClassifier(epsilon=0.1, attack_columns=["c", "x"], max_epochs=5,
                        pgd_steps=2, random_state=0),
]


@pytest.mark.parametrize("estimator", BASELINES, ids=lambda e: type(e).__name__)
def test_baseline_fits_and_predicts_probabilities(estimator):
    X, y = _data()
    clf = clone(estimator).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert clf.score(X, y) > 0.6
    assert list(clf.feature_names_in_) == ["a", "c", "x"]


@pytest.mark.parametrize("estimator", BASELINES, ids=lambda e: type(e).__name__)
def test_a_rows_probabilities_do_not_depend_on_the_other_rows(estimator):
    X, y = _data()
    X = pd.concat([X] * 6, ignore_index=True)  # more rows than one prediction chunk
    clf = clone(estimator).set_params(hidden_layer_sizes=(64, 64)).fit(X.iloc[:200], y)
    together = clf.predict_proba(X)
    for i in (0, 5, len(X) - 1):
        np.testing.assert_array_equal(clf.predict_proba(X.iloc[[i]]), together[[i]])


@pytest.mark.parametrize("factor", [1e-170, 1e200])
def test_columns_in_extreme_units_are_scaled_not_dropped(factor):
    """The squares of values below about 1e-162 underflow and above about 1e154
    overflow: the sd came out 0 (a constant, left out) or infinite (every value read as
    0)."""
    X, y = _data()
    plain = TorchMLPClassifier(max_epochs=10, random_state=0).fit(X, y)
    extreme = TorchMLPClassifier(max_epochs=10, random_state=0).fit(X.assign(x=X["x"] * factor),
                                                                     y)
    assert extreme.constant_columns_ == []
    assert extreme.scale_[2] == pytest.approx(plain.scale_[2] * factor, rel=1e-9)
    np.testing.assert_allclose(extreme.predict_proba(X.assign(x=X["x"] * factor)),
                               plain.predict_proba(X), atol=1e-5)


def test_baseline_is_reproducible_with_random_state():
    estimator = BASELINES[2]
    X, y = _data()
    a = clone(estimator).fit(X, y).predict_proba(X)
    b = clone(estimator).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("cls", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_adversarial_training_makes_the_model_robust_to_the_attack_it_trains_on(cls):
    # two classes apart in every column; the attack may move c and x by 1 sd: a model
    # trained on attacked rows must lean on a, which a plain MLP does not need to
    from skcama.attacks import pgd

    rng = np.random.default_rng(0)
    y, y_test = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    X, X_test = (pd.DataFrame(rng.normal(size=(400, 3)) * 0.7 + 1.5 * labels[:, None],
                              columns=["a", "c", "x"]) for labels in (y, y_test))
    plain = TorchMLPClassifier(max_epochs=10, random_state=0).fit(X, y)
    robust = cls(epsilon=1.0, attack_columns=["c", "x"], max_epochs=10, random_state=0)
    robust.fit(X, y)
    attacked = {name: model.score(pgd(model, X_test, y_test, 1.0, columns=["c", "x"],
                                      random_state=0), y_test)
                for name, model in (("plain", plain), ("robust", robust))}
    assert plain.score(X_test, y_test) > 0.9
    assert attacked["robust"] > attacked["plain"] + 0.15, attacked


def test_baselines_keep_params_in_init_for_clone():
    est = CausalAdvClassifier(alpha=2.0, beta=3.0, n_anchors=5)
    params = clone(est).get_params()
    assert (params["alpha"], params["beta"], params["n_anchors"]) == (2.0, 3.0, 5)
    assert "clean_weight" not in params


def test_torch_log_proba_is_differentiable_in_raw_inputs():
    X, y = _data()
    clf = TorchMLPClassifier(max_epochs=3, random_state=0).fit(X, y)
    values = torch.as_tensor(X.to_numpy(), dtype=torch.float32).requires_grad_(True)
    clf._torch_log_proba(values)[:, 0].sum().backward()
    assert values.grad is not None and values.grad.abs().sum() > 0


def test_causaladv_style_is_uncorrelated_with_the_logits():
    X, y = _data()
    clf = CausalAdvClassifier(epsilon=0.1, max_epochs=5, pgd_steps=1, random_state=0).fit(X, y)
    basis = clf.style_basis()
    # the whole space the 3 logits leave in the 64 features, orthonormal
    assert basis.shape == (64, 61)
    assert torch.allclose(basis.T @ basis, torch.eye(61), atol=1e-4)
    # each style coordinate is uncorrelated with every logit, under the features'
    # covariance over training
    cross = basis.T @ clf.feature_covariance_ @ clf.model_.head.weight.T
    assert cross.abs().max() < 1e-6


def test_causaladv_running_moments_pool_every_batch_exactly():
    from skcama.baselines import _RunningMoments

    rng = torch.Generator().manual_seed(0)
    rows = torch.randn(300, 4, generator=rng) * torch.tensor([1.0, 2.0, 0.5, 3.0]) + 1.0
    groups = torch.randint(0, 3, (300,), generator=rng)
    groups[groups == 2] = 1  # a group that no row holds
    moments = _RunningMoments(3, 4)
    for start in range(0, 300, 64):  # batches of unequal sizes
        moments.update(rows[start : start + 64], groups[start : start + 64])
    for g in (0, 1):
        own = rows[groups == g]
        assert moments.count[g] == len(own)
        torch.testing.assert_close(moments.mean[g], own.mean(0), atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(moments.cov[g], torch.cov(own.T, correction=0),
                                   atol=1e-4, rtol=1e-4)
    assert moments.count[2] == 0 and moments.cov[2].abs().max() == 0


def test_causaladv_style_head_learns_and_alignment_trains_the_features():
    X, y = _data(n=600)
    clf = CausalAdvClassifier(epsilon=0.1, max_epochs=15, pgd_steps=1, random_state=0).fit(X, y)
    u = torch.as_tensor((np.asarray(X) - clf.mean_) / clf.scale_, dtype=torch.float32)
    with torch.no_grad():
        style = clf._style(u, clf.style_basis())
        head = clf.style_head_
        guess = head.out(head.body(style)).argmax(1).numpy()
    # g reads the classes from the style space (chance is 1/3): its term carries signal
    assert (guess == y).mean() > 0.5
    # the alignment's gradient reaches the classifier's features
    clf._init_extra(torch.Generator().manual_seed(0))  # training state, for the loss
    clf.model_.zero_grad(set_to_none=True)
    target = torch.as_tensor(y)
    basis = clf.style_basis()
    clf._classifier_loss(clf._style(u, basis), u + 0.3, target, basis, alpha=1.0).backward()
    assert clf.model_.body[0].weight.grad.abs().sum() > 0
    # with beta = 0 and alpha = 0 nothing is left to train
    clf.model_.zero_grad(set_to_none=True)
    clf.set_params(beta=0.0)
    clf._classifier_loss(clf._style(u, basis), u + 0.3, target, basis, alpha=0.0).backward()
    assert clf.model_.body[0].weight.grad.abs().sum() == 0


def test_causaladv_early_stopping_keeps_the_basis_of_the_chosen_weights():
    X, y = _data(n=400)
    clf = CausalAdvClassifier(epsilon=0.1, max_epochs=30, pgd_steps=1, validation_fraction=0.2,
                              n_iter_no_change=2, random_state=0).fit(X, y)
    assert clf.n_iter_ < 30  # stopped early
    basis = clf.style_basis()  # from the covariance restored with the weights
    cross = basis.T @ clf.feature_covariance_ @ clf.model_.head.weight.T
    assert cross.abs().max() < 1e-6
    assert not hasattr(clf, "_style_optimiser")  # training state is not kept


def test_an_empty_or_discrete_attack_column_list_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="attack_columns is empty"):
        PGDTrainedMLPClassifier(attack_columns=[], max_epochs=1).fit(X, y)
    flagged = X.assign(flag=(np.arange(len(X)) % 2).astype(bool))
    with pytest.raises(ValueError, match=r"names columns \['flag'\] that are discrete"):
        PGDTrainedMLPClassifier(attack_columns=["x", "flag"], max_epochs=1).fit(flagged, y)
    # integer labels out of order: attack_columns are positions, as without names
    by_position = pd.DataFrame({1: X["x"].to_numpy(), 0: np.arange(len(X)) % 3})
    PGDTrainedMLPClassifier(attack_columns=[0], max_epochs=1).fit(by_position, y)
    with pytest.raises(ValueError, match=r"names columns \[1\] that are discrete"):
        PGDTrainedMLPClassifier(attack_columns=[1], max_epochs=1).fit(by_position, y)


def test_unknown_attack_column_raises_with_suggestion():
    X, y = _data()
    with pytest.raises(ValueError, match="Did you mean 'x'"):
        PGDTrainedMLPClassifier(attack_columns=["X"], max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"takes column names, not role names: pass "
                                         r"attack_columns=clf\.roles_.*roles_\.children"):
        PGDTrainedMLPClassifier(attack_columns="children", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"co-parents, pass \[c for c in clf\.roles_\.coparents "
                                         r"if c not in clf\.roles_\.parents\]"):
        PGDTrainedMLPClassifier(attack_columns="coparents", max_epochs=1).fit(X, y)


@pytest.mark.parametrize("model", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_a_cama_models_roles_give_its_valid_columns(model):
    """attack_columns=clf.roles_ lets the adversary move the co-parents (not one that is
    also a parent of the target) and the children, as the attacks take them by default."""
    X, y = _data()
    roles = MarkovBlanketRoles(target="y", parents=("a", "c"), coparents=("c",),
                               children=("x",), outside=())
    clf = model(attack_columns=roles, max_epochs=1, pgd_steps=1, random_state=0).fit(X, y)
    assert clf._mask.tolist() == [0.0, 0.0, 1.0]
    nothing = MarkovBlanketRoles(target="y", parents=("a",), coparents=(), children=(),
                                 outside=("c", "x"))
    with pytest.raises(ValueError, match="target 'y' has no co-parents or children"):
        model(attack_columns=nothing, max_epochs=1).fit(X, y)


def test_invalid_parameter_is_named():
    X, y = _data()
    with pytest.raises(ValueError, match="epsilon"):
        PGDTrainedMLPClassifier(epsilon=-1.0).fit(X, y)


def test_single_class_raises():
    X, _ = _data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        TorchMLPClassifier(max_epochs=1).fit(X, np.zeros(len(X)))


def _failed_refits():
    """(estimator class, params to set, X, y, the error's message) of refits that must
    raise ValueError."""
    X, y = _data()
    renamed = X.rename(columns={"a": "b"})
    for cls in (TorchMLPClassifier, PGDTrainedMLPClassifier, CausalAdvClassifier):
        name = cls.__name__
        yield pytest.param(cls, {}, X, np.zeros(len(X)), "needs at least 2 classes",
                           id=f"{name}-single-class")
        yield pytest.param(cls, {}, renamed.assign(c=np.nan), y,
                           r"missing values \(NaN\) in columns \['c'\].*Impute",
                           id=f"{name}-nan-in-X")
        yield pytest.param(cls, {"hidden_layer_sizes": (0,)}, renamed, y,
                           r"hidden_layer_sizes\[0\] is 0", id=f"{name}-zero-width")
        if cls is not TorchMLPClassifier:
            yield pytest.param(cls, {"attack_columns": ["zz"]}, renamed, y,
                               "attack_columns names the column 'zz'",
                               id=f"{name}-unknown-attack-column")


@pytest.mark.parametrize("cls, params, X_bad, y_bad, message", list(_failed_refits()))
def test_failed_refit_leaves_the_fitted_model_unchanged(cls, params, X_bad, y_bad, message):
    X, y = _data()
    clf = cls(hidden_layer_sizes=(8,), max_epochs=2, random_state=0)
    if cls is not TorchMLPClassifier:
        clf.set_params(pgd_steps=1)
    clf.fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=message):
        clf.set_params(**params).fit(X_bad, y_bad)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert list(clf.feature_names_in_) == ["a", "c", "x"]


@pytest.mark.parametrize("cls", [TorchMLPClassifier, PGDTrainedMLPClassifier,
                                 CausalAdvClassifier])
@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_use_before_fit_raises_not_fitted(cls, method):
    X, y = _data()
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(cls(), method)(*args)


def test_failed_first_fit_leaves_the_estimator_unfitted():
    X, _ = _data()
    clf = TorchMLPClassifier(max_epochs=1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize("hidden", [(-1,), ("a",), (1.5,), (True,), (0,), (8, 0)])
def test_hidden_layer_width_must_be_a_positive_integer(hidden):
    X, y = _data()
    bad = len(hidden) - 1
    with pytest.raises(ValueError, match=rf"hidden_layer_sizes\[{bad}\] is .*positive integers"):
        TorchMLPClassifier(hidden_layer_sizes=hidden, max_epochs=1).fit(X, y)


def test_hidden_layer_widths_accept_numpy_integers():
    X, y = _data()
    clf = TorchMLPClassifier(hidden_layer_sizes=[np.int64(4)], max_epochs=1).fit(X, y)
    assert clf.model_.feature_dim == 4


def test_causaladv_needs_a_feature_width_above_the_class_count():
    X, y = _data()
    clf = CausalAdvClassifier(hidden_layer_sizes=(2,), max_epochs=1, pgd_steps=1)
    with pytest.raises(ValueError, match=r"has 2 units, but y has 3 classes, so the minimum is 4"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=r"X's 3 columns, but y has 3 classes"):
        clf.set_params(hidden_layer_sizes=()).fit(X, y)
    clf.set_params(hidden_layer_sizes=(4,)).fit(X, y)
    assert clf.predict_proba(X).shape == (len(X), 3)


def test_missing_labels_are_named_by_row():
    X, y = _data()
    labels = np.array(["u", "v", "w"], dtype=object)[y]
    labels[[3, 7]] = None
    with pytest.raises(ValueError, match=r"y has 2 missing labels \(rows 3, 7\)"):
        TorchMLPClassifier(max_epochs=1).fit(X, labels)


def test_attack_columns_on_an_array_must_be_positions():
    X, y = _data()
    with pytest.raises(ValueError, match=r"positions 0\.\.2") as info:
        PGDTrainedMLPClassifier(attack_columns=["x"], max_epochs=1).fit(X.to_numpy(), y)
    assert "Did you mean" not in str(info.value)
    clf = PGDTrainedMLPClassifier(attack_columns=[1, 2], max_epochs=1, pgd_steps=1)
    np.testing.assert_array_equal(clf.fit(X.to_numpy(), y)._mask, [0.0, 1.0, 1.0])


@pytest.mark.parametrize("cls", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_attack_columns_take_an_index_an_array_or_one_column(cls):
    X, y = _data()
    expected = [0.0, 1.0, 1.0]
    for given in (X.columns[1:], np.array(["c", "x"]), ("c", "x")):
        clf = cls(attack_columns=given, max_epochs=1, pgd_steps=1).fit(X, y)
        np.testing.assert_array_equal(clf._mask, expected)
    one = cls(attack_columns="x", max_epochs=1, pgd_steps=1).fit(X, y)
    np.testing.assert_array_equal(one._mask, [0.0, 0.0, 1.0])
    position = cls(attack_columns=np.int64(2), max_epochs=1, pgd_steps=1).fit(X.to_numpy(), y)
    np.testing.assert_array_equal(position._mask, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("model", [TorchMLPClassifier, PGDTrainedMLPClassifier])
def test_a_text_column_is_named(model):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    y = rng.integers(0, 2, 100)
    text = X.assign(c=np.where(X["c"] > 0, "high", "low"))
    with pytest.raises(ValueError, match=r"takes numeric columns only; column 'c' holds text "
                                         r"\(e.g. '(high|low)'\)"):
        model(max_epochs=2).fit(text, y)
    fitted = model(max_epochs=2, random_state=0).fit(X.astype({"a": object}), y)  # numbers
    with pytest.raises(ValueError, match="column 'c' holds text"):
        fitted.predict(text)


@pytest.mark.parametrize(
    ("values", "what"),
    [
        (pd.date_range("2020-01-01", periods=100), "dates"),
        (pd.date_range("2020-01-01", periods=100, tz="UTC"), "dates"),
        (pd.timedelta_range("1D", periods=100), "durations"),
        (pd.period_range("2020-01", periods=100, freq="M"), "periods"),
        (pd.interval_range(0, 100), "intervals"),
    ],
    ids=["datetime", "datetime-tz", "timedelta", "period", "interval"],
)
def test_date_and_duration_columns_are_named_with_their_fix(values, what):
    """pandas converts dates and durations to integers silently, periods and intervals
    not at all: each was scikit-learn's or numpy's error on the whole array."""
    X, y = _data(n=100)
    dated = X.assign(when=values)
    with pytest.raises(ValueError, match=rf"column 'when' holds {what} \(dtype .*convert it"):
        TorchMLPClassifier(max_epochs=1).fit(dated, y)
    fitted = TorchMLPClassifier(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=rf"column 'x' holds {what}"):
        fitted.predict(X.assign(x=values))


@pytest.mark.parametrize("model", [PGDTrainedMLPClassifier, CausalAdvClassifier])
@pytest.mark.parametrize(
    "params",
    [{"epsilon": 1e40}, {"budget_scale": {"x": 1e50}},
     {"epsilon": 1e30, "budget_scale": {"x": 1e10}}],
    ids=["epsilon", "multiplier", "product"],
)
def test_a_budget_past_float32s_range_is_refused(model, params):
    """It overflowed to infinity in the attack's start and steps: a raw torch error, or
    NaN weights and probabilities without a word."""
    X, y = _data(n=100)
    named = "every column" if "budget_scale" not in params else "['x']"
    with pytest.raises(ValueError, match=rf"gives {re.escape(named)} a budget above 1e\+30 sds"):
        model(attack_columns=["c", "x"], max_epochs=1, **params).fit(X, y)


@pytest.mark.parametrize("model", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_roles_leave_the_discrete_columns_of_the_training_frame_out_of_the_adversary(model):
    """As the attacks do with a reference frame: a bool finding and a column of codes are
    not moved off their values in training; a role member X lacks is named as such."""
    X, y = _data()
    rng = np.random.default_rng(0)
    X = pd.DataFrame(X, columns=["a", "c", "x"]).assign(
        flag=rng.random(len(X)) < 0.5, ward=rng.integers(0, 3, len(X))
    )
    roles = MarkovBlanketRoles(target="y", parents=("a",), coparents=("c", "ward"),
                               children=("x", "flag"), outside=())
    with pytest.warns(UserWarning, match=r"columns \['ward', 'flag'\] are discrete"):
        clf = model(attack_columns=roles, max_epochs=1, pgd_steps=1, random_state=0).fit(X, y)
    assert clf._mask.tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    with pytest.warns(UserWarning, match=r"the roles name columns \['ward'\] that are not "
                                         r"columns of X, so the adversary"):
        model(attack_columns=roles, max_epochs=1).fit(X.drop(columns="ward"), y)
    with pytest.warns(UserWarning, match=r"\['ward'\] that are not columns of X \(did you "
                                         r"mean 'Ward' for 'ward'\?\)"):
        model(attack_columns=roles, max_epochs=1).fit(X.rename(columns={"ward": "Ward"}), y)


@pytest.mark.parametrize("model", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_roles_with_a_text_coparent_leave_it_out_of_a_numeric_x_with_one_warning(model):
    """A CAMA model's roles_ name a text co-parent ('site') that the numeric-only baseline
    is fitted without: it was an error ("names the column 'site', which is not a column
    of X") for any such graph; now it is left out with one warning, as the attacks leave
    out the members they cannot move. A list of names that names it is still an error."""
    X, y = _data()
    rng = np.random.default_rng(1)
    X = X.assign(flag=rng.random(len(X)) < 0.5)
    roles = MarkovBlanketRoles(target="y", parents=("a",), coparents=("c", "site"),
                               children=("x", "flag", "grade"), outside=())
    with pytest.warns(UserWarning) as record:
        clf = model(attack_columns=roles, max_epochs=1, pgd_steps=1, random_state=0).fit(X, y)
    left_out = [str(w.message) for w in record if "leaves" in str(w.message)]
    assert len(left_out) == 1, left_out
    assert left_out[0].startswith(
        "columns ['flag'] are discrete (categorical or binary) in X, so the adversary of "
        "attack_columns leaves them as they are"), left_out
    assert "the roles name columns ['site', 'grade'] that are not columns of X" in left_out[0]
    assert "fitted without its text and categorical columns" in left_out[0]
    assert clf._mask.tolist() == [0.0, 1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match=r"attack_columns names the column 'site', which is "
                                         r"not a column of X\.$"):
        model(attack_columns=["c", "site"], max_epochs=1).fit(X, y)
    only_text = MarkovBlanketRoles(target="y", parents=("a",), coparents=("site",),
                                   children=("flag",), outside=())
    with pytest.raises(ValueError, match=r"no co-parent or child that attack_columns gives "
                                         r"can be moved, being discrete .*\['flag'\]; not "
                                         r"columns of X: \['site'\]"):
        model(attack_columns=only_text, max_epochs=1).fit(X, y)
    # behind a ColumnTransformer's prefixes, the refusal names the prefixed column
    prefixed = X.drop(columns="flag").add_prefix("num__")
    renamed = MarkovBlanketRoles(target="y", parents=("a",), coparents=("c",),
                                 children=("x",), outside=())
    with pytest.raises(ValueError, match=r"not columns of X: \['c', 'x'\].*Name the columns "
                       r"to move instead \(did you mean 'num__c' for 'c'\?; did you mean "
                       r"'num__x' for 'x'\?\)\.$"):
        model(attack_columns=renamed, max_epochs=1).fit(prefixed, y)


def _messy_inputs():
    """(X, y, message) of training data the baselines cannot read, each named."""
    X, y = _data()
    duplicated = X.set_axis(["a", "c", "c"], axis=1)
    mixed = y.astype(object)
    mixed[:5] = "a"
    with_nan = X.copy()
    with_nan.loc[3, "x"] = np.nan
    with_inf = X.copy()
    with_inf.loc[3, "c"] = np.inf
    array_inf = X.to_numpy(copy=True)
    array_inf[3, 1] = -np.inf
    yield pytest.param(duplicated, y, r"several columns named \['c'\].*Rename or drop",
                       id="duplicate-columns")
    yield pytest.param(X, mixed, r"y mixes text labels with labels of type \['int'\]",
                       id="labels-int-and-text")
    yield pytest.param(X.iloc[:, :0], y, r"X has 0 feature\(s\) \(shape=\(200, 0\)\).*pass the "
                                         r"measurements as the columns of X", id="no-columns")
    yield pytest.param(with_nan, y, r"missing values \(NaN\) in columns \['x'\] \(1 value\), "
                                    r"which \w+ cannot read\. Impute them first, e\.g\. with a "
                                    r"SimpleImputer in a Pipeline.*CAMAClassifier reads missing",
                       id="nan")
    yield pytest.param(with_inf, y, r"X contains infinity in columns \['c'\] \(1 value\); \w+ "
                                    r"needs finite numbers", id="inf")
    yield pytest.param(array_inf, y, r"infinity in the columns at positions \[1\]",
                       id="inf-in-array")


@pytest.mark.parametrize("X_bad, y_bad, message", list(_messy_inputs()))
@pytest.mark.parametrize(
    "estimator",
    [TorchMLPClassifier(max_epochs=1), CausalAdvClassifier(max_epochs=1, pgd_steps=1)],
    ids=lambda e: type(e).__name__,
)
def test_messy_training_data_is_named_with_the_fix(estimator, X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        clone(estimator).fit(X_bad, y_bad)


def test_missing_and_infinite_values_at_prediction_are_named():
    X, y = _data()
    clf = TorchMLPClassifier(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"missing values \(NaN\) in columns \['c'\]"):
        clf.predict(X.assign(c=np.nan))
    with pytest.raises(ValueError, match=r"infinity in columns \['x'\] \(200 values\)"):
        clf.predict_proba(X.assign(x=np.inf))


@pytest.mark.parametrize("estimator", BASELINES, ids=lambda e: type(e).__name__)
def test_early_stopping_keeps_the_weights_of_the_best_held_out_loss(estimator):
    X, y = _data(n=600)
    plain = clone(estimator).fit(X, y)
    assert plain.n_iter_ == plain.max_epochs and plain.validation_loss_curve_ == []
    clf = clone(estimator).set_params(validation_fraction=0.2, n_iter_no_change=3,
                                      max_epochs=200)
    if isinstance(clf, CausalAdvClassifier):  # a ramp that does not depend on max_epochs
        clf.set_params(ramp_epochs=10)
    clf.fit(X, y)
    curve = clf.validation_loss_curve_
    kept, lowest = 0, curve[0]  # the last epoch that lowered the loss by more than 1e-4
    for epoch, loss in enumerate(curve[1:], start=1):
        if loss < lowest - 1e-4:
            kept, lowest = epoch, loss
    assert clf.n_iter_ == len(curve) == len(clf.loss_curve_) == kept + 4 < 200
    # the weights kept are those of that epoch: a fit stopped there predicts the same
    short = clone(clf).set_params(max_epochs=kept + 1).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), short.predict_proba(X))
    assert clf.score(X, y) > 0.6


@pytest.mark.parametrize("estimator", BASELINES, ids=lambda e: type(e).__name__)
def test_early_stopping_holds_out_each_class_in_its_share(estimator):
    """The held-out rows hold each class's share of them (its floor or its ceiling), as
    CAMA's and scikit-learn's MLPClassifier's do, and a rare class keeps rows to train on
    (the random split of before held out 93 to 106 of the 200 rows of class 0 at these
    seeds, and at one of them all 3 rows of class 2, none at two others)."""
    labels = torch.tensor([0] * 200 + [1] * 97 + [2] * 3)
    u = torch.randn(len(labels), 2)
    clf = clone(estimator).set_params(validation_fraction=0.5)
    for seed in range(20):
        (_, kept), held = clf._held_out(u, labels, torch.Generator().manual_seed(seed))
        counts = torch.bincount(held[1], minlength=3).tolist()
        assert counts[0] == 100 and counts[1] in (48, 49) and counts[2] in (1, 2), counts
        assert torch.bincount(kept, minlength=3).min() >= 1


def test_early_stopping_needs_rows_to_hold_out():
    X, y = _data(n=200)
    with pytest.raises(ValueError, match=r"validation_fraction=0.001 holds out 0 of the 200 "
                                         "training rows.*validation_fraction=0"):
        TorchMLPClassifier(validation_fraction=0.001, max_epochs=2).fit(X, y)


@pytest.mark.parametrize("cls", [PGDTrainedMLPClassifier, CausalAdvClassifier])
def test_budget_scale_gives_the_training_attack_a_budget_per_column(cls, monkeypatch):
    """The rows adversarial training fits on move each column by at most epsilon times
    its multiplier (in standardised units, i.e. clean sds), with steps in proportion; a
    multiplier of 1 is training without one, bit for bit."""
    import skcama.baselines as baselines

    X, y = _data()
    seen = []
    perturb = baselines._perturb_linf

    def recording(loss_fn, u, mask, epsilon, steps, step_size, generator):
        out = perturb(loss_fn, u, mask, epsilon, steps, step_size, generator)
        seen.append((out - u).abs().amax(dim=0))
        return out

    monkeypatch.setattr(baselines, "_perturb_linf", recording)
    params = dict(epsilon=0.2, attack_columns=["c", "x"], max_epochs=2, pgd_steps=3,
                  random_state=0)
    scaled = cls(budget_scale={"x": 0.25}, **params).fit(X, y)
    moved = torch.stack(seen).amax(dim=0)
    assert moved[0] == 0
    assert 0.15 < moved[1] <= 0.2 + 1e-6  # c: epsilon
    assert 0.03 < moved[2] <= 0.05 + 1e-6  # x: epsilon / 4
    plain = cls(**params).fit(X, y)
    same = cls(budget_scale={"x": 1.0}, **params).fit(X, y)
    np.testing.assert_array_equal(same.predict_proba(X), plain.predict_proba(X))
    assert not np.array_equal(scaled.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize(
    "budget_scale, match",
    [
        ({"a": 0.5}, r"budget_scale names 'a', which is not among the columns "
                     r"attack_columns lets the adversary move \(\['c', 'x'\]\)"),
        ({"xx": 0.5}, r"budget_scale names 'xx', which is not a column of X \(did you mean "
                      r"'x'\?\)"),
        ({"x": -1}, r"budget_scale\['x'\] is -1; a multiplier of epsilon must be a finite "
                    r"number > 0"),
        ({"x": True}, r"budget_scale\['x'\] is True"),
    ],
)
def test_a_bad_training_budget_scale_is_named(budget_scale, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        PGDTrainedMLPClassifier(attack_columns=["c", "x"], budget_scale=budget_scale,
                                max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"budget_scale names True, which is not a column "
                                         r"position of X \(0 to 2\)"):
        PGDTrainedMLPClassifier(budget_scale={True: 0.5}, max_epochs=1).fit(X.to_numpy(), y)


def test_the_training_attack_steps_and_starts_in_each_columns_own_budget():
    """The per-column budget reaches every part of the training attack: its steps
    (2.5 * budget / pgd_steps, each column its own) and its random start."""
    import skcama.baselines as baselines

    X, y = _data()
    clf = PGDTrainedMLPClassifier(epsilon=0.2, attack_columns=["c", "x"], pgd_steps=5,
                                  budget_scale={"x": 0.25}, max_epochs=1,
                                  random_state=0).fit(X, y)
    u = torch.as_tensor(((X - clf.mean_) / clf.scale_).to_numpy(), dtype=torch.float32)
    target = torch.as_tensor(np.searchsorted(clf.classes_, y))

    def loss(v):
        return torch.nn.functional.cross_entropy(clf.model_(v), target)

    budget = clf._budget
    # one step of the training attack's size, no random start: each column moves by its
    # own step, half its own budget (2.5 / 5)
    step = baselines._perturb_linf(loss, u, clf._mask, budget, 1, 2.5 * budget / 5, None)
    moved = (step - u).abs()
    np.testing.assert_allclose(moved[:, 1].numpy(), 0.1, rtol=1e-5)
    np.testing.assert_allclose(moved[:, 2].numpy(), 0.025, rtol=1e-5)
    assert moved[:, 0].max() == 0
    # the random start alone (a step too small to matter): uniform in each own budget
    start = baselines._perturb_linf(loss, u, clf._mask, budget, 1, 1e-9 * budget,
                                    torch.Generator().manual_seed(0))
    moved = (start - u).abs()
    assert moved[:, 2].max() <= 0.05 + 1e-6 and moved[:, 2].mean() == pytest.approx(0.025,
                                                                                   abs=0.005)
    assert moved[:, 1].mean() == pytest.approx(0.1, abs=0.02)
    # and fit hands the attack those steps
    seen = []
    perturb = baselines._perturb_linf

    def recording(loss_fn, v, mask, epsilon, steps, step_size, generator):
        seen.append((epsilon, step_size))
        return perturb(loss_fn, v, mask, epsilon, steps, step_size, generator)

    baselines._perturb_linf = recording
    try:
        clf.fit(X, y)
    finally:
        baselines._perturb_linf = perturb
    epsilon, step_size = seen[0]
    np.testing.assert_allclose(epsilon.numpy(), [0.2, 0.2, 0.05], rtol=1e-6)
    np.testing.assert_allclose(step_size.numpy(), [0.1, 0.1, 0.025], rtol=1e-6)


def test_a_bool_budget_scale_key_names_no_column_position():
    X, y = _data()
    for key in (True, np.True_):
        with pytest.raises(ValueError, match="which is not a column position of X"):
            PGDTrainedMLPClassifier(budget_scale={key: 0.5}, max_epochs=1).fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="rounds to 0 in float32"):
        PGDTrainedMLPClassifier(attack_columns=["c", "x"], budget_scale={"x": 1e-300},
                                max_epochs=1).fit(X, y)


def test_causaladv_attack_reads_the_style_correction_at_full_strength():
    X, y = _data()
    clf = CausalAdvClassifier(epsilon=0.1, max_epochs=1, pgd_steps=2, random_state=0).fit(X, y)
    generator = torch.Generator().manual_seed(0)
    clf._init_extra(generator)  # training state, at the ramp's start (ratio 0)
    ratios: list[float] = []
    forward = clf.style_head_.forward

    def recording(s, target, ratio, moments, update=False):
        ratios.append(ratio)
        return forward(s, target, ratio, moments, update)

    clf.style_head_.forward = recording
    u = torch.as_tensor((np.asarray(X) - clf.mean_) / clf.scale_, dtype=torch.float32)
    target = torch.as_tensor(y)
    basis = clf.style_basis()
    clf._adversarial_rows(u, clf._style(u, basis), target, generator, basis)
    assert ratios == [1.0] * 3  # the natural target and two ascent steps
    ratios.clear()
    clf._classifier_loss(clf._style(u, basis), u, target, basis, alpha=1.0)
    assert ratios == [0.0, 0.0]  # h's loss: the ramp's
