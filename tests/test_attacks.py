"""Tests of skcama.attacks: attacks must work, stay in budget and refuse bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import simple_sem
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError

from skcama import CAMAClassifier
from skcama.attacks import fgsm, pgd
from skcama.baselines import TorchMLPClassifier


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


@pytest.mark.parametrize("epsilon", [0.0, -0.1, np.nan])
def test_non_positive_budget_raises(blobs, epsilon):
    X, y, mlp = blobs
    with pytest.raises(ValueError, match="epsilon"):
        pgd(mlp, X, y, epsilon, columns=["x"])


def test_unfitted_model_raises():
    X = pd.DataFrame({"x": [0.0, 1.0]})
    with pytest.raises(NotFittedError):
        fgsm(TorchMLPClassifier(), X, [0, 1], 0.1, columns=["x"])


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
