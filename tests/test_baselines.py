"""Tests of the torch baselines: sklearn API, seeding, CausalAdv's style space."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skcama.baselines import CausalAdvClassifier, PGDTrainedMLPClassifier, TorchMLPClassifier


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


def test_baseline_is_reproducible_with_random_state():
    estimator = BASELINES[2]
    X, y = _data()
    a = clone(estimator).fit(X, y).predict_proba(X)
    b = clone(estimator).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(a, b)


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


def test_causaladv_style_basis_is_orthogonal_to_classifier_weights():
    X, y = _data()
    clf = CausalAdvClassifier(epsilon=0.1, max_epochs=2, pgd_steps=1, random_state=0).fit(X, y)
    basis = clf._style_basis()
    weights = clf.model_.head.weight.detach()
    assert torch.allclose(weights @ basis, torch.zeros(3, basis.shape[1]), atol=1e-4)
    assert torch.allclose(basis.T @ basis, torch.eye(basis.shape[1]), atol=1e-4)


def test_unknown_attack_column_raises_with_suggestion():
    X, y = _data()
    with pytest.raises(ValueError, match="Did you mean 'x'"):
        PGDTrainedMLPClassifier(attack_columns=["X"], max_epochs=1).fit(X, y)


def test_invalid_parameter_is_named():
    X, y = _data()
    with pytest.raises(ValueError, match="epsilon"):
        PGDTrainedMLPClassifier(epsilon=-1.0).fit(X, y)


def test_single_class_raises():
    X, _ = _data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        TorchMLPClassifier(max_epochs=1).fit(X, np.zeros(len(X)))
