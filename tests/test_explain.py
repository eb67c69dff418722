"""CAMAClassifier.explain: per-measurement terms that add up to the class scores."""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from test_mixed_types import FAST as MIXED_FAST
from test_mixed_types import mixed_frame

from skcama import CAMAClassifier

from conftest import FAST


def _scores(clf: CAMAClassifier, terms: pd.DataFrame) -> np.ndarray:
    """Each class's terms added up and normalised over the classes."""
    totals = np.stack([terms[k].sum(axis=1).to_numpy() for k in clf.classes_], axis=1)
    proba = np.exp(totals - totals.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def fitted(sem_data):
    X, y, graph = sem_data
    return CAMAClassifier(graph=graph, target="y", **FAST).fit(X, y)


def test_terms_of_each_class_add_up_to_the_predicted_probabilities(fitted, sem_data):
    X, _, _ = sem_data
    terms = fitted.explain(X)
    assert terms.columns.names == ["class", "term"]
    assert list(terms[0].columns) == ["prior", "x1", "x2", "x3", "latent"]
    assert list(terms.columns.get_level_values("class").unique()) == [0, 1, 2]
    assert terms.index.equals(X.index)
    np.testing.assert_allclose(_scores(fitted, terms), fitted.predict_proba(X), atol=1e-5)


def test_terms_add_up_with_mixed_types_missing_values_and_a_new_prevalence():
    X, y, graph = mixed_frame(800)
    clf = CAMAClassifier(graph=graph, **MIXED_FAST).fit(X, y)
    X_new = X.copy()
    X_new.loc[::4, "lab"] = np.nan
    X_new.loc[1::4, "imaging"] = np.nan
    terms = clf.explain(X_new)
    np.testing.assert_allclose(_scores(clf, terms), clf.predict_proba(X_new), atol=1e-5)
    # a missing child is marginalised: it gives no evidence for any class
    for label in clf.classes_:
        assert (terms.loc[::4, (label, "lab")] == 0).all()
        assert (terms.loc[1::4, (label, "imaging")] == 0).all()
        assert (terms.loc[2::4, (label, "lab")] != 0).all()
    clf.adapt_prior(X[y.to_numpy() != "healthy"])
    np.testing.assert_allclose(_scores(clf, clf.explain(X)), clf.predict_proba(X), atol=1e-5)


def test_the_informative_measurement_carries_the_evidence():
    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 2, n)
    X = pd.DataFrame({"marker": rng.normal(size=n) + 2.0 * y, "noise": rng.normal(size=n)})
    clf = CAMAClassifier(max_epochs=60, random_state=0).fit(X, y)
    for_one = clf.explain(X)[1] - clf.explain(X)[0]
    # the marker's log-likelihood ratio follows its value; the other column says little
    assert np.corrcoef(for_one["marker"], X["marker"])[0, 1] > 0.9
    assert for_one["marker"].abs().mean() > 5 * for_one["noise"].abs().mean()


def test_after_adapting_the_terms_follow_the_inferred_manipulation(fitted, sem_data):
    X, _, _ = sem_data
    shifted = X.assign(x2=X["x2"] + 2.0)
    clf = copy.deepcopy(fitted).set_params(clean_prior=None, adapt_steps=30).adapt(shifted)
    inferred = clf.explain(shifted)  # "auto" infers m once a manipulation is learned
    np.testing.assert_allclose(_scores(clf, inferred), clf.predict_proba(shifted), atol=1e-5)
    pd.testing.assert_frame_equal(clf.explain(shifted, manipulation="inferred"), inferred)
    clean = clf.explain(shifted, manipulation="clean")
    pd.testing.assert_frame_equal(clean, fitted.explain(shifted))  # do(m=0) is the fit
    assert not np.allclose(clean.to_numpy(), inferred.to_numpy())


def test_with_clean_prior_the_terms_add_up_to_the_clean_and_manipulated_mixture(
    fitted, sem_data
):
    X, y, graph = sem_data
    shifted = X.assign(x2=X["x2"] + 2.0)
    adapted = copy.deepcopy(fitted).set_params(adapt_steps=30).adapt(shifted)  # 0.5
    both = pd.concat([X.iloc[:100], shifted.iloc[:100]], ignore_index=True)
    terms = adapted.explain(both)
    np.testing.assert_allclose(_scores(adapted, terms), adapted.predict_proba(both), atol=1e-5)
    clean = adapted.explain(both, manipulation="clean").to_numpy()
    inferred = adapted.explain(both, manipulation="inferred").to_numpy()
    assert not np.allclose(terms.to_numpy(), clean) and not np.allclose(terms, inferred)
    # a fit with manipulated rows has learned a manipulation as well
    flags = np.arange(len(X)) % 2 == 0
    augmented = CAMAClassifier(graph=graph, target="y", **FAST).fit(
        X.where(~pd.Series(flags, index=X.index), shifted, axis=0), y, manipulated=flags
    )
    np.testing.assert_allclose(_scores(augmented, augmented.explain(both)),
                               augmented.predict_proba(both), atol=1e-5)


def test_rows_are_explained_alike_whatever_rows_come_with_them(fitted, sem_data):
    X, _, _ = sem_data
    full = fitted.explain(X)
    np.testing.assert_allclose(fitted.explain(X.iloc[5:9]).to_numpy(), full.iloc[5:9], atol=1e-6)
    assert fitted.explain(X.iloc[:0]).shape == (0, full.shape[1])


def test_a_child_named_like_a_term_keeps_its_name():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"prior": rng.normal(size=200) + y, "b": rng.normal(size=200) - y})
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert list(clf.explain(X)[0].columns) == ["(prior)", "b", "prior", "latent"]
    both = X.rename(columns={"b": "(prior)"})  # a child named as the renamed term, too
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(both, y)
    assert list(clf.explain(both)[0].columns) == ["((prior))", "(prior)", "prior", "latent"]


def test_a_model_without_children_is_explained_by_its_prior_alone():
    rng = np.random.default_rng(2)
    a = rng.normal(size=300)
    y = (a + 0.5 * rng.normal(size=300) > 0).astype(int)
    clf = CAMAClassifier(graph=nx.DiGraph([("a", "y")]), target="y", max_epochs=10,
                         random_state=0).fit(pd.DataFrame({"a": a}), y)
    terms = clf.explain(pd.DataFrame({"a": a}))
    assert list(terms[0].columns) == ["prior", "latent"]
    assert (terms.xs("latent", axis=1, level="term") == 0).all().all()
    np.testing.assert_allclose(_scores(clf, terms), clf.predict_proba(pd.DataFrame({"a": a})),
                               atol=1e-6)


def test_explain_refuses_bad_calls_with_the_fix(fitted, sem_data):
    X, _, graph = sem_data
    with pytest.raises(ValueError, match=r"manipulation='m' is not one of 'auto', 'clean'"):
        fitted.explain(X, manipulation="m")
    with pytest.raises(ValueError, match=r"needs a learned manipulation; call adapt\(X_new\)"):
        fitted.explain(X, manipulation="inferred")
    with pytest.raises(NotFittedError):
        CAMAClassifier(graph=graph).explain(X)
    with pytest.raises(ValueError, match="x2"):
        fitted.explain(X.drop(columns="x2"))
